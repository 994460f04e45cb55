"""The server a load test runs against: gunicorn started on a free port with plain static storage, its CPU time
read from /proc, and stopped afterwards."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.loadhttp import http

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PLAIN_STATIC = "django.contrib.staticfiles.storage.StaticFilesStorage"


def server_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the gunicorn master and its workers so far, from /proc (0 where unreadable)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    for one in (pid, *map(int, children)):
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "talentplan.settings",
        "STATICFILES_BACKEND": PLAIN_STATIC,
        "DEBUG": "0",
        "ALLOWED_HOSTS": f"{HOST},localhost",
        # With DEBUG off the server refuses the demo key: a throw-away one for the run unless one is set.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
    }
    # The server writes to its own copy of the descriptor; the parent's closes with this block.
    with open(log_path, "w") as log:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "talentplan.wsgi:application",
                "--workers",
                str(workers),
                "--bind",
                f"{HOST}:{port}",
                "--timeout",
                "120",
                "--log-level",
                "warning",
                "--error-logfile",
                "-",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_gunicorn(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


async def wait_ready(port: int, path: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with code {proc.returncode}")
        try:
            response = await asyncio.wait_for(http(port, "GET", path, {}), 5)
            if response.status == 200:
                return
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            pass
        await asyncio.sleep(0.25)
    raise RuntimeError("gunicorn did not answer within 60 s")
