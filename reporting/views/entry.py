"""The my reporting page: a unit's items of one plan, a page at a time, each editable card with its form (saving a
card is `reporting.views.entry_save`; 报送本页 `reporting.views.submit`).

Views stay thin: role gate (`indicators.rules`, 403) → access helper (404 for another unit's items: we never confirm
they exist) → form → service → selector → render. Every write goes through `indicators.services`.
Pages work without JavaScript; with htmx a saved card is swapped in place instead of reloading the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import rules
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators import access
from indicators import rules as perms
from indicators.models import ReviewStatus
from plans.models import Department, ReportingPeriod
from reporting.forms import ProgressForm, ValueForm, value_texts
from reporting.fresh_forms import FreshForm
from reporting.selectors.entry import STATUS_FILTERS, ReportingPage, reporting_page
from reporting.selectors.entry_items import TaskItem, ValueItem
from reporting.selectors.review import STATUS_LABELS, ordered_periods
from reporting.views.common import _my_url, _pick_period, _posted_id
from talentplan.requests import AuthenticatedHttpRequest


@dataclass(frozen=True)
class PageQuery:
    """The part of the my reporting page a request asks for: plan code, status filter, page, item to show."""

    plan: str = ""
    status: str = ""
    page: int = 1
    focus: str = ""

    @classmethod
    def from_query(cls, data: QueryDict) -> PageQuery:
        return cls(
            plan=data.get("plan", "").strip(),
            status=data.get("status", "").strip(),
            page=_page_param(data.get("page")),
            focus=data.get("item", "").strip(),
        )

    @classmethod
    def from_post(cls, data: QueryDict) -> PageQuery:
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
    return render_page(
        request, department, period, periods=periods, units=units, view=PageQuery.from_query(request.GET)
    )


def render_page(
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
    view: PageQuery | None = None,
) -> HttpResponse:
    if view is None:  # answering a POST: show the part of the page the form came from
        view = PageQuery.from_post(request.POST)
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
    if periods is None:
        periods, units = ordered_periods(), list(access.user_units(request.user))
    page = _page_with_forms(
        request, department, period, value_forms or {}, task_forms or {}, view, can_enter, periods=periods
    )
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
    view: PageQuery,
    can_enter: bool,
    only: list[str] | None = None,
    periods: Sequence[ReportingPeriod] | None = None,
) -> ReportingPage:
    """The page's rows, each editable one with its form (a posted form with errors replaces the fresh one, which is
    printed from the form class without building a form: `reporting.fresh_forms`)."""
    page = reporting_page(
        department=department,
        period=period,
        today=timezone.localdate(),
        plan=view.plan,
        status=view.status,
        page=view.page,
        focus=view.focus,
        only=only,
        periods=periods,
    )
    editing = page.can_edit and can_enter
    # The card templates read each item's form from the item: the view hangs it there (selectors know no forms).
    for item in page.values:
        # A posted form is always shown again, so its errors (even "already approved") sit next to the fields.
        value_form: ValueForm | FreshForm | None = value_forms.get(item.indicator.pk)
        if value_form is None and editing and item.review_status not in LOCKED_STATUSES:
            value_form = FreshForm(
                ValueForm,
                initial=ValueForm.initial_for(
                    item.indicator.pk, department.pk, period.pk, item.estimate, item.official
                ),
                auto_id=f"v{item.indicator.pk}_%s",
                texts={"value": value_texts(item.indicator)},
            )
        item.form = value_form  # type: ignore[attr-defined]  # the template's form, not part of the selector's data
    for task_item in page.tasks:
        progress_form: ProgressForm | FreshForm | None = task_forms.get(task_item.task.pk)
        if progress_form is None and editing and task_item.review_status not in LOCKED_STATUSES:
            progress_form = FreshForm(
                ProgressForm,
                initial=ProgressForm.initial_for(task_item.task.pk, department.pk, period.pk, task_item.row),
                auto_id=f"t{task_item.task.pk}_%s",
            )
        task_item.form = progress_form  # type: ignore[attr-defined]  # the template's form, as above
    return page
