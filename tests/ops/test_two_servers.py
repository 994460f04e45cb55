"""Two application servers (gunicorn on two ports) on one PostgreSQL database and one Redis: a figure submitted
through one shows on the other's dashboard at once, and a login on one is valid on the other.

Needs Redis on 127.0.0.1:6379 (.ci/run starts Debian's redis-server); uses db 15 under a key prefix of its own.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from tests.worlds.reporting import World, build_world

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_DB = 15


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two servers share one PostgreSQL database"),
    # In CI Redis is started by .ci/run: a missing one there is a failure, not a skip.
    pytest.mark.skipif(not _redis_up() and os.environ.get("CI") != "true", reason="no Redis on 127.0.0.1:6379"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _start_gunicorn(port: int, env: dict[str, str], log_path: Path) -> subprocess.Popen:
    # The server writes to its own copy of the log's descriptor; the test's copy closes with this block.
    with open(log_path, "w") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "talentplan.wsgi:application",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """One person's browser: cookies are per host, so both servers (same host, two ports) get the same session."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, url: str, data: dict[str, object] | None = None) -> tuple[int, str, dict[str, str]]:
        body = urllib.parse.urlencode({k: str(v) for k, v in data.items()}).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(url, data=body), timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace"), dict(exc.headers)

    def csrf(self, html: str) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert found, html[:500]
        return found.group(1)

    def login(self, base: str, username: str, password: str) -> None:
        status, html, _headers = self.request(f"{base}/accounts/login/")
        assert status == 200
        status, _html, headers = self.request(
            f"{base}/accounts/login/",
            {"csrfmiddlewaretoken": self.csrf(html), "username": username, "password": password, "next": "/report/"},
        )
        assert status == 302, status


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[str, str]]:
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    prefix = f"tp-two-servers-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "talentplan.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "CACHE_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "CACHE_KEY_PREFIX": prefix,
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "CACHE_DIR": str(tmp_path / "unused-file-cache"),
        "CONN_MAX_AGE": "0",
    }
    ports = [_free_port(), _free_port()]
    procs = [_start_gunicorn(port, env, tmp_path / f"gunicorn-{port}.log") for port in ports]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base, proc in zip(bases, procs):
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, (tmp_path / f"gunicorn-{base.rsplit(':', 1)[1]}.log").read_text()
                try:
                    with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                assert time.monotonic() < deadline, "gunicorn did not answer"
                time.sleep(0.2)
        yield bases[0], bases[1]
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        import redis

        client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)


def test_a_figure_and_a_login_travel_between_servers(servers: tuple[str, str]) -> None:
    world: World = build_world()
    # The servers run the production settings, which do not read the tests' fast MD5 hashes.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        for user in (world.rep_a, world.leader):
            user.set_password(f"pw-{user.username}")
            user.save(update_fields=["password"])
    one, two = servers
    # The plan page's body is cached per generation (talentplan.pagecache): server two must not keep serving
    # its copy once server one has written.
    dashboard = f"/dashboard/plan/{world.plan.code}/?period={world.q2.code}"

    # A login on server one is valid on server two (the session lives in the shared database and Redis).
    reporter = Browser()
    reporter.login(one, world.rep_a.username, f"pw-{world.rep_a.username}")
    status, page, _headers = reporter.request(f"{two}{world.my_url()}")
    assert status == 200 and "人才资源总量" in page

    leader = Browser()
    leader.login(two, world.leader.username, f"pw-{world.leader.username}")
    status, before, _headers = leader.request(f"{two}{dashboard}")
    assert status == 200 and "实际 29.7" not in before  # server two has now built (and cached) this page

    # The reporter submits a figure through server one, with the form's CSRF token from server two's page.
    fields = world.value_post(value="29.7", note="二季度快报", submit="1")
    fields["csrfmiddlewaretoken"] = reporter.csrf(page)
    status, _html, headers = reporter.request(f"{one}/report/value/save/", fields)
    assert status == 302, _html[:1000]

    status, after, _headers = leader.request(f"{two}{dashboard}")
    assert status == 200 and "实际 29.7" in after
    status, also, _headers = leader.request(f"{one}{dashboard}")
    assert "实际 29.7" in also
