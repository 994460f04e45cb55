from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "plans"
    verbose_name = _("规划与单位")

    def ready(self) -> None:
        from talentplan import lookups  # noqa: F401  (registers `field__ids`, used across the apps)
