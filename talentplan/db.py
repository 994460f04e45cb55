"""Time limits on write transactions (PostgreSQL): a write waits at most DB_LOCK_TIMEOUT_MS for a row lock and runs
at most DB_STATEMENT_TIMEOUT_MS per statement, then gives up with nothing written, instead of hanging a worker
behind someone else's long transaction. SQLite has no such settings (it has its own busy timeout)."""

from __future__ import annotations

from django.conf import settings
from django.db import OperationalError, connection

# PostgreSQL's SQLSTATEs for "lock_timeout fired" and "statement_timeout fired (or cancelled)".
TIMEOUT_CODES = frozenset({"55P03", "57014"})


def apply_write_limits() -> None:
    """SET LOCAL the limits for the current transaction (call inside transaction.atomic)."""
    if connection.vendor != "postgresql":
        return
    lock_ms = int(settings.DB_LOCK_TIMEOUT_MS)
    statement_ms = int(settings.DB_STATEMENT_TIMEOUT_MS)
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = {lock_ms}; SET LOCAL statement_timeout = {statement_ms}")


def is_timeout(exc: BaseException) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    return getattr(cause, "pgcode", None) in TIMEOUT_CODES
