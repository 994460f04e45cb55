"""The overview dashboard (总览) read from the evaluation snapshots, in a fixed number of queries.

A province overview judges 100 counties × 800 indicators: building every verdict as objects (as the plan page does
for one plan) takes seconds. The overview only needs counts, the first rows of each group and the worst shortfalls,
so it reads the indicators' own lines from the snapshots, lets SQL sort and cut the per-unit shortfalls, and builds
objects only for what is shown. Indicators whose snapshot is stale are evaluated first (and stored) through
`selectors.evaluate_plans`, so the verdicts are the engine's, exactly as on every other page.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, F, FilteredRelation, JSONField, Prefetch, Q, When
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from indicators import engine, snapshots
from indicators.dashboard_selectors import (
    SHORT,
    Shortfall,
    TaskRow,
    TaskState,
    gap_unit,
    latest_progress,
    links,
    task_rows,
    worst_first,
)
from indicators.models import EvaluationSnapshot, Indicator, IndicatorAssignment
from indicators.selectors import PlanResult, evaluate_plans, plans_queryset
from plans import charts
from plans.models import Plan, Role, Task, TaskAssignment

Status = engine.Status
JUDGED_OUT = (Status.NOT_APPLICABLE.value, Status.NO_DATA.value)
GOOD = (Status.ACHIEVED.value, Status.ON_TRACK.value)
SHORT_VALUES = [s.value for s in SHORT]


@dataclass
class OverviewRow:
    """One indicator line in a group's list: the indicator (name fields only) and its status."""

    indicator: Indicator
    status: str


@dataclass
class OverviewGroup:
    name: str
    total: int
    rows: list[OverviewRow]  # the whole group in the plan's order, or its worst `group_rows` when longer
    counts: list[tuple[str, int]]


@dataclass
class PlanSummary:
    plan: Plan
    completion: Decimal | None
    counts: list[tuple[str, int]]
    groups: list[OverviewGroup]
    strip: SafeString
    overdue: int


@dataclass
class Overview:
    plans: list[PlanSummary]
    shortfalls: list[Shortfall]  # worst first, cut at the limit asked for
    shortfall_total: int
    has_demo: bool
    computed: int = 0  # indicators evaluated for this view because their snapshot was stale (0 when warm)


@dataclass
class _Line:
    indicator: Indicator
    status: str
    severity: int
    ratio: Decimal
    has_demo: bool
    evaluation: engine.Evaluation | None = None
    short_units: int = 0


def _completion(statuses: list[str]) -> Decimal | None:
    judged = [s for s in statuses if s not in JUDGED_OUT]
    if not judged:
        return None
    return (Decimal(sum(1 for s in judged if s in GOOD)) / Decimal(len(judged))).quantize(Decimal("0.0001"))


# Only plan-level shortfalls show their evaluation from the indicator's own line; decoding every payload would cost
# more than the rest of the query.
_PLAN_LEVEL_SHORT_PAYLOAD = Case(When(per_unit=False, snap__status__in=SHORT_VALUES, then=F("snap__payload")),
                                 default=None, output_field=JSONField())


def _indicator_lines(plans: list[Plan], as_of: dt.date) -> tuple[list[_Line], int]:
    """Every indicator of the plans with its own verdict: one query, plus the evaluation of stale ones."""
    snap = FilteredRelation("snapshots", condition=Q(snapshots__as_of=as_of, snapshots__unit__isnull=True))
    indicators = list(
        Indicator.objects.filter(plan__in=plans).annotate(snap=snap)
        .only("id", "plan_id", "group", "number", "name", "order", "per_unit", "kind", "unit", "decimals", "is_share",
              "target", "evaluation_token")
        .annotate(s_token=F("snap__token"), s_status=F("snap__status"), s_severity=F("snap__severity"),
                  s_ratio=F("snap__sort_ratio"), s_demo=F("snap__has_demo"), s_payload=_PLAN_LEVEL_SHORT_PAYLOAD,
                  s_short=F("snap__short_units"))
        .order_by("plan_id", "order")
    )
    stale = [i for i in indicators if i.s_token != i.evaluation_token]
    fresh: dict[int, engine.Evaluation] = {}
    short: dict[int, int] = {}
    demo: set[int] = set()
    if stale:
        # Stored as a side effect; the verdicts are taken from the results directly.
        stale_plans = [p for p in plans if p.id in {i.plan_id for i in stale}]
        for result in evaluate_plans(stale_plans, as_of=as_of, include_tasks=False,
                                     indicator_ids=[i.pk for i in stale]):
            for row in result.indicators:
                fresh[row.indicator.id] = row.evaluation
                short[row.indicator.id] = sum(1 for u in row.units if u.evaluation.severity <= snapshots.SHORT_SEVERITY)
        demo = set(EvaluationSnapshot.objects.filter(indicator_id__in=[i.pk for i in stale], as_of=as_of,
                                                     unit__isnull=True, has_demo=True).values_list("indicator_id",
                                                                                                   flat=True))
    lines = []
    for ind in indicators:
        if ind.id in fresh:
            ev = fresh[ind.id]
            lines.append(_Line(ind, ev.status.value, ev.severity, snapshots.sort_ratio(ev), ind.id in demo, ev,
                               short[ind.id]))
        else:
            lines.append(_Line(ind, ind.s_status, ind.s_severity, ind.s_ratio, ind.s_demo,
                               snapshots.restore(ind.s_payload).evaluation if ind.s_payload is not None else None,
                               ind.s_short))
    return lines, len(stale)


def _unit_shortfalls(indicator_ids: list[int], as_of: dt.date, limit: int | None) -> list[Shortfall]:
    """The worst short units of these per-unit indicators, sorted and cut in SQL (one query).

    The caller has just brought every one of these indicators' snapshots up to date, so no token check is needed;
    filtering by id list (not by a join on plan and token) lets the database read the partial index in order,
    worst severity and furthest behind first, and stop after `limit` rows. Ties are broken by id here and by names
    when merged with the other shortfalls.
    """
    rows = (
        EvaluationSnapshot.objects.filter(as_of=as_of, unit__isnull=False, severity__lte=snapshots.SHORT_SEVERITY,
                                          indicator_id__in=indicator_ids)
        .select_related("indicator__plan", "unit")
        .order_by("severity", "sort_ratio", "indicator_id", "unit_id")
    )
    rows = list(rows if limit is None else rows[:limit])
    found = []
    for snap in rows:
        verdict = snapshots.restore(snap.payload)
        ev, ind = verdict.evaluation, snap.indicator
        target = ev.years[-1].target if ev.years else verdict.target
        found.append(Shortfall(
            ind.plan, snap.status, (snap.severity, 0, snap.sort_ratio, ind.plan.code, ind.order, snap.unit.name),
            indicator=ind, evaluation=ev, unit=snap.unit, target=target, gap_unit=gap_unit(ind),
        ))
    return found


def _overdue_tasks(plans: list[Plan], as_of: dt.date) -> tuple[list[TaskRow], bool]:
    """Tasks past their due date and not done, with whether any report behind the task states is demo data."""
    task_assignments = TaskAssignment.objects.select_related("department", "group").order_by("role", "order")
    due = list(Task.objects.filter(plan__in=plans, due_date__lt=as_of).select_related("plan")
               .prefetch_related(Prefetch("assignments", queryset=task_assignments)))
    progress = latest_progress([p.id for p in plans], as_of)
    by_plan: dict[int, list[Task]] = defaultdict(list)
    for task in due:
        by_plan[task.plan_id].append(task)
    rows: list[TaskRow] = []
    for plan in plans:
        rows += [r for r in task_rows(PlanResult(plan, as_of, [], by_plan[plan.id]), progress)
                 if r.state == TaskState.OVERDUE]
    return rows, any(p.is_demo for p in progress.values())



def overview(as_of: dt.date, *, limit: int | None = 100, group_rows: int = 30) -> Overview:
    plans = list(plans_queryset().filter(status=Plan.Status.ACTIVE))
    lines, computed = _indicator_lines(plans, as_of)
    per_unit = [line.indicator.pk for line in lines if line.indicator.per_unit]
    unit_short = _unit_shortfalls(per_unit, as_of, limit) if per_unit else []
    unit_total = sum(line.short_units for line in lines if line.indicator.per_unit)
    overdue, demo_tasks = _overdue_tasks(plans, as_of)
    plan_map = {p.id: p for p in plans}

    found: list[Shortfall] = list(unit_short)
    for line in lines:
        if not line.indicator.per_unit and line.status in SHORT_VALUES:
            ind = line.indicator
            ev = line.evaluation
            target = ev.years[-1].target if ev.years else ind.target
            found.append(Shortfall(
                plan_map[ind.plan_id], line.status,
                (line.severity, 0, line.ratio, plan_map[ind.plan_id].code, ind.order, ""),
                indicator=ind, evaluation=ev, target=target, gap_unit=gap_unit(ind)))
    for task_row in overdue:
        task = task_row.task
        key = (engine.STATUS_SEVERITY[Status.NOT_ACHIEVED], 1, task.due_date.toordinal(), task_row.plan.code, task.order)
        found.append(Shortfall(task_row.plan, TaskState.OVERDUE.value, key, lead=task_row.lead, task=task_row))
    found.sort(key=lambda s: s.sort_key)
    total = len(found) - len(unit_short) + unit_total
    shown = found if limit is None else found[:limit]
    _attach_leads(shown)

    summaries = []
    by_plan: dict[int, list[_Line]] = defaultdict(list)
    for line in lines:
        by_plan[line.indicator.plan_id].append(line)
    overdue_by_plan = Counter(r.plan.id for r in overdue)
    for plan in plans:
        plan_lines = by_plan[plan.id]
        counts = worst_first(Counter(line.status for line in plan_lines))
        grouped: dict[str, list[_Line]] = {}
        for line in plan_lines:
            grouped.setdefault(line.indicator.group, []).append(line)
        groups = [OverviewGroup(name or str(_("其他指标")), len(members),
                                [OverviewRow(m.indicator, m.status) for m in _shown(members, group_rows)],
                                worst_first(Counter(m.status for m in members)))
                  for name, members in grouped.items()]
        summaries.append(PlanSummary(plan, _completion([line.status for line in plan_lines]), counts, groups,
                                     charts.status_strip(counts, plan.title), overdue_by_plan[plan.id]))
    has_demo = demo_tasks or any(line.has_demo for line in lines)
    return Overview(summaries, shown, total, has_demo, computed)


def _shown(members: list[_Line], limit: int) -> list[_Line]:
    """A group's rows in the plan's order; a long group shows its worst rows (the rest are on the plan page)."""
    if len(members) <= limit:
        return members
    return sorted(members, key=lambda m: (m.severity, m.indicator.order))[:limit]


def _attach_leads(shown: list[Shortfall]) -> None:
    """Lead units of the indicators shown (one query)."""
    indicators = {s.indicator.pk: s.indicator for s in shown if s.indicator is not None}
    if not indicators:
        return
    by_indicator: dict[int, list[IndicatorAssignment]] = defaultdict(list)
    for a in (IndicatorAssignment.objects.filter(indicator_id__in=list(indicators), role=Role.LEAD)
              .select_related("department", "group").order_by("role", "order")):
        by_indicator[a.indicator_id].append(a)
    for s in shown:
        if s.indicator is not None:
            s.lead = links(by_indicator[s.indicator.pk], Role.LEAD)
