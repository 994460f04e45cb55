"""The my reporting page: a unit's items of one plan, a page at a time; saving a figure or a progress report (as a
draft, or submitted); 报送本页.

Views stay thin: role gate (`indicators.rules`, 403) → access helper (404 for another unit's items: we never confirm
they exist) → form → service → selector → render. Every write goes through `indicators.services`.
Pages work without JavaScript; with htmx a saved card is swapped in place instead of reloading the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import access, services
from indicators import rules as perms
from indicators.formatting import dec_str
from indicators.models import Evidence, IndicatorValue, ReviewStatus, TaskProgress
from plans.models import Department, ReportingPeriod
from reporting import kept_evidence
from reporting.forms import ProgressForm, ValueForm
from reporting.selectors.entry import STATUS_FILTERS, ReportingPage, TaskItem, ValueItem, reporting_page
from reporting.selectors.review import STATUS_LABELS, ordered_periods
from reporting.views.common import _add_errors, _my_url, _pick_period, _posted_id, _require
from reporting.views.widgets import _CARD_RENDERER
from talentplan.requests import AuthenticatedHttpRequest


@dataclass(frozen=True)
class _MyView:
    """The part of the my reporting page a request asks for: plan code, status filter, page, item to show."""

    plan: str = ""
    status: str = ""
    page: int = 1
    focus: str = ""

    @classmethod
    def from_query(cls, data: QueryDict) -> _MyView:
        return cls(
            plan=data.get("plan", "").strip(),
            status=data.get("status", "").strip(),
            page=_page_param(data.get("page")),
            focus=data.get("item", "").strip(),
        )

    @classmethod
    def from_post(cls, data: QueryDict) -> _MyView:
        """Forms on the page carry where they were posted from (`view_*`), so the answer returns there."""
        return cls(
            plan=data.get("view_plan", "").strip(),
            status=data.get("view_status", "").strip(),
            page=_page_param(data.get("view_page")),
        )


# Submitted items wait for 组织部 and approved ones are final: neither is editable until it is returned.
LOCKED_STATUSES = (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)


def _page_param(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


@login_required
def my_reporting(request: AuthenticatedHttpRequest) -> HttpResponse:
    periods = ordered_periods()
    period = _pick_period(request.GET.get("period"), periods)
    units = list(access.user_units(request.user))
    department = None
    if request.GET.get("unit"):
        department = access.get_department_to_view(request.user, _posted_id(request.GET, "unit"))
    elif units:
        department = units[0]
    if department is None or period is None:
        choices = list(Department.objects.filter(is_active=True)) if access.can_read_all(request.user) else []
        return render(
            request,
            "reporting/my.html",
            {"periods": periods, "period": period, "units": units, "unit_choices": choices, "page": None},
        )
    return _render_my(request, department, period, periods=periods, units=units, view=_MyView.from_query(request.GET))


def _render_my(
    request: AuthenticatedHttpRequest,
    department: Department,
    period: ReportingPeriod,
    *,
    periods: list[ReportingPeriod] | None = None,
    units: list[Department] | None = None,
    value_forms: dict[int, ValueForm] | None = None,
    task_forms: dict[int, ProgressForm] | None = None,
    card: tuple[str, int] | None = None,
    saved: bool = False,
    view: _MyView | None = None,
) -> HttpResponse:
    if view is None:  # answering a POST: show the part of the page the form came from
        view = _MyView.from_post(request.POST)
    can_enter = _can_enter(request, department)
    if card is not None:  # htmx: just the card that was posted, loaded alone
        page = _page_with_forms(
            request,
            department,
            period,
            value_forms or {},
            task_forms or {},
            view,
            can_enter,
            only=[f"{card[0][0]}{card[1]}"],
        )
        item = _find(page, card)
        if item is not None:
            template = "reporting/_value_card.html" if card[0] == "value" else "reporting/_task_card.html"
            return render(request, template, {"item": item, "page": page, "saved": saved})
    # A form shown again with its errors must be on the page rendered: open the plan and page that hold it.
    if value_forms:
        view = replace(view, focus=f"v{next(iter(value_forms))}")
    elif task_forms:
        view = replace(view, focus=f"t{next(iter(task_forms))}")
    page = _page_with_forms(request, department, period, value_forms or {}, task_forms or {}, view, can_enter)
    if periods is None:
        periods, units = ordered_periods(), list(access.user_units(request.user))
    unit_choices = units or []
    if access.can_read_all(request.user):
        unit_choices = list(Department.objects.filter(is_active=True))
    return render(
        request,
        "reporting/my.html",
        {
            "page": page,
            "period": period,
            "periods": periods,
            "units": units,
            "unit_choices": unit_choices,
            "department": department,
            "can_enter": can_enter,
            "nav": _page_links(page, department, period),
        },
    )


def _page_links(page: ReportingPage, department: Department, period: ReportingPeriod) -> dict[str, object]:
    """Links of the summary, the status filter and the pager; each keeps unit, period, plan and filter."""
    code = page.plan.code if page.plan else ""
    for summary in page.plans:
        summary.url = _my_url(department, period, plan=summary.plan.code)
    current = page.summary
    filters = []
    if current is not None:
        filters.append(
            {
                "key": "",
                "label": _("全部"),
                "count": current.entries + current.read_only,
                "url": _my_url(department, period, plan=code),
                "active": not page.status,
            }
        )
        for key in STATUS_FILTERS:
            filters.append(
                {
                    "key": key,
                    "label": STATUS_LABELS[key],
                    "count": current.count(key),
                    "url": _my_url(department, period, plan=code, status=key),
                    "active": page.status == key,
                }
            )
    pages = []
    if page.num_pages > 1:
        numbers = Paginator(range(page.total), page.per_page).get_elided_page_range(
            page.number, on_each_side=2, on_ends=1
        )
        for n in numbers:
            if isinstance(n, int):
                pages.append(
                    {
                        "number": n,
                        "current": n == page.number,
                        "url": _my_url(department, period, plan=code, status=page.status, page=n),
                    }
                )
            else:
                pages.append({"number": None})  # the ellipsis
    return {
        "filters": filters,
        "pages": pages,
        "previous": (
            _my_url(department, period, plan=code, status=page.status, page=page.number - 1) if page.number > 1 else ""
        ),
        "next": (
            _my_url(department, period, plan=code, status=page.status, page=page.number + 1)
            if page.number < page.num_pages
            else ""
        ),
    }


def _find(page: ReportingPage, card: tuple[str, int]) -> ValueItem | TaskItem | None:
    """The page's item for a posted card (None if the page no longer lists it, e.g. its plan was closed)."""
    kind, pk = card
    if kind == "value":
        return next((i for i in page.values if i.indicator.pk == pk), None)
    return next((i for i in page.tasks if i.task.pk == pk), None)


def _can_enter(request: AuthenticatedHttpRequest, department: Department) -> bool:
    return rules.has_perm(perms.ENTER, request.user) and department.pk in access.unit_ids(request.user)


def _page_with_forms(
    request: AuthenticatedHttpRequest,
    department: Department,
    period: ReportingPeriod,
    value_forms: dict[int, ValueForm],
    task_forms: dict[int, ProgressForm],
    view: _MyView,
    can_enter: bool,
    only: list[str] | None = None,
) -> ReportingPage:
    """The page's rows, each editable one with its form (a posted form with errors replaces the fresh one)."""
    page = reporting_page(
        department=department,
        period=period,
        today=timezone.localdate(),
        plan=view.plan,
        status=view.status,
        page=view.page,
        focus=view.focus,
        only=only,
    )
    editing = page.can_edit and can_enter
    # The card templates read each item's form from the item: the view hangs it there (selectors know no forms).
    for item in page.values:
        # A posted form is always shown again, so its errors (even "already approved") sit next to the fields.
        value_form = value_forms.get(item.indicator.pk)
        if value_form is None and editing and item.review_status not in LOCKED_STATUSES:
            value_form = ValueForm(
                initial=ValueForm.initial_for(
                    item.indicator.pk, department.pk, period.pk, item.estimate, item.official
                ),
                indicator=item.indicator,
                auto_id=f"v{item.indicator.pk}_%s",
                renderer=_CARD_RENDERER,
            )
        item.form = value_form  # type: ignore[attr-defined]  # the template's form, not part of the selector's data
    for task_item in page.tasks:
        progress_form = task_forms.get(task_item.task.pk)
        if progress_form is None and editing and task_item.review_status not in LOCKED_STATUSES:
            progress_form = ProgressForm(
                initial=ProgressForm.initial_for(task_item.task.pk, department.pk, period.pk, task_item.row),
                auto_id=f"t{task_item.task.pk}_%s",
                renderer=_CARD_RENDERER,
            )
        task_item.form = progress_form  # type: ignore[attr-defined]  # the template's form, as above
    return page


# --- save and submit ------------------------------------------------------------------------------------------


def _resolve_entry_target(request: AuthenticatedHttpRequest) -> tuple[Department, ReportingPeriod]:
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
    department, period = _resolve_entry_target(request)
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
        data = form.cleaned_data
        entry = services.ValueEntry(
            indicator=indicator,
            department=department,
            period=period,
            value=data["value"],
            basis=data["basis"],
            note=data["note"].strip(),
            expected_version=form.expected_version,
            confirmed_amount=data.get("confirm_amount", False),
        )
        try:
            with transaction.atomic():
                row = (
                    IndicatorValue.objects.filter(
                        indicator=indicator, period=period, department=department, basis=entry.basis
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
                    raise services.ServiceError(_submitted_message(indicator.name))
                if row is None or changed:
                    row = services.save_value(user=request.user, entry=entry, submit=submit)
                _attach_all(request, row, [*data["evidence"], *(upload for _k, upload in kept)])
                transaction.on_commit(lambda: kept_evidence.discard(k for k, _u in kept))
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
    return _render_my(
        request,
        department,
        period,
        value_forms={indicator.pk: form},
        card=("value", indicator.pk) if request.htmx else None,
    )


@login_required
@require_POST
def save_progress(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, perms.ENTER)
    department, period = _resolve_entry_target(request)
    task = access.tasks_visible_to(request.user).filter(pk=_posted_id(request.POST, "task")).first()
    if task is None or not access.can_enter_task(request.user, task, department):
        raise Http404(_("未找到该填报项，或您无权访问。"))
    form = ProgressForm(request.POST, request.FILES, auto_id=f"t{task.pk}_%s")
    submit = "submit" in request.POST
    kept = kept_evidence.load(user=request.user, tokens=request.POST.getlist("kept_evidence"))
    if form.is_valid():
        data = form.cleaned_data
        fields = {k: data[k].strip() for k in ("progress", "problems", "next_steps")}
        try:
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
    return _render_my(
        request, department, period, task_forms={task.pk: form}, card=("task", task.pk) if request.htmx else None
    )


def _keep_evidence(
    request: AuthenticatedHttpRequest,
    form: ValueForm | ProgressForm,
    kept: Sequence[tuple[kept_evidence.Kept, UploadedFile]],
) -> None:
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
        return _render_my(request, department, period, card=card, saved=True)
    messages.success(request, text)
    # Back to the plan, filter and page the form was on (without them: wherever the item now is).
    view = _MyView.from_post(request.POST)
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
    return _render_my(request, department, period, card=card if request.htmx else None, **forms_kw)
