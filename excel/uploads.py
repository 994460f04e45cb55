"""Uploaded files kept between preview and confirm, keyed by a random token held in the user's session.

The file lives in a private temp directory (settings.EXCEL_UPLOAD_DIR, default <tmp>/talentplan-excel), never under
MEDIA. The session maps token → kind, original name and the form parameters; the path is derived from the token, so
nothing the browser sends can point at another file. Confirm re-reads the file and re-checks everything. Files older
than a day are swept on the next upload.
"""

from __future__ import annotations

import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "excel_uploads"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
MAX_AGE_SECONDS = 24 * 3600
MAX_PER_SESSION = 5


def upload_dir() -> Path:
    path = Path(getattr(settings, "EXCEL_UPLOAD_DIR", Path(tempfile.gettempdir()) / "talentplan-excel"))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _path(token: str) -> Path:
    return upload_dir() / f"{token}.xlsx"


def _sweep() -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in upload_dir().glob("*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            pass


def store(session: SessionBase, *, kind: str, data: bytes, name: str, params: dict[str, Any] | None = None) -> str:
    """Keep the bytes; return the token to put in the confirm form."""
    _sweep()
    token = secrets.token_urlsafe(24)
    _path(token).write_bytes(data)
    entries: dict[str, Any] = dict(session.get(SESSION_KEY, {}))
    # Keep the session small: drop the oldest pending uploads beyond a handful.
    for old in sorted(entries, key=lambda t: entries[t].get("at", 0))[: max(0, len(entries) - MAX_PER_SESSION + 1)]:
        discard(session, old, entries)
    entries[token] = {"kind": kind, "name": name[:200], "params": params or {}, "at": time.time()}
    session[SESSION_KEY] = entries
    return token


def load(session: SessionBase, token: str, *, kind: str) -> tuple[bytes, str, dict[str, Any]] | None:
    """(bytes, original name, params) for a token of this session and kind; None when unknown or expired."""
    if not TOKEN_RE.match(token or ""):
        return None
    entry = session.get(SESSION_KEY, {}).get(token)
    if not entry or entry.get("kind") != kind:
        return None
    path = _path(token)
    if not path.is_file():
        return None
    return path.read_bytes(), entry.get("name", ""), entry.get("params", {})


def discard(session: SessionBase, token: str, entries: dict[str, Any] | None = None) -> None:
    own = entries if entries is not None else dict(session.get(SESSION_KEY, {}))
    own.pop(token, None)
    if TOKEN_RE.match(token or ""):
        _path(token).unlink(missing_ok=True)
    if entries is None:
        session[SESSION_KEY] = own
