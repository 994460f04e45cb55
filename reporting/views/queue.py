"""The review queue (审核): the backlog by period, plan and unit, one page at a time; approve or return the items
chosen, after one confirmation that says what will happen; a single item's approve and return.

Every decision goes through `indicators.services.review_items` (the one path).
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from indicators import access, services
from indicators import rules as perms
from indicators.formatting import dec_str
from indicators.models import IndicatorValue, ReviewStatus, TaskProgress
from reporting.forms import ReviewForm
from reporting.queue_rows import render_rows
from reporting.selectors.queue import (
    DEFAULT_PAGE_SIZE,
    PAGE_SIZES,
    QueueQuery,
    opening_period,
    review_page,
    waiting_by_period,
)
from reporting.selectors.review import STATUS_LABELS, ordered_periods
from reporting.views.common import _pick_period, _require
from talentplan.requests import AuthenticatedHttpRequest

MAX_DECISIONS = max(PAGE_SIZES)
Item = IndicatorValue | TaskProgress


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _query(params: QueryDict) -> QueueQuery:
    status = params.get("status", ReviewStatus.SUBMITTED)
    per_page = _int(params.get("per_page")) or DEFAULT_PAGE_SIZE
    return QueueQuery(
        period=params.get("period", "").strip(),
        plan=_int(params.get("plan")),
        unit=_int(params.get("unit")),
        status=status if status in ReviewStatus.values or status == "" else ReviewStatus.SUBMITTED,
        page=_int(params.get("page")) or 1,
        per_page=per_page if per_page in PAGE_SIZES else DEFAULT_PAGE_SIZE,
    )


def _url(query: QueueQuery, period_code: str, **change: object) -> str:
    params: dict[str, object] = {
        "period": period_code,
        "plan": query.plan or "",
        "unit": query.unit or "",
        "status": query.status,
        "per_page": query.per_page,
        "page": query.page,
    }
    params.update(change)
    kept = {
        k: v
        for k, v in params.items()
        if v not in ("", None)
        and not (k == "page" and v == 1)
        and not (k == "per_page" and v == DEFAULT_PAGE_SIZE)
        or k == "status"
    }
    return f"{reverse('reporting:review')}?{urlencode(kept)}"


@login_required
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require(request, perms.REVIEW)
    return _render_queue(request, request.GET)


def _render_queue(
    request: HttpRequest, params: QueryDict, *, problems: list[str] | None = None, reason: str = "", status: int = 200
) -> HttpResponse:
    query = _query(params)
    periods = ordered_periods()
    waiting = waiting_by_period()
    period = _pick_period(query.period, periods) if query.period else opening_period(periods, waiting)
    page = review_page(periods=periods, period=period, query=query, waiting=waiting)
    code = period.code if period else ""
    here = _url(query, code, page=page.number)
    links = {
        "periods": [
            (f, _url(query, f.period.code, plan="", unit="", page=1))
            for f in page.periods
            if f.waiting or f.period == period
        ],
        "plans": [(f, _url(query, code, plan=f.pk, page=1)) for f in page.plans],
        "units": [(f, _url(query, code, unit=f.pk, page=1)) for f in page.units],
        "all_plans": _url(query, code, plan="", page=1),
        "all_units": _url(query, code, unit="", page=1),
        "statuses": [
            (key, label, _url(query, code, status=key, page=1))
            for key, label in [("", _("全部")), *ReviewStatus.choices]
        ],
        "sizes": [(n, _url(query, code, per_page=n, page=1)) for n in PAGE_SIZES],
        "previous": _url(query, code, page=page.number - 1) if page.number > 1 else "",
        "next": _url(query, code, page=page.number + 1) if page.number < page.num_pages else "",
    }
    return render_queue_page(
        request,
        {
            "page": page,
            "rows": render_rows(page.rows, decidable=page.decidable),
            "period": period,
            "here": here,
            "links": links,
            "problems": problems or [],
            "reason": reason,
            "status_label": STATUS_LABELS.get(query.status, _("全部")) if query.status else _("全部"),
        },
        status,
    )


def render_queue_page(request: HttpRequest, context: dict[str, object], status: int = 200) -> HttpResponse:
    return render(request, "reporting/review.html", context, status=status)


# --- decisions ----------------------------------------------------------------------------------------------------


def _parse_tokens(tokens: list[str]) -> dict[tuple[str, int], int]:
    """("value"|"progress", pk) → the version shown, from checkbox values such as "v123.5"."""
    chosen: dict[tuple[str, int], int] = {}
    for token in tokens:
        kind, rest = token[:1], token[1:]
        pk, _dot, version = rest.partition(".")
        if kind in ("v", "p") and pk.isdigit() and version.isdigit():
            chosen[("value" if kind == "v" else "progress", int(pk))] = int(version)
    return chosen


def _load(chosen: dict[tuple[str, int], int]) -> list[Item]:
    value_ids = [pk for kind, pk in chosen if kind == "value"]
    progress_ids = [pk for kind, pk in chosen if kind == "progress"]
    items: list[Item] = []
    if value_ids:
        items += (
            IndicatorValue.objects.filter(pk__in=value_ids)
            .select_related("indicator__plan", "department", "period")
            .order_by("department__order", "department__name", "pk")
        )
    if progress_ids:
        items += (
            TaskProgress.objects.filter(pk__in=progress_ids)
            .select_related("task__plan", "department", "period")
            .order_by("department__order", "department__name", "pk")
        )
    return items


def _next_url(request: HttpRequest) -> str:
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return reverse("reporting:review")
    return next_url


@login_required
@require_POST
def decide(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Approve or return the chosen items. The first post shows what will happen; the confirmed one does it."""
    _require(request, perms.REVIEW)
    next_url = _next_url(request)
    back = QueryDict(urlsplit(next_url).query)
    single = request.POST.get("one", "")
    action = services.APPROVE if single else request.POST.get("action", "")
    chosen = _parse_tokens([single] if single else request.POST.getlist("items"))
    reason = request.POST.get("reason", "").strip()
    if action not in (services.APPROVE, services.RETURN):
        return _render_queue(request, back, problems=[_("请选择“审核通过”或“退回”。")], status=400)
    if not chosen:
        return _render_queue(request, back, problems=[_("请先勾选要处理的项。")], reason=reason)
    if len(chosen) > MAX_DECISIONS:
        return _render_queue(
            request, back, problems=[_("一次最多处理 %(n)s 项，请分批操作。") % {"n": MAX_DECISIONS}], reason=reason
        )
    if action == services.RETURN and not reason:
        return _render_queue(request, back, problems=[_("退回必须填写原因，填报人会看到该原因。")])
    items = _load(chosen)
    if request.POST.get("confirmed") != "1":
        return _confirm(request, items, chosen, action, reason, next_url, single)
    try:
        outcome = services.review_items(
            user=request.user, items=items, action=action, reason=reason, expected_versions=chosen
        )
    except services.ServiceError as exc:
        return _render_queue(request, back, problems=list(exc.errors.values()), reason=reason)
    _report(request, outcome, action)
    return HttpResponseRedirect(next_url)


def _confirm(
    request: HttpRequest,
    items: list[Item],
    chosen: dict[tuple[str, int], int],
    action: str,
    reason: str,
    next_url: str,
    single: str,
) -> HttpResponse:
    units = Counter(item.department.name for item in items)
    by_unit = "、".join(ngettext("%(u)s %(n)s 项", "%(u)s %(n)s 项", n) % {"u": u, "n": n} for u, n in units.items())
    periods = sorted({item.period.label for item in items})
    if action == services.APPROVE:
        title = _("确认审核通过")
        sentence = _(
            "审核通过%(p)s的 %(n)s 项（%(units)s）。通过后计入统计和考核，填报单位不能再修改；如需更正须由组织部退回。"
        )
    else:
        title = _("确认退回")
        sentence = _("退回%(p)s的 %(n)s 项（%(units)s）。填报单位将收到通知和退回原因，修改后重新报送。")
    hidden = [("action", action), ("next", next_url), ("reason", reason), ("confirmed", "1")]
    hidden += [("one", single)] if single else [("items", _token(item, chosen)) for item in items]
    return render(
        request,
        "components/confirm.html",
        {
            "title": title,
            "sentence": sentence % {"p": "、".join(periods), "n": len(items), "units": by_unit},
            "lines": [_line(item) for item in items],
            "reason": reason if action == services.RETURN else "",
            "hidden": hidden,
            "action_url": reverse("reporting:review_decide"),
            "cancel_url": next_url,
            "confirm_label": _("确认审核通过") if action == services.APPROVE else _("确认退回"),
        },
    )


def _token(item: Item, chosen: dict[tuple[str, int], int]) -> str:
    key = services.item_key(item)
    return f"{key[0][0]}{key[1]}.{chosen[key]}"


def _line(item: Item) -> str:
    if isinstance(item, IndicatorValue):
        return f"{item.department.name} · {item.indicator.number} {item.indicator.name}：{dec_str(item.value) or '—'}"
    return f"{item.department.name} · {_('任务')} {item.task.number} {item.task.text[:40]}"


def _report(request: HttpRequest, outcome: services.ReviewOutcome, action: str) -> None:
    if outcome.done:
        n = len(outcome.done)
        if action == services.APPROVE:
            messages.success(request, ngettext("已审核通过 %(n)s 项。", "已审核通过 %(n)s 项。", n) % {"n": n})
        else:
            messages.success(
                request,
                ngettext("已退回 %(n)s 项，填报单位会看到退回原因。", "已退回 %(n)s 项，填报单位会看到退回原因。", n)
                % {"n": n},
            )
    if outcome.refused:
        lines = "；".join(f"{_line(r.item)}：{r.message}" for r in outcome.refused)
        messages.warning(request, _("以下 %(n)s 项未处理：%(list)s") % {"n": len(outcome.refused), "list": lines})


@login_required
@require_POST
def review_item(request: AuthenticatedHttpRequest, kind: str, pk: int) -> HttpResponse:
    """One item's approve or return, posted from its history page or by older links: the same path as the queue."""
    _require(request, perms.REVIEW)
    get_item = access.get_value_for_user if kind == "value" else access.get_progress_for_user
    item = get_item(request.user, pk)
    form = ReviewForm(request.POST)
    next_url = _next_url(request)
    if not form.is_valid():
        return _render_queue(request, QueryDict(urlsplit(next_url).query), problems=[_("请选择“审核通过”或“退回”。")])
    data = form.cleaned_data
    try:
        if data["action"] == ReviewForm.APPROVE:
            services.approve_item(user=request.user, item=item, expected_version=data["version"])
        else:
            services.return_item(user=request.user, item=item, reason=data["reason"], expected_version=data["version"])
    except services.ServiceError as exc:
        return _render_queue(
            request, QueryDict(urlsplit(next_url).query), problems=list(exc.errors.values()), reason=data["reason"]
        )
    action = services.APPROVE if data["action"] == ReviewForm.APPROVE else services.RETURN
    messages.success(
        request, _("已审核通过。") if action == services.APPROVE else _("已退回，填报单位会看到退回原因。")
    )
    return HttpResponseRedirect(next_url)
