"""Reads behind the indicator page (指标): its row, per-unit lines, series and trend chart, projection and change
history, in a constant number of queries (moved out of `common`, which the other pages share)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from dashboard import charts
from dashboard.selectors import adding_up
from dashboard.selectors.common import Named, UnitLine, gap_unit, links, unit_lines
from indicators import engine
from indicators.engine import rollup as ru
from indicators.evaluation import inputs
from indicators.evaluation import selectors as read
from indicators.evaluation.calendar import Calendar
from indicators.evaluation.selectors import IndicatorResult, decoded, plan_results
from indicators.formatting import dec_str
from indicators.models import COUNTED_STATUSES, Indicator, IndicatorValue, ReviewStatus, UnitTarget
from plans.models import Plan, Role


@dataclass
class SeriesRow:
    value: IndicatorValue  # the current figure of the period (official over estimate)
    estimate: IndicatorValue | None  # the estimate kept beside an official figure
    comparable: Decimal  # the figure on the chart: the value, or the running total for cumulative/annual kinds


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: str
    action: str
    period: str
    unit: str
    changes: list[tuple[str, str, str]]  # (field, old, new)


@dataclass
class IndicatorPage:
    plan: Plan
    row: IndicatorResult
    lead: list[Named]
    responsible: list[Named]
    unit: UnitLine | None  # the unit whose series is charted, for per-unit indicators
    units: list[UnitLine]
    series: list[SeriesRow]
    chart: SafeString
    projection: charts.Projection | None
    has_demo: bool
    gap_unit: str | Promise
    adds_up: adding_up.IndicatorExtras | None = None  # formula parts, split coverage, child plans' contributions


HISTORY_LIMIT = 100
_ACTIONS = {"+": _("新增"), "~": _("修改"), "-": _("删除")}


def history(indicator: Indicator) -> list[HistoryEntry]:
    """Who changed which figure when, old → new, latest first (two queries; diffs computed in memory); a formula's
    history is its parts'. Drafts are listed too, so it is kept apart from the page's body (which a draft does not
    change) and under the review statuses' number as well.

    Only the figures behind the latest HISTORY_LIMIT changes are read, each with its whole history (so every diff
    has its "before"): a province indicator has thousands of history rows across 100 counties.
    """
    ids: Iterable[int | None] = [indicator.pk]
    if indicator.formula == ru.Formula.RATIO:
        ids = [pk for pk in (indicator.numerator_id, indicator.denominator_id) if pk]
    elif indicator.formula == ru.Formula.SUM:  # its parts, read in the same query
        ids = Indicator.objects.filter(part_of=indicator).values_list("pk", flat=True)
    elif indicator.formula:
        ids = []
    latest = (
        IndicatorValue.history.filter(indicator_id__in=ids)  # a sum's parts: a subquery
        .order_by("-history_date", "-history_id")
        .values_list("id", flat=True)[:HISTORY_LIMIT]
    )
    records = (
        IndicatorValue.history.filter(indicator_id__in=ids, id__ids=set(latest))
        .select_related("history_user", "period", "department")
        .order_by("id", "history_date", "history_id")
    )
    shown = {
        "value": (_("实际值"), lambda v: dec_str(v) or "—"),
        "basis": (_("数据口径"), lambda v: str(IndicatorValue.Basis(v).label) if v else "—"),
        "status": (_("审核状态"), lambda v: str(ReviewStatus(v).label) if v else "—"),
        "note": (_("说明"), lambda v: v or "—"),
        "return_reason": (_("退回原因"), lambda v: v or "—"),
    }
    entries: list[HistoryEntry] = []
    previous: dict[int, object] = {}
    for rec in records:
        before = previous.get(rec.id)
        # On creation list what was filled in; afterwards what changed.
        changes = [
            (str(label), fmt(getattr(before, name)) if before is not None else "—", fmt(getattr(rec, name)))
            for name, (label, fmt) in shown.items()
            if (getattr(rec, name) not in (None, "") if before is None else getattr(before, name) != getattr(rec, name))
        ]
        previous[rec.id] = rec
        user = rec.history_user
        entries.append(
            HistoryEntry(
                rec.history_date,
                (user.get_full_name() or user.username) if user else "—",
                str(_ACTIONS.get(rec.history_type, rec.history_type)),
                rec.period.code if rec.period else "",
                rec.department.name if rec.department else "",
                changes if rec.history_type != "-" else [],
            )
        )
    return sorted(entries, key=lambda e: e.when, reverse=True)[:HISTORY_LIMIT]


def indicator_page(
    indicator: Indicator, as_of: dt.date, unit_id: str | None = None, calendar: Calendar | None = None
) -> IndicatorPage:
    plan = indicator.plan
    result = read.first(plan_results([plan], as_of=as_of, indicator_ids=[indicator.pk], calendar=calendar))
    row = next(r for r in result.indicators if r.indicator.id == indicator.id)
    ind = row.indicator  # carries prefetched assignments and milestones
    targets = {(t.indicator_id, t.department_id): t for t in UnitTarget.objects.filter(indicator=ind)}
    units = sorted(unit_lines(row, targets), key=lambda u: u.evaluation.severity)  # worst unit charted by default
    selected = next((u for u in units if str(u.unit.id) == (unit_id or "")), units[0] if units else None)
    extras = adding_up.indicator_extras(ind, as_of, targets, [u.unit.id for u in units], calendar)
    stored = IndicatorValue.objects.filter(
        indicator=ind, status__in=COUNTED_STATUSES, period__end__lte=as_of, value__isnull=False
    ).select_related("period", "department")
    if selected is not None:  # the charted unit's series, not a hundred counties' figures
        stored = stored.filter(department_id=selected.unit.id)
    values: Iterable[IndicatorValue] = stored
    if ind.formula:  # computed from its parts: their figures, their history
        values = adding_up.derived_values(ind, as_of, selected.unit.id if selected else None)
    spec = inputs.spec_for(ind, plan, targets.get((ind.id, selected.unit.id)) if selected else None)
    evaluation = selected.evaluation if selected else row.evaluation
    chosen = inputs.current_pairs(values)  # the official-over-estimate choice the evaluation made
    picked = inputs.plan_series(chosen) if selected is None else inputs.by_unit(chosen).get(selected.unit.id, [])
    pairs = sorted(picked, key=lambda pair: (pair[0].period.end, pair[0].period.granularity))
    observations = [
        engine.Observation(
            v.period.start,
            v.period.end,
            v.value,  # type: ignore[arg-type]  # never None: value__isnull=False above
            v.period.granularity,
            v.period.code,
        )
        for v, _e in pairs
    ]
    comparable = {o.label: total for o, total in charts.running_actuals(spec, observations)}
    series = [SeriesRow(v, e, comparable[v.period.code]) for v, e in pairs]
    projection = charts.projection_for(spec, decoded(evaluation))
    chart = charts.indicator_trend(
        spec,
        [(s.value.period.end, s.value.period.code, s.comparable, str(s.value.get_basis_display())) for s in series],
        projection,
    )
    named = list(ind.assignment_list)
    return IndicatorPage(
        plan,
        row,
        links(named, Role.LEAD),
        links(named, Role.RESPONSIBLE),
        selected,
        units,
        series,
        chart,
        projection,
        row.has_demo,
        gap_unit(ind),
        extras,
    )
