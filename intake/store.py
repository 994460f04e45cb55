"""Drafts kept between the pages of the review, keyed by a random token held in the user's session.

Why not in the session itself: a parsed plan with its source text runs to hundreds of kilobytes and the session is
read on every request of that user, on every page. Why not a draft table: nothing is written to the database
before 组织部 publishes, and an abandoned draft leaves no row behind. The draft (JSON) lives in a private temp
directory (settings.INTAKE_DRAFT_DIR), the file name derived from the token, so nothing the browser sends can
point at another file; drafts older than a day are swept on the next save.
"""

from __future__ import annotations

import json
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "intake_drafts"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
MAX_AGE_SECONDS = 24 * 3600
MAX_PER_SESSION = 5


def draft_dir() -> Path:
    path = Path(getattr(settings, "INTAKE_DRAFT_DIR", Path(tempfile.gettempdir()) / "talentplan-intake"))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _path(token: str) -> Path:
    return draft_dir() / f"{token}.json"


def _sweep() -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in draft_dir().glob("*.json"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            pass


def save(session: SessionBase, state: dict[str, Any], token: str = "") -> str:
    """Keep the state under `token` (a new one when empty or not this session's); return the token."""
    entries: dict[str, Any] = dict(session.get(SESSION_KEY, {}))
    if not token or token not in entries:
        _sweep()
        token = secrets.token_urlsafe(24)
        for old in sorted(entries, key=lambda t: entries[t].get("at", 0))[: max(0, len(entries) - MAX_PER_SESSION + 1)]:
            entries.pop(old, None)
            _path(old).unlink(missing_ok=True)
    _path(token).write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    entries[token] = {"at": time.time()}
    session[SESSION_KEY] = entries
    return token


def load(session: SessionBase, token: str) -> dict[str, Any] | None:
    if not TOKEN_RE.match(token or "") or token not in session.get(SESSION_KEY, {}):
        return None
    path = _path(token)
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def discard(session: SessionBase, token: str) -> None:
    entries = dict(session.get(SESSION_KEY, {}))
    entries.pop(token, None)
    session[SESSION_KEY] = entries
    if TOKEN_RE.match(token or ""):
        _path(token).unlink(missing_ok=True)
