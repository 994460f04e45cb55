"""Reads that turn stored plans and values into engine evaluations, in a constant number of queries.

`evaluate_plans()` is the one door for dashboards, reports and `plan_report`: it fetches indicators, their
assignments, milestones, unit targets and every counted value for the plans in a fixed set of queries, then calls
the pure engine in memory.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Sum

from indicators import engine, snapshots
from indicators.models import (  # noqa: F401 - COUNTED_STATUSES is read from here by the other selectors
    COUNTED_STATUSES, Indicator, IndicatorAssignment, IndicatorValue, ReviewStatus, UnitTarget,
)
from plans.models import Department, Plan, ReportingPeriod, Role, Task, TaskAssignment



@dataclass
class UnitResult:
    department: Department
    evaluation: engine.Evaluation
    basis: str = ""
    unreviewed: bool = False


class StoredUnitResult(UnitResult):
    """A unit's verdict from a snapshot: basis and review flag are decoded only when shown."""

    def __init__(self, department: Department, verdict: snapshots.StoredVerdict) -> None:  # noqa: D107
        self.department = department
        self.evaluation = verdict.evaluation
        self._verdict = verdict

    basis = property(lambda self: self._verdict.basis)  # type: ignore[assignment]
    unreviewed = property(lambda self: self._verdict.unreviewed)  # type: ignore[assignment]


@dataclass
class IndicatorResult:
    indicator: Indicator
    evaluation: engine.Evaluation
    lead: list[str]
    responsible: list[str]
    basis: str = ""  # basis of the actual used: estimate / official
    estimate: Decimal | None = None  # the estimate kept beside an official figure for the same period
    unreviewed: bool = False
    units: list[UnitResult] = field(default_factory=list)
    has_demo: bool = False  # a demo figure is among the counted values behind this verdict (any unit's)

    @property
    def status(self) -> engine.Status:
        return self.evaluation.status


@dataclass
class PlanResult:
    plan: Plan
    as_of: dt.date
    indicators: list[IndicatorResult]
    tasks: list[Task]

    def counts(self) -> dict[str, int]:
        counts = {status.value: 0 for status in engine.Status}
        for row in self.indicators:
            counts[row.status.value] += 1
        return counts

    @property
    def completion(self) -> Decimal | None:
        """Share of assessable targets achieved or on track (the plan's overall standing)."""
        judged = [r for r in self.indicators if r.status not in (engine.Status.NOT_APPLICABLE, engine.Status.NO_DATA)]
        if not judged:
            return None
        good = sum(1 for r in judged if r.status in (engine.Status.ACHIEVED, engine.Status.ON_TRACK))
        return (Decimal(good) / Decimal(len(judged))).quantize(Decimal("0.0001"))


def thresholds_for(plan: Plan) -> engine.Thresholds:
    return engine.Thresholds(on_track=plan.on_track_ratio, lagging=plan.lagging_ratio, tolerance=plan.approx_tolerance)


def spec_for(indicator: Indicator, plan: Plan, unit_target: UnitTarget | None = None) -> engine.Spec:
    baseline, baseline_year, target = indicator.baseline, indicator.baseline_year, indicator.target
    if unit_target is not None:
        baseline = unit_target.baseline if unit_target.baseline is not None else baseline
        baseline_year = unit_target.baseline_year or baseline_year
        target = unit_target.target if unit_target.target is not None else target
    return engine.Spec(
        kind=engine.Kind(indicator.kind),
        comparison=engine.Comparison(indicator.comparison),
        start_year=plan.start_year,
        end_year=plan.end_year,
        target=target,
        target_year=indicator.target_year,
        baseline=baseline,
        baseline_year=baseline_year,
        target_upper=indicator.target_upper,
        tolerance=indicator.tolerance,
        is_share=indicator.is_share,
        unit=indicator.unit,
        decimals=indicator.decimals,
        milestones=tuple((m.year, m.value) for m in (indicator.milestone_list if hasattr(indicator, "milestone_list")
                                                     else indicator.milestones.all())),
    )


@dataclass(slots=True)
class ValueRow:
    """The columns of an IndicatorValue the evaluation reads. Plain rows, not model instances: at province scale
    (1.5 M values) building model instances with a joined period was most of a dashboard's time."""

    id: int
    indicator_id: int
    period_id: int
    department_id: int
    value: Decimal | None
    basis: str
    status: str
    updated_at: dt.datetime
    period: ReportingPeriod


def current_values(values: Iterable[IndicatorValue]) -> dict[tuple[int, int], tuple[IndicatorValue, IndicatorValue | None]]:
    """(period, department) → (current value, estimate kept beside it). Official beats estimate."""
    chosen: dict[tuple[int, int], tuple[IndicatorValue, IndicatorValue | None]] = {}
    for value in values:
        key = (value.period_id, value.department_id)
        if key not in chosen:
            chosen[key] = (value, None)
            continue
        current, _ = chosen[key]
        official, estimate = (value, current) if value.basis == IndicatorValue.Basis.OFFICIAL else (current, value)
        chosen[key] = (official, estimate if estimate.basis == IndicatorValue.Basis.ESTIMATE else None)
    return chosen


def _observation(value: IndicatorValue) -> engine.Observation:
    period = value.period
    return engine.Observation(
        start=period.start, end=period.end, value=value.value, granularity=period.granularity, label=period.code
    )


def pick_series(
    chosen: dict[tuple[int, int], tuple[IndicatorValue, IndicatorValue | None]], department_id: int | None
) -> list[tuple[IndicatorValue, IndicatorValue | None]]:
    """One value per period: the given unit's, or for plan-level indicators the one reporting unit's per period."""
    per_period: dict[int, tuple[IndicatorValue, IndicatorValue | None]] = {}
    for (period_id, dept_id), pair in chosen.items():
        if department_id is not None and dept_id != department_id:
            continue
        existing = per_period.get(period_id)
        if existing is None or pair[0].updated_at > existing[0].updated_at:
            per_period[period_id] = pair
    return list(per_period.values())


def _evaluate_series(
    spec: engine.Spec, series: list[tuple[IndicatorValue, IndicatorValue | None]], as_of: dt.date, th: engine.Thresholds
) -> tuple[engine.Evaluation, str, Decimal | None, bool]:
    usable = [pair for pair in series if pair[0].value is not None]
    evaluation = engine.evaluate(spec, [_observation(v) for v, _ in usable], as_of, th)
    used = next((pair for pair in usable if pair[0].period.code == evaluation.actual_label), None)
    if used is None:
        return evaluation, "", None, False
    value, estimate = used
    return (
        evaluation,
        value.basis,
        estimate.value if estimate is not None else None,
        value.status != ReviewStatus.APPROVED,
    )


def assignment_list() -> Prefetch:
    """`Indicator.assignment_list` for many indicators: plain lists, not a queryset per indicator, in printed order."""
    return Prefetch("assignments", to_attr="_assignment_list", queryset=IndicatorAssignment.objects
                    .select_related("department", "group").order_by("role", "order"))


def plans_queryset(codes: Iterable[str] | None = None) -> QuerySet[Plan]:
    qs = Plan.objects.select_related("issuer").order_by("-end_year", "code")
    if codes:
        qs = qs.filter(code__in=list(codes))
    return qs


def evaluate_plans(
    plans: Iterable[Plan], *, as_of: dt.date, include_tasks: bool = True, department: Department | None = None,
    indicator_ids: Iterable[int] | None = None, with_units: bool = True, for_unit: Department | None = None,
) -> list[PlanResult]:
    """Evaluate every indicator of the given plans as of a date (normally a period's end).

    `department` limits per-unit indicators to that unit (its line is then that unit's alone); `indicator_ids` limits the evaluation to those indicators
    (the indicator page needs one, not the whole plan); `with_units=False` gives per-unit indicators their own line
    only (no `units`), for pages that do not list a hundred counties under each. `for_unit` (one unit's dashboard
    page) keeps the plan-wide lines but lists under a per-unit indicator only that unit, when it is assessed, or every
    assessed unit when it is named on the indicator (a lead department sees its counties); stale indicators are
    still evaluated for every unit and stored. Verdicts come from the evaluation snapshots where they are
    current; only the indicators changed since are evaluated, and their verdicts are stored for the next reader.
    """
    plans = list(plans)
    plan_ids = [p.id for p in plans]
    indicator_qs = Indicator.objects.filter(plan_id__in=plan_ids)
    if indicator_ids is not None:
        indicator_qs = indicator_qs.filter(pk__in=list(indicator_ids))
    # Tokens are read here, before any value: a verdict computed below is never labelled newer than its data.
    indicators = list(indicator_qs.select_related("section", "task")
                      # to_attr: a plain list per indicator, not a cloned queryset each (0.3 s for 800 at province)
                      .prefetch_related(assignment_list(), Prefetch("milestones", to_attr="milestone_list"))
                      .order_by("plan_id", "order"))
    reusable: dict[tuple[int, int], tuple[str, snapshots.Verdict]] = {}
    # for_unit: every unit's rows only where the unit is named (≈ 80 k verdicts at province otherwise).
    every_unit = None if for_unit is None else {
        i.pk for i in indicators if any(a.department_id == for_unit.pk for a in i.assignment_list)}
    stored = snapshots.load(indicators, as_of, unit_id=department.pk if department is not None else None,
                            units=with_units, reusable=reusable, one_unit=(for_unit.pk, every_unit) if for_unit else None)
    assessed: dict[int, list[Department]] = defaultdict(list)
    for through in Plan.assessed_units.through.objects.filter(plan_id__in=plan_ids).select_related("department"):
        assessed[through.plan_id].append(through.department)
    plan_map = {p.id: p for p in plans}

    only_mine = {} if for_unit is None else {
        plan_id: [u for u in units if u.pk == for_unit.pk] for plan_id, units in assessed.items()}

    def listed(indicator: Indicator) -> list[Department]:
        """The assessed units whose rows the caller reads."""
        if every_unit is None or indicator.pk in every_unit:
            return assessed[indicator.plan_id]
        return only_mine.get(indicator.plan_id, [])

    stale = [i for i in indicators
             if not _complete(stored.get(i.id), i, listed(i), department if with_units else None, units=with_units)]
    if stale and department is not None and with_units:
        # One unit's page (reporting). Where the unit is assessed, a stale indicator is refreshed for every unit
        # and stored — changed units only, by fingerprint — so the next view, this unit's or a leader's, reads it;
        # a unit that reports without being assessed gets its own verdict, evaluated alone and not stored.
        assessed_in = {plan_id for plan_id, units in assessed.items() if any(u.pk == department.pk for u in units)}
        alone = [i for i in stale if i.per_unit and i.plan_id not in assessed_in]
        whole = [i for i in stale if not (i.per_unit and i.plan_id not in assessed_in)]
        if whole:
            stored.update(_evaluate_and_store(whole, plan_map, assessed, as_of, None))
        if alone:
            stored.update(_evaluate_and_store(alone, plan_map, assessed, as_of, department))
    elif stale:
        stored.update(_evaluate_and_store(stale, plan_map, assessed, as_of, department,
                                          reusable if with_units and department is None and for_unit is None
                                          else None))
    tasks_by_plan: dict[int, list[Task]] = defaultdict(list)
    if include_tasks:
        task_assignments = Prefetch(
            "assignments", queryset=TaskAssignment.objects.select_related("department", "group").order_by("role", "order")
        )
        for task in Task.objects.filter(plan_id__in=plan_ids).select_related("section").prefetch_related(task_assignments):
            tasks_by_plan[task.plan_id].append(task)

    by_plan: dict[int, list[IndicatorResult]] = defaultdict(list)
    for indicator in indicators:
        plan = plan_map[indicator.plan_id]
        verdicts = stored[indicator.id]
        lead = indicator.names_for(Role.LEAD)
        responsible = indicator.names_for(Role.RESPONSIBLE)
        if indicator.per_unit and not with_units:
            by_plan[plan.id].append(IndicatorResult(indicator, verdicts.summary.evaluation, lead, responsible,
                                                    has_demo=verdicts.summary.has_demo))
        elif indicator.per_unit:
            units = [department] if department is not None else sorted(listed(indicator), key=lambda d: (d.order, d.name))
            unit_rows = []
            for unit in units:
                unit_rows.append(_unit_result(unit, verdicts.units[unit.id]))
            summary = verdicts.summary.evaluation
            if department is not None:
                summary = _summarise(spec_for(indicator, plan), unit_rows)
            by_plan[plan.id].append(IndicatorResult(indicator, summary, lead, responsible, units=unit_rows,
                                                    has_demo=verdicts.summary.has_demo))
        else:
            v = verdicts.summary
            by_plan[plan.id].append(IndicatorResult(indicator, v.evaluation, lead, responsible, v.basis, v.estimate,
                                                    v.unreviewed, has_demo=v.has_demo))
    return [PlanResult(p, as_of, by_plan[p.id], tasks_by_plan[p.id]) for p in plans]


def _unit_result(unit: Department, verdict: snapshots.Verdict) -> UnitResult:
    if isinstance(verdict, snapshots.StoredVerdict):
        return StoredUnitResult(unit, verdict)
    return UnitResult(unit, verdict.evaluation, verdict.basis, verdict.unreviewed)


def _complete(stored: snapshots.Stored | None, indicator: Indicator, assessed: list[Department],
              department: Department | None, *, units: bool = True) -> bool:
    """A current snapshot that holds every unit row the caller will read."""
    if stored is None:
        return False
    if not indicator.per_unit or not units:
        return True
    wanted = [department.id] if department is not None else [d.id for d in assessed]
    return all(u in stored.units for u in wanted)


def _evaluate_and_store(indicators: list[Indicator], plan_map: dict[int, Plan], assessed: dict[int, list[Department]],
                        as_of: dt.date, department: Department | None,
                        reusable: dict[tuple[int, int], tuple[str, snapshots.Verdict]] | None = None,
                        ) -> dict[int, snapshots.Stored]:
    """Evaluate these indicators for every assessed unit and store the verdicts (a fixed number of queries).

    With a `department`, per-unit indicators are evaluated for that unit only (assessed or not: a unit that reports
    without being assessed still sees its figures against the target) and are not stored; plan-level indicators
    are evaluated and stored as always.
    """
    ids = [i.pk for i in indicators]
    unit_targets: dict[tuple[int, int], UnitTarget] = {
        (ut.indicator_id, ut.department_id): ut for ut in UnitTarget.objects.filter(indicator_id__in=ids)
    }
    periods = {p.pk: p for p in ReportingPeriod.objects.filter(end__lte=as_of)}
    values_by_indicator: dict[int, list[ValueRow]] = defaultdict(list)
    demo: set[tuple[int, int]] = set()
    counted = IndicatorValue.objects.filter(status__in=COUNTED_STATUSES, period_id__in=list(periods),
                                            value__isnull=False)
    value_qs = counted.filter(indicator_id__in=ids)
    plan_level = [i.pk for i in indicators if not i.per_unit]
    reuse: dict[tuple[int, int], tuple[str, snapshots.Verdict]] = {}
    fingerprints: dict[tuple[int, int], str] = {}
    changed: dict[int, set[int]] = {}
    if department is not None:
        # One unit's page right after its own submission: evaluate that unit only (its figures, not every other
        # county's) and leave the per-unit snapshots for the next whole-plan reader to refresh.
        value_qs = value_qs.filter(Q(indicator_id__in=plan_level) | Q(department_id=department.pk))
    else:
        # After reporters change some figures, only their units are evaluated again: the other units' stored
        # verdicts are kept when their fingerprint (counted figures and own target) is unchanged.
        reuse = reusable if reusable is not None else snapshots.reusable_units(
            [i for i in indicators if i.per_unit], as_of)
        if reuse:
            fingerprints = _fingerprints(counted, {i for i, _u in reuse}, unit_targets)
        for ind in indicators:
            if ind.per_unit:
                changed[ind.pk] = {
                    u.id for u in assessed[ind.plan_id]
                    if (ind.pk, u.id) not in reuse or reuse[(ind.pk, u.id)][0] != fingerprints.get(
                        (ind.pk, u.id), _fingerprint(0, None, 0, unit_targets.get((ind.pk, u.id))))
                }
        whole = [i.pk for i in indicators if i.per_unit and len(changed[i.pk]) == len(assessed[i.plan_id])]
        partly = [i for i, units in changed.items() if units and i not in whole]
        some_units = set().union(*(changed[i] for i in partly))
        value_qs = value_qs.filter(Q(indicator_id__in=plan_level + whole)
                                   | Q(indicator_id__in=partly, department_id__in=some_units))
    fresh_rows: dict[tuple[int, int], list[tuple[int, dt.datetime]]] = defaultdict(list)
    for *row, is_demo in value_qs.order_by().values_list(
        "id", "indicator_id", "period_id", "department_id", "value", "basis", "status", "updated_at", "is_demo"
    ).iterator(chunk_size=10000):
        values_by_indicator[row[1]].append(ValueRow(*row, period=periods[row[2]]))
        fresh_rows[(row[1], row[3])].append((row[0], row[7]))
        if is_demo:
            demo.add((row[1], row[3]))
    demo_indicators = {indicator_id for indicator_id, _unit in demo}

    found: dict[int, snapshots.Stored] = {}
    rows: list[tuple[Indicator, int | None, snapshots.Verdict]] = []
    for indicator in indicators:
        plan = plan_map[indicator.plan_id]
        th = thresholds_for(plan)
        chosen = current_values(values_by_indicator.get(indicator.id, []))
        if indicator.per_unit:
            # Group once per indicator: picking per unit by scanning all pairs grows with units² × periods.
            by_unit: dict[int, list[tuple[ValueRow, ValueRow | None]]] = defaultdict(list)
            for (_period_id, dept_id), pair in chosen.items():
                by_unit[dept_id].append(pair)
            unit_rows, verdicts = [], {}
            units = [department] if department is not None else sorted(assessed[plan.id], key=lambda d: (d.order, d.name))
            for unit in units:
                key = (indicator.id, unit.id)
                if department is None and unit.id not in changed[indicator.id]:
                    verdicts[unit.id] = reuse[key][1]
                    unit_rows.append(_unit_result(unit, verdicts[unit.id]))
                    continue
                target = unit_targets.get(key)
                spec = spec_for(indicator, plan, target)
                evaluation, basis, _, unreviewed = _evaluate_series(spec, by_unit.get(unit.id, []), as_of, th)
                unit_rows.append(UnitResult(unit, evaluation, basis, unreviewed))
                verdicts[unit.id] = snapshots.Verdict(evaluation, basis, None, unreviewed, key in demo, spec.target)
                if department is None:
                    rows.append((indicator, unit.id, verdicts[unit.id]))
                    own = fresh_rows.get(key, [])
                    fingerprints[key] = _fingerprint(len(own), max((u for _i, u in own), default=None),
                                                     sum(i for i, _u in own), target)
            summary = snapshots.Verdict(
                _summarise(spec_for(indicator, plan), unit_rows),
                has_demo=any(v.has_demo for v in verdicts.values()) or indicator.id in demo_indicators,
                target=indicator.target,
                short_units=sum(1 for u in unit_rows if u.evaluation.severity <= snapshots.SHORT_SEVERITY))
            found[indicator.id] = snapshots.Stored(summary, verdicts)
            if department is not None:
                continue  # one unit's verdict is not the indicator's: nothing stored
        else:
            evaluation, basis, estimate, unreviewed = _evaluate_series(
                spec_for(indicator, plan), pick_series(chosen, None), as_of, th
            )
            summary = snapshots.Verdict(evaluation, basis, estimate, unreviewed, indicator.id in demo_indicators,
                                        indicator.target)
            found[indicator.id] = snapshots.Stored(summary)
        rows.append((indicator, None, found[indicator.id].summary))
    by_id = {i.pk: i for i in indicators}
    kept = {i: {u.id for u in assessed[by_id[i].plan_id]} - units for i, units in changed.items()}
    snapshots.save(rows, as_of, fingerprints=fingerprints, kept=kept)
    return found


def _fingerprint(count: int, last: dt.datetime | None, id_sum: int, target: UnitTarget | None) -> str:
    """What a unit's verdict depends on besides the indicator's structure: its counted figures (how many, the
    latest change, which rows) and its own baseline and target. Equal fingerprints, equal verdicts."""
    figures = f"{count}:{int(last.timestamp() * 1_000_000)}:{id_sum}" if count and last is not None else "-"
    own = f"{target.baseline}/{target.baseline_year}/{target.target}" if target is not None else "-"
    return f"{figures}|{own}"


def _fingerprints(counted: QuerySet[IndicatorValue], indicator_ids: set[int],
                  unit_targets: dict[tuple[int, int], UnitTarget]) -> dict[tuple[int, int], str]:
    """The current fingerprint of every unit of these indicators, aggregated by the database (one query)."""
    rows = (counted.filter(indicator_id__in=indicator_ids).order_by().values("indicator_id", "department_id")
            .annotate(n=Count("id"), last=Max("updated_at"), ids=Sum("id")))
    return {(r["indicator_id"], r["department_id"]): _fingerprint(
        r["n"], r["last"], r["ids"], unit_targets.get((r["indicator_id"], r["department_id"]))) for r in rows}


def _summarise(spec: engine.Spec, rows: list[UnitResult]) -> engine.Evaluation:
    """A per-unit indicator's plan-level line: the worst unit sets the status, the sentence gives the spread."""
    if spec.target is None and spec.kind != engine.Kind.MILESTONE:
        return engine.Evaluation(engine.Status.NOT_APPLICABLE, "原文未设定目标值。")
    with_data = [r for r in rows if r.evaluation.status != engine.Status.NO_DATA]
    if not rows:
        return engine.Evaluation(engine.Status.NO_DATA, "本指标按单位考核，尚未设置考核对象单位。")
    if not with_data:
        return engine.Evaluation(engine.Status.NO_DATA, f"本指标按单位考核，{len(rows)}个单位均无数据。")
    counts: dict[engine.Status, int] = defaultdict(int)
    for r in rows:
        counts[r.evaluation.status] += 1
    worst = min(with_data, key=lambda r: r.evaluation.severity).evaluation.status
    parts = "，".join(f"{engine.STATUS_LABELS[s]}{n}个" for s, n in sorted(counts.items(), key=lambda kv: engine.STATUS_SEVERITY[kv[0]]))
    return engine.Evaluation(worst, f"按单位考核（共{len(rows)}个单位）：{parts}。")


def latest_period_with_data() -> ReportingPeriod | None:
    """The most recent period that holds counted values (the dashboards' default)."""
    counted = IndicatorValue.objects.filter(period=OuterRef("pk"), status__in=COUNTED_STATUSES)
    return ReportingPeriod.objects.filter(Exists(counted)).order_by("-end", "-kind").first()
