"""The pure arithmetic behind the charts: the target path, the running totals a path is compared with, and where
the current pace leads by the target year (with the pace the target now needs)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.utils.translation import gettext as _

from dashboard.charts.svg import HUNDRED, ONE, ZERO
from indicators import engine
from indicators.evaluation.numbers import number


def years_between(start: dt.date, end: dt.date) -> Decimal:
    """Calendar years from `start` to `end`; exact whole numbers between year-ends (2020-12-31 → 2022-12-31 = 2).

    Days / 365.25 would make two year-ends 1.9986 years apart and skew every projected rate.
    """

    def position(day: dt.date) -> Decimal:
        days_in_year = 366 if calendar.isleap(day.year) else 365
        return Decimal(day.year) + Decimal(day.timetuple().tm_yday) / Decimal(days_in_year)

    return position(end) - position(start)


@dataclass(frozen=True)
class Projection:
    """Where the current pace leads by the target year, and what pace the target now needs."""

    year: int
    projected: Decimal  # value at the end of `year` if the pace since the start continues
    pace: Decimal  # change per year so far (units, or % a year when compound)
    required_per_year: Decimal  # units a year still needed from the latest actual to the target
    required_growth: Decimal | None  # % a year (compound) still needed; None when not computable (≤ 0)
    reaches: bool
    projected_text: str = ""  # the projection as printed, never rounding onto a target it misses


def project(
    *,
    start: Decimal,
    start_date: dt.date,
    actual: Decimal,
    actual_date: dt.date,
    target: Decimal,
    target_year: int,
    compound: bool = False,
    higher_is_better: bool = True,
) -> Projection | None:
    """Project the latest actual to the end of `target_year` at the pace kept since `start_date`.

    Linear pace for stocks, shares and cumulative totals; compound pace (`compound=True`) for 年均增长 indicators.
    Returns None when there is no elapsed time to take a pace from or no time left to project into.
    """
    due = dt.date(target_year, 12, 31)
    elapsed = years_between(start_date, actual_date)
    remaining = years_between(actual_date, due)
    if elapsed <= 0 or remaining <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        if compound:
            if start <= 0 or actual <= 0:
                return None
            pace = engine.compound_growth(start, actual, elapsed)
            projected = actual * ((ONE + pace / HUNDRED).ln() * remaining).exp()
        else:
            pace = (actual - start) / elapsed
            projected = actual + pace * remaining
        required_per_year = (target - actual) / remaining
        required_growth = engine.compound_growth(actual, target, remaining) if actual > 0 and target > 0 else None
    reaches = projected >= target if higher_is_better else projected <= target
    return Projection(
        year=target_year,
        projected=_q(projected, "0.0001"),
        pace=_q(pace, "0.0001"),
        required_per_year=_q(required_per_year, "0.0001"),
        required_growth=_q(required_growth, "0.01") if required_growth is not None else None,
        reaches=reaches,
    )


def _q(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Point:
    day: dt.date
    value: Decimal
    label: str = ""  # tooltip text


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def target_path(spec: engine.Spec) -> list[Point]:
    """The path the plan promises: baseline → yearly milestones → target, per kind (empty when there is none).

    annual: a saw-tooth (each year starts from zero and climbs to that year's quota), matching how the engine judges
    each year on its own; growth: the compound path from the baseline at the promised rate.
    """
    if spec.target is None or spec.kind == engine.Kind.MILESTONE:
        return []
    label_target = _("目标")
    if spec.kind == engine.Kind.ANNUAL:
        quotas = dict(spec.milestones)
        points: list[Point] = []
        for year in range(spec.start_year, spec.due_year + 1):
            quota = quotas.get(year, spec.target)
            points.append(Point(year_end(year - 1), ZERO, f"{year}{_('年初')} 0"))
            points.append(
                Point(
                    year_end(year),
                    quota,
                    _("%(year)s年目标 %(value)s") % {"year": year, "value": number(quota, spec.decimals)},
                )
            )
        return points
    if spec.kind == engine.Kind.GROWTH:
        if spec.baseline is None or spec.baseline_year is None or spec.baseline <= 0:
            return []
        factor = ONE + spec.target / HUNDRED
        return [
            Point(
                year_end(year),
                _q(spec.baseline * factor ** (year - spec.baseline_year), "0.0001"),
                f"{year} {label_target}",
            )
            for year in range(spec.baseline_year, spec.due_year + 1)
        ]
    if spec.kind == engine.Kind.CUMULATIVE or spec.baseline is None:
        start = Point(year_end(spec.start_year - 1), ZERO, _("起点") + " 0")
    else:
        start_year = spec.baseline_year or spec.start_year - 1
        start = Point(
            year_end(start_year), spec.baseline, f"{start_year}{_('基期')} {number(spec.baseline, spec.decimals)}"
        )
    points = [start]
    for year, value in sorted(spec.milestones):
        if start.day < year_end(year) < spec.due_date:
            points.append(Point(year_end(year), value, f"{year}{_('年度目标')} {number(value, spec.decimals)}"))
    points.append(
        Point(spec.due_date, spec.target, f"{spec.due_year}{label_target} {number(spec.target, spec.decimals)}")
    )
    return points


def running_actuals(
    spec: engine.Spec, observations: Sequence[engine.Observation]
) -> list[tuple[engine.Observation, Decimal]]:
    """The figure comparable with the target path at each reported period end.

    level/rate/growth/milestone: the reported value itself. cumulative: the plan-period total so far; annual: the
    year-to-date total; both read on the indicator's reporting basis with the engine's `year_amounts`, so months and
    quarters are never double counted.
    """
    ordered = sorted(observations, key=lambda o: (o.end, o.granularity))
    if spec.kind not in (engine.Kind.CUMULATIVE, engine.Kind.ANNUAL):
        return [(o, o.value) for o in ordered]
    plan_start = dt.date(spec.start_year, 1, 1)
    result = []
    for o in ordered:
        basis = spec.reporting_basis
        if spec.kind == engine.Kind.CUMULATIVE:
            upto = [x for x in ordered if plan_start <= x.start and x.end <= o.end]
            if basis == engine.Basis.PERIOD_END:
                total = o.value
            else:
                total = sum((a.total for a in engine.year_amounts(upto, basis).values()), ZERO)
        else:
            upto = [x for x in ordered if x.end.year == o.end.year and x.end <= o.end]
            total = engine.year_amounts(upto, basis)[o.end.year].total
        result.append((o, total))
    return result


def higher_is_better(spec: engine.Spec) -> bool:
    if spec.comparison == engine.Comparison.LTE:
        return False
    return not (spec.baseline is not None and spec.target is not None and spec.target < spec.baseline)


def projection_for(spec: engine.Spec, evaluation: engine.Evaluation) -> Projection | None:
    """Project an indicator's latest actual (not for yearly quotas, milestones or verdicts already final)."""
    if evaluation.actual is None or evaluation.actual_date is None or evaluation.final or spec.target is None:
        return None
    if spec.kind in (engine.Kind.ANNUAL, engine.Kind.MILESTONE):
        return None
    start, start_year, target = spec.baseline, spec.baseline_year or spec.start_year - 1, spec.target
    if spec.kind == engine.Kind.CUMULATIVE:
        start, start_year = ZERO, spec.start_year - 1
    elif start is None:  # no baseline, no pace to project from
        return None
    if spec.kind == engine.Kind.GROWTH:  # the promised rate becomes the level it implies by the target year
        if spec.baseline is None or spec.baseline_year is None:
            return None
        target = spec.baseline * (ONE + spec.target / HUNDRED) ** (spec.due_year - spec.baseline_year)
    found = project(
        start=start,
        start_date=year_end(start_year),
        actual=evaluation.actual,
        actual_date=evaluation.actual_date,
        target=target,
        target_year=spec.due_year,
        compound=spec.kind == engine.Kind.GROWTH,
        higher_is_better=higher_is_better(spec),
    )
    if found is None:
        return None
    return replace(found, projected_text=distinct_text(found.projected, target, spec.decimals) + spec.figure_unit)


def distinct_text(value: Decimal, target: Decimal, decimals: int) -> str:
    """`value` printed with enough decimals not to read as `target` when it differs from it (26.38 against 26.4 is
    "26.38", not "26.4"); "略低于/略高于 target" when even four decimals cannot tell them apart."""
    places = decimals
    while places < 4 and value != target and number(value, places) == number(target, places):
        places += 1
    text = number(value, places)
    if value != target and text == number(target, places):
        return (_("略低于%(t)s") if value < target else _("略高于%(t)s")) % {"t": number(target, decimals)}
    return text
