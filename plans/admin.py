"""The admin site for units, groups, tasks and memberships. Plans and reporting periods are registered by
`indicators.admin_plans`: saving them changes verdicts, which this room knows nothing of."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from plans.models import Department, Membership, Section, SectionAssignment, Task, TaskAssignment, UnitGroup
from plans.resources import DepartmentResource, TaskResource
from talentplan.pagecache import ChangesPages


@admin.register(Department)
class DepartmentAdmin(ChangesPages, ImportExportModelAdmin):
    resource_classes = [DepartmentResource]
    list_display = ["name", "short_name", "parent", "kind", "category", "order", "is_active", "is_demo"]
    list_filter = ["kind", "is_active", "is_demo", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "short_name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(UnitGroup)
class UnitGroupAdmin(ChangesPages, admin.ModelAdmin):
    list_display = ["name", "root"]
    list_filter = [("root", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    filter_horizontal = ["members"]


class SectionInline(admin.TabularInline):
    model = Section
    fields = ["key", "number", "title", "parent", "order"]
    extra = 0
    show_change_link = True


class SectionAssignmentInline(admin.TabularInline):
    model = SectionAssignment
    fields = ["role", "department", "group", "printed_name", "order"]
    autocomplete_fields = ["department"]
    extra = 0


@admin.register(Section)
class SectionAdmin(ChangesPages, admin.ModelAdmin):
    """A section's units: its indicators and tasks that name no lead unit of their own are shown with its lead."""

    list_display = ["plan", "key", "number", "title"]
    list_filter = ["plan"]
    search_fields = ["title", "number", "key"]
    list_select_related = ["plan"]
    fields = ["plan", "parent", "key", "number", "title", "order"]
    raw_id_fields = ["parent"]
    inlines = [SectionAssignmentInline]


class TaskInline(admin.TabularInline):
    model = Task
    fields = ["number", "text", "departments_text", "lead_inferred", "due_date", "order"]
    extra = 0
    show_change_link = True


class TaskAssignmentInline(admin.TabularInline):
    model = TaskAssignment
    fields = ["role", "printed_role", "department", "group", "printed_name", "order"]
    autocomplete_fields = ["department"]
    extra = 0


@admin.register(Task)
class TaskAdmin(ChangesPages, SimpleHistoryAdmin, ImportExportModelAdmin):
    resource_classes = [TaskResource]
    list_display = ["plan", "number", "short_text", "lead_inferred", "due_date"]
    list_filter = ["plan", "lead_inferred"]
    search_fields = ["text", "number", "departments_text"]
    inlines = [TaskAssignmentInline]

    @admin.display(description=_("任务内容"))
    def short_text(self, obj: Task) -> str:
        return obj.text[:60]


@admin.register(Membership)
class MembershipAdmin(ChangesPages, admin.ModelAdmin):
    list_display = ["user", "department"]
    search_fields = ["user__username", "department__name"]
    autocomplete_fields = ["department"]
