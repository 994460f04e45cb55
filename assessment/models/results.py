"""One unit's assessment under a scheme: its item scores and its bonus claims (加分申报) with evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from django.contrib.auth.models import User
from assessment.models.schemes import AssessmentItem, AssessmentScheme, points_field
from plans.models import Department


class UnitAssessment(models.Model):
    """One unit's assessment under a scheme: self-assessment, review, and the final score once fixed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("未报送自评")
        SUBMITTED = "submitted", _("已报送自评")
        RETURNED = "returned", _("自评已退回")
        FINALIZED = "finalized", _("已审定")

    scheme = models.ForeignKey(
        AssessmentScheme, verbose_name=_("考核方案"), on_delete=models.CASCADE, related_name="assessments"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("考核对象单位"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    self_note = models.TextField(_("自评说明"), blank=True)
    submitted_at = models.DateTimeField(_("自评报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("自评报送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    return_reason = models.TextField(_("退回原因"), blank=True)
    final_score = points_field(_("审定总分"), null=True, blank=True)
    final_lines = models.JSONField(
        _("审定得分明细"), null=True, blank=True, help_text=_("审定时冻结的逐项得分与说明。")
    )
    finalized_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_demo = models.BooleanField(_("演示数据"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1, help_text=_("每次保存加一，用于防止覆盖他人修改。"))
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)
    history = HistoricalRecords(verbose_name=_("单位考核变更记录"))
    # Set before a save: django-simple-history names the user and the reason in the history row it writes.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("单位考核")
        verbose_name_plural = _("单位考核")
        ordering = ["scheme", "department__order", "department__name"]
        constraints = [models.UniqueConstraint(fields=["scheme", "department"], name="unitassessment_unique")]

    def __str__(self) -> str:
        return f"{self.scheme} · {self.department}"

    def get_absolute_url(self) -> str:
        return reverse("assessment:unit", args=[self.scheme_id, self.department_id])

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINALIZED


class ItemScore(models.Model):
    """A unit's self-score and the reviewer's figure for one item (blank reviewed score: the computed one stands)."""

    assessment = models.ForeignKey(
        UnitAssessment, verbose_name=_("单位考核"), on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey(AssessmentItem, verbose_name=_("考核项"), on_delete=models.CASCADE, related_name="scores")
    self_score = points_field(_("自评得分"), null=True, blank=True)
    self_note = models.TextField(_("自评说明"), blank=True)
    reviewed_score = points_field(
        _("核定得分"), null=True, blank=True, help_text=_("为空表示采用系统计算得分；扣分项填负数。")
    )
    review_note = models.TextField(_("审核意见"), blank=True)
    vetoed = models.BooleanField(_("触发一票否决"), default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)
    history = HistoricalRecords(verbose_name=_("逐项得分变更记录"))
    # Set before a save: django-simple-history names the user and the reason in the history row it writes.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("逐项得分")
        verbose_name_plural = _("逐项得分")
        ordering = ["assessment", "item__order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="itemscore_unique")]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.item}"


def claim_upload_to(instance: BonusClaim, filename: str) -> str:
    return f"assessment/claims/{instance.assessment.scheme_id}/{filename}"


class BonusClaim(models.Model):
    """A unit's claim for a bonus item (e.g. one person selected into a programme), with evidence, for review."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("待审核")
        APPROVED = "approved", _("已认定")
        REJECTED = "rejected", _("不予认定")

    assessment = models.ForeignKey(
        UnitAssessment, verbose_name=_("单位考核"), on_delete=models.CASCADE, related_name="claims"
    )
    item = models.ForeignKey(AssessmentItem, verbose_name=_("加分项"), on_delete=models.CASCADE, related_name="claims")
    description = models.CharField(_("申报内容"), max_length=200, help_text=_("如：张某入选省“双创人才计划”。"))
    quantity = models.PositiveIntegerField(_("申报人数/数量"), default=1, validators=[MinValueValidator(1)])
    evidence = models.FileField(_("佐证材料"), upload_to=claim_upload_to, max_length=255)
    evidence_name = models.CharField(_("原文件名"), max_length=255)
    status = models.CharField(_("审核状态"), max_length=10, choices=Status.choices, default=Status.CLAIMED)
    approved_quantity = models.PositiveIntegerField(_("认定数量"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申报人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("申报时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    history = HistoricalRecords(verbose_name=_("加分申报变更记录"))
    # Set before a save: django-simple-history names the user and the reason in the history row it writes.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("加分申报")
        verbose_name_plural = _("加分申报")
        ordering = ["assessment", "item__order", "pk"]

    def __str__(self) -> str:
        return self.description
