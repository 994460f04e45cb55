from django.urls import path

from dashboard import baseline_views, split_views, views

app_name = "dashboard"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("plan/<slug:code>/", views.plan_detail, name="plan"),
    path("indicator/<int:pk>/", views.indicator_detail, name="indicator"),
    path("indicator/<int:pk>/baseline/", baseline_views.edit_baseline, name="baseline"),
    path("indicator/<int:pk>/split/", split_views.edit_split, name="split"),
    path("indicator/<int:pk>/link/", split_views.link_parent, name="link"),
    path("department/<int:pk>/", views.department_detail, name="department"),
]
