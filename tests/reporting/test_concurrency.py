"""No lost updates: concurrent writers on PostgreSQL, each thread on its own connection.

SQLite serialises writers on the whole database, so the row-lock behaviour these tests pin only exists on
PostgreSQL (CI runs the suite on both). The single-process stale-form cases are in test_reporting_entry.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.urls import reverse

from indicators import bulk, services
from indicators.formatting import dec_str
from indicators.models import IndicatorValue, TaskProgress
from indicators.services import StaleEditError, ValueEntry
from plans.roles import REPORTER
from tests.conftest import make_user
from tests.worlds.reporting import World, build_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL behaviour"),
    # serialized_rollback: the role groups come from a data migration and must exist again after a flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _run_threads(*targets: Callable[[], object]) -> list[Any]:
    """Run each target in its own thread (own DB connection); return results or raised exceptions in order."""
    results: list[Any] = [None] * len(targets)

    def runner(i: int, target: Callable[[], object]) -> None:
        try:
            results[i] = target()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()  # each thread opened its own connection; release it for teardown

    threads = [threading.Thread(target=runner, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a writer is stuck"
    return results


@dataclass
class TwoReporters(World):
    """The reporting world with a second reporter of 甲局 (丙), who edits the same items as rep_a."""

    rep_a2: User = field(kw_only=True)


@pytest.fixture
def pg_world() -> TwoReporters:
    world = build_world()
    copied = {f.name: getattr(world, f.name) for f in fields(World)}
    return TwoReporters(**copied, rep_a2=make_user("rep_a2", REPORTER, world.a, first_name="丙"))


def _entry(world: World, value: str, version: int | None) -> ValueEntry:
    return ValueEntry(
        indicator=world.total, department=world.a, period=world.q2, value=Decimal(value), expected_version=version
    )


def test_second_writer_from_a_stale_form_is_refused(pg_world: TwoReporters, monkeypatch: pytest.MonkeyPatch) -> None:
    world = pg_world
    services.save_value(user=world.rep_a, entry=_entry(world, "26.5", None))  # version 1; both forms load it
    first_holds_lock = threading.Event()
    original_update = bulk.update_values

    def slow_update(rows: Sequence[IndicatorValue], fields: Sequence[str]) -> None:
        # The first writer pauses while holding the row lock, so the second one certainly arrives mid-transaction.
        if threading.current_thread().name == "first":
            first_holds_lock.set()
            threading.Event().wait(0.5)
        original_update(rows, fields)

    monkeypatch.setattr(bulk, "update_values", slow_update)  # the one write path of a changed figure

    def first() -> IndicatorValue:
        threading.current_thread().name = "first"
        return services.save_value(user=world.rep_a, entry=_entry(world, "26.7", 1))

    def second() -> IndicatorValue:
        assert first_holds_lock.wait(10)
        return services.save_value(user=world.rep_a2, entry=_entry(world, "26.9", 1))

    won, lost = _run_threads(first, second)
    assert isinstance(won, IndicatorValue) and won.version == 2
    assert isinstance(lost, StaleEditError), lost
    assert isinstance(lost.current, IndicatorValue) and lost.current.value == Decimal("26.7")
    assert "修改为 26.7" in lost.errors["__all__"]
    row = IndicatorValue.objects.get(indicator=world.total, period=world.q2, department=world.a)
    assert (row.value, row.version, row.updated_by) == (Decimal("26.7"), 2, world.rep_a)
    assert row.history.count() == 2  # creation + the one accepted change: nothing silently overwritten


def test_two_first_saves_of_the_same_item(pg_world: TwoReporters) -> None:
    world = pg_world
    barrier = threading.Barrier(2)

    def writer(user: User, value: str) -> Callable[[], IndicatorValue]:
        def run() -> IndicatorValue:
            barrier.wait()
            return services.save_value(user=user, entry=_entry(world, value, 0))

        return run

    results = _run_threads(writer(world.rep_a, "26.1"), writer(world.rep_a2, "26.2"))
    saved = [r for r in results if isinstance(r, IndicatorValue)]
    refused = [r for r in results if isinstance(r, StaleEditError)]
    assert len(saved) == 1 and len(refused) == 1, results
    assert isinstance(refused[0].current, IndicatorValue) and refused[0].current.value == saved[0].value
    assert IndicatorValue.objects.filter(indicator=world.total, period=world.q2).count() == 1


def test_concurrent_progress_saves(pg_world: TwoReporters) -> None:
    world = pg_world
    services.save_progress(
        user=world.rep_a,
        task=world.task_a,
        department=world.a,
        period=world.q2,
        progress_status="in_progress",
        progress="初稿",
    )
    barrier = threading.Barrier(2)

    def writer(user: User, text: str) -> Callable[[], TaskProgress]:
        def run() -> TaskProgress:
            barrier.wait()
            return services.save_progress(
                user=user,
                task=world.task_a,
                department=world.a,
                period=world.q2,
                progress_status="in_progress",
                progress=text,
                expected_version=1,
            )

        return run

    results = _run_threads(writer(world.rep_a, "甲的修改"), writer(world.rep_a2, "丙的修改"))
    assert sorted(type(r).__name__ for r in results) == ["StaleEditError", "TaskProgress"], results
    winner = next(r for r in results if isinstance(r, TaskProgress))
    assert TaskProgress.objects.get().progress == winner.progress


def test_two_browsers_posting_the_same_form(pg_world: TwoReporters) -> None:
    """The whole web path: two sessions post the form they loaded at version 1; one is told the newer value."""
    world = pg_world
    services.save_value(user=world.rep_a, entry=_entry(world, "26.5", None))
    clients = [world.client(world.rep_a), world.client(world.rep_a2)]
    barrier = threading.Barrier(2)

    def poster(client: Client, value: str) -> Callable[[], Any]:
        def run() -> Any:
            barrier.wait()
            data = world.value_post(value=value, version=1)
            return client.post(reverse("reporting:save_value"), data)

        return run

    responses = _run_threads(poster(clients[0], "26.7"), poster(clients[1], "26.9"))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 302], responses
    refused = next(r for r in responses if r.status_code == 200)
    row = IndicatorValue.objects.get(indicator=world.total, period=world.q2)
    assert row.version == 2
    assert f"修改为 {dec_str(row.value)}，您的页面已过期" in refused.content.decode()
