"""Login throttling with django-axes: the backend, the client address, the page a locked-out login gets, unlocking.

A username is locked for one client address after settings.AXES_FAILURE_LIMIT wrong passwords, for
AXES_COOLOFF_TIME; the site login and the admin login count together (both authenticate through this backend).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone


class LockoutBackend(AxesStandaloneBackend):
    """Axes' backend, minus its refusal of calls without an HTTP request.

    Web logins (the login page, the admin login) always pass the request and are throttled. Code that authenticates
    without one (the test client's `login()`, scripts) has no client to throttle, and Axes would raise instead.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def client_ip(request: HttpRequest) -> str | None:
    """nginx's X-Real-IP when the proxy is trusted to set it (TRUST_X_REAL_IP), else the socket's address."""
    if getattr(settings, "TRUST_X_REAL_IP", False):
        real = request.META.get("HTTP_X_REAL_IP", "").strip()
        if real:
            return real
    return request.META.get("REMOTE_ADDR")


def cooloff_minutes() -> int:
    cooloff = settings.AXES_COOLOFF_TIME
    return int(cooloff.total_seconds() // 60) if isinstance(cooloff, dt.timedelta) else 0


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    html = render_to_string(
        "ops/locked_out.html",
        {
            "username": str(username)[:150],
            "limit": settings.AXES_FAILURE_LIMIT,
            "minutes": cooloff_minutes(),
            "admin_login": request.path.startswith("/admin/"),
        },
        request=request,
    )
    return HttpResponse(html, status=429)


@dataclass(frozen=True)
class LockedAccount:
    pk: int
    username: str
    ip_address: str
    failures: int
    last_attempt: dt.datetime
    unlocks_at: dt.datetime | None
    locked: bool


def locked_accounts(*, now: dt.datetime | None = None) -> list[LockedAccount]:
    """Usernames with failed logins still counting, locked ones first (one query)."""
    now = now or timezone.now()
    cooloff = settings.AXES_COOLOFF_TIME
    rows = []
    for attempt in AccessAttempt.objects.order_by("-attempt_time")[:500]:
        unlocks = attempt.attempt_time + cooloff if isinstance(cooloff, dt.timedelta) else None
        if unlocks is not None and unlocks <= now:
            continue  # expired: axes no longer counts it
        rows.append(
            LockedAccount(
                attempt.pk,
                attempt.username or "",
                attempt.ip_address or "",
                attempt.failures_since_start,
                attempt.attempt_time,
                unlocks,
                attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT,
            )
        )
    rows.sort(key=lambda r: (not r.locked, -r.last_attempt.timestamp()))
    return rows
