"""Reads for the my reporting page: the unit's items of one plan for a period, a page at a time, with a summary
of every plan it carries something in.

Every function runs a fixed number of queries whatever the number of items (pinned in tests/test_reporting_queries.py).
Who may see what is decided by the caller through `indicators.access`; these functions only assemble rows.
The review-status vocabulary (MISSING, STATUS_ORDER, …) is shared with the other reporting pages and lives in
`reporting.selectors.review`.
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

from indicators.access import reporting_unit_id
from indicators.evaluation.inputs import spec_for, thresholds_for
from indicators.evaluation.selectors import IndicatorResult, Judged, Units, plan_results, unit_verdict
from indicators.models import Indicator, IndicatorAssignment, IndicatorValue, ReviewStatus, TaskProgress, UnitTarget
from indicators.services import ValueEntry, previous_values
from indicators.validation import edit_block_reason
from plans.models import Department, Plan, ReportingPeriod, Role, Task, TaskAssignment
from reporting.selectors.review import ENTRY_ROLES, MISSING, STATUS_LABELS, STATUS_ORDER, expected_at


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
    evaluation: Judged | None = None
    demo_target: bool = False

    @property
    def basis_hint(self) -> str:
        """What to type, in words: the figure this indicator asks for each period."""
        ind = self.indicator
        if ind.reporting_basis == Indicator.Basis.PERIOD_AMOUNT:
            return str(_("只填本期内新增的数，不含以前各期；系统自动累计。"))
        if ind.reporting_basis == Indicator.Basis.YEAR_TO_DATE:
            return str(_("填本年1月1日至本期末的累计数（如统计部门的1–N月累计）。"))
        if ind.kind == Indicator.Kind.CUMULATIVE:
            return str(_("填规划期开始以来至本期末的累计总数。"))
        if ind.kind == Indicator.Kind.GROWTH:
            return str(_("填本期末的总量（%(u)s），系统按基期值计算年均增长率。") % {"u": ind.figure_unit or "—"})
        if ind.kind == Indicator.Kind.MILESTONE:
            return str(_("已完成填 1，未完成填 0。"))
        return str(_("填本期末的数值（%(u)s）。") % {"u": ind.figure_unit or "—"})

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
    return dict.fromkeys(STATUS_ORDER, 0)


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

    @property
    def submittable(self) -> list[ValueItem | TaskItem]:
        """Drafts and returned items on this page: what 报送本页 would submit."""
        open_statuses = (ReviewStatus.DRAFT, ReviewStatus.RETURNED)
        items: list[ValueItem | TaskItem] = [*self.values, *self.tasks]
        return [i for i in items if i.review_status in open_statuses]


def _involved_plans(department: Department, period: ReportingPeriod) -> list[Plan]:
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

    first_lead = (
        IndicatorAssignment.objects.filter(indicator=OuterRef("pk"), role=Role.LEAD, department__isnull=False)
        .order_by("order", "pk")
        .values("department_id")[:1]
    )
    indicators = (
        Indicator.objects.filter(plan_id__in=list(plan_by_id))
        .annotate(
            # A LEFT JOIN to the unit's rows of the period (one per basis): at province a third of the time of a
            # status subquery per indicator.
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
    rows: dict[int, tuple[int, int, bool, int | None, bool, int | None]] = {}
    review: dict[int, str] = {}
    # A formula is computed, never typed; a roll-up's parent (the plan's issuer) may report its own figure.
    adds_up: dict[int, tuple[str, str]] = {}
    for pk, plan_id, order, per_unit, reporting_unit, reads, lead, basis, status, formula, rollup in indicators:
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
            editable = bool(plan.assessed) or own  # type: ignore[attr-defined]  # annotated on the plans read above
        else:
            editable = (reporter_id or lead_id or plan.issuer_id) == unit
        if editable and not formula:
            slots.append(_Slot("value", pk, plan_id, order, review.get(pk, MISSING)))
        elif reads:
            slots.append(_Slot("read", pk, plan_id, order))
    tasks = (
        Task.objects.filter(plan_id__in=list(plan_by_id))
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


def reporting_page(
    *,
    department: Department,
    period: ReportingPeriod,
    today: dt.date,
    plan: str = "",
    status: str = "",
    page: int | str | None = 1,
    focus: str = "",
    only: Collection[str] | None = None,
    per_page: int = PAGE_SIZE,
) -> ReportingPage:
    """The unit's items of one plan for the period, a page at a time, with a summary of every plan.

    `plan` is a plan code (default: see `_default_plan`), `status` a review status to list only those items,
    `page` the page number (out of range: the nearest page). `focus` is an item key ("v12", "t3"): its plan and the
    page holding it are shown (the filter is dropped if the item does not match it). `only` restricts the items to
    those keys, on any plan, unpaginated (one saved card, or the items a 报送本页 form posted) — keys of items the
    unit does not carry are ignored, so a posted list cannot reach another unit's items.

    Counts come from two aggregate queries over all items; only the items shown are evaluated and loaded with their
    rows, previous figures and targets, so the page costs the same for 8 items or 800 (fixed number of queries).
    """
    plans = _involved_plans(department, period)
    slots = _slots(department, period, plans)
    summaries = _summaries(plans, slots)
    by_key = {s.key: s for s in slots}
    focused = by_key.get(focus) if focus else None
    chosen = (
        next((s.plan for s in summaries if s.plan.pk == focused.plan_id), None)
        if focused
        else next((s.plan for s in summaries if plan and s.plan.code == plan), None) or _default_plan(summaries)
    )
    if status not in STATUS_FILTERS or (focused is not None and focused.status != status):
        status = ""
    listed = sorted(
        (s for s in slots if chosen is not None and s.plan_id == chosen.pk and (not status or s.status == status)),
        key=lambda s: s.rank,
    )
    number = listed.index(focused) // per_page + 1 if focused in listed else _page_number(page)
    paged = Paginator(listed, per_page).get_page(number)
    if only is not None:
        shown = sorted({by_key[k] for k in only if k in by_key}, key=lambda s: s.rank)
    else:
        shown = list(paged.object_list)
    values, read_only, tasks = _load_items(department, period, plans, shown)
    return ReportingPage(
        department=department,
        period=period,
        block_reason=edit_block_reason(period, today),
        values=values,
        read_only=read_only,
        tasks=tasks,
        plans=summaries,
        plan=chosen,
        status=status,
        number=paged.number,
        num_pages=paged.paginator.num_pages,
        total=len(listed),
        per_page=per_page,
    )


def _load_items(
    department: Department, period: ReportingPeriod, plans: Sequence[Plan], shown: Sequence[_Slot]
) -> tuple[list[ValueItem], list[ValueItem], list[TaskItem]]:
    """The page's items with everything their cards show, in the order of `shown` (a fixed number of queries)."""
    plan_by_id = {p.pk: p for p in plans}
    indicator_slots = [s for s in shown if s.kind != "task"]
    evaluated: dict[int, tuple[Plan, IndicatorResult]] = {}
    if indicator_slots:
        wanted_plans = {s.plan_id for s in indicator_slots}
        # Only the items shown are evaluated: the whole unit at province scale is ~800 evaluations per view.
        results = plan_results(
            [p for p in plans if p.pk in wanted_plans],
            as_of=period.end,
            units=Units.one(department.pk),
            indicator_ids=[s.pk for s in indicator_slots],
        )
        evaluated = {row.indicator.pk: (result.plan, row) for result in results for row in result.indicators}
    items: list[ValueItem] = []
    for slot in indicator_slots:
        if slot.pk not in evaluated:  # deleted since the slots were read
            continue
        plan, row = evaluated[slot.pk]
        ind = row.indicator
        ind.plan = plan  # cache: templates and access checks read indicator.plan without a query
        evaluation = unit_verdict(row, department.pk)
        items.append(ValueItem(indicator=ind, plan=plan, editable=slot.kind == "value", evaluation=evaluation))

    editable = [i for i in items if i.editable]
    by_key: dict[tuple[int, str], IndicatorValue] = {}
    previous: dict[tuple[int, int, int], Decimal] = {}
    if editable:
        rows = (
            IndicatorValue.objects.filter(
                period=period, department=department, indicator_id__in=[i.indicator.pk for i in editable]
            )
            .select_related("updated_by", "reviewed_by")
            .prefetch_related("evidence")
        )
        by_key = {(v.indicator_id, v.basis): v for v in rows}
        previous = previous_values(
            [ValueEntry(indicator=i.indicator, department=department, period=period, value=None) for i in editable]
        )
    per_unit_ids = [i.indicator.pk for i in items if i.indicator.per_unit]
    unit_targets = (
        {ut.indicator_id: ut for ut in UnitTarget.objects.filter(department=department, indicator_id__in=per_unit_ids)}
        if per_unit_ids
        else {}
    )
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
            t.pk: t
            for t in Task.objects.filter(pk__in=task_ids)
            .select_related("plan", "section")
            .prefetch_related(
                Prefetch(
                    "assignments",
                    queryset=TaskAssignment.objects.select_related("department", "group").order_by("role", "order"),
                )
            )
        }
        progress = {
            p.task_id: p
            for p in TaskProgress.objects.filter(period=period, department=department, task_id__in=task_ids)
            .select_related("updated_by", "reviewed_by")
            .prefetch_related("evidence")
        }
        role_labels = dict(Role.choices)
        task_items = [
            TaskItem(
                task=t,
                row=progress.get(t.pk),
                roles=sorted(
                    {
                        str(role_labels[a.role])
                        for a in t.assignments.all()
                        if a.department_id == department.pk and a.role in ENTRY_ROLES
                    }
                ),
            )
            for t in (tasks.get(pk) for pk in task_ids)
            if t is not None
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
        known = {a.department_id: a.department.name for a in item.indicator.assignment_list if a.department}
        known[item.plan.issuer_id] = item.plan.issuer.name
        if unit_id in known:
            item.reporter_name = known[unit_id]
        else:
            wanted[unit_id].append(item)
    if wanted:
        for unit in Department.objects.filter(pk__in=list(wanted)).only("pk", "name"):
            for item in wanted[unit.pk]:
                item.reporter_name = unit.name
