from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ImportExportModelAdmin
from import_export.widgets import ForeignKeyWidget
from simple_history.admin import SimpleHistoryAdmin

from indicators import admin_plans  # noqa: F401 - registers Plan and ReportingPeriod
from indicators.evaluation import services as verdicts
from indicators.models import (
    Evidence,
    Indicator,
    IndicatorAssignment,
    IndicatorValue,
    Milestone,
    TaskProgress,
    UnitTarget,
)
from plans.models import Plan
from talentplan.pagecache import ChangesPages


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
        fields = [
            "id",
            "plan",
            "group",
            "number",
            "name",
            "unit",
            "kind",
            "comparison",
            "baseline_year",
            "baseline",
            "target_year",
            "target",
            "target_upper",
        ]
        import_id_fields = ["id"]

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        """Imported targets change the verdicts of every plan they touch."""
        super().after_import(dataset, result, **kwargs)
        if not kwargs.get("dry_run"):
            codes = {row.get("规划代码") for row in dataset.dict if row.get("规划代码")}
            plan_ids = list(Plan.objects.filter(code__in=codes).values_list("pk", flat=True))
            verdicts.plans_changed(plan_ids=plan_ids, reason=str(_("后台导入指标")))


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
class IndicatorAdmin(ChangesPages, SimpleHistoryAdmin, ImportExportModelAdmin):
    resource_classes = [IndicatorResource]
    list_display = [
        "plan",
        "group",
        "number",
        "name",
        "unit",
        "kind",
        "comparison",
        "baseline",
        "target",
        "target_year",
    ]
    list_filter = ["plan", "kind", "comparison", "is_share", "per_unit"]
    search_fields = ["name", "group", "source"]
    inlines = [AssignmentInline, MilestoneInline, UnitTargetInline]
    # Formula parts, the total a part belongs to and the parent plan's indicator: thousands of indicators at province.
    autocomplete_fields = ["reporting_unit", "numerator", "denominator", "part_of", "contributes_to"]

    # Targets, baselines, milestones and unit targets decide every verdict of the indicator's plan.
    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        verdicts.plans_changed(
            plan_ids=[form.instance.plan_id], reason=str(_("后台修改指标：%(n)s") % {"n": form.instance.name})
        )

    def delete_model(self, request: HttpRequest, obj: Indicator) -> None:
        plan_id = obj.plan_id
        super().delete_model(request, obj)
        verdicts.plans_changed(plan_ids=[plan_id], reason=str(_("后台删除指标")))

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        plan_ids = set(queryset.values_list("plan_id", flat=True))
        super().delete_queryset(request, queryset)
        verdicts.plans_changed(plan_ids=plan_ids, reason=str(_("后台删除指标")))


class FiguresReadOnly:
    """Figures and progress reports are written only through the reporting services (period state, review status,
    version, history): in the admin they are shown read-only, with a link to the page that edits them properly.
    Revert from history is off for the same reason."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_history_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        if request.method == "POST":
            raise PermissionDenied(_("实际值和任务进展不能在数据管理中修改或回退，请在填报、审核页面办理。"))
        return super().history_form_view(request, object_id, version_id, extra_context)  # type: ignore[misc]  # a mixin: the admin class it is mixed into has it


class EvidenceInline(FiguresReadOnly, admin.TabularInline):
    model = Evidence
    fields = ["file", "original_name", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = ["file", "original_name", "size", "uploaded_by", "uploaded_at"]
    extra = 0


class EstimatedCountPaginator(Paginator):
    """Counts an unfiltered province-sized table from the planner's estimate, not with COUNT(*) over every row."""

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if connection.vendor == "postgresql" and isinstance(rows, QuerySet) and not rows.query.where:
            with connection.cursor() as cursor:
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [rows.model._meta.db_table])
                row = cursor.fetchone()
            if row and row[0] > 10000:
                return int(row[0])
        return super().count


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ChangesPages, FiguresReadOnly, SimpleHistoryAdmin):
    list_display = [
        "indicator",
        "period",
        "department",
        "value",
        "basis",
        "status",
        "is_demo",
        "updated_at",
        "proper_page",
    ]
    # Plain filters: "units that have figures" would scan every figure to list the units.
    list_filter = ["status", "basis", "is_demo", "period"]
    search_fields = ["indicator__name", "department__name", "note"]
    list_select_related = ["indicator", "period", "department"]
    ordering = ["-id"]  # the model's order joins periods to sort a province's figures
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    readonly_fields = ["proper_page", "version", "updated_at", "submitted_at", "reviewed_at"]
    inlines = [EvidenceInline]

    @admin.display(description=_("办理页面"))
    def proper_page(self, obj: IndicatorValue) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("reporting:value", args=[obj.pk]),
            _("在填报/审核页面查看和办理（修改须经周期状态、版本和变更记录）"),
        )


@admin.register(TaskProgress)
class TaskProgressAdmin(ChangesPages, FiguresReadOnly, SimpleHistoryAdmin):
    list_display = ["task", "period", "department", "progress_status", "status", "is_demo", "updated_at", "proper_page"]
    list_filter = ["status", "progress_status", "is_demo", "period"]
    search_fields = ["task__text", "department__name", "progress"]
    list_select_related = ["task", "period", "department"]
    ordering = ["-id"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    readonly_fields = ["proper_page", "version", "updated_at", "submitted_at", "reviewed_at"]
    inlines = [EvidenceInline]

    @admin.display(description=_("办理页面"))
    def proper_page(self, obj: TaskProgress) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("reporting:progress", args=[obj.pk]),
            _("在填报/审核页面查看和办理（修改须经周期状态、版本和变更记录）"),
        )
