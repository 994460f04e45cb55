"""指标分解: the page where 组织部 splits a plan target among its units (a table of units × target, the sum and the
gap to the whole shown as they type), and the form linking a child plan's indicator to its parent plan's."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from indicators import engine
from indicators.engine import rollup as ru
from indicators.models import Indicator, UnitTarget
from indicators.splits import SplitError, link_indicator, split_target, split_units
from indicators.validation import ValueInputError, parse_decimal
from plans.models import Department
from plans.roles import is_admin

HISTORY_LIMIT = 50


def _value(raw: str, field: str, label: str, errors: dict[str, str]) -> Decimal | None:
    text = raw.strip()
    if not text:
        return None
    try:
        return parse_decimal(text)
    except ValueInputError as exc:
        errors[field] = _("%(u)s：%(m)s") % {"u": label, "m": exc.message}
        return None


def _history(indicator: Indicator) -> list[object]:
    return list(
        UnitTarget.history.filter(indicator_id=indicator.pk)
        .select_related("history_user", "department")
        .order_by("-history_date", "-history_id")[:HISTORY_LIMIT]
    )


@dataclass
class SplitRow:
    unit: Department
    text: str
    value: Decimal | None
    error: str = ""


def _rows(
    units: list[Department], own: dict[int, Decimal | None], data: QueryDict | None, errors: dict[str, str]
) -> list[SplitRow]:
    rows = []
    for unit in units:
        if data is None:
            saved = own.get(unit.pk)
            rows.append(SplitRow(unit, "" if saved is None else f"{saved.normalize():f}", saved))
            continue
        text = data.get(f"u{unit.pk}", "")
        rows.append(SplitRow(unit, text, _value(text, f"unit-{unit.pk}", unit.name, errors)))
    return rows


@login_required
def edit_split(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_admin(request.user):
        raise PermissionDenied(_("只有组织部管理员可以分解指标。"))
    indicator = get_object_or_404(Indicator.objects.select_related("plan"), pk=pk)
    units = split_units(indicator)
    own = {t.department_id: t.target for t in UnitTarget.objects.filter(indicator=indicator)}
    errors: dict[str, str] = {}
    data = request.POST if request.method == "POST" else None
    reason = data.get("reason", "") if data is not None else ""
    rows = _rows(units, own, data, errors)
    if data is not None and not errors:
        try:
            changed = split_target(
                user=request.user,  # type: ignore[arg-type]  # login_required
                indicator=indicator,
                reason=reason,
                targets={r.unit.pk: r.value for r in rows},
            )
        except SplitError as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                _("已保存%(n)s个单位的分解目标，评估结果正在重新计算。") % {"n": changed}
                if changed
                else _("分解目标没有变化。"),
            )
            return redirect("dashboard:split", pk=indicator.pk)
    for row in rows:
        row.error = errors.get(f"unit-{row.unit.pk}", "")
    method = ru.Method(indicator.rollup)
    coverage = ru.split_coverage(
        indicator.target,
        {r.unit.pk: r.value for r in rows},
        [u.pk for u in units],
        method,
        engine.Comparison(indicator.comparison),
    )
    return render(
        request,
        "dashboard/split.html",
        {
            "indicator": indicator,
            "rows": rows,
            "reason": reason,
            "errors": errors,
            "coverage": coverage,
            "sums": method == ru.Method.SUM,
            "history": _history(indicator),
            "general_errors": [m for k, m in errors.items() if not k.startswith("unit-")],
        },
        status=400 if errors else 200,
    )


@require_POST
@login_required
def link_parent(request: HttpRequest, pk: int) -> HttpResponse:
    if not is_admin(request.user):
        raise PermissionDenied(_("只有组织部管理员可以关联上级规划指标。"))
    indicator = get_object_or_404(Indicator.objects.select_related("plan"), pk=pk)
    raw = request.POST.get("parent", "").strip()
    parent = None
    if raw:
        parent = Indicator.objects.filter(pk=int(raw) if raw.isdigit() else 0).first()
        if parent is None:
            messages.error(request, _("上级规划指标“%(v)s”不存在。") % {"v": raw[:20]})
            return redirect("dashboard:indicator", pk=indicator.pk)
    try:
        changed = link_indicator(
            user=request.user,  # type: ignore[arg-type]  # login_required
            indicator=indicator,
            parent=parent,
            reason=request.POST.get("reason", ""),
        )
    except SplitError as exc:
        messages.error(request, "；".join(exc.errors.values()))
    else:
        messages.success(
            request,
            _("已关联上级规划指标。") if changed and parent else _("已取消关联。") if changed else _("关联没有变化。"),
        )
    return redirect("dashboard:indicator", pk=indicator.pk)
