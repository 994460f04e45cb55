from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    """Plan intake: a plan's text, .docx, PDF or spreadsheet → a reviewed draft → a published plan."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "intake"
    verbose_name = _("规划导入")
