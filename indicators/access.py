"""Who may see and change what. One helper per object type; views, forms, exports and imports all come here.

Rules (also registered with django-rules in `indicators/rules.py` for templates and the admin):
- 组织部管理员 reads everything, reviews (approve / return), manages periods. 领导 reads everything, changes nothing.
- 填报员 reads and writes only items of the units they belong to (Membership):
  * a plan-level indicator is entered by its reporting unit: `Indicator.reporting_unit`, else its first lead
    department, else the plan's issuer; its lead and responsible units may read it;
  * a per-unit indicator (`per_unit`) is entered by each of the plan's assessed units for itself;
  * a task's progress is entered by each lead and responsible department for itself.
Anything else is a 404 — we do not confirm that another unit's item exists.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import models as auth
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from indicators.models import Indicator, IndicatorAssignment, IndicatorValue, TaskProgress
from plans.models import Department, Membership, Plan, Role, Task, TaskAssignment
from plans.roles import can_read_all, is_admin, is_reporter

User = auth.User | AnonymousUser


def unit_ids(user: User) -> frozenset[int]:
    """Units the user belongs to (cached on the user object for the request)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_unit_ids", None)
    if cached is None:
        cached = frozenset(Membership.objects.filter(user=user).values_list("department_id", flat=True))
        user._unit_ids = cached  # type: ignore[attr-defined]  # a cache for the request, kept on its user object
    return cached


def user_units(user: User) -> QuerySet[Department]:
    return Department.objects.filter(pk__in=unit_ids(user)).order_by("order", "name")


def reporting_unit_id(indicator: Indicator, plan: Plan | None = None) -> int:
    """The unit that enters a plan-level indicator's figure (uses prefetched assignments when present)."""
    if indicator.reporting_unit_id:
        return indicator.reporting_unit_id
    leads = [a for a in indicator.assignment_list if a.role == Role.LEAD and a.department_id]
    if leads:
        lead = min(leads, key=lambda a: a.order).department_id
        if lead is not None:  # leads have a department (filtered above)
            return lead
    return (plan or indicator.plan).issuer_id


def entry_units_for_indicator(indicator: Indicator) -> set[int]:
    """Units allowed to enter figures for this indicator: none for a formula (it is computed from its parts); for a
    per-unit indicator that rolls up, the plan's issuer too (its own figure stands beside the roll-up)."""
    if indicator.formula:
        return set()
    if indicator.per_unit:
        # .all() uses a prefetch (plan__assessed_units) when the caller made one: bulk imports check 10k rows.
        units = {unit.pk for unit in indicator.plan.assessed_units.all()}
        return units | {indicator.plan.issuer_id} if indicator.rollup != "none" else units
    return {reporting_unit_id(indicator)}


# --- indicators -----------------------------------------------------------------------------------------------


def indicators_visible_to(user: User) -> QuerySet[Indicator]:
    if can_read_all(user):
        return Indicator.objects.all()
    units = unit_ids(user)
    if not units:
        return Indicator.objects.none()
    assigned = IndicatorAssignment.objects.filter(indicator=OuterRef("pk"), department_id__in=units)
    return Indicator.objects.filter(
        Q(Exists(assigned))
        | Q(reporting_unit_id__in=units)
        | Q(per_unit=True, plan__assessed_units__in=units)
        | Q(reporting_unit__isnull=True, plan__issuer_id__in=units)
    ).distinct()


def entry_units_map(indicator_ids: Iterable[int]) -> dict[int, set[int]]:
    """`entry_units_for_indicator` for many indicators in three queries (bulk imports check thousands of rows)."""
    ids = set(indicator_ids)
    rows = list(
        Indicator.objects.filter(pk__in=ids).values_list(
            "pk", "per_unit", "reporting_unit_id", "plan_id", "plan__issuer_id", "formula", "rollup"
        )
    )
    leads: dict[int, tuple[int, int]] = {}
    for indicator_id, department_id, order in IndicatorAssignment.objects.filter(
        indicator_id__in=ids, role=Role.LEAD, department__isnull=False
    ).values_list("indicator_id", "department_id", "order"):
        if indicator_id not in leads or order < leads[indicator_id][0]:
            leads[indicator_id] = (order, department_id)
    per_unit_plans = {plan_id for _, per_unit, _, plan_id, *_rest in rows if per_unit}
    assessed: dict[int, set[int]] = {plan_id: set() for plan_id in per_unit_plans}
    for plan_id, department_id in Plan.assessed_units.through.objects.filter(plan_id__in=per_unit_plans).values_list(
        "plan_id", "department_id"
    ):
        assessed[plan_id].add(department_id)
    result: dict[int, set[int]] = {}
    for pk, per_unit, reporting_unit, plan_id, issuer_id, formula, rollup in rows:
        if formula:
            result[pk] = set()
        elif per_unit:
            result[pk] = assessed[plan_id] | ({issuer_id} if rollup != "none" else set())
        else:
            result[pk] = {reporting_unit or (leads[pk][1] if pk in leads else issuer_id)}
    return result


def can_enter_indicator(
    user: User, indicator: Indicator, department: Department, *, entry_units: set[int] | None = None
) -> bool:
    """`entry_units` lets a bulk caller pass what `entry_units_map` computed for this indicator."""
    if not is_reporter(user) or department.pk not in unit_ids(user):
        return False
    allowed = entry_units if entry_units is not None else entry_units_for_indicator(indicator)
    return department.pk in allowed


# --- values ---------------------------------------------------------------------------------------------------


def values_visible_to(user: User) -> QuerySet[IndicatorValue]:
    if can_read_all(user):
        return IndicatorValue.objects.all()
    return IndicatorValue.objects.filter(department_id__in=unit_ids(user))


def get_value_for_user(user: User, pk: int, *, for_edit: bool = False) -> IndicatorValue:
    """The value if the user may see it (or edit it, with for_edit); otherwise 404."""
    value = values_visible_to(user).select_related("indicator__plan", "period", "department").filter(pk=pk).first()
    if value is None:
        raise Http404(_("未找到该填报项，或您无权访问。"))
    if for_edit and not can_enter_indicator(user, value.indicator, value.department):
        raise Http404(_("未找到该填报项，或您无权访问。"))
    return value


# --- tasks ----------------------------------------------------------------------------------------------------


def task_units(task: Task) -> set[int]:
    return {
        a.department_id for a in task.assignments.all() if a.department_id and a.role in (Role.LEAD, Role.RESPONSIBLE)
    }


def tasks_visible_to(user: User) -> QuerySet[Task]:
    if can_read_all(user):
        return Task.objects.all()
    assigned = TaskAssignment.objects.filter(task=OuterRef("pk"), department_id__in=unit_ids(user))
    return Task.objects.filter(Exists(assigned))


def can_enter_task(user: User, task: Task, department: Department) -> bool:
    if not is_reporter(user) or department.pk not in unit_ids(user):
        return False
    return TaskAssignment.objects.filter(
        task=task, department=department, role__in=(Role.LEAD, Role.RESPONSIBLE)
    ).exists()


def progress_visible_to(user: User) -> QuerySet[TaskProgress]:
    if can_read_all(user):
        return TaskProgress.objects.all()
    return TaskProgress.objects.filter(department_id__in=unit_ids(user))


def get_progress_for_user(user: User, pk: int, *, for_edit: bool = False) -> TaskProgress:
    progress = progress_visible_to(user).select_related("task__plan", "period", "department").filter(pk=pk).first()
    if progress is None or (for_edit and not can_enter_task(user, progress.task, progress.department)):
        raise Http404(_("未找到该填报项，或您无权访问。"))
    return progress


# --- review and periods ---------------------------------------------------------------------------------------


def can_review(user: User) -> bool:
    return is_admin(user)


def can_manage_periods(user: User) -> bool:
    return is_admin(user)


def get_department_for_user(user: User, pk: int) -> Department:
    """A unit the user may act for (reporters: their own units; admins: any)."""
    qs = Department.objects.all() if is_admin(user) else user_units(user)
    department = qs.filter(pk=pk).first()
    if department is None:
        raise Http404(_("未找到该单位，或您无权访问。"))
    return department


def get_department_to_view(user: User, pk: int) -> Department:
    """A unit whose reporting page the user may read: admins and leaders any (read everything), reporters their own."""
    qs = Department.objects.all() if can_read_all(user) else user_units(user)
    department = qs.filter(pk=pk).first()
    if department is None:
        raise Http404(_("未找到该单位，或您无权访问。"))
    return department
