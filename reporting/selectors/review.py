"""Reads for the reporting pages: 催报, item history and periods, and the review-status vocabulary
and period helpers they share with the my reporting page (`reporting.selectors.entry`).

Every function runs a fixed number of queries whatever the number of items (pinned in tests/test_reporting_queries.py).
Who may see what is decided by the caller through `indicators.access`; these functions only assemble rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators import engine
from indicators.access import reporting_unit_id
from indicators.formatting import dec_str
from indicators.models import Indicator, IndicatorAssignment, IndicatorValue, ReviewStatus, TaskProgress
from plans.models import Department, Membership, Plan, ReportingPeriod, Role, TaskAssignment
from plans.roles import REPORTER

MISSING = "missing"  # pseudo review status: nothing saved yet for this period
STATUS_LABELS = {MISSING: gettext_lazy("未填报"), **dict(ReviewStatus.choices)}
# Returned items first (the reporter has to act on them), then what still needs entering, then what is done.
STATUS_ORDER = {
    ReviewStatus.RETURNED: 0,
    MISSING: 1,
    ReviewStatus.DRAFT: 2,
    ReviewStatus.SUBMITTED: 3,
    ReviewStatus.APPROVED: 4,
}
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
    probe = engine.Observation(
        start=period.start, end=period.end, value=probe_value, granularity=period.granularity, label=period.code
    )
    return engine.evaluate(spec, [probe], period.end, thresholds).expected


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


def _obligations(period: ReportingPeriod) -> tuple[dict[int, list[tuple[str, int, str]]], set[int]]:
    """Unit → [(kind, object id, label)] of everything it must report in a period: the active plans whose years
    contain it (a plan that is over asks for nothing)."""
    plans = {
        p.pk: p
        for p in Plan.objects.filter(status=Plan.Status.ACTIVE, start_year__lte=period.year, end_year__gte=period.year)
    }
    assessed: dict[int, list[int]] = defaultdict(list)
    for plan_id, dept_id in Plan.assessed_units.through.objects.filter(plan_id__in=list(plans)).values_list(
        "plan_id", "department_id"
    ):
        assessed[plan_id].append(dept_id)
    by_unit: dict[int, list[tuple[str, int, str]]] = defaultdict(list)
    indicators = (
        Indicator.objects.filter(plan_id__in=list(plans), formula="")  # a formula is computed, nobody owes it
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=IndicatorAssignment.objects.only("id", "indicator_id", "role", "department_id", "order"),
            )
        )
        .only("id", "name", "plan_id", "per_unit", "reporting_unit_id")
        .order_by("plan_id", "order")
    )
    for ind in indicators:
        units = assessed[ind.plan_id] if ind.per_unit else [reporting_unit_id(ind, plans[ind.plan_id])]
        for unit in units:
            by_unit[unit].append(("value", ind.pk, ind.name))
    task_units = (
        TaskAssignment.objects.filter(task__plan_id__in=list(plans), role__in=ENTRY_ROLES, department__isnull=False)
        .values_list("department_id", "task_id", "task__number", "task__text")
        .order_by("task__plan_id", "task__order")
    )
    seen: set[tuple[int, int]] = set()
    for unit, task_id, number, text in task_units:
        if (unit, task_id) not in seen:
            seen.add((unit, task_id))
            by_unit[unit].append(("task", task_id, f"{number}{text[:30]}"))
    return by_unit, set(by_unit)


def overdue_report(*, period: ReportingPeriod, today: dt.date) -> OverdueReport:
    by_unit, unit_ids = _obligations(period)
    value_status: dict[tuple[int, int], tuple[str, str]] = {}
    for ind, dept, basis, status in IndicatorValue.objects.filter(period=period).values_list(
        "indicator_id", "department_id", "basis", "status"
    ):
        # The official figure's status decides when both exist, as on the reporting page.
        if (ind, dept) not in value_status or basis == IndicatorValue.Basis.OFFICIAL:
            value_status[(ind, dept)] = (basis, status)
    task_status = {
        (t, d): s
        for t, d, s in TaskProgress.objects.filter(period=period).values_list("task_id", "department_id", "status")
    }
    reporters: dict[int, list[str]] = defaultdict(list)
    for dept, username, full_first, full_last in (
        Membership.objects.filter(department_id__in=unit_ids, user__groups__name=REPORTER, user__is_active=True)
        .values_list("department_id", "user__username", "user__first_name", "user__last_name")
        .order_by("user__username")
    ):
        reporters[dept].append(f"{full_last}{full_first}".strip() or username)
    units = []
    complete = 0
    for department in Department.objects.filter(pk__in=unit_ids).order_by("order", "name"):
        due = UnitDue(department, reporters=reporters[department.pk])
        for kind, obj_id, label in by_unit[department.pk]:
            due.total += 1
            status = (
                value_status.get((obj_id, department.pk), ("", MISSING))[1]
                if kind == "value"
                else task_status.get((obj_id, department.pk), MISSING)
            )
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


def _display(model: type[models.Model], field_name: str, value: object) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, Decimal):
        return dec_str(value) or "—"
    choices = dict(getattr(model._meta.get_field(field_name), "choices", None) or [])
    return str(choices.get(value, value))


def history_entries(
    model: type[IndicatorValue] | type[TaskProgress], rows: Iterable[IndicatorValue | TaskProgress]
) -> list[HistoryEntry]:
    """Who changed what, when and why (old → new), for the rows of one item, oldest first (one query)."""
    fields = VALUE_FIELDS if model is IndicatorValue else PROGRESS_FIELDS
    labels = {f: str(getattr(model._meta.get_field(f), "verbose_name", f)) for f in fields}
    records = list(
        model.history.filter(id__in=[r.pk for r in rows])
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    last: dict[int, object] = {}
    entries = []
    for record in records:
        before = last.get(record.id)
        if before is None:
            changes = [
                Change(labels[f], "—", _display(model, f, getattr(record, f)))
                for f in fields
                if getattr(record, f) not in (None, "") and f != "basis"
            ]
        else:
            delta = record.diff_against(before, included_fields=list(fields))
            changes = [
                Change(labels[c.field], _display(model, c.field, c.old), _display(model, c.field, c.new))
                for c in delta.changes
            ]
        last[record.id] = record
        user = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=(user.get_full_name() or user.username) if user else _("系统"),
                reason=record.history_change_reason or "",
                changes=changes,
                basis=_display(model, "basis", record.basis) if model is IndicatorValue else "",
            )
        )
    return entries


def period_history(periods: Sequence[ReportingPeriod]) -> dict[int, list]:
    """Period id → its state changes, newest first (one query)."""
    result: dict[int, list] = defaultdict(list)
    records = (
        ReportingPeriod.history.filter(id__in=[p.pk for p in periods])
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    for record in records:
        result[record.id].append(record)
    return result


def units_reporting(periods: Sequence[ReportingPeriod]) -> dict[int, int]:
    """Period id → how many units report something in it, for the periods that can still be closed or locked (what
    those actions stop is named in their confirmation). Obligations depend on the year only: three queries a year."""
    per_year: dict[int, int] = {}
    result = {}
    for period in periods:
        if period.state == ReportingPeriod.State.LOCKED:
            continue
        if period.year not in per_year:
            per_year[period.year] = len(_obligations(period)[1])
        result[period.pk] = per_year[period.year]
    return result


def state_question(period: ReportingPeriod, state: str, units: int) -> str:
    """What closing or locking a period will do, asked once before it is done."""
    if state == ReportingPeriod.State.LOCKED:
        text = _("锁定%(p)s：%(n)s个单位将不能再修改，审核也随之冻结；解锁须填写原因。")
        return text % {"p": period.label, "n": units}
    return _("截止%(p)s：%(n)s个单位将不能再填报或修改，已报送的项仍可审核；重新开放须填写原因。") % {
        "p": period.label,
        "n": units,
    }
