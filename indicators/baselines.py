"""Recording baselines (基期值) in the app: the indicator's own and each assessed unit's, with history.

A plan often prints a target without a baseline (seed 000's towns, a share "达到32%"). Without one there is no time
path and the verdict can only compare with the target (未达标). 组织部 records the baselines here once they are known
from statistics; every write keeps its history (who, when, old → new, reason) and re-evaluates the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.evaluation import services as verdicts
from indicators.models import Indicator, UnitTarget
from plans.models import Department
from plans.roles import is_admin

YEAR_RANGE = (1949, 2100)


class BaselineError(Exception):
    """A refused change; `errors` maps a field to a Chinese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class UnitBaseline:
    department: Department
    baseline_year: int | None
    baseline: Decimal | None


def _check(year: int | None, value: Decimal | None, where: str, end_year: int) -> dict[str, str]:
    if value is not None and year is None:
        return {where: _("填写基期值时须同时填写基期年度。")}
    if year is not None and not (YEAR_RANGE[0] <= year <= min(YEAR_RANGE[1], end_year)):
        return {where: _("基期年度%(y)s不合理：应不晚于规划终止年度%(e)s。") % {"y": year, "e": end_year}}
    return {}


@transaction.atomic
def set_baselines(
    *,
    user: User,
    indicator: Indicator,
    baseline_year: int | None,
    baseline: Decimal | None,
    units: Sequence[UnitBaseline] = (),
    reason: str,
) -> int:
    """Record the indicator's baseline and its units' own baselines. Returns the number of rows changed.

    Only 组织部 may do this; a reason is required and kept in the history of every changed row.
    """
    if not is_admin(user):
        raise BaselineError({"__all__": _("只有组织部管理员可以录入基期值。")})
    if not reason.strip():
        raise BaselineError({"reason": _("请填写录入或修改基期值的依据（如统计公报、部门年报）。")})
    end_year = indicator.plan.end_year
    errors = _check(baseline_year, baseline, "baseline", end_year)
    for row in units:
        errors |= _check(row.baseline_year, row.baseline, f"unit-{row.department.pk}", end_year)
    if errors:
        raise BaselineError(errors)
    changed = 0
    if (indicator.baseline_year, indicator.baseline) != (baseline_year, baseline):
        indicator.baseline_year, indicator.baseline = baseline_year, baseline
        indicator._change_reason = reason.strip()
        indicator._history_user = user
        indicator.save(update_fields=["baseline_year", "baseline"])
        changed += 1
    existing = {t.department_id: t for t in UnitTarget.objects.filter(indicator=indicator)}
    for row in units:
        target = existing.get(row.department.pk)
        if target is None and row.baseline is None and row.baseline_year is None:
            continue
        target = target or UnitTarget(indicator=indicator, department=row.department)
        if target.pk is not None and (target.baseline_year, target.baseline) == (row.baseline_year, row.baseline):
            continue
        target.baseline_year, target.baseline, target.is_demo = row.baseline_year, row.baseline, False
        target._change_reason = reason.strip()
        target._history_user = user
        target.save()
        changed += 1
    if changed:
        verdicts.plans_changed(plan_ids=[indicator.plan_id], reason=_("录入基期值：%(n)s") % {"n": indicator.name})
    return changed
