"""Assessment pages: a scheme's bulletin (通报): the draft, editing, publishing and the workbook."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessment import access
from assessment.bulletins import bulletin_data, write_xlsx
from assessment.forms import BulletinForm
from assessment.models import AssessmentScheme, Bulletin
from assessment.selectors import scheme_results
from assessment.services import publishing
from assessment.views.common import attempt, form_errors
from indicators.services import ServiceError
from talentplan.requests import AuthenticatedHttpRequest

# --- bulletins ------------------------------------------------------------------------------------------------


def _bulletin_data(scheme: AssessmentScheme, found: Bulletin) -> dict[str, Any]:
    """Publishing freezes the results into the bulletin's snapshot; a draft reads them live."""
    frozen = found.snapshot if found.is_published else None
    return frozen if frozen is not None else bulletin_data(scheme_results(scheme), found)


@login_required
@require_GET
def bulletin(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scheme = access.get_scheme_for_user(request.user, pk)
    found = access.get_bulletin_for_user(request.user, scheme)
    data = _bulletin_data(scheme, found)
    editable = access.can_manage(request.user) and not found.is_published
    return render(
        request,
        "assessment/bulletin.html",
        {
            "scheme": scheme,
            "bulletin": found,
            "data": data,
            "form": BulletinForm(instance=found) if editable else None,
            "can_manage": access.can_manage(request.user),
        },
    )


@login_required
@require_POST
def bulletin_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseRedirect:
    scheme = access.get_scheme_for_user(request.user, pk)
    try:
        publishing.ensure_bulletin(user=request.user, scheme=scheme)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("assessment:scheme", pk=scheme.pk)
    return redirect("assessment:bulletin", pk=scheme.pk)


@login_required
@require_POST
def bulletin_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseRedirect:
    scheme = access.get_scheme_for_user(request.user, pk)
    found = access.get_bulletin_for_user(request.user, scheme)
    form = BulletinForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        attempt(
            request,
            lambda: publishing.update_bulletin(
                user=request.user,
                bulletin=found,
                title=data["title"],
                number=data["number"],
                intro=data["intro"],
                good_examples=data["good_examples"],
            ),
            _("通报草稿已保存。"),
        )
    else:
        form_errors(request, form)
    return redirect("assessment:bulletin", pk=scheme.pk)


@login_required
@require_POST
def bulletin_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseRedirect:
    scheme = access.get_scheme_for_user(request.user, pk)
    found = access.get_bulletin_for_user(request.user, scheme)
    attempt(
        request, lambda: publishing.publish_bulletin(user=request.user, bulletin=found), _("通报已发布，内容已冻结。")
    )
    return redirect("assessment:bulletin", pk=scheme.pk)


@login_required
@require_GET
def bulletin_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scheme = access.get_scheme_for_user(request.user, pk)
    found = access.get_bulletin_for_user(request.user, scheme)
    data = _bulletin_data(scheme, found)
    suffix = "" if found.is_published else "-草稿"
    response = HttpResponse(
        write_xlsx(data), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    filename = f"考核通报-{scheme.plan.code}-{scheme.period.code}{suffix}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
