"""催报所选单位: 组织部 chooses units on the 催报 page, sees who gets what (and who was reminded today already),
confirms once; the reminders are sent and recorded as `send_reminders` sends them (`reporting.reminders`).

Views stay thin: role gate (组织部管理员, 403) → parse → plan → confirmation page or `send_plan`.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import rules as perms
from plans.models import ReportingPeriod
from reporting.reminders import ReminderPlan, UnitReminder, plan_reminders, send_plan
from reporting.views.common import _require


def _back(period: ReportingPeriod) -> str:
    return f"{reverse('reporting:overdue')}?{urlencode({'period': period.code})}"


@login_required
@require_POST
def urge(request: HttpRequest) -> HttpResponse:
    _require(request, perms.REVIEW)
    user = request.user
    assert isinstance(user, User)  # login_required
    period = get_object_or_404(ReportingPeriod, code=request.POST.get("period", "").strip().upper())
    back = _back(period)
    if period.state != ReportingPeriod.State.OPEN:
        messages.error(request, _("%(p)s 已不在填报中，催报也无法报送；如需补报请先重新开放。") % {"p": period.label})
        return redirect(back)
    chosen = {int(u) for u in request.POST.getlist("units") if u.isdigit()}
    if not chosen:
        messages.error(request, _("请先勾选要催报的单位。"))
        return redirect(back)
    plan = plan_reminders(period=period, today=timezone.localdate(), unit_ids=chosen, urged_by=user)
    if request.POST.get("confirmed") != "1":
        return _preview(request, plan, chosen, back)
    with transaction.atomic():
        sent = send_plan(plan=plan, actor=user)
    if sent.notifications:
        text = _("已向 %(u)s 个单位的 %(n)s 名填报员发出催报（站内通知；设置了邮箱的同时发送邮件）。")
        messages.success(request, text % {"u": sent.units, "n": sent.people})
    if sent.repeated:
        messages.info(request, _("%(n)s 名填报员今天已收到提醒，未重复发送。") % {"n": sent.repeated})
    if plan.without_reporter:
        messages.warning(
            request,
            _("%(n)s 个单位未设置填报员，无法催报：%(list)s")
            % {"n": len(plan.without_reporter), "list": "、".join(d.name for d in plan.without_reporter)},
        )
    if not sent.notifications and not sent.repeated and not plan.without_reporter:
        messages.info(request, _("所选单位已全部报送，没有需要催报的。"))
    return redirect(back)


def _line(unit: UnitReminder) -> str:
    people = "、".join(
        (r.user.get_full_name() or r.user.username)
        + (f"（{r.user.email}）" if r.user.email else _("（仅站内）"))
        + (_("——今天已提醒，不再发送") if r.sent_today else "")
        for r in unit.recipients
    )
    return _("%(u)s → %(people)s：“%(t)s”（未填报 %(m)s、草稿 %(d)s、退回 %(r)s）") % {
        "u": unit.department.name,
        "people": people,
        "t": unit.message.title,
        "m": unit.missing,
        "d": unit.draft,
        "r": unit.returned,
    }


def _preview(request: HttpRequest, plan: ReminderPlan, chosen: set[int], back: str) -> HttpResponse:
    lines = [_line(unit) for unit in plan.units]
    if plan.without_reporter:
        names = "、".join(d.name for d in plan.without_reporter)
        lines.append(_("未设置填报员、不会收到催报：%(list)s") % {"list": names})
    people = sum(len(u.new_recipients) for u in plan.units)
    sentence = _("催报%(p)s：向 %(u)s 个单位的 %(n)s 名填报员发送站内通知（有邮箱的同时发邮件），每人每天至多一次。")
    sentence %= {"p": plan.period.label, "u": len([u for u in plan.units if u.new_recipients]), "n": people}
    hidden = [("period", plan.period.code), ("confirmed", "1")] + [("units", str(pk)) for pk in sorted(chosen)]
    return render(
        request,
        "components/confirm.html",
        {
            "title": _("确认催报"),
            "sentence": sentence,
            "lines": lines,
            "hidden": hidden,
            "action_url": reverse("reporting:overdue_urge"),
            "cancel_url": back,
            "confirm_label": _("确认催报"),
        },
    )
