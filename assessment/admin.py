"""Admin: schemes, their units and items are configured here by 组织部 (history kept by SimpleHistoryAdmin).

Self-assessments, reviews, claims, bulletins and notices are read-only here: they change only through the services,
which check states and permissions and write the change reasons the audit trail shows.
"""

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from assessment.models import (
    AssessmentItem,
    AssessmentScheme,
    BonusClaim,
    Bulletin,
    ItemScore,
    SchemeUnit,
    SupervisionNotice,
    UnitAssessment,
)


class SchemeUnitInline(admin.TabularInline):
    model = SchemeUnit
    fields = ["department", "group", "order"]
    autocomplete_fields = ["department"]
    extra = 0


class AssessmentItemInline(admin.TabularInline):
    model = AssessmentItem
    fields = ["order", "kind", "name", "points", "unit_points", "indicator", "task", "source"]
    raw_id_fields = ["indicator", "task"]
    extra = 0


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(SimpleHistoryAdmin):
    list_display = ["title", "plan", "period", "status", "bonus_cap", "is_demo"]
    list_filter = ["status", "is_demo", ("plan", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title"]
    list_select_related = ["plan", "period"]
    inlines = [SchemeUnitInline, AssessmentItemInline]
    fieldsets = [
        (None, {"fields": ["plan", "period", "title", "notes", "status", "compare_to", "is_demo"]}),
        (
            "计分规则",
            {
                "fields": [
                    "indicator_basis",
                    "indicator_floor",
                    "indicator_cap",
                    "lead_share",
                    "responsible_share",
                    "task_in_progress_ratio",
                    "task_delayed_ratio",
                    "task_not_started_ratio",
                    "bonus_cap",
                    "red_ratio",
                ]
            },
        ),
        ("督办", {"fields": ["escalation_periods", "notice_days"]}),
    ]


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


SCORE_COLUMNS = (
    "item",
    "self_score",
    "self_note",
    "reviewed_score",
    "review_note",
    "vetoed",
    "reviewed_by",
    "reviewed_at",
)


class ItemScoreInline(admin.TabularInline):
    model = ItemScore
    fields = SCORE_COLUMNS
    readonly_fields = SCORE_COLUMNS
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(UnitAssessment)
class UnitAssessmentAdmin(ReadOnlyAdmin):
    list_display = ["scheme", "department", "status", "final_score", "is_demo"]
    list_filter = ["status", "is_demo", ("scheme", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["scheme", "department"]
    inlines = [ItemScoreInline]


@admin.register(BonusClaim)
class BonusClaimAdmin(ReadOnlyAdmin):
    list_display = ["description", "item", "assessment", "quantity", "status", "approved_quantity", "is_demo"]
    list_filter = ["status", "is_demo"]
    list_select_related = ["item", "assessment__scheme", "assessment__department"]


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyAdmin):
    list_display = ["title", "scheme", "status", "published_at", "is_demo"]
    list_filter = ["status", "is_demo"]


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(ReadOnlyAdmin):
    list_display = ["department", "reason", "plan", "period", "deadline", "status", "is_demo"]
    list_filter = ["status", "reason", "is_demo"]
    list_select_related = ["department", "plan", "period"]
