"""Helpers shared by the reporting views (`reporting.views.review`, `reporting.views.entry`, `entry_save`, …): role
gate, posted ids, period choice, the my reporting page's URL, service errors onto forms.
"""

from __future__ import annotations

from urllib.parse import urlencode

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from indicators import services
from plans.models import Department, ReportingPeriod
from reporting.forms import PeriodOpenForm, PeriodStateForm, ProgressForm, ReviewForm, ValueForm
from reporting.selectors.review import default_period


def _require(request: HttpRequest, perm: str) -> None:
    if not rules.has_perm(perm, request.user):
        raise PermissionDenied(_("您的角色无权进行此操作。"))


def _posted_id(data: QueryDict, name: str) -> int:
    try:
        return int(data.get(name, ""))
    except ValueError:
        raise Http404(_("未找到该填报项，或您无权访问。")) from None


def _pick_period(code: str | None, periods: list[ReportingPeriod]) -> ReportingPeriod | None:
    """The period asked for by code (404 if unknown), else the default: the newest open one."""
    if not code:
        return default_period(periods)
    period = next((p for p in periods if p.code == code.strip().upper()), None)
    if period is None:
        raise Http404(_("未找到该填报周期。"))
    return period


def _my_url(
    department: Department,
    period: ReportingPeriod,
    anchor: str = "",
    *,
    plan: str = "",
    status: str = "",
    page: int = 1,
) -> str:
    """The my reporting page. With an anchor but no plan, `item=` makes the page open on the plan and page that hold
    the item (history pages link back this way; the item may sit on any plan and page)."""
    query: dict[str, str | int] = {"unit": department.pk, "period": period.code}
    if plan:
        query["plan"] = plan
    if status:
        query["status"] = status
    if page > 1:
        query["page"] = page
    if anchor and not plan:
        query["item"] = anchor
    return f"{reverse('reporting:my')}?{urlencode(query)}{'#' + anchor if anchor else ''}"


def _add_errors(
    form: ValueForm | ProgressForm | ReviewForm | PeriodOpenForm | PeriodStateForm, exc: services.ServiceError
) -> None:
    """Put each service message next to its field (or on top of the form when it concerns the whole item)."""
    for key, message in exc.errors.items():
        form.add_error(key if key in form.fields else None, message)
