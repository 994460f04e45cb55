from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "indicators.evaluation"
    label = "evaluation"
    verbose_name = _("评估")
    default_auto_field = "django.db.models.BigAutoField"
