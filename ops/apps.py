from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = _("运行维护")

    def ready(self) -> None:
        from ops import checks, signals  # noqa: F401  (registers the deploy check and the login-time session mark)
