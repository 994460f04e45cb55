"""The shortfall lists (差距清单) of the overview, plan and unit pages: one order, one set of filters, paged.

A shortfall is an indicator line judged 未完成, 严重滞后, 滞后 or 未达标 (a per-unit indicator has one line per short
unit) or a task past its due date and not done. Every list is sorted the same way, worst first: by the stored
verdict's severity, then by its stored sort ratio (progress against expected progress, furthest behind first),
overdue tasks after the 未完成 lines, longest overdue first. Lists read the stored verdicts only
(`indicators.evaluation`): the plan-level lines as plain rows, the per-unit lines filtered, sorted and cut in SQL, so
a page costs the same number of queries for 40 shortfalls or 40 000.

Filters: plan, lead unit (with the leads inherited from a task or section, `dashboard.selectors.units`), status
(a verdict status or 逾期任务) and kind (an indicator kind or 重点任务).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dashboard.selectors.common import SHORT, TaskRow, TaskState, gap_unit, links, own
from dashboard.selectors.units import Lead, Leads, others, read_leads
from indicators import engine
from indicators.evaluation.calendar import stored_date
from indicators.evaluation.models import Verdict
from indicators.evaluation.payload import sort_ratio
from indicators.evaluation.selectors import IndicatorResult, Judged, PlanResult, StoredEvaluation, decoded
from indicators.models import Indicator, UnitTarget
from plans.models import Department, Plan, Role

Status = engine.Status
SHORT_VALUES = [s.value for s in SHORT]
SHORT_SEVERITY = max(engine.STATUS_SEVERITY[s] for s in SHORT)
OVERDUE = TaskState.OVERDUE.value
TASK_KIND = "task"
PER_PAGE = 50

STATUS_CHOICES: list[tuple[str, str | Promise]] = [
    (Status.NOT_ACHIEVED.value, _("未完成")),
    (Status.BEHIND.value, _("严重滞后")),
    (Status.LAGGING.value, _("滞后")),
    (Status.BELOW_TARGET.value, _("未达标")),
    (OVERDUE, _("逾期任务")),
]
KIND_CHOICES: list[tuple[str, str | Promise]] = [*Indicator.Kind.choices, (TASK_KIND, _("重点任务"))]


@dataclass
class Shortfall:
    plan: Plan
    status: str  # an engine status, or "overdue" for a task
    sort_key: tuple
    indicator: Indicator | None = None
    evaluation: Judged | None = None
    unit: Department | None = None  # the assessed unit, for one unit's instance of a per-unit indicator
    target: Decimal | None = None
    gap_unit: str | Promise = ""
    lead: list = field(default_factory=list)  # UnitName or assignment rows: `department_id`, `display_name`
    task: TaskRow | None = None
    lead_source: str = ""  # what the lead is inherited from ("" when the item names its own)
    responsible: list = field(default_factory=list)
    cooperating: list = field(default_factory=list)


def ratio(ev: Judged) -> Decimal:
    """The stored sort ratio of a verdict (progress against expected progress), as `payload.sort_ratio` wrote it."""
    return sort_ratio(decoded(ev))


def judged_target(ev: Judged | None) -> Decimal | None:
    """The target a verdict judged against (a unit's own, this year's quota), when it names one."""
    value = getattr(ev, "target", None)
    return value if isinstance(value, Decimal) else None


def task_key(task_row: TaskRow) -> tuple:
    """A missed deadline is final: as severe as 未完成, after its indicator lines, the longest overdue first."""
    task = task_row.task
    due = task.due_date.toordinal() if task.due_date else 0
    return (engine.STATUS_SEVERITY[Status.NOT_ACHIEVED], 1, due, task_row.plan.code, task.order)


def line_key(severity: int, ratio: Decimal, plan: Plan, indicator: Indicator, unit_name: str = "") -> tuple:
    """Worst severity first, then furthest behind its path (the stored sort ratio); the per-unit SQL sorts alike."""
    return (severity, 0, ratio, plan.code, indicator.order, unit_name)


def task_shortfall(task_row: TaskRow) -> Shortfall:
    return Shortfall(task_row.plan, OVERDUE, task_key(task_row), lead=task_row.lead, task=task_row)


# --- filters ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ShortfallFilter:
    """What the reader narrowed the list to (?sf_plan=, ?sf_lead=, ?sf_status=, ?sf_kind=, ?sf_page=); anything
    unknown is ignored, never an error."""

    plan: str = ""
    lead: int | None = None
    status: str = ""
    kind: str = ""
    page: int = 1

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ShortfallFilter:
        lead = (params.get("sf_lead") or "").strip()
        page = (params.get("sf_page") or "").strip()
        status = (params.get("sf_status") or "").strip()
        kind = (params.get("sf_kind") or "").strip()
        return cls(
            plan=(params.get("sf_plan") or "").strip()[:40],
            lead=int(lead) if lead.isdigit() and len(lead) < 12 else None,
            status=status if status in dict(STATUS_CHOICES) else "",
            kind=kind if kind in dict(KIND_CHOICES) else "",
            page=int(page) if page.isdigit() and len(page) < 7 else 1,
        )

    @property
    def active(self) -> bool:
        return bool(self.plan or self.lead or self.status or self.kind)

    @property
    def tasks_wanted(self) -> bool:
        return self.status in ("", OVERDUE) and self.kind in ("", TASK_KIND)

    @property
    def indicators_wanted(self) -> bool:
        return self.status != OVERDUE and self.kind != TASK_KIND

    def admits(self, plan: Plan, lead: Lead, status: str | None = OVERDUE, kind: str = TASK_KIND) -> bool:
        """Plan and lead unit, and the status and kind unless None (a per-unit line's status is filtered in SQL)."""
        return (
            (not self.plan or plan.code == self.plan)
            and (self.lead is None or self.lead in lead.department_ids)
            and (not self.status or status is None or self.status == status)
            and (not self.kind or self.kind == kind)
        )

    def query(self, **extra: str) -> str:
        """The filters as a query string (without the page), each link of the list carrying them."""
        pairs = {
            "sf_plan": self.plan,
            "sf_lead": str(self.lead or ""),
            "sf_status": self.status,
            "sf_kind": self.kind,
            **extra,
        }
        return urlencode({k: v for k, v in pairs.items() if v})

    @property
    def cache_key(self) -> str:
        return f"{self.query()}|{self.page}"


@dataclass
class PageLink:
    number: int | None  # None: the ellipsis
    current: bool = False


@dataclass
class ShortfallList:
    rows: list[Shortfall]
    total: int
    filters: ShortfallFilter
    number: int
    num_pages: int
    pages: list[PageLink]
    plans: list[tuple[str, str]]  # filter choices: (code, title)
    leads: list[tuple[int, str]]
    per_page: int = PER_PAGE

    def __iter__(self) -> Iterator[Shortfall]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def first(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0

    @property
    def status_choices(self) -> list[tuple[str, str | Promise]]:
        return STATUS_CHOICES

    @property
    def kind_choices(self) -> list[tuple[str, str | Promise]]:
        return KIND_CHOICES


def _paged(total: int, number: int, per_page: int) -> tuple[int, int, list[PageLink]]:
    """The page asked for (out of range: the nearest), the number of pages and the elided page links, as the
    reporting pages use them (Paginator.get_elided_page_range)."""
    paginator = Paginator(range(total), per_page)
    page = paginator.get_page(number)
    links_ = [
        PageLink(n if isinstance(n, int) else None, n == page.number)
        for n in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
    return page.number, paginator.num_pages, links_ if paginator.num_pages > 1 else []


def decorate(shown: Sequence[Shortfall], leads: Leads) -> None:
    """The lead units of the rows shown (inherited where the item names none, with the source), and their
    responsible and cooperating units (one query for the indicators; tasks carry theirs)."""
    named = others(s.indicator.pk for s in shown if s.indicator is not None)
    for s in shown:
        if s.task is not None:
            lead = leads.for_task(s.task.task)
            s.responsible, s.cooperating = s.task.responsible, s.task.cooperating
        elif s.indicator is not None:
            lead = leads.for_indicator(s.indicator)
            roles = named.get(s.indicator.pk, {})
            s.responsible, s.cooperating = roles.get(Role.RESPONSIBLE, []), roles.get(Role.COOPERATING, [])
        else:
            continue
        s.lead, s.lead_source = lead.units, lead.source


# --- overview and plan pages --------------------------------------------------------------------------------------
@dataclass
class Line:
    """An indicator of the listed plans with its own stored line (status columns; payload decoded when shown)."""

    indicator: Indicator
    status: str
    severity: int
    ratio: Decimal
    has_demo: bool
    evaluation: Judged | None = None
    short_units: int = 0


def listing(
    plans: Sequence[Plan],
    dates: Mapping[int, dt.date],
    lines: Sequence[Line],
    overdue: Sequence[TaskRow],
    leads: Leads,
    filters: ShortfallFilter,
    *,
    per_page: int = PER_PAGE,
) -> ShortfallList:
    """One page of the plans' shortfalls, filtered, worst first.

    `lines` are every indicator of the plans with its own stored line and `overdue` their overdue tasks (the overview
    has read both for its cards). The per-unit lines are counted (only when a status is chosen: otherwise the stored
    count of short units of each line adds up) and cut in SQL at the end of the page asked for.
    """
    found, per_unit = _own_lines({p.pk: p for p in plans}, lines, leads, filters)
    for task_row in overdue if filters.tasks_wanted else []:
        if filters.admits(task_row.plan, leads.for_task(task_row.task)):
            found.append(task_shortfall(task_row))
    listed = len(found)
    short_units = _unit_lines(per_unit, dates, filters.status)
    unit_total = short_units.count() if filters.status else sum(line.short_units for line in per_unit)
    number, num_pages, pages = _paged(listed + unit_total, filters.page, per_page)
    end = number * per_page
    if per_unit and unit_total:
        found += _unit_shortfalls(short_units[:end])
    found.sort(key=lambda s: s.sort_key)
    shown = found[end - per_page : end]
    decorate(shown, leads)
    return ShortfallList(
        shown,
        listed + unit_total,
        replace(filters, page=number),
        number,
        num_pages,
        pages,
        [(p.code, p.title) for p in plans],
        leads.choices(),
        per_page,
    )


def _own_lines(
    plans: Mapping[int, Plan], lines: Sequence[Line], leads: Leads, filters: ShortfallFilter
) -> tuple[list[Shortfall], list[Line]]:
    """The short plan-level lines the filters admit, and the per-unit indicators whose unit lines SQL reads."""
    found: list[Shortfall] = []
    per_unit: list[Line] = []
    for line in lines if filters.indicators_wanted else []:
        ind = line.indicator
        plan = plans[ind.plan_id]
        if not filters.admits(plan, leads.for_indicator(ind), None, ind.kind):
            continue
        if ind.per_unit:
            per_unit.append(line)
        elif line.status in SHORT_VALUES and filters.status in ("", line.status):
            target = judged_target(line.evaluation)
            found.append(
                Shortfall(
                    plan,
                    line.status,
                    line_key(line.severity, line.ratio, plan, ind),
                    indicator=ind,
                    evaluation=line.evaluation,
                    target=target if target is not None else ind.target,
                    gap_unit=gap_unit(ind),
                )
            )
    return found, per_unit


def for_plan(
    result: PlanResult, tasks: Sequence[TaskRow], filters: ShortfallFilter, *, per_page: int = PER_PAGE
) -> ShortfallList:
    """The plan page's list: its own lines from the page's verdicts, its units' lines from SQL as on the overview
    (counted, as there, by the short units each stored line records unless a status is chosen)."""
    plan = result.plan
    lines = [
        Line(
            row.indicator,
            row.status.value,
            row.evaluation.severity,
            ratio(row.evaluation),
            row.has_demo,
            row.evaluation,
            row.short_units,
        )
        for row in result.indicators
    ]
    overdue = [t for t in tasks if t.state == TaskState.OVERDUE]
    dates = {plan.pk: stored_date(plan, result.as_of)}
    filters = replace(filters, plan="")
    found = listing([plan], dates, lines, overdue, read_leads([plan.pk]), filters, per_page=per_page)
    found.plans = []  # the plan is the page's
    return found


def _unit_lines(per_unit: Sequence[Line], dates: Mapping[int, dt.date], status: str):  # -> QuerySet[Verdict]
    """The short units of these per-unit indicators, worst first, as the Python key sorts them."""
    where = Q(pk__in=[])
    by_date: dict[dt.date, list[int]] = {}
    for line in per_unit:
        by_date.setdefault(dates[line.indicator.plan_id], []).append(line.indicator.pk)
    for as_of, ids in by_date.items():
        where |= Q(as_of=as_of, indicator_id__ids=sorted(ids))
    rows = Verdict.objects.filter(where, unit__isnull=False, severity__lte=SHORT_SEVERITY)
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("indicator__plan", "unit").order_by(
        "severity", "sort_ratio", "indicator__plan__code", "indicator__order", "unit__name", "unit_id"
    )


def _unit_shortfalls(rows: Sequence[Verdict]) -> list[Shortfall]:
    found = []
    for verdict in rows:
        ev = StoredEvaluation(verdict.status, verdict.payload, verdict.has_demo)
        ind = verdict.indicator
        found.append(
            Shortfall(
                ind.plan,
                verdict.status,
                line_key(
                    verdict.severity, verdict.sort_ratio, ind.plan, ind, verdict.unit.name if verdict.unit else ""
                ),
                indicator=ind,
                evaluation=ev,
                unit=verdict.unit,
                target=judged_target(ev),
                gap_unit=gap_unit(ind),
            )
        )
    return found


# --- pages that evaluate what they show (the unit page) -----------------------------------------------------------
def _indicator_shortfall(
    plan: Plan, row: IndicatorResult, evaluation: Judged, target: Decimal | None, unit: Department | None = None
) -> Shortfall:
    indicator, ev = row.indicator, evaluation
    judged = judged_target(ev)
    target = judged if judged is not None else target  # the target judged: a unit's own, this year's quota
    # Within a severity, the furthest behind its path first (progress against expected progress), as stored with
    # the verdict: the overview and the unit index sort by the stored ratio, and the lists must agree.
    return Shortfall(
        plan,
        ev.status.value,
        line_key(ev.severity, ratio(ev), plan, indicator, unit.name if unit else ""),
        indicator=indicator,
        evaluation=evaluation,
        unit=unit,
        target=target,
        gap_unit=gap_unit(indicator),
        lead=links(list(indicator.assignment_list), Role.LEAD),
    )


def shortfalls(
    results: list[PlanResult],
    tasks: dict[int, list[TaskRow]],
    targets: dict[tuple[int, int], UnitTarget],
    *,
    department_id: int | None = None,
    only: Collection[tuple[int, int | None]] | None = None,
) -> list[Shortfall]:
    """Lagging/behind/not-achieved indicators (one line per short unit for per-unit ones) and overdue tasks, worst
    first. With `department_id`, only what that unit leads, shares or is assessed on; with `only`, of the indicator
    lines only these (indicator, unit or None) — a lead department's indicators have thousands of short units, and
    its page shows the worst hundred (`unit_index`)."""
    found: list[Shortfall] = []
    for result in results:
        plan = result.plan
        for row in result.indicators:
            assigned = any(a.department_id == department_id for a in row.indicator.assignment_list)
            if row.units:
                for unit_row in row.units:
                    if only is not None and (row.indicator.id, unit_row.department.id) not in only:
                        continue
                    if unit_row.evaluation.status in SHORT and (
                        department_id in (None, unit_row.department.id) or assigned
                    ):
                        target = own(targets, row.indicator, unit_row.department.id, "target")
                        found.append(_indicator_shortfall(plan, row, unit_row.evaluation, target, unit_row.department))
            elif (
                row.status in SHORT
                and (department_id is None or assigned)
                and (only is None or (row.indicator.id, None) in only)
            ):
                found.append(_indicator_shortfall(plan, row, row.evaluation, row.indicator.target))
        for task_row in tasks.get(plan.id, []):
            mine = department_id is None or department_id in task_row.department_ids
            if task_row.state == TaskState.OVERDUE and mine:
                found.append(task_shortfall(task_row))
    return sorted(found, key=lambda s: s.sort_key)


def page_of(
    found: Sequence[Shortfall],
    leads: Leads,
    filters: ShortfallFilter,
    *,
    total: int | None = None,
    per_page: int = PER_PAGE,
    plans: Sequence[Plan] = (),
) -> ShortfallList:
    """One page of a list built in memory (worst first), filtered as the SQL lists are."""
    kept = [s for s in found if admitted(s, leads, filters)]
    number, num_pages, pages = _paged(len(kept) if total is None else total, filters.page, per_page)
    shown = list(kept[(number - 1) * per_page : number * per_page])
    decorate(shown, leads)
    return ShortfallList(
        shown,
        len(kept) if total is None else total,
        replace(filters, page=number),
        number,
        num_pages,
        pages,
        [(p.code, p.title) for p in plans],
        leads.choices(),
        per_page,
    )


def admitted(s: Shortfall, leads: Leads, filters: ShortfallFilter) -> bool:
    if s.task is not None:
        return filters.tasks_wanted and filters.admits(s.plan, leads.for_task(s.task.task))
    assert s.indicator is not None
    return filters.indicators_wanted and filters.admits(
        s.plan, leads.for_indicator(s.indicator), s.status, s.indicator.kind
    )
