"""Production settings: `check --deploy` is clean with the documented environment; the demo key refuses to serve."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

BASE_DIR = Path(__file__).resolve().parents[2]
ENV_FILE = BASE_DIR / "deploy" / "talentplan.env.example"


def documented_environment() -> dict[str, str]:
    env = {}
    for line in ENV_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _sep, value = line.partition("=")
            env[key] = value
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DEBUG", "SECRET_KEY", "DATABASE_URL", "CACHE_URL", "HTTPS"))
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={**base, **env, "DJANGO_SETTINGS_MODULE": "talentplan.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_environment() -> None:
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], documented_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_reports_the_demo_key_and_plain_http() -> None:
    env = documented_environment()
    del env["SECRET_KEY"]
    env["HTTPS"] = "0"
    result = run(["manage.py", "check", "--deploy"], env)
    assert result.returncode != 0
    for code in ("ops.E001", "security.W004", "security.W008", "security.W012", "security.W016"):
        assert code in result.stderr


WSGI = "import talentplan.wsgi; print('started')"


def test_server_refuses_to_start_on_the_demo_key_with_debug_off() -> None:
    result = run(["-c", WSGI], {"DEBUG": "0"})
    assert result.returncode != 0
    assert "拒绝启动" in result.stderr and "SECRET_KEY" in result.stderr


def test_server_starts_with_debug_on_or_with_a_key() -> None:
    assert "started" in run(["-c", WSGI], {"DEBUG": "1"}).stdout  # `make run`
    assert "started" in run(["-c", WSGI], {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50)}).stdout


def test_server_loads_its_views_and_settles_the_cycle_collector_as_it_starts() -> None:
    """What the application server loaded is left out of the collector's walks, and it runs less often."""
    probe = (
        "import gc, sys; import talentplan.wsgi; from ops.startup import COLLECTOR_THRESHOLDS as t; "
        "print(gc.get_threshold() == t, gc.get_freeze_count() > 10000, 'dashboard.views' in sys.modules)"
    )
    assert run(["-c", probe], {"DEBUG": "1"}).stdout.split() == ["True", "True", "True"]


@pytest.mark.parametrize("password", ["12345678901", "password123", "qwertyuiop"])
def test_common_and_numeric_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_long_unusual_password_passes() -> None:
    validate_password("吴兴-人才规划-2025-Qx!")
