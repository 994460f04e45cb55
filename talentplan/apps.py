"""Third-party apps under titles in the reader's language: the admin lists its sections by these (their own
titles are English strings that no catalogue translates). Their models' names come from
locale/zh_Hans/LC_MESSAGES/django.po."""

from axes.apps import AppConfig as BaseAxesConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class AxesConfig(BaseAxesConfig):
    verbose_name = _("登录保护")


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("后台任务")  # type: ignore[assignment]  # a lazy string, as Django's own AppConfig allows
