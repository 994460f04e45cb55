"""What the navigation may show, from the cached role helpers.

Checking `perms.*` in the base template falls through to Django's ModelBackend (two queries a page) whenever the
role rule says no — which for a leader is on every page.
"""

from __future__ import annotations

from django.http import HttpRequest

from indicators import access
from notifications.selectors import unread_count
from plans.roles import can_read_all, is_reporter


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        # A callable: read (from the cache, no query once warm) only by templates that show the header.
        "nav_unread": lambda: unread_count(user),
        "nav_enter": is_reporter(user),
        "nav_review": access.can_review(user),
        "nav_periods": access.can_manage_periods(user),
        "nav_overdue": can_read_all(user),
    }
