"""What one unit carries across its plans, read as tuples: the department page's first pass.

A county at province scale is named for or assessed on ~800 indicators, and its page lists the worst hundred items
and the worst hundred shortfalls. Loading every indicator with its units, milestones and decoded verdicts to find
those hundred cost more than everything else on the page. This pass reads plain rows instead — indicators,
assignments, assessed units and the stored verdicts' status columns — and decides from them which items and
shortfalls are shown, how many there are, what the unit owes for reporting timeliness and how the siblings rank.
Only the shown indicators are then evaluated in full (`department_selectors.department_page`).

It follows `evaluation.selectors.plan_results(units=Units.named(unit))` exactly: under a per-unit indicator the
unit's own verdict when it is assessed in the plan, every assessed unit's when it is named on the indicator. A verdict
not stored yet (a recalculation under way) reads as no data.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from indicators import engine
from indicators.evaluation.calendar import stored_date
from indicators.evaluation.models import Verdict as StoredVerdict
from indicators.models import Indicator, IndicatorAssignment
from plans.models import Department, Plan, Role
from talentplan import pagecache

Status = engine.Status
SHORT = {s.value for s in engine.SHORT_STATUSES}
GOOD = {s.value for s in engine.GOOD_STATUSES}
NOT_APPLICABLE = Status.NOT_APPLICABLE.value
ROLE_LABELS = dict(Role.choices)


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str
    severity: int
    ratio: Decimal  # payload.sort_ratio of the evaluation: progress against expected progress


@dataclass(slots=True)
class IndexedIndicator:
    pk: int
    plan: Plan
    per_unit: bool
    order: int
    reporting_unit_id: int | None
    kind: str = ""
    task_id: int | None = None  # where a lead unit is inherited from when it names none (`units.Leads`)
    section_id: int | None = None
    roles: list[str] = field(default_factory=list)  # role values of this unit's assignments, in printed order
    named: set[int] = field(default_factory=set)  # every unit named on it, any role
    first_lead: int | None = None
    line: Verdict | None = None  # the indicator's own line
    units: dict[int, Verdict] = field(default_factory=dict)  # the unit rows the page reads

    def reporter(self) -> int:
        """As `access.reporting_unit_id`: reporting unit, else the first lead unit, else the issuer."""
        return self.reporting_unit_id or self.first_lead or self.plan.issuer_id


@dataclass(frozen=True, slots=True)
class ShortLine:
    """One shortfall line the page may show: the indicator's own line (unit None) or one unit's."""

    sort_key: tuple
    indicator_id: int
    unit_id: int | None


@dataclass
class UnitIndex:
    indicators: list[IndexedIndicator]
    assessed: set[tuple[int, int]]  # (plan, unit) for the plans read
    unit_names: dict[int, str]
    by_plan: dict[int, list[int]] = field(default_factory=dict)  # plan → its assessed units

    def __post_init__(self) -> None:
        for plan_id, unit_id in sorted(self.assessed):
            self.by_plan.setdefault(plan_id, []).append(unit_id)

    def listed_units(self, ind: IndexedIndicator, unit_id: int) -> list[int]:
        """The unit rows `plan_results(units=Units.named(unit))` lists under a per-unit indicator."""
        if not ind.per_unit:
            return []
        if unit_id in ind.named:
            return self.by_plan.get(ind.plan.pk, [])
        return [unit_id] if (ind.plan.pk, unit_id) in self.assessed else []

    def item_status(self, ind: IndexedIndicator, unit_id: int) -> str | None:
        """The status an item counts with on the unit's page (as `unit_items`), or None when it is not an item."""
        own = ind.units.get(unit_id) if ind.per_unit and (ind.plan.pk, unit_id) in self.assessed else None
        if not ind.roles and own is None:
            return None
        found = own or ind.line
        if found is None:  # no verdict stored for it yet
            return None
        status = found.status
        return None if status == NOT_APPLICABLE else status

    def items(self, unit_id: int) -> list[tuple[tuple, int]]:
        """(sort key, indicator id) of the unit's items, worst first (the order of the page's list)."""
        found = []
        for ind in self.indicators:
            status = self.item_status(ind, unit_id)
            if status is not None:
                found.append(((engine.STATUS_SEVERITY[Status(status)], ind.plan.code, ind.order), ind.pk))
        return sorted(found)

    def short_lines(self, unit_id: int) -> list[ShortLine]:
        """The indicator shortfalls of the unit's page (as `dashboard_selectors.shortfalls`), worst first."""
        found = []
        for ind in self.indicators:
            assigned = unit_id in ind.named
            listed = self.listed_units(ind, unit_id)
            if listed:
                for u in listed:
                    v = ind.units.get(u)
                    if v is not None and v.status in SHORT and (u == unit_id or assigned):
                        key = (v.severity, 0, v.ratio, ind.plan.code, ind.order, self.unit_names.get(u, ""))
                        found.append(ShortLine(key, ind.pk, u))
            elif ind.line is not None and ind.line.status in SHORT and assigned:
                key = (ind.line.severity, 0, ind.line.ratio, ind.plan.code, ind.order, "")
                found.append(ShortLine(key, ind.pk, None))
        return sorted(found, key=lambda s: s.sort_key)

    def owed(self, unit_id: int) -> dict[int, tuple[int, int, int]]:
        """Indicator → (plan, first year, last year), for what the unit reports (as `timeliness.timeliness` reads
        them)."""
        return {
            ind.pk: (ind.plan.pk, ind.plan.start_year, ind.plan.end_year)
            for ind in self.indicators
            if (ind.per_unit and (ind.plan.pk, unit_id) in self.assessed)
            or (not ind.per_unit and ind.reporter() == unit_id)
        }

    def named_counts(self, members: set[int]) -> tuple[Counter[int], Counter[int]]:
        """Items and good items per unit from the indicators it is named on and judged by the indicator's own line
        (per-unit indicators of a plan assessing the unit are judged on its own verdict, counted elsewhere)."""
        items: Counter[int] = Counter()
        good: Counter[int] = Counter()
        for ind in self.indicators:
            if ind.line is None or ind.line.status == NOT_APPLICABLE:
                continue
            for unit_id in ind.named & members:
                if ind.per_unit and (ind.plan.pk, unit_id) in self.assessed:
                    continue
                items[unit_id] += 1
                good[unit_id] += ind.line.status in GOOD
        return items, good


@dataclass(frozen=True)
class Rows:
    """The plain rows the index is made of that are the same for every unit (`read_rows`): the plans' indicators,
    their assignments to departments and the plans' assessed units."""

    indicators: Sequence[tuple[int, int, bool, int, int | None, str, int | None, int | None]]
    assignments: Sequence[tuple[int, str, int, int]]  # indicator, role, department, order; by role, order, pk
    assessed: Sequence[tuple[int, int, str]]  # plan, department, its name


def read_rows(plans: list[Plan]) -> Rows:
    """The index's rows every unit of these plans shares (three queries)."""
    ids = [p.pk for p in plans]
    indicators = list(
        Indicator.objects.filter(plan_id__in=ids)
        .order_by("plan_id", "order")
        .values_list("pk", "plan_id", "per_unit", "order", "reporting_unit_id", "kind", "task_id", "section_id")
    )
    assignments = [
        row
        for row in IndicatorAssignment.objects.filter(indicator_id__ids=[row[0] for row in indicators])
        .order_by("role", "order", "pk")
        .values_list("indicator_id", "role", "department_id", "order")
        if row[2] is not None  # a collective: not a department's
    ]
    assessed = list(
        Plan.assessed_units.through.objects.filter(plan_id__in=ids).values_list(
            "plan_id", "department_id", "department__name"
        )
    )
    return Rows(indicators, assignments, assessed)


def build(unit: Department, plans: list[Plan], as_of: dt.date, rows: Rows | None = None) -> UnitIndex:
    """The index of `unit` over `plans` at `as_of` (one query for the verdicts, three more without `rows`)."""
    rows = rows or read_rows(plans)
    plan_by_id = {p.pk: p for p in plans}
    indicators: dict[int, IndexedIndicator] = {}
    for pk, plan_id, per_unit, order, reporting_unit, kind, task_id, section_id in rows.indicators:
        indicators[pk] = IndexedIndicator(
            pk, plan_by_id[plan_id], per_unit, order, reporting_unit, kind, task_id, section_id
        )
    lead_order: dict[int, int] = {}
    for indicator_id, role, department_id, order in rows.assignments:
        ind = indicators[indicator_id]
        ind.named.add(department_id)
        if department_id == unit.pk and role not in ind.roles:
            ind.roles.append(role)
        if role == Role.LEAD and (ind.first_lead is None or order < lead_order[indicator_id]):
            ind.first_lead, lead_order[indicator_id] = department_id, order
    assessed: set[tuple[int, int]] = set()
    unit_names: dict[int, str] = {}
    for plan_id, department_id, name in rows.assessed:
        assessed.add((plan_id, department_id))
        unit_names[department_id] = name
    index = UnitIndex(list(indicators.values()), assessed, unit_names)
    wanted = {ind.pk: index.listed_units(ind, unit.pk) for ind in index.indicators}
    _read_verdicts(unit.pk, indicators, wanted, as_of)
    return index


def _read_verdicts(
    unit_id: int, indicators: dict[int, IndexedIndicator], wanted: dict[int, list[int]], as_of: dt.date
) -> None:
    """The status columns of the stored verdicts these indicators' lines and listed units need, read per plan and
    kept under each plan's generation (`pagecache.per_plan`): a figure under one plan reads that plan's again."""
    by_plan: dict[int, list[int]] = defaultdict(list)
    dates: dict[int, dt.date] = {}
    for pk, ind in indicators.items():
        by_plan[ind.plan.pk].append(pk)
        dates[ind.plan.pk] = stored_date(ind.plan, as_of)

    def read(plan_ids: list[int]) -> dict[int, list[Row]]:
        return _read_rows(unit_id, {plan_id: by_plan[plan_id] for plan_id in plan_ids}, dates, wanted)

    found = pagecache.per_plan("unit-index-verdicts", (unit_id, as_of.isoformat()), list(by_plan), read)
    lines: dict[int, Verdict] = {}
    units: dict[int, dict[int, Verdict]] = defaultdict(dict)
    for rows in found.values():
        for indicator_id, row_unit, status, severity, ratio in rows:
            if row_unit is None:
                lines[indicator_id] = Verdict(status, severity, ratio)
            else:
                units[indicator_id][row_unit] = Verdict(status, severity, ratio)
    for pk, ind in indicators.items():
        ind.line = lines.get(pk)
        ind.units = units.get(pk, {})


# indicator, unit (None: the indicator's own line), status, severity, sort ratio
Row = tuple[int, int | None, str, int, Decimal]


def _read_rows(
    unit_id: int, by_plan: dict[int, list[int]], dates: dict[int, dt.date], wanted: dict[int, list[int]]
) -> dict[int, list[Row]]:
    """Plan → the verdict rows of its indicators the index needs (one query for all these plans).

    Three reads in one UNION, each on the index made for it: the indicators' own lines, the unit's rows, every
    unit's rows of the indicators naming it. As one OR the planner read every date's verdicts of the plans' indicators
    and kept the viewed date's (a lead department's page: the whole table's worth of pages).
    """
    plan_of = {pk: plan_id for plan_id, ids in by_plan.items() for pk in ids}
    every_unit = {pk for pk in plan_of if any(u != unit_id for u in wanted[pk])}
    by_date: dict[dt.date, list[int]] = defaultdict(list)
    for plan_id, ids in by_plan.items():
        by_date[dates[plan_id]].extend(ids)

    def dated(keep: set[int] | None = None) -> Q:
        when = Q(pk__in=[])
        for day, ids in by_date.items():
            kept = [pk for pk in ids if keep is None or pk in keep]
            if kept:
                when |= Q(as_of=day, indicator_id__ids=kept)
        return when

    columns = ("indicator_id", "unit_id", "status", "severity", "sort_ratio")
    parts = [
        StoredVerdict.objects.filter(dated(), unit__isnull=True),
        StoredVerdict.objects.filter(dated(), unit_id=unit_id),
    ]
    if every_unit:  # another unit's row is only ever listed as a shortfall (`short_lines`): only those are read
        others = StoredVerdict.objects.filter(dated(every_unit), unit__isnull=False, status__in=sorted(SHORT))
        parts.append(others.exclude(unit_id=unit_id))
    first, *rest = [part.order_by().values_list(*columns) for part in parts]
    found: dict[int, list[Row]] = {plan_id: [] for plan_id in by_plan}
    for indicator_id, row_unit, status, severity, ratio in first.union(*rest, all=True):
        if row_unit is None or row_unit in wanted[indicator_id]:
            found[plan_of[indicator_id]].append((indicator_id, row_unit, status, severity, ratio))
    return found
