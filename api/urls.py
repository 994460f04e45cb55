"""/api/v1/ (versioned: a later v2 lives beside it), its schema and documentation; /api/tokens/ for 组织部."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from api import errors, figures, pages, reports, schema, views

router = SimpleRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("periods", views.PeriodViewSet, basename="period")
router.register("figures", figures.FigureViewSet, basename="figure")
router.register("task-progress", figures.TaskProgressViewSet, basename="task-progress")
router.register("assessments", reports.AssessmentViewSet, basename="assessment")

v1 = [
    path("schema/", schema.SchemaView.as_view(api_version="v1"), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path(
        "redoc/", SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html"), name="api-redoc"
    ),
    path("verdicts/", reports.VerdictView.as_view(), name="api-verdicts"),
    path("", include(router.urls)),
    re_path(r"^.*$", errors.not_found),
]

urlpatterns = [
    path("tokens/", pages.token_list, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke, name="api_token_revoke"),
    path("v1/", include(v1)),
]
