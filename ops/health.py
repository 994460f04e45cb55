"""/healthz: is the database answering, is the cache answering. 200 or 503 with a small JSON body, no login."""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)


def _database() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "take this server out of rotation", whatever its type
        logger.warning("healthz: database check failed: %r", exc)
        return f"error: {type(exc).__name__}"
    return "ok"


def _cache() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        found = cache.get(key)
        cache.delete(key)
    except Exception as exc:
        logger.warning("healthz: cache check failed: %r", exc)
        return f"error: {type(exc).__name__}"
    return "ok" if found == "1" else "error: value not read back"


def health_response(request: HttpRequest) -> JsonResponse:
    if request.method not in ("GET", "HEAD"):
        return JsonResponse({"status": "error", "detail": "GET only"}, status=405)
    checks = {"database": _database(), "cache": _cache()}
    healthy = all(value == "ok" for value in checks.values())
    response = JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response
