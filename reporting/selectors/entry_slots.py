"""What a unit carries in a period, known before anything is loaded for it: the plans it reports in, one `Slot` per
item (enough to count, sort and paginate the my reporting page) and the per-plan summary counted from them.

Every function runs a fixed number of queries whatever the number of items (pinned in tests/reporting/test_queries.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Case, Exists, FilteredRelation, IntegerField, OuterRef, Q, QuerySet, Subquery, When

from indicators.models import Indicator, IndicatorAssignment, IndicatorValue, ReviewStatus, TaskProgress
from plans.models import Department, Plan, ReportingPeriod, Role, Task, TaskAssignment
from reporting.selectors.review import ENTRY_ROLES, MISSING, STATUS_ORDER


@dataclass(frozen=True)
class Slot:
    """One item the unit carries, known before anything is loaded for it: enough to count, sort and paginate."""

    kind: str  # "value" (a figure the unit enters), "task" (a progress report) or "read" (read-only figure)
    pk: int
    plan_id: int
    order: int
    status: str = ""  # review status of the unit's row for the period (MISSING when none); "" for read-only

    @property
    def key(self) -> str:
        """Same as the card's anchor (`ValueItem.anchor` / `TaskItem.anchor`): the page, forms and links use it."""
        return f"t{self.pk}" if self.kind == "task" else f"v{self.pk}"

    @property
    def rank(self) -> tuple[int, int, int, int]:
        # Returned first, then missing, draft, submitted, approved; figures before tasks within a status (they
        # used to be two lists sorted alike); read-only figures last, they need no action.
        if self.kind == "read":
            return (len(STATUS_ORDER), 2, self.order, self.pk)
        return (STATUS_ORDER[self.status], 0 if self.kind == "value" else 1, self.order, self.pk)


def zero_counts() -> dict[str, int]:
    return dict.fromkeys(STATUS_ORDER, 0)


@dataclass
class PlanSummary:
    """One plan's line of the summary: how the unit's figures and progress reports of the period stand."""

    plan: Plan
    values: dict[str, int] = field(default_factory=zero_counts)
    tasks: dict[str, int] = field(default_factory=zero_counts)
    read_only: int = 0
    url: str = ""  # filled in by the view: the summary links to the plan's items

    @property
    def entries(self) -> int:
        return sum(self.values.values()) + sum(self.tasks.values())

    def count(self, status: str) -> int:
        return self.values[status] + self.tasks[status]


def involved_plans(department: Department, period: ReportingPeriod) -> list[Plan]:
    """Active plans whose years contain the period, in which the unit enters or reads something (one query). A
    plan that is over (已结束) creates no reporting duty."""
    unit = department.pk
    return list(
        Plan.objects.filter(status=Plan.Status.ACTIVE, start_year__lte=period.year, end_year__gte=period.year)
        .annotate(assessed=Exists(Plan.assessed_units.through.objects.filter(plan=OuterRef("pk"), department_id=unit)))
        .filter(
            Q(issuer_id=unit)
            | Q(assessed=True)
            | Exists(
                IndicatorAssignment.objects.filter(
                    indicator__plan=OuterRef("pk"), department_id=unit, role__in=ENTRY_ROLES
                )
            )
            | Exists(Indicator.objects.filter(plan=OuterRef("pk"), reporting_unit_id=unit))
            | Exists(TaskAssignment.objects.filter(task__plan=OuterRef("pk"), department_id=unit, role__in=ENTRY_ROLES))
        )
        .select_related("issuer")
        .order_by("-end_year", "code")
    )


def unit_slots(department: Department, period: ReportingPeriod, plans: Sequence[Plan]) -> list[Slot]:
    """Every item the unit carries in these plans with its review status for the period (two queries).

    Tuples, not model instances: a county carries ~800 items, and the page needs all of them only to count and
    sort. Who enters a figure follows `access.reporting_unit_id` (reporting unit, else the first lead unit, else the
    issuer), computed in SQL so no assignment has to be loaded.
    """
    plan_by_id = {p.pk: p for p in plans}
    if not plan_by_id:
        return []
    return _indicator_slots(department, period, plan_by_id) + _task_slots(department, period, list(plan_by_id))


def _indicator_rows(department: Department, period: ReportingPeriod, plan_ids: list[int]) -> QuerySet:
    """Per indicator of these plans (one row per figure of the unit in the period, or one without): who enters it
    and whether the unit reads it."""
    unit = department.pk
    first_lead = (
        IndicatorAssignment.objects.filter(indicator=OuterRef("pk"), role=Role.LEAD, department__isnull=False)
        .order_by("order", "pk")
        .values("department_id")[:1]
    )
    return (
        Indicator.objects.filter(plan_id__in=plan_ids)
        .annotate(
            # A LEFT JOIN to the unit's rows of the period (one per basis): cheaper than a status subquery per
            # indicator.
            mine=FilteredRelation("values", condition=Q(values__period=period, values__department_id=unit)),
            reads=Exists(
                IndicatorAssignment.objects.filter(indicator=OuterRef("pk"), department_id=unit, role__in=ENTRY_ROLES)
            ),
            # CASE: the lookup runs only for plan-level indicators without a reporting unit.
            lead_id=Case(
                When(per_unit=False, reporting_unit__isnull=True, then=Subquery(first_lead)),
                default=None,
                output_field=IntegerField(),
            ),
        )
        .order_by()
        .values_list(
            "pk",
            "plan_id",
            "order",
            "per_unit",
            "reporting_unit_id",
            "reads",
            "lead_id",
            "mine__basis",
            "mine__status",
            "formula",
            "rollup",
        )
    )


def _indicator_slots(department: Department, period: ReportingPeriod, plan_by_id: dict[int, Plan]) -> list[Slot]:
    unit = department.pk
    rows: dict[int, tuple[int, int, bool, int | None, bool, int | None]] = {}
    review: dict[int, str] = {}
    # A formula is computed, never typed; a roll-up's parent (the plan's issuer) may report its own figure.
    adds_up: dict[int, tuple[str, str]] = {}
    for row in _indicator_rows(department, period, list(plan_by_id)):
        pk, plan_id, order, per_unit, reporting_unit, reads, lead, basis, status, formula, rollup = row
        rows[pk] = (plan_id, order, per_unit, reporting_unit, reads, lead)
        adds_up[pk] = (formula, rollup)
        # The official figure's status decides when both exist (it replaces the estimate).
        if status and (pk not in review or basis == IndicatorValue.Basis.OFFICIAL):
            review[pk] = status
    slots = []
    for pk, (plan_id, order, per_unit, reporter_id, reads, lead_id) in rows.items():
        plan = plan_by_id[plan_id]
        formula, rollup = adds_up[pk]
        if per_unit:
            own = rollup != "none" and plan.issuer_id == unit
            editable = bool(plan.assessed) or own  # type: ignore[attr-defined]  # annotated by involved_plans
        else:
            editable = (reporter_id or lead_id or plan.issuer_id) == unit
        if editable and not formula:
            slots.append(Slot("value", pk, plan_id, order, review.get(pk, MISSING)))
        elif reads:
            slots.append(Slot("read", pk, plan_id, order))
    return slots


def _task_slots(department: Department, period: ReportingPeriod, plan_ids: list[int]) -> list[Slot]:
    unit = department.pk
    tasks = (
        Task.objects.filter(plan_id__in=plan_ids)
        .filter(Exists(TaskAssignment.objects.filter(task=OuterRef("pk"), department_id=unit, role__in=ENTRY_ROLES)))
        .annotate(
            review=Subquery(
                TaskProgress.objects.filter(task=OuterRef("pk"), period=period, department_id=unit)
                .order_by()
                .values("status")[:1]
            )
        )
        .order_by()
        .values_list("pk", "plan_id", "order", "review")
    )
    return [Slot("task", pk, plan_id, order, review or MISSING) for pk, plan_id, order, review in tasks]


def plan_summaries(plans: Sequence[Plan], slots: Iterable[Slot]) -> list[PlanSummary]:
    """Per plan counts, in plan order; plans in which the unit carries nothing are left out."""
    summaries = {p.pk: PlanSummary(p) for p in plans}
    for slot in slots:
        summary = summaries[slot.plan_id]
        if slot.kind == "read":
            summary.read_only += 1
        elif slot.kind == "value":
            summary.values[slot.status] += 1
        else:
            summary.tasks[slot.status] += 1
    return [s for s in summaries.values() if s.entries or s.read_only]


def default_plan(summaries: Sequence[PlanSummary]) -> Plan | None:
    """Where the reporter has work: the first plan with returned items, else with missing ones, else the first."""
    for status in (ReviewStatus.RETURNED, MISSING):
        for summary in summaries:
            if summary.count(status):
                return summary.plan
    return summaries[0].plan if summaries else None
