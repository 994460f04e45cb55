"""Reads for the reporting pages: my reporting page, review queue, 催报, item history and periods.

Every function runs a fixed number of queries whatever the number of items (pinned in tests/test_reporting_queries.py).
Who may see what is decided by the caller through `indicators.access`; these functions only assemble rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators import engine
from indicators.access import reporting_unit_id
from indicators.formatting import dec_str
from indicators.models import (
    Indicator, IndicatorAssignment, IndicatorValue, ReviewStatus, TaskProgress, UnitTarget,
)
from indicators.selectors import evaluate_plans, spec_for, thresholds_for
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


@dataclass
class ReportingPage:
    department: Department
    period: ReportingPeriod
    block_reason: str | None
    values: list[ValueItem]
    read_only: list[ValueItem]
    tasks: list[TaskItem]

    @property
    def returned_count(self) -> int:
        return sum(1 for i in [*self.values, *self.tasks] if i.review_status == ReviewStatus.RETURNED)

    def counts(self) -> dict[str, int]:
        counts = {key: 0 for key in STATUS_ORDER}
        for item in [*self.values, *self.tasks]:
            counts[item.review_status] += 1
        return counts

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


def reporting_page(*, department: Department, period: ReportingPeriod, today: dt.date) -> ReportingPage:
    """Everything the unit enters or reads for the period, with last period's figure, target and expected value."""
    plans = _involved_plans(department)
    plan_by_id = {p.pk: p for p in plans}
    results = evaluate_plans(plans, as_of=period.end, include_tasks=False, department=department)
    items: list[ValueItem] = []
    for result in results:
        plan = result.plan
        for row in result.indicators:
            ind = row.indicator
            ind.plan = plan  # cache: templates and access checks read indicator.plan without a query
            roles = {a.department_id for a in ind.assignments.all() if a.role in ENTRY_ROLES}
            editable = plan.assessed if ind.per_unit else reporting_unit_id(ind, plan) == department.pk
            if not editable and department.pk not in roles:
                continue
            evaluation = row.units[0].evaluation if ind.per_unit and row.units else row.evaluation
            items.append(ValueItem(indicator=ind, plan=plan, editable=editable, evaluation=evaluation))

    editable = [i for i in items if i.editable]
    ids = [i.indicator.pk for i in editable]
    rows = (
        IndicatorValue.objects.filter(period=period, department=department, indicator_id__in=ids)
        .select_related("updated_by", "reviewed_by").prefetch_related("evidence")
    )
    by_key = {(v.indicator_id, v.basis): v for v in rows}
    previous = previous_values([ValueEntry(indicator=i.indicator, department=department, period=period, value=None)
                                for i in editable])
    unit_targets = {
        ut.indicator_id: ut
        for ut in UnitTarget.objects.filter(department=department, indicator_id__in=[i.indicator.pk for i in items
                                                                                      if i.indicator.per_unit])
    }
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

    tasks = list(
        Task.objects.filter(plan_id__in=list(plan_by_id))
        .filter(Exists(TaskAssignment.objects.filter(task=OuterRef("pk"), department=department, role__in=ENTRY_ROLES)))
        .select_related("plan", "section")
        .prefetch_related(Prefetch("assignments", queryset=TaskAssignment.objects.select_related("department", "group")
                                   .order_by("role", "order")))
        .order_by("plan_id", "order")
    )
    progress = {
        p.task_id: p
        for p in TaskProgress.objects.filter(period=period, department=department, task_id__in=[t.pk for t in tasks])
        .select_related("updated_by", "reviewed_by").prefetch_related("evidence")
    }
    role_labels = dict(Role.choices)
    plan_rank = {p.pk: n for n, p in enumerate(plans)}
    task_items = [
        TaskItem(task=t, row=progress.get(t.pk),
                 roles=sorted({str(role_labels[a.role]) for a in t.assignments.all()
                               if a.department_id == department.pk and a.role in ENTRY_ROLES}))
        for t in sorted(tasks, key=lambda t: plan_rank[t.plan_id])
    ]
    editable.sort(key=lambda i: STATUS_ORDER[i.review_status])  # stable: plan order within a status
    task_items.sort(key=lambda i: STATUS_ORDER[i.review_status])
    return ReportingPage(
        department=department, period=period, block_reason=edit_block_reason(period, today),
        values=editable, read_only=[i for i in items if not i.editable], tasks=task_items,
    )


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
