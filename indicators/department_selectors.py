"""Reads behind one unit's dashboard page (单位): its items, shortfalls, reporting timeliness and its rank among
its sibling units, in a constant number of queries.

At province scale a county's siblings are a hundred counties on ~800 indicators: ranking them from evaluated
results meant reading ~80 000 stored verdicts into Python (2.3 s). The page now reads the plan-wide lines plus its
own unit's rows (`evaluate_plans(for_unit=…)`), and the siblings' per-unit verdicts are counted by the database
from the evaluation snapshots that call has just brought up to date.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from django.db.models import Case, Count, IntegerField, Max, Q, Value, When
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from indicators import data_version, engine
from indicators.access import reporting_unit_id
from indicators.dashboard_selectors import (
    GOOD,
    TASK_GOOD,
    PeriodChoice,
    Shortfall,
    Status,
    TaskRow,
    TaskState,
    demo_shown,
    latest_progress,
    shortfalls,
    task_rows,
    unit_targets,
)
from indicators.models import EvaluationSnapshot, IndicatorAssignment, IndicatorValue
from indicators.selectors import COUNTED_STATUSES, IndicatorResult, PlanResult, evaluate_plans, plans_queryset
from plans import charts
from plans.models import Department, Plan, ReportingPeriod, TaskAssignment


@dataclass
class UnitItem:
    """One indicator or task a unit is named for, with its roles and the status that counts for it."""

    plan: Plan
    roles: list[str]
    status: str
    row: IndicatorResult | None = None
    evaluation: engine.Evaluation | None = None  # the unit's own instance for per-unit indicators
    task: TaskRow | None = None


@dataclass
class TimelinessRow:
    COUNTS: ClassVar = ("on_time", "late", "missing", "pending")
    period: ReportingPeriod | None
    on_time: int = 0
    late: int = 0
    missing: int = 0
    pending: int = 0


@dataclass
class DepartmentPage:
    department: Department
    indicators: list[UnitItem]
    tasks: list[UnitItem]
    shortfalls: list[Shortfall]
    timeliness: list[TimelinessRow]
    ranking: list[charts.Ranked]
    position: charts.Ranked | None
    ranking_chart: SafeString
    has_demo: bool

    @property
    def timeliness_total(self) -> TimelinessRow:
        return TimelinessRow(None, *(sum(getattr(r, f) for r in self.timeliness) for f in TimelinessRow.COUNTS))


def _roles(assignments: Iterable, unit_id: int) -> list[str]:
    return list(dict.fromkeys(str(a.get_role_display()) for a in assignments if a.department_id == unit_id))


def unit_items(unit_id: int, results: list[PlanResult],
               tasks: dict[int, list[TaskRow]]) -> tuple[list[UnitItem], list[UnitItem]]:
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
                own_tasks.append(UnitItem(result.plan, _roles(task_row.task.assignments.all(), unit_id),
                                          task_row.state.value, task=task_row))
    return indicators, own_tasks


def rank_units(units: list[Department], results: list[PlanResult],
               tasks: dict[int, list[TaskRow]]) -> list[charts.Ranked]:
    """Units with items, by share of their items achieved/on track (tasks: done or in progress). Items without data
    count as not good: a unit cannot climb by not reporting.

    The items are those of `unit_items` (named in an assignment or assessed), counted in one pass over the results:
    asking `unit_items` per unit cost units² × indicators at province scale (7 s for 100 counties).
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


def rank_siblings(units: list[Department], results: list[PlanResult], tasks: dict[int, list[TaskRow]],
                  as_of: dt.date) -> list[charts.Ranked]:
    """`rank_units` for results that list under per-unit indicators only some units (`for_unit`): the units' own
    verdicts are counted by the database over the evaluation snapshots at `as_of`, which must be current for these
    plans (the `evaluate_plans` call that produced `results` made them so). Two queries."""
    wanted = sorted(u.id for u in units)
    plan_ids = [r.plan.id for r in results]
    assessed = set(Plan.assessed_units.through.objects.filter(plan_id__in=plan_ids, department_id__in=wanted)
                   .values_list("plan_id", "department_id"))
    items: Counter[int] = Counter()
    good: Counter[int] = Counter()
    per_unit = [row.indicator.id for r in results for row in r.indicators if row.indicator.per_unit]
    if per_unit and assessed:
        for unit_id, n, n_good in _own_verdict_counts(as_of, per_unit, wanted):
            items[unit_id] += n
            good[unit_id] += n_good
    members = set(wanted)
    for result in results:
        for row in result.indicators:
            for unit_id in {a.department_id for a in row.indicator.assignment_list if a.department_id in members}:
                if row.indicator.per_unit and (result.plan.id, unit_id) in assessed:
                    continue  # judged on its own verdict, counted above
                if row.evaluation.status != Status.NOT_APPLICABLE:
                    items[unit_id] += 1
                    good[unit_id] += row.evaluation.status in GOOD
        for task_row in tasks.get(result.plan.id, []):
            for unit_id in task_row.department_ids & members:
                items[unit_id] += 1
                good[unit_id] += task_row.state in TASK_GOOD
    rows = [charts.Ranked(unit, unit.name, items[unit.id], good[unit.id]) for unit in units if items[unit.id]]
    return charts.competition_rank(rows)


def _own_verdict_counts(as_of: dt.date, indicator_ids: list[int], unit_ids: list[int]) -> list[tuple[int, int, int]]:
    """(unit, items judged, items achieved or on track) over the stored verdicts of these units.

    The same for every sibling's page (≈ 80 000 verdicts for a hundred counties): kept per data version, so only the
    first sibling page after a change counts them.
    """
    def count() -> list[tuple[int, int, int]]:
        counted = (EvaluationSnapshot.objects.filter(as_of=as_of, indicator_id__in=indicator_ids, unit_id__in=unit_ids)
                   .exclude(status=Status.NOT_APPLICABLE.value).order_by().values("unit_id")
                   .annotate(n=Count("id"), n_good=Count("id", filter=Q(status__in=[s.value for s in GOOD]))))
        return list(counted.values_list("unit_id", "n", "n_good"))

    digest = hashlib.md5(f"{sorted(indicator_ids)}|{unit_ids}".encode()).hexdigest()
    return data_version.cached("unit-verdict-counts", (as_of, digest), count)


def timeliness(unit: Department, results: list[PlanResult], periods: list[ReportingPeriod],
               as_of: dt.date) -> list[TimelinessRow]:
    """Per period with a deadline: figures this unit owes that came in by the deadline, late, or not at all.

    Owed: per-unit indicators it is assessed on, and plan-level ones it reports, for every period with a deadline
    inside the plan's years up to `as_of`. Counted figures without a submission time (loaded from the documents)
    count as on time: nothing shows they were late.
    """
    owed: dict[int, list[int]] = {}  # indicator id → plan years
    for result in results:
        for row in result.indicators:
            if any(u.department.id == unit.id for u in row.units) or (
                    not row.indicator.per_unit and reporting_unit_id(row.indicator, result.plan) == unit.id):
                owed[row.indicator.id] = [result.plan.start_year, result.plan.end_year]
    due = [p for p in periods if p.deadline is not None and p.end <= as_of]
    if not owed or not due:
        return []
    # On time = by the deadline, local date: before the local midnight after it. The database says per figure
    # whether any submission (estimate or official) came in time — ≈ 16 000 figures a county at province, whose
    # timestamps were most of this function when read into Python. No submission time (figures loaded from the
    # documents) counts as on time: nothing shows they were late.
    in_time = [When(submitted_at__isnull=True, then=Value(1))] + [
        When(period_id=p.id, then=Value(1), submitted_at__lt=timezone.make_aware(
            dt.datetime.combine(p.deadline + dt.timedelta(days=1), dt.time.min))) for p in due]
    flags = (IndicatorValue.objects.filter(department=unit, indicator_id__in=list(owed), status__in=COUNTED_STATUSES,
                                           period_id__in=[p.id for p in due])
             .order_by().values_list("indicator_id", "period_id")
             .annotate(on_time=Max(Case(*in_time, default=Value(0), output_field=IntegerField()))))
    submitted = {(indicator_id, period_id): on_time for indicator_id, period_id, on_time in flags}
    today = timezone.localdate()
    rows = []
    for period in due:
        row = TimelinessRow(period)
        for indicator_id, (first, last) in owed.items():
            if not first <= period.year <= last:
                continue
            on_time = submitted.get((indicator_id, period.id))
            if on_time is None:
                row.missing, row.pending = (row.missing + 1, row.pending) if period.deadline < today else (
                    row.missing, row.pending + 1)
            elif on_time:
                row.on_time += 1
            else:
                row.late += 1
        if any(getattr(row, f) for f in TimelinessRow.COUNTS):
            rows.append(row)
    return rows


def department_page(department: Department, choice: PeriodChoice) -> DepartmentPage:
    as_of = choice.as_of
    siblings = list(Department.objects.filter(parent_id=department.parent_id))  # None: the roots, IS NULL
    ids = [s.id for s in siblings]
    plans = list(plans_queryset().filter(status=Plan.Status.ACTIVE).filter(
        Q(pk__in=IndicatorAssignment.objects.filter(department_id__in=ids).values("indicator__plan_id"))
        | Q(pk__in=TaskAssignment.objects.filter(department_id__in=ids).values("task__plan_id"))
        | Q(pk__in=Plan.assessed_units.through.objects.filter(department_id__in=ids).values("plan_id"))
        | Q(issuer_id__in=ids)))  # an issuer reports the indicators nobody else is named for
    plan_ids = [p.id for p in plans]
    results = evaluate_plans(plans, as_of=as_of, include_tasks=True, for_unit=department)
    progress = latest_progress(plan_ids, as_of)
    tasks = {r.plan.id: task_rows(r, progress) for r in results}
    indicators, own_tasks = unit_items(department.id, results, tasks)
    indicators.sort(key=lambda i: (engine.STATUS_SEVERITY[Status(i.status)], i.plan.code, i.row.indicator.order))
    own_tasks.sort(key=lambda i: (list(TaskState).index(TaskState(i.status)), i.plan.code, i.task.task.order))
    ranking = rank_siblings(siblings, results, tasks, as_of)
    shown_ids = [i.row.indicator.id for i in indicators]
    has_demo = any(i.task.latest.is_demo for i in own_tasks if i.task.latest) or (
        bool(shown_ids) and demo_shown(IndicatorValue.objects.filter(indicator_id__in=shown_ids), as_of))
    return DepartmentPage(
        department, indicators, own_tasks,
        shortfalls(results, tasks, unit_targets(plan_ids, department.id), department_id=department.id),
        timeliness(department, results, choice.periods, as_of), ranking,
        next((r for r in ranking if r.key.id == department.id), None),
        charts.ranking_bars(ranking, department), has_demo,
    )
