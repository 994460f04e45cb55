"""The page where 组织部 records an indicator's baseline and its units' own (基期值), the reason kept in history."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from indicators.baselines import BaselineError, UnitBaseline, set_baselines
from indicators.models import Indicator, UnitTarget
from indicators.validation import ValueInputError, parse_decimal
from plans.models import Department
from plans.roles import is_admin
from talentplan.requests import AuthenticatedHttpRequest


def _year(raw: str, field: str, errors: dict[str, str]) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit():
        errors[field] = _("基期年度“%(v)s”应为四位年份，如2020。") % {"v": text[:20]}
        return None
    return int(text)


def _value(raw: str, field: str, errors: dict[str, str]) -> Decimal | None:
    text = raw.strip()
    if not text:
        return None
    try:
        return parse_decimal(text)
    except ValueInputError as exc:
        errors[field] = exc.message
        return None


def _units(indicator: Indicator, data: QueryDict | None, errors: dict[str, str]) -> list[dict[str, object]]:
    """One row per unit the indicator is judged for: assessed units, and any with its own target already."""
    targets = {t.department_id: t for t in UnitTarget.objects.filter(indicator=indicator).select_related("department")}
    units = list(indicator.plan.assessed_units.order_by("order", "name")) if indicator.per_unit else []
    units += [t.department for t in targets.values() if t.department not in units]
    rows = []
    for unit in units:
        own = targets.get(unit.pk)
        row: dict[str, object] = {"unit": unit, "target": own}
        if data is not None:
            row["year_text"] = data.get(f"u{unit.pk}_year", "")
            row["value_text"] = data.get(f"u{unit.pk}_value", "")
            row["year"] = _year(str(row["year_text"]), f"unit-{unit.pk}", errors)
            row["value"] = _value(str(row["value_text"]), f"unit-{unit.pk}", errors)
        else:
            row["year_text"] = str(own.baseline_year) if own and own.baseline_year else ""
            row["value_text"] = f"{own.baseline.normalize():f}" if own and own.baseline is not None else ""
        rows.append(row)
    return rows


@login_required
def edit_baseline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if not is_admin(request.user):
        raise PermissionDenied(_("只有组织部管理员可以录入基期值。"))
    indicator = get_object_or_404(Indicator.objects.select_related("plan"), pk=pk)
    errors: dict[str, str] = {}
    data = request.POST if request.method == "POST" else None
    rows = _units(indicator, data, errors)
    form = {
        "year": str(indicator.baseline_year or ""),
        "value": "" if indicator.baseline is None else f"{indicator.baseline.normalize():f}",
        "reason": "",
    }
    if data is not None:
        form = {"year": data.get("year", ""), "value": data.get("value", ""), "reason": data.get("reason", "")}
        year = _year(form["year"], "baseline", errors)
        value = _value(form["value"], "baseline", errors)
        if not errors:
            try:
                changed = set_baselines(
                    user=request.user,
                    indicator=indicator,
                    baseline_year=year,
                    baseline=value,
                    reason=form["reason"],
                    # The template rows hold the parsed year and value, checked above (no errors), typed object.
                    units=[UnitBaseline(r["unit"], r["year"], r["value"]) for r in rows],  # type: ignore[arg-type]
                )
            except BaselineError as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    _("已保存%(n)s处基期值，评估结果正在重新计算。") % {"n": changed}
                    if changed
                    else _("基期值没有变化。"),
                )
                return redirect("dashboard:indicator", pk=indicator.pk)
    for row in rows:
        unit = row["unit"]
        assert isinstance(unit, Department)
        row["error"] = errors.get(f"unit-{unit.pk}", "")
    return render(
        request,
        "dashboard/baseline.html",
        {
            "indicator": indicator,
            "rows": rows,
            "form": form,
            "errors": errors,
            "general_errors": [m for k, m in errors.items() if not k.startswith("unit-")],
        },
        status=400 if errors else 200,
    )
