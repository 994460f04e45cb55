"""/healthz, the request id and log line, the body size caps, the idle session timeout."""

from __future__ import annotations

import datetime as dt
import logging
import time
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.utils import OperationalError
from django.test import override_settings

from ops.middleware import SEEN_KEY
from plans.roles import REPORTER
from tests.conftest import make_user


@pytest.mark.django_db
def test_healthz_answers_without_login_and_checks_database_and_cache(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_healthz_answers_any_host_and_plain_http(client) -> None:
    with override_settings(SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["rcgh.example.gov.cn"]):
        response = client.get("/healthz", HTTP_HOST="10.0.0.7")  # a load balancer probing by address
    assert response.status_code == 200


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_fails(client) -> None:
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"] == "error: OperationalError"
    assert response.json()["cache"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_the_cache_fails(client) -> None:
    with mock.patch("django.core.cache.cache.set", side_effect=ConnectionError("redis down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "error: ConnectionError"


@pytest.mark.django_db
def test_every_request_has_an_id_and_one_log_line(client, caplog) -> None:
    user = make_user("log_reporter", REPORTER)
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="talentplan.request"):
        response = client.get("/report/")
        echoed = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-0123456789abcdef")
        forged = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    lines = [r.getMessage() for r in caplog.records if r.name == "talentplan.request"]
    assert len(lines) == 3
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    assert lines[0].startswith(f"request_id={request_id} user=log_reporter method=GET path=/report/ status=200 ")
    assert "duration_ms=" in lines[0] and "cpu_ms=" in lines[0]
    assert echoed["X-Request-ID"] == "nginx-0123456789abcdef"
    assert "request_id=nginx-0123456789abcdef user=- method=GET path=/healthz status=200" in lines[1]
    assert "\n" not in forged["X-Request-ID"] and len(forged["X-Request-ID"]) == 32


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/report/value/save/", "evidence"),
        ("/excel/import/upload/", "import"),
        ("/report/submit-all/", "form"),
        ("/accounts/login/", "form"),
    ],
)
def test_an_oversized_body_is_refused_before_it_is_read(client, path: str, kind: str) -> None:
    limit = settings.REQUEST_MAX_BYTES[kind]
    with (
        mock.patch("django.http.request.HttpRequest.read", side_effect=AssertionError("body read")),
        mock.patch("django.core.handlers.wsgi.LimitedStream.read", side_effect=AssertionError("body read")),
    ):
        response = client.generic(
            "POST", path, b"x" * 10, CONTENT_TYPE="application/octet-stream", CONTENT_LENGTH=str(limit + 1)
        )
    assert response.status_code == 413
    text = response.content.decode()
    assert "超过上限" in text and "未保存任何内容" in text


@pytest.mark.django_db
def test_a_body_under_the_cap_goes_through(client) -> None:
    response = client.post("/accounts/login/", {"username": "nobody", "password": "x" * 100})
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_session_expiry_follows_activity(client) -> None:
    user = make_user("idle_reporter", REPORTER)
    client.force_login(user)
    session = client.session
    assert isinstance(session[SEEN_KEY], int)  # set at login

    def stored_expiry() -> dt.datetime:
        return Session.objects.get(session_key=client.session.session_key).expire_date

    first_expiry = stored_expiry()
    client.get("/report/")
    assert stored_expiry() == first_expiry  # within a minute: no write
    session = client.session
    session[SEEN_KEY] = int(time.time()) - 120
    session.save()
    saved = stored_expiry()
    time.sleep(0.01)
    client.get("/report/")
    assert stored_expiry() > saved  # renewed on activity
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_MINUTES * 60


@pytest.mark.django_db
def test_an_idle_session_is_signed_out(client) -> None:
    user = make_user("gone_reporter", REPORTER)
    client.force_login(user)
    session = client.session
    session.set_expiry(-1)  # as if the idle time had passed
    session.save()
    response = client.get("/report/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
