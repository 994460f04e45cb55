from django.urls import path

from indicators import views

app_name = "reporting"

urlpatterns = [
    path("", views.my_reporting, name="my"),
]
