"""Saving a card of the my reporting page: a figure or a progress report, as a draft or submitted, with its
evidence; a refused form is shown again on the page it came from (the card alone with htmx).

Views stay thin: role gate (`indicators.rules`, 403) → access helper (404 for another unit's items: we never confirm
they exist) → form → service → render. Every write goes through `indicators.services`.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import access, services
from indicators import rules as perms
from indicators.formatting import dec_str
from indicators.models import Evidence, Indicator, IndicatorValue, ReviewStatus, TaskProgress
from plans.models import Department, ReportingPeriod, Task
from reporting import kept_evidence
from reporting.forms import ProgressForm, ValueForm
from reporting.views.common import _add_errors, _my_url, _posted_id, _require
from reporting.views.entry import PageQuery, render_page
from talentplan.requests import AuthenticatedHttpRequest

Kept = Sequence[tuple[kept_evidence.Kept, UploadedFile]]


def entry_target(request: AuthenticatedHttpRequest) -> tuple[Department, ReportingPeriod]:
    """The posted unit and period, through the access helper: another unit's id is a 404."""
    department = access.get_department_for_user(request.user, _posted_id(request.POST, "department"))
    if department.pk not in access.unit_ids(request.user):
        raise Http404(_("未找到该单位，或您无权访问。"))
    period = get_object_or_404(ReportingPeriod, pk=_posted_id(request.POST, "period"))
    return department, period


def _attach_all(request: AuthenticatedHttpRequest, item: IndicatorValue | TaskProgress, files: list) -> list[Evidence]:
    created: list[Evidence] = []
    try:
        for upload in files:
            created.append(
                services.attach_evidence(user=request.user, item=item, upload=upload, max_bytes=_max_bytes())
            )
    except services.ServiceError:
        for evidence in created:  # the transaction rolls the rows back; remove their stored files too
            evidence.file.delete(save=False)
        raise
    return created


def _max_bytes() -> int:
    return settings.EVIDENCE_MAX_BYTES


@login_required
@require_POST
def save_value(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, perms.ENTER)
    department, period = entry_target(request)
    indicator = (
        access.indicators_visible_to(request.user)
        .select_related("plan")
        .filter(pk=_posted_id(request.POST, "indicator"))
        .first()
    )
    if indicator is None or not access.can_enter_indicator(request.user, indicator, department):
        raise Http404(_("未找到该填报项，或您无权访问。"))
    form = ValueForm(request.POST, request.FILES, indicator=indicator, auto_id=f"v{indicator.pk}_%s")
    submit = "submit" in request.POST
    kept = kept_evidence.load(user=request.user, tokens=request.POST.getlist("kept_evidence"))
    if form.is_valid():
        entry = _value_entry(form, indicator, department, period)
        try:
            changed = _write_value(request, entry, [*form.cleaned_data["evidence"]], kept, submit=submit)
        except services.StaleEditError as exc:
            return _stale(request, department, period, ("value", indicator.pk), exc, form)
        except services.ServiceError as exc:
            _add_errors(form, exc)
        else:
            text = (
                _("“%(name)s”已报送，等待组织部审核。")
                if submit
                else _("“%(name)s”已保存为草稿，尚未报送。")
                if changed
                else _("“%(name)s”的佐证材料已上传。")
            )
            return _saved(request, department, period, ("value", indicator.pk), text % {"name": indicator.name})
    _keep_evidence(request, form, kept)
    return render_page(
        request,
        department,
        period,
        value_forms={indicator.pk: form},
        card=("value", indicator.pk) if request.htmx else None,
    )


def _value_entry(
    form: ValueForm, indicator: Indicator, department: Department, period: ReportingPeriod
) -> services.ValueEntry:
    data = form.cleaned_data
    return services.ValueEntry(
        indicator=indicator,
        department=department,
        period=period,
        value=data["value"],
        basis=data["basis"],
        note=data["note"].strip(),
        expected_version=form.expected_version,
        confirmed_amount=data.get("confirm_amount", False),
    )


def _write_value(
    request: AuthenticatedHttpRequest, entry: services.ValueEntry, uploads: list, kept: Kept, *, submit: bool
) -> bool:
    """Save the figure (when it changed or is submitted) and attach the evidence, together; whether it was saved."""
    with transaction.atomic():
        row = (
            IndicatorValue.objects.filter(
                indicator=entry.indicator, period=entry.period, department=entry.department, basis=entry.basis
            )
            .select_related("period")
            .first()
        )
        unchanged = (
            row is not None
            and row.version == entry.expected_version
            and row.value == entry.value
            and row.note == entry.note
        )
        # Attaching a file to a submitted figure must not turn it back into a draft: save only on change.
        changed = submit or not unchanged or row is None
        if changed and row is not None and row.status == ReviewStatus.SUBMITTED:
            # It waits for 组织部 (evidence may still be added; an official figure may replace an estimate).
            raise services.ServiceError(_submitted_message(entry.indicator.name))
        if row is None or changed:
            row = services.save_value(user=request.user, entry=entry, submit=submit)
        _attach_all(request, row, [*uploads, *(upload for _k, upload in kept)])
        transaction.on_commit(lambda: kept_evidence.discard(k for k, _u in kept))
    return changed


@login_required
@require_POST
def save_progress(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, perms.ENTER)
    department, period = entry_target(request)
    task = access.tasks_visible_to(request.user).filter(pk=_posted_id(request.POST, "task")).first()
    if task is None or not access.can_enter_task(request.user, task, department):
        raise Http404(_("未找到该填报项，或您无权访问。"))
    form = ProgressForm(request.POST, request.FILES, auto_id=f"t{task.pk}_%s")
    submit = "submit" in request.POST
    kept = kept_evidence.load(user=request.user, tokens=request.POST.getlist("kept_evidence"))
    if form.is_valid():
        try:
            changed = _write_progress(request, task, department, period, form.cleaned_data, kept, submit=submit)
        except services.StaleEditError as exc:
            return _stale(request, department, period, ("task", task.pk), exc, form)
        except services.ServiceError as exc:
            _add_errors(form, exc)
        else:
            if submit:
                text = _("任务进展已报送，等待组织部审核。")
            else:
                text = _("任务进展已保存为草稿，尚未报送。") if changed else _("佐证材料已上传。")
            return _saved(request, department, period, ("task", task.pk), text)
    _keep_evidence(request, form, kept)
    return render_page(
        request, department, period, task_forms={task.pk: form}, card=("task", task.pk) if request.htmx else None
    )


def _write_progress(
    request: AuthenticatedHttpRequest,
    task: Task,
    department: Department,
    period: ReportingPeriod,
    data: dict,
    kept: Kept,
    *,
    submit: bool,
) -> bool:
    """Save the progress report (when it changed or is submitted) and attach the evidence, together; whether it was
    saved."""
    fields = {k: data[k].strip() for k in ("progress", "problems", "next_steps")}
    with transaction.atomic():
        row = TaskProgress.objects.filter(task=task, period=period, department=department).first()
        unchanged = (
            row is not None
            and row.version == data["version"]
            and row.progress_status == data["progress_status"]
            and all(getattr(row, k) == v for k, v in fields.items())
        )
        changed = submit or not unchanged or row is None
        if changed and row is not None and row.status == ReviewStatus.SUBMITTED:
            raise services.ServiceError(_submitted_message(str(task)))
        if row is None or changed:
            row = services.save_progress(
                user=request.user,
                task=task,
                department=department,
                period=period,
                progress_status=data["progress_status"],
                expected_version=data["version"],
                submit=submit,
                **fields,
            )
        _attach_all(request, row, [*data["evidence"], *(upload for _k, upload in kept)])
        transaction.on_commit(lambda: kept_evidence.discard(k for k, _u in kept))
    return changed


def _keep_evidence(request: AuthenticatedHttpRequest, form: ValueForm | ProgressForm, kept: Kept) -> None:
    """A refused form keeps the files chosen with it, shown again by name and attached by the next save without
    choosing them again — unless a file itself was the problem (its message names it; it is chosen again)."""
    if "evidence" in form.errors:
        kept_evidence.discard(k for k, _u in kept)
        return
    uploads = request.FILES.getlist("evidence")
    form.kept_evidence = [k for k, _u in kept] + kept_evidence.keep(  # type: ignore[union-attr]  # for the card template
        user=request.user, uploads=uploads
    )


def _submitted_message(name: str) -> str:
    return _("“%(name)s”已报送，等待组织部审核，不能再修改；如需修改请联系组织部退回。") % {"name": name}


def _saved(
    request: AuthenticatedHttpRequest, department: Department, period: ReportingPeriod, card: tuple[str, int], text: str
) -> HttpResponse:
    if request.htmx:
        return render_page(request, department, period, card=card, saved=True)
    messages.success(request, text)
    # Back to the plan, filter and page the form was on (without them: wherever the item now is).
    view = PageQuery.from_post(request.POST)
    return redirect(
        _my_url(department, period, f"{card[0][0]}{card[1]}", plan=view.plan, status=view.status, page=view.page)
    )


def _stale(
    request: AuthenticatedHttpRequest,
    department: Department,
    period: ReportingPeriod,
    card: tuple[str, int],
    exc: services.StaleEditError,
    posted: ValueForm | ProgressForm,
) -> HttpResponse:
    """Someone saved first: show the newer data in the form, and say what was not saved."""
    kind, pk = card
    attempted = ""
    if kind == "value" and posted.is_bound and posted.cleaned_data.get("value") is not None:
        attempted = _("您填写的 %(v)s 未保存。") % {"v": dec_str(posted.cleaned_data["value"])}
    message = f"{exc.errors['__all__']}{attempted}"
    fresh: ValueForm | ProgressForm
    if kind == "value":
        rows = {
            v.basis: v for v in IndicatorValue.objects.filter(indicator_id=pk, period=period, department=department)
        }
        fresh = ValueForm(
            initial=ValueForm.initial_for(pk, department.pk, period.pk, rows.get("estimate"), rows.get("official")),
            indicator=posted.for_indicator if isinstance(posted, ValueForm) else None,
            auto_id=f"v{pk}_%s",
        )
        forms_kw: dict = {"value_forms": {pk: fresh}}
    else:
        row = TaskProgress.objects.filter(task_id=pk, period=period, department=department).first()
        fresh = ProgressForm(initial=ProgressForm.initial_for(pk, department.pk, period.pk, row), auto_id=f"t{pk}_%s")
        forms_kw = {"task_forms": {pk: fresh}}
    fresh.stale_message = message
    if not request.htmx:
        messages.error(request, message)
    return render_page(request, department, period, card=card if request.htmx else None, **forms_kw)
