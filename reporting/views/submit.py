"""报送本页: submit the drafts and returned items of the page the reporter saw, after one confirmation naming them
(asked in a dialog with JavaScript, on a page of its own without it).

Views stay thin: role gate → access helper (another unit is a 404) → selector → `services.submit_item` per item.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import rules as perms
from indicators import services
from indicators.models import IndicatorValue, ReviewStatus, TaskProgress
from plans.models import Department, ReportingPeriod
from reporting.forms import SubmitAllForm
from reporting.selectors.entry import ReportingPage, reporting_page
from reporting.selectors.entry_items import TaskItem, ValueItem
from reporting.views.common import _my_url, _require
from reporting.views.entry import PageQuery
from reporting.views.entry_save import entry_target
from talentplan.requests import AuthenticatedHttpRequest


def submit_all_question(*, count: int, period: ReportingPeriod) -> str:
    """The sentence the button asks and the confirmation page shows."""
    return _("报送%(p)s本页 %(n)s 项（草稿和退回项）：报送后等待组织部审核，在退回前不能再修改。") % {
        "p": period.label,
        "n": count,
    }


@login_required
@require_POST
def submit_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, perms.ENTER)
    form = SubmitAllForm(request.POST)
    if not form.is_valid():
        raise Http404(_("未找到该单位，或您无权访问。"))
    department, period = entry_target(request)
    view = PageQuery.from_post(request.POST)
    # Only the items of the page the reporter saw: the form lists their keys (a form without them stands for the
    # page it names). Keys of items the unit does not carry are ignored by the selector.
    keys = request.POST.getlist("items")
    page = reporting_page(
        department=department,
        period=period,
        today=timezone.localdate(),
        plan=view.plan,
        status=view.status,
        page=view.page,
        only=keys or None,
    )
    back = _my_url(department, period, plan=page.plan.code if page.plan else "", status=page.status, page=page.number)
    if page.block_reason:
        messages.error(request, page.block_reason)
        return redirect(back)
    if request.POST.get("confirmed") != "1" and page.submittable:
        return _confirm(request, page, department, period, keys, view, back)
    done, problems = _submit(request, page, department, period)
    if done:
        messages.success(request, _("已报送 %(n)s 项，等待组织部审核；退回前不能再修改。") % {"n": done})
    if problems:
        messages.warning(request, _("以下各项未报送：%(list)s") % {"list": "；".join(problems)})
    if not done and not problems:
        messages.info(request, _("本页没有需要报送的草稿或退回项，未报送任何内容。"))
    return redirect(back)


def _submit(
    request: HttpRequest, page: ReportingPage, department: Department, period: ReportingPeriod
) -> tuple[int, list[str]]:
    done, problems = 0, []
    pending = [(i.current, i.indicator.name, i) for i in page.values] + [(t.row, str(t.task), t) for t in page.tasks]
    for row, name, item in pending:
        if row is None:
            problems.append(_("“%(n)s”尚未填写") % {"n": name})
            continue
        if row.status not in (ReviewStatus.DRAFT, ReviewStatus.RETURNED):
            continue
        # Objects already in memory: spares the access checks a query per item.
        row.department, row.period = department, period
        if isinstance(row, IndicatorValue) and isinstance(item, ValueItem):
            row.indicator = item.indicator
        elif isinstance(row, TaskProgress) and isinstance(item, TaskItem):
            row.task = item.task
        try:
            services.submit_item(user=request.user, item=row)
            done += 1
        except services.ServiceError as exc:
            problems.append(f"{name}：{'；'.join(exc.errors.values())}")
    return done, problems


def _confirm(
    request: HttpRequest,
    page: ReportingPage,
    department: Department,
    period: ReportingPeriod,
    keys: list[str],
    view: PageQuery,
    back: str,
) -> HttpResponse:
    items = page.submittable
    lines = [f"{i.review_label} · {i.indicator.name if isinstance(i, ValueItem) else i.task}" for i in items]
    missing = [i.indicator.name for i in page.values if i.current is None]
    if missing:
        lines.append(_("未填写、不会报送：%(list)s") % {"list": "、".join(missing)})
    hidden = [
        ("department", department.pk),
        ("period", period.pk),
        ("view_plan", view.plan),
        ("view_status", view.status),
        ("view_page", view.page),
        ("confirmed", "1"),
    ]
    hidden += [("items", key) for key in keys]
    return render(
        request,
        "components/confirm.html",
        {
            "title": _("确认报送"),
            "sentence": submit_all_question(count=len(items), period=period),
            "lines": lines,
            "hidden": hidden,
            "action_url": reverse("reporting:submit_all"),
            "cancel_url": back,
            "confirm_label": _("确认报送"),
        },
    )
