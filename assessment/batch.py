"""Several assessment schemes' inputs read at once (the dashboards, the workbook): their items, units, stored
assessments, claims, the verdicts their indicator items are judged on, approved task reports and the counts behind
automatic deductions, in a number of queries that does not grow with the number of schemes, units, items or claims.
`assessment.selectors.results_for_schemes` scores them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, F, Q

from assessment.models import AssessmentItem, AssessmentScheme, BonusClaim, DeductionSource, SchemeUnit, UnitAssessment
from indicators.evaluation.selectors import IndicatorResult, plan_results
from indicators.models import IndicatorValue, ReviewStatus, TaskProgress
from plans.models import Plan


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


def deduction_counts_for(
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


class SchemeBatch:
    """The schemes (and the earlier ones they are compared with) with everything their results are computed from.
    A scheme is live while some unit is not finalized: its lines are computed from the data (finalized ones are
    frozen), so only live schemes read verdicts, task reports and deduction counts."""

    def __init__(self, schemes: Iterable[AssessmentScheme]) -> None:
        self.schemes = {s.pk: s for s in schemes}
        ids = list(self.schemes)
        self.items: dict[int, list[AssessmentItem]] = defaultdict(list)
        for item in (
            AssessmentItem.objects.filter(scheme_id__in=ids)
            .select_related("indicator", "task")
            .order_by("scheme_id", "order", "pk")
        ):
            self.items[item.scheme_id].append(item)
        self.units: dict[int, list[SchemeUnit]] = defaultdict(list)
        for scheme_unit in SchemeUnit.objects.filter(scheme_id__in=ids).select_related("department"):
            self.units[scheme_unit.scheme_id].append(scheme_unit)
        self.assessments: dict[int, dict[int, UnitAssessment]] = defaultdict(dict)
        for stored in UnitAssessment.objects.filter(scheme_id__in=ids).prefetch_related("scores"):
            self.assessments[stored.scheme_id][stored.department_id] = stored
        self.claims: dict[int, dict[tuple[int, int], list[BonusClaim]]] = defaultdict(lambda: defaultdict(list))
        self.unit_claims: dict[int, dict[int, list[BonusClaim]]] = defaultdict(lambda: defaultdict(list))
        for claim in BonusClaim.objects.filter(assessment__scheme_id__in=ids).select_related("assessment", "item"):
            scheme_id, department_id = claim.assessment.scheme_id, claim.assessment.department_id
            self.claims[scheme_id][(department_id, claim.item_id)].append(claim)
            self.unit_claims[scheme_id][department_id].append(claim)
        self._live = {
            pk: any(
                not (self.assessments[pk].get(u.department_id) and self.assessments[pk][u.department_id].is_final)
                for u in self.units[pk]
            )
            for pk in ids
        }

    def live(self, scheme_id: int) -> bool:
        return self._live[scheme_id]

    def of_kind(self, scheme_id: int, kind: str) -> list[AssessmentItem]:
        return [i for i in self.items[scheme_id] if i.kind == kind]

    def evaluated(self) -> dict[tuple[dt.date, int], dict[int, IndicatorResult]]:
        """(period end, plan) → indicator → its verdicts: read once per period end, for every plan judged there."""
        to_evaluate: dict[dt.date, dict[int, Plan]] = defaultdict(dict)
        for scheme in self.schemes.values():
            if self.live(scheme.pk) and self.of_kind(scheme.pk, AssessmentItem.Kind.INDICATOR):
                to_evaluate[scheme.period.end][scheme.plan_id] = scheme.plan
        found: dict[tuple[dt.date, int], dict[int, IndicatorResult]] = {}
        for end, plans in to_evaluate.items():
            for plan_result in plan_results(list(plans.values()), as_of=end):
                found[(end, plan_result.plan.pk)] = {r.indicator.pk: r for r in plan_result.indicators}
        return found

    def task_reports(self) -> tuple[set[int], list[TaskProgress]]:
        """The live schemes' task items and their approved progress reports, oldest first."""
        task_schemes = [
            s for s in self.schemes.values() if self.live(s.pk) and self.of_kind(s.pk, AssessmentItem.Kind.TASK)
        ]
        task_ids = {i.task_id for s in task_schemes for i in self.of_kind(s.pk, AssessmentItem.Kind.TASK) if i.task_id}
        if not task_schemes:
            return task_ids, []
        reports = TaskProgress.objects.filter(
            task_id__in=task_ids,
            department_id__in={u.department_id for s in task_schemes for u in self.units[s.pk]},
            status=ReviewStatus.APPROVED,
            period__end__lte=max(s.period.end for s in task_schemes),
        ).select_related("period")
        return task_ids, sorted(reports, key=lambda p: (p.period.end, p.period.granularity))

    def deduction_counts(self) -> dict[int, dict[tuple[str, int], int]]:
        wanted = []
        for scheme in self.schemes.values():
            deductions = self.of_kind(scheme.pk, AssessmentItem.Kind.DEDUCTION)
            sources = {i.source for i in deductions if i.source != DeductionSource.MANUAL}
            if self.live(scheme.pk) and sources:
                wanted.append((scheme, sources, {u.department_id for u in self.units[scheme.pk]}))
        return deduction_counts_for(wanted)
