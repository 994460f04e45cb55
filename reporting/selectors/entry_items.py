"""The cards of the my reporting page: the items shown, each loaded with everything its card shows — the figure's
verdict, the unit's rows of the period and the previous figure, the target and expected value (序时应达), who
reports a read-only figure; a task with the unit's progress report.

Only the items shown are loaded (a page of them, or the cards a form posted): `load_items` runs a fixed number of
queries whatever their number (pinned in tests/reporting/test_queries.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from indicators.access import reporting_unit_id
from indicators.evaluation.calendar import Calendar
from indicators.evaluation.inputs import spec_for, thresholds_for
from indicators.evaluation.selectors import Judged, Units, plan_results, unit_verdict
from indicators.models import Indicator, IndicatorValue, TaskProgress, UnitTarget
from indicators.services import ValueEntry, previous_values
from plans.models import Department, Plan, ReportingPeriod, Role, Task, TaskAssignment
from reporting.selectors.entry_slots import Slot
from reporting.selectors.review import ENTRY_ROLES, MISSING, STATUS_LABELS, expected_at


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


def load_items(
    department: Department,
    period: ReportingPeriod,
    plans: Sequence[Plan],
    shown: Sequence[Slot],
    calendar: Calendar | None = None,
) -> tuple[list[ValueItem], list[ValueItem], list[TaskItem]]:
    """The items of `shown` with everything their cards show, in its order: the figures the unit enters, those it
    only reads, and its tasks (a fixed number of queries; one fewer given the `calendar`)."""
    items = _evaluated_items(department, period, plans, [s for s in shown if s.kind != "task"], calendar)
    editable = [i for i in items if i.editable]
    _attach_rows(editable, department, period)
    _attach_targets(items, department, period)
    read_only = [i for i in items if not i.editable]
    _name_reporters(read_only, {p.pk: p for p in plans})
    return editable, read_only, _task_items(department, period, [s.pk for s in shown if s.kind == "task"])


def calendar_of(periods: Iterable[ReportingPeriod]) -> Calendar:
    """The verdicts' calendar of periods already read, in `Calendar.load`'s order (latest first)."""
    return Calendar(tuple(sorted(sorted(periods, key=lambda p: p.kind), key=lambda p: p.end, reverse=True)))


def _evaluated_items(
    department: Department,
    period: ReportingPeriod,
    plans: Sequence[Plan],
    slots: Sequence[Slot],
    calendar: Calendar | None = None,
) -> list[ValueItem]:
    """A card per indicator slot with the unit's verdict (the stored verdicts of these indicators alone)."""
    if not slots:
        return []
    wanted_plans = {s.plan_id for s in slots}
    # Only the items shown are evaluated: the whole unit at province scale is ~800 evaluations per view.
    results = plan_results(
        [p for p in plans if p.pk in wanted_plans],
        as_of=period.end,
        units=Units.one(department.pk),
        indicator_ids=[s.pk for s in slots],
        calendar=calendar,
    )
    evaluated = {row.indicator.pk: (result.plan, row) for result in results for row in result.indicators}
    items: list[ValueItem] = []
    for slot in slots:
        if slot.pk not in evaluated:  # deleted since the slots were read
            continue
        plan, row = evaluated[slot.pk]
        ind = row.indicator
        ind.plan = plan  # cache: templates and access checks read indicator.plan without a query
        evaluation = unit_verdict(row, department.pk)
        items.append(ValueItem(indicator=ind, plan=plan, editable=slot.kind == "value", evaluation=evaluation))
    return items


def _attach_rows(items: Sequence[ValueItem], department: Department, period: ReportingPeriod) -> None:
    """The unit's figures of the period (estimate and official, with their evidence) and the previous figure."""
    if not items:
        return
    rows = (
        IndicatorValue.objects.filter(
            period=period, department=department, indicator_id__in=[i.indicator.pk for i in items]
        )
        .select_related("updated_by")  # the card names who saved last; who reviewed is not shown
        .prefetch_related("evidence")
    )
    by_key = {(v.indicator_id, v.basis): v for v in rows}
    previous = previous_values(
        [ValueEntry(indicator=i.indicator, department=department, period=period, value=None) for i in items]
    )
    for item in items:
        pk = item.indicator.pk
        item.estimate = by_key.get((pk, IndicatorValue.Basis.ESTIMATE))
        item.official = by_key.get((pk, IndicatorValue.Basis.OFFICIAL))
        item.previous = previous.get((pk, department.pk, period.pk))


def _attach_targets(items: Sequence[ValueItem], department: Department, period: ReportingPeriod) -> None:
    """Each card's target (the unit's own for a per-unit indicator) and the value expected by the period's end."""
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


def _task_items(department: Department, period: ReportingPeriod, task_ids: list[int]) -> list[TaskItem]:
    """The tasks of `task_ids`, in that order, with the unit's progress report and its roles in each."""
    if not task_ids:
        return []
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
        # Neither who saved nor who reviewed a progress report is on its card.
        for p in TaskProgress.objects.filter(
            period=period, department=department, task_id__in=task_ids
        ).prefetch_related("evidence")
    }
    role_labels = dict(Role.choices)
    return [
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
