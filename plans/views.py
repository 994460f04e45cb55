"""Dashboard pages (read-only). Views stay thin: access check, selector call, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from indicators.models import Indicator
from indicators.selectors import evaluate_plans, latest_period_with_data, plans_queryset
from plans.models import Department, Plan, ReportingPeriod


def _as_of(request: HttpRequest) -> tuple[ReportingPeriod | None, object]:
    code = request.GET.get("period")
    period = ReportingPeriod.objects.filter(code=code).first() if code else latest_period_with_data()
    return period, (period.end if period else timezone.localdate())


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    period, as_of = _as_of(request)
    results = evaluate_plans(plans_queryset(), as_of=as_of, include_tasks=False)
    return render(request, "dashboard/overview.html", {"results": results, "period": period, "as_of": as_of})


@login_required
def plan_detail(request: HttpRequest, code: str) -> HttpResponse:
    plan = get_object_or_404(Plan, code=code)
    period, as_of = _as_of(request)
    (result,) = evaluate_plans([plan], as_of=as_of)
    return render(request, "dashboard/plan.html", {"result": result, "plan": plan, "period": period, "as_of": as_of})


@login_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator.objects.select_related("plan"), pk=pk)
    period, as_of = _as_of(request)
    (result,) = evaluate_plans([indicator.plan], as_of=as_of, include_tasks=False)
    row = next(r for r in result.indicators if r.indicator.pk == indicator.pk)
    return render(request, "dashboard/indicator.html", {"row": row, "indicator": indicator, "period": period})


@login_required
def department_detail(request: HttpRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(Department, pk=pk)
    return render(request, "dashboard/department.html", {"department": department})
