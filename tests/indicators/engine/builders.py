"""Builders for the indicators.engine tests (tests/test_engine_*.py, tests/test_explain.py): observations, specs and
output checks.

Time is measured on the month calendar (`engine.position`), so the tests' worked examples use whole fractions:

    end of year Y                      Y                 (2020-12-31 → 2022-12-31 is exactly 2 years)
    end of quarter q of year Y         Y − 1 + q/4       (2021-06-30 is 2020.5, 2021-09-30 is 2020.75)
    end of year 4 of 2021–2025         (2024 − 2020) / (2025 − 2020) = 0.8 exactly (no 1461/1826 day counting)

`as_of` is the end of the viewed period (2021-12-31 for 2021Y), as the pages pass it: a figure of an earlier period is
carried forward and the time path is read at `as_of`.

Labels are the reporting periods' codes (2021Y, 2021Q3, 2021H1, 2021M06), as `indicators.evaluation.inputs` sets them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import fields
from decimal import Decimal

from indicators.engine import Basis, Comparison, Evaluation, Kind, Observation, Reason, Spec, Thresholds, evaluate

D = Decimal
GTE, LTE, APPROX, RANGE, EXACT = (Comparison.GTE, Comparison.LTE, Comparison.APPROX, Comparison.RANGE, Comparison.EXACT)
PERIOD, YTD, END = Basis.PERIOD_AMOUNT, Basis.YEAR_TO_DATE, Basis.PERIOD_END
MONTH, QUARTER, HALF, YEAR = 1, 2, 3, 4
CJK = re.compile(r"[\u4e00-\u9fff]")


def reason_of(ev: Evaluation, code: str) -> Reason:
    """The evaluation's reason with this code; the test fails when it gives none."""
    found = ev.reason(code)
    assert found is not None, f"no reason {code!r} among {ev.codes}"
    return found


# --- builders ------------------------------------------------------------------------------------------------------


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _month_end(y: int, m: int) -> dt.date:
    return dt.date(y, 12, 31) if m == 12 else dt.date(y, m + 1, 1) - dt.timedelta(days=1)


def year(y: int, value, label: str = "") -> Observation:
    return Observation(dt.date(y, 1, 1), dt.date(y, 12, 31), D(str(value)), YEAR, label or f"{y}Y")


def quarter(y: int, q: int, value) -> Observation:
    return Observation(dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q), D(str(value)), QUARTER, f"{y}Q{q}")


def half(y: int, h: int, value) -> Observation:
    return Observation(dt.date(y, 6 * h - 5, 1), _month_end(y, 6 * h), D(str(value)), HALF, f"{y}H{h}")


def month(y: int, m: int, value) -> Observation:
    return Observation(dt.date(y, m, 1), _month_end(y, m), D(str(value)), MONTH, f"{y}M{m:02d}")


def at(date: str, value) -> Observation:
    """A level read at the end of a quarter (a stock at the period end), e.g. at("2021-12-31", 45) is 2021Q4."""
    end = d(date)
    assert end.month % 3 == 0 and end == _month_end(end.year, end.month), date
    return quarter(end.year, end.month // 3, value)


def run(
    spec: Spec,
    obs: Sequence[Observation],
    as_of: str,
    thresholds: Thresholds | None = None,
    *,
    open_dates: Iterable[str] = (),
) -> Evaluation:
    """`engine.evaluate` with dates written as text; every result is checked for Decimal-only outputs."""
    ev = evaluate(spec, list(obs), d(as_of), thresholds, open_dates={d(x) for x in open_dates})
    assert_decimal_outputs(ev)
    return ev


def level(
    comparison=GTE,
    *,
    baseline="0",
    target="100",
    baseline_year=2020,
    target_year=2022,
    start_year=2021,
    end_year=2025,
    **kw,
) -> Spec:
    """Default: 0 at end-2020 → 100 by end-2022, so 2021-12-31 expects exactly 50 (1 of 2 years)."""
    return Spec(
        kind=kw.pop("kind", Kind.LEVEL),
        comparison=comparison,
        start_year=start_year,
        end_year=end_year,
        target=None if target is None else D(target),
        target_year=target_year,
        baseline=None if baseline is None else D(baseline),
        baseline_year=baseline_year,
        **kw,
    )


def assert_decimal_outputs(ev: Evaluation) -> None:
    """No floats leak out: every numeric field is a Decimal (or None), year results and reason figures included."""
    numeric = {
        "actual",
        "target",
        "completion",
        "expected",
        "expected_progress",
        "progress",
        "gap_to_expected",
        "gap_to_target",
        "growth_rate",
    }
    for f in fields(ev):
        value = getattr(ev, f.name)
        assert not isinstance(value, float), f.name
        if f.name in numeric:
            assert value is None or isinstance(value, Decimal), (f.name, value)
    for y in ev.years:
        assert isinstance(y.actual, Decimal) and isinstance(y.target, Decimal)
    for r in ev.reasons:
        assert not any(isinstance(v, float) for _k, v in r.args), r


# --- specs of the worked examples ----------------------------------------------------------------------------------


def talent_total(**kw) -> Spec:
    """level, gte: 人才资源总量 23.2 → 26.4 万人 (wuxing-14th: baseline 2020, target 2025, plan 2021–2025)."""
    return level(baseline="23.2", target="26.4", baseline_year=2020, target_year=2025, unit="万人", decimals=1, **kw)


def share_spec(comparison=GTE, **kw) -> Spec:
    """rate / share in %: gaps in percentage points."""
    kw.setdefault("unit", "%")
    return level(comparison, kind=Kind.RATE, is_share=True, **kw)


def cumulative(comparison=GTE, *, target="400", start_year=2021, end_year=2022, **kw) -> Spec:
    """累计招引400个 over 2021–2022: from 2020-12-31, expected 200 at 2021-12-31 (1 of 2 years)."""
    return Spec(
        kind=Kind.CUMULATIVE,
        comparison=comparison,
        start_year=start_year,
        end_year=end_year,
        target=D(target),
        unit="个",
        decimals=0,
        **kw,
    )


def annual(comparison=GTE, *, target="10", start_year=2021, end_year=2025, **kw) -> Spec:
    """每年引进10名以上, 2021–2025: this year's amount against the quota by the share of the year elapsed."""
    return Spec(
        kind=Kind.ANNUAL,
        comparison=comparison,
        start_year=start_year,
        end_year=end_year,
        target=D(target),
        unit="名",
        decimals=0,
        **kw,
    )


def growth(comparison=GTE, *, target="8", baseline="100", baseline_year=2020, target_year=2025, **kw) -> Spec:
    """年均增长8%: the target is a rate in %, the reported figure a level in 人 (`value_unit`)."""
    kw.setdefault("value_unit", "人")
    return Spec(
        kind=Kind.GROWTH,
        comparison=comparison,
        start_year=kw.pop("start_year", 2021),
        end_year=2025,
        target=D(target),
        target_year=target_year,
        baseline=None if baseline is None else D(baseline),
        baseline_year=baseline_year,
        unit="%",
        **kw,
    )


def milestone(**kw) -> Spec:
    """建立…制度 by the end of 2023 (plan 2021–2025): a reported value ≥ 1 (or ≥ target) means done."""
    return Spec(
        kind=Kind.MILESTONE,
        comparison=GTE,
        start_year=2021,
        end_year=2025,
        target=kw.pop("target", None),
        target_year=2023,
        **kw,
    )
