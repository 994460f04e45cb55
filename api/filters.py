"""Query filters (django-filter): plan by code, unit by id, period by code (2025Q4), `updated_since`."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator, IndicatorValue, ReviewStatus, TaskProgress
from plans.models import Department, Plan, ReportingPeriod, Task


def canonical_period_code(raw: str) -> str:
    """2025q4 → 2025Q4; a code that names no period is refused with the form's message."""
    kind, year, index = ReportingPeriod.parse_code(raw)
    return ReportingPeriod.bounds(kind, year, index)[2]


class PeriodCodeField(forms.CharField):
    def clean(self, value: Any) -> str | None:
        value = super().clean(value)
        if not value:
            return None
        try:
            return canonical_period_code(value)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


class PeriodCodeFilter(filters.CharFilter):
    field_class = PeriodCodeField


PLAN_HELP = _("规划代码，如 wuxing-14th")
UNIT_HELP = _("单位 id")
PERIOD_HELP = _("周期代码，如 2025Q4、2025M03、2025H1、2025Y")
SINCE_HELP = _("只返回该时间（ISO 8601，含该时刻）之后修改的记录，用于增量同步")


class UnitFilter(filters.FilterSet):
    parent = filters.NumberFilter(field_name="parent_id", help_text=_("上级单位 id"))

    class Meta:
        model = Department
        fields = ["parent", "kind", "is_active"]


class PlanFilter(filters.FilterSet):
    issuer = filters.NumberFilter(field_name="issuer_id", help_text=_("制定单位 id"))

    class Meta:
        model = Plan
        fields = ["issuer", "kind", "status"]


class IndicatorFilter(filters.FilterSet):
    plan = filters.CharFilter(field_name="plan__code", help_text=PLAN_HELP)
    section = filters.NumberFilter(field_name="section_id", help_text=_("章节 id"))

    class Meta:
        model = Indicator
        fields = ["plan", "section", "kind", "per_unit"]


class TaskFilter(filters.FilterSet):
    plan = filters.CharFilter(field_name="plan__code", help_text=PLAN_HELP)
    unit = filters.NumberFilter(
        field_name="assignments__department_id", distinct=True, help_text=_("牵头、责任或配合单位 id")
    )

    class Meta:
        model = Task
        fields = ["plan", "unit"]


class PeriodFilter(filters.FilterSet):
    class Meta:
        model = ReportingPeriod
        fields = ["kind", "state", "year"]


class FigureFilter(filters.FilterSet):
    plan = filters.CharFilter(field_name="indicator__plan__code", help_text=PLAN_HELP)
    unit = filters.NumberFilter(field_name="department_id", help_text=UNIT_HELP)
    period = PeriodCodeFilter(field_name="period__code", help_text=PERIOD_HELP)
    indicator = filters.NumberFilter(field_name="indicator_id", help_text=_("指标 id"))
    status = filters.ChoiceFilter(choices=ReviewStatus.choices, help_text=_("审核状态"))
    updated_since = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte", help_text=SINCE_HELP)

    class Meta:
        model = IndicatorValue
        fields = ["plan", "unit", "period", "indicator", "basis", "status", "updated_since"]


class TaskProgressFilter(filters.FilterSet):
    plan = filters.CharFilter(field_name="task__plan__code", help_text=PLAN_HELP)
    unit = filters.NumberFilter(field_name="department_id", help_text=UNIT_HELP)
    period = PeriodCodeFilter(field_name="period__code", help_text=PERIOD_HELP)
    task = filters.NumberFilter(field_name="task_id", help_text=_("任务 id"))
    status = filters.ChoiceFilter(choices=ReviewStatus.choices, help_text=_("审核状态"))
    updated_since = filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte", help_text=SINCE_HELP)

    class Meta:
        model = TaskProgress
        fields = ["plan", "unit", "period", "task", "status", "updated_since"]
