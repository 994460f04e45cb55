"""Plan intake, included at /intake/ (namespace "intake")."""

from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("", views.start, name="start"),
    path("review/<str:token>/", views.review, name="review"),
    path("template.xlsx", views.template, name="template"),
]
