"""Reads: a scheme's results (every unit's lines, totals, ranks and change) and open supervision notices.

`scheme_results()` runs a fixed number of queries whatever the number of units and items (plus the same fixed number
once more for the previous assessment), then calls the pure `assessment.scoring` in memory. Hooks for other pages:

* `open_notices(unit=None) -> list[SupervisionNotice]` — not-yet-closed notices, optionally of one unit;
* `latest_unit_results(unit) -> list[UnitRow]` — the unit's row in each scheme that assesses it, newest first;
* `results_for_schemes(schemes) -> dict[int, SchemeResult]` — `scheme_results()` for several schemes in one batch of
  queries (the dashboards, which must not grow a query per scheme).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q

from assessment import scoring
from assessment.models import (
    AssessmentItem,
    AssessmentScheme,
    BonusClaim,
    DeductionSource,
    ItemScore,
    SchemeUnit,
    SupervisionNotice,
    UnitAssessment,
)
from indicators.evaluation.explain import display_for, explain
from indicators.evaluation.selectors import IndicatorResult, decoded, placeholder, plan_results
from indicators.models import IndicatorValue, ReviewStatus, TaskProgress
from plans.models import Department, Plan, Role, TaskAssignment, UnitGroup

DEDUCTION_WHAT = {
    DeductionSource.LATE: "本期迟报（报送晚于截止日期）",
    DeductionSource.RETURNED: "本期报送被退回",
    DeductionSource.MANUAL: "经组织部认定的扣分情形",
}


@dataclass
class UnitRow:
    unit: Department
    group: str
    assessment: UnitAssessment | None
    lines: list[scoring.Line]
    score: Decimal
    base_max: Decimal
    vetoed: bool
    finalized: bool
    rank: int = 0
    group_rank: int = 0
    previous_score: Decimal | None = None
    previous_rank: int | None = None
    scores: dict[int, ItemScore] = field(default_factory=dict)  # item id → the unit's self/reviewed scores
    claims: list[BonusClaim] = field(default_factory=list)

    @property
    def change(self) -> Decimal | None:
        return None if self.previous_score is None else self.score - self.previous_score

    @property
    def rank_change(self) -> int | None:
        """Places gained since the previous assessment (positive: moved up)."""
        return None if self.previous_rank is None else self.previous_rank - self.rank

    @property
    def red_lines(self) -> list[scoring.Line]:
        return [line for line in self.lines if line.red]

    @property
    def status_label(self) -> str:
        return str(self.assessment.get_status_display()) if self.assessment else str(UnitAssessment.Status.DRAFT.label)


@dataclass
class SchemeResult:
    scheme: AssessmentScheme
    rules: scoring.Rules
    items: list[AssessmentItem]
    rows: list[UnitRow]  # by overall rank, then the units' order
    previous: AssessmentScheme | None = None
    group_names: list[str] = field(default_factory=list)  # in the order the scheme lists its units

    def groups(self) -> list[tuple[str, list[UnitRow]]]:
        """Each group with its rows by group rank (经济开发区, 重点镇, 其他镇 in the order units are configured)."""
        return [
            (name, sorted((r for r in self.rows if r.group == name), key=lambda r: (r.group_rank, r.rank)))
            for name in self.group_names
        ]

    def row_for(self, department_id: int) -> UnitRow | None:
        return next((r for r in self.rows if r.unit.pk == department_id), None)

    @property
    def full_score(self) -> Decimal:
        return max((r.base_max for r in self.rows), default=Decimal("0"))


def rules_for(scheme: AssessmentScheme) -> scoring.Rules:
    return scoring.Rules(
        basis=scoring.Basis(scheme.indicator_basis),
        floor=scheme.indicator_floor,
        cap=scheme.indicator_cap,
        lead_share=scheme.lead_share,
        responsible_share=scheme.responsible_share,
        task_ratios={
            TaskProgress.Progress.DONE: Decimal("1"),
            TaskProgress.Progress.IN_PROGRESS: scheme.task_in_progress_ratio,
            TaskProgress.Progress.DELAYED: scheme.task_delayed_ratio,
            TaskProgress.Progress.NOT_STARTED: scheme.task_not_started_ratio,
        },
        bonus_cap=scheme.bonus_cap,
        red_ratio=scheme.red_ratio,
    )


def previous_scheme(scheme: AssessmentScheme) -> AssessmentScheme | None:
    if scheme.compare_to_id:
        return AssessmentScheme.objects.select_related("plan", "period").filter(pk=scheme.compare_to_id).first()
    return (
        AssessmentScheme.objects.select_related("plan", "period")
        .filter(plan_id=scheme.plan_id, period__end__lt=scheme.period.end)
        .exclude(status=AssessmentScheme.Status.DRAFT)
        .order_by("-period__end")
        .first()
    )


# --- roles ----------------------------------------------------------------------------------------------------


def group_members(group_ids: set[int]) -> dict[int, set[int]]:
    members: dict[int, set[int]] = defaultdict(set)
    if group_ids:
        through = UnitGroup.members.through.objects.filter(unitgroup_id__in=group_ids)
        for group_id, department_id in through.values_list("unitgroup_id", "department_id"):
            members[group_id].add(department_id)
    return members


def roles_from(
    assignments: Iterable[tuple[str, int | None, int | None]], members: dict[int, set[int]]
) -> dict[int, scoring.UnitRole]:
    """department id → its role; a collective (各镇（区）) stands for its members; lead wins over responsible."""
    roles: dict[int, scoring.UnitRole] = {}
    for role, department_id, group_id in assignments:
        if role not in (Role.LEAD, Role.RESPONSIBLE):
            continue
        unit_role = scoring.UnitRole.LEAD if role == Role.LEAD else scoring.UnitRole.RESPONSIBLE
        for dept in {department_id} if department_id else members.get(group_id or 0, set()):
            if roles.get(dept) != scoring.UnitRole.LEAD:
                roles[dept] = unit_role
    return roles


def task_roles(task_ids: set[int]) -> dict[int, dict[int, scoring.UnitRole]]:
    """task id → department id → role, in two queries."""
    rows = list(
        TaskAssignment.objects.filter(task_id__in=task_ids).values_list("task_id", "role", "department_id", "group_id")
    )
    members = group_members({g for *_, g in rows if g})
    by_task: dict[int, list[tuple[str, int | None, int | None]]] = defaultdict(list)
    for task_id, role, dept, group in rows:
        by_task[task_id].append((role, dept, group))
    return {task_id: roles_from(assignments, members) for task_id, assignments in by_task.items()}


# --- counts for automatic deductions --------------------------------------------------------------------------


# --- results --------------------------------------------------------------------------------------------------


def scheme_results(scheme: AssessmentScheme, *, with_previous: bool = True) -> SchemeResult:
    """Every assessed unit's lines, score, rank and group rank (and change against the previous assessment)."""
    return results_for_schemes([scheme], with_previous=with_previous)[scheme.pk]


def _rank(rows: list[UnitRow]) -> None:
    overall = scoring.rank([(r.unit.pk, r.score, r.vetoed) for r in rows])
    by_group: dict[str, list[UnitRow]] = defaultdict(list)
    for row in rows:
        row.rank = overall[row.unit.pk]
        by_group[row.group].append(row)
    for members in by_group.values():
        in_group = scoring.rank([(r.unit.pk, r.score, r.vetoed) for r in members])
        for row in members:
            row.group_rank = in_group[row.unit.pk]


def unit_lines(
    unit: Department,
    items: list[AssessmentItem],
    rules: scoring.Rules,
    *,
    scores: dict[int, ItemScore],
    evaluated: dict[int, IndicatorResult],
    indicator_roles: dict[int, dict[int, scoring.UnitRole]],
    task_roles: dict[int, dict[int, scoring.UnitRole]],
    progress: dict[tuple[int, int], TaskProgress],
    claims: dict[tuple[int, int], list[BonusClaim]],
    counts: dict[tuple[str, int], int],
) -> list[scoring.Line]:
    """The unit's lines from already fetched data (no queries). Items the unit has no role in are left out."""
    lines: list[scoring.Line] = []
    for item in items:
        key = str(item.pk)
        line: scoring.Line | None = None
        if item.kind == AssessmentItem.Kind.INDICATOR:
            line = _indicator_line(item, unit, rules, evaluated, indicator_roles)
        elif item.kind == AssessmentItem.Kind.TASK:
            role = task_roles.get(item.task_id or 0, {}).get(unit.pk)
            if role is not None:
                report = progress.get((item.task_id or 0, unit.pk))
                line = scoring.score_task(
                    key=key,
                    name=item.name,
                    points=item.points,
                    role=role,
                    progress_status=report.progress_status if report else None,
                    period_label=f"{report.period.label}" if report else "",
                    rules=rules,
                )
        elif item.kind == AssessmentItem.Kind.BONUS:
            mine = claims.get((unit.pk, item.pk), [])
            approved = [
                scoring.Claim(c.description, c.approved_quantity if c.approved_quantity is not None else c.quantity)
                for c in mine
                if c.status == BonusClaim.Status.APPROVED
            ]
            pending = sum(1 for c in mine if c.status == BonusClaim.Status.CLAIMED)
            line = scoring.score_bonus(
                key=key,
                name=item.name,
                cap=item.points,
                unit_points=item.unit_points or Decimal("0"),
                approved=approved,
                pending=pending,
            )
        elif item.kind == AssessmentItem.Kind.DEDUCTION:
            source = item.source or DeductionSource.MANUAL
            line = scoring.score_deduction(
                key=key,
                name=item.name,
                cap=item.points,
                unit_points=item.unit_points or Decimal("0"),
                count=counts.get((source, unit.pk), 0),
                what=DEDUCTION_WHAT[DeductionSource(source)],
            )
        elif item.kind == AssessmentItem.Kind.VETO:
            score = scores.get(item.pk)
            line = scoring.score_veto(
                key=key, name=item.name, vetoed=bool(score and score.vetoed), reason=score.review_note if score else ""
            )
        if line is None:
            continue
        score = scores.get(item.pk)
        if score is not None and score.reviewed_score is not None and item.kind != AssessmentItem.Kind.VETO:
            line = scoring.override(line, score.reviewed_score, rules, score.review_note, score.self_score)
        lines.append(line)
    capped = scoring.cap_bonus(lines, rules.bonus_cap)
    if capped is not None:
        lines.append(capped)
    return lines


def _indicator_line(
    item: AssessmentItem,
    unit: Department,
    rules: scoring.Rules,
    evaluated: dict[int, IndicatorResult],
    indicator_roles: dict[int, dict[int, scoring.UnitRole]],
) -> scoring.Line | None:
    result = evaluated.get(item.indicator_id or 0)
    if result is None:
        return None
    indicator = result.indicator
    if indicator.per_unit:
        role = scoring.UnitRole.OWN
        unit_result = next((u for u in result.units if u.department.pk == unit.pk), None)
        evaluation = unit_result.evaluation if unit_result else placeholder("not_assessed")
    else:
        found = indicator_roles.get(indicator.pk, {}).get(unit.pk)
        if found is None:
            return None
        role, evaluation = found, result.evaluation
    return scoring.score_indicator(
        key=str(item.pk),
        name=item.name,
        points=item.points,
        role=role,
        status=evaluation.status,
        ratio=scoring.status_ratio(indicator.kind, decoded(evaluation), rules.basis),
        detail=explain(decoded(evaluation), display_for(indicator)),
        rules=rules,
    )


# --- hooks for other pages ------------------------------------------------------------------------------------


def open_notices(unit: Department | None = None) -> list[SupervisionNotice]:
    """Supervision notices not yet closed (待答复 and 已答复), soonest deadline first; one query."""
    qs = SupervisionNotice.objects.exclude(status=SupervisionNotice.Status.CLOSED).select_related(
        "plan", "period", "indicator", "task", "department"
    )
    if unit is not None:
        qs = qs.filter(department=unit)
    return list(qs.order_by("deadline", "pk"))


def latest_unit_results(unit: Department) -> list[UnitRow]:
    """The unit's row (score, rank, change, lines) in every non-draft scheme that assesses it, newest first."""
    schemes = list(
        AssessmentScheme.objects.filter(units__department=unit)
        .exclude(status=AssessmentScheme.Status.DRAFT)
        .select_related("plan", "period")
        .order_by("-period__end")
    )
    results = results_for_schemes(schemes)
    rows = [results[scheme.pk].row_for(unit.pk) for scheme in schemes]
    return [row for row in rows if row is not None]


# --- several schemes at once (the dashboards) -----------------------------------------------------------------


def previous_schemes(schemes: list[AssessmentScheme]) -> dict[int, AssessmentScheme | None]:
    """`previous_scheme()` for each scheme, in at most two queries whatever their number."""
    if not schemes:
        return {}
    fetch = AssessmentScheme.objects.select_related("plan", "period")
    chosen = {s.compare_to_id for s in schemes if s.compare_to_id}
    by_pk = {s.pk: s for s in fetch.filter(pk__in=chosen)} if chosen else {}
    candidates: dict[int, list[AssessmentScheme]] = defaultdict(list)
    if any(not s.compare_to_id for s in schemes):
        plan_ids = {s.plan_id for s in schemes if not s.compare_to_id}
        earlier = fetch.filter(plan_id__in=plan_ids).exclude(status=AssessmentScheme.Status.DRAFT)
        for found in earlier.order_by("-period__end", "pk"):
            candidates[found.plan_id].append(found)
    previous: dict[int, AssessmentScheme | None] = {}
    for scheme in schemes:
        if scheme.compare_to_id:
            previous[scheme.pk] = by_pk.get(scheme.compare_to_id)
        else:
            end = scheme.period.end
            previous[scheme.pk] = next((c for c in candidates[scheme.plan_id] if c.period.end < end), None)
    return previous


def _deduction_counts_for(
    wanted: list[tuple[AssessmentScheme, set[str], set[int]]],
) -> dict[int, dict[tuple[str, int], int]]:
    """`_deduction_counts()` for several schemes: scheme id → counts, in at most four queries (one per model and
    source, over the union of the schemes' plans, units and periods, then split per scheme in memory)."""
    counts: dict[int, dict[tuple[str, int], int]] = {s.pk: defaultdict(int) for s, _, _ in wanted}
    if not wanted:
        return counts
    plan_ids = {s.plan_id for s, _, _ in wanted}
    units = set().union(*(u for _, _, u in wanted))
    window = Q(
        period__start__gte=min(s.period.start for s, _, _ in wanted),
        period__end__lte=max(s.period.end for s, _, _ in wanted),
        department_id__in=units,
    )
    all_sources = set().union(*(src for _, src, _ in wanted))

    def spread(rows: Iterable[dict], source: str, plan_field: str) -> None:
        for row in rows:
            for scheme, sources, unit_ids in wanted:
                if (
                    source in sources
                    and row[plan_field] == scheme.plan_id
                    and row["department_id"] in unit_ids
                    and row["period__start"] >= scheme.period.start
                    and row["period__end"] <= scheme.period.end
                ):
                    counts[scheme.pk][(source, row["department_id"])] += row["n"]

    for model, plan_field in ((IndicatorValue, "indicator__plan_id"), (TaskProgress, "task__plan_id")):
        in_plan = Q(**{f"{plan_field}__in": plan_ids})
        keys = ("department_id", plan_field, "period__start", "period__end")
        if DeductionSource.LATE in all_sources:
            spread(
                model.objects.filter(window & in_plan, period__deadline__isnull=False, submitted_at__isnull=False)
                .filter(submitted_at__date__gt=F("period__deadline"))
                .values(*keys)
                .annotate(n=Count("id")),
                DeductionSource.LATE,
                plan_field,
            )
        if DeductionSource.RETURNED in all_sources:
            spread(
                model.history.filter(window & in_plan, status=ReviewStatus.RETURNED)
                .values(*keys)
                .annotate(n=Count("id", distinct=True)),
                DeductionSource.RETURNED,
                plan_field,
            )
    return counts


def results_for_schemes(schemes: Iterable[AssessmentScheme], *, with_previous: bool = True) -> dict[int, SchemeResult]:
    """`scheme_results()` for several schemes at once: scheme id → the same SchemeResult, in a number of queries that
    does not grow with the number of schemes, units, items or claims (the previous assessments are computed in the
    same batch). The only repeat is the engine evaluation: once per distinct period end among the schemes that still
    have unfinalized units and indicator items, since the engine judges at one date per call.

    The dashboards use it; `tests/test_dashboard_assessment.py` checks it gives what `scheme_results()` gives.
    """
    schemes = list(schemes)
    previous = previous_schemes(schemes) if with_previous else {}
    batch = {s.pk: s for s in schemes}
    for found in previous.values():
        if found is not None:
            batch.setdefault(found.pk, found)
    ids = list(batch)
    if not ids:
        return {}

    items_by: dict[int, list[AssessmentItem]] = defaultdict(list)
    for item in (
        AssessmentItem.objects.filter(scheme_id__in=ids)
        .select_related("indicator", "task")
        .order_by("scheme_id", "order", "pk")
    ):
        items_by[item.scheme_id].append(item)
    units_by: dict[int, list[SchemeUnit]] = defaultdict(list)
    for scheme_unit in SchemeUnit.objects.filter(scheme_id__in=ids).select_related("department"):
        units_by[scheme_unit.scheme_id].append(scheme_unit)
    assessments_by: dict[int, dict[int, UnitAssessment]] = defaultdict(dict)
    for stored in UnitAssessment.objects.filter(scheme_id__in=ids).prefetch_related("scores"):
        assessments_by[stored.scheme_id][stored.department_id] = stored
    claims_by: dict[int, dict[tuple[int, int], list[BonusClaim]]] = defaultdict(lambda: defaultdict(list))
    unit_claims_by: dict[int, dict[int, list[BonusClaim]]] = defaultdict(lambda: defaultdict(list))
    for claim in BonusClaim.objects.filter(assessment__scheme_id__in=ids).select_related("assessment", "item"):
        scheme_id, department_id = claim.assessment.scheme_id, claim.assessment.department_id
        claims_by[scheme_id][(department_id, claim.item_id)].append(claim)
        unit_claims_by[scheme_id][department_id].append(claim)

    live_by = {
        pk: any(
            not (assessments_by[pk].get(u.department_id) and assessments_by[pk][u.department_id].is_final)
            for u in units_by[pk]
        )
        for pk in ids
    }

    def live(scheme_id: int) -> bool:
        """Some unit is not finalized yet, so its lines are computed from the data (finalized ones are frozen)."""
        return live_by[scheme_id]

    def of_kind(scheme_id: int, kind: str) -> list[AssessmentItem]:
        return [i for i in items_by[scheme_id] if i.kind == kind]

    # The engine, once per period end, for every plan judged at that end.
    to_evaluate: dict[dt.date, dict[int, Plan]] = defaultdict(dict)
    for scheme in batch.values():
        if live(scheme.pk) and of_kind(scheme.pk, AssessmentItem.Kind.INDICATOR):
            to_evaluate[scheme.period.end][scheme.plan_id] = scheme.plan
    evaluated_at: dict[tuple[dt.date, int], dict[int, IndicatorResult]] = {}
    for end, plans in to_evaluate.items():
        for plan_result in plan_results(list(plans.values()), as_of=end):
            evaluated_at[(end, plan_result.plan.pk)] = {r.indicator.pk: r for r in plan_result.indicators}
    plan_level_by: dict[int, list[IndicatorResult]] = {}
    for scheme in batch.values():
        evaluated = evaluated_at.get((scheme.period.end, scheme.plan_id), {})
        plan_level_by[scheme.pk] = [
            evaluated[i.indicator_id]
            for i in of_kind(scheme.pk, AssessmentItem.Kind.INDICATOR)
            if i.indicator_id in evaluated and not evaluated[i.indicator_id].indicator.per_unit
        ]
    members = group_members(
        {a.group_id for rows in plan_level_by.values() for r in rows for a in r.indicator.assignment_list if a.group_id}
    )

    # Tasks: roles and approved reports for every scheme's task items, split per scheme below.
    task_schemes = [s for s in batch.values() if live(s.pk) and of_kind(s.pk, AssessmentItem.Kind.TASK)]
    task_ids = {i.task_id for s in task_schemes for i in of_kind(s.pk, AssessmentItem.Kind.TASK) if i.task_id}
    roles_by_task = task_roles(task_ids) if task_schemes else {}
    reports: list[TaskProgress] = []
    if task_schemes:
        reports = sorted(
            TaskProgress.objects.filter(
                task_id__in=task_ids,
                department_id__in={u.department_id for s in task_schemes for u in units_by[s.pk]},
                status=ReviewStatus.APPROVED,
                period__end__lte=max(s.period.end for s in task_schemes),
            ).select_related("period"),
            key=lambda p: (p.period.end, p.period.granularity),
        )

    wanted = []
    for scheme in batch.values():
        deductions = of_kind(scheme.pk, AssessmentItem.Kind.DEDUCTION)
        sources = {i.source for i in deductions if i.source != DeductionSource.MANUAL}
        if live(scheme.pk) and sources:
            wanted.append((scheme, sources, {u.department_id for u in units_by[scheme.pk]}))
    counts_by = _deduction_counts_for(wanted)

    results: dict[int, SchemeResult] = {}
    for scheme in batch.values():
        rules = rules_for(scheme)
        items, units, assessments = items_by[scheme.pk], units_by[scheme.pk], assessments_by[scheme.pk]
        unit_ids = {u.department_id for u in units}
        is_live = live(scheme.pk)
        evaluated = evaluated_at.get((scheme.period.end, scheme.plan_id), {}) if is_live else {}
        indicator_roles = {
            r.indicator.pk: roles_from(
                ((a.role, a.department_id, a.group_id) for a in r.indicator.assignment_list), members
            )
            for r in (plan_level_by[scheme.pk] if is_live else [])
        }
        own_tasks = {i.task_id for i in of_kind(scheme.pk, AssessmentItem.Kind.TASK)}
        progress = {
            (p.task_id, p.department_id): p
            for p in reports  # oldest first: the latest approved report wins
            if is_live and p.task_id in own_tasks and p.department_id in unit_ids and p.period.end <= scheme.period.end
        }
        claims = claims_by[scheme.pk]
        rows: list[UnitRow] = []
        for unit in units:
            assessment = assessments.get(unit.department_id)
            scores = {s.item_id: s for s in assessment.scores.all()} if assessment else {}
            if assessment is not None and assessment.is_final:
                lines = [scoring.Line.from_dict(d) for d in assessment.final_lines or []]
            else:
                lines = unit_lines(
                    unit.department,
                    items,
                    rules,
                    scores=scores,
                    evaluated=evaluated,
                    indicator_roles=indicator_roles,
                    task_roles=roles_by_task if is_live else {},
                    progress=progress,
                    claims=claims,
                    counts=counts_by.get(scheme.pk, {}),
                )
            rows.append(
                UnitRow(
                    unit=unit.department,
                    group=unit.group or unit.department.category or "—",
                    assessment=assessment,
                    lines=lines,
                    score=scoring.total(lines),
                    base_max=scoring.base_max(lines),
                    vetoed=any(line.vetoed for line in lines),
                    finalized=bool(assessment and assessment.is_final),
                    scores=scores,
                    claims=unit_claims_by[scheme.pk].get(unit.department_id, []),
                )
            )
        _rank(rows)
        results[scheme.pk] = SchemeResult(scheme, rules, items, rows, None, list(dict.fromkeys(r.group for r in rows)))

    for scheme in schemes:
        before_scheme = previous.get(scheme.pk)
        result = results[scheme.pk]
        if before_scheme is not None:
            result.previous = before_scheme
            before = {r.unit.pk: r for r in results[before_scheme.pk].rows}
            for row in result.rows:
                if row.unit.pk in before:
                    row.previous_score, row.previous_rank = before[row.unit.pk].score, before[row.unit.pk].rank
    for result in results.values():
        result.rows.sort(key=lambda r: (r.rank, r.unit.order, r.unit.name))
    return {s.pk: results[s.pk] for s in schemes}
