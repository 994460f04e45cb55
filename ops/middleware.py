"""Middleware for running several app servers behind a proxy.

* RequestLogMiddleware: an X-Request-ID (the proxy's, when it looks like one, else a new one) echoed on the response,
  and one log line per request on the "talentplan.request" logger (stdout): id, user, method, path, status, duration
  and the processor time the request's thread used.
* HealthzMiddleware: /healthz for load balancers, answered before host validation and the HTTPS redirect.
* BodySizeLimitMiddleware: a request whose Content-Length is above the cap for its kind of URL is refused with 413
  before any byte of the body is read (nginx's client_max_body_size is the outer fence; this one is per URL).
* IdleSessionMiddleware: renews the session expiry as the user works, at most once a minute, so a session ends
  SESSION_IDLE_MINUTES after the last request rather than after a fixed time or with a write on every request.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.functional import empty
from django.utils.translation import gettext as _

from ops.health import health_response

logger = logging.getLogger("talentplan.request")
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
SEEN_KEY = "_ops_seen"
TOUCH_EVERY_SECONDS = 60

GetResponse = Callable[[HttpRequest], HttpResponse]


class RequestLogMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        started, cpu_started = time.perf_counter(), time.thread_time()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        # The thread's own processor time beside the wall time: under load a request waits for a core, and only this
        # says which pages use the cores up.
        cpu_ms = (time.thread_time() - cpu_started) * 1000
        response["X-Request-ID"] = request_id
        logger.info(
            "request_id=%s user=%s method=%s path=%s status=%s duration_ms=%.1f cpu_ms=%.1f",
            request_id,
            user_label(request),
            request.method,
            quote(request.path, safe="/:@!$&'()*+,;=-._~"),
            response.status_code,
            duration_ms,
            cpu_ms,
        )
        return response


def user_label(request: HttpRequest) -> str:
    """Who made the request, without a query of its own: the user if a view loaded it, else the session's id."""
    user = getattr(request, "user", None)
    # A lazy user not yet loaded is `empty`; an API request's user is a plain User set by the token authentication.
    wrapped = getattr(user, "_wrapped", user) if user is not None else empty
    if wrapped is not empty:
        return getattr(wrapped, "username", "") or "-"
    session = getattr(request, "session", None)
    if session is not None and hasattr(session, "_session_cache"):
        user_id = session.get("_auth_user_id")
        if user_id:
            return f"id:{user_id}"
    return "-"


class HealthzMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.rstrip("/") != "/healthz":
            return self.get_response(request)
        return health_response(request)


# URL name → kind of body (settings.REQUEST_MAX_BYTES); every other URL takes the "form" cap.
BODY_KINDS = {
    "reporting:save_value": "evidence",
    "reporting:save_progress": "evidence",
    "excel:upload": "import",
    "excel:plan_import": "import",
    "intake:start": "import",
}


def body_kind(request: HttpRequest) -> str:
    """The kind of body a URL takes: listed above, else a file upload (multipart) or a plain form."""
    try:
        kind = BODY_KINDS.get(resolve(request.path_info).view_name)
    except Resolver404:
        kind = None
    if kind:
        return kind
    return "import" if request.content_type == "multipart/form-data" else "form"


def per_file_limit(request: HttpRequest) -> int:
    """The cap for one uploaded file of this request (an Excel import or a piece of evidence)."""
    if body_kind(request) == "import":
        return int(settings.IMPORT_MAX_BYTES)
    return int(settings.EVIDENCE_MAX_BYTES)


class BodySizeLimitMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
        except ValueError:
            length = -1
        if length < 0:
            return HttpResponse(_("请求的 Content-Length 无效。"), status=400, content_type="text/plain; charset=utf-8")
        if length:
            kind = body_kind(request)
            limit = int(settings.REQUEST_MAX_BYTES[kind])
            if length > limit:
                return too_large(request, kind, length, limit)
        return self.get_response(request)


def too_large(request: HttpRequest, kind: str, length: int, limit: int) -> HttpResponse:
    what = {"evidence": _("一次保存的佐证材料"), "import": _("上传的 Excel 文件")}.get(kind, _("提交的内容"))
    message = _("%(what)s共 %(s).1f MB，超过上限 %(m).1f MB，未保存任何内容。请压缩或分次上传后再试。") % {
        "what": what,
        "s": length / 1048576,
        "m": limit / 1048576,
    }
    # The body was never read, so the connection cannot carry another request (the proxy opens a new one).
    html = render_to_string("ops/too_large.html", {"message": message})
    response = HttpResponse(html, status=413)
    response["Connection"] = "close"
    return response


def mark_seen(session: SessionBase) -> None:
    session[SEEN_KEY] = int(time.time())


class IdleSessionMiddleware:
    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session: Any = getattr(request, "session", None)
        # After the view: only sessions of signed-in users that the view loaded anyway (no extra read). Marked here,
        # the session is saved with a fresh SESSION_COOKIE_AGE by SessionMiddleware on the way out.
        if session is not None and hasattr(session, "_session_cache") and session.get("_auth_user_id"):
            seen = session.get(SEEN_KEY)
            if not isinstance(seen, int) or time.time() - seen >= TOUCH_EVERY_SECONDS:
                mark_seen(session)
        return response
