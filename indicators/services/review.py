"""Submitting, approving and returning one figure or progress report, each under its row lock."""

from __future__ import annotations


from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import access
from indicators.models import IndicatorValue, ReviewStatus, TaskProgress
from indicators.services.errors import ServiceError, StaleEditError, guarded_write
from indicators.services.values import _figures_changed, ensure_can_edit_period
from plans.models import ReportingPeriod
from talentplan import pagecache

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
    elif isinstance(fresh, TaskProgress):
        pagecache.changed()  # a task's state is on the dashboards
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
