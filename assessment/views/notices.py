"""Assessment pages: supervision notices (督办): the list, one notice, the unit's response and closing."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessment import access, escalation
from assessment.forms import NoticeResponseForm, ReasonForm
from assessment.views.common import attempt, form_errors
from talentplan.requests import AuthenticatedHttpRequest

# --- supervision notices --------------------------------------------------------------------------------------


@login_required
@require_GET
def notices(request: AuthenticatedHttpRequest) -> HttpResponse:
    show_closed = request.GET.get("closed") == "1"
    qs = access.notices_visible_to(request.user)
    if not show_closed:
        qs = qs.exclude(status="closed")
    return render(
        request,
        "assessment/notices.html",
        {"notices": list(qs.order_by("status", "deadline", "pk")), "show_closed": show_closed},
    )


@login_required
@require_GET
def notice_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notice = access.get_notice_for_user(request.user, pk)
    return render(
        request,
        "assessment/notice.html",
        {
            "notice": notice,
            "response_form": (
                NoticeResponseForm(initial={"response": notice.response})
                if access.can_respond(request.user, notice)
                else None
            ),
            "close_form": ReasonForm() if access.can_close(request.user, notice) else None,
            "history": list(notice.history.select_related("history_user")[:30]),
        },
    )


@login_required
@require_POST
def notice_respond(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseRedirect:
    notice = access.get_notice_for_user(request.user, pk)
    form = NoticeResponseForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: escalation.respond_notice(user=request.user, notice=notice, response=form.cleaned_data["response"]),
            _("答复已提交。"),
        )
    else:
        form_errors(request, form)
    return redirect("assessment:notice", pk=notice.pk)


@login_required
@require_POST
def notice_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseRedirect:
    notice = access.get_notice_for_user(request.user, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: escalation.close_notice(user=request.user, notice=notice, reason=form.cleaned_data["reason"]),
            _("督办已办结。"),
        )
    else:
        form_errors(request, form)
    return redirect("assessment:notice", pk=notice.pk)
