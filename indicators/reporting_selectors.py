"""Reads for the reporting pages: my reporting page, review queue, 催报, item history and periods.

Every function runs a fixed number of queries whatever the number of items (pinned in tests/test_reporting_queries.py).
Who may see what is decided by the caller through `indicators.access`; these functions only assemble rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Case, Exists, FilteredRelation, IntegerField, OuterRef, Prefetch, Q, Subquery, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators import engine
from indicators.access import reporting_unit_id
from indicators.formatting import dec_str
from indicators.models import (
    Indicator, IndicatorAssignment, IndicatorValue, ReviewStatus, TaskProgress, UnitTarget,
)
from indicators.selectors import IndicatorResult, evaluate_plans, spec_for, thresholds_for
from indicators.services import ValueEntry, previous_values
from indicators.validation import edit_block_reason
from plans.models import Department, Membership, Plan, ReportingPeriod, Role, Task, TaskAssignment
from plans.roles import REPORTER

MISSING = "missing"  # pseudo review status: nothing saved yet for this period
STATUS_LABELS = {MISSING: gettext_lazy("未填报"), **dict(ReviewStatus.choices)}
# Returned items first (the reporter has to act on them), then what still needs entering, then what is done.
STATUS_ORDER = {ReviewStatus.RETURNED: 0, MISSING: 1, ReviewStatus.DRAFT: 2, ReviewStatus.SUBMITTED: 3,
                ReviewStatus.APPROVED: 4}
ENTRY_ROLES = (Role.LEAD, Role.RESPONSIBLE)


def ordered_periods() -> list[ReportingPeriod]:
    """All periods for the switchers: open ones first, each group newest first."""
    periods = list(ReportingPeriod.objects.all())
    return sorted(periods, key=lambda p: p.state != ReportingPeriod.State.OPEN)


def default_period(periods: Sequence[ReportingPeriod]) -> ReportingPeriod | None:
    return periods[0] if periods else None


def expected_at(spec: engine.Spec, period: ReportingPeriod, thresholds: engine.Thresholds) -> Decimal | None:
    """The engine's expected value (序时应达) at the end of `period`.

    `Evaluation.expected` is computed at the date of the latest figure, and the path does not depend on the
    figure itself, so we evaluate a one-point series ending on the period end. The probe is a positive level
    (growth needs one); nothing of it reaches the page.
    """
    if spec.target is None or spec.kind == engine.Kind.MILESTONE:
        return None
    probe_value = next((v for v in (spec.baseline, spec.target) if v is not None and v > 0), Decimal(1))
    probe = engine.Observation(start=period.start, end=period.end, value=probe_value,
                               granularity=period.granularity, label=period.code)
    return engine.evaluate(spec, [probe], period.end, thresholds).expected


# --- my reporting page ----------------------------------------------------------------------------------------


@dataclass
class ValueItem:
    indicator: Indicator
    plan: Plan
    editable: bool
    reporter_name: str = ""
    estimate: IndicatorValue | None = None
    official: IndicatorValue | None = None
    previous: Decimal | None = None
    target: Decimal | None = None
    expected: Decimal | None = None
    evaluation: engine.Evaluation | None = None
    demo_target: bool = False

    @property
    def current(self) -> IndicatorValue | None:
        """The figure that counts: an official statistic replaces the estimate (which is kept and shown)."""
        return self.official or self.estimate

    @property
    def review_status(self) -> str:
        return self.current.status if self.current else MISSING

    @property
    def review_label(self) -> str:
        return str(STATUS_LABELS[self.review_status])

    @property
    def anchor(self) -> str:
        return f"v{self.indicator.pk}"

    @property
    def is_demo(self) -> bool:
        return self.demo_target or any(r.is_demo for r in (self.estimate, self.official) if r is not None)

    @property
    def evidence(self) -> list:
        return [e for r in (self.estimate, self.official) if r is not None for e in r.evidence.all()]

    @property
    def expected_label(self) -> str:
        kind = self.indicator.kind
        if kind == Indicator.Kind.CUMULATIVE:
            return _("规划期累计应达")
        if kind == Indicator.Kind.ANNUAL:
            return _("本年累计应达")
        if kind == Indicator.Kind.GROWTH:
            return _("期末应达总量")
        return _("期末应达")


@dataclass
class TaskItem:
    task: Task
    roles: list[str]
    row: TaskProgress | None = None

    @property
    def review_status(self) -> str:
        return self.row.status if self.row else MISSING

    @property
    def review_label(self) -> str:
        return str(STATUS_LABELS[self.review_status])

    @property
    def anchor(self) -> str:
        return f"t{self.task.pk}"

    @property
    def is_demo(self) -> bool:
        return bool(self.row and self.row.is_demo)


# Items per page. Each item shown costs ~2 ms at province scale (its evaluation, rows and a card with a form);
# 20 keeps the page within its 80 ms budget (50 measured ~120 ms) while a 300-item plan is 15 pages, or fewer
# with the status filter.
PAGE_SIZE = 20
STATUS_FILTERS = tuple(STATUS_ORDER)  # the values `?status=` accepts, in display order


def _zero_counts() -> dict[str, int]:
    return {key: 0 for key in STATUS_ORDER}


@dataclass
class PlanSummary:
    """One plan's line of the summary: how the unit's figures and progress reports of the period stand."""

    plan: Plan
    values: dict[str, int] = field(default_factory=_zero_counts)
    tasks: dict[str, int] = field(default_factory=_zero_counts)
    read_only: int = 0
    url: str = ""  # filled in by the view: the summary links to the plan's items

    @property
    def entries(self) -> int:
        return sum(self.values.values()) + sum(self.tasks.values())

    def count(self, status: str) -> int:
        return self.values[status] + self.tasks[status]


@dataclass(frozen=True)
class _Slot:
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


@dataclass
class ReportingPage:
    department: Department
    period: ReportingPeriod
    block_reason: str | None
    values: list[ValueItem]  # the figures the unit enters, on this page
    read_only: list[ValueItem]  # figures other units enter that this one reads, on this page
    tasks: list[TaskItem]  # progress reports, on this page
    plans: list[PlanSummary] = field(default_factory=list)  # every plan the unit carries something in
    plan: Plan | None = None  # the plan whose items are listed
    status: str = ""  # the review-status filter ("" = every item)
    number: int = 1  # page number
    num_pages: int = 1
    total: int = 0  # items of the plan (after the filter) on all pages
    per_page: int = PAGE_SIZE

    @property
    def returned_count(self) -> int:
        """Returned items in every plan, not just this page: the banner must not hide them behind a plan switch."""
        return sum(s.count(ReviewStatus.RETURNED) for s in self.plans)

    def counts(self) -> dict[str, int]:
        """Items of the unit by review status, over all plans (figures and progress reports together)."""
        counts = _zero_counts()
        for summary in self.plans:
            for key in counts:
                counts[key] += summary.count(key)
        return counts

    @property
    def summary(self) -> PlanSummary | None:
        return next((s for s in self.plans if self.plan is not None and s.plan.pk == self.plan.pk), None)

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.number * self.per_page, self.total)

    @property
    def keys(self) -> list[str]:
        """The entry items on this page; 报送本页 posts them, so it submits exactly what the reporter saw."""
        return [i.anchor for i in self.values] + [t.anchor for t in self.tasks]

    @property
    def can_edit(self) -> bool:
        return self.block_reason is None


def _involved_plans(department: Department) -> list[Plan]:
    """Active plans in which the unit enters or reads something (one query)."""
    unit = department.pk
    return list(
        Plan.objects.filter(status=Plan.Status.ACTIVE)
        .annotate(assessed=Exists(Plan.assessed_units.through.objects.filter(plan=OuterRef("pk"), department_id=unit)))
        .filter(
            Q(issuer_id=unit) | Q(assessed=True)
            | Exists(IndicatorAssignment.objects.filter(indicator__plan=OuterRef("pk"), department_id=unit,
                                                        role__in=ENTRY_ROLES))
            | Exists(Indicator.objects.filter(plan=OuterRef("pk"), reporting_unit_id=unit))
            | Exists(TaskAssignment.objects.filter(task__plan=OuterRef("pk"), department_id=unit, role__in=ENTRY_ROLES))
        )
        .select_related("issuer")
        .order_by("-end_year", "code")
    )


def _slots(department: Department, period: ReportingPeriod, plans: Sequence[Plan]) -> list[_Slot]:
    """Every item the unit carries in these plans with its review status for the period (two queries).

    Tuples, not model instances: a county carries ~800 items, and the page needs all of them only to count and
    sort. Who enters a figure follows `access.reporting_unit_id` (reporting unit, else the first lead unit, else the
    issuer), computed in SQL so no assignment has to be loaded.
    """
    plan_by_id = {p.pk: p for p in plans}
    if not plan_by_id:
        return []
    unit = department.pk

    first_lead = (IndicatorAssignment.objects.filter(indicator=OuterRef("pk"), role=Role.LEAD, department__isnull=False)
                  .order_by("order", "pk").values("department_id")[:1])
    indicators = (
        Indicator.objects.filter(plan_id__in=list(plan_by_id))
        .annotate(
            # A LEFT JOIN to the unit's rows of the period (one per basis): at province a third of the time of a
            # status subquery per indicator.
            mine=FilteredRelation("values", condition=Q(values__period=period, values__department_id=unit)),
            reads=Exists(IndicatorAssignment.objects.filter(indicator=OuterRef("pk"), department_id=unit,
                                                            role__in=ENTRY_ROLES)),
            # CASE: the lookup runs only for plan-level indicators without a reporting unit.
            lead_id=Case(When(per_unit=False, reporting_unit__isnull=True, then=Subquery(first_lead)),
                         default=None, output_field=IntegerField()),
        )
        .order_by()
        .values_list("pk", "plan_id", "order", "per_unit", "reporting_unit_id", "reads", "lead_id", "mine__basis",
                     "mine__status")
    )
    rows: dict[int, tuple[int, int, bool, int | None, bool, int | None]] = {}
    review: dict[int, str] = {}
    for pk, plan_id, order, per_unit, reporting_unit, reads, lead, basis, status in indicators:
        rows[pk] = (plan_id, order, per_unit, reporting_unit, reads, lead)
        # The official figure's status decides when both exist (it replaces the estimate).
        if status and (pk not in review or basis == IndicatorValue.Basis.OFFICIAL):
            review[pk] = status
    slots = []
    for pk, (plan_id, order, per_unit, reporting_unit, reads, lead) in rows.items():
        plan = plan_by_id[plan_id]
        if per_unit:
            editable = bool(plan.assessed)  # type: ignore[attr-defined]
        else:
            editable = (reporting_unit or lead or plan.issuer_id) == unit
        if editable:
            slots.append(_Slot("value", pk, plan_id, order, review.get(pk, MISSING)))
        elif reads:
            slots.append(_Slot("read", pk, plan_id, order))
    tasks = (
        Task.objects.filter(plan_id__in=list(plan_by_id))
        .filter(Exists(TaskAssignment.objects.filter(task=OuterRef("pk"), department_id=unit, role__in=ENTRY_ROLES)))
        .annotate(review=Subquery(TaskProgress.objects.filter(task=OuterRef("pk"), period=period, department_id=unit)
                                  .order_by().values("status")[:1]))
        .order_by()
        .values_list("pk", "plan_id", "order", "review")
    )
    slots += [_Slot("task", pk, plan_id, order, review or MISSING) for pk, plan_id, order, review in tasks]
    return slots


def _summaries(plans: Sequence[Plan], slots: Iterable[_Slot]) -> list[PlanSummary]:
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


def _default_plan(summaries: Sequence[PlanSummary]) -> Plan | None:
    """Where the reporter has work: the first plan with returned items, else with missing ones, else the first."""
    for status in (ReviewStatus.RETURNED, MISSING):
        for summary in summaries:
            if summary.count(status):
                return summary.plan
    return summaries[0].plan if summaries else None


def _page_number(value: int | str | None) -> int:
    try:
        return max(1, int(value or 1))
    except (TypeError, ValueError):
        return 1


def reporting_page(*, department: Department, period: ReportingPeriod, today: dt.date, plan: str = "",
                   status: str = "", page: int | str | None = 1, focus: str = "",
                   only: Collection[str] | None = None, per_page: int = PAGE_SIZE) -> ReportingPage:
    """The unit's items of one plan for the period, a page at a time, with a summary of every plan.

    `plan` is a plan code (default: see `_default_plan`), `status` a review status to list only those items,
    `page` the page number (out of range: the nearest page). `focus` is an item key ("v12", "t3"): its plan and the
    page holding it are shown (the filter is dropped if the item does not match it). `only` restricts the items to
    those keys, on any plan, unpaginated (one saved card, or the items a 报送本页 form posted) — keys of items the
    unit does not carry are ignored, so a posted list cannot reach another unit's items.

    Counts come from two aggregate queries over all items; only the items shown are evaluated and loaded with their
    rows, previous figures and targets, so the page costs the same for 8 items or 800 (fixed number of queries).
    """
    plans = _involved_plans(department)
    slots = _slots(department, period, plans)
    summaries = _summaries(plans, slots)
    by_key = {s.key: s for s in slots}
    focused = by_key.get(focus) if focus else None
    chosen = (next((s.plan for s in summaries if s.plan.pk == focused.plan_id), None) if focused
              else next((s.plan for s in summaries if plan and s.plan.code == plan), None) or _default_plan(summaries))
    if status not in STATUS_FILTERS or (focused is not None and focused.status != status):
        status = ""
    listed = sorted((s for s in slots if chosen is not None and s.plan_id == chosen.pk
                     and (not status or s.status == status)), key=lambda s: s.rank)
    number = listed.index(focused) // per_page + 1 if focused in listed else _page_number(page)
    paged = Paginator(listed, per_page).get_page(number)
    if only is not None:
        shown = sorted({by_key[k] for k in only if k in by_key}, key=lambda s: s.rank)
    else:
        shown = list(paged.object_list)
    values, read_only, tasks = _load_items(department, period, plans, shown)
    return ReportingPage(
        department=department, period=period, block_reason=edit_block_reason(period, today),
        values=values, read_only=read_only, tasks=tasks, plans=summaries, plan=chosen, status=status,
        number=paged.number, num_pages=paged.paginator.num_pages, total=len(listed), per_page=per_page,
    )


def _load_items(department: Department, period: ReportingPeriod, plans: Sequence[Plan], shown: Sequence[_Slot]
                ) -> tuple[list[ValueItem], list[ValueItem], list[TaskItem]]:
    """The page's items with everything their cards show, in the order of `shown` (a fixed number of queries)."""
    plan_by_id = {p.pk: p for p in plans}
    indicator_slots = [s for s in shown if s.kind != "task"]
    evaluated: dict[int, tuple[Plan, IndicatorResult]] = {}
    if indicator_slots:
        wanted_plans = {s.plan_id for s in indicator_slots}
        # Only the items shown are evaluated: the whole unit at province scale is ~800 evaluations per view.
        results = evaluate_plans([p for p in plans if p.pk in wanted_plans], as_of=period.end, include_tasks=False,
                                 department=department, indicator_ids=[s.pk for s in indicator_slots])
        evaluated = {row.indicator.pk: (result.plan, row) for result in results for row in result.indicators}
    items: list[ValueItem] = []
    for slot in indicator_slots:
        if slot.pk not in evaluated:  # deleted since the slots were read
            continue
        plan, row = evaluated[slot.pk]
        ind = row.indicator
        ind.plan = plan  # cache: templates and access checks read indicator.plan without a query
        evaluation = row.units[0].evaluation if ind.per_unit and row.units else row.evaluation
        items.append(ValueItem(indicator=ind, plan=plan, editable=slot.kind == "value", evaluation=evaluation))

    editable = [i for i in items if i.editable]
    by_key: dict[tuple[int, str], IndicatorValue] = {}
    previous: dict[tuple[int, int, int], Decimal] = {}
    if editable:
        rows = (
            IndicatorValue.objects.filter(period=period, department=department,
                                          indicator_id__in=[i.indicator.pk for i in editable])
            .select_related("updated_by", "reviewed_by").prefetch_related("evidence")
        )
        by_key = {(v.indicator_id, v.basis): v for v in rows}
        previous = previous_values([ValueEntry(indicator=i.indicator, department=department, period=period, value=None)
                                    for i in editable])
    per_unit_ids = [i.indicator.pk for i in items if i.indicator.per_unit]
    unit_targets = {
        ut.indicator_id: ut for ut in UnitTarget.objects.filter(department=department, indicator_id__in=per_unit_ids)
    } if per_unit_ids else {}
    for item in items:
        ind, plan = item.indicator, item.plan
        ut = unit_targets.get(ind.pk) if ind.per_unit else None
        spec = spec_for(ind, plan, ut)
        item.target, item.demo_target = spec.target, bool(ut and ut.is_demo)
        item.expected = expected_at(spec, period, thresholds_for(plan))
        if item.editable:
            item.estimate = by_key.get((ind.pk, IndicatorValue.Basis.ESTIMATE))
            item.official = by_key.get((ind.pk, IndicatorValue.Basis.OFFICIAL))
            item.previous = previous.get((ind.pk, department.pk, period.pk))
    _name_reporters([i for i in items if not i.editable], plan_by_id)

    task_ids = [s.pk for s in shown if s.kind == "task"]
    task_items: list[TaskItem] = []
    if task_ids:
        tasks = {
            t.pk: t for t in Task.objects.filter(pk__in=task_ids).select_related("plan", "section").prefetch_related(
                Prefetch("assignments", queryset=TaskAssignment.objects.select_related("department", "group")
                         .order_by("role", "order")))
        }
        progress = {
            p.task_id: p
            for p in TaskProgress.objects.filter(period=period, department=department, task_id__in=task_ids)
            .select_related("updated_by", "reviewed_by").prefetch_related("evidence")
        }
        role_labels = dict(Role.choices)
        task_items = [
            TaskItem(task=t, row=progress.get(t.pk),
                     roles=sorted({str(role_labels[a.role]) for a in t.assignments.all()
                                   if a.department_id == department.pk and a.role in ENTRY_ROLES}))
            for t in (tasks.get(pk) for pk in task_ids) if t is not None
        ]
    return editable, [i for i in items if not i.editable], task_items


def _name_reporters(items: list[ValueItem], plan_by_id: dict[int, Plan]) -> None:
    """Who reports a read-only item: names from prefetched rows, one query for any left over."""
    wanted: dict[int, list[ValueItem]] = defaultdict(list)
    for item in items:
        if item.indicator.per_unit:
            item.reporter_name = _("各考核对象单位分别填报")
            continue
        unit_id = reporting_unit_id(item.indicator, plan_by_id[item.indicator.plan_id])
        known = {a.department_id: a.department.name for a in item.indicator.assignments.all() if a.department_id}
        known[item.plan.issuer_id] = item.plan.issuer.name
        if unit_id in known:
            item.reporter_name = known[unit_id]
        else:
            wanted[unit_id].append(item)
    if wanted:
        for unit in Department.objects.filter(pk__in=list(wanted)).only("pk", "name"):
            for item in wanted[unit.pk]:
                item.reporter_name = unit.name


# --- review queue ---------------------------------------------------------------------------------------------


@dataclass
class ReviewRow:
    kind: str  # "value" or "progress"
    item: IndicatorValue | TaskProgress
    estimate: IndicatorValue | None = None  # the estimate kept beside an official figure
    previous: Decimal | None = None


@dataclass
class ReviewQueue:
    values: list[ReviewRow]
    progress: list[ReviewRow]
    units: list[Department]
    truncated: bool


def review_queue(*, period: ReportingPeriod, department_id: int | None, status: str, limit: int = 300) -> ReviewQueue:
    """Figures and progress reports of a period, by unit and review status (empty status: all)."""
    where = Q(period=period)
    if department_id:
        where &= Q(department_id=department_id)
    if status:
        where &= Q(status=status)
    values = list(
        IndicatorValue.objects.filter(where)
        .select_related("indicator__plan", "department", "period", "updated_by", "reviewed_by")
        .prefetch_related("evidence")
        .order_by("department__order", "department__name", "indicator__plan_id", "indicator__order", "basis")
        [: limit + 1]
    )
    progress = list(
        TaskProgress.objects.filter(where)
        .select_related("task__plan", "department", "period", "updated_by", "reviewed_by")
        .prefetch_related("evidence")
        .order_by("department__order", "department__name", "task__plan_id", "task__order")[: limit + 1]
    )
    truncated = len(values) > limit or len(progress) > limit
    values, progress = values[:limit], progress[:limit]
    officials = [v for v in values if v.basis == IndicatorValue.Basis.OFFICIAL]
    estimates = {
        (v.indicator_id, v.department_id): v
        for v in IndicatorValue.objects.filter(
            period=period, basis=IndicatorValue.Basis.ESTIMATE,
            indicator_id__in={v.indicator_id for v in officials},
            department_id__in={v.department_id for v in officials},
        )
    } if officials else {}
    previous = previous_values([ValueEntry(indicator=v.indicator, department=v.department, period=period, value=v.value)
                                for v in values])
    value_rows = [
        ReviewRow("value", v,
                  estimates.get((v.indicator_id, v.department_id)) if v.basis == IndicatorValue.Basis.OFFICIAL else None,
                  previous.get((v.indicator_id, v.department_id, period.pk)))
        for v in values
    ]
    units = list(
        Department.objects.filter(
            Exists(IndicatorValue.objects.filter(period=period, department=OuterRef("pk")))
            | Exists(TaskProgress.objects.filter(period=period, department=OuterRef("pk")))
        ).order_by("order", "name")
    )
    return ReviewQueue(value_rows, [ReviewRow("progress", p) for p in progress], units, truncated)


# --- 催报: who has not reported --------------------------------------------------------------------------------


@dataclass
class UnitDue:
    department: Department
    total: int = 0
    missing: list[str] = field(default_factory=list)
    draft: list[str] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)
    submitted: int = 0
    approved: int = 0
    reporters: list[str] = field(default_factory=list)

    @property
    def outstanding(self) -> int:
        return len(self.missing) + len(self.draft) + len(self.returned)


@dataclass
class OverdueReport:
    period: ReportingPeriod
    overdue: bool  # the deadline has passed
    units: list[UnitDue]  # units with something outstanding, most outstanding first
    complete: int  # units that have reported everything


def _obligations() -> tuple[dict[int, list[tuple[str, int, str]]], set[int]]:
    """Unit → [(kind, object id, label)] of everything it must report in a period, from the active plans."""
    plans = {p.pk: p for p in Plan.objects.filter(status=Plan.Status.ACTIVE)}
    assessed: dict[int, list[int]] = defaultdict(list)
    for plan_id, dept_id in Plan.assessed_units.through.objects.filter(plan_id__in=list(plans)).values_list(
            "plan_id", "department_id"):
        assessed[plan_id].append(dept_id)
    by_unit: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    indicators = Indicator.objects.filter(plan_id__in=list(plans)).prefetch_related(
        Prefetch("assignments", queryset=IndicatorAssignment.objects.only("id", "indicator_id", "role", "department_id",
                                                                          "order"))
    ).only("id", "name", "plan_id", "per_unit", "reporting_unit_id").order_by("plan_id", "order")
    for ind in indicators:
        units = assessed[ind.plan_id] if ind.per_unit else [reporting_unit_id(ind, plans[ind.plan_id])]
        for unit in units:
            by_unit[unit].append(("value", ind.pk, ind.name))
    task_units = TaskAssignment.objects.filter(
        task__plan_id__in=list(plans), role__in=ENTRY_ROLES, department__isnull=False
    ).values_list("department_id", "task_id", "task__number", "task__text").order_by("task__plan_id", "task__order")
    seen: set[tuple[int, int]] = set()
    for unit, task_id, number, text in task_units:
        if (unit, task_id) not in seen:
            seen.add((unit, task_id))
            by_unit[unit].append(("task", task_id, f"{number}{text[:30]}"))
    return by_unit, set(by_unit)


def overdue_report(*, period: ReportingPeriod, today: dt.date) -> OverdueReport:
    by_unit, unit_ids = _obligations()
    value_status: dict[tuple[int, int], tuple[str, str]] = {}
    for ind, dept, basis, status in IndicatorValue.objects.filter(period=period).values_list(
            "indicator_id", "department_id", "basis", "status"):
        # The official figure's status decides when both exist, as on the reporting page.
        if (ind, dept) not in value_status or basis == IndicatorValue.Basis.OFFICIAL:
            value_status[(ind, dept)] = (basis, status)
    task_status = {(t, d): s for t, d, s in TaskProgress.objects.filter(period=period).values_list(
        "task_id", "department_id", "status")}
    reporters: dict[int, list[str]] = defaultdict(list)
    for dept, username, full_first, full_last in Membership.objects.filter(
            department_id__in=unit_ids, user__groups__name=REPORTER, user__is_active=True).values_list(
            "department_id", "user__username", "user__first_name", "user__last_name").order_by("user__username"):
        reporters[dept].append(f"{full_last}{full_first}".strip() or username)
    units = []
    complete = 0
    for department in Department.objects.filter(pk__in=unit_ids).order_by("order", "name"):
        due = UnitDue(department, reporters=reporters[department.pk])
        for kind, obj_id, label in by_unit[department.pk]:
            due.total += 1
            status = (value_status.get((obj_id, department.pk), ("", MISSING))[1] if kind == "value"
                      else task_status.get((obj_id, department.pk), MISSING))
            if status == MISSING:
                due.missing.append(label)
            elif status == ReviewStatus.DRAFT:
                due.draft.append(label)
            elif status == ReviewStatus.RETURNED:
                due.returned.append(label)
            elif status == ReviewStatus.SUBMITTED:
                due.submitted += 1
            else:
                due.approved += 1
        if due.outstanding:
            units.append(due)
        else:
            complete += 1
    units.sort(key=lambda u: -u.outstanding)
    overdue = bool(period.deadline and today > period.deadline) or period.state != ReportingPeriod.State.OPEN
    return OverdueReport(period=period, overdue=overdue, units=units, complete=complete)


# --- item history (audit) -------------------------------------------------------------------------------------

VALUE_FIELDS = ("value", "basis", "note", "status", "return_reason")
PROGRESS_FIELDS = ("progress_status", "progress", "problems", "next_steps", "status", "return_reason")


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: str
    reason: str
    basis: str
    changes: list[Change]


def _display(model: type, field_name: str, value: object) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, Decimal):
        return dec_str(value) or "—"
    choices = dict(model._meta.get_field(field_name).choices or [])
    return str(choices.get(value, value))


def history_entries(model: type[IndicatorValue] | type[TaskProgress], rows: Iterable[IndicatorValue | TaskProgress]
                    ) -> list[HistoryEntry]:
    """Who changed what, when and why (old → new), for the rows of one item, oldest first (one query)."""
    fields = VALUE_FIELDS if model is IndicatorValue else PROGRESS_FIELDS
    labels = {f: str(model._meta.get_field(f).verbose_name) for f in fields}
    records = list(model.history.filter(id__in=[r.pk for r in rows]).select_related("history_user")
                   .order_by("history_date", "history_id"))
    last: dict[int, object] = {}
    entries = []
    for record in records:
        before = last.get(record.id)
        if before is None:
            changes = [Change(labels[f], "—", _display(model, f, getattr(record, f))) for f in fields
                       if getattr(record, f) not in (None, "") and f != "basis"]
        else:
            delta = record.diff_against(before, included_fields=list(fields))
            changes = [Change(labels[c.field], _display(model, c.field, c.old), _display(model, c.field, c.new))
                       for c in delta.changes]
        last[record.id] = record
        user = record.history_user
        entries.append(HistoryEntry(
            when=record.history_date, who=(user.get_full_name() or user.username) if user else _("系统"),
            reason=record.history_change_reason or "", changes=changes,
            basis=_display(model, "basis", record.basis) if model is IndicatorValue else "",
        ))
    return entries


def period_history(periods: Sequence[ReportingPeriod]) -> dict[int, list]:
    """Period id → its state changes, newest first (one query)."""
    result: dict[int, list] = defaultdict(list)
    records = ReportingPeriod.history.filter(id__in=[p.pk for p in periods]).select_related("history_user").order_by(
        "-history_date", "-history_id")
    for record in records:
        result[record.id].append(record)
    return result
