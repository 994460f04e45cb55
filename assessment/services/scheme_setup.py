"""Schemes and their items, written by 组织部."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from assessment.models import AssessmentItem, AssessmentScheme, DeductionSource, SchemeUnit
from assessment.services.audit import require_manager, save_audited
from indicators.models import Indicator
from indicators.services import ServiceError
from plans.models import Department, Plan, ReportingPeriod, Task


@transaction.atomic
def create_scheme(
    *,
    user: User,
    plan: Plan,
    period: ReportingPeriod,
    title: str,
    units: Iterable[Department] | None = None,
    is_demo: bool = False,
    **rules: object,
) -> AssessmentScheme:
    """A draft scheme for a plan and a year or half-year; units default to the plan's assessed units, grouped by
    their 考核类别. `rules` are the scheme's scoring settings (indicator_floor, lead_share, bonus_cap, ...)."""
    require_manager(user)
    if period.kind not in (ReportingPeriod.Kind.YEAR, ReportingPeriod.Kind.HALF):
        raise ServiceError({"period": _("考核周期应为年度或半年，%(p)s 不是。") % {"p": period.label}})
    if AssessmentScheme.objects.filter(plan=plan, period=period).exists():
        raise ServiceError({"period": _("%(plan)s 已有 %(p)s 的考核方案。") % {"plan": plan.title, "p": period.label}})
    allowed = {f.name for f in AssessmentScheme._meta.get_fields()} - {
        "id",
        "plan",
        "period",
        "title",
        "status",
        "is_demo",
    }
    unknown = set(rules) - allowed
    if unknown:
        raise ServiceError(_("未知的方案设置：%(k)s。") % {"k": "、".join(sorted(unknown))})
    scheme = AssessmentScheme(plan=plan, period=period, title=title.strip(), is_demo=is_demo, **rules)
    scheme.full_clean()
    save_audited(scheme, user, _("新建考核方案"))
    chosen = list(units) if units is not None else list(plan.assessed_units.order_by("order", "name"))
    for order, department in enumerate(chosen, start=1):
        unit = SchemeUnit(scheme=scheme, department=department, group=department.category, order=order)
        save_audited(unit, user, _("新建考核方案"))
    return scheme


def set_scheme_status(*, user: User, scheme: AssessmentScheme, status: str, reason: str = "") -> AssessmentScheme:
    require_manager(user)
    if status not in AssessmentScheme.Status.values:
        raise ServiceError(_("未知的方案状态。"))
    if scheme.status == AssessmentScheme.Status.CLOSED and status != scheme.status and not reason.strip():
        raise ServiceError({"reason": _("重新开放已结束的考核方案必须填写原因。")})
    if status == AssessmentScheme.Status.ACTIVE and not scheme.items.exists():
        raise ServiceError(_("方案尚无考核项，不能启动自评。"))
    scheme.status = status
    save_audited(scheme, user, reason.strip() or _("方案状态改为“%(s)s”") % {"s": scheme.get_status_display()})
    return scheme


def add_item(
    *,
    user: User,
    scheme: AssessmentScheme,
    kind: str,
    name: str,
    points: Decimal = Decimal("0"),
    indicator: Indicator | None = None,
    task: Task | None = None,
    unit_points: Decimal | None = None,
    source: str = "",
    description: str = "",
    order: int | None = None,
) -> AssessmentItem:
    require_manager(user)
    if scheme.status == AssessmentScheme.Status.CLOSED:
        raise ServiceError(_("考核方案已结束，不能再增加考核项。"))
    errors: dict[str, str] = {}
    if kind == AssessmentItem.Kind.INDICATOR and (indicator is None or indicator.plan_id != scheme.plan_id):
        errors["indicator"] = _("指标项须选择本规划的指标。")
    if kind == AssessmentItem.Kind.TASK and (task is None or task.plan_id != scheme.plan_id):
        errors["task"] = _("任务项须选择本规划的任务。")
    if kind in (AssessmentItem.Kind.BONUS, AssessmentItem.Kind.DEDUCTION) and not unit_points:
        errors["unit_points"] = _("加分项、扣分项须填写每人/每次分值。")
    if kind == AssessmentItem.Kind.DEDUCTION and source not in DeductionSource.values:
        errors["source"] = _("扣分项须选择扣分依据。")
    if kind != AssessmentItem.Kind.VETO and points <= 0:
        errors["points"] = _("分值应大于0。")
    if errors:
        raise ServiceError(errors)
    item = AssessmentItem(
        scheme=scheme,
        kind=kind,
        name=name.strip(),
        points=points,
        indicator=indicator,
        task=task,
        unit_points=unit_points,
        source=source if kind == AssessmentItem.Kind.DEDUCTION else "",
        description=description,
        order=order if order is not None else scheme.items.count() + 1,
    )
    save_audited(item, user, _("新增考核项"))
    return item


# --- a unit's assessment --------------------------------------------------------------------------------------
