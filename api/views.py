"""Read endpoints: units, plans with sections, indicators, tasks, periods (what any signed-in user sees on the
dashboards), and the figures and task progress the caller may see: its user's (indicators.access), and only its
unit's for a token made for one unit. Another unit's figure is a 404: we never confirm that it exists."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from api import filters, serializers
from api.authentication import caller
from indicators import access
from indicators.evaluation.selectors import assignment_list
from indicators.models import Indicator, IndicatorValue, TaskProgress, UnitTarget
from plans.models import Department, Plan, ReportingPeriod, Task, TaskAssignment


@extend_schema_view(list=extend_schema(summary="单位列表"), retrieve=extend_schema(summary="单位"))
class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Department.objects.all()
    serializer_class = serializers.UnitSerializer
    filterset_class = filters.UnitFilter


@extend_schema_view(
    list=extend_schema(summary="规划列表"),
    retrieve=extend_schema(
        summary="规划（含章节）",
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="规划代码")],
    ),
)
class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filterset_class = filters.PlanFilter

    def get_queryset(self) -> QuerySet[Plan]:
        qs = Plan.objects.select_related("issuer", "parent").prefetch_related("assessed_units")
        if self.action == "retrieve":
            qs = qs.prefetch_related("sections")
        return qs

    def get_serializer_class(self) -> type:
        return serializers.PlanDetailSerializer if self.action == "retrieve" else serializers.PlanSerializer


@extend_schema_view(
    list=extend_schema(summary="指标列表（基期、目标、年度目标、类型、比较方式、填报口径、分工）"),
    retrieve=extend_schema(summary="指标"),
)
class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.IndicatorSerializer
    filterset_class = filters.IndicatorFilter

    def get_queryset(self) -> QuerySet[Indicator]:
        return Indicator.objects.select_related("plan").prefetch_related(
            assignment_list(), Prefetch("milestones", to_attr="milestone_list")
        )

    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        if args and args[0] is not None:
            indicators = list(args[0]) if kwargs.get("many") else [args[0]]
            attach_split_targets(indicators)
        return super().get_serializer(*args, **kwargs)


class SplitTarget(NamedTuple):
    department_id: int
    baseline_year: int | None
    baseline: Decimal | None
    target: Decimal | None
    is_demo: bool


def attach_split_targets(indicators: list[Indicator]) -> None:
    """Each indicator's split targets (one a county for a per-unit indicator) as `unit_target_list`, read as plain
    rows in one query: as model instances they cost more than the rest of the page."""
    rows: dict[int, list[SplitTarget]] = defaultdict(list)
    fields = ("indicator_id", "department_id", "baseline_year", "baseline", "target", "is_demo")
    found = UnitTarget.objects.filter(indicator__in=[i.pk for i in indicators]).order_by("department_id")
    for indicator_id, *values in found.values_list(*fields):
        rows[indicator_id].append(SplitTarget(*values))
    for indicator in indicators:
        indicator.unit_target_list = rows.get(indicator.pk, [])  # type: ignore[attr-defined]  # read by the serializer


@extend_schema_view(
    list=extend_schema(summary="重点任务列表（牵头、责任、配合单位）"), retrieve=extend_schema(summary="重点任务")
)
class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.TaskSerializer
    filterset_class = filters.TaskFilter

    def get_queryset(self) -> QuerySet[Task]:
        assignments = TaskAssignment.objects.select_related("department", "group").order_by("role", "order")
        return Task.objects.select_related("plan").prefetch_related(
            Prefetch("assignments", queryset=assignments),
            Prefetch("indicators", queryset=Indicator.objects.only("pk")),  # listed by id only
        )


@extend_schema_view(list=extend_schema(summary="填报周期及其状态"), retrieve=extend_schema(summary="填报周期"))
class PeriodViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = ReportingPeriod.objects.all()
    serializer_class = serializers.PeriodSerializer
    filterset_class = filters.PeriodFilter


def figures_for(request: object) -> QuerySet[IndicatorValue]:
    who = caller(request)
    qs = access.values_visible_to(who.user)
    return qs.filter(department_id=who.unit_id) if who.unit_id is not None else qs


def progress_for(request: object) -> QuerySet[TaskProgress]:
    who = caller(request)
    qs = access.progress_visible_to(who.user)
    return qs.filter(department_id=who.unit_id) if who.unit_id is not None else qs
