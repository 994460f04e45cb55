"""Reads for the my reporting page: the unit's items of one plan for a period, a page at a time, with a summary
of every plan it carries something in.

What the unit carries is counted and sorted from `entry_slots` (one `Slot` per item, nothing loaded); only the items
shown are then loaded with their cards' data by `entry_items`. Every function runs a fixed number of queries whatever
the number of items (pinned in tests/reporting/test_queries.py). Who may see what is decided by the caller through
`indicators.access`; these functions only assemble rows. The review-status vocabulary (MISSING, STATUS_ORDER, …) is
shared with the other reporting pages and lives in `reporting.selectors.review`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator

from indicators.models import ReviewStatus
from indicators.validation import edit_block_reason
from plans.models import Department, Plan, ReportingPeriod
from reporting.selectors.entry_items import TaskItem, ValueItem, calendar_of, load_items
from reporting.selectors.entry_slots import (
    PlanSummary,
    Slot,
    default_plan,
    involved_plans,
    plan_summaries,
    unit_slots,
    zero_counts,
)
from reporting.selectors.review import STATUS_ORDER

# Items per page. Each item shown costs its evaluation, rows and a card with a form; 20 keeps the page within its
# budget (benchmarks/PERFORMANCE.md) while a 300-item plan is 15 pages, or fewer with the status filter.
PAGE_SIZE = 20
STATUS_FILTERS = tuple(STATUS_ORDER)  # the values `?status=` accepts, in display order


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
        counts = zero_counts()
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
    periods: Sequence[ReportingPeriod] | None = None,
) -> ReportingPage:
    """The unit's items of one plan for the period, a page at a time, with a summary of every plan.

    `plan` is a plan code (default: see `entry_slots.default_plan`), `status` a review status to list only those
    items, `page` the page number (out of range: the nearest page). `focus` is an item key ("v12", "t3"): its plan
    and the page holding it are shown (the filter is dropped if the item does not match it). `only` restricts the
    items to those keys, on any plan, unpaginated (one saved card, or the items a 报送本页 form posted) — keys of
    items the unit does not carry are ignored, so a posted list cannot reach another unit's items.

    Counts come from two aggregate queries over all items; only the items shown are evaluated and loaded with their
    rows, previous figures and targets, so the page costs the same for 8 items or 800 (fixed number of queries).
    `periods`: every reporting period, when the caller has them already (the verdicts' calendar is made of them).
    """
    plans = involved_plans(department, period)
    slots = unit_slots(department, period, plans)
    summaries = plan_summaries(plans, slots)
    by_key = {s.key: s for s in slots}
    focused = by_key.get(focus) if focus else None
    chosen = _chosen_plan(summaries, plan, focused)
    if status not in STATUS_FILTERS or (focused is not None and focused.status != status):
        status = ""
    listed = sorted(
        (s for s in slots if chosen is not None and s.plan_id == chosen.pk and (not status or s.status == status)),
        key=lambda s: s.rank,
    )
    paged = _page_of(listed, focused, page, per_page)
    shown = (
        sorted({by_key[k] for k in only if k in by_key}, key=lambda s: s.rank)
        if only is not None
        else paged.object_list
    )
    calendar = calendar_of(periods) if periods is not None else None
    values, read_only, tasks = load_items(department, period, plans, list(shown), calendar=calendar)
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


def _chosen_plan(summaries: Sequence[PlanSummary], code: str, focused: Slot | None) -> Plan | None:
    """The focused item's plan, else the plan asked for by its code, else where the reporter has work."""
    if focused:
        return next((s.plan for s in summaries if s.plan.pk == focused.plan_id), None)
    return next((s.plan for s in summaries if code and s.plan.code == code), None) or default_plan(summaries)


def _page_of(listed: list[Slot], focused: Slot | None, page: int | str | None, per_page: int) -> Page:
    """The page holding the focused item, else the page asked for (out of range: the nearest page)."""
    number = listed.index(focused) // per_page + 1 if focused in listed else _page_number(page)
    return Paginator(listed, per_page).get_page(number)


def _page_number(value: int | str | None) -> int:
    try:
        return max(1, int(value or 1))
    except (TypeError, ValueError):
        return 1
