"""The review queue (审核): what waits for 组织部, counted per period, plan and unit, one page of rows at a time.

A province has tens of thousands of figures waiting at a deadline. The page counts them in the database (grouped,
never loaded), opens on the oldest period with something waiting, and reads only the rows of the page shown. The
counts are kept in the pages' cache until a review status changes (`pagecache.statuses_changed`), so paging and
filtering read them back. The number of queries is the same whatever the number of items (pinned in
tests/reporting/test_queries.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Value

from indicators.models import IndicatorValue, ReviewStatus, TaskProgress
from plans.models import Department, Plan, ReportingPeriod
from talentplan import pagecache

PAGE_SIZES = (50, 100, 300)
DEFAULT_PAGE_SIZE = 100
WAITING = ReviewStatus.SUBMITTED


@dataclass(frozen=True)
class QueueQuery:
    """What the page was asked for: a period (None: the default), plan, unit, review status ("" all), page."""

    period: str = ""
    plan: int | None = None
    unit: int | None = None
    status: str = WAITING
    page: int = 1
    per_page: int = DEFAULT_PAGE_SIZE


@dataclass
class Facet:
    pk: int
    label: str
    count: int


@dataclass
class PeriodFacet:
    period: ReportingPeriod
    waiting: int


@dataclass
class QueueRow:
    kind: str  # "value" or "progress"
    item: IndicatorValue | TaskProgress
    estimate: IndicatorValue | None = None  # the estimate kept beside an official figure
    previous: Decimal | None = None

    @property
    def token(self) -> str:
        """The checkbox value: kind, id and the version shown, so a decision on a changed item is refused."""
        return f"{self.kind[0]}{self.item.pk}.{self.item.version}"

    @property
    def decidable(self) -> bool:
        return self.item.status in (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)

    @property
    def plan(self) -> Plan:
        item = self.item
        return item.indicator.plan if isinstance(item, IndicatorValue) else item.task.plan

    @property
    def name(self) -> str:
        item = self.item
        return item.indicator.name if isinstance(item, IndicatorValue) else f"{item.task.number}"


@dataclass
class ReviewPage:
    period: ReportingPeriod | None
    query: QueueQuery
    periods: list[PeriodFacet]
    plans: list[Facet] = field(default_factory=list)  # counts under the unit filter
    units: list[Facet] = field(default_factory=list)  # counts under the plan filter
    rows: list[QueueRow] = field(default_factory=list)
    total: int = 0  # items matching every filter
    value_total: int = 0
    number: int = 1
    num_pages: int = 1

    @property
    def waiting_total(self) -> int:
        return sum(p.waiting for p in self.periods)

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.query.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.number * self.query.per_page, self.total)

    @property
    def decidable(self) -> bool:
        return self.period is not None and self.period.state != ReportingPeriod.State.LOCKED


def waiting_by_period() -> Counter[int]:
    """Period id → items waiting for review (figures and progress reports), in one query (or none: cached)."""
    return pagecache.cached("review-waiting", [], _count_waiting, statuses=True)


def _count_waiting() -> Counter[int]:
    values = IndicatorValue.objects.filter(status=WAITING).values_list("period_id").annotate(n=Count("*")).order_by()
    progress = TaskProgress.objects.filter(status=WAITING).values_list("period_id").annotate(n=Count("*")).order_by()
    counts: Counter[int] = Counter()
    for period_id, n in values.union(progress, all=True):
        counts[period_id] += n
    return counts


def opening_period(periods: Sequence[ReportingPeriod], waiting: Counter[int]) -> ReportingPeriod | None:
    """The oldest period with items waiting; with nothing waiting, the newest open one (or the newest)."""
    with_items = [p for p in periods if waiting.get(p.pk)]
    if with_items:
        return min(with_items, key=lambda p: (p.end, p.granularity))
    return next((p for p in periods if p.state == ReportingPeriod.State.OPEN), periods[0] if periods else None)


def _where(period: ReportingPeriod, status: str) -> Q:
    where = Q(period=period)
    return where & Q(status=status) if status else where


def review_page(
    *, periods: Sequence[ReportingPeriod], period: ReportingPeriod | None, query: QueueQuery, waiting: Counter[int]
) -> ReviewPage:
    facets = [PeriodFacet(p, waiting.get(p.pk, 0)) for p in periods]
    page = ReviewPage(period, query, facets)
    if period is None:
        return page
    by_pair = _pair_counts(period, query.status)
    plan_counts: Counter[int] = Counter()
    unit_counts: Counter[int] = Counter()
    value_total = progress_total = 0
    for (kind, plan_id, unit_id), n in by_pair.items():
        if query.unit in (None, unit_id):
            plan_counts[plan_id] += n
        if query.plan in (None, plan_id):
            unit_counts[unit_id] += n
        if query.unit in (None, unit_id) and query.plan in (None, plan_id):
            if kind == "value":
                value_total += n
            else:
                progress_total += n
    plans = {p.pk: p for p in Plan.objects.filter(pk__in=list({k[1] for k in by_pair})).only("id", "code", "title")}
    units = {
        u.pk: u for u in Department.objects.filter(pk__in=list({k[2] for k in by_pair})).only("id", "name", "order")
    }
    page.plans = [Facet(pk, plans[pk].title, plan_counts[pk]) for pk in sorted(plans, key=lambda pk: plans[pk].code)]
    page.units = [
        Facet(pk, units[pk].name, unit_counts[pk])
        for pk in sorted(units, key=lambda pk: (units[pk].order, units[pk].name, pk))
    ]
    page.total, page.value_total = value_total + progress_total, value_total
    page.num_pages = max(1, -(-page.total // query.per_page))
    page.number = min(max(1, query.page), page.num_pages)
    start = (page.number - 1) * query.per_page
    stop = start + query.per_page
    if start < value_total:
        earlier = max(
            (p for p in periods if p.kind == period.kind and p.end < period.start), key=lambda p: p.end, default=None
        )
        page.rows += _value_rows(period, query, start, min(stop, value_total), earlier)
    if stop > value_total:
        page.rows += _progress_rows(period, query, max(0, start - value_total), stop - value_total)
    return page


def _pair_counts(period: ReportingPeriod, status: str) -> Counter[tuple[str, int, int]]:
    """(kind, plan, unit) → items of the period in that review status, in one query (or none: cached)."""
    return pagecache.cached("review-pairs", [period.pk, status], lambda: _count_pairs(period, status), statuses=True)


def _count_pairs(period: ReportingPeriod, status: str) -> Counter[tuple[str, int, int]]:
    """One query; a marker column tells the figures from the progress reports."""
    values = (
        IndicatorValue.objects.filter(_where(period, status))
        .annotate(kind=Value("v"))
        .values_list("kind", "indicator__plan_id", "department_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    progress = (
        TaskProgress.objects.filter(_where(period, status))
        .annotate(kind=Value("p"))
        .values_list("kind", "task__plan_id", "department_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    counts: Counter[tuple[str, int, int]] = Counter()
    for kind, plan_id, unit_id, n in values.union(progress, all=True):
        counts[("value" if kind == "v" else "progress", plan_id, unit_id)] += n
    return counts


def _filters(query: QueueQuery, plan_field: str) -> Q:
    where = Q()
    if query.plan is not None:
        where &= Q(**{plan_field: query.plan})
    if query.unit is not None:
        where &= Q(department_id=query.unit)
    return where


def _value_rows(
    period: ReportingPeriod, query: QueueQuery, start: int, stop: int, earlier: ReportingPeriod | None
) -> list[QueueRow]:
    # The page's ids first, sorted from the waiting index and the small tables alone; then only those rows.
    ids = list(
        IndicatorValue.objects.filter(_where(period, query.status), _filters(query, "indicator__plan_id"))
        .order_by(
            "department__order",
            "department__name",
            "department_id",
            "indicator__plan__code",
            "indicator__order",
            "indicator_id",
            "basis",
        )
        .values_list("id", flat=True)[start:stop]
    )
    place = {pk: n for n, pk in enumerate(ids)}
    values = sorted(
        IndicatorValue.objects.filter(pk__in=ids)
        .select_related("indicator__plan", "department", "updated_by")
        .prefetch_related("evidence")
        .order_by(),
        key=lambda v: place[v.pk],
    )
    for v in values:
        v.period = period
    officials = [v for v in values if v.basis == IndicatorValue.Basis.OFFICIAL]
    estimates = (
        {
            (v.indicator_id, v.department_id): v
            for v in IndicatorValue.objects.filter(
                period=period,
                basis=IndicatorValue.Basis.ESTIMATE,
                indicator_id__in={v.indicator_id for v in officials},
                department_id__in={v.department_id for v in officials},
            )
        }
        if officials
        else {}
    )
    previous = _previous_figures(values, earlier)
    return [
        QueueRow(
            "value",
            v,
            estimates.get((v.indicator_id, v.department_id)) if v.basis == IndicatorValue.Basis.OFFICIAL else None,
            previous.get((v.indicator_id, v.department_id)),
        )
        for v in values
    ]


def _previous_figures(values: list[IndicatorValue], earlier: ReportingPeriod | None) -> dict[tuple[int, int], Decimal]:
    """(indicator, unit) → the figure of the previous period of the same kind (上期值), the official one where both
    exist; returned figures do not count (one query)."""
    if earlier is None or not values:
        return {}
    rows = (
        IndicatorValue.objects.filter(
            period=earlier,
            indicator_id__in={v.indicator_id for v in values},
            department_id__in={v.department_id for v in values},
            value__isnull=False,
        )
        .exclude(status=ReviewStatus.RETURNED)
        .order_by("basis")  # "estimate" < "official": the official wins
        .values_list("indicator_id", "department_id", "value")
    )
    return {(ind, dept): value for ind, dept, value in rows if value is not None}  # value__isnull=False above


def _progress_rows(period: ReportingPeriod, query: QueueQuery, start: int, stop: int) -> list[QueueRow]:
    progress = list(
        TaskProgress.objects.filter(_where(period, query.status), _filters(query, "task__plan_id"))
        .select_related("task__plan", "department", "updated_by")
        .prefetch_related("evidence")
        .order_by(
            "department__order", "department__name", "department_id", "task__plan__code", "task__order", "task_id"
        )[start:stop]
    )
    for p in progress:
        p.period = period
    return [QueueRow("progress", p) for p in progress]
