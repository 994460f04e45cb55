"""The words of every notification, in one place. Written in the product's language (Chinese) whatever the language
of the request that caused them: a notification is kept and read later, by someone else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from notifications.models import Kind
from notifications.services import Message
from plans.models import Department, ReportingPeriod


def my_link(department: Department, period: ReportingPeriod, status: str = "") -> str:
    query = {"unit": department.pk, "period": period.code, **({"status": status} if status else {})}
    return f"{reverse('reporting:my')}?{urlencode(query)}"


def remind_key(period: ReportingPeriod, department: Department) -> str:
    """One key for every reminder to report (before the deadline, after it, 催报): one of them a day."""
    return f"remind:{period.pk}:{department.pk}"


def _deadline(period: ReportingPeriod) -> str:
    return period.deadline.isoformat() if period.deadline else _("未设定")


def _names(names: Sequence[str], limit: int = 10) -> str:
    shown = "、".join(f"“{n}”" for n in names[:limit])
    return shown + (_("等 %(n)s 项") % {"n": len(names)} if len(names) > limit else "")


def period_opened(
    *, period: ReportingPeriod, department: Department, reopened: bool = False, reason: str = ""
) -> Message:
    with translation.override(settings.LANGUAGE_CODE):
        title = (_("%(p)s 已重新开放填报") if reopened else _("%(p)s 开始填报")) % {"p": period.label}
        body = _("填报截止日期：%(d)s。请在截止前填报并报送本单位的指标和任务进展。") % {"d": _deadline(period)}
        if reason:
            body += _("原因：%(r)s") % {"r": reason}
    return Message(
        kind=Kind.PERIOD_OPENED,
        title=title,
        body=body,
        key=f"period_opened:{period.pk}",
        link=my_link(department, period),
        department=department,
        period=period,
    )


def reminder(
    *, period: ReportingPeriod, department: Department, outstanding: int, today: dt.date, urged_by: str = ""
) -> Message:
    """Before the deadline (还有 N 天), after it (已逾期 N 天), or 组织部's 催报."""
    with translation.override(settings.LANGUAGE_CODE):
        days = (period.deadline - today).days if period.deadline else None
        if urged_by:
            kind, title = Kind.URGED, _("组织部催报：%(p)s 尚有 %(n)s 项未报送") % {"p": period.label, "n": outstanding}
        elif days is not None and days < 0:
            kind, title = (
                Kind.OVERDUE,
                _("%(p)s 填报已逾期 %(d)s 天，尚有 %(n)s 项未报送") % {"p": period.label, "d": -days, "n": outstanding},
            )
        else:
            kind, title = (
                Kind.DUE_SOON,
                (
                    _("%(p)s 今天截止，尚有 %(n)s 项未报送")
                    if days == 0
                    else _("%(p)s 还有 %(d)s 天截止，尚有 %(n)s 项未报送")
                )
                % {"p": period.label, "d": days, "n": outstanding},
            )
        body = _("%(u)s：填报截止日期 %(d)s。未填报、草稿和被退回的项都需要报送。") % {
            "u": department.name,
            "d": _deadline(period),
        }
    return Message(
        kind=kind,
        title=title,
        body=body,
        key=remind_key(period, department),
        link=my_link(department, period),
        department=department,
        period=period,
    )


def decided(
    *, approved: bool, period: ReportingPeriod, department: Department, names: Sequence[str], reason: str, ref: str
) -> Message:
    with translation.override(settings.LANGUAGE_CODE):
        if approved:
            title = _("%(p)s：%(n)s 项已审核通过") % {"p": period.label, "n": len(names)}
            body = _("%(names)s已审核通过，计入统计和考核。") % {"names": _names(names)}
        else:
            title = _("%(p)s：%(n)s 项被退回，请修改后重新报送") % {"p": period.label, "n": len(names)}
            body = _("%(names)s被组织部退回。退回原因：%(r)s") % {"names": _names(names), "r": reason}
    return Message(
        kind=Kind.APPROVED if approved else Kind.RETURNED,
        title=title,
        body=body,
        key=f"{'approved' if approved else 'returned'}:{ref}",
        department=department,
        period=period,
        link=my_link(department, period, "" if approved else "returned"),
    )


def supervision(
    *, notice_id: int, department: Department, subject: str, detail: str, deadline: dt.date | None
) -> Message:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("督办：%(s)s") % {"s": subject}
        body = detail + (_("请于 %(d)s 前答复整改措施。") % {"d": deadline.isoformat()} if deadline else "")
    return Message(
        kind=Kind.SUPERVISION,
        title=title[:200],
        body=body,
        key=f"supervision:{notice_id}",
        link=reverse("assessment:notice", args=[notice_id]),
        department=department,
    )


def summary(*, period: ReportingPeriod, overdue_units: int, without_reporter: Sequence[str], today: dt.date) -> Message:
    """组织部's daily line: how many units are behind, and which cannot be reminded because nobody reports for them."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(p)s：%(n)s 个单位尚有未报送的项") % {"p": period.label, "n": overdue_units}
        body = ""
        if without_reporter:
            body = _("以下 %(n)s 个单位未设置填报员，无法提醒，请在“数据管理”中为其设置填报员：%(list)s") % {
                "n": len(without_reporter),
                "list": "、".join(without_reporter),
            }
    overdue = period.deadline is not None and today > period.deadline
    return Message(
        kind=Kind.OVERDUE if overdue else Kind.DUE_SOON,
        title=title,
        body=body,
        key=f"summary:{period.pk}",
        link=f"{reverse('reporting:overdue')}?period={period.code}",
        period=period,
    )
