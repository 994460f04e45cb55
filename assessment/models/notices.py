"""What a scheme sends out: its bulletin (通报) and supervision notices (督办) to units."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from django.contrib.auth.models import User
from assessment.models.schemes import AssessmentScheme
from indicators.models import Indicator
from plans.models import Department, Plan, ReportingPeriod, Task


class Bulletin(models.Model):
    """通报 of a scheme's results. A draft reads live results; publishing freezes them into `snapshot`."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    scheme = models.OneToOneField(
        AssessmentScheme, verbose_name=_("考核方案"), on_delete=models.PROTECT, related_name="bulletin"
    )
    title = models.CharField(_("通报标题"), max_length=200)
    number = models.CharField(_("文号"), max_length=100, blank=True)
    intro = models.TextField(_("导语"), blank=True)
    good_examples = models.TextField(
        _("典型经验做法"), blank=True, help_text=_("组织部撰写，与系统列出的先进单位一并通报。")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    snapshot = models.JSONField(_("发布快照"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_demo = models.BooleanField(_("演示数据"), default=False)
    history = HistoricalRecords(verbose_name=_("通报变更记录"))
    # Set before a save: django-simple-history names the user and the reason in the history row it writes.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("考核通报")
        verbose_name_plural = _("考核通报")
        ordering = ["-scheme__period__end"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessment:bulletin", args=[self.scheme_id])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class SupervisionNotice(models.Model):
    """督办通知 to a unit about an item that stayed seriously behind or a task past its due date."""

    class Reason(models.TextChoices):
        BEHIND = "behind", _("指标连续严重滞后")
        OVERDUE = "overdue", _("任务逾期未完成")

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")
        CLOSED = "closed", _("已办结")

    plan = models.ForeignKey(Plan, verbose_name=_("规划"), on_delete=models.PROTECT, related_name="supervision_notices")
    scheme = models.ForeignKey(
        AssessmentScheme,
        verbose_name=_("考核方案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notices",
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("发现周期"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("据以发出督办的最近一个周期。"),
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    task = models.ForeignKey(
        Task, verbose_name=_("任务"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("督办对象单位"), on_delete=models.PROTECT, related_name="supervision_notices"
    )
    reason = models.CharField(_("督办事由"), max_length=10, choices=Reason.choices)
    detail = models.TextField(_("情况说明"))
    deadline = models.DateField(_("答复期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(_("单位答复"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    close_reason = models.TextField(_("办结说明"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    opened_at = models.DateTimeField(_("发出时间"), auto_now_add=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    history = HistoricalRecords(verbose_name=_("督办变更记录"))
    # Set before a save: django-simple-history names the user and the reason in the history row it writes.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("督办通知")
        verbose_name_plural = _("督办通知")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(indicator__isnull=False, task__isnull=True) | Q(indicator__isnull=True, task__isnull=False)
                ),
                name="notice_indicator_xor_task",
            )
        ]
        indexes = [models.Index(fields=["status", "department"], name="notice_status_unit")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}：{self.subject}（{self.department}）"

    def get_absolute_url(self) -> str:
        return reverse("assessment:notice", args=[self.pk])

    @property
    def subject(self) -> str:
        return self.indicator.name if self.indicator else str(self.task)

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED
