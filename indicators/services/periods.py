"""Reporting periods: open, close, lock and reopen (with a reason kept in history)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from indicators import access
from indicators.evaluation import services as verdicts
from indicators.services.errors import ServiceError
from notifications import messages as texts
from notifications import services as notify
from plans.models import ReportingPeriod

_TRANSITIONS = {
    (ReportingPeriod.State.OPEN, ReportingPeriod.State.CLOSED),
    (ReportingPeriod.State.CLOSED, ReportingPeriod.State.LOCKED),
    (ReportingPeriod.State.OPEN, ReportingPeriod.State.LOCKED),
    (ReportingPeriod.State.CLOSED, ReportingPeriod.State.OPEN),
    (ReportingPeriod.State.LOCKED, ReportingPeriod.State.OPEN),
    (ReportingPeriod.State.LOCKED, ReportingPeriod.State.CLOSED),
}


@transaction.atomic
def set_period_state(
    *, user: User, period: ReportingPeriod, state: str, reason: str = "", deadline: dt.date | None = None
) -> ReportingPeriod:
    """Close, lock or reopen a period. Reopening needs a reason, which is kept in the period's history."""
    if not access.can_manage_periods(user):
        raise ServiceError(_("只有组织部管理员可以管理填报周期。"))
    if (period.state, state) not in _TRANSITIONS:
        raise ServiceError(
            _("%(p)s 当前为“%(s)s”，不能变更为该状态。") % {"p": period.label, "s": period.get_state_display()}
        )
    reopening = state == ReportingPeriod.State.OPEN or (
        period.state == ReportingPeriod.State.LOCKED and state == ReportingPeriod.State.CLOSED
    )
    if reopening and not reason.strip():
        raise ServiceError({"reason": _("重新开放已截止或已锁定的周期必须填写原因。")})
    period.state = state
    if deadline is not None:
        period.deadline = deadline
    default_reasons: dict[str, str] = {
        ReportingPeriod.State.CLOSED: _("截止填报"),
        ReportingPeriod.State.LOCKED: _("锁定"),
    }
    period._change_reason = reason.strip() or default_reasons.get(state, "")
    period._history_user = user
    period.save()
    if state == ReportingPeriod.State.OPEN:
        notify.to_every_unit(
            build=lambda unit: texts.period_opened(
                period=period, department=unit, reopened=True, reason=reason.strip()
            ),
            actor=user,
        )
    # Open or closed decides whether verdicts at this date are provisional and whether a plan ending here is final.
    verdicts.calendar_changed(
        period=period, reason=str(_("%(p)s 状态变更为“%(s)s”") % {"p": period.label, "s": period.get_state_display()})
    )
    return period


@transaction.atomic
def open_period(
    *, user: User, code: str, deadline: dt.date | None = None, remind_days: int | None = None
) -> ReportingPeriod:
    """Open a new period; every unit's reporters are told (in the app, by e-mail, on group robots)."""
    if not access.can_manage_periods(user):
        raise ServiceError(_("只有组织部管理员可以管理填报周期。"))
    try:
        kind, year, index = ReportingPeriod.parse_code(code)
        ReportingPeriod.bounds(kind, year, index)  # "2025Q5" must be refused here, not as a server error on save
    except ValidationError as exc:
        raise ServiceError({"code": " ".join(exc.messages)}) from exc
    existing = ReportingPeriod.objects.filter(kind=kind, year=year, index=index).first()
    if existing is None:
        period = ReportingPeriod(kind=kind, year=year, index=index, state=ReportingPeriod.State.OPEN, deadline=deadline)
        if remind_days is not None:
            period.remind_days = remind_days
        period._change_reason = _("开放填报")
        period._history_user = user
        try:
            with transaction.atomic():
                period.save()
        except IntegrityError:  # opened by someone else a moment ago
            existing = ReportingPeriod.objects.get(kind=kind, year=year, index=index)
    if existing is not None:
        raise ServiceError(
            _("%(p)s 已存在（状态：%(s)s）。") % {"p": existing.label, "s": existing.get_state_display()}
        )
    verdicts.calendar_changed(period=period, reason=str(_("开放填报%(p)s") % {"p": period.label}))
    notify.to_every_unit(build=lambda unit: texts.period_opened(period=period, department=unit), actor=user)
    return period
