"""Notifications (站内通知) and the record of every message sent for them (站内、邮件、群机器人).

A notification is one message to one person, kept for the in-app list. `key` names what it is about (an event and
its objects): the same key is never sent to the same person twice on one day (`day`, a unique constraint), so a
reminder run twice, or a 催报 clicked twice, sends nothing new. Every channel's attempt is a `Delivery` row: who,
when, which channel, what came of it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import Department, ReportingPeriod


class Kind(models.TextChoices):
    PERIOD_OPENED = "period_opened", _("周期开放")
    DUE_SOON = "due_soon", _("临近截止")
    OVERDUE = "overdue", _("逾期未报")
    URGED = "urged", _("催报")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("审核通过")
    SUPERVISION = "supervision", _("督办")
    SETUP = "setup", _("设置问题")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=500, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("单位"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("填报周期"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("事项标识"), max_length=200)
    day = models.DateField(_("发送日期"))
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key", "day"], name="notification_once_a_day")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.title}"


class Channel(models.TextChoices):
    IN_APP = "in_app", _("站内")
    EMAIL = "email", _("邮件")
    WEBHOOK = "webhook", _("群机器人")


class Result(models.TextChoices):
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    SKIPPED = "skipped", _("未发送")


class Delivery(models.Model):
    """One message on one channel: to a person (站内、邮件) or to a group robot (a unit's or 组织部's)."""

    notification = models.ForeignKey(
        Notification, verbose_name=_("通知"), null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("单位"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    target = models.CharField(_("发送对象"), max_length=300, blank=True, help_text=_("邮箱地址或群机器人名称。"))
    key = models.CharField(_("事项标识"), max_length=200)
    day = models.DateField(_("发送日期"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices)
    detail = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.target} · {self.get_result_display()}"


class WebhookTarget(models.Model):
    """A group robot (企业微信 or 钉钉) that receives a unit's messages, or 组织部's when no unit is set. Off until
    enabled."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")

    name = models.CharField(_("名称"), max_length=100)
    department = models.ForeignKey(
        Department,
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("留空：组织部的群（接收汇总和设置问题）。"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.WECOM)
    url = models.URLField(_("Webhook 地址"), max_length=500)
    secret = models.CharField(_("加签密钥"), max_length=200, blank=True, help_text=_("仅钉钉“加签”安全设置需要。"))
    enabled = models.BooleanField(_("启用"), default=False)

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["department__name", "name"]

    def __str__(self) -> str:
        return self.name
