"""How `bench` measures one thing: a result row with its budget, a cold, a counted and timed runs, the peak of
Python allocations, and the transaction helpers that leave the database as it was."""

from __future__ import annotations

import gc
import math
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from benchmarks.budgets import budget_for


@dataclass
class Result:
    name: str
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    peak_mb: float | None = None
    floor_ms: float | None = None
    ratio: float | None = None
    runs: int | None = None
    cold_ms: float | None = None  # the first call: for the dashboards, with no stored verdicts
    cold_queries: int | None = None
    error: str | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        extra = data.pop("extra")
        if data["error"] is None:
            data.pop("error")
        budget = budget_for(self.name)
        row = {**data, **extra}
        if budget and self.error is None:
            row["budget"] = budget
            row["within_budget"] = all(
                (row.get(key) is not None and row[key] <= limit) for key, limit in budget.items()
            )
        return row


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def to_ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


SLOW_S = 20.0  # a first run slower than this is reported as a single run (the province set can take minutes)


def measure(
    fn: Callable[..., Any], repeat: int, *, setup: Callable[[], Any] | None = None, memory_when_slow: bool = False
) -> dict[str, Any]:
    """Time `fn`. With `setup`, each call gets setup()'s result as its argument; setup runs untimed and uncounted.

    The first call is the cold one (its time and queries are reported as cold_ms / cold_queries: for the dashboards
    it evaluates and stores the verdicts); the second counts the queries of a warm call; then `repeat` timed calls;
    then one call under tracemalloc for the peak. A warm call slower than SLOW_S is the only timed one (runs = 1).
    """

    def prepared() -> tuple:
        args = (setup(),) if setup else ()
        gc.collect()
        return args

    def timed() -> float:
        args = prepared()
        started = time.perf_counter()
        fn(*args)
        return time.perf_counter() - started

    def counted() -> tuple[float, int]:
        args = prepared()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            fn(*args)
            elapsed = time.perf_counter() - started
        return elapsed, len(ctx.captured_queries)

    cold, cold_queries = counted()
    second, queries = counted()
    slow = second > SLOW_S
    times = [second] if slow else [timed() for _ in range(repeat)]
    peak = None
    if not slow or memory_when_slow:
        args = prepared()
        tracemalloc.start()
        try:
            fn(*args)
            peak = round(tracemalloc.get_traced_memory()[1] / 1048576, 1)
        finally:
            tracemalloc.stop()
    return {
        "median_ms": to_ms(statistics.median(times)),
        "p95_ms": to_ms(percentile(times, 95)),
        "queries": queries,
        "peak_mb": peak,
        "runs": len(times),
        "cold_ms": to_ms(cold),
        "cold_queries": cold_queries,
    }


def with_floor(result: Result, floor_ms: float | None) -> Result:
    result.floor_ms = floor_ms
    if floor_ms and result.median_ms is not None:
        result.ratio = round(result.median_ms / floor_ms, 1)
    return result


class _Rollback(Exception):
    pass


def in_rollback(fn: Callable[[], Any]) -> Any:
    """Run fn in a transaction that is always rolled back (the bench leaves no trace)."""
    out: dict[str, Any] = {}
    try:
        with transaction.atomic():
            out["value"] = fn()
            raise _Rollback
    except _Rollback:
        pass
    return out["value"]


def entries_in_savepoint(build: Callable[[], list]) -> Callable[[], list]:
    """Each timed call starts from the same state: undo the previous call's writes, then build the entries."""
    state: dict[str, Any] = {}

    def setup() -> list:
        if "sid" in state:
            transaction.savepoint_rollback(state["sid"])
        state["sid"] = transaction.savepoint()
        return build()

    return setup
