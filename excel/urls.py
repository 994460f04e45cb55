"""Excel in/out, included at /excel/ (namespace "excel").

The dashboards link the report as: {% url 'excel:assessment' plan.code %}?period=2025Q4 (code "all" = every plan).
"""

from django.urls import path

from excel import views

app_name = "excel"

urlpatterns = [
    path("assessment/<slug:code>/", views.assessment, name="assessment"),
    path("import/", views.import_page, name="import"),
    path("import/template/", views.template, name="template"),
    path("import/upload/", views.upload, name="upload"),
    path("import/confirm/", views.confirm, name="confirm"),
    path("plan-import/", views.plan_import, name="plan_import"),
]
