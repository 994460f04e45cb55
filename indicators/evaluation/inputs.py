"""What the evaluation reads: indicators with their targets, the units they are judged for, and every counted
figure, as plain rows in a fixed number of queries. Only the evaluation services call this (pages read verdicts)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol, TypeVar

from django.db.models import Prefetch, Q

from indicators import engine
from indicators.models import COUNTED_STATUSES, Indicator, IndicatorValue, ReviewStatus, UnitTarget
from plans.models import Plan, ReportingPeriod

OFFICIAL = IndicatorValue.Basis.OFFICIAL
ESTIMATE = IndicatorValue.Basis.ESTIMATE


@dataclass(slots=True)
class Figure:
    """A counted figure: plain columns, not a model instance (a province plan has hundreds of thousands)."""

    id: int
    indicator_id: int
    period_id: int
    department_id: int
    value: Decimal
    basis: str
    status: str
    updated_at: dt.datetime
    is_demo: bool
    period: ReportingPeriod


Pair = tuple[Figure, Figure | None]  # the current figure of a period and the estimate kept beside an official one


class Reported(Protocol):
    """A figure as the helpers below read it: a `Figure`, or an IndicatorValue (the entry checks, the charts)."""

    @property
    def period_id(self) -> int: ...
    @property
    def department_id(self) -> int: ...
    @property
    def basis(self) -> str: ...
    @property
    def updated_at(self) -> dt.datetime: ...
    @property
    def period(self) -> ReportingPeriod: ...
    @property
    def value(self) -> Decimal | None: ...


R = TypeVar("R", bound=Reported)


@dataclass
class Inputs:
    indicators: list[Indicator]
    plans: dict[int, Plan]
    assessed: dict[int, list[int]]  # plan → assessed unit ids, in the plan's order
    unit_targets: dict[tuple[int, int], UnitTarget]
    figures: dict[int, list[Figure]] = field(default_factory=dict)  # indicator → counted figures
    unit_names: dict[int, str] = field(default_factory=dict)  # assessed unit → its name (roll-ups name the missing)
    # Formula indicators: (period, unit) → (numerator, denominator) of a ratio, and where a denominator was 0.
    ratio_parts: dict[int, dict[tuple[int, int], tuple[Decimal, Decimal]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    zero_denominators: dict[int, list[tuple[int, dt.date, str]]] = field(default_factory=lambda: defaultdict(list))
    periods: dict[int, ReportingPeriod] = field(default_factory=dict)


def thresholds_for(plan: Plan) -> engine.Thresholds:
    return engine.Thresholds(on_track=plan.on_track_ratio, lagging=plan.lagging_ratio, tolerance=plan.approx_tolerance)


def spec_for(indicator: Indicator, plan: Plan, unit_target: UnitTarget | None = None) -> engine.Spec:
    """The engine's view of an indicator, or of one unit's instance of it (its own baseline and target)."""
    baseline, baseline_year, target = indicator.baseline, indicator.baseline_year, indicator.target
    if unit_target is not None:
        baseline = unit_target.baseline if unit_target.baseline is not None else baseline
        baseline_year = unit_target.baseline_year or baseline_year
        target = unit_target.target if unit_target.target is not None else target
    milestones = getattr(indicator, "milestone_list", None)
    if milestones is None:
        milestones = list(indicator.milestones.all())
    return engine.Spec(
        kind=engine.Kind(indicator.kind),
        comparison=engine.Comparison(indicator.comparison),
        start_year=plan.start_year,
        end_year=plan.end_year,
        target=target,
        target_year=indicator.target_year,
        baseline=baseline,
        baseline_year=baseline_year,
        target_upper=indicator.target_upper,
        tolerance=indicator.tolerance,
        is_share=indicator.is_share,
        unit=indicator.unit,
        decimals=indicator.decimals,
        milestones=tuple((m.year, m.value) for m in milestones),
        basis=engine.Basis(indicator.basis) if indicator.basis else None,
        value_unit=indicator.value_unit,
    )


def load(
    indicator_ids: Iterable[int], *, units: dict[int, set[int]] | None = None, before: dt.date | None = None
) -> Inputs:
    """Everything needed to evaluate these indicators. `units`: per-unit indicator → the only units whose figures
    are read (a refresh after some units reported); plan-level indicators, and per-unit ones that roll up, always
    read all their figures. A formula indicator's figures are derived from its parts' (`evaluation.rollups`)."""
    from indicators.evaluation import rollups  # it reads this module's rows

    indicators: list[Indicator] = list(
        Indicator.objects.filter(pk__in=list(indicator_ids))
        .select_related("plan")
        .prefetch_related(Prefetch("milestones", to_attr="milestone_list"))
        .order_by("plan_id", "order")
    )
    plans = {i.plan_id: i.plan for i in indicators}
    assessed: dict[int, list[int]] = defaultdict(list)
    names: dict[int, str] = {}
    for plan_id, unit_id, name in (
        Plan.assessed_units.through.objects.filter(plan_id__in=list(plans))
        .order_by("department__order", "department__name")
        .values_list("plan_id", "department_id", "department__name")
    ):
        assessed[plan_id].append(unit_id)
        names[unit_id] = name
    ids = [i.pk for i in indicators]
    targets = {(t.indicator_id, t.department_id): t for t in UnitTarget.objects.filter(indicator_id__in=ids)}
    inputs = Inputs(indicators, plans, assessed, targets, unit_names=names)
    sources = rollups.sources(indicators)
    inputs.periods = {p.pk: p for p in ReportingPeriod.objects.all()}
    inputs.figures = _figures(_restrictions(indicators, sources, units, rollups.rolls_up), inputs.periods, before)
    for indicator in indicators:
        if indicator.formula:
            inputs.figures[indicator.pk] = rollups.derive(indicator, inputs.figures, sources[indicator.pk], inputs)
    return inputs


Restriction = dict[int, set[int] | None]  # indicator → the only units whose figures are read (None: all)


def _restrictions(
    indicators: list[Indicator],
    sources: dict[int, list[int]],
    units: dict[int, set[int]] | None,
    rolls_up: Callable[[Indicator], bool],
) -> Restriction:
    wanted: Restriction = {}

    def want(indicator_id: int, only: set[int] | None) -> None:
        if indicator_id not in wanted:
            wanted[indicator_id] = None if only is None else set(only)
            return
        before = wanted[indicator_id]
        wanted[indicator_id] = None if before is None or only is None else before | only

    for indicator in indicators:
        only = None
        if indicator.per_unit and units is not None and not rolls_up(indicator):
            only = set(units.get(indicator.pk, set()))
        want(indicator.pk, only)
        for source in sources.get(indicator.pk, []):
            want(source, only)
    return wanted


def _figures(
    wanted: Restriction, periods: dict[int, ReportingPeriod], before: dt.date | None
) -> dict[int, list[Figure]]:
    counted = IndicatorValue.objects.filter(status__in=COUNTED_STATUSES, value__isnull=False)
    if before is not None:
        counted = counted.filter(period_id__in=[p for p, period in periods.items() if period.end <= before])
    where = Q(indicator_id__in=[i for i, only in wanted.items() if only is None])
    for indicator_id, only in wanted.items():
        if only is not None:
            where |= Q(indicator_id=indicator_id, department_id__in=sorted(only))
    found: dict[int, list[Figure]] = defaultdict(list)
    rows = (
        counted.filter(where)
        .order_by()
        .values_list(
            "id", "indicator_id", "period_id", "department_id", "value", "basis", "status", "updated_at", "is_demo"
        )
    )
    for row in rows.iterator(chunk_size=10000):
        found[row[1]].append(Figure(*row, period=periods[row[2]]))  # type: ignore[arg-type]  # value__isnull=False
    return found


def current_pairs(figures: Iterable[R]) -> dict[tuple[int, int], tuple[R, R | None]]:
    """(period, unit) → (current figure, estimate kept beside it). An official figure beats an estimate."""
    chosen: dict[tuple[int, int], tuple[R, R | None]] = {}
    for figure in figures:
        key = (figure.period_id, figure.department_id)
        if key not in chosen:
            chosen[key] = (figure, None)
            continue
        current, _ = chosen[key]
        official, estimate = (figure, current) if figure.basis == OFFICIAL else (current, figure)
        chosen[key] = (official, estimate if estimate.basis == ESTIMATE else None)
    return chosen


def by_unit(pairs: dict[tuple[int, int], tuple[R, R | None]]) -> dict[int, list[tuple[R, R | None]]]:
    grouped: dict[int, list[tuple[R, R | None]]] = defaultdict(list)
    for (_period, unit), pair in pairs.items():
        grouped[unit].append(pair)
    return grouped


def plan_series(pairs: dict[tuple[int, int], tuple[R, R | None]]) -> list[tuple[R, R | None]]:
    """A plan-level indicator's series: one figure per period, the latest written where several units reported."""
    per_period: dict[int, tuple[R, R | None]] = {}
    for (period_id, _unit), pair in pairs.items():
        existing = per_period.get(period_id)
        if existing is None or pair[0].updated_at > existing[0].updated_at:
            per_period[period_id] = pair
    return list(per_period.values())


def observation(figure: Reported) -> engine.Observation:
    p, value = figure.period, figure.value
    if value is None:  # counted figures are read with value__isnull=False
        raise ValueError(f"figure without a value in {p.code}")
    return engine.Observation(start=p.start, end=p.end, value=value, granularity=p.granularity, label=p.code)


def is_unreviewed(figure: Figure) -> bool:
    return figure.status != ReviewStatus.APPROVED
