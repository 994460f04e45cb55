"""Verdicts per indicator, unit and period, and published assessment results (考核通报)."""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers as drf
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from api import verdicts
from api.authentication import caller
from api.filters import PERIOD_HELP, PLAN_HELP, PeriodCodeFilter
from assessment.access import schemes_visible_to
from assessment.models import Bulletin
from indicators import engine

VERDICT_STATUSES = [s.value for s in engine.Status]


class VerdictSerializer(drf.Serializer):
    """Documentation of one verdict row (the view returns plain dicts built by api.verdicts)."""

    plan = drf.CharField()
    period = drf.CharField(allow_null=True)
    indicator = drf.IntegerField()
    number = drf.CharField()
    name = drf.CharField()
    unit = drf.IntegerField(allow_null=True, help_text="单位 id；为空表示指标整体")
    unit_name = drf.CharField(allow_null=True)
    per_unit = drf.BooleanField()
    status = drf.ChoiceField(choices=VERDICT_STATUSES)
    status_label = drf.CharField()
    target_judged = drf.CharField(allow_null=True)
    actual = drf.CharField(allow_null=True)
    actual_period = drf.CharField(allow_null=True)
    stale = drf.BooleanField()
    figure_basis = drf.CharField(allow_null=True)
    provisional = drf.BooleanField()
    final = drf.BooleanField()
    completion = drf.CharField(allow_null=True)
    expected = drf.CharField(allow_null=True)
    expected_progress = drf.CharField(allow_null=True)
    progress = drf.CharField(allow_null=True)
    gap = drf.CharField(allow_null=True)
    gap_to_expected = drf.CharField(allow_null=True)
    gap_to_target = drf.CharField(allow_null=True)
    growth_rate = drf.CharField(allow_null=True)
    reasons = drf.ListField(child=drf.CharField())
    explanation = drf.CharField()
    unreviewed = drf.BooleanField()
    has_demo = drf.BooleanField()
    short_units = drf.IntegerField(allow_null=True)
    rollup = drf.JSONField(
        allow_null=True,
        help_text="按单位考核并声明汇总方式的指标的本级行：method（sum 求和、ratio 分子合计÷分母合计、max、min）、"
        "value（汇总值；求和时有单位未报则为空，不按0计）、average（各单位比率的简单平均，仅作对照）、partial"
        "（已报单位合计）、own（本级自报数，有则以其为准）、period、units_counted、units_total、units_missing"
        "（未报单位名称）、differs（本级报数与汇总值相差的百分比，超过容差时给出）；其余为空",
    )


class VerdictPageSerializer(drf.Serializer):
    plan = drf.CharField()
    period = drf.CharField(allow_null=True)
    period_label = drf.CharField(allow_null=True)
    as_of = drf.DateField()
    verdicts_as_of = drf.DateField(allow_null=True)
    phase = drf.ChoiceField(choices=["not_started", "running", "finished"])
    provisional = drf.BooleanField()
    recalculating = drf.BooleanField()
    next = drf.URLField(allow_null=True)
    previous = drf.URLField(allow_null=True)
    results = VerdictSerializer(many=True)


class VerdictView(APIView):
    @extend_schema(
        summary="评估结果：一个规划在一个周期的指标整体与各单位评估",
        parameters=[
            OpenApiParameter("plan", str, required=True, description=str(PLAN_HELP)),
            OpenApiParameter("period", str, description=str(PERIOD_HELP) + "；默认为页面默认周期（最近已截止的周期）"),
            OpenApiParameter("unit", int, description="只返回该单位的评估"),
            OpenApiParameter("indicator", int, description="只返回该指标的评估"),
            OpenApiParameter(
                "level",
                str,
                enum=list(verdicts.LEVELS),
                description="all：指标整体与各单位；indicator：仅指标整体；unit：仅各单位",
            ),
            OpenApiParameter("cursor", str, description="上一页 next 链接中的游标"),
            OpenApiParameter(
                "page_size", int, description=f"每页条数，默认 {verdicts.DEFAULT_PAGE}，最多 {verdicts.MAX_PAGE}"
            ),
        ],
        responses={200: VerdictPageSerializer},
    )
    def get(self, request: Request) -> Response:
        query = verdicts.parse_query(request.query_params)
        page = verdicts.read_page(query)
        next_url = None
        if page.next_position is not None:
            next_url = replace_query_param(
                request.build_absolute_uri(), "cursor", verdicts.encode_cursor(page.next_position)
            )
        return Response(verdicts.page_body(page, next_url))


class RankingRowSerializer(drf.Serializer):
    unit = drf.CharField()
    group = drf.CharField()
    score = drf.CharField()
    max = drf.CharField()
    rank = drf.IntegerField()
    group_rank = drf.IntegerField()
    vetoed = drf.BooleanField()
    finalized = drf.BooleanField()
    previous_score = drf.CharField(allow_null=True)
    change = drf.CharField(allow_null=True)
    previous_rank = drf.IntegerField(allow_null=True)
    rank_change = drf.IntegerField(allow_null=True)


class AssessmentSerializer(drf.ModelSerializer):
    scheme = drf.IntegerField(source="scheme_id")
    plan = drf.CharField(source="scheme.plan.code")
    period = drf.CharField(source="scheme.period.code")
    scheme_title = drf.CharField(source="scheme.title")
    ranking = drf.SerializerMethodField()
    content = drf.SerializerMethodField()

    class Meta:
        model = Bulletin
        fields = [
            "id",
            "scheme",
            "plan",
            "period",
            "scheme_title",
            "title",
            "number",
            "published_at",
            "is_demo",
            "ranking",
            "content",
        ]

    @extend_schema_field(RankingRowSerializer(many=True))
    def get_ranking(self, obj: Bulletin) -> list[dict[str, Any]]:
        return RankingRowSerializer((obj.snapshot or {}).get("ranking", []), many=True).data

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_content(self, obj: Bulletin) -> dict[str, Any]:
        """The bulletin as published (frozen when it was published): groups, red items, good examples."""
        return obj.snapshot or {}


class AssessmentFilter(filters.FilterSet):
    plan = filters.CharFilter(field_name="scheme__plan__code", help_text=PLAN_HELP)
    period = PeriodCodeFilter(field_name="scheme__period__code", help_text=PERIOD_HELP)

    class Meta:
        model = Bulletin
        fields = ["plan", "period"]


@extend_schema_view(list=extend_schema(summary="已发布的考核结果（通报）"), retrieve=extend_schema(summary="考核结果"))
class AssessmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter

    def get_queryset(self) -> QuerySet[Bulletin]:
        schemes = schemes_visible_to(caller(self.request).user)
        return Bulletin.objects.filter(
            status=Bulletin.Status.PUBLISHED, scheme__in=schemes.values("pk")
        ).select_related("scheme__plan", "scheme__period")
