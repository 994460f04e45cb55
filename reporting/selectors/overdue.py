"""催报: which units still owe figures or progress reports for a period, counted in the database.

A unit owes, in a period, every indicator it enters (a per-unit indicator for each of its plan's assessed units, a
plan-level one for the unit that reports it — see `indicators.access.reporting_unit_id`) and every task it leads or
is responsible for, in the active plans whose years contain the period; a formula is computed, so nobody owes it.
That rule is written once, as SQL (`_obligations`), so that one query counts what every unit owes per status and
picks the first items of each outstanding status, without loading the items: the units are ranked from the counts
(kept in the pages' cache), and only the units of the page shown have their items' names and reporters read.

Every function runs a fixed number of queries whatever the number of units or items (pinned in
tests/reporting/test_queries.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection

from indicators.models import Indicator, IndicatorAssignment, IndicatorValue, ReviewStatus, TaskProgress
from plans.models import Department, Membership, Plan, ReportingPeriod, Role, Task, TaskAssignment
from plans.roles import REPORTER
from reporting.selectors.review import ENTRY_ROLES
from talentplan import pagecache

VALUE, TASK = "value", "task"
# What the page calls each status; "" is an item with nothing saved yet for the period (未填报).
MISSING, DRAFT, RETURNED = "", ReviewStatus.DRAFT.value, ReviewStatus.RETURNED.value
SUBMITTED = ReviewStatus.SUBMITTED.value


@dataclass
class UnitDue:
    department: Department
    total: int = 0
    missing_count: int = 0
    draft_count: int = 0
    returned_count: int = 0
    submitted: int = 0
    approved: int = 0
    has_reporter: bool = False
    named: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # status → first (kind, id) owed
    # Filled by `name_outstanding` for the units shown: the reporters' names and the first items of each kind.
    reporters: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    draft: list[str] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)

    @property
    def outstanding(self) -> int:
        return self.missing_count + self.draft_count + self.returned_count

    @property
    def more_than(self) -> int:
        """The largest count of one kind: the page offers the unit's reporting page when it exceeds what is named."""
        return max(self.missing_count, self.draft_count, self.returned_count)


@dataclass
class OverdueReport:
    period: ReportingPeriod
    overdue: bool  # the deadline has passed
    units: list[UnitDue]  # units with something outstanding, most outstanding first
    complete: int  # units that have reported everything


def _obligations() -> str:
    """SQL (a WITH clause) naming `owed (kind, obj, unit, plan_id, pos, status)`: every item a unit must report in the
    period, with its review status ('' when nothing is saved); parameters: `_obligation_params(period)`. Where both
    an estimate and an official figure exist, the official one's status counts, as on the reporting page."""
    plan, units = Plan._meta.db_table, Plan.assessed_units.through._meta.db_table
    indicator, assignment = Indicator._meta.db_table, IndicatorAssignment._meta.db_table
    task, task_assignment = Task._meta.db_table, TaskAssignment._meta.db_table
    value, progress = IndicatorValue._meta.db_table, TaskProgress._meta.db_table
    return f"""
WITH plans AS (
    SELECT id, issuer_id FROM {plan} WHERE status = %s AND start_year <= %s AND end_year >= %s
), obligations AS (
    SELECT 'value' AS kind, i.id AS obj, au.department_id AS unit, i.plan_id AS plan_id, i."order" AS pos
    FROM {indicator} i JOIN plans p ON p.id = i.plan_id JOIN {units} au ON au.plan_id = i.plan_id
    WHERE i.formula = '' AND i.per_unit
    UNION ALL
    SELECT 'value', i.id, COALESCE(
        i.reporting_unit_id,
        (SELECT a.department_id FROM {assignment} a
         WHERE a.indicator_id = i.id AND a.role = %s AND a.department_id IS NOT NULL
         ORDER BY a."order", a.id LIMIT 1),
        p.issuer_id), i.plan_id, i."order"
    FROM {indicator} i JOIN plans p ON p.id = i.plan_id
    WHERE i.formula = '' AND NOT i.per_unit
    UNION ALL
    SELECT DISTINCT 'task', t.id, ta.department_id, t.plan_id, t."order"
    FROM {task_assignment} ta JOIN {task} t ON t.id = ta.task_id JOIN plans p ON p.id = t.plan_id
    WHERE ta.role IN (%s, %s) AND ta.department_id IS NOT NULL
), period_values AS (
    SELECT indicator_id, department_id, basis, status FROM {value} WHERE period_id = %s
), owed AS (
    SELECT o.kind, o.obj, o.unit, o.plan_id, o.pos,
           COALESCE(CASE WHEN o.kind = 'value' THEN COALESCE(official.status, estimate.status) ELSE tp.status END, '')
           AS status
    FROM obligations o
    LEFT JOIN period_values official ON o.kind = 'value' AND official.indicator_id = o.obj
        AND official.department_id = o.unit AND official.basis = %s
    LEFT JOIN period_values estimate ON o.kind = 'value' AND estimate.indicator_id = o.obj
        AND estimate.department_id = o.unit AND estimate.basis <> %s
    LEFT JOIN {progress} tp ON o.kind = 'task' AND tp.task_id = o.obj AND tp.department_id = o.unit
        AND tp.period_id = %s
)"""


def _obligation_params(period: ReportingPeriod) -> list[str | int]:
    return [
        Plan.Status.ACTIVE.value,
        period.year,
        period.year,
        Role.LEAD.value,
        *(role.value for role in ENTRY_ROLES),
        period.pk,
        IndicatorValue.Basis.OFFICIAL.value,
        IndicatorValue.Basis.OFFICIAL.value,
        period.pk,
    ]


_Counts = tuple[int, int, int, int, int]  # total, missing, draft, returned, submitted
_Owed = tuple[_Counts, dict[str, list[tuple[str, int]]]]  # and the first (kind, id) of each outstanding status


def _owed_by_unit(period: ReportingPeriod, named: int) -> dict[int, _Owed]:
    """Unit id → what it owes, counted per status, with the first items of each outstanding status in the plans'
    printed order, indicators before tasks (one query, one pass over the period's figures)."""
    sql = (
        _obligations()
        + """, sizes AS (
    SELECT unit, status, COUNT(*) AS size FROM owed GROUP BY unit, status
), ranked AS (
    SELECT unit, status, kind, obj, ROW_NUMBER() OVER (
        PARTITION BY unit, status ORDER BY CASE WHEN kind = 'value' THEN 0 ELSE 1 END, plan_id, pos, obj) AS n
    FROM owed WHERE status IN (%s, %s, %s)
)
SELECT s.unit, s.status, s.size, r.kind, r.obj
FROM sizes s LEFT JOIN ranked r ON r.unit = s.unit AND r.status = s.status AND r.n <= %s
ORDER BY s.unit, s.status, r.n"""
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_obligation_params(period), MISSING, DRAFT, RETURNED, named])
        rows = cursor.fetchall()
    sizes: dict[int, dict[str, int]] = defaultdict(dict)
    first: dict[int, dict[str, list[tuple[str, int]]]] = defaultdict(lambda: defaultdict(list))
    for unit, status, size, kind, obj in rows:
        sizes[unit][status] = size
        if obj is not None:  # one of the first items of an outstanding status
            first[unit][status].append((kind, obj))
    result: dict[int, _Owed] = {}
    for unit, size in sizes.items():
        counts = (
            sum(size.values()),
            size.get(MISSING, 0),
            size.get(DRAFT, 0),
            size.get(RETURNED, 0),
            size.get(SUBMITTED, 0),
        )
        result[unit] = (counts, dict(first[unit]))
    return result


def _unit_due(department: Department, owed: _Owed, has_reporter: bool) -> UnitDue:
    (total, missing, draft, returned, submitted), named = owed
    return UnitDue(
        department,
        total=total,
        missing_count=missing,
        draft_count=draft,
        returned_count=returned,
        submitted=submitted,
        approved=total - missing - draft - returned - submitted,  # any other status is a decided figure
        has_reporter=has_reporter,
        named=named,
    )


def overdue_report(*, period: ReportingPeriod, today: dt.date, named: int = 10) -> OverdueReport:
    """Every unit with something outstanding, counted, most outstanding first, then in the units' order (three
    queries; the counts are kept in the pages' cache until a figure, a progress report or a plan changes). The first
    `named` items of each kind and the reporters are named by `name_outstanding`, for the units shown."""
    owed = pagecache.cached("overdue", [period.pk, named], lambda: _owed_by_unit(period, named), statuses=True)
    behind = [unit for unit, ((_total, *outstanding, _submitted), _named) in owed.items() if sum(outstanding)]
    staffed = set(
        Membership.objects.filter(department_id__in=behind, user__groups__name=REPORTER, user__is_active=True)
        .values_list("department_id", flat=True)
        .distinct()
    )
    units = [
        _unit_due(department, owed[department.pk], department.pk in staffed)
        for department in Department.objects.filter(pk__in=behind).order_by("order", "name")
    ]
    units.sort(key=lambda u: -u.outstanding)
    overdue = bool(period.deadline and today > period.deadline) or period.state != ReportingPeriod.State.OPEN
    return OverdueReport(period=period, overdue=overdue, units=units, complete=len(owed) - len(units))


def name_outstanding(units: Sequence[UnitDue]) -> None:
    """Name, for the given units only, their reporters and the first items of each outstanding kind (three
    queries)."""
    if not units:
        return
    labels = _labels({item for due in units for items in due.named.values() for item in items})
    for due in units:
        for status, attribute in ((MISSING, "missing"), (DRAFT, "draft"), (RETURNED, "returned")):
            setattr(due, attribute, [labels[item] for item in due.named.get(status, [])])
    reporters = reporter_names([due.department.pk for due in units])
    for due in units:
        due.reporters = reporters.get(due.department.pk, [])


def _labels(items: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    indicators = [obj for kind, obj in items if kind == VALUE]
    tasks = [obj for kind, obj in items if kind == TASK]
    labels = {(VALUE, pk): name for pk, name in Indicator.objects.filter(pk__in=indicators).values_list("pk", "name")}
    for pk, number, text in Task.objects.filter(pk__in=tasks).values_list("pk", "number", "text"):
        labels[(TASK, pk)] = f"{number}{text[:30]}"
    return labels


def reporter_names(unit_ids: Iterable[int]) -> dict[int, list[str]]:
    """Unit id → its active 填报员's names, by username (one query)."""
    names: dict[int, list[str]] = defaultdict(list)
    for dept, username, first, last in (
        Membership.objects.filter(department_id__in=list(unit_ids), user__groups__name=REPORTER, user__is_active=True)
        .values_list("department_id", "user__username", "user__first_name", "user__last_name")
        .order_by("user__username")
    ):
        names[dept].append(f"{last}{first}".strip() or username)
    return names


def units_reporting(periods: Sequence[ReportingPeriod]) -> dict[int, int]:
    """Period id → how many units report something in it, for the periods that can still be closed or locked (what
    those actions stop is named in their confirmation). Obligations depend on the year only: one query a year."""
    per_year: dict[int, int] = {}
    result = {}
    for period in periods:
        if period.state == ReportingPeriod.State.LOCKED:
            continue
        if period.year not in per_year:
            with connection.cursor() as cursor:
                sql = _obligations() + "\nSELECT COUNT(DISTINCT unit) FROM obligations"
                cursor.execute(sql, _obligation_params(period))
                per_year[period.year] = cursor.fetchone()[0]
        result[period.pk] = per_year[period.year]
    return result
