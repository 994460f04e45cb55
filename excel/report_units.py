"""The 单位情况 and 考核排名 of the assessment report: what each unit carries and reports, its score and rank, and the
units' names as the workbook prints them (with their government where the report spans several).

Part of `gather_report` (`report_data.py`); the types it fills are declared there.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from indicators import access, engine
from indicators.evaluation.explain import status_label
from indicators.models import COUNTED_STATUSES, IndicatorValue, TaskProgress
from plans.models import Department, Plan, ReportingPeriod, Role

if TYPE_CHECKING:
    from excel.report_data import FoldedUnit, IndicatorRow, PeriodInfo, PlanSection

SHORTFALL = engine.SHORT_STATUSES


@dataclass
class UnitLine:
    department: Department
    indicators: int = 0
    tasks: int = 0
    shortfalls: list[str] = field(default_factory=list)
    due: int = 0
    reported: int = 0
    on_time: int = 0
    # From the assessment scheme of this plan and period, when one is out of draft (考核得分与排名).
    score: Decimal | None = None
    rank: int | None = None
    group: str = ""
    group_rank: int | None = None
    vetoed: bool = False

    @property
    def late(self) -> int:
        return self.reported - self.on_time

    @property
    def missing(self) -> int:
        return self.due - self.reported

    @property
    def timeliness(self) -> Decimal | None:
        return None if not self.due else (Decimal(self.on_time) / Decimal(self.due)).quantize(Decimal("0.0001"))


@dataclass
class Ranking:
    """考核排名 of one scheme: each group with its units by rank within the group (`SchemeResult.groups`)."""

    plan: Plan
    title: str
    final: bool  # every unit's assessment finalized
    groups: list[tuple[str, list[Any]]]  # (group, assessment.selectors.UnitRow by group rank)


def add_scores(
    units: list[UnitLine], plans: Sequence[Plan], info: PeriodInfo, user: User | AnonymousUser | None
) -> list[Ranking]:
    """Fill score and rank from the assessment schemes of these plans for exactly this period (not drafts); return
    the rankings the reader may see.

    Ranks of a scheme whose bulletin is unpublished stay hidden from units, as on the assessment pages.
    """
    if info.period is None or not units:
        return []
    from assessment.dashboard_panels import ranks_visible
    from assessment.models import AssessmentScheme
    from assessment.selectors import results_for_schemes

    schemes = list(
        AssessmentScheme.objects.filter(plan__in=list(plans), period=info.period)
        .exclude(status=AssessmentScheme.Status.DRAFT)
        .select_related("plan", "period", "bulletin")
        .order_by("plan__code", "pk")
    )
    if not schemes:
        return []
    by_unit = {u.department.pk: u for u in units}
    rankings: list[Ranking] = []
    results = results_for_schemes(schemes, with_previous=False)
    for scheme in schemes:
        show_rank = user is None or ranks_visible(user, scheme)
        result = results[scheme.pk]
        for row in result.rows:
            line = by_unit.get(row.unit.pk)
            if line is None:
                continue
            line.score, line.group, line.vetoed = row.score, row.group, row.vetoed
            if show_rank:
                line.rank, line.group_rank = row.rank, row.group_rank
        if show_rank and result.rows:
            final = all(r.finalized for r in result.rows)
            rankings.append(Ranking(scheme.plan, scheme.title, final, result.groups()))
    return rankings


def printed_names(plans: Sequence[Plan], unit_ids: Iterable[int]) -> tuple[dict[int, str], dict[int, str]]:
    """(unit id → its name as the workbook prints it, plan id → the plan's government to put before its own units'
    names). A report spanning several governments (roots of the unit tree) says whose unit each one is: "吴兴区
    区财政局"; a report of one government keeps the names as they are and puts nothing before them."""
    tree = {pk: (parent, name) for pk, parent, name in Department.objects.values_list("pk", "parent_id", "name")}
    roots: dict[int, int] = {}

    def root(pk: int) -> int:
        found = roots.get(pk)
        if found is None:
            parent = tree[pk][0]
            found = roots[pk] = pk if parent is None or parent not in tree else root(parent)
        return found

    ids = {pk for pk in unit_ids if pk in tree}
    issuers = {p.pk: p.issuer_id for p in plans if p.issuer_id in tree}
    several = len({root(pk) for pk in ids} | {root(pk) for pk in issuers.values()}) > 1
    if not several:
        return {pk: tree[pk][1] for pk in ids}, {}
    names = {pk: tree[pk][1] if root(pk) == pk else f"{tree[root(pk)][1]} {tree[pk][1]}" for pk in ids}
    return names, {plan: tree[root(issuer)][1] for plan, issuer in issuers.items()}


@dataclass
class _Carried:
    """What each unit carries, collected over the report's lines (`unit_lines`)."""

    departments: dict[int, Department] = field(default_factory=dict)
    indicators: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    tasks: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    due_ind: set[tuple[int, int]] = field(default_factory=set)  # (indicator, unit) the unit must report this period
    due_task: set[tuple[int, int]] = field(default_factory=set)
    shortfalls: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    reporting_ids: set[int] = field(default_factory=set)

    def add_indicators(self, section: PlanSection) -> None:
        plan = section.plan
        folded: dict[int, list[FoldedUnit]] = defaultdict(list)
        for f in section.unit_rows:
            folded[f.indicator.pk].append(f)
        for row in section.indicators:  # in the plan's order, each unit's line right after its indicator's
            ind = row.result.indicator
            ind_id = ind.id  # plain attributes, not `.pk` (a property call): ~30 000 lines
            if row.unit is not None:
                units = [(row.unit.department, row.unit.evaluation.status)]
            else:
                units = [(f.department, f.status) for f in folded.get(ind_id, [])]
                self.add_holders(row, plan)
            for dept, status in units:
                dept_id = dept.id
                self.departments[dept_id] = dept
                self.indicators[dept_id].add(ind_id)
                self.due_ind.add((ind_id, dept_id))
                if status in SHORTFALL:
                    self.shortfalls[dept_id].append(f"{ind.name}（{status_label(status)}）")

    def add_holders(self, row: IndicatorRow, plan: Plan) -> None:
        """An indicator's own line: carried by its lead and responsible units and, for a plan-level one, its
        reporter."""
        ind = row.result.indicator
        holders: set[int] = set()
        for a in ind.assignment_list:
            if a.department is not None and a.role in (Role.LEAD, Role.RESPONSIBLE):
                self.departments[a.department.pk] = a.department
                holders.add(a.department.pk)
        if not ind.per_unit:
            reporter = access.reporting_unit_id(ind, plan)
            self.reporting_ids.add(reporter)
            holders.add(reporter)
            self.due_ind.add((ind.pk, reporter))
        for dept_id in holders:
            self.indicators[dept_id].add(ind.pk)
            if row.result.status in SHORTFALL:
                self.shortfalls[dept_id].append(f"{ind.name}（{status_label(row.result.status)}）")

    def add_tasks(self, section: PlanSection) -> None:
        for task_row in section.tasks:
            for a in task_row.task.assignments.all():
                if a.department is not None and a.role in (Role.LEAD, Role.RESPONSIBLE):
                    self.departments[a.department.pk] = a.department
                    self.tasks[a.department.pk].add(task_row.task.pk)
                    self.due_task.add((task_row.task.pk, a.department.pk))


def unit_lines(sections: list[PlanSection], info: PeriodInfo, visible_units: set[int] | None) -> list[UnitLine]:
    """Per unit: items carried (lead, responsible, reporting or assessed), shortfalls, and reporting timeliness."""
    carried = _Carried()
    for section in sections:
        carried.add_indicators(section)
        carried.add_tasks(section)
    departments = carried.departments
    missing = carried.reporting_ids - set(departments)
    if missing:
        departments.update({d.pk: d for d in Department.objects.filter(pk__in=missing)})
    unit_ids = set(carried.indicators) | set(carried.tasks)
    if visible_units is not None:
        unit_ids &= visible_units
    lines: dict[int, UnitLine] = {}
    for dept_id in unit_ids:
        lines[dept_id] = UnitLine(
            departments[dept_id],
            len(carried.indicators[dept_id]),
            len(carried.tasks[dept_id]),
            carried.shortfalls[dept_id],
        )
    for _item, dept_id in carried.due_ind | carried.due_task:
        if dept_id in lines:
            lines[dept_id].due += 1
    if info.period is not None and lines:
        _count_reports(lines, info.period, carried.due_ind, carried.due_task)
    # Keep each government's units together (the root first), then in the tree's order.
    return sorted(
        lines.values(),
        key=lambda line: (
            line.department.parent_id or line.department.pk,
            line.department.parent_id is not None,
            line.department.order,
            line.department.name,
        ),
    )


def _count_reports(
    lines: dict[int, UnitLine], period: ReportingPeriod, due_ind: set[tuple[int, int]], due_task: set[tuple[int, int]]
) -> None:
    """Each unit's items reported for the period, and how many on time (submitted by the deadline, local date)."""
    deadline = period.deadline
    # Aware datetimes are compared with the local midnight after the deadline instead of converting each one
    # (≈ 11 k figures at province).
    cutoff: dt.datetime | None = None
    if deadline is not None and settings.USE_TZ:
        cutoff = timezone.make_aware(dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time.min))
    indicator_ids = {i for i, _d in due_ind}
    task_ids = {t for t, _d in due_task}
    seen: set[tuple[str, int, int]] = set()
    value_rows = IndicatorValue.objects.filter(
        period=period, indicator_id__in=indicator_ids, department_id__in=lines, status__in=COUNTED_STATUSES
    ).values_list("indicator_id", "department_id", "submitted_at")
    task_rows = TaskProgress.objects.filter(
        period=period, task_id__in=task_ids, department_id__in=lines, status__in=COUNTED_STATUSES
    ).values_list("task_id", "department_id", "submitted_at")
    for kind, rows, due in (("i", value_rows, due_ind), ("t", task_rows, due_task)):
        for item_id, dept_id, submitted_at in rows:
            key = (kind, item_id, dept_id)
            if key in seen or (item_id, dept_id) not in due:
                continue  # an estimate and an official figure for one item count once
            seen.add(key)
            line = lines[dept_id]
            line.reported += 1
            if (
                deadline is None
                or submitted_at is None
                or (
                    submitted_at < cutoff
                    if cutoff is not None and timezone.is_aware(submitted_at)
                    else _local_date(submitted_at) <= deadline
                )
            ):
                line.on_time += 1


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
