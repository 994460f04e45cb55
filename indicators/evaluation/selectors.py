"""The one read path from stored verdicts to what every page, the workbook, `plan_report` and the API show.

`plan_results()` reads, for the plans asked, their indicators and the verdicts stored at the viewed date (the plan's
own end once it is over), in a fixed number of queries whatever the number of plans, indicators or units. Nothing
here evaluates: verdicts are written by `evaluation.services` when what they depend on changes. A verdict that is
not there yet (a plan just loaded, its recalculation still running) reads as "正在计算", never as a made-up status.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast

from indicators import engine
from indicators.evaluation.calendar import Calendar, PlanPhase, stored_date
from indicators.evaluation.models import Recalculation, Verdict
from indicators.evaluation.payload import Outcome, restore
from indicators.models import Indicator, IndicatorAssignment
from plans.models import Department, Plan, ReportingPeriod, Role, Task, TaskAssignment

Status = engine.Status
_STATUSES = {s.value: s for s in Status}  # a dict lookup: Status(value) costs an enum call per stored row


class StoredEvaluation:
    """An evaluation read back from storage: the status is a column, the rest is decoded on first use (a province
    department page counts 80 000 verdicts and reads the detail of a hundred)."""

    __slots__ = ("status", "_raw", "_outcome", "_has_demo", "_short")

    def __init__(self, status: str, raw: str | dict[str, Any], has_demo: bool = False, short_units: int = 0) -> None:
        self.status = _STATUSES[status]
        self._raw = raw
        self._has_demo = has_demo
        self._short = short_units
        self._outcome: Outcome | None = None

    @property
    def severity(self) -> int:
        return engine.STATUS_SEVERITY[self.status]

    def outcome(self) -> Outcome:
        if self._outcome is None:
            payload = json.loads(self._raw) if isinstance(self._raw, str) else self._raw
            self._outcome = restore(payload, has_demo=self._has_demo, short_units=self._short)
        return self._outcome

    def __getattr__(self, name: str) -> Any:  # an engine.Evaluation's attribute, typed there
        return getattr(self.outcome().evaluation, name)


Judged = engine.Evaluation | StoredEvaluation


def decoded(judged: Judged) -> engine.Evaluation:
    """The engine's evaluation behind a verdict, a stored one decoded (as its attributes are on first use)."""
    return judged.outcome().evaluation if isinstance(judged, StoredEvaluation) else judged


def placeholder(code: str, **args: engine.Arg) -> engine.Evaluation:
    return engine.Evaluation(Status.NO_DATA, (engine.Reason.of(code, **args),))


@dataclass
class UnitResult:
    department: Department
    evaluation: Judged

    @property
    def outcome(self) -> Outcome:
        ev = self.evaluation
        return ev.outcome() if isinstance(ev, StoredEvaluation) else Outcome(ev)

    @property
    def basis(self) -> str:
        return self.outcome.basis

    @property
    def unreviewed(self) -> bool:
        return self.outcome.unreviewed

    @property
    def has_demo(self) -> bool:
        return self.outcome.has_demo


@dataclass
class IndicatorResult:
    indicator: Indicator
    evaluation: Judged
    units: list[UnitResult] = field(default_factory=list)

    @property
    def status(self) -> Status:
        return self.evaluation.status

    @property
    def outcome(self) -> Outcome:
        ev = self.evaluation
        return ev.outcome() if isinstance(ev, StoredEvaluation) else Outcome(ev)

    basis = property(lambda self: self.outcome.basis)
    estimate = property(lambda self: self.outcome.estimate)
    unreviewed = property(lambda self: self.outcome.unreviewed)
    has_demo = property(lambda self: self.outcome.has_demo)
    short_units = property(lambda self: self.outcome.short_units)

    @property
    def lead(self) -> list[str]:
        return self.indicator.names_for(Role.LEAD)

    @property
    def responsible(self) -> list[str]:
        return self.indicator.names_for(Role.RESPONSIBLE)

    @property
    def cooperating(self) -> list[str]:
        return self.indicator.names_for(Role.COOPERATING)


@dataclass
class PlanResult:
    plan: Plan
    as_of: dt.date  # the viewed date
    indicators: list[IndicatorResult]
    tasks: list[Task]
    phase: PlanPhase = PlanPhase.RUNNING
    stored_as_of: dt.date | None = None  # the date whose verdicts are shown (the plan's end once it is over)
    provisional: bool = False  # the viewed period is still open: verdicts are 填报中
    recalculation: Recalculation | None = None  # a plan-wide recalculation under way: verdicts being refreshed

    def counts(self) -> dict[str, int]:
        counts = {status.value: 0 for status in Status}
        for row in self.indicators:
            counts[row.status.value] += 1
        return counts

    @property
    def completion(self) -> Decimal | None:
        """Share of assessable targets achieved or on track (the plan's overall standing)."""
        judged = [r for r in self.indicators if r.status not in (Status.NOT_APPLICABLE, Status.NO_DATA)]
        if not judged:
            return None
        good = sum(1 for r in judged if r.status in engine.GOOD_STATUSES)
        return (Decimal(good) / Decimal(len(judged))).quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class Units:
    """Which unit rows come under per-unit indicators."""

    mode: str = "all"  # all | none | one | named
    unit_id: int | None = None

    @classmethod
    def one(cls, unit_id: int) -> Units:
        """Only that unit's rows (its reporting page)."""
        return cls("one", unit_id)

    @classmethod
    def named(cls, unit_id: int) -> Units:
        """That unit's rows, and every unit's under the indicators that name it (a lead department's page)."""
        return cls("named", unit_id)


ALL_UNITS = Units("all")
NO_UNITS = Units("none")


def assignment_list() -> Prefetch[str, QuerySet[IndicatorAssignment], str]:
    """`Indicator.assignment_list` for many indicators: plain lists, in printed order."""
    return Prefetch(
        "assignments",
        to_attr="_assignment_list",
        queryset=IndicatorAssignment.objects.select_related("department", "group").order_by("role", "order"),
    )


def plans_queryset(codes: Iterable[str] | None = None) -> QuerySet[Plan]:
    """Plans as pages list them, each marked `recalculating` (so pages ask for the progress only when one is)."""
    busy = Recalculation.objects.filter(plan=OuterRef("pk"), state__in=BUSY)
    qs = Plan.objects.select_related("issuer").annotate(recalculating=Exists(busy)).order_by("-end_year", "code")
    if codes:
        qs = qs.filter(code__in=list(codes))
    return qs


def plan_results(
    plans: Iterable[Plan],
    *,
    as_of: dt.date,
    indicator_ids: Iterable[int] | None = None,
    units: Units = ALL_UNITS,
    tasks: bool = False,
    calendar: Calendar | None = None,
) -> list[PlanResult]:
    """The stored verdicts of these plans' indicators viewed at `as_of` (a period's end)."""
    plans = list(plans)
    calendar = calendar or Calendar.load()
    qs = Indicator.objects.filter(plan_id__in=[p.pk for p in plans])
    if indicator_ids is not None:
        qs = qs.filter(pk__ids=list(indicator_ids))
    indicators: list[Indicator] = list(
        qs.select_related("section", "task")
        .prefetch_related(assignment_list(), Prefetch("milestones", to_attr="milestone_list"))
        .order_by("plan_id", "order")
    )
    dates = {p.pk: stored_date(p, as_of) for p in plans if calendar.phase(p, as_of) != PlanPhase.NOT_STARTED}
    stored = _read(indicators, dates, units)
    jobs = recalculations(plans)
    by_plan: dict[int, list[IndicatorResult]] = defaultdict(list)
    for ind in indicators:
        by_plan[ind.plan_id].append(_result(ind, stored, dates, units))
    task_map = _tasks([p.pk for p in plans]) if tasks else {}
    return [
        PlanResult(
            p,
            as_of,
            by_plan[p.pk],
            task_map.get(p.pk, []),
            calendar.phase(p, as_of),
            dates.get(p.pk),
            not calendar.is_closed(as_of),
            jobs.get(p.pk),
        )
        for p in plans
    ]


_Rows = dict[int, tuple[StoredEvaluation | None, dict[int, tuple[Department, StoredEvaluation]]]]


def _read(indicators: list[Indicator], dates: dict[int, dt.date], units: Units) -> _Rows:
    """Indicator → (its own line, unit → (unit, verdict)), one query."""
    by_date: dict[dt.date, list[int]] = defaultdict(list)
    for ind in indicators:
        if ind.plan_id in dates:
            by_date[dates[ind.plan_id]].append(ind.pk)
    if not by_date:
        return {}
    where = Q(pk__in=[])
    for as_of, ids in by_date.items():
        where |= Q(as_of=as_of, indicator_id__ids=ids)
    found: _Rows = {}
    departments: dict[int, Department] = {}
    wanted_units: list[tuple[int, int, StoredEvaluation]] = []
    for indicator_id, unit_id, status, raw, demo, short in _rows(indicators, where, units).iterator(chunk_size=10000):
        verdict = StoredEvaluation(status, raw, demo, short)
        if unit_id is None:
            found.setdefault(indicator_id, (None, {}))
            found[indicator_id] = (verdict, found[indicator_id][1])
        else:
            wanted_units.append((indicator_id, unit_id, verdict))
    if wanted_units:
        departments = Department.objects.in_bulk({u for _i, u, _v in wanted_units})
    for indicator_id, unit_id, verdict in wanted_units:
        found.setdefault(indicator_id, (None, {}))[1][unit_id] = (departments[unit_id], verdict)
    return found


_COLUMNS = ("indicator_id", "unit_id", "status", "payload_text", "has_demo", "short_units")


def _rows(indicators: list[Indicator], where: Q, units: Units) -> QuerySet[Verdict, tuple[Any, ...]]:
    """The verdict rows `units` asks for, as plain columns. The indicators' own lines and units' rows are read as a
    UNION ALL of disjoint parts, each on its own index: one OR of them made the planner read every unit's verdicts
    of the indicators at the date (a lead department's page)."""
    rows = Verdict.objects.filter(where).annotate(payload_text=Cast("payload", TextField()))
    lines = rows.filter(unit__isnull=True).values_list(*_COLUMNS)
    if units.mode == "all":
        # The lines and every unit's rows each on its own (partial) index by indicator and date: as one condition
        # the planner read the indicators' verdicts of every date and kept the date's (most of a report's query).
        return lines.union(rows.filter(unit__isnull=False).values_list(*_COLUMNS), all=True)
    if units.mode == "none":
        return lines
    if units.mode == "one":
        return lines.union(rows.filter(unit_id=units.unit_id).values_list(*_COLUMNS), all=True)
    naming = [i.pk for i in indicators if any(a.department_id == units.unit_id for a in i.assignment_list)]
    own = rows.filter(unit_id=units.unit_id).exclude(indicator_id__ids=naming).values_list(*_COLUMNS)
    named = rows.filter(indicator_id__ids=naming, unit__isnull=False).values_list(*_COLUMNS)
    return lines.union(own, named, all=True)


def _result(ind: Indicator, stored: _Rows, dates: dict[int, dt.date], units: Units) -> IndicatorResult:
    if ind.plan_id not in dates:
        return IndicatorResult(ind, placeholder("not_started", year=ind.plan.start_year))
    own, unit_rows = stored.get(ind.pk, (None, {}))
    evaluation: Judged = own if own is not None else placeholder("pending_computation")
    listed: list[UnitResult] = []
    if ind.per_unit and units.mode != "none":
        ordered = sorted(unit_rows.values(), key=lambda pair: (pair[0].order, pair[0].name))
        listed = [UnitResult(dept, verdict) for dept, verdict in ordered]
    return IndicatorResult(ind, evaluation, listed)


BUSY = [Recalculation.State.PENDING, Recalculation.State.RUNNING]


def recalculations(plans: Sequence[Plan]) -> dict[int, Recalculation]:
    """Plan → its newest recalculation under way. No query when the plans came from `plans_queryset` and none
    is being recalculated."""
    wanted = [p.pk for p in plans if getattr(p, "recalculating", True)]
    if not wanted:
        return {}
    busy = Recalculation.objects.filter(plan_id__in=wanted, state__in=BUSY).order_by("requested_at")
    return {job.plan_id: job for job in busy}


def _tasks(plan_ids: list[int]) -> dict[int, list[Task]]:
    task_assignments = Prefetch(
        "assignments", queryset=TaskAssignment.objects.select_related("department", "group").order_by("role", "order")
    )
    found: dict[int, list[Task]] = defaultdict(list)
    for task in (
        Task.objects.filter(plan_id__in=plan_ids)
        .select_related("section")
        .prefetch_related(task_assignments)
        .order_by("plan_id", "order")
    ):
        found[task.plan_id].append(task)
    return found


def unit_statuses(
    plans: Iterable[Plan], *, as_of: dt.date, unit_ids: Iterable[int] | None = None
) -> dict[int, list[tuple[int, Status]]]:
    """Indicator → (unit, status) of every unit's stored verdict under these plans' per-unit indicators at `as_of`:
    the status column only, for counts over many units (the all-plans workbook's 单位情况 of a province)."""
    calendar = Calendar.load()
    where = Q(pk__in=[])
    for plan in plans:
        if calendar.phase(plan, as_of) != PlanPhase.NOT_STARTED:
            where |= Q(indicator__plan_id=plan.pk, as_of=stored_date(plan, as_of))
    rows = Verdict.objects.filter(where, unit__isnull=False)
    if unit_ids is not None:
        rows = rows.filter(unit_id__ids=list(unit_ids))
    found: dict[int, list[tuple[int, Status]]] = defaultdict(list)
    for indicator_id, unit_id, status in rows.order_by().values_list("indicator_id", "unit_id", "status"):
        found[indicator_id].append((unit_id, _STATUSES[status]))
    return found


def unit_verdict(result: IndicatorResult, unit_id: int) -> Judged:
    """One unit's verdict under a per-unit indicator (read with `Units.one`), or the indicator's own line."""
    if not result.indicator.per_unit:
        return result.evaluation
    for row in result.units:
        if row.department.pk == unit_id:
            return row.evaluation
    return placeholder("no_data")


def viewed_label(label: str, end: dt.date, plan: Plan) -> str:
    """The period a carried figure is said to be missing from: the one viewed (`label`, ending `end`), or the plan's
    last year when the view is past the plan's end and its verdicts are read there (a plan over in 2014 was due no
    figure in 2025Q3)."""
    if end > plan.end_date:
        return str(ReportingPeriod(kind=ReportingPeriod.Kind.YEAR, year=plan.end_year, index=1).label)
    return label


def first(rows: Sequence[PlanResult]) -> PlanResult:
    (result,) = rows
    return result
