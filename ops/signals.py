"""A fresh login marks the session as seen now, so the idle check starts from the login (no extra write later)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from ops.middleware import mark_seen


@receiver(user_logged_in)
def _mark_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        mark_seen(request.session)
