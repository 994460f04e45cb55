"""Schemes (考核方案): the assessed units and their groups, and the items units are scored on."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessment.scoring import Basis, ItemKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User
from indicators.models import Indicator
from plans.models import Department, Plan, ReportingPeriod, Task

RATIO_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]


def points_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField:
    """Points are stored with two decimals, the quantum `assessment.scoring` rounds to."""
    return models.DecimalField(verbose_name, max_digits=8, decimal_places=2, **kwargs)


class AssessmentScheme(models.Model):
    """考核方案: which units are assessed on a plan for one period (a year or a half-year), on what, and how."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("制定中")
        ACTIVE = "active", _("自评与审核中")
        CLOSED = "closed", _("已结束")

    class IndicatorBasis(models.TextChoices):
        PROGRESS = Basis.PROGRESS.value, _("按序时完成比（完成进度÷序时进度）")
        COMPLETION = Basis.COMPLETION.value, _("按完成率（实际值÷目标值）")

    plan = models.ForeignKey(Plan, verbose_name=_("规划"), on_delete=models.PROTECT, related_name="assessment_schemes")
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("考核周期"),
        on_delete=models.PROTECT,
        related_name="assessment_schemes",
        help_text=_("年度或半年。"),
    )
    title = models.CharField(_("方案名称"), max_length=200)
    notes = models.TextField(_("方案说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    indicator_basis = models.CharField(
        _("指标计分依据"), max_length=12, choices=IndicatorBasis.choices, default=IndicatorBasis.PROGRESS
    )
    indicator_floor = models.DecimalField(
        _("指标保底比例"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0"),
        validators=RATIO_VALIDATORS,
        help_text=_("未达序时的指标至少得该比例的分值（有数据时）。"),
    )
    indicator_cap = models.DecimalField(
        _("指标封顶比例"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("2"))],
        help_text=_("1 表示最多得满分；大于 1 时超序时完成可按比例多得，最多为该比例。"),
    )
    lead_share = models.DecimalField(
        _("牵头单位分值比例"), max_digits=5, decimal_places=4, default=Decimal("0.6"), validators=RATIO_VALIDATORS
    )
    responsible_share = models.DecimalField(
        _("责任单位分值比例"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.4"),
        validators=RATIO_VALIDATORS,
        help_text=_("每个责任单位各按该比例计分（不在责任单位之间平分）。"),
    )
    task_in_progress_ratio = models.DecimalField(
        _("任务“推进中”得分比例"), max_digits=5, decimal_places=4, default=Decimal("0.8"), validators=RATIO_VALIDATORS
    )
    task_delayed_ratio = models.DecimalField(
        _("任务“滞后”得分比例"), max_digits=5, decimal_places=4, default=Decimal("0.4"), validators=RATIO_VALIDATORS
    )
    task_not_started_ratio = models.DecimalField(
        _("任务“未启动”得分比例"), max_digits=5, decimal_places=4, default=Decimal("0"), validators=RATIO_VALIDATORS
    )
    bonus_cap = points_field(
        _("加分上限"), null=True, blank=True, default=Decimal("10"), help_text=_("为空表示加分不封顶。")
    )
    red_ratio = models.DecimalField(
        _("红色项阈值"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.6"),
        validators=RATIO_VALIDATORS,
        help_text=_("得分低于满分该比例的项在通报中列为红色项。"),
    )
    escalation_periods = models.PositiveSmallIntegerField(
        _("督办触发期数"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_("指标连续该数量的填报周期“严重滞后”即向牵头单位发督办通知。"),
    )
    notice_days = models.PositiveSmallIntegerField(
        _("督办答复期限（天）"), default=15, validators=[MinValueValidator(1)]
    )
    compare_to = models.ForeignKey(
        "self",
        verbose_name=_("对比的上次考核"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("为空时取同一规划周期更早的最近一次考核。"),
    )
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(verbose_name=_("考核方案变更记录"))
    # Set before a save: django-simple-history names the user and the reason in the history row it writes.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-period__end", "plan__code"]
        constraints = [models.UniqueConstraint(fields=["plan", "period"], name="scheme_unique_plan_period")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessment:scheme", args=[self.pk])


class SchemeUnit(models.Model):
    """An assessed unit and its group (考核组别) within a scheme; units are ranked overall and within the group."""

    scheme = models.ForeignKey(
        AssessmentScheme, verbose_name=_("考核方案"), on_delete=models.CASCADE, related_name="units"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("考核对象单位"), on_delete=models.PROTECT, related_name="+"
    )
    group = models.CharField(_("考核组别"), max_length=50, blank=True, help_text=_("默认取单位的考核类别。"))
    order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords(verbose_name=_("考核对象变更记录"))
    # Set before a save: django-simple-history names the user and the reason in the history row it writes.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("考核对象")
        verbose_name_plural = _("考核对象")
        ordering = ["scheme", "order", "department__order", "department__name"]
        constraints = [models.UniqueConstraint(fields=["scheme", "department"], name="schemeunit_unique")]

    def __str__(self) -> str:
        return f"{self.group or '—'}：{self.department}"


class DeductionSource(models.TextChoices):
    MANUAL = "manual", _("组织部认定")
    LATE = "late", _("迟报（报送晚于截止日期）")
    RETURNED = "returned", _("被退回的报送")


class AssessmentItem(models.Model):
    """One line of the scheme: an indicator, a task, a bonus, a deduction or a veto (一票否决)."""

    class Kind(models.TextChoices):
        INDICATOR = ItemKind.INDICATOR.value, _("指标")
        TASK = ItemKind.TASK.value, _("重点任务")
        BONUS = ItemKind.BONUS.value, _("加分项")
        DEDUCTION = ItemKind.DEDUCTION.value, _("扣分项")
        VETO = ItemKind.VETO.value, _("一票否决项")

    scheme = models.ForeignKey(
        AssessmentScheme, verbose_name=_("考核方案"), on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("考核内容"), max_length=200)
    description = models.TextField(_("评分标准"), blank=True)
    points = points_field(
        _("分值"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("指标、任务：满分；加分、扣分：本项上限；一票否决：不填。"),
    )
    unit_points = points_field(
        _("每人/每次分值"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("加分项每人分值、扣分项每次扣分。"),
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("指标"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_items",
    )
    task = models.ForeignKey(
        Task, verbose_name=_("任务"), null=True, blank=True, on_delete=models.PROTECT, related_name="assessment_items"
    )
    source = models.CharField(
        _("扣分依据"), max_length=10, choices=DeductionSource.choices, blank=True, help_text=_("仅扣分项。")
    )
    order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords(verbose_name=_("考核项变更记录"))
    # Set before a save: django-simple-history names the user and the reason in the history row it writes.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("考核项")
        verbose_name_plural = _("考核项")
        ordering = ["scheme", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    (Q(kind="indicator") & Q(indicator__isnull=False, task__isnull=True))
                    | (Q(kind="task") & Q(task__isnull=False, indicator__isnull=True))
                    | (Q(kind__in=["bonus", "deduction", "veto"]) & Q(indicator__isnull=True, task__isnull=True))
                ),
                name="assessmentitem_target_matches_kind",
            )
        ]

    def __str__(self) -> str:
        return self.name
