"""Writes and checks of API tokens: made by 组织部 (page or command), shown once, stored hashed, revoked, used.

A key reads `tp_<8 hex>_<43 url-safe characters>`: the first part finds the row, the whole key is compared with the
stored SHA-256 in constant time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken
from indicators.access import unit_ids
from plans.models import Department
from plans.roles import can_read_all, is_admin, is_reporter

KEY_PREFIX = "tp_"
PREFIX_CHARS = 8
USE_RECORD_SECONDS = 60  # last use is written at most once a minute per token, not on every request


class TokenError(Exception):
    """A refused token write; `errors` maps a field (or "__all__") to a message."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = {"__all__": errors} if isinstance(errors, str) else errors
        super().__init__("；".join(self.errors.values()))


class TokenRefused(Exception):
    """A key that does not authenticate: unknown, revoked, expired, or its account disabled."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    key: str  # the only time the key exists in clear


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(PREFIX_CHARS // 2)
    return prefix, f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def scope_errors(*, user: User, scope: str, unit: Department | None) -> dict[str, str]:
    """Why this account cannot hold a token of this scope for this unit (empty when it can)."""
    if not user.is_active:
        return {"user": _("账号“%(u)s”已停用。") % {"u": user.get_username()}}
    if scope not in ApiToken.Scope.values:
        return {"scope": _("权限范围应为 read（只读）或 write（读写）。")}
    if scope == ApiToken.Scope.WRITE:
        if unit is None:
            return {"unit": _("读写令牌必须指定单位：令牌只能填报该单位的实际值和任务进展。")}
        if not is_reporter(user) or unit.pk not in unit_ids(user):
            return {
                "unit": _("账号“%(u)s”不是“%(unit)s”的填报员，不能为该单位创建读写令牌。")
                % {"u": user.get_username(), "unit": unit.name}
            }
        return {}
    if unit is None:
        if not can_read_all(user):
            return {"unit": _("账号“%(u)s”只能读取本单位的数据，请指定单位。") % {"u": user.get_username()}}
        return {}
    if not can_read_all(user) and unit.pk not in unit_ids(user):
        return {
            "unit": _("账号“%(u)s”不属于“%(unit)s”，不能读取该单位的数据。")
            % {"u": user.get_username(), "unit": unit.name}
        }
    return {}


def create_token(
    *, by: User | None, user: User, name: str, scope: str, unit: Department | None, days: int | None = None
) -> NewToken:
    """Make a token for `user`. `by` is the 组织部 administrator (None from the command line, run by the operator)."""
    if by is not None and not is_admin(by):
        raise TokenError(_("只有组织部管理员可以创建接口令牌。"))
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("请填写令牌用途，如“人社局数据平台”。")
    elif len(name.strip()) > 100:
        errors["name"] = _("用途最多 100 字。")
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        errors["days"] = _("有效天数应在 1–%(n)s 之间。") % {"n": settings.API_TOKEN_MAX_DAYS}
    errors.update(scope_errors(user=user, scope=scope, unit=unit))
    if errors:
        raise TokenError(errors)
    for _attempt in range(3):  # a clash of 32 random bits is rare; try again rather than fail
        prefix, key = _new_key()
        token = ApiToken(
            name=name.strip(),
            user=user,
            unit=unit,
            scope=scope,
            prefix=prefix,
            key_hash=digest(key),
            created_by=by,
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        try:
            with transaction.atomic():
                token.save()
        except IntegrityError:
            continue
        return NewToken(token, key)
    raise TokenError(_("生成令牌失败，请重试。"))


def revoke_token(*, by: User, token: ApiToken) -> ApiToken:
    if not is_admin(by):
        raise TokenError(_("只有组织部管理员可以吊销接口令牌。"))
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by = timezone.now(), by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def authenticate_key(key: str, *, address: str | None = None) -> ApiToken:
    """The active token of this key, its last use recorded; TokenRefused with the reason otherwise."""
    key = key.strip()
    prefix = key[len(KEY_PREFIX) : len(KEY_PREFIX) + PREFIX_CHARS] if key.startswith(KEY_PREFIX) else ""
    token = ApiToken.objects.select_related("user", "unit").filter(prefix=prefix).first() if prefix else None
    if token is None or not hmac.compare_digest(token.key_hash, digest(key)):
        raise TokenRefused(_("令牌无效，请检查 Authorization 请求头（Bearer 令牌）。"))
    if token.revoked_at is not None:
        raise TokenRefused(_("该令牌已于 %(t)s 被吊销。") % {"t": _when(token.revoked_at)})
    now = timezone.now()
    if token.expires_at <= now:
        raise TokenRefused(_("该令牌已于 %(t)s 过期，请联系组织部重新创建。") % {"t": _when(token.expires_at)})
    if not token.user.is_active:
        raise TokenRefused(_("令牌所属账号已停用。"))
    if (
        token.last_used_at is None
        or now - token.last_used_at >= dt.timedelta(seconds=USE_RECORD_SECONDS)
        or token.last_used_ip != address
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=address)
        token.last_used_at, token.last_used_ip = now, address
    return token


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
