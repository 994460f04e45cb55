"""What the plan and indicator pages show about indicators that add up (issue 20), from stored verdicts and a few
whole-set reads: whether a split target covers the whole, parts exceeding their total, a formula's figures from its
parts, and a child plan's contributions to its parent plan's indicator. The arithmetic is `engine.rollup`'s."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from indicators import engine
from indicators.engine import rollup as ru
from indicators.evaluation import inputs
from indicators.evaluation.calendar import Calendar
from indicators.evaluation.selectors import IndicatorResult, PlanResult, plan_results, plans_queryset
from indicators.models import COUNTED_STATUSES, Indicator, IndicatorValue, ReviewStatus, UnitTarget
from plans.models import Plan


def _actual(row: IndicatorResult) -> Decimal | None:
    return row.outcome.evaluation.actual


def _method(indicator: Indicator) -> ru.Method:
    return ru.Method(indicator.rollup or ru.Method.NONE)


def split_coverage(plan: Plan, result: PlanResult, assessed: list[int]) -> dict[int, ru.Coverage]:
    """Per-unit indicator → whether the units' own targets (the split) cover the plan target; only where a split
    was made (some unit has its own target). One query."""
    per_unit = {r.indicator.pk: r.indicator for r in result.indicators if r.indicator.per_unit}
    if not per_unit or not assessed:
        return {}
    targets: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    for indicator_id, unit_id, target in UnitTarget.objects.filter(
        indicator_id__in=list(per_unit), department_id__in=assessed, target__isnull=False
    ).values_list("indicator_id", "department_id", "target"):
        targets[indicator_id][unit_id] = target
    return {
        pk: ru.split_coverage(
            per_unit[pk].target, split, assessed, _method(per_unit[pk]), engine.Comparison(per_unit[pk].comparison)
        )
        for pk, split in targets.items()
    }


@dataclass(frozen=True)
class ComponentLine:
    total: Indicator
    parts: list[Indicator]
    check: ru.ComponentCheck


def component_checks(result: PlanResult) -> dict[int, ComponentLine]:
    """Total indicator → its listed parts' figures against its own (表2's talent types under 人才资源总量). No query."""
    rows = {r.indicator.pk: r for r in result.indicators}
    parts: dict[int, list[IndicatorResult]] = defaultdict(list)
    for row in result.indicators:
        if row.indicator.part_of_id in rows:
            parts[row.indicator.part_of_id].append(row)
    found = {}
    for total_id, members in parts.items():
        total = rows[total_id]
        check = ru.check_components(_actual(total), [_actual(m) for m in members])
        found[total_id] = ComponentLine(total.indicator, [m.indicator for m in members], check)
    return found


def derived_values(indicator: Indicator, as_of: dt.date, unit_id: int | None) -> list[IndicatorValue]:
    """A ratio formula's figures on its page: numerator ÷ denominator × scale per period (and unit), as unsaved
    rows the series table and chart read like typed ones. One query. A zero denominator leaves the period out."""
    if indicator.formula != ru.Formula.RATIO or not indicator.numerator_id or not indicator.denominator_id:
        return []
    rows = IndicatorValue.objects.filter(
        indicator_id__in=[indicator.numerator_id, indicator.denominator_id],
        status__in=COUNTED_STATUSES,
        period__end__lte=as_of,
        value__isnull=False,
    ).select_related("period", "department")
    if unit_id is not None:
        rows = rows.filter(department_id=unit_id)
    rows_list = list(rows)
    current = {
        i: inputs.current_pairs([r for r in rows_list if r.indicator_id == i])
        for i in (indicator.numerator_id, indicator.denominator_id)
    }
    derived = []
    for key, (num, _e) in current[indicator.numerator_id].items():
        den = current[indicator.denominator_id].get(key)
        value = (
            ru.ratio(num.value, den[0].value, indicator.scale or engine.ONE)
            if den and num.value is not None and den[0].value is not None
            else None
        )
        if value is None or den is None:
            continue
        official = num.basis == den[0].basis == IndicatorValue.Basis.OFFICIAL
        approved = num.status == den[0].status == ReviewStatus.APPROVED
        derived.append(
            IndicatorValue(
                indicator=indicator,
                period=num.period,
                department=num.department,
                value=value,
                basis=IndicatorValue.Basis.OFFICIAL if official else IndicatorValue.Basis.ESTIMATE,
                status=ReviewStatus.APPROVED if approved else ReviewStatus.SUBMITTED,
                is_demo=num.is_demo or den[0].is_demo,
            )
        )
    return derived


@dataclass(frozen=True)
class Contribution:
    indicator: Indicator  # the child plan's indicator
    plan: Plan
    row: IndicatorResult  # its stored verdict at the viewed date


@dataclass(frozen=True)
class Contributions:
    lines: list[Contribution]
    rollup: ru.Rollup | None


def contributions(indicator: Indicator, as_of: dt.date, calendar: Calendar | None = None) -> Contributions | None:
    """A parent plan's indicator: each linked child plan indicator's figure and their roll-up (the parent's
    roll-up method; a count sums when none is declared; rates are not rolled up across plans, their parts are not
    linked). One query when nothing is linked; the read path's when something is."""
    linked = list(Indicator.objects.filter(contributes_to=indicator).values_list("pk", "plan__code"))
    if not linked:
        return None
    plans = list(plans_queryset({code for _pk, code in linked}))
    results = plan_results(plans, as_of=as_of, indicator_ids=[pk for pk, _code in linked], calendar=calendar)
    lines = [Contribution(r.indicator, res.plan, r) for res in results for r in res.indicators]
    method = _method(indicator)
    if method == ru.Method.NONE and indicator.kind in ("level", "cumulative", "annual") and not indicator.is_share:
        method = ru.Method.SUM  # counts add up unless the indicator says otherwise
    if method in (ru.Method.NONE, ru.Method.RATIO):
        return Contributions(lines, None)
    parts = {c.indicator.pk: ru.Part(c.indicator.pk, _actual(c.row)) for c in lines}
    return Contributions(lines, ru.roll_up(method, parts, [c.indicator.pk for c in lines]))


@dataclass(frozen=True)
class IndicatorExtras:
    parts: list[tuple[int, str]]  # a formula's parts (numerator, denominator; or each part of a sum): id, name
    coverage: ru.Coverage | None  # a split target
    contributions: Contributions | None  # a parent plan's indicator: its child plans' indicators


def indicator_extras(
    indicator: Indicator,
    as_of: dt.date,
    targets: dict[tuple[int, int], UnitTarget],
    unit_ids: list[int],
    calendar: Calendar | None = None,
) -> IndicatorExtras:
    """What the indicator page adds for an indicator that adds up: one query for a formula's parts, one for linked
    child plan indicators (and the read path's when there are some)."""
    parts: list[tuple[int, str]] = []
    if indicator.formula == ru.Formula.RATIO:
        names = dict(
            Indicator.objects.filter(pk__in=[indicator.numerator_id, indicator.denominator_id]).values_list(
                "pk", "name"
            )
        )
        parts = [(pk, names.get(pk, "")) for pk in (indicator.numerator_id, indicator.denominator_id) if pk]
    elif indicator.formula == ru.Formula.SUM:
        parts = list(Indicator.objects.filter(part_of=indicator).order_by("order").values_list("pk", "name"))
    split = {unit: t.target for (ind, unit), t in targets.items() if ind == indicator.pk and t.target is not None}
    coverage = None
    if indicator.per_unit and split:
        method, comparison = _method(indicator), engine.Comparison(indicator.comparison)
        coverage = ru.split_coverage(indicator.target, split, unit_ids, method, comparison)
    return IndicatorExtras(parts, coverage, contributions(indicator, as_of, calendar))
