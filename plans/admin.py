from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from indicators.evaluation import services as verdicts
from indicators.models import Indicator
from plans.models import Department, Membership, Plan, ReportingPeriod, Section, Task, TaskAssignment, UnitGroup
from plans.resources import DepartmentResource, TaskResource


@admin.register(Department)
class DepartmentAdmin(ImportExportModelAdmin):
    resource_classes = [DepartmentResource]
    list_display = ["name", "short_name", "parent", "kind", "category", "order", "is_active", "is_demo"]
    list_filter = ["kind", "is_active", "is_demo", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "short_name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(UnitGroup)
class UnitGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "root"]
    list_filter = [("root", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    filter_horizontal = ["members"]


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["key", "number", "title", "parent", "order"]
    extra = 0
    show_change_link = True


class TaskInline(admin.TabularInline):
    model = Task
    fields = ["number", "text", "departments_text", "lead_inferred", "due_date", "order"]
    extra = 0
    show_change_link = True


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ["group", "number", "name", "unit", "kind", "comparison", "baseline", "target", "target_year"]
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "doc_number", "issuer", "start_year", "end_year", "kind", "status"]
    list_filter = ["kind", "status", ("issuer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "title", "doc_number"]
    inlines = [SectionInline, IndicatorInline, TaskInline]
    filter_horizontal = ["assessed_units"]
    readonly_fields = ["created_at", "updated_at"]

    # Years, thresholds, assessed units and the inline indicators decide every verdict of the plan.
    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        verdicts.plans_changed(plan_ids=[form.instance.pk], reason=str(_("后台修改规划")))


class TaskAssignmentInline(admin.TabularInline):
    model = TaskAssignment
    fields = ["role", "printed_role", "department", "group", "printed_name", "order"]
    autocomplete_fields = ["department"]
    extra = 0


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin, ImportExportModelAdmin):
    resource_classes = [TaskResource]
    list_display = ["plan", "number", "short_text", "lead_inferred", "due_date"]
    list_filter = ["plan", "lead_inferred"]
    search_fields = ["text", "number", "departments_text"]
    inlines = [TaskAssignmentInline]
    filter_horizontal = ["indicators"]

    @admin.display(description=_("任务内容"))
    def short_text(self, obj: Task) -> str:
        return obj.text[:60]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(SimpleHistoryAdmin):
    list_display = ["code", "kind", "year", "index", "start", "end", "deadline", "state"]
    list_filter = ["kind", "state", "year"]
    search_fields = ["code"]
    readonly_fields = ["code", "start", "end"]

    def save_model(self, request: HttpRequest, obj: ReportingPeriod, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # A new period is a new evaluation date; open or closed decides provisional and final verdicts.
        verdicts.calendar_changed(period=obj, reason=str(_("后台修改填报周期%(p)s") % {"p": obj.code}))


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "department"]
    search_fields = ["user__username", "department__name"]
    autocomplete_fields = ["department"]
