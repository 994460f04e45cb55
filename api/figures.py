"""Figures (实际值) and task progress: read what the caller may see, write for the caller's unit.

Every POST takes an optional Idempotency-Key header (api.idempotency): a retry with the same key writes nothing and
gets the first answer again.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, status, viewsets
from rest_framework import serializers as drf
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api import filters, idempotency, serializers, writes
from api.authentication import caller
from api.views import figures_for, progress_for
from indicators.models import Indicator, IndicatorValue, TaskProgress
from plans.models import ReportingPeriod

IDEMPOTENCY = OpenApiParameter(
    idempotency.HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="重试同一请求时带相同的键（如 UUID），只写入一次并返回首次的响应；保留 24 小时，按令牌区分。",
)

BatchResult = inline_serializer(
    "FigureBatchResult",
    fields={
        "created": drf.IntegerField(),
        "updated": drf.IntegerField(),
        "unchanged": drf.IntegerField(),
        "items": serializers.FigureSerializer(many=True),
    },
)


@extend_schema_view(
    list=extend_schema(summary="实际值列表（按规划、单位、周期、updated_since 筛选）"),
    retrieve=extend_schema(summary="实际值"),
)
class FigureViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.FigureSerializer
    filterset_class = filters.FigureFilter

    def get_queryset(self) -> QuerySet[IndicatorValue]:
        return figures_for(self.request).select_related("indicator__plan", "period")

    @extend_schema(
        summary="填报一个实际值（保存草稿或报送）",
        request=writes.FigureWrite,
        parameters=[IDEMPOTENCY],
        responses={200: serializers.FigureSerializer, 201: serializers.FigureSerializer},
    )
    def create(self, request: Request) -> Response:
        def handle() -> Response:
            data = _valid(writes.FigureWrite, request)
            written = writes.write_figure(caller(request), data)
            return Response(
                serializers.FigureSerializer(written.row).data,
                status=status.HTTP_201_CREATED if written.created else status.HTTP_200_OK,
            )

        return idempotency.once(request, caller(request).owner, handle)

    @extend_schema(
        summary="批量填报（全部成功或全部不写入）",
        request=writes.FigureBatch,
        parameters=[IDEMPOTENCY],
        responses={200: BatchResult},
    )
    @action(detail=False, methods=["post"])
    def batch(self, request: Request) -> Response:
        def handle() -> Response:
            data = _valid(writes.FigureBatch, request)
            result = writes.write_batch(caller(request), data["items"], submit=data["submit"])
            rows = sorted([*result.created, *result.updated, *result.unchanged], key=lambda r: r.pk)
            _attach(rows, data["items"])
            return Response(
                {
                    "created": len(result.created),
                    "updated": len(result.updated),
                    "unchanged": len(result.unchanged),
                    "items": serializers.FigureSerializer(rows, many=True).data,
                }
            )

        return idempotency.once(request, caller(request).owner, handle)

    @extend_schema(
        summary="报送一个已保存的实际值",
        request=writes.SubmitWrite,
        parameters=[IDEMPOTENCY],
        responses={200: serializers.FigureSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        def handle() -> Response:
            data = _valid(writes.SubmitWrite, request)
            item = self.get_object()
            writes.submit(caller(request), item, data.get("version"))
            return Response(serializers.FigureSerializer(item).data)

        return idempotency.once(request, caller(request).owner, handle)


@extend_schema_view(
    list=extend_schema(summary="任务进展列表（按规划、单位、周期、updated_since 筛选）"),
    retrieve=extend_schema(summary="任务进展"),
)
class TaskProgressViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.TaskProgressSerializer
    filterset_class = filters.TaskProgressFilter

    def get_queryset(self) -> QuerySet[TaskProgress]:
        return progress_for(self.request).select_related("task__plan", "period")

    @extend_schema(
        summary="填报一项任务进展（保存草稿或报送）",
        request=writes.ProgressWrite,
        parameters=[IDEMPOTENCY],
        responses={200: serializers.TaskProgressSerializer, 201: serializers.TaskProgressSerializer},
    )
    def create(self, request: Request) -> Response:
        def handle() -> Response:
            data = _valid(writes.ProgressWrite, request)
            row, created = writes.write_progress(caller(request), data)
            return Response(
                serializers.TaskProgressSerializer(row).data,
                status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            )

        return idempotency.once(request, caller(request).owner, handle)

    @extend_schema(
        summary="报送一项已保存的任务进展",
        request=writes.SubmitWrite,
        parameters=[IDEMPOTENCY],
        responses={200: serializers.TaskProgressSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        def handle() -> Response:
            data = _valid(writes.SubmitWrite, request)
            item = self.get_object()
            writes.submit(caller(request), item, data.get("version"))
            return Response(serializers.TaskProgressSerializer(item).data)

        return idempotency.once(request, caller(request).owner, handle)


def _valid(serializer_class: type[drf.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _attach(rows: list[IndicatorValue], items: list[dict[str, Any]]) -> None:
    """The saved rows carry ids only: give them their plan and period for the answer, two queries in all."""
    indicators = Indicator.objects.select_related("plan").in_bulk({r.indicator_id for r in rows})
    periods = ReportingPeriod.objects.in_bulk({r.period_id for r in rows})
    for row in rows:
        row.indicator, row.period = indicators[row.indicator_id], periods[row.period_id]
