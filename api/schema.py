"""OpenAPI: the error body on every operation, so a client (and the tests) can rely on it for every status."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import get_language
from drf_spectacular import renderers
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import BaseRenderer

ERROR = {
    "type": "object",
    "required": ["code", "message", "fields"],
    "properties": {
        "code": {"type": "string", "description": "机器可读的错误代码，如 invalid、stale_version、period_locked。"},
        "message": {"type": "string", "description": "错误说明（默认中文；Accept-Language: en 时为英文）。"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "字段 → 该字段的错误说明；批量写入中为 items[序号].字段。",
        },
        "current": {
            "type": "object",
            "additionalProperties": True,
            "nullable": True,
            "description": "版本冲突时：服务器上的最新数据。",
        },
    },
}
READ_ERRORS = {
    "400": "请求参数有误",
    "401": "未提供令牌，或令牌无效、已吊销、已过期",
    "403": "令牌无权进行此操作",
    "404": "不存在，或无权访问",
    "429": "请求过于频繁",
}
WRITE_ERRORS = {
    **READ_ERRORS,
    "409": "版本冲突（version 已过期）、周期已截止或锁定、已审核不能修改、同一幂等键的请求仍在处理",
    "422": "幂等键已用于内容不同的请求",
    "503": "系统繁忙，未写入任何数据",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            errors = READ_ERRORS if method == "get" else WRITE_ERRORS
            responses = operation.setdefault("responses", {})
            for code, description in errors.items():
                responses.setdefault(code, {"description": description, "content": ref})
    return result


class OnceGenerator(SchemaGenerator):
    """The schema is generated once per process, language, version and audience: it changes only with the code."""

    def get_schema(self, request: Any = None, public: bool = False) -> dict[str, Any]:
        language = get_language()
        if language not in {code for code, _name in settings.LANGUAGES}:  # ?lang= takes any text: not kept
            return super().get_schema(request=request, public=public)
        key = (language, self.api_version, public)
        schema = _SCHEMAS.get(key)
        if schema is None:
            schema = _SCHEMAS[key] = super().get_schema(request=request, public=public)
        return schema


_SCHEMAS: dict[tuple[str | None, str | None, bool], dict[str, Any]] = {}
_RENDERED: dict[tuple[int, type], bytes] = {}


class _RenderedOnce(BaseRenderer):
    """A renderer that keeps its body of a schema kept by OnceGenerator (the same object on every request)."""

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> Any:
        # A media type with parameters (a JSON indent, anything a client sends) is rendered afresh, never kept.
        plain = accepted_media_type in (None, self.media_type)
        if not plain or not any(data is schema for schema in _SCHEMAS.values()):
            return super().render(data, accepted_media_type, renderer_context)
        key = (id(data), type(self))
        body = _RENDERED.get(key)
        if body is None:
            body = _RENDERED[key] = super().render(data, accepted_media_type, renderer_context)
        return body


class YamlRenderer(_RenderedOnce, renderers.OpenApiYamlRenderer):
    pass


class YamlRenderer2(_RenderedOnce, renderers.OpenApiYamlRenderer2):
    pass


class JsonRenderer(_RenderedOnce, renderers.OpenApiJsonRenderer):
    pass


class JsonRenderer2(_RenderedOnce, renderers.OpenApiJsonRenderer2):
    pass


class SchemaView(SpectacularAPIView):
    generator_class = OnceGenerator
    renderer_classes = [YamlRenderer, YamlRenderer2, JsonRenderer, JsonRenderer2]
