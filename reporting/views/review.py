"""Reporting pages: item history and evidence, 催报, periods (the my reporting page is `reporting.views.entry`,
saving its cards `entry_save`, 报送本页 `submit`; the review queue `reporting.views.queue`).

Views stay thin: role gate (`indicators.rules`, 403) → access helper (404 for another unit's items: we never confirm
they exist) → form → service → selector → render. Every write goes through `indicators.services`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import access, services
from indicators import rules as perms
from indicators.models import Evidence, IndicatorValue, TaskProgress
from plans.models import ReportingPeriod
from reporting.forms import PeriodOpenForm, PeriodStateForm
from reporting.selectors.overdue import name_outstanding, overdue_report, units_reporting
from reporting.selectors.review import history_entries, ordered_periods, period_history, state_question
from reporting.views.common import _add_errors, _my_url, _pick_period, _require
from talentplan.requests import AuthenticatedHttpRequest

# --- item history and evidence --------------------------------------------------------------------------------


@login_required
def value_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    value = access.get_value_for_user(request.user, pk)
    rows = list(
        IndicatorValue.objects.filter(
            indicator=value.indicator_id, period=value.period_id, department=value.department_id
        )
        .select_related("updated_by", "reviewed_by")
        .prefetch_related("evidence")
        .order_by("basis")
    )
    return render(
        request,
        "reporting/item.html",
        {
            "kind": "value",
            "item": value,
            "rows": rows,
            "history": history_entries(IndicatorValue, rows),
            "title": value.indicator.name,
            "back": _my_url(value.department, value.period, f"v{value.indicator_id}"),
        },
    )


@login_required
def progress_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    progress = access.get_progress_for_user(request.user, pk)
    rows = list(
        TaskProgress.objects.filter(pk=pk).select_related("updated_by", "reviewed_by").prefetch_related("evidence")
    )
    return render(
        request,
        "reporting/item.html",
        {
            "kind": "progress",
            "item": progress,
            "rows": rows,
            "history": history_entries(TaskProgress, rows),
            "title": str(progress.task),
            "back": _my_url(progress.department, progress.period, f"t{progress.task_id}"),
        },
    )


@login_required
def evidence_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """Evidence is served only through here, after the same read check as its item (never a public media URL)."""
    evidence = Evidence.objects.filter(pk=pk).first()
    if evidence is None:
        raise Http404(_("未找到该文件，或您无权访问。"))
    if evidence.value_id:
        access.get_value_for_user(request.user, evidence.value_id)
    elif evidence.progress_id:
        access.get_progress_for_user(request.user, evidence.progress_id)
    else:
        raise Http404(_("未找到该文件，或您无权访问。"))
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name)


# --- 催报 -------------------------------------------------------------------------------------------------------

OVERDUE_PAGE = 50  # units a page
OVERDUE_DETAIL = 10  # item names shown per kind under a unit; the unit's reporting page lists them all


@login_required
def overdue(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, perms.VIEW_OVERDUE)
    periods = ordered_periods()
    period = _pick_period(request.GET.get("period"), periods)
    report = overdue_report(period=period, today=timezone.localdate(), named=OVERDUE_DETAIL) if period else None
    units = report.units if report else []
    # Units most behind first, a page at a time: a province's full list with every item named is megabytes.
    staffed = Paginator([u for u in units if u.has_reporter], OVERDUE_PAGE).get_page(request.GET.get("page"))
    name_outstanding(list(staffed.object_list))
    return render(
        request,
        "reporting/overdue.html",
        {
            "report": report,
            "period": period,
            "periods": periods,
            # A unit nobody reports for is a set-up problem, listed once, not a row of reminders.
            "staffed": staffed.object_list,
            "staffed_page": staffed,
            "detail_limit": OVERDUE_DETAIL,
            "unstaffed": [u for u in units if not u.has_reporter],
            "can_urge": bool(period and period.state == ReportingPeriod.State.OPEN and access.can_review(request.user)),
        },
    )


# --- periods --------------------------------------------------------------------------------------------------


@login_required
def periods(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, perms.MANAGE_PERIODS)
    open_form = PeriodOpenForm(request.POST or None)
    if request.method == "POST" and open_form.is_valid():
        try:
            data = open_form.cleaned_data
            period = services.open_period(
                user=request.user, code=data["code"], deadline=data["deadline"], remind_days=data["remind_days"]
            )
        except services.ServiceError as exc:
            _add_errors(open_form, exc)
        else:
            messages.success(request, _("%(p)s 已开放填报，各单位填报员已收到通知。") % {"p": period.label})
            return redirect("reporting:periods")
    return _render_periods(request, open_form=open_form)


def _render_periods(
    request: HttpRequest,
    *,
    open_form: PeriodOpenForm | None = None,
    state_errors: dict[int, PeriodStateForm] | None = None,
) -> HttpResponse:
    rows = ordered_periods()
    history = period_history(rows)
    units = units_reporting(rows)
    # The template reads each period's questions, state form and last changes from the period: the view hangs
    # them there (they are not model fields).
    for period in rows:
        period.questions = {  # type: ignore[attr-defined]  # for the template, see above
            state: state_question(period, state, units.get(period.pk, 0))
            for state in (ReportingPeriod.State.CLOSED, ReportingPeriod.State.LOCKED)
        }
        state_form = (state_errors or {}).get(period.pk) or PeriodStateForm(auto_id=f"p{period.pk}_%s")
        period.state_form = state_form  # type: ignore[attr-defined]  # for the template, see above
        period.changes = history.get(period.pk, [])[:5]  # type: ignore[attr-defined]  # for the template, see above
    return render(
        request,
        "reporting/periods.html",
        {"periods": rows, "open_form": open_form or PeriodOpenForm(), "today": timezone.localdate()},
    )


@login_required
@require_POST
def period_state(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require(request, perms.MANAGE_PERIODS)
    period = get_object_or_404(ReportingPeriod, pk=pk)
    form = PeriodStateForm(request.POST, auto_id=f"p{pk}_%s")
    if form.is_valid():
        state = form.cleaned_data["state"]
        stops = state in (ReportingPeriod.State.CLOSED, ReportingPeriod.State.LOCKED) and period.state != state
        if stops and request.POST.get("confirmed") != "1":
            return _confirm_state(request, period, form.cleaned_data)
        try:
            services.set_period_state(
                user=request.user,
                period=period,
                state=form.cleaned_data["state"],
                reason=form.cleaned_data["reason"],
                deadline=form.cleaned_data["deadline"],
            )
        except services.ServiceError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _state_done(period))
            return redirect("reporting:periods")
    return _render_periods(request, state_errors={pk: form})


def _state_done(period: ReportingPeriod) -> str:
    if period.state == ReportingPeriod.State.LOCKED:
        return _("%(p)s 已锁定：数据已冻结，各单位不能再修改，审核暂停。") % {"p": period.label}
    if period.state == ReportingPeriod.State.CLOSED:
        return _("%(p)s 已截止：各单位不能再填报或修改，已报送的项可继续审核。") % {"p": period.label}
    return _("%(p)s 已重新开放填报，各单位可以修改和报送。") % {"p": period.label}


def _confirm_state(request: HttpRequest, period: ReportingPeriod, data: dict) -> HttpResponse:
    """Closing or locking asks once, naming what it stops (the dialog does it with JavaScript; this page without)."""
    units = units_reporting([period]).get(period.pk, 0)
    locking = data["state"] == ReportingPeriod.State.LOCKED
    deadline = data["deadline"].isoformat() if data["deadline"] else ""
    return render(
        request,
        "components/confirm.html",
        {
            "title": _("确认锁定") if locking else _("确认截止"),
            "sentence": state_question(period, data["state"], units),
            "hidden": [
                ("state", data["state"]),
                ("reason", data["reason"]),
                ("deadline", deadline),
                ("confirmed", "1"),
            ],
            "action_url": reverse("reporting:period_state", args=[period.pk]),
            "cancel_url": reverse("reporting:periods"),
            "confirm_label": _("确认锁定") if locking else _("确认截止"),
        },
    )
