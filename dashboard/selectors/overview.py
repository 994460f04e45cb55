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
from dashboard.selectors.common import SHORT, TaskRow, TaskState, latest_progress, task_rows, worst_first
from dashboard.selectors.shortfalls import PER_PAGE, Line, ShortfallFilter, ShortfallList, listing
from dashboard.selectors.units import read_leads
from indicators import engine
from indicators.evaluation.calendar import Calendar, PlanPhase, stored_date
from indicators.evaluation.models import Recalculation, Verdict
from indicators.evaluation.selectors import PlanResult, StoredEvaluation, placeholder, plans_queryset, recalculations
from indicators.models import Indicator
from plans.models import Plan, Task, TaskAssignment

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
    shortfalls: ShortfallList  # one page, filtered, worst first
    has_demo: bool
    finished: list[Plan] = field(default_factory=list)  # 已结束 plans: viewable, not counted
    not_started: list[Plan] = field(default_factory=list)
    provisional: bool = False  # the viewed period is still open for reporting


def _completion(statuses: list[str]) -> Decimal | None:
    judged = [s for s in statuses if s not in JUDGED_OUT]
    if not judged:
        return None
    return (Decimal(sum(1 for s in judged if s in GOOD)) / Decimal(len(judged))).quantize(Decimal("0.0001"))


def _indicator_lines(plans: list[Plan], dates: dict[int, dt.date]) -> list[Line]:
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
            "task_id",
            "section_id",
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
            lines.append(Line(ind, ev.status.value, ev.severity, Decimal(0), False, ev))
            continue
        status, severity, ratio, demo, short, raw = stored[ind.id]
        lines.append(Line(ind, status, severity, ratio, demo, StoredEvaluation(status, raw, demo, short), short))
    return lines


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
    as_of: dt.date,
    *,
    filters: ShortfallFilter | None = None,
    per_page: int = PER_PAGE,
    group_rows: int = 30,
    calendar: Calendar | None = None,
) -> Overview:
    """The running plans' cards and one page of their shortfalls (filtered by `filters`)."""
    calendar = calendar or Calendar.load()
    every = list(plans_queryset().exclude(status__in=[Plan.Status.DRAFT, Plan.Status.ARCHIVED]))
    phases = {p.pk: calendar.phase(p, as_of) for p in every}
    plans = [p for p in every if phases[p.pk] == PlanPhase.RUNNING]
    dates = {p.pk: stored_date(p, as_of) for p in plans}
    lines = _indicator_lines(plans, dates)
    overdue, demo_tasks = _overdue_tasks(plans, as_of)
    jobs = recalculations(plans)
    leads = read_leads([p.pk for p in plans])
    found = listing(plans, dates, lines, overdue, leads, filters or ShortfallFilter(), per_page=per_page)

    summaries = []
    by_plan: dict[int, list[Line]] = defaultdict(list)
    for line in lines:
        by_plan[line.indicator.plan_id].append(line)
    overdue_by_plan = Counter(r.plan.id for r in overdue)
    for plan in plans:
        plan_lines = by_plan[plan.id]
        counts = worst_first(Counter(line.status for line in plan_lines))
        grouped: dict[str, list[Line]] = {}
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
        found,
        has_demo,
        finished=[p for p in every if phases[p.pk] == PlanPhase.FINISHED],
        not_started=[p for p in every if phases[p.pk] == PlanPhase.NOT_STARTED],
        provisional=not calendar.is_closed(as_of),
    )


def _shown(members: list[Line], limit: int) -> list[Line]:
    """A group's rows in the plan's order; a long group shows its worst rows (the rest are on the plan page)."""
    if len(members) <= limit:
        return members
    return sorted(members, key=lambda m: (m.severity, m.indicator.order))[:limit]
