"""What the API shows of units, plans, indicators, tasks, periods, figures and task progress (read side).

Decimals are strings without exponent or trailing zeros ("26.4", "400"), as `plan_report --json` prints them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators.formatting import dec_str
from indicators.models import Indicator, IndicatorValue, TaskProgress
from plans.models import Department, Plan, ReportingPeriod, Role, Section, Task

DECIMAL_SCHEMA = {"type": "string", "format": "decimal", "example": "26.4"}


@extend_schema_field(DECIMAL_SCHEMA)
class DecimalText(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Decimal) -> str | None:
        return dec_str(value)


@extend_schema_field(OpenApiTypes.STR)
class ChoiceLabel(serializers.Field):
    """A choice's label as `get_<field>_display()` gives it, read from the model field's choices (a bound method as
    the source makes DRF inspect its signature on every row)."""

    def __init__(self, field: str, **kwargs: Any) -> None:
        super().__init__(source=field, read_only=True, **kwargs)

    def bind(self, field_name: str, parent: Any) -> None:
        super().bind(field_name, parent)
        model = parent.Meta.model
        self.labels = dict(make_hashable(model._meta.get_field(self.source).flatchoices))

    def to_representation(self, value: Any) -> Any:
        return force_str(self.labels.get(make_hashable(value), value), strings_only=True)


class UnitSerializer(serializers.ModelSerializer):
    kind_label = ChoiceLabel("kind")

    class Meta:
        model = Department
        fields = [
            "id",
            "name",
            "short_name",
            "aliases",
            "kind",
            "kind_label",
            "parent",
            "category",
            "order",
            "is_active",
            "is_demo",
        ]


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Section
        fields = ["id", "key", "number", "title", "parent", "order"]


class PlanSerializer(serializers.ModelSerializer):
    issuer = serializers.PrimaryKeyRelatedField(read_only=True)
    issuer_name = serializers.CharField(source="issuer.name", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    kind_label = ChoiceLabel("kind")
    status_label = ChoiceLabel("status")
    assessed_units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    on_track_ratio = DecimalText()
    lagging_ratio = DecimalText()

    class Meta:
        model = Plan
        fields = [
            "id",
            "code",
            "title",
            "doc_number",
            "issuer",
            "issuer_name",
            "issuer_body",
            "issue_date",
            "start_year",
            "end_year",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "parent",
            "assessed_units",
            "on_track_ratio",
            "lagging_ratio",
            "notes",
            "updated_at",
        ]


class PlanDetailSerializer(PlanSerializer):
    sections = SectionSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "sections"]


class AssignmentSerializer(serializers.Serializer):
    """A unit (or a collective kept whole) named for an indicator or a task, as printed."""

    role = serializers.CharField()
    unit = serializers.IntegerField(source="department_id", allow_null=True)
    group = serializers.IntegerField(source="group_id", allow_null=True)
    name = serializers.CharField(source="display_name")
    order = serializers.IntegerField()


class MilestoneSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    value = DecimalText(allow_null=False)


class UnitTargetSerializer(serializers.Serializer):
    unit = serializers.IntegerField(source="department_id")
    baseline_year = serializers.IntegerField(allow_null=True)
    baseline = DecimalText()
    target = DecimalText()
    is_demo = serializers.BooleanField()


@extend_schema_field(UnitTargetSerializer(many=True))
class UnitTargetList(serializers.Field):
    """An indicator's split targets as UnitTargetSerializer prints them, without a serializer per row (a per-unit
    indicator has one a county)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: list[Any]) -> list[dict[str, Any]]:  # api.views.SplitTarget rows
        return [
            {
                "unit": t.department_id,
                "baseline_year": t.baseline_year,
                "baseline": dec_str(t.baseline),
                "target": dec_str(t.target),
                "is_demo": t.is_demo,
            }
            for t in value
        ]


def _names(items: list[Any], role: str) -> list[str]:
    return [a.display_name for a in items if a.role == role]


class IndicatorSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind_label = ChoiceLabel("kind")
    comparison_label = ChoiceLabel("comparison")
    basis = serializers.CharField(source="reporting_basis", read_only=True)
    basis_label = serializers.CharField(read_only=True)
    figure_unit = serializers.CharField(read_only=True)
    baseline = DecimalText()
    target = DecimalText()
    target_upper = DecimalText()
    tolerance = DecimalText()
    weight = DecimalText(allow_null=False)
    milestones = MilestoneSerializer(source="milestone_list", many=True, read_only=True)
    unit_targets = UnitTargetList(source="unit_target_list")
    assignments = AssignmentSerializer(source="assignment_list", many=True, read_only=True)
    lead = serializers.SerializerMethodField()
    responsible = serializers.SerializerMethodField()
    cooperating = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id",
            "plan",
            "section",
            "task",
            "group",
            "number",
            "name",
            "unit",
            "figure_unit",
            "kind",
            "kind_label",
            "comparison",
            "comparison_label",
            "basis",
            "basis_label",
            "baseline_year",
            "baseline",
            "target_year",
            "target",
            "target_upper",
            "tolerance",
            "due_date",
            "decimals",
            "is_share",
            "per_unit",
            "reporting_unit",
            "milestones",
            "unit_targets",
            "assignments",
            "lead",
            "responsible",
            "cooperating",
            "data_source",
            "source",
            "weight",
            "order",
        ]

    def get_lead(self, obj: Indicator) -> list[str]:
        return _names(obj.assignment_list, Role.LEAD)

    def get_responsible(self, obj: Indicator) -> list[str]:
        return _names(obj.assignment_list, Role.RESPONSIBLE)

    def get_cooperating(self, obj: Indicator) -> list[str]:
        return _names(obj.assignment_list, Role.COOPERATING)


class TaskSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    assignments = AssignmentSerializer(source="assignments.all", many=True, read_only=True)
    lead = serializers.SerializerMethodField()
    responsible = serializers.SerializerMethodField()
    cooperating = serializers.SerializerMethodField()
    indicators = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "plan",
            "section",
            "number",
            "text",
            "departments_text",
            "lead_inferred",
            "due_date",
            "assignments",
            "lead",
            "responsible",
            "cooperating",
            "indicators",
            "order",
        ]

    def get_lead(self, obj: Task) -> list[str]:
        return obj.names_for(Role.LEAD)

    def get_responsible(self, obj: Task) -> list[str]:
        return obj.names_for(Role.RESPONSIBLE)

    def get_cooperating(self, obj: Task) -> list[str]:
        return obj.names_for(Role.COOPERATING)


class PeriodSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    kind_label = ChoiceLabel("kind")
    state_label = ChoiceLabel("state")

    class Meta:
        model = ReportingPeriod
        fields = [
            "id",
            "code",
            "label",
            "kind",
            "kind_label",
            "year",
            "index",
            "start",
            "end",
            "deadline",
            "state",
            "state_label",
        ]


class FigureSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="indicator.plan.code", read_only=True)
    unit = serializers.IntegerField(source="department_id", read_only=True)
    period = serializers.CharField(source="period.code", read_only=True)
    value = DecimalText()
    basis_label = ChoiceLabel("basis")
    status_label = ChoiceLabel("status")

    class Meta:
        model = IndicatorValue
        fields = [
            "id",
            "plan",
            "indicator",
            "unit",
            "period",
            "value",
            "basis",
            "basis_label",
            "note",
            "status",
            "status_label",
            "return_reason",
            "is_demo",
            "version",
            "updated_at",
            "submitted_at",
            "reviewed_at",
        ]


class TaskProgressSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="task.plan.code", read_only=True)
    unit = serializers.IntegerField(source="department_id", read_only=True)
    period = serializers.CharField(source="period.code", read_only=True)
    progress_status_label = ChoiceLabel("progress_status")
    status_label = ChoiceLabel("status")

    class Meta:
        model = TaskProgress
        fields = [
            "id",
            "plan",
            "task",
            "unit",
            "period",
            "progress_status",
            "progress_status_label",
            "progress",
            "problems",
            "next_steps",
            "status",
            "status_label",
            "return_reason",
            "is_demo",
            "version",
            "updated_at",
            "submitted_at",
            "reviewed_at",
        ]
