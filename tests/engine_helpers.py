"""Builders for the indicators.engine tests (tests/test_engine_*.py): observations, specs and output checks.

Day counts the tests' worked examples use:

    2020-12-31 → 2021-12-31   365 days        2020-12-31 → 2022-12-31   730 days (no leap year in 2021–2022)
    2020-12-31 → 2023-12-31  1095 days        2020-12-31 → 2025-12-31  1826 days (2024 is a leap year)
    2022-12-31 → 2023-06-30   181 days (31+28+31+30+31+30) of 365

So a 2020 baseline with a 2022 target is exactly half way at 2021-12-31: the tests' boundaries are exact, not rounded.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import fields
from decimal import Decimal

from indicators.engine import Comparison, Evaluation, Kind, Observation, Spec

D = Decimal
GTE, LTE, APPROX, RANGE, EXACT = (Comparison.GTE, Comparison.LTE, Comparison.APPROX, Comparison.RANGE,
                                  Comparison.EXACT)
MONTH, QUARTER, HALF, YEAR = 1, 2, 3, 4


# --- builders ------------------------------------------------------------------------------------------------------


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def year(y: int, value, label: str = "") -> Observation:
    return Observation(dt.date(y, 1, 1), dt.date(y, 12, 31), D(str(value)), YEAR, label or f"{y}年")


def quarter(y: int, q: int, value) -> Observation:
    start = dt.date(y, 3 * q - 2, 1)
    end = dt.date(y, 12, 31) if q == 4 else dt.date(y, 3 * q + 1, 1) - dt.timedelta(days=1)
    return Observation(start, end, D(str(value)), QUARTER, f"{y}Q{q}")


def half(y: int, h: int, value) -> Observation:
    start, end = (dt.date(y, 1, 1), dt.date(y, 6, 30)) if h == 1 else (dt.date(y, 7, 1), dt.date(y, 12, 31))
    return Observation(start, end, D(str(value)), HALF, f"{y}H{h}")


def month(y: int, m: int, value) -> Observation:
    end = dt.date(y, 12, 31) if m == 12 else dt.date(y, m + 1, 1) - dt.timedelta(days=1)
    return Observation(dt.date(y, m, 1), end, D(str(value)), MONTH, f"{y}-{m:02d}")


def at(date: str, value) -> Observation:
    """A point-in-time level reading (a stock at the end of a period)."""
    end = d(date)
    return Observation(end.replace(day=1), end, D(str(value)), QUARTER)


def level(comparison=GTE, *, baseline="0", target="100", baseline_year=2020, target_year=2022, start_year=2021,
          end_year=2025, **kw) -> Spec:
    """Default: 0 at end-2020 → 100 by end-2022, so 2021-12-31 expects exactly 50 (half way)."""
    return Spec(kind=kw.pop("kind", Kind.LEVEL), comparison=comparison, start_year=start_year, end_year=end_year,
                target=None if target is None else D(target), target_year=target_year,
                baseline=None if baseline is None else D(baseline), baseline_year=baseline_year, **kw)


def assert_decimal_outputs(ev: Evaluation) -> None:
    """No floats leak out: every numeric field is a Decimal (or None), year results included."""
    for f in fields(ev):
        value = getattr(ev, f.name)
        assert not isinstance(value, float), f.name
        if f.name in {"actual", "completion", "expected", "expected_progress", "progress", "gap", "growth_rate"}:
            assert value is None or isinstance(value, Decimal), (f.name, value)
    for y in ev.years:
        assert isinstance(y.actual, Decimal) and isinstance(y.target, Decimal)


CJK = re.compile(r"[\u4e00-\u9fff]")


# --- specs of the worked examples, shared by the sections that use them and the output invariants ------------------


# level, gte: the 23.2 → 26.4 万人 example (baseline 2020, target 2025)
def talent_total(**kw) -> Spec:
    return level(baseline="23.2", target="26.4", baseline_year=2020, target_year=2025, unit="万人", decimals=1, **kw)


# rate / share: gaps in percentage points
def share_spec(comparison=GTE, **kw) -> Spec:
    return level(comparison, kind=Kind.RATE, is_share=True, unit="%", **kw)


def cumulative(comparison=GTE, *, target="400", start_year=2021, end_year=2022, **kw) -> Spec:
    """累计招引400个 over 2021–2022: from 2020-12-31, expected 200 at 2021-12-31 (share 0.5)."""
    return Spec(kind=Kind.CUMULATIVE, comparison=comparison, start_year=start_year, end_year=end_year,
                target=D(target), unit="个", decimals=0, **kw)


def annual(comparison=GTE, *, target="10", **kw) -> Spec:
    """每年引进10名以上, 2021–2025."""
    return Spec(kind=Kind.ANNUAL, comparison=comparison, start_year=2021, end_year=2025, target=D(target),
                unit="名", decimals=0, **kw)


# growth (compound annual)
def growth(comparison=GTE, *, target="8", baseline="100", baseline_year=2020, target_year=2025, **kw) -> Spec:
    return Spec(kind=Kind.GROWTH, comparison=comparison, start_year=2021, end_year=2025, target=D(target),
                target_year=target_year, baseline=None if baseline is None else D(baseline),
                baseline_year=baseline_year, unit="万人", **kw)


# milestone (qualitative)
def milestone(**kw) -> Spec:
    return Spec(kind=Kind.MILESTONE, comparison=GTE, start_year=2021, end_year=2025, target=kw.pop("target", None),
                target_year=2023, **kw)
