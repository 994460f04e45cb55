from django.urls import path

from plans import views

app_name = "dashboard"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("plan/<slug:code>/", views.plan_detail, name="plan"),
    path("indicator/<int:pk>/", views.indicator_detail, name="indicator"),
    path("department/<int:pk>/", views.department_detail, name="department"),
]
