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

from assessment import scoring
from assessment.batch import SchemeBatch, previous_schemes
from assessment.models import (
    AssessmentItem,
    AssessmentScheme,
    BonusClaim,
    DeductionSource,
    ItemScore,
    SupervisionNotice,
    UnitAssessment,
)
from indicators.evaluation.explain import display_for, explain
from indicators.evaluation.selectors import IndicatorResult, decoded, placeholder
from indicators.models import TaskProgress
from plans.models import Department, Role, TaskAssignment, UnitGroup

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
        line: scoring.Line | None = None
        if item.kind == AssessmentItem.Kind.INDICATOR:
            line = _indicator_line(item, unit, rules, evaluated, indicator_roles)
        elif item.kind == AssessmentItem.Kind.TASK:
            line = _task_line(item, unit, rules, task_roles, progress)
        elif item.kind == AssessmentItem.Kind.BONUS:
            line = _bonus_line(item, claims.get((unit.pk, item.pk), []))
        elif item.kind == AssessmentItem.Kind.DEDUCTION:
            line = _deduction_line(item, unit, counts)
        elif item.kind == AssessmentItem.Kind.VETO:
            veto = scores.get(item.pk)
            line = scoring.score_veto(
                key=str(item.pk),
                name=item.name,
                vetoed=bool(veto and veto.vetoed),
                reason=veto.review_note if veto else "",
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


def _task_line(
    item: AssessmentItem,
    unit: Department,
    rules: scoring.Rules,
    task_roles: dict[int, dict[int, scoring.UnitRole]],
    progress: dict[tuple[int, int], TaskProgress],
) -> scoring.Line | None:
    role = task_roles.get(item.task_id or 0, {}).get(unit.pk)
    if role is None:
        return None
    report = progress.get((item.task_id or 0, unit.pk))
    return scoring.score_task(
        key=str(item.pk),
        name=item.name,
        points=item.points,
        role=role,
        progress_status=report.progress_status if report else None,
        period_label=f"{report.period.label}" if report else "",
        rules=rules,
    )


def _bonus_line(item: AssessmentItem, mine: list[BonusClaim]) -> scoring.Line:
    approved = [
        scoring.Claim(c.description, c.approved_quantity if c.approved_quantity is not None else c.quantity)
        for c in mine
        if c.status == BonusClaim.Status.APPROVED
    ]
    return scoring.score_bonus(
        key=str(item.pk),
        name=item.name,
        cap=item.points,
        unit_points=item.unit_points or Decimal("0"),
        approved=approved,
        pending=sum(1 for c in mine if c.status == BonusClaim.Status.CLAIMED),
    )


def _deduction_line(item: AssessmentItem, unit: Department, counts: dict[tuple[str, int], int]) -> scoring.Line:
    source = item.source or DeductionSource.MANUAL
    return scoring.score_deduction(
        key=str(item.pk),
        name=item.name,
        cap=item.points,
        unit_points=item.unit_points or Decimal("0"),
        count=counts.get((source, unit.pk), 0),
        what=DEDUCTION_WHAT[DeductionSource(source)],
    )


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


def results_for_schemes(schemes: Iterable[AssessmentScheme], *, with_previous: bool = True) -> dict[int, SchemeResult]:
    """`scheme_results()` for several schemes at once: scheme id → the same SchemeResult, in a number of queries that
    does not grow with the number of schemes, units, items or claims (the previous assessments are computed in the
    same batch, `assessment.batch`). The only repeat is the verdicts' read: once per distinct period end among the
    schemes that still have unfinalized units and indicator items.

    The dashboards use it; `tests/dashboard/test_assessment_panels.py` checks it gives what `scheme_results()` gives.
    """
    schemes = list(schemes)
    if not schemes:  # the batch's queries would each match nothing, and are costly to put together
        return {}
    previous = previous_schemes(schemes) if with_previous else {}
    batch = SchemeBatch([*schemes, *(found for found in previous.values() if found is not None)])
    if not batch.schemes:
        return {}
    evaluated_at = batch.evaluated()
    plan_level_by: dict[int, list[IndicatorResult]] = {}
    for scheme in batch.schemes.values():
        evaluated = evaluated_at.get((scheme.period.end, scheme.plan_id), {})
        plan_level_by[scheme.pk] = [
            evaluated[i.indicator_id]
            for i in batch.of_kind(scheme.pk, AssessmentItem.Kind.INDICATOR)
            if i.indicator_id in evaluated and not evaluated[i.indicator_id].indicator.per_unit
        ]
    members = group_members(
        {a.group_id for rows in plan_level_by.values() for r in rows for a in r.indicator.assignment_list if a.group_id}
    )
    task_ids, reports = batch.task_reports()
    roles = task_roles(task_ids) if task_ids else {}
    context = _BatchContext(batch, evaluated_at, plan_level_by, members, roles, reports)
    counts_by = batch.deduction_counts()
    results = {pk: _scheme_result(context, scheme, counts_by.get(pk, {})) for pk, scheme in batch.schemes.items()}
    for scheme in schemes:
        before_scheme = previous.get(scheme.pk)
        if before_scheme is not None:
            _compare(results[scheme.pk], results[before_scheme.pk])
    for result in results.values():
        result.rows.sort(key=lambda r: (r.rank, r.unit.order, r.unit.name))
    return {s.pk: results[s.pk] for s in schemes}


@dataclass
class _BatchContext:
    batch: SchemeBatch
    evaluated_at: dict[tuple[dt.date, int], dict[int, IndicatorResult]]
    plan_level: dict[int, list[IndicatorResult]]
    members: dict[int, set[int]]
    task_roles: dict[int, dict[int, scoring.UnitRole]]
    reports: list[TaskProgress]


def _scheme_result(
    context: _BatchContext, scheme: AssessmentScheme, counts: dict[tuple[str, int], int]
) -> SchemeResult:
    """One scheme's rows: finalized units' frozen lines, the others' computed from the batch's data, ranked."""
    batch = context.batch
    rules = rules_for(scheme)
    items, units, assessments = batch.items[scheme.pk], batch.units[scheme.pk], batch.assessments[scheme.pk]
    unit_ids = {u.department_id for u in units}
    is_live = batch.live(scheme.pk)
    evaluated = context.evaluated_at.get((scheme.period.end, scheme.plan_id), {}) if is_live else {}
    indicator_roles = {
        r.indicator.pk: roles_from(
            ((a.role, a.department_id, a.group_id) for a in r.indicator.assignment_list), context.members
        )
        for r in (context.plan_level[scheme.pk] if is_live else [])
    }
    own_tasks = {i.task_id for i in batch.of_kind(scheme.pk, AssessmentItem.Kind.TASK)}
    progress = {
        (p.task_id, p.department_id): p
        for p in context.reports  # oldest first: the latest approved report wins
        if is_live and p.task_id in own_tasks and p.department_id in unit_ids and p.period.end <= scheme.period.end
    }
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
                task_roles=context.task_roles if is_live else {},
                progress=progress,
                claims=batch.claims[scheme.pk],
                counts=counts,
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
                claims=batch.unit_claims[scheme.pk].get(unit.department_id, []),
            )
        )
    _rank(rows)
    return SchemeResult(scheme, rules, items, rows, None, list(dict.fromkeys(r.group for r in rows)))


def _compare(result: SchemeResult, before: SchemeResult) -> None:
    """Each unit's score and rank in the earlier scheme, beside its own."""
    result.previous = before.scheme
    earlier = {r.unit.pk: r for r in before.rows}
    for row in result.rows:
        if row.unit.pk in earlier:
            row.previous_score, row.previous_rank = earlier[row.unit.pk].score, earlier[row.unit.pk].rank
