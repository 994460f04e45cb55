"""Idempotency-Key: a POST retried with the same key (after a timeout, a dropped connection) is answered with the
stored response of the first one instead of writing again. Keys belong to one token (or one user's session), are
kept API_IDEMPOTENCY_HOURS, and a key sent again with a different body is refused (422)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import ApiError, exception_handler
from api.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY = 255
NOT_STORED = frozenset({429, 503})  # answers that say "try again": a retry must be able to write


def fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def key_of(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise ApiError(
            400,
            "invalid",
            _("Idempotency-Key 应为 1–255 个可见字符，如一个 UUID。"),
            {HEADER: _("Idempotency-Key 应为 1–255 个可见字符，如一个 UUID。")},
        )
    return key


def once(request: Request, owner: str, handler: Callable[[], Response]) -> Response:
    """Answer with `handler` unless this owner already sent this key; the write and the stored answer commit
    together, so a crash in between leaves neither."""
    key = key_of(request)
    if key is None:
        return handler()
    stamp = fingerprint(request)
    with transaction.atomic():
        now = timezone.now()
        IdempotencyRecord.objects.filter(owner=owner, expires_at__lte=now).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    owner=owner,
                    key=key,
                    fingerprint=stamp,
                    expires_at=now + dt.timedelta(hours=settings.API_IDEMPOTENCY_HOURS),
                )
        except IntegrityError:
            return _replay(owner, key, stamp)
        try:
            response = handler()
        except (APIException, Http404, PermissionDenied) as exc:
            response = exception_handler(exc, {})
        if response.status_code in NOT_STORED or response.status_code >= 500:
            record.delete()
            return response
        record.status_code, record.body = response.status_code, response.data
        record.save(update_fields=["status_code", "body"])
    return response


def _replay(owner: str, key: str, stamp: str) -> Response:
    record = IdempotencyRecord.objects.get(owner=owner, key=key)
    if record.fingerprint != stamp:
        raise ApiError(
            422, "idempotency_key_reused", _("该 Idempotency-Key 已用于内容不同的请求；新的请求请使用新的键。")
        )
    if record.status_code is None:
        raise ApiError(409, "idempotency_in_progress", _("使用该 Idempotency-Key 的请求仍在处理，请稍后重试。"))
    return Response(record.body, status=record.status_code, headers={"Idempotent-Replayed": "true"})
