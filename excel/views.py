"""Excel pages: assessment report download, actuals template / upload / preview / confirm, plan import.

Views stay thin: access first, then one call into export / template / importer / intake, then render.
Bad files never produce a stack trace: every refusal is rendered as a Chinese message with its location.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from excel import uploads
from excel.export import export_assessment
from excel.forms import ActualsUploadForm, ConfirmForm, PlanImportForm, TemplateForm
from excel.importer import ActualsPreview, run_import
from excel.report_data import ReportError, plans_for, resolve_period
from excel.template import template_filename, write_template
from indicators import access
from indicators.evaluation.calendar import Calendar
from plans.models import Plan, ReportingPeriod
from plans.roles import can_read_all, is_admin, is_reporter
from sheets.reader import ExcelInputError, Issue
from talentplan import pagecache
from talentplan.requests import AuthenticatedHttpRequest

logger = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ROWS = 500
SHOWN_ISSUES = 300


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    return response


def _error(request: HttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "excel/error.html", {"message": message}, status=status)


def _default_period_code() -> str:
    period = Calendar.load().default_period()
    if period is not None:
        return period.code
    today = timezone.localdate()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


@login_required
@require_GET
def assessment(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """考核报表 for one plan (or `all`) as of a period: /excel/assessment/<code>/?period=2025Q4."""
    period_code = (request.GET.get("period") or "").strip() or _default_period_code()
    try:
        plans = plans_for(code, resolve_period(period_code).end)
        if can_read_all(request.user):
            # 组织部 and 领导 all get the same workbook (a user only narrows a reporter's), so it is written once per
            # data version, language and day and read back by every later download: a province report is costly to
            # write, and the one filed and sent upward is downloaded again and again.
            data, period = pagecache.latest(
                "assessment-xlsx",
                [code, period_code],
                lambda: _workbook(plans, period_code, request.user),
                plans=None if code == "all" else [p.pk for p in plans],
            )
        else:
            data, period = _workbook(plans, period_code, request.user)
    except ReportError as exc:
        return _error(request, str(exc), status=exc.status)
    name = "全部规划" if code == "all" else plans[0].code
    return _xlsx_response(data, f"考核报表-{name}-{period}.xlsx")


def _workbook(plans: list[Plan], period_code: str, user: User | AnonymousUser) -> tuple[bytes, str]:
    """(the .xlsx, the canonical period code), through the export path the benchmark measures."""
    buffer = io.BytesIO()
    exported = export_assessment(plans, period_code, buffer, user=user)
    if exported.restricted and exported.empty:
        raise Http404(_("未找到该规划，或您无权访问。"))
    return buffer.getvalue(), exported.period.code


def _reporter_units(request: HttpRequest) -> Any:
    if not is_reporter(request.user):
        raise PermissionDenied(_("只有填报员可以下载填报模板和导入实际值。"))
    return access.user_units(request.user)


@login_required
@require_GET
def import_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"is_reporter": is_reporter(request.user), "is_admin": is_admin(request.user)}
    if context["is_reporter"]:
        units = access.user_units(request.user)
        open_period = ReportingPeriod.objects.filter(state=ReportingPeriod.State.OPEN).order_by("-end").first()
        initial = {"period": open_period.code if open_period else None}
        context["template_form"] = TemplateForm(units=units, initial=initial)
        context["upload_form"] = ActualsUploadForm()
    return render(request, "excel/import.html", context)


@login_required
@require_GET
def template(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = TemplateForm(request.GET, units=_reporter_units(request))
    if not form.is_valid():
        return _error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    unit, period = form.cleaned_data["unit"], form.cleaned_data["period"]

    def build() -> bytes:
        buffer = io.BytesIO()
        write_template(unit, period, buffer)
        return buffer.getvalue()

    # The same for every reporter of the unit until a figure's status moves (it shows the figures and the earlier
    # ones) or the plans change: kept under both numbers, like 催报's counts; one entry per unit and period, as a
    # province unit's template runs to megabytes and statuses move with every draft.
    content = pagecache.latest("import-template", [unit.pk, period.pk], build, statuses=True)
    return _xlsx_response(content, template_filename(unit, period))


def _safe_import(**kwargs: Any) -> ActualsPreview:
    try:
        return run_import(**kwargs)
    except Exception:  # a bug must still end in a message, never a stack trace; nothing was written (one transaction)
        logger.exception("actuals import failed")
        preview = ActualsPreview(kwargs.get("filename", ""))
        preview.issues.append(Issue(_("处理文件时发生意外错误，未写入任何数据。请检查文件后重试，或联系系统管理员。")))
        return preview


def _preview_page(request: HttpRequest, preview: ActualsPreview, token: str, status: int = 200) -> HttpResponse:
    return render(
        request,
        "excel/actuals_preview.html",
        {
            "preview": preview,
            "token": token,
            "confirm_form": ConfirmForm(initial={"token": token}),
            "issues": preview.issues[:SHOWN_ISSUES],
            "more_issues": max(0, len(preview.issues) - SHOWN_ISSUES),
            "creates": preview.of("create")[:SHOWN_ROWS],
            "updates": preview.of("update")[:SHOWN_ROWS],
            "counts": preview.counts,
            "questions": preview.questions,
            "task_rows": [r for r in preview.task_rows if r.action != "unchanged"][:SHOWN_ROWS],
            "shown_rows": SHOWN_ROWS,
            "confirmations": preview.confirmations,
        },
        status=status,
    )


@login_required
@require_POST
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    _reporter_units(request)
    form = ActualsUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    file = form.cleaned_data["file"]
    data = file.read()
    preview = _safe_import(user=request.user, data=data, filename=file.name or "", apply=False)
    token = "" if preview.issues else uploads.store(request.session, kind="actuals", data=data, name=file.name or "")
    return _preview_page(request, preview, token)


@login_required
@require_POST
def confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    _reporter_units(request)
    form = ConfirmForm(request.POST)
    stored = uploads.load(request.session, form.data.get("token", ""), kind="actuals") if form.is_valid() else None
    if stored is None:
        return _error(request, _("上传的文件已过期或无效，请重新上传。"))
    data, name, _params = stored
    # Re-read and re-check everything: nothing from the preview page is trusted.
    preview = _safe_import(
        user=request.user,
        data=data,
        filename=name,
        apply=True,
        submit=form.cleaned_data["submit"],
        confirmed=form.cleaned_data["confirm_amounts"],
        answered=form.cleaned_data["answer_questions"],
    )
    if preview.waiting and not preview.applied and not preview.issues:  # not confirmed yet: the same preview
        return _preview_page(request, preview, form.cleaned_data["token"], status=409)
    if preview.issues or not preview.applied:
        return _preview_page(request, preview, "", status=409)
    uploads.discard(request.session, form.cleaned_data["token"])
    counts = preview.counts
    messages.success(
        request,
        _("导入完成：新增 %(c)s 项，修改 %(u)s 项，未变 %(n)s 项。")
        % {"c": counts["create"], "u": counts["update"], "n": counts["unchanged"]},
    )
    return redirect("excel:import")


def _admin_only(request: HttpRequest) -> None:
    if not is_admin(request.user):
        raise PermissionDenied(_("只有组织部管理员可以导入规划。"))


@login_required
def plan_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    _admin_only(request)
    if request.method != "POST":
        return render(request, "excel/plan_import.html", {"form": PlanImportForm()})
    form = PlanImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "excel/plan_import.html", {"form": form}, status=400)
    cd = form.cleaned_data
    # The table becomes the same draft as a document and is reviewed and published on the intake page, with the
    # same unit resolver: unknown units are proposed there, not refused here.
    from intake.excel import read_plan_workbook
    from intake.views import new_draft

    try:
        draft = read_plan_workbook(cd["file"].read(), cd["file"].name or "")
    except ExcelInputError as exc:
        return render(request, "excel/plan_import.html", {"form": form, "issues": exc.issues}, status=400)
    draft.title, draft.kind, draft.doc_number = cd["title"], cd["kind"], cd["doc_number"] or ""
    draft.start_year, draft.end_year = cd["start_year"] or draft.start_year, cd["end_year"] or draft.end_year
    token = new_draft(request, draft, cd["root"])
    from intake import store

    state = store.load(request.session, token) or {}
    store.save(request.session, {**state, "code": cd["code"]}, token)
    return redirect("intake:review", token=token)
