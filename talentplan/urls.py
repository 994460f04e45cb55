from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

admin.site.site_header = _("人才规划目标管理")
admin.site.site_title = _("人才规划目标管理")
admin.site.index_title = _("数据管理")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dashboard:overview", permanent=False), name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("dashboard/", include("dashboard.urls")),
    path("report/", include("reporting.urls")),
    path("excel/", include("excel.urls")),
    path("intake/", include("intake.urls")),
    path("assessment/", include("assessment.urls")),
    path("ops/", include("ops.urls")),
    path("api/", include("api.urls")),
    path("notifications/", include("notifications.urls")),
]
# Media (evidence files) is never served as static files: downloads go through a permission-checked view.
