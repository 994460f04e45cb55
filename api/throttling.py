"""Request rates per token (per user for a browser session): reads and writes counted apart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from api.authentication import caller

if TYPE_CHECKING:  # DRF's settings import this module while rest_framework.views loads
    from rest_framework.views import APIView


class _PerCaller(SimpleRateThrottle):
    safe: bool

    def get_rate(self) -> str | None:
        # Read at each request (not at import, as DRF does) so the rates follow settings changes.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request: Request, view: APIView) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if (request.method in ("GET", "HEAD", "OPTIONS")) != self.safe:
            return None
        if not (request.user and request.user.is_authenticated):
            return self.cache_format % {"scope": self.scope, "ident": "anon:" + (self.get_ident(request) or "")}
        who = caller(request)
        ident = f"token:{who.token.prefix}" if who.token is not None else f"user:{who.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ReadRateThrottle(_PerCaller):
    scope = "api_read"
    safe = True


class WriteRateThrottle(_PerCaller):
    scope = "api_write"
    safe = False
