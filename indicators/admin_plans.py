"""Plans and reporting periods in the admin site, registered here because saving them changes verdicts: a plan's
years, thresholds, assessed units and inline indicators decide all of its verdicts, and a period is an evaluation date
whose state decides provisional and final verdicts."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from indicators.evaluation import services as verdicts
from indicators.models import Indicator
from plans.admin import SectionInline, TaskInline
from plans.models import Plan, ReportingPeriod
from talentplan.pagecache import ChangesPages


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ["group", "number", "name", "unit", "kind", "comparison", "baseline", "target", "target_year"]
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(ChangesPages, SimpleHistoryAdmin):
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


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ChangesPages, SimpleHistoryAdmin):
    list_display = ["code", "kind", "year", "index", "start", "end", "deadline", "state"]
    list_filter = ["kind", "state", "year"]
    search_fields = ["code"]
    readonly_fields = ["code", "start", "end"]

    def save_model(self, request: HttpRequest, obj: ReportingPeriod, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # A new period is a new evaluation date; open or closed decides provisional and final verdicts.
        verdicts.calendar_changed(period=obj, reason=str(_("后台修改填报周期%(p)s") % {"p": obj.code}))
