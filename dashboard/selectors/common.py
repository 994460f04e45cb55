"""Reads behind the leadership dashboards (总览 / 规划 / 指标 / 单位), each in a constant number of queries.

Everything is built on `evaluation.selectors.plan_results`, so the statuses shown are the stored verdicts; this module
only groups and sorts them and adds what the pages need besides: overdue tasks, trends, change history, reporting
timeliness and rankings (the assessment panels live in assessment/dashboard_panels.py). Every query fetches whole sets
(per plan, indicator, unit family or batch of schemes), never one row per item; the page tests pin the counts at two
data sizes. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable
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
from indicators.evaluation import inputs
from indicators.evaluation import selectors as read
from indicators.evaluation.calendar import Calendar
from indicators.evaluation.payload import sort_ratio
from indicators.evaluation.selectors import (
    ALL_UNITS,
    NO_UNITS,
    IndicatorResult,
    Judged,
    PlanResult,
    decoded,
    plan_results,
)
from indicators.formatting import dec_str
from indicators.models import (
    COUNTED_STATUSES,
    Indicator,
    IndicatorAssignment,
    IndicatorValue,
    ReviewStatus,
    TaskProgress,
    UnitTarget,
)
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


def task_rows(result: PlanResult, progress: dict[int, TaskProgress]) -> list[TaskRow]:
    """Each task with its state: done wins; past its due date otherwise it is overdue; else its latest report."""
    rows = []
    for task in result.tasks:
        latest = progress.get(task.id)
        state = TaskState(latest.progress_status) if latest is not None else TaskState.NO_REPORT
        if state != TaskState.DONE and task.due_date is not None and task.due_date < result.as_of:
            state = TaskState.OVERDUE
        assignments = list(task.assignments.all())
        rows.append(
            TaskRow(
                task,
                result.plan,
                state,
                latest,
                links(assignments, Role.LEAD),
                links(assignments, Role.RESPONSIBLE),
                links(assignments, Role.COOPERATING),
                {a.department_id for a in assignments if a.department_id},
            )
        )
    return rows


def unit_targets(plan_ids: list[int], department_id: int | None = None) -> dict[tuple[int, int], UnitTarget]:
    """Per-unit targets of the plans; with `department_id`, only those its page can show (its own, and every unit's
    of the indicators it is named for)."""
    targets = UnitTarget.objects.filter(indicator__plan_id__in=plan_ids)
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


# --- shortfalls ---------------------------------------------------------------------------------------------------
@dataclass
class Shortfall:
    plan: Plan
    status: str  # an engine status, or "overdue" for a task
    sort_key: tuple
    indicator: Indicator | None = None
    evaluation: Judged | None = None
    unit: Department | None = None  # the assessed unit, for one unit's instance of a per-unit indicator
    target: Decimal | None = None
    gap_unit: str | Promise = ""
    lead: list[Named] = field(default_factory=list)
    task: TaskRow | None = None


def _indicator_shortfall(
    plan: Plan, row: IndicatorResult, evaluation: Judged, target: Decimal | None, unit: Department | None = None
) -> Shortfall:
    indicator, ev = row.indicator, evaluation
    target = ev.target if ev.target is not None else target  # the target judged: a unit's own, this year's quota
    # Within a severity, the furthest behind its path first (progress against expected progress), as stored with
    # the verdict: the overview and the unit index sort by the stored ratio, and the lists must agree.
    return Shortfall(
        plan,
        ev.status.value,
        (ev.severity, 0, sort_ratio(decoded(ev)), plan.code, indicator.order, unit.name if unit else ""),
        indicator=indicator,
        evaluation=evaluation,
        unit=unit,
        target=target,
        gap_unit=gap_unit(indicator),
        lead=links(list(indicator.assignment_list), Role.LEAD),
    )


def shortfalls(
    results: list[PlanResult],
    tasks: dict[int, list[TaskRow]],
    targets: dict[tuple[int, int], UnitTarget],
    *,
    department_id: int | None = None,
    only: Collection[tuple[int, int | None]] | None = None,
) -> list[Shortfall]:
    """Lagging/behind/not-achieved indicators (one line per short unit for per-unit ones) and overdue tasks, worst
    first. With `department_id`, only what that unit leads, shares or is assessed on; with `only`, of the indicator
    lines only these (indicator, unit or None) — a lead department's indicators have thousands of short units, and
    its page shows the worst hundred (`unit_index`)."""
    found: list[Shortfall] = []
    for result in results:
        plan = result.plan
        for row in result.indicators:
            assigned = any(a.department_id == department_id for a in row.indicator.assignment_list)
            if row.units:
                for unit_row in row.units:
                    if only is not None and (row.indicator.id, unit_row.department.id) not in only:
                        continue
                    if unit_row.evaluation.status in SHORT and (
                        department_id in (None, unit_row.department.id) or assigned
                    ):
                        target = own(targets, row.indicator, unit_row.department.id, "target")
                        found.append(_indicator_shortfall(plan, row, unit_row.evaluation, target, unit_row.department))
            elif (
                row.status in SHORT
                and (department_id is None or assigned)
                and (only is None or (row.indicator.id, None) in only)
            ):
                found.append(_indicator_shortfall(plan, row, row.evaluation, row.indicator.target))
        for task_row in tasks.get(plan.id, []):
            mine = department_id is None or department_id in task_row.department_ids
            if task_row.state == TaskState.OVERDUE and mine:
                task = task_row.task  # a missed deadline is final: as severe as 未完成, the longest overdue first
                due = task.due_date.toordinal() if task.due_date else 0  # overdue: it has one
                key = (engine.STATUS_SEVERITY[Status.NOT_ACHIEVED], 1, due, plan.code, task.order)
                found.append(Shortfall(plan, TaskState.OVERDUE.value, key, lead=task_row.lead, task=task_row))
    return sorted(found, key=lambda s: s.sort_key)


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


# --- indicator page -----------------------------------------------------------------------------------------------
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
    history: list[HistoryEntry]
    has_demo: bool
    gap_unit: str | Promise
    adds_up: adding_up.IndicatorExtras | None = None  # formula parts, split coverage, child plans' contributions


HISTORY_LIMIT = 100
_ACTIONS = {"+": _("新增"), "~": _("修改"), "-": _("删除")}


def _history(indicator: Indicator, ids: list[int]) -> list[HistoryEntry]:
    """Who changed which figure when, old → new, latest first (two queries; diffs computed in memory).

    Only the figures behind the latest HISTORY_LIMIT changes are read, each with its whole history (so every diff
    has its "before"): a province indicator has thousands of history rows across 100 counties.
    """
    latest = (
        IndicatorValue.history.filter(indicator_id__in=ids)
        .order_by("-history_date", "-history_id")
        .values_list("id", flat=True)[:HISTORY_LIMIT]
    )
    records = (
        IndicatorValue.history.filter(indicator_id__in=ids, id__in=set(latest))
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
        _history(ind, [pk for pk, _name in extras.parts] if ind.formula else [ind.pk]),
        row.has_demo,
        gap_unit(ind),
        extras,
    )
