from django.contrib import admin
from import_export import fields, resources
from import_export.admin import ImportExportModelAdmin
from import_export.widgets import ForeignKeyWidget
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import (
    Evidence, Indicator, IndicatorAssignment, IndicatorValue, Milestone, TaskProgress, UnitTarget,
)
from plans.models import Plan


class IndicatorResource(resources.ModelResource):
    plan = fields.Field(attribute="plan", column_name="规划代码", widget=ForeignKeyWidget(Plan, "code"))
    group = fields.Field(attribute="group", column_name="一级指标")
    number = fields.Field(attribute="number", column_name="序号")
    name = fields.Field(attribute="name", column_name="指标名称")
    unit = fields.Field(attribute="unit", column_name="单位")
    baseline = fields.Field(attribute="baseline", column_name="基期值")
    target = fields.Field(attribute="target", column_name="目标值")

    class Meta:
        model = Indicator
        fields = ["id", "plan", "group", "number", "name", "unit", "kind", "comparison", "baseline_year", "baseline",
                  "target_year", "target", "target_upper"]
        import_id_fields = ["id"]


class AssignmentInline(admin.TabularInline):
    model = IndicatorAssignment
    fields = ["role", "department", "group", "printed_name", "order"]
    autocomplete_fields = ["department"]
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class UnitTargetInline(admin.TabularInline):
    model = UnitTarget
    fields = ["department", "baseline_year", "baseline", "target", "is_demo"]
    autocomplete_fields = ["department"]
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin, ImportExportModelAdmin):
    resource_classes = [IndicatorResource]
    list_display = ["plan", "group", "number", "name", "unit", "kind", "comparison", "baseline", "target", "target_year"]
    list_filter = ["plan", "kind", "comparison", "is_share", "per_unit"]
    search_fields = ["name", "group", "source"]
    inlines = [AssignmentInline, MilestoneInline, UnitTargetInline]
    autocomplete_fields = ["reporting_unit"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fields = ["file", "original_name", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = ["original_name", "size", "uploaded_by", "uploaded_at"]
    extra = 0


@admin.register(IndicatorValue)
class IndicatorValueAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "period", "department", "value", "basis", "status", "is_demo", "updated_at"]
    list_filter = ["status", "basis", "is_demo", "period", ("department", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["indicator__name", "department__name", "note"]
    list_select_related = ["indicator", "period", "department"]
    readonly_fields = ["version", "updated_at", "submitted_at", "reviewed_at"]
    inlines = [EvidenceInline]


@admin.register(TaskProgress)
class TaskProgressAdmin(SimpleHistoryAdmin):
    list_display = ["task", "period", "department", "progress_status", "status", "is_demo", "updated_at"]
    list_filter = ["status", "progress_status", "is_demo", "period"]
    search_fields = ["task__text", "department__name", "progress"]
    list_select_related = ["task", "period", "department"]
    readonly_fields = ["version", "updated_at", "submitted_at", "reviewed_at"]
    inlines = [EvidenceInline]
