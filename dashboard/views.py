"""Dashboard pages (read-only). Views stay thin: access check, selector call, render.

Any logged-in user may read every dashboard (leaders, administrators and reporters alike); `require_safe` refuses
anything but GET/HEAD with 405, so a dashboard URL can never change data. The assessment panels (考核排名, 督办事项)
are the exception: they follow the assessment app's rules (assessment.access), so what a 填报员 sees there depends on
their units and on whether a scheme's bulletin is published.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString
from django.views.decorators.http import require_safe

from assessment import dashboard_panels as assessment_panels
from dashboard.selectors import common as selectors
from dashboard.selectors import department as department_selectors
from dashboard.selectors import indicator as indicator_selectors
from dashboard.selectors import overview as overview_selectors
from dashboard.selectors import shortfalls as shortfall_selectors
from dashboard.selectors.shortfalls import ShortfallFilter
from indicators.evaluation.selectors import plans_queryset
from indicators.models import Indicator
from plans.models import Department
from plans.roles import is_admin
from talentplan import pagecache
from talentplan.requests import AuthenticatedHttpRequest

SHORTFALLS_PER_PAGE = 50  # a province has thousands of shortfalls: filtered and paged, worst first
DEPARTMENT_ITEM_LIMIT = 100
GROUP_ROW_LIMIT = 10  # a longer group lists its worst ten; the plan page has them all


# The dashboards' bodies are the same for every user: {% dashboard_cache %} keeps their HTML per data version, and
# the views hand the templates a lazy `body` (the selectors' result), so a cached body costs none of its queries.
# The shortfall list's filters and page (?sf_plan=, sf_lead, sf_status, sf_kind, sf_page) are part of its key.


@require_safe
@login_required
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    choice = selectors.choose_period(request.GET.get("period"))
    filters = ShortfallFilter.from_params(request.GET)

    def body() -> dict[str, object]:
        page = overview_selectors.overview(
            choice.as_of,
            filters=filters,
            per_page=SHORTFALLS_PER_PAGE,
            group_rows=GROUP_ROW_LIMIT,
            calendar=choice.calendar,
        )
        return {"page": page, "shortfalls": page.shortfalls}

    assessment = assessment_panels.assessment_overview(request.user)
    return render(
        request,
        "dashboard/overview.html",
        {"choice": choice, "body": SimpleLazyObject(body), "assessment": assessment, "filters": filters},
    )


@require_safe
@login_required
def plan_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    plan = get_object_or_404(plans_queryset(), code=code)
    choice = selectors.choose_period(request.GET.get("period"))
    filters = ShortfallFilter.from_params(request.GET)

    def body() -> dict[str, object]:  # cached: see overview
        page = selectors.plan_page(plan, choice.as_of, choice.calendar)
        listed = SimpleLazyObject(
            lambda: shortfall_selectors.for_plan(page.result, page.tasks, filters, per_page=SHORTFALLS_PER_PAGE)
        )
        return {"page": page, "shortfalls": listed}

    return render(
        request,
        "dashboard/plan.html",
        {"choice": choice, "body": SimpleLazyObject(body), "plan": plan, "filters": filters},
    )


@require_safe
@login_required
def indicator_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator.objects.select_related("plan__issuer"), pk=pk)
    choice = selectors.choose_period(request.GET.get("period"))
    # The unit whose series is charted (?unit=): part of the body's key. Anything but a unit's id shows the default
    # (the worst unit), as no id at all does, so it is keyed as none.
    unit = request.GET.get("unit", "")
    unit = unit if unit.isdigit() else ""

    def body() -> indicator_selectors.IndicatorPage:  # cached: see overview
        return indicator_selectors.indicator_page(indicator, choice.as_of, unit_id=unit, calendar=choice.calendar)

    def history() -> SafeString:  # lists drafts: kept under the statuses' number too
        def build() -> SafeString:
            entries = indicator_selectors.history(indicator)
            return render_to_string("components/value_history.html", {"history": entries})

        return pagecache.cached("indicator-history", [indicator.pk], build, statuses=True, plans=[indicator.plan_id])

    admin = is_admin(request.user)
    context = {
        "choice": choice,
        "page": SimpleLazyObject(body),
        "history": history,  # called by the template
        "indicator": indicator,
        "unit": unit,
        "can_edit_baseline": admin,
        # 组织部 links a child plan's indicator to one of its parent plan's (the parent's page lists contributions).
        "parent_choices": list(Indicator.objects.filter(plan_id=indicator.plan.parent_id).order_by("order"))
        if admin and indicator.plan.parent_id
        else [],
    }
    return render(request, "dashboard/indicator.html", context)


@require_safe
@login_required
def department_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    department = get_object_or_404(Department.objects.select_related("parent"), pk=pk)
    choice = selectors.choose_period(request.GET.get("period"))
    show_all = request.GET.get("all") == "1"
    filters = ShortfallFilter.from_params(request.GET)

    def body() -> dict[str, object]:
        # A county carries ~800 indicators at province scale: worst first, the first hundred, the rest on demand.
        page = department_selectors.department_page(
            department,
            choice,
            limit=None if show_all else DEPARTMENT_ITEM_LIMIT,
            filters=filters,
            per_page=SHORTFALLS_PER_PAGE,
        )
        return {
            "page": page,
            "shortfalls": page.shortfall_list,
            "indicators": page.indicators,
            "indicators_hidden": page.indicator_total - len(page.indicators),
        }

    assessment = assessment_panels.department_assessment(department, request.user)
    return render(
        request,
        "dashboard/department.html",
        {
            "choice": choice,
            "body": SimpleLazyObject(body),
            "department": department,
            "assessment": assessment,
            "show_all": show_all,
            "filters": filters,
        },
    )
