from django.urls import path

from ops import views

app_name = "ops"

urlpatterns = [path("lockouts/", views.lockouts, name="lockouts")]
