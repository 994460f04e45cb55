"""Writes: enter, submit, approve, return figures and task progress; open, close, lock and reopen periods.

Every function is keyword-only, checks permission and period state, validates, and records history (who, when,
old → new, reason) through django-simple-history. The web form and the Excel import call the same functions;
`save_values` is the bulk door the import uses (all or nothing, history written with the bulk helpers).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import access, bulk, engine
from indicators.evaluation import services as verdicts
from indicators.formatting import dec_str
from indicators.models import Evidence, Indicator, IndicatorValue, ReviewStatus, TaskProgress
from indicators.evaluation.inputs import current_pairs, observation
from indicators.validation import (
    IndicatorRules, edit_block_reason, rules_of, running_total_suspected, validate_figure,
)
from plans.models import Department, ReportingPeriod, Task
from ops.db import apply_write_limits, is_timeout
from plans.roles import is_admin

T = TypeVar("T")


class ServiceError(Exception):
    """A refused write. `errors` maps a field (or "__all__") to a Chinese message the user can act on."""

    def __init__(self, errors: dict[str, str] | str, *, current: object | None = None) -> None:
        self.errors = {"__all__": errors} if isinstance(errors, str) else errors
        self.current = current
        super().__init__("；".join(self.errors.values()))


class StaleEditError(ServiceError):
    """Someone else saved the item after the form was loaded; `current` is the newer row."""


class BusyError(ServiceError):
    """A row lock or a statement took longer than the configured limit; the transaction was rolled back."""


def busy_message() -> str:
    return _("系统繁忙，请稍后重试，未写入任何数据。")


def guarded_write(func: Callable[..., T]) -> Callable[..., T]:
    """Run a write service in a transaction with the database's lock and statement time limits (ops.db); a limit
    that fires becomes a BusyError with the message a user can act on, never a server error."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            with transaction.atomic():
                apply_write_limits()
                return func(*args, **kwargs)
        except OperationalError as exc:
            if is_timeout(exc):
                raise BusyError(busy_message()) from exc
            raise

    return wrapper


@dataclass(frozen=True)
class ValueEntry:
    indicator: Indicator
    department: Department
    period: ReportingPeriod
    value: Decimal | None
    basis: str = IndicatorValue.Basis.ESTIMATE
    note: str = ""
    expected_version: int | None = None  # version the form was loaded with; None for "no prior row expected/known"
    location: str = ""  # e.g. "第5行" for import messages
    confirmed_amount: bool = False  # the department confirmed a 本期新增 figure that looks like a running total


@dataclass
class SaveResult:
    created: list[IndicatorValue] = field(default_factory=list)
    updated: list[IndicatorValue] = field(default_factory=list)
    unchanged: list[IndicatorValue] = field(default_factory=list)


BASES = frozenset(IndicatorValue.Basis.values)  # `Basis.values` builds a list on every call (10 000 an import)


def rules_for(indicator: Indicator) -> IndicatorRules:
    return rules_of(indicator)


def _today() -> dt.date:
    return timezone.localdate()


def ensure_can_edit_period(period: ReportingPeriod, *, today: dt.date | None = None) -> None:
    reason = edit_block_reason(period, today or _today())
    if reason:
        raise ServiceError(reason)


def previous_values(entries: Sequence[ValueEntry]) -> dict[tuple[int, int, int], Decimal]:
    """(indicator, department, period) → the latest counted figure of an earlier period, in one query."""
    if not entries:
        return {}
    indicator_ids = {e.indicator.pk for e in entries}
    department_ids = {e.department.pk for e in entries}
    periods = {e.period.pk: e.period for e in entries}
    if len(periods) == 1:
        # The usual import (one quarter): let the database keep only the latest earlier figure per item instead of
        # sending every earlier quarter (190 000 rows for a province template of 10 000).
        (period,) = periods.values()
        latest = (
            IndicatorValue.objects.filter(
                indicator_id__in=indicator_ids, department_id__in=department_ids, period__end__lt=period.start,
                period__kind=period.kind, value__isnull=False,
            )
            .exclude(status=ReviewStatus.RETURNED)
            .annotate(rank=Window(RowNumber(), partition_by=[F("indicator_id"), F("department_id")],
                                  order_by=[F("period__end").desc(), F("basis").desc()]))
            .filter(rank=1)
            .order_by()  # the model's default order would join indicators, plans and units only to sort
            .values_list("indicator_id", "department_id", "value")
        )
        return {(ind, dept, period.pk): value for ind, dept, value in latest}
    latest_end = max(e.period.end for e in entries)
    rows = (
        IndicatorValue.objects.filter(
            indicator_id__in=indicator_ids, department_id__in=department_ids, period__end__lt=latest_end,
            value__isnull=False,
        )
        .exclude(status=ReviewStatus.RETURNED)
        .values_list("indicator_id", "department_id", "period__end", "period__kind", "basis", "value")
        # "estimate" < "official": within one period the official figure comes last and wins, as on the dashboards.
        .order_by("period__end", "basis")
    )
    by_key: dict[tuple[int, int], list[tuple[dt.date, str, Decimal]]] = {}
    for ind, dept, end, kind, basis, value in rows:
        by_key.setdefault((ind, dept), []).append((end, kind, value))
    result: dict[tuple[int, int, int], Decimal] = {}
    for e in entries:
        # Compare like with like: the previous period of the same kind (quarter after quarter).
        candidates = [v for end, kind, v in by_key.get((e.indicator.pk, e.department.pk), [])
                      if end < e.period.start and kind == e.period.kind]
        if candidates:
            result[(e.indicator.pk, e.department.pk, e.period.pk)] = candidates[-1]
    return result


def earlier_amounts(entries: Sequence[ValueEntry]) -> dict[tuple[int, int, int], tuple[Decimal, int, Decimal]]:
    """(indicator, unit, period) → (this year's earlier amounts, how many periods they are, the plan's running total
    before the period) for entries of 本期新增 flow indicators (one query): what a running total would look like."""
    flows = [e for e in entries if e.value is not None and e.indicator.kind in engine.FLOW_KINDS
             and e.indicator.reporting_basis == engine.Basis.PERIOD_AMOUNT]
    if not flows:
        return {}
    latest = max(e.period.start for e in flows)
    rows = (IndicatorValue.objects.filter(
        indicator_id__in={e.indicator.pk for e in flows}, department_id__in={e.department.pk for e in flows},
        period__end__lt=latest, value__isnull=False).exclude(status=ReviewStatus.RETURNED).select_related("period"))
    by_key: dict[tuple[int, int], list[IndicatorValue]] = {}
    for row in rows:
        by_key.setdefault((row.indicator_id, row.department_id), []).append(row)
    found = {}
    for e in flows:
        earlier = [r for r in by_key.get((e.indicator.pk, e.department.pk), [])
                   if r.period.end < e.period.start and r.period.year >= e.indicator.plan.start_year]
        pairs = current_pairs(earlier)
        observations = [observation(figure) for figure, _estimate in pairs.values()]
        amounts = engine.year_amounts(observations, engine.Basis.PERIOD_AMOUNT)
        this_year = amounts.get(e.period.year)
        count = sum(1 for o in observations if o.end.year == e.period.year)
        plan_total = sum((a.total for a in amounts.values()), Decimal(0))
        found[(e.indicator.pk, e.department.pk, e.period.pk)] = (
            this_year.total if this_year else Decimal(0), count, plan_total)
    return found


def _amount_check(entry: ValueEntry, earlier: tuple[Decimal, int, Decimal] | None) -> dict[str, str]:
    if entry.confirmed_amount or entry.value is None or earlier is None:
        return {}
    year_sum, count, plan_sum = earlier
    like = running_total_suspected(entry.value, year_sum, count, plan_sum)
    if like is None:
        return {}
    return {"confirm_amount": _(
        "“%(name)s”按“本期新增”填报，只填本期内新增的数。您填写的%(v)s不小于此前各期合计%(s)s，像是累计数；"
        "如确为本期新增，请勾选“确认为本期新增数”后再保存。") % {
            "name": entry.indicator.name, "v": dec_str(entry.value), "s": dec_str(like)}}


def _check_entry(
    user: AbstractBaseUser, entry: ValueEntry, previous: Decimal | None, *, today: dt.date | None = None,
    entry_units: set[int] | None = None,
) -> dict[str, str]:
    if not access.can_enter_indicator(user, entry.indicator, entry.department, entry_units=entry_units):
        return {"__all__": _("您无权填报“%(unit)s”的“%(name)s”。") % {"unit": entry.department.name, "name": entry.indicator.name}}
    if entry.basis not in BASES:
        return {"basis": _("数据口径应为“预计”或“统计”。")}
    reason = edit_block_reason(entry.period, today or _today())
    if reason:
        return {"__all__": reason}
    return validate_figure(rules_for(entry.indicator), entry.value, entry.note, previous)


def _missing_value(entry: ValueEntry, submit: bool) -> dict[str, str]:
    """An empty figure may be saved as a draft but never reported."""
    if submit and entry.value is None:
        return {"value": _("“%(name)s”尚未填写实际值，不能报送。") % {"name": entry.indicator.name}}
    return {}


def save_values(
    *, user: AbstractBaseUser, entries: Sequence[ValueEntry], submit: bool = False, reason: str = "", dry_run: bool = False
) -> SaveResult:
    """Validate every entry, then write all of them or none. Raises ServiceError with per-entry messages.

    Three queries to read (previous figures, existing rows) whatever the number of entries, then bulk writes
    with history rows.
    """
    previous = previous_values(entries)
    earlier = earlier_amounts(entries)
    allowed = access.entry_units_map({e.indicator.pk for e in entries})
    today = _today()
    errors: dict[str, str] = {}
    for i, entry in enumerate(entries):
        key = (entry.indicator.pk, entry.department.pk, entry.period.pk)
        found = _check_entry(user, entry, previous.get(key), today=today,
                             entry_units=allowed.get(entry.indicator.pk, set()))
        found = found or _missing_value(entry, submit) or _amount_check(entry, earlier.get(key))
        for key, message in found.items():
            errors[f"{entry.location or i}:{key}"] = f"{entry.location}{'：' if entry.location else ''}{message}"
    if errors:
        raise ServiceError(errors)
    keys = {(e.indicator.pk, e.period.pk, e.department.pk, e.basis) for e in entries}
    if len(keys) != len(entries):
        raise ServiceError(_("同一指标、周期、单位和口径出现了多次，请合并后再提交。"))
    # Read and write under row locks in one transaction: a web save between our read and our write would otherwise
    # be overwritten (and both writers would end on the same version number, defeating the stale-form check).
    return guarded_write(_write_values)(user=user, entries=entries, keys=keys, submit=submit, reason=reason,
                                        dry_run=dry_run)


def _write_values(*, user: AbstractBaseUser, entries: Sequence[ValueEntry], keys: set[tuple[int, int, int, str]],
                  submit: bool, reason: str, dry_run: bool) -> SaveResult:
    existing = {
        (v.indicator_id, v.period_id, v.department_id, v.basis): v
        for v in IndicatorValue.objects.select_for_update().filter(
            indicator_id__in={k[0] for k in keys}, period_id__in={k[1] for k in keys},
            department_id__in={k[2] for k in keys},
        )
    }
    now = timezone.now()
    result = SaveResult()
    for entry in entries:
        row = existing.get((entry.indicator.pk, entry.period.pk, entry.department.pk, entry.basis))
        if row is not None and entry.expected_version is not None and row.version != entry.expected_version:
            raise StaleEditError(
                _("该项已被 %(who)s 于 %(when)s 修改为 %(value)s，请刷新后在最新数据上修改。") % {
                    "who": row.updated_by or _("他人"), "when": timezone.localtime(row.updated_at).strftime("%Y-%m-%d %H:%M"),
                    "value": dec_str(row.value) or "—"},
                current=row,
            )
        if row is not None and row.status == ReviewStatus.APPROVED:
            if row.value == entry.value and row.note == entry.note:
                # An approved figure sent back as it is (a template uploaded unchanged) is no change, not an error.
                result.unchanged.append(row)
                continue
            raise ServiceError(_("%(loc)s“%(name)s”已审核通过，不能再修改；如需更正请联系组织部退回。") % {
                "loc": entry.location, "name": entry.indicator.name})
        status = ReviewStatus.SUBMITTED if submit else ReviewStatus.DRAFT
        if row is None:
            row = IndicatorValue(
                indicator=entry.indicator, period=entry.period, department=entry.department, basis=entry.basis,
                value=entry.value, note=entry.note, status=status, updated_by=user, updated_at=now,
                submitted_at=now if submit else None,
            )
            result.created.append(row)
            continue
        same = row.value == entry.value and row.note == entry.note and (not submit or row.status == status)
        if same:
            result.unchanged.append(row)
            continue
        row.value, row.note, row.updated_by, row.updated_at = entry.value, entry.note, user, now
        if submit or row.status != ReviewStatus.RETURNED:
            row.status = status
        if submit:
            row.submitted_at = now
        row.version += 1
        result.updated.append(row)
    if dry_run:
        return result
    change_reason = reason or (_("填报并报送") if submit else _("保存草稿"))
    try:
        with transaction.atomic():
            bulk.insert_values(result.created)
            bulk.insert_history(result.created, history_type="+", user=user, reason=change_reason, date=now)
            bulk.update_values(result.updated, UPDATED_FIELDS)
            bulk.insert_history(result.updated, history_type="~", user=user, reason=change_reason, date=now)
            ends = {e.period.pk: e.period.end for e in entries}
            _figures_changed([(row, ends[row.period_id]) for row in result.created if row.changes_verdicts(created=True)]
                             + [(row, ends[row.period_id]) for row in result.updated if row.changes_verdicts()])
            for row in (*result.created, *result.updated):
                row.mark_written()
    except IntegrityError as exc:
        # Someone created one of these rows after we read: refuse like any stale edit instead of a server error.
        raise StaleEditError(_("导入期间有人新填报了其中的项，请重新下载模板或刷新后再导入。")) from exc
    return result


def _figures_changed(rows: Sequence[tuple[IndicatorValue, dt.date]]) -> None:
    """Counted figures changed (or stopped counting): their verdicts are evaluated again in this transaction, from
    the figure's period (`dt.date`, its end) on."""
    if rows:
        verdicts.figures_changed(figures=[(r.indicator_id, r.department_id, end) for r, end in rows])


UPDATED_FIELDS = ("value", "note", "status", "updated_by", "updated_at", "submitted_at", "version")


@guarded_write
def save_value(*, user: AbstractBaseUser, entry: ValueEntry, submit: bool = False) -> IndicatorValue:
    """Save one figure from the web form, refusing a stale form (lost-update protection)."""
    key = (entry.indicator.pk, entry.department.pk, entry.period.pk)
    previous = previous_values([entry]).get(key)
    errors = (_check_entry(user, entry, previous) or _missing_value(entry, submit)
              or _amount_check(entry, earlier_amounts([entry]).get(key)))
    if errors:
        raise ServiceError(errors)
    row = (
        IndicatorValue.objects.select_for_update()
        .filter(indicator=entry.indicator, period=entry.period, department=entry.department, basis=entry.basis)
        .first()
    )
    if row is not None and entry.expected_version is not None and row.version != entry.expected_version:
        raise StaleEditError(
            _("该项已被 %(who)s 于 %(when)s 修改为 %(value)s，您的页面已过期。请刷新后在最新数据上修改。") % {
                "who": row.updated_by or _("他人"), "when": timezone.localtime(row.updated_at).strftime("%Y-%m-%d %H:%M"),
                "value": dec_str(row.value) or "—"},
            current=row,
        )
    if row is None and entry.expected_version not in (None, 0):
        raise StaleEditError(_("该项已被他人删除或变更，请刷新页面。"))
    if row is not None and row.status == ReviewStatus.APPROVED:
        raise ServiceError(_("该项已审核通过，不能再修改；如需更正请联系组织部退回。"))
    now = timezone.now()
    if row is None:
        row = IndicatorValue(indicator=entry.indicator, period=entry.period, department=entry.department, basis=entry.basis)
    else:
        row.version += 1
    row.value, row.note, row.updated_by = entry.value, entry.note, user
    if submit:
        row.status, row.submitted_at = ReviewStatus.SUBMITTED, now
    elif row.status != ReviewStatus.RETURNED:
        row.status = ReviewStatus.DRAFT
    row._change_reason = _("填报并报送") if submit else _("保存草稿")
    row._history_user = user
    counted = row.changes_verdicts(created=row.pk is None)
    _save_new_or_existing(row, lambda: IndicatorValue.objects.filter(
        indicator=entry.indicator, period=entry.period, department=entry.department, basis=entry.basis).first())
    if counted:
        _figures_changed([(row, entry.period.end)])
    row.mark_written()
    return row


def _save_new_or_existing(row: IndicatorValue | TaskProgress, current: object) -> None:
    """Save; two first saves of the same item racing each other end in a stale-edit refusal, not a server error.

    select_for_update cannot lock a row that does not exist yet, so the unique constraint decides the race: the
    loser's INSERT fails (on PostgreSQL it waits for the winner's commit first) and is told what the winner saved.
    """
    if row.pk is not None:
        row.save()
        return
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        newer = current()  # type: ignore[operator]
        raise StaleEditError(
            _("该项刚刚已由 %(who)s 填报%(value)s，您的页面已过期。请刷新后在最新数据上修改。") % {
                "who": getattr(newer, "updated_by", None) or _("他人"),
                "value": ("为 " + (dec_str(newer.value) or "—")) if isinstance(newer, IndicatorValue) else ""},
            current=newer,
        ) from None


def _locked(item: IndicatorValue | TaskProgress, expected_version: int | None) -> IndicatorValue | TaskProgress:
    """The item re-read under a row lock, so a status change never writes back stale values read earlier."""
    fresh = type(item).objects.select_for_update().select_related("period").get(pk=item.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise StaleEditError(
            _("该项在您打开页面后已被 %(who)s 修改（%(when)s），请刷新后再操作。") % {
                "who": fresh.updated_by or _("他人"), "when": timezone.localtime(fresh.updated_at).strftime("%Y-%m-%d %H:%M")},
            current=fresh,
        )
    return fresh


def _save_locked(item: IndicatorValue | TaskProgress, fresh: IndicatorValue | TaskProgress, user: AbstractBaseUser,
                 reason: str) -> None:
    fresh.version += 1
    fresh._change_reason = reason
    fresh._history_user = user
    fresh.save()
    if isinstance(fresh, IndicatorValue) and fresh.changes_verdicts():
        _figures_changed([(fresh, fresh.period.end)])  # submitted, approved (no longer 待审) or returned (no longer counted)
        fresh.mark_written()
    # Hand the new state back to the caller's instance (views re-render it).
    for f in ("status", "version", "submitted_at", "reviewed_at", "reviewed_by_id", "return_reason", "updated_by_id",
              "updated_at", "value" if isinstance(fresh, IndicatorValue) else "progress"):
        setattr(item, f, getattr(fresh, f))


def _review_guard(user: AbstractBaseUser, item: IndicatorValue | TaskProgress) -> None:
    if not access.can_review(user):
        raise ServiceError(_("只有组织部管理员可以审核。"))
    if item.period.state == ReportingPeriod.State.LOCKED:
        raise ServiceError(_("%(p)s 已锁定，不能再审核或退回；如需更正请先重新开放。") % {"p": item.period.label})


@guarded_write
def submit_item(*, user: AbstractBaseUser, item: IndicatorValue | TaskProgress, expected_version: int | None = None) -> None:
    if isinstance(item, IndicatorValue):
        allowed = access.can_enter_indicator(user, item.indicator, item.department)
    else:
        allowed = access.can_enter_task(user, item.task, item.department)
    if not allowed:
        raise ServiceError(_("您无权报送该项。"))
    fresh = _locked(item, expected_version)
    ensure_can_edit_period(fresh.period)
    if fresh.status in (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED):
        return
    if isinstance(fresh, IndicatorValue) and fresh.value is None:
        raise ServiceError({"value": _("“%(name)s”尚未填写实际值，不能报送。") % {"name": item.indicator.name}})
    if isinstance(fresh, TaskProgress) and not fresh.progress.strip():
        raise ServiceError({"progress": _("报送前请填写进展情况。")})
    fresh.status, fresh.submitted_at, fresh.updated_by = ReviewStatus.SUBMITTED, timezone.now(), user
    _save_locked(item, fresh, user, _("报送"))


@guarded_write
def approve_item(*, user: AbstractBaseUser, item: IndicatorValue | TaskProgress, expected_version: int | None = None) -> None:
    _review_guard(user, item)
    fresh = _locked(item, expected_version)
    if fresh.status != ReviewStatus.SUBMITTED:
        raise ServiceError(_("只有“已报送”的项可以审核通过，当前状态为“%(s)s”。") % {"s": fresh.get_status_display()})
    fresh.status, fresh.reviewed_by, fresh.reviewed_at = ReviewStatus.APPROVED, user, timezone.now()
    fresh.return_reason = ""
    _save_locked(item, fresh, user, _("审核通过"))


@guarded_write
def return_item(*, user: AbstractBaseUser, item: IndicatorValue | TaskProgress, reason: str,
                expected_version: int | None = None) -> None:
    _review_guard(user, item)
    if not reason.strip():
        raise ServiceError({"reason": _("退回必须填写原因，填报人会看到该原因。")})
    fresh = _locked(item, expected_version)
    if fresh.status not in (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED):
        raise ServiceError(_("只有已报送或已审核的项可以退回，当前状态为“%(s)s”。") % {"s": fresh.get_status_display()})
    fresh.status, fresh.return_reason = ReviewStatus.RETURNED, reason.strip()
    fresh.reviewed_by, fresh.reviewed_at = user, timezone.now()
    _save_locked(item, fresh, user, _("退回：%(r)s") % {"r": reason.strip()})


@guarded_write
def save_progress(
    *, user: AbstractBaseUser, task: Task, department: Department, period: ReportingPeriod, progress_status: str,
    progress: str, problems: str = "", next_steps: str = "", expected_version: int | None = None, submit: bool = False,
) -> TaskProgress:
    if not access.can_enter_task(user, task, department):
        raise ServiceError(_("您无权填报“%(unit)s”的该项任务进展。") % {"unit": department.name})
    ensure_can_edit_period(period)
    if progress_status not in TaskProgress.Progress.values:
        raise ServiceError({"progress_status": _("请选择推进状态。")})
    if submit and not progress.strip():
        raise ServiceError({"progress": _("报送前请填写进展情况。")})
    row = TaskProgress.objects.select_for_update().filter(task=task, period=period, department=department).first()
    if row is None and expected_version not in (None, 0):
        raise StaleEditError(_("该项已被他人删除或变更，请刷新页面。"))
    if row is not None and expected_version is not None and row.version != expected_version:
        raise StaleEditError(
            _("该任务进展已被 %(who)s 于 %(when)s 修改，您的页面已过期，请刷新后再改。") % {
                "who": row.updated_by or _("他人"), "when": timezone.localtime(row.updated_at).strftime("%Y-%m-%d %H:%M")},
            current=row,
        )
    if row is not None and row.status == ReviewStatus.APPROVED:
        raise ServiceError(_("该项已审核通过，不能再修改；如需更正请联系组织部退回。"))
    if row is None:
        row = TaskProgress(task=task, period=period, department=department)
    else:
        row.version += 1
    row.progress_status, row.progress, row.problems, row.next_steps = progress_status, progress, problems, next_steps
    row.updated_by = user
    if submit:
        row.status, row.submitted_at = ReviewStatus.SUBMITTED, timezone.now()
    elif row.status != ReviewStatus.RETURNED:
        row.status = ReviewStatus.DRAFT
    row._change_reason = _("填报并报送") if submit else _("保存草稿")
    row._history_user = user
    _save_new_or_existing(row, lambda: TaskProgress.objects.filter(task=task, period=period, department=department).first())
    return row


# --- periods --------------------------------------------------------------------------------------------------

_TRANSITIONS = {
    (ReportingPeriod.State.OPEN, ReportingPeriod.State.CLOSED),
    (ReportingPeriod.State.CLOSED, ReportingPeriod.State.LOCKED),
    (ReportingPeriod.State.OPEN, ReportingPeriod.State.LOCKED),
    (ReportingPeriod.State.CLOSED, ReportingPeriod.State.OPEN),
    (ReportingPeriod.State.LOCKED, ReportingPeriod.State.OPEN),
    (ReportingPeriod.State.LOCKED, ReportingPeriod.State.CLOSED),
}


@transaction.atomic
def set_period_state(*, user: AbstractBaseUser, period: ReportingPeriod, state: str, reason: str = "",
                     deadline: dt.date | None = None) -> ReportingPeriod:
    """Close, lock or reopen a period. Reopening needs a reason, which is kept in the period's history."""
    if not access.can_manage_periods(user):
        raise ServiceError(_("只有组织部管理员可以管理填报周期。"))
    if (period.state, state) not in _TRANSITIONS:
        raise ServiceError(_("%(p)s 当前为“%(s)s”，不能变更为该状态。") % {"p": period.label, "s": period.get_state_display()})
    reopening = state == ReportingPeriod.State.OPEN or (
        period.state == ReportingPeriod.State.LOCKED and state == ReportingPeriod.State.CLOSED)
    if reopening and not reason.strip():
        raise ServiceError({"reason": _("重新开放已截止或已锁定的周期必须填写原因。")})
    period.state = state
    if deadline is not None:
        period.deadline = deadline
    period._change_reason = reason.strip() or {
        ReportingPeriod.State.CLOSED: _("截止填报"), ReportingPeriod.State.LOCKED: _("锁定")}.get(state, "")
    period._history_user = user
    period.save()
    # Open or closed decides whether verdicts at this date are provisional and whether a plan ending here is final.
    verdicts.calendar_changed(period=period, reason=str(_("%(p)s 状态变更为“%(s)s”") % {
        "p": period.label, "s": period.get_state_display()}))
    return period


@transaction.atomic
def open_period(*, user: AbstractBaseUser, code: str, deadline: dt.date | None = None) -> ReportingPeriod:
    if not access.can_manage_periods(user):
        raise ServiceError(_("只有组织部管理员可以管理填报周期。"))
    try:
        kind, year, index = ReportingPeriod.parse_code(code)
        ReportingPeriod.bounds(kind, year, index)  # "2025Q5" must be refused here, not as a server error on save
    except ValidationError as exc:
        raise ServiceError({"code": " ".join(exc.messages)}) from exc
    period = ReportingPeriod.objects.filter(kind=kind, year=year, index=index).first()
    created = period is None
    if created:
        period = ReportingPeriod(kind=kind, year=year, index=index, state=ReportingPeriod.State.OPEN, deadline=deadline)
        period._change_reason = _("开放填报")
        period._history_user = user
        try:
            with transaction.atomic():
                period.save()
        except IntegrityError:  # opened by someone else a moment ago
            period, created = ReportingPeriod.objects.get(kind=kind, year=year, index=index), False
    if not created:
        raise ServiceError(_("%(p)s 已存在（状态：%(s)s）。") % {"p": period.label, "s": period.get_state_display()})
    verdicts.calendar_changed(period=period, reason=str(_("开放填报%(p)s") % {"p": period.label}))
    return period


# --- evidence -------------------------------------------------------------------------------------------------

EVIDENCE_TYPES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}


def attach_evidence(*, user: AbstractBaseUser, item: IndicatorValue | TaskProgress, upload: UploadedFile,
                    max_bytes: int) -> Evidence:
    """Attach a supporting file after checking its type by content, not just by name."""
    if isinstance(item, IndicatorValue):
        allowed = access.can_enter_indicator(user, item.indicator, item.department) or is_admin(user)
    else:
        allowed = access.can_enter_task(user, item.task, item.department) or is_admin(user)
    if not allowed:
        raise ServiceError(_("您无权为该项上传佐证材料。"))
    ensure_can_edit_period(item.period)
    if item.status == ReviewStatus.APPROVED:
        # Approved figures are frozen together with their evidence; a correction starts with a return.
        raise ServiceError({"evidence": _("该项已审核通过，不能再上传佐证材料；如需补充请联系组织部退回。")})
    name = upload.name or ""
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix not in EVIDENCE_TYPES:
        raise ServiceError({"evidence": _("“%(n)s”的类型不支持，佐证材料仅限 PDF、图片（PNG/JPG/GIF）、Word（docx）、Excel（xlsx）。") % {"n": name}})
    if upload.size > max_bytes:
        raise ServiceError({"evidence": _("“%(n)s”大小为 %(s).1f MB，超过上限 %(m).0f MB。") % {
            "n": name, "s": upload.size / 1048576, "m": max_bytes / 1048576}})
    item_cap = int(settings.EVIDENCE_ITEM_MAX_BYTES)
    owner = {"value": item} if isinstance(item, IndicatorValue) else {"progress": item}
    stored = Evidence.objects.filter(**owner).aggregate(total=Sum("size"))["total"] or 0
    if stored + upload.size > item_cap:
        raise ServiceError({"evidence": _("加上“%(n)s”后该项佐证材料合计 %(t).1f MB，超过每项上限 %(m).0f MB（已有 %(s).1f MB），"
                                          "未保存本次上传的文件。请压缩或删减后再上传。") % {
            "n": name, "t": (stored + upload.size) / 1048576, "m": item_cap / 1048576, "s": stored / 1048576}})
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in EVIDENCE_TYPES[suffix]):
        raise ServiceError({"evidence": _("“%(n)s”的内容与扩展名不符（可能已损坏或被改名），请上传原始文件。") % {"n": name}})
    evidence = Evidence(original_name=name[:255], size=upload.size, uploaded_by=user)
    if isinstance(item, IndicatorValue):
        evidence.value = item
    else:
        evidence.progress = item
    evidence.file.save(name, upload, save=False)
    evidence.save()
    return evidence
