"""The overview dashboard (总览) read from the stored verdicts, in a fixed number of queries.

A province overview judges 100 counties × 800 indicators. The overview only needs counts, the first rows of each
group and the worst shortfalls, so it reads the indicators' own lines (status columns), lets SQL sort and cut the
per-unit shortfalls, and decodes only what is shown. Plans whose years are over and whose final period is closed
(已结束) are listed apart and left out of the counts and shortfalls; plans not started by the viewed period too.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, TextField
from django.db.models.functions import Cast
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from dashboard import charts
from dashboard.selectors.common import (
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
from indicators import engine
from indicators.evaluation.calendar import Calendar, PlanPhase, stored_date
from indicators.evaluation.models import Recalculation, Verdict
from indicators.evaluation.selectors import PlanResult, StoredEvaluation, placeholder, plans_queryset, recalculations
from indicators.models import Indicator, IndicatorAssignment
from plans.models import Plan, Role, Task, TaskAssignment

Status = engine.Status
JUDGED_OUT = (Status.NOT_APPLICABLE.value, Status.NO_DATA.value)
GOOD = (Status.ACHIEVED.value, Status.ON_TRACK.value)
SHORT_VALUES = [s.value for s in SHORT]
SHORT_SEVERITY = max(engine.STATUS_SEVERITY[s] for s in SHORT)


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
    recalculation: Recalculation | None = None


@dataclass
class Overview:
    plans: list[PlanSummary]
    shortfalls: list[Shortfall]  # worst first, cut at the limit asked for
    shortfall_total: int
    has_demo: bool
    finished: list[Plan] = field(default_factory=list)  # 已结束 plans: viewable, not counted
    not_started: list[Plan] = field(default_factory=list)
    provisional: bool = False  # the viewed period is still open for reporting


@dataclass
class _Line:
    indicator: Indicator
    status: str
    severity: int
    ratio: Decimal
    has_demo: bool
    evaluation: StoredEvaluation | engine.Evaluation | None = None
    short_units: int = 0


def _completion(statuses: list[str]) -> Decimal | None:
    judged = [s for s in statuses if s not in JUDGED_OUT]
    if not judged:
        return None
    return (Decimal(sum(1 for s in judged if s in GOOD)) / Decimal(len(judged))).quantize(Decimal("0.0001"))


def _indicator_lines(plans: list[Plan], dates: dict[int, dt.date]) -> list[_Line]:
    """Every indicator of the plans with its own stored line (two queries; payloads stay undecoded)."""
    indicators = list(
        Indicator.objects.filter(plan__in=plans)
        .only(
            "id",
            "plan_id",
            "group",
            "number",
            "name",
            "order",
            "per_unit",
            "kind",
            "unit",
            "value_unit",
            "decimals",
            "is_share",
            "target",
        )
        .order_by("plan_id", "order")
    )
    where = Q(pk__in=[])
    for as_of in set(dates.values()):
        where |= Q(as_of=as_of, indicator__plan_id__in=[p for p, d in dates.items() if d == as_of])
    stored = {
        row[0]: row[1:]
        for row in Verdict.objects.filter(where, unit__isnull=True).values_list(
            "indicator_id", "status", "severity", "sort_ratio", "has_demo", "short_units", Cast("payload", TextField())
        )
    }
    lines = []
    for ind in indicators:
        if ind.id not in stored:
            ev = placeholder("pending_computation")
            lines.append(_Line(ind, ev.status.value, ev.severity, Decimal(0), False, ev))
            continue
        status, severity, ratio, demo, short, raw = stored[ind.id]
        lines.append(_Line(ind, status, severity, ratio, demo, StoredEvaluation(status, raw, demo, short), short))
    return lines


def _unit_shortfalls(plans: list[Plan], dates: dict[int, dt.date], limit: int | None) -> list[Shortfall]:
    """The worst short units of the plans' per-unit indicators, sorted and cut in SQL (one query): the partial index
    is read in order, worst severity and furthest behind first, and the database stops after `limit` rows."""
    where = Q(pk__in=[])
    for as_of in set(dates.values()):
        where |= Q(as_of=as_of, indicator__plan_id__in=[p for p, d in dates.items() if d == as_of])
    worst = (
        Verdict.objects.filter(where, unit__isnull=False, severity__lte=SHORT_SEVERITY)
        .select_related("indicator__plan", "unit")
        .order_by("severity", "sort_ratio", "indicator_id", "unit_id")
    )
    found = []
    for verdict in worst if limit is None else worst[:limit]:
        if verdict.unit is None:  # unit__isnull=False above
            continue
        ev = StoredEvaluation(verdict.status, verdict.payload, verdict.has_demo)
        ind = verdict.indicator
        found.append(
            Shortfall(
                ind.plan,
                verdict.status,
                (verdict.severity, 0, verdict.sort_ratio, ind.plan.code, ind.order, verdict.unit.name),
                indicator=ind,
                evaluation=ev,
                unit=verdict.unit,
                target=ev.target,
                gap_unit=gap_unit(ind),
            )
        )
    return found


def _overdue_tasks(plans: list[Plan], as_of: dt.date) -> tuple[list[TaskRow], bool]:
    """Tasks past their due date and not done, with whether any report behind the task states is demo data."""
    task_assignments = TaskAssignment.objects.select_related("department", "group").order_by("role", "order")
    due = list(
        Task.objects.filter(plan__in=plans, due_date__lt=as_of)
        .select_related("plan")
        .prefetch_related(Prefetch("assignments", queryset=task_assignments))
    )
    progress = latest_progress([p.id for p in plans], as_of)
    by_plan: dict[int, list[Task]] = defaultdict(list)
    for task in due:
        by_plan[task.plan_id].append(task)
    rows: list[TaskRow] = []
    for plan in plans:
        rows += [
            r
            for r in task_rows(PlanResult(plan, as_of, [], by_plan[plan.id]), progress)
            if r.state == TaskState.OVERDUE
        ]
    return rows, any(p.is_demo for p in progress.values())


def overview(
    as_of: dt.date, *, limit: int | None = 100, group_rows: int = 30, calendar: Calendar | None = None
) -> Overview:
    calendar = calendar or Calendar.load()
    every = list(plans_queryset().exclude(status__in=[Plan.Status.DRAFT, Plan.Status.ARCHIVED]))
    phases = {p.pk: calendar.phase(p, as_of) for p in every}
    plans = [p for p in every if phases[p.pk] == PlanPhase.RUNNING]
    dates = {p.pk: stored_date(p, as_of) for p in plans}
    lines = _indicator_lines(plans, dates)
    unit_short = _unit_shortfalls(plans, dates, limit) if any(line.indicator.per_unit for line in lines) else []
    unit_total = sum(line.short_units for line in lines if line.indicator.per_unit)
    overdue, demo_tasks = _overdue_tasks(plans, as_of)
    plan_map = {p.id: p for p in plans}
    jobs = recalculations(plans)

    found: list[Shortfall] = list(unit_short)
    for line in lines:
        if not line.indicator.per_unit and line.status in SHORT_VALUES:
            ind = line.indicator
            ev = line.evaluation
            target = getattr(ev, "target", None)
            found.append(
                Shortfall(
                    plan_map[ind.plan_id],
                    line.status,
                    (line.severity, 0, line.ratio, plan_map[ind.plan_id].code, ind.order, ""),
                    indicator=ind,
                    evaluation=ev,
                    target=target if target is not None else ind.target,
                    gap_unit=gap_unit(ind),
                )
            )
    for task_row in overdue:
        task = task_row.task
        key = (
            engine.STATUS_SEVERITY[Status.NOT_ACHIEVED],
            1,
            task.due_date.toordinal() if task.due_date else 0,  # overdue: it has one
            task_row.plan.code,
            task.order,
        )
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
        groups = [
            OverviewGroup(
                name or str(_("其他指标")),
                len(members),
                [OverviewRow(m.indicator, m.status) for m in _shown(members, group_rows)],
                worst_first(Counter(m.status for m in members)),
            )
            for name, members in grouped.items()
        ]
        summaries.append(
            PlanSummary(
                plan,
                _completion([line.status for line in plan_lines]),
                counts,
                groups,
                charts.status_strip(counts, plan.title),
                overdue_by_plan[plan.id],
                jobs.get(plan.id),
            )
        )
    has_demo = demo_tasks or any(line.has_demo for line in lines)
    return Overview(
        summaries,
        shown,
        total,
        has_demo,
        finished=[p for p in every if phases[p.pk] == PlanPhase.FINISHED],
        not_started=[p for p in every if phases[p.pk] == PlanPhase.NOT_STARTED],
        provisional=not calendar.is_closed(as_of),
    )


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
    for a in (
        IndicatorAssignment.objects.filter(indicator_id__in=list(indicators), role=Role.LEAD)
        .select_related("department", "group")
        .order_by("role", "order")
    ):
        by_indicator[a.indicator_id].append(a)
    for s in shown:
        if s.indicator is not None:
            s.lead = links(by_indicator[s.indicator.pk], Role.LEAD)
