"""Reads behind one unit's dashboard page (单位): its items, shortfalls, reporting timeliness and its rank among
its sibling units, in a constant number of queries.

At province scale a county is named for or assessed on ~800 indicators and ranked among a hundred counties. The
page first reads what the unit carries as plain rows (`dashboard.selectors.unit_index`: which items and shortfalls there
are, worst first, what it owes, how it ranks), then evaluates in full only the indicators it shows (the worst
hundred of each list). The siblings' own verdicts are counted by the database over the stored verdicts, once
per data version for all of them; what their pages read alike (the running plans, their lead units, the index's rows)
is kept once per data version too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.db.models import Count, Q
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from dashboard import charts
from dashboard.selectors import unit_index
from dashboard.selectors.common import (
    GOOD,
    TASK_GOOD,
    PeriodChoice,
    Status,
    TaskRow,
    TaskState,
    demo_shown,
    latest_progress,
    task_row_of,
    task_state,
    unit_targets,
)
from dashboard.selectors.shortfalls import (
    PER_PAGE,
    Shortfall,
    ShortfallFilter,
    ShortfallList,
    admitted,
    page_of,
    shortfalls,
)
from dashboard.selectors.timeliness import TimelinessRow, timeliness
from dashboard.selectors.units import Leads, read_leads
from indicators import engine
from indicators.evaluation.calendar import Calendar, PlanPhase, stored_date
from indicators.evaluation.models import Verdict
from indicators.evaluation.selectors import IndicatorResult, Judged, PlanResult, Units, plan_results, plans_queryset
from indicators.models import IndicatorAssignment, IndicatorValue, TaskProgress
from plans.models import Department, Plan, TaskAssignment
from talentplan import pagecache


@dataclass
class UnitItem:
    """One indicator or task a unit is named for, with its roles and the status that counts for it."""

    plan: Plan
    roles: list[str]
    status: str
    row: IndicatorResult | None = None
    evaluation: Judged | None = None  # the unit's own instance for per-unit indicators
    task: TaskRow | None = None


@dataclass
class DepartmentPage:
    department: Department
    indicators: list[UnitItem]
    tasks: list[UnitItem]
    shortfall_list: ShortfallList  # one page, filtered, worst first
    timeliness: list[TimelinessRow]
    ranking: list[charts.Ranked[Department]]
    position: charts.Ranked[Department] | None
    ranking_chart: SafeString
    has_demo: bool
    indicator_total: int = 0  # items in all; `indicators` holds the worst `limit`

    @property
    def shortfalls(self) -> list[Shortfall]:
        return self.shortfall_list.rows

    @property
    def shortfall_total(self) -> int:
        return self.shortfall_list.total

    @property
    def timeliness_total(self) -> TimelinessRow:
        return TimelinessRow(None, *(sum(getattr(r, f) for r in self.timeliness) for f in TimelinessRow.COUNTS))


def _roles(assignments: Iterable, unit_id: int) -> list[str]:
    return list(dict.fromkeys(str(a.get_role_display()) for a in assignments if a.department_id == unit_id))


def unit_items(
    unit_id: int, results: list[PlanResult], tasks: dict[int, list[TaskRow]]
) -> tuple[list[UnitItem], list[UnitItem]]:
    """What a unit leads, shares or is assessed on, resolved by department FK (collectives are not expanded)."""
    indicators, own_tasks = [], []
    for result in results:
        for row in result.indicators:
            roles = _roles(row.indicator.assignment_list, unit_id)
            mine = next((u.evaluation for u in row.units if u.department.id == unit_id), None)
            if mine is not None:
                roles.append(str(_("考核对象")))
            evaluation = mine or row.evaluation
            if roles and evaluation.status != Status.NOT_APPLICABLE:
                indicators.append(UnitItem(result.plan, roles, evaluation.status.value, row, evaluation))
        for task_row in tasks.get(result.plan.id, []):
            if unit_id in task_row.department_ids:
                own_tasks.append(
                    UnitItem(result.plan, _roles(task_row.assignments, unit_id), task_row.state.value, task=task_row)
                )
    return indicators, own_tasks


def rank_units(
    units: list[Department], results: list[PlanResult], tasks: dict[int, list[TaskRow]]
) -> list[charts.Ranked[Department]]:
    """Units with items, by share of their items achieved/on track (tasks: done or in progress). Items without data
    count as not good: a unit cannot climb by not reporting.

    The items are those of `unit_items` (named in an assignment or assessed), counted in one pass over the results:
    asking `unit_items` per unit cost units² × indicators, which a province of a hundred counties cannot afford.
    """
    wanted = {u.id for u in units}
    items: Counter[int] = Counter()
    good: Counter[int] = Counter()
    for result in results:
        for row in result.indicators:
            own = {u.department.id: u.evaluation for u in row.units if u.department.id in wanted}
            named = {a.department_id for a in row.indicator.assignment_list if a.department_id in wanted}
            for unit_id in own.keys() | named:
                status = (own.get(unit_id) or row.evaluation).status
                if status != Status.NOT_APPLICABLE:
                    items[unit_id] += 1
                    good[unit_id] += status in GOOD
        for task_row in tasks.get(result.plan.id, []):
            for unit_id in task_row.department_ids & wanted:
                items[unit_id] += 1
                good[unit_id] += task_row.state in TASK_GOOD
    rows = [charts.Ranked(unit, unit.name, items[unit.id], good[unit.id]) for unit in units if items[unit.id]]
    return charts.competition_rank(rows)


def rank_siblings(
    units: list[Department],
    index: unit_index.UnitIndex,
    task_states: Iterable[tuple[frozenset[int], TaskState]],
    as_of: dt.date,
) -> list[charts.Ranked[Department]]:
    """`rank_units` from the unit index: the units' own verdicts under per-unit indicators are counted by the
    database over the stored verdicts, the items they are named on from the index's rows, and their tasks (the
    units each names, its state)."""
    wanted = sorted(u.id for u in units)
    members = set(wanted)
    items: Counter[int] = Counter()
    good: Counter[int] = Counter()
    per_unit = [ind.pk for ind in index.indicators if ind.per_unit]
    if per_unit and any(unit_id in members for _plan, unit_id in index.assessed):
        dates = {ind.pk: stored_date(ind.plan, as_of) for ind in index.indicators if ind.per_unit}
        for unit_id, n, n_good in _own_verdict_counts(dates, wanted):
            items[unit_id] += n
            good[unit_id] += n_good
    named_items, named_good = index.named_counts(members)
    items.update(named_items)
    good.update(named_good)
    for named, state in task_states:
        for unit_id in named & members:
            items[unit_id] += 1
            good[unit_id] += state in TASK_GOOD
    rows = [charts.Ranked(unit, unit.name, items[unit.id], good[unit.id]) for unit in units if items[unit.id]]
    return charts.competition_rank(rows)


def _own_verdict_counts(dates: dict[int, dt.date], unit_ids: list[int]) -> list[tuple[int, int, int]]:
    """(unit, items judged, items achieved or on track) over the stored verdicts of these units.

    The same for every sibling's page (≈ 80 000 verdicts for a hundred counties): kept per data version, so only the
    first sibling page after a change counts them.
    """

    def count() -> list[tuple[int, int, int]]:
        when = Q(pk__in=[])
        for day in set(dates.values()):
            when |= Q(as_of=day, indicator_id__ids=sorted(i for i, d in dates.items() if d == day))
        counted = (
            Verdict.objects.filter(when, unit_id__ids=unit_ids)
            .exclude(status=Status.NOT_APPLICABLE.value)
            .order_by()
            .values("unit_id")
            # Counted over a column of verdict_unit_as_of_status (never empty), not the id, which the index lacks:
            # read from the index alone instead of visiting every row.
            .annotate(n=Count("status"), n_good=Count("status", filter=Q(status__in=[s.value for s in GOOD])))
        )
        return list(counted.values_list("unit_id", "n", "n_good"))

    digest = hashlib.md5(f"{sorted(dates.items())}|{unit_ids}".encode()).hexdigest()
    return pagecache.cached("unit-verdict-counts", (digest,), count)


def department_page(
    department: Department,
    choice: PeriodChoice,
    *,
    limit: int | None = None,
    filters: ShortfallFilter | None = None,
    per_page: int = PER_PAGE,
) -> DepartmentPage:
    """The unit's page: its items worst first (the first `limit`, None for all), one page of its shortfalls
    (filtered), its tasks, timeliness and rank. What is counted, ranked and cut comes from the unit index (rows,
    no verdict decoded); only the indicators shown are then evaluated in full."""
    as_of = choice.as_of
    calendar = choice.calendar or Calendar.load()
    choice = replace(choice, calendar=calendar)  # read once, for the plans and the verdicts alike
    shared = _siblings(department.parent_id, calendar, as_of)
    siblings, plans, leads = shared.units, shared.plans, shared.leads
    index = unit_index.build(department, plans, as_of, shared.rows)
    filters = filters or ShortfallFilter()
    shown = _read_shown(department.id, shared, index, filters, limit, per_page, choice)
    indicators, own_tasks = _sorted_items(department.id, shown.results, shown.tasks)
    listed = _shortfall_page(department.id, plans, shown, leads, filters, per_page)
    ranking = rank_siblings(siblings, index, shown.task_states, as_of)
    has_demo = any(i.task.latest.is_demo for i in own_tasks if i.task and i.task.latest) or (
        bool(shown.ids) and demo_shown(IndicatorValue.objects.filter(indicator_id__ids=sorted(shown.ids)), as_of)
    )
    return DepartmentPage(
        department,
        indicators[:limit],
        own_tasks,
        listed,
        timeliness(department, index.owed(department.id), choice.periods, as_of),
        ranking,
        next((r for r in ranking if r.key == department), None),
        charts.ranking_bars(ranking, department),
        has_demo,
        indicator_total=shown.item_total,
    )


@dataclass(frozen=True)
class _Siblings:
    """What the pages of every unit under one parent read alike: the units (ranked together), the running plans
    naming any of them, those plans' lead units, the rows of the unit index and the plans' tasks as (task, due
    date, the departments it names) — a unit's page evaluates in full only its own tasks, and ranks its siblings by
    all of them."""

    units: list[Department]
    plans: list[Plan]
    leads: Leads
    rows: unit_index.Rows
    tasks: list[tuple[int, dt.date | None, frozenset[int]]]


def _siblings(parent_id: int | None, calendar: Calendar, as_of: dt.date) -> _Siblings:
    """`_Siblings`, kept per data version: a hundred counties' pages read the same plans, leads and rows."""

    def read() -> _Siblings:
        units = list(Department.objects.filter(parent_id=parent_id))  # None: the roots, IS NULL
        plans = _running_plans([u.id for u in units], calendar, as_of)
        plan_ids = [p.id for p in plans]
        return _Siblings(units, plans, read_leads(plan_ids), unit_index.read_rows(plans), _task_names(plan_ids))

    return pagecache.cached("unit-siblings", (parent_id, as_of.isoformat()), read)


def _task_names(plan_ids: list[int]) -> list[tuple[int, dt.date | None, frozenset[int]]]:
    """(task, due date, the departments its assignments name) of every task of these plans that names one."""
    named: dict[tuple[int, dt.date | None], set[int]] = {}
    assignments = TaskAssignment.objects.filter(task__plan_id__ids=plan_ids, department__isnull=False).order_by()
    for task_id, due, department_id in assignments.values_list("task_id", "task__due_date", "department_id"):
        named.setdefault((task_id, due), set()).add(department_id)
    return [(pk, due, frozenset(units)) for (pk, due), units in named.items()]


@dataclass
class _Shown:
    """What the page evaluates in full: the indicators of the items and shortfall lines it can show, with tasks."""

    ids: set[int]
    item_total: int  # the unit's items in all
    lines: list[unit_index.ShortLine]  # every indicator shortfall the filters admit, worst first
    window: list[unit_index.ShortLine]  # those that can be on the page asked for
    results: list[PlanResult]
    tasks: dict[int, list[TaskRow]]  # the unit's own tasks (named in an assignment), evaluated in full
    task_states: list[tuple[frozenset[int], TaskState]]  # every task of the plans: the units it names, its state


def _read_shown(
    unit_id: int,
    shared: _Siblings,
    index: unit_index.UnitIndex,
    filters: ShortfallFilter,
    limit: int | None,
    per_page: int,
    choice: PeriodChoice,
) -> _Shown:
    items = index.items(unit_id)
    lines = _short_lines(index, shared.leads, filters, unit_id)
    window = lines[: filters.page * per_page]
    shown = {pk for _key, pk in items[:limit]} | {line.indicator_id for line in window}
    results = plan_results(
        shared.plans,
        as_of=choice.as_of,
        indicator_ids=sorted(shown),
        units=Units.named(unit_id),
        calendar=choice.calendar,
    )
    progress = latest_progress([p.id for p in shared.plans], choice.as_of)
    tasks = _own_tasks(unit_id, shared, progress, choice.as_of)
    states = [(named, task_state(progress.get(pk), due, choice.as_of)) for pk, due, named in shared.tasks]
    return _Shown(shown, len(items), lines, window, results, tasks, states)


def _own_tasks(
    unit_id: int, shared: _Siblings, progress: dict[int, TaskProgress], as_of: dt.date
) -> dict[int, list[TaskRow]]:
    """Plan → the tasks naming this unit, with their assignments and states (one query: a task naming the unit has
    an assignment, so its assignments bring it along)."""
    by_task: dict[int, list[TaskAssignment]] = {}
    assignments = (
        TaskAssignment.objects.filter(task_id__ids=[pk for pk, _due, named in shared.tasks if unit_id in named])
        .select_related("task__section", "department", "group")
        .order_by("task__plan_id", "task__order", "task_id", "role", "order")
    )
    for assignment in assignments:
        by_task.setdefault(assignment.task_id, []).append(assignment)
    plans = {p.pk: p for p in shared.plans}
    found: dict[int, list[TaskRow]] = {}
    for listed in by_task.values():
        task = listed[0].task
        found.setdefault(task.plan_id, []).append(task_row_of(task, plans[task.plan_id], listed, progress, as_of))
    return found


def _sorted_items(
    unit_id: int, results: list[PlanResult], tasks: dict[int, list[TaskRow]]
) -> tuple[list[UnitItem], list[UnitItem]]:
    """`unit_items`, worst first: indicators by status, tasks by state, each then by plan and order."""
    indicators, own_tasks = unit_items(unit_id, results, tasks)
    indicators.sort(
        key=lambda i: (engine.STATUS_SEVERITY[Status(i.status)], i.plan.code, i.row.indicator.order if i.row else 0)
    )
    own_tasks.sort(
        key=lambda i: (list(TaskState).index(TaskState(i.status)), i.plan.code, i.task.task.order if i.task else 0)
    )
    return indicators, own_tasks


def _shortfall_page(
    unit_id: int, plans: list[Plan], shown: _Shown, leads: Leads, filters: ShortfallFilter, per_page: int
) -> ShortfallList:
    """The page of shortfalls asked for: the window's lines evaluated in full, the overdue tasks the filters admit,
    counted with every line of the index."""
    only = {(line.indicator_id, line.unit_id) for line in shown.window}
    found = shortfalls(
        shown.results,
        shown.tasks,
        unit_targets([p.id for p in plans], unit_id, indicator_ids={pk for pk, _unit in only}),
        department_id=unit_id,
        only=only,
    )
    overdue = sum(1 for s in found if s.task is not None and admitted(s, leads, filters))
    return page_of(found, leads, filters, total=len(shown.lines) + overdue, per_page=per_page, plans=plans)


def _running_plans(unit_ids: list[int], calendar: Calendar, as_of: dt.date) -> list[Plan]:
    """The running plans naming, assessing or issued by these units (已结束 plans: on their own pages)."""
    plans = (
        plans_queryset()
        .exclude(status__in=[Plan.Status.DRAFT, Plan.Status.ARCHIVED])
        .filter(
            Q(pk__in=IndicatorAssignment.objects.filter(department_id__in=unit_ids).values("indicator__plan_id"))
            | Q(pk__in=TaskAssignment.objects.filter(department_id__in=unit_ids).values("task__plan_id"))
            | Q(pk__in=Plan.assessed_units.through.objects.filter(department_id__in=unit_ids).values("plan_id"))
            | Q(issuer_id__in=unit_ids)  # an issuer reports the indicators nobody else is named for
        )
    )
    return [p for p in plans if calendar.phase(p, as_of) == PlanPhase.RUNNING]


def _short_lines(
    index: unit_index.UnitIndex, leads: Leads, filters: ShortfallFilter, unit_id: int
) -> list[unit_index.ShortLine]:
    """The unit's indicator shortfalls the filters admit, worst first (from the index: no verdict decoded)."""
    if not filters.indicators_wanted:
        return []
    by_pk = {ind.pk: ind for ind in index.indicators}
    status = {severity: s.value for s, severity in engine.STATUS_SEVERITY.items()}
    kept = []
    for line in index.short_lines(unit_id):
        ind = by_pk[line.indicator_id]
        if filters.admits(ind.plan, leads.for_indicator(ind), status[line.sort_key[0]], ind.kind):
            kept.append(line)
    return kept
