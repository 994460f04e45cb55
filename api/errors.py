"""Every refusal as JSON {"code", "message", "fields"} in the request's language (Chinese unless the client asks
for English with Accept-Language). `fields` names each field that is wrong (`items[2].value` inside a batch)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from api.authentication import TooManyRefusals

NON_FIELD = ("__all__", "non_field_errors")


class ApiError(exceptions.APIException):
    """A refusal with our own code (stale version, locked period, busy database, reused idempotency key…)."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        fields: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.extra = extra or {}


def flatten(detail: Any, prefix: str = "") -> dict[str, str]:
    """DRF's nested error detail → {"items[2].value": "message"}."""
    out: dict[str, str] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):
                name = f"{prefix}[{key}]"
            else:
                name = prefix if key in NON_FIELD else (f"{prefix}.{key}" if prefix else str(key))
            out.update(flatten(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            if detail:
                out[prefix or "__all__"] = "；".join(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                out.update(flatten(item, f"{prefix}[{index}]"))
    else:
        out[prefix or "__all__"] = str(detail)
    return out


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


def validation_body(detail: Any, code: str = "invalid") -> dict[str, Any]:
    found = flatten(detail)
    fields = {k: v for k, v in found.items() if k != "__all__"}
    messages = list(dict.fromkeys(found.values()))
    return error_body(code, "；".join(messages) or _("请求数据有误。"), fields)


def _message(exc: exceptions.APIException) -> tuple[str, str]:
    if isinstance(exc, exceptions.NotAuthenticated):
        return "not_authenticated", _("需要身份认证：请在 Authorization 请求头中提供“Bearer 令牌”。")
    if isinstance(exc, exceptions.AuthenticationFailed):
        return "authentication_failed", str(exc.detail)
    if isinstance(exc, exceptions.PermissionDenied):
        default = str(exceptions.PermissionDenied.default_detail)
        detail = str(exc.detail)
        return "permission_denied", detail if detail != default else _("您无权进行此操作。")
    if isinstance(exc, exceptions.NotFound):
        default = str(exceptions.NotFound.default_detail)
        return "not_found", str(exc.detail) if str(exc.detail) != default else _("未找到，或您无权访问。")
    if isinstance(exc, TooManyRefusals):
        return "too_many_refusals", _("该地址的令牌多次验证失败，请 %(s)s 秒后再试。") % {"s": int(exc.wait or 1)}
    if isinstance(exc, exceptions.Throttled):
        return "throttled", _("请求过于频繁，请 %(s)s 秒后重试。") % {"s": int(exc.wait or 1)}
    if isinstance(exc, exceptions.MethodNotAllowed):
        return "method_not_allowed", _("该地址不支持 %(m)s 请求。") % {"m": exc.args[0] if exc.args else ""}
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return "unsupported_media_type", _("请求体应为 JSON（Content-Type: application/json）。")
    if isinstance(exc, exceptions.NotAcceptable):
        return "not_acceptable", _("只提供 JSON 格式（Accept: application/json）。")
    if isinstance(exc, exceptions.ParseError):
        return "parse_error", _("请求体不是有效的 JSON：%(e)s") % {"e": exc.detail}
    return getattr(exc, "default_code", "error"), str(exc.detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) if exc.args else None)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) if exc.args else None)
    if not isinstance(exc, exceptions.APIException):
        return None  # a server error: Django's handler and log
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, ApiError):
        body = {**error_body(exc.code, exc.message, exc.fields), **exc.extra}
    elif isinstance(exc, exceptions.ValidationError):
        body = validation_body(exc.detail)
    else:
        code, message = _message(exc)
        body = error_body(code, message)
    return Response(body, status=exc.status_code, headers=headers)


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
    """Unknown addresses under /api/ answer in JSON too."""
    from django.http import JsonResponse

    return JsonResponse(
        error_body("not_found", _("接口地址不存在：%(p)s") % {"p": request.path}),
        status=status.HTTP_404_NOT_FOUND,
        json_dumps_params={"ensure_ascii": False},
    )
