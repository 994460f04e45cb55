"""Reads the leadership dashboards (总览 / 规划 / 单位) share, each in a constant number of queries.

Everything is built on `evaluation.selectors.plan_results`, so the statuses shown are the stored verdicts; this
module only groups and sorts them and adds what the pages need besides: periods, tasks and their states, per-unit
targets and the plan page (the shortfall lists are `shortfalls`, their units `units`, the indicator page
`indicator`; the assessment panels live in assessment/dashboard_panels.py). Every query fetches whole sets (per
plan, indicator, unit family or batch of schemes), never one row per item; the page tests pin the counts at two
data sizes. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.contrib.auth import models as auth
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from dashboard import charts
from dashboard.selectors import adding_up
from indicators import engine
from indicators.engine import rollup as ru
from indicators.evaluation import selectors as read
from indicators.evaluation.calendar import Calendar
from indicators.evaluation.selectors import ALL_UNITS, NO_UNITS, IndicatorResult, Judged, PlanResult, plan_results
from indicators.models import COUNTED_STATUSES, Indicator, IndicatorAssignment, IndicatorValue, TaskProgress, UnitTarget
from plans.models import Department, Plan, ReportingPeriod, Role, Task, TaskAssignment

Status = engine.Status
SHORT = engine.SHORT_STATUSES
GOOD = engine.GOOD_STATUSES
User = auth.User | AnonymousUser


def worst_first(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Non-zero status counts, worst first, for traffic-light lists."""
    return [
        (s.value, counts[s.value])
        for s in sorted(Status, key=engine.STATUS_SEVERITY.__getitem__)
        if counts.get(s.value)
    ]


# --- periods ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PeriodChoice:
    period: ReportingPeriod | None
    as_of: dt.date
    periods: list[ReportingPeriod]
    unknown_code: str = ""  # a ?period= code that matched no period (the page says so and shows the default)
    calendar: Calendar | None = None  # read once per request, handed on to the selectors

    @property
    def query(self) -> str:
        """Carried on every dashboard link so following one keeps the period being looked at."""
        return f"?period={self.period.code}" if self.period else ""


def choose_period(code: str | None, calendar: Calendar | None = None) -> PeriodChoice:
    """The period to judge at: ?period=CODE when it exists, else the latest period closed for reporting (or past
    its deadline) — never one still being filled in, whose verdicts are provisional."""
    calendar = calendar or Calendar.load()
    periods = list(calendar.periods)
    wanted = (code or "").strip().upper()
    period = next((p for p in periods if p.code == wanted), None) or calendar.default_period()
    return PeriodChoice(
        period,
        period.end if period else timezone.localdate(),
        periods,
        wanted if wanted and (period is None or period.code != wanted) else "",
        calendar,
    )


# --- units and tasks ----------------------------------------------------------------------------------------------
Named = IndicatorAssignment | TaskAssignment


def links(assignments: Iterable[Named], role: str) -> list[Named]:
    """Assignments of one role, as printed; `department_id` is set when the name resolves to a unit (a collective
    such as 各成员单位 has no page)."""
    return [a for a in assignments if a.role == role]


class TaskState(StrEnum):
    OVERDUE = "overdue"
    DELAYED = "delayed"
    NOT_STARTED = "not_started"
    NO_REPORT = "no_report"
    IN_PROGRESS = "in_progress"
    DONE = "done"


@dataclass(frozen=True)
class Badge:
    css: str  # an engine status class, so one legend (colour + icon + word) reads for tasks and indicators alike
    icon: str
    label: Promise


TASK_BADGES: dict[TaskState, Badge] = {
    TaskState.OVERDUE: Badge("behind", "✖", _("逾期未完成")),
    TaskState.DELAYED: Badge("lagging", "▲", _("滞后")),
    TaskState.NOT_STARTED: Badge("no_data", "○", _("未启动")),
    TaskState.NO_REPORT: Badge("no_data", "○", _("未报进展")),
    TaskState.IN_PROGRESS: Badge("on_track", "●", _("推进中")),
    TaskState.DONE: Badge("achieved", "✔", _("已完成")),
}
TASK_GOOD = (TaskState.IN_PROGRESS, TaskState.DONE)


@dataclass
class TaskRow:
    task: Task  # with prefetched assignments
    plan: Plan
    state: TaskState
    latest: TaskProgress | None
    lead: list[Named]
    responsible: list[Named]
    cooperating: list[Named]
    department_ids: set[int] = field(default_factory=set)
    assignments: list[TaskAssignment] = field(default_factory=list)  # in printed order

    @property
    def badge(self) -> Badge:
        return TASK_BADGES[self.state]


def latest_progress(plan_ids: list[int], as_of: dt.date) -> dict[int, TaskProgress]:
    """Task id → the report that speaks for it at `as_of`, among counted ones (one query for all the plans)."""
    reports = (
        TaskProgress.objects.filter(task__plan_id__in=plan_ids, status__in=COUNTED_STATUSES, period__end__lte=as_of)
        .select_related("period")
        .only(
            "id",
            "task_id",
            "department_id",
            "progress_status",
            "progress",
            "problems",
            "is_demo",
            "updated_at",
            "period__end",
            "period__kind",
            "period__code",
        )
    )
    # Lead and responsible units each report: within the latest period the worst report speaks for the task (it is
    # done only when every unit says so).
    order = list(TaskState)
    rank = lambda r: (r.period.end, r.period.granularity, -order.index(TaskState(r.progress_status)))
    latest: dict[int, TaskProgress] = {}
    for report in reports:
        if report.task_id not in latest or rank(report) > rank(latest[report.task_id]):
            latest[report.task_id] = report
    return latest


def task_state(latest: TaskProgress | None, due_date: dt.date | None, as_of: dt.date) -> TaskState:
    """A task's state at `as_of`: done wins; past its due date otherwise it is overdue; else its latest report."""
    state = TaskState(latest.progress_status) if latest is not None else TaskState.NO_REPORT
    if state != TaskState.DONE and due_date is not None and due_date < as_of:
        return TaskState.OVERDUE
    return state


def task_rows(result: PlanResult, progress: dict[int, TaskProgress]) -> list[TaskRow]:
    """Each task with its state (`task_state`)."""
    return [task_row_of(t, result.plan, list(t.assignments.all()), progress, result.as_of) for t in result.tasks]


def task_row_of(
    task: Task, plan: Plan, assignments: list[TaskAssignment], progress: dict[int, TaskProgress], as_of: dt.date
) -> TaskRow:
    """One task of `plan` with its assignments (in printed order) and its state at `as_of`."""
    latest = progress.get(task.id)
    return TaskRow(
        task,
        plan,
        task_state(latest, task.due_date, as_of),
        latest,
        links(assignments, Role.LEAD),
        links(assignments, Role.RESPONSIBLE),
        links(assignments, Role.COOPERATING),
        {a.department_id for a in assignments if a.department_id},
        assignments,
    )


def unit_targets(
    plan_ids: list[int], department_id: int | None = None, indicator_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], UnitTarget]:
    """Per-unit targets of the plans; with `department_id`, only those its page can show (its own, and every unit's
    of the indicators it is named for); with `indicator_ids`, only those indicators'."""
    targets = UnitTarget.objects.filter(indicator__plan_id__in=plan_ids)
    if indicator_ids is not None:
        targets = targets.filter(indicator_id__ids=list(indicator_ids))
    if department_id is not None:
        named = IndicatorAssignment.objects.filter(department_id=department_id).values("indicator_id")
        targets = targets.filter(Q(department_id=department_id) | Q(indicator_id__in=named))
    return {(t.indicator_id, t.department_id): t for t in targets}


def own(targets: dict[tuple[int, int], UnitTarget], indicator: Indicator, unit_id: int, attr: str) -> Decimal | None:
    """A unit's own baseline or target (UnitTarget) where one is set, else the indicator's."""
    value = getattr(targets.get((indicator.id, unit_id)), attr, None)
    return value if value is not None else getattr(indicator, attr)


def demo_shown(values: QuerySet[IndicatorValue], as_of: dt.date) -> bool:
    """One EXISTS query: is any counted value behind these figures a demo figure?"""
    return values.filter(
        status__in=COUNTED_STATUSES, period__end__lte=as_of, value__isnull=False, is_demo=True
    ).exists()


def gap_unit(indicator: Indicator) -> str | Promise:
    """Gaps of shares and growth rates are in percentage points, not in the indicator's unit."""
    if indicator.kind == Indicator.Kind.GROWTH:
        return _("个百分点")
    if indicator.is_share:
        return _("个千分点") if indicator.unit == "‰" else _("个百分点")
    return indicator.unit


# --- groups (plan page; the overview reads stored lines, see overview_selectors) -----------------------------------
@dataclass
class GroupSummary:
    name: str
    rows: list[IndicatorResult]
    counts: list[tuple[str, int]]


def group_rows(rows: list[IndicatorResult]) -> list[GroupSummary]:
    """Indicators by first-level group (一级指标), in the plan's order; ungrouped prose targets come as one group."""
    grouped: dict[str, list[IndicatorResult]] = {}
    for row in rows:
        grouped.setdefault(row.indicator.group, []).append(row)
    return [
        GroupSummary(name or str(_("其他指标")), members, worst_first(Counter(r.status.value for r in members)))
        for name, members in grouped.items()
    ]


# --- plan page ----------------------------------------------------------------------------------------------------
@dataclass
class UnitLine:
    unit: Department
    evaluation: Judged
    basis: str
    unreviewed: bool
    baseline: Decimal | None
    target: Decimal | None
    chart: SafeString


def unit_lines(row: IndicatorResult, targets: dict[tuple[int, int], UnitTarget]) -> list[UnitLine]:
    """A per-unit indicator's lines, each against that unit's own baseline and target where one is set."""
    ind, lines = row.indicator, []
    for u in row.units:
        baseline, target = own(targets, ind, u.department.id, "baseline"), own(targets, ind, u.department.id, "target")
        lines.append(
            UnitLine(
                u.department,
                u.evaluation,
                u.basis,
                u.unreviewed,
                baseline,
                target,
                charts.bullet_for(ind.kind, u.evaluation, baseline, target, ind.decimals, ind.unit),
            )
        )
    return lines


@dataclass
class PlanLine:
    row: IndicatorResult
    group_rowspan: int  # on the first line of a group: rows it spans (unit lines included); 0 on the others
    chart: SafeString
    units: list[UnitLine]
    gap_unit: str | Promise
    coverage: ru.Coverage | None = None  # a split target: whether the units' targets cover the whole
    components: adding_up.ComponentLine | None = None  # a total: its listed parts against it

    @property
    def rolls_up(self) -> bool:
        """A per-unit indicator whose own line is the parent unit's figure (its own, or the roll-up)."""
        ind = self.row.indicator
        return ind.per_unit and ind.rollup not in ("", "none")


@dataclass
class PlanPage:
    result: PlanResult
    lines: list[PlanLine]
    tasks: list[TaskRow]  # worst state first (the template regroups them by state)
    counts: list[tuple[str, int]]
    strip: SafeString
    has_demo: bool
    units_collapsed: int = 0  # assessed units of a plan too large to list under each indicator


UNIT_ROWS_INLINE = 20  # a plan assessing more units shows each per-unit indicator's spread, units on its own page


def plan_page(plan: Plan, as_of: dt.date, calendar: Calendar | None = None) -> PlanPage:
    assessed = list(plan.assessed_units.order_by("order", "name").values_list("pk", flat=True))
    collapsed = len(assessed) if len(assessed) > UNIT_ROWS_INLINE else 0
    result = read.first(
        plan_results([plan], as_of=as_of, tasks=True, units=NO_UNITS if collapsed else ALL_UNITS, calendar=calendar)
    )
    targets = unit_targets([plan.id]) if not collapsed else {}
    coverage, components = adding_up.split_coverage(plan, result, assessed), adding_up.component_checks(result)
    lines: list[PlanLine] = []
    for group in group_rows(result.indicators):
        first = len(lines)
        for row in group.rows:
            ind = row.indicator
            chart = charts.bullet_for(ind.kind, row.evaluation, ind.baseline, ind.target, ind.decimals, ind.unit)
            lines.append(
                PlanLine(
                    row, 0, chart, unit_lines(row, targets), gap_unit(ind), coverage.get(ind.pk), components.get(ind.pk)
                )
            )
        lines[first].group_rowspan = sum(1 + len(line.units) for line in lines[first:])
    progress = latest_progress([plan.id], as_of)
    tasks = sorted(task_rows(result, progress), key=lambda t: list(TaskState).index(t.state))
    counts = worst_first(result.counts())
    has_demo = any(p.is_demo for p in progress.values()) or any(r.has_demo for r in result.indicators)
    return PlanPage(result, lines, tasks, counts, charts.status_strip(counts, plan.title), has_demo, collapsed)
