"""Decomposing a plan target among units (指标分解) and linking a child plan's indicator to its parent plan's.

A split is each unit's own target (`UnitTarget.target`, with history): 组织部 sets it on the split page; whether the
split covers the whole is `engine.rollup.split_coverage` (counts add up, rates every unit must reach). A link
(`Indicator.contributes_to`) makes the child plan's indicator a contribution to the parent plan's: the parent's
indicator page lists each child's figure and their roll-up. Both writes keep history and say what they changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.evaluation import services as verdicts
from indicators.models import Indicator, UnitTarget
from plans.models import Department
from plans.roles import is_admin
from talentplan import pagecache


class SplitError(Exception):
    """A refused change; `errors` maps a field (or "unit-<id>") to a Chinese message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors


def split_units(indicator: Indicator) -> list[Department]:
    """The units a target is split among: the plan's assessed units, in order."""
    return list(indicator.plan.assessed_units.order_by("order", "name"))


@transaction.atomic
def split_target(*, user: User, indicator: Indicator, targets: Mapping[int, Decimal | None], reason: str) -> int:
    """Set each unit's share of the indicator's target (unit id → target; None clears it). Returns rows changed.

    Only 组织部 may; the indicator must be judged per unit and every unit one of the plan's assessed units. Nothing
    is written when anything is refused. The plan's verdicts are evaluated again (its targets changed)."""
    if not is_admin(user):
        raise SplitError({"__all__": _("只有组织部管理员可以分解指标。")})
    if not indicator.per_unit:
        raise SplitError({"__all__": _("“%(n)s”不按单位考核，不能分解到单位。") % {"n": indicator.name}})
    if not reason.strip():
        raise SplitError({"reason": _("请填写分解依据（如：区委组织部分解方案）。")})
    units = {u.pk: u for u in split_units(indicator)}
    errors = {
        f"unit-{u}": _("单位（编号%(u)s）不是本规划的考核对象，不能分配目标。") % {"u": u}
        for u in targets
        if u not in units
    }
    errors |= {
        f"unit-{u}": _("%(n)s的目标值不能为负数。") % {"n": units[u].name}
        for u, t in targets.items()
        if u in units and t is not None and t < 0
    }
    if errors:
        raise SplitError(errors)
    existing = {t.department_id: t for t in UnitTarget.objects.select_for_update().filter(indicator=indicator)}
    changed = 0
    for unit_id, value in targets.items():
        row = existing.get(unit_id)
        if (row.target if row is not None else None) == value:
            continue
        row = row or UnitTarget(indicator=indicator, department=units[unit_id])
        row.target, row.is_demo = value, False
        row._change_reason = reason.strip()[:100]
        row._history_user = user
        row.save()
        changed += 1
    if changed:
        verdicts.plans_changed(plan_ids=[indicator.plan_id], reason=_("指标分解：%(n)s") % {"n": indicator.name})
    return changed


@transaction.atomic
def link_indicator(*, user: User, indicator: Indicator, parent: Indicator | None, reason: str) -> bool:
    """Link a child plan's indicator to one of its parent plan's (None unlinks). Returns whether it changed.

    The parent must belong to the plan's parent plan (`Plan.parent`). Verdicts do not change (the link is read by
    the parent's indicator page), cached pages do."""
    if not is_admin(user):
        raise SplitError({"__all__": _("只有组织部管理员可以关联上级规划指标。")})
    plan = indicator.plan
    if parent is not None and (plan.parent_id is None or parent.plan_id != plan.parent_id):
        raise SplitError(
            {"parent": _("“%(p)s”不是“%(c)s”的上级规划中的指标，不能关联。") % {"p": parent.name, "c": plan.title}}
        )
    if indicator.contributes_to_id == (parent.pk if parent else None):
        return False
    indicator.contributes_to = parent
    indicator._change_reason = (reason.strip() or _("关联上级规划指标"))[:100]
    indicator._history_user = user
    indicator.save(update_fields=["contributes_to"])
    # The child's indicator page names the link, the parent's lists its contributions.
    pagecache.changed(plans=[pk for pk in (plan.pk, plan.parent_id) if pk is not None])
    return True
