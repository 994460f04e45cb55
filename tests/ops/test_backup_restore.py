"""deploy/backup.sh and deploy/restore.sh against a scratch PostgreSQL database: what was dumped comes back."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL"),
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="PostgreSQL client tools are not installed"),
]


def _server_url() -> str:
    params = connection.settings_dict
    user = params.get("USER") or "postgres"
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{params.get('HOST') or '127.0.0.1'}:{params.get('PORT') or 5432}"


def _psql(url: str, sql: str) -> str:
    return subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-tAc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def scratch() -> Iterator[tuple[str, str]]:
    """A source database with a little data, and the name of a restore target; both dropped afterwards."""
    server = _server_url()
    suffix = uuid.uuid4().hex[:8]
    source, target = f"tp_backup_src_{suffix}", f"tp_backup_dst_{suffix}"
    _psql(f"{server}/postgres", f'CREATE DATABASE "{source}"')
    _psql(
        f"{server}/{source}",
        "CREATE TABLE figures (id serial PRIMARY KEY, name text, value numeric(20, 4));"
        "INSERT INTO figures (name, value) VALUES ('人才资源总量', 26.35), ('引进人才', 120)",
    )
    yield f"{server}/{source}", f"{server}/{target}"
    for name in (source, target):
        _psql(f"{server}/postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(script: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(BASE_DIR / "deploy" / script), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_backup_then_restore_into_a_scratch_database(scratch: tuple[str, str], tmp_path: Path) -> None:
    source, target = scratch
    backup = _run("backup.sh", env={"DATABASE_URL": source, "BACKUP_DIR": str(tmp_path), "KEEP_DAYS": "30"})
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip())
    assert dump.parent == tmp_path and dump.name.startswith("talentplan-") and dump.suffix == ".dump"
    assert dump.stat().st_size > 0 and not list(tmp_path.glob("*.partial"))

    restored = _run("restore.sh", str(dump), target)
    assert restored.returncode == 0, restored.stderr
    assert (
        _psql(target, "SELECT string_agg(name || '=' || value, ',' ORDER BY id) FROM figures")
        == "人才资源总量=26.3500,引进人才=120.0000"
    )

    # A second restore into the now non-empty database is refused without --force, accepted with it.
    again = _run("restore.sh", str(dump), target)
    assert again.returncode == 3 and "--force" in again.stderr
    _psql(target, "DELETE FROM figures")
    forced = _run("restore.sh", str(dump), target, "--force")
    assert forced.returncode == 0, forced.stderr
    assert _psql(target, "SELECT count(*) FROM figures") == "2"


def test_restore_refuses_what_is_not_a_dump(scratch: tuple[str, str], tmp_path: Path) -> None:
    _source, target = scratch
    bogus = tmp_path / "not-a-dump.dump"
    bogus.write_text("hello")
    result = _run("restore.sh", str(bogus), target)
    assert result.returncode == 2 and "not a readable pg_dump archive" in result.stderr
