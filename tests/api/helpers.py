"""An API client for the tests: every response it gets is validated against the generated OpenAPI schema."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.test import Client
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from api import tokens
from api.models import ApiToken


@functools.cache
def openapi() -> OpenAPI:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(api_version="v1").get_schema(request=None, public=True)
    return OpenAPI.from_dict(json.loads(json.dumps(schema, default=str)))


@dataclass
class _Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    content_type: str
    host_url: str = "http://testserver"
    parameters: RequestParameters = field(init=False)

    def __post_init__(self) -> None:
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(self.query), header=Headers(self.headers), cookie=ImmutableMultiDict(), path={}
        )


@dataclass
class _Response:
    data: bytes
    status_code: int
    content_type: str
    headers: Headers


def validate(method: str, url: str, body: bytes, response: Any) -> None:
    parts = urlsplit(url)
    query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    request = _Request(method.lower(), parts.path, query, {}, body, "application/json")
    openapi().validate_response(
        request,
        _Response(
            response.content,
            response.status_code,
            response.headers.get("Content-Type", ""),
            Headers(dict(response.headers.items())),
        ),
    )


class Api:
    """`Api(token_key)` or `Api(session=client)`; `.get(url, **params)`, `.post(url, body, **headers)`."""

    def __init__(
        self,
        key: str | None = None,
        *,
        client: Client | None = None,
        language: str | None = None,
        check_schema: bool = True,
    ) -> None:
        self.client = client or Client()
        self.headers: dict[str, str] = {}
        if key is not None:
            self.headers["Authorization"] = f"Bearer {key}"
        if language:
            self.headers["Accept-Language"] = language
        self.check_schema = check_schema

    def get(self, url: str, params: dict[str, Any] | None = None, **headers: str) -> Any:
        response = self.client.get(url, params or {}, headers={**self.headers, **headers})
        if self.check_schema:
            validate("get", response.wsgi_request.get_full_path(), b"", response)
        return response

    def post(self, url: str, body: Any = None, **headers: str) -> Any:
        raw = json.dumps(body if body is not None else {}, ensure_ascii=False).encode()
        response = self.client.post(url, raw, content_type="application/json", headers={**self.headers, **headers})
        if self.check_schema:
            validate("post", url, raw, response)
        return response


def make_token(user: Any, scope: str = "read", unit: Any = None, days: int = 30, name: str = "测试") -> str:
    return tokens.create_token(by=None, user=user, name=name, scope=scope, unit=unit, days=days).key


def token_of(key: str) -> ApiToken:
    return ApiToken.objects.get(prefix=key[3:11])
