"""Who is calling: a bearer token (other systems) or the browser session (the app's own pages)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.request import Request

from api import tokens
from api.models import ApiToken
from ops.lockout import client_ip
from plans.roles import is_reporter

SCHEMES = ("bearer", "token")


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer tp_…`. A missing header leaves the request to the session; a bad key is a 401."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in SCHEMES:
            return None
        if len(header) != 2:
            raise AuthenticationFailed(_bad_header())
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_bad_header()) from None
        address = _address(request)
        _refuse_when_guessing(address)
        try:
            token = tokens.authenticate_key(key, address=address)
        except tokens.TokenRefused as exc:
            _count_refusal(address)
            raise AuthenticationFailed(str(exc)) from None
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class TooManyRefusals(Throttled):
    """Keys from this address were refused too often lately."""

    default_code = "too_many_refusals"


def _refusals_key(address: str | None) -> str:
    return f"api-token-refusals:{address or 'unknown'}"


def _refuse_when_guessing(address: str | None) -> None:
    """An address whose keys were refused API_TOKEN_REFUSALS times within API_TOKEN_REFUSAL_SECONDS waits out the
    window (429) before any key it sends is checked again, a valid one included: guessing keys is not free."""
    if cache.get(_refusals_key(address), 0) >= settings.API_TOKEN_REFUSALS:
        raise TooManyRefusals(wait=settings.API_TOKEN_REFUSAL_SECONDS)


def _count_refusal(address: str | None) -> None:
    key = _refusals_key(address)
    if not cache.add(key, 1, timeout=settings.API_TOKEN_REFUSAL_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.add(key, 1, timeout=settings.API_TOKEN_REFUSAL_SECONDS)


def _bad_header() -> str:
    return _("Authorization 请求头应为“Bearer 令牌”。")


def _address(request: Request) -> str | None:
    address = client_ip(request._request)
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


class AppSessionAuthentication(SessionAuthentication):
    """The logged-in browser, with Django's CSRF check on writes."""


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "tp_…",
            "description": "组织部创建的接口令牌（接口令牌页面或 manage.py create_api_token）。",
        }


@dataclass(frozen=True)
class Caller:
    """The user and, for a token, its scope and unit. A session writes as its user, for any of the user's units."""

    user: User
    token: ApiToken | None

    @property
    def unit_id(self) -> int | None:
        return self.token.unit_id if self.token is not None else None

    @property
    def can_write(self) -> bool:
        return self.token.can_write if self.token is not None else is_reporter(self.user)

    @property
    def owner(self) -> str:
        """Whose idempotency keys these are."""
        return f"t{self.token.pk}" if self.token is not None else f"u{self.user.pk}"


def caller(request: Request) -> Caller:
    auth = request.auth
    return Caller(request.user, auth if isinstance(auth, ApiToken) else None)


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.AppSessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": "sessionid",
            "description": "本系统网页的登录会话（写入须带 X-CSRFToken）。",
        }
