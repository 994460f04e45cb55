"""Indicators (指标), their reported values (实际值) and task progress reports.

Writes to `IndicatorValue` and `TaskProgress` go through `indicators.services` so that validation, permissions
and history are applied in one place; never `QuerySet.update()` them (it would skip the audit trail).
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators import engine
from indicators.adding_up import AddsUp
from plans.models import Department, Plan, ReportingPeriod, Section, Task, UnitAssignment, named_department, named_group

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Indicator(AddsUp):
    class Kind(models.TextChoices):
        LEVEL = engine.Kind.LEVEL.value, _("存量（到期达到）")
        CUMULATIVE = engine.Kind.CUMULATIVE.value, _("规划期累计")
        ANNUAL = engine.Kind.ANNUAL.value, _("年度任务")
        GROWTH = engine.Kind.GROWTH.value, _("年均增长")
        RATE = engine.Kind.RATE.value, _("比例/比率")
        MILESTONE = engine.Kind.MILESTONE.value, _("定性（里程碑）")

    class Basis(models.TextChoices):
        PERIOD_AMOUNT = engine.Basis.PERIOD_AMOUNT.value, _("本期新增")
        YEAR_TO_DATE = engine.Basis.YEAR_TO_DATE.value, _("年初至今累计")
        PERIOD_END = engine.Basis.PERIOD_END.value, _("期末数")

    class Comparison(models.TextChoices):
        GTE = engine.Comparison.GTE.value, _("≥ 不低于")
        LTE = engine.Comparison.LTE.value, _("≤ 不高于")
        APPROX = engine.Comparison.APPROX.value, _("≈ 左右")
        RANGE = engine.Comparison.RANGE.value, _("区间")
        EXACT = engine.Comparison.EXACT.value, _("= 等于")

    plan = models.ForeignKey(Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="indicators")
    section = models.ForeignKey(
        Section, verbose_name=_("章节"), null=True, blank=True, on_delete=models.SET_NULL, related_name="indicators"
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("所在任务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inline_indicators",
    )
    carried_by = models.ManyToManyField(
        Task,
        verbose_name=_("承载任务"),
        blank=True,
        related_name="indicators",
        db_table="plans_task_indicators",
        help_text=_("以该指标衡量进展的重点任务。"),
    )
    group = models.CharField(_("一级指标"), max_length=100, blank=True)
    number = models.CharField(_("序号"), max_length=20, blank=True)
    name = models.CharField(_("指标名称"), max_length=200)
    unit = models.CharField(_("计量单位"), max_length=20, blank=True)
    kind = models.CharField(_("指标类型"), max_length=20, choices=Kind.choices)
    basis = models.CharField(
        _("填报口径"),
        max_length=10,
        choices=Basis.choices,
        blank=True,
        help_text=_(
            "各单位每期填报的数：本期新增（当期发生数）、年初至今累计（1–N月累计）或期末数（期末存量或累计总数）。"
            "为空时按指标类型：规划期累计和年度任务为本期新增，其余为期末数。"
        ),
    )
    value_unit = models.CharField(
        _("填报计量单位"),
        max_length=20,
        blank=True,
        help_text=_("填报数的单位与目标单位不同时填写，如年均增长率（%）按人才数（人）填报。"),
    )
    comparison = models.CharField(_("比较方式"), max_length=10, choices=Comparison.choices, default=Comparison.GTE)
    baseline_year = models.PositiveSmallIntegerField(_("基期年度"), null=True, blank=True)
    baseline = models.DecimalField(_("基期值"), max_digits=20, decimal_places=4, null=True, blank=True)
    target_year = models.PositiveSmallIntegerField(_("目标年度"), null=True, blank=True)
    target = models.DecimalField(
        _("目标值"), max_digits=20, decimal_places=4, null=True, blank=True, help_text=_("为空表示原文无目标（——）。")
    )
    target_upper = models.DecimalField(_("目标上限"), max_digits=20, decimal_places=4, null=True, blank=True)
    due_date = models.DateField(
        _("完成时限"), null=True, blank=True, default=None, help_text=_("原文所写的完成时限，如“10月底前”。")
    )
    tolerance = models.DecimalField(
        _("容差"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("“左右”的相对容差，为空时用规划默认值。"),
    )
    decimals = models.PositiveSmallIntegerField(_("小数位数"), default=0)
    is_share = models.BooleanField(_("比例类（差距以百分点计）"), default=False)
    per_unit = models.BooleanField(_("按单位分别考核"), default=False)
    reporting_unit = models.ForeignKey(
        Department,
        verbose_name=_("填报单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_indicators",
        help_text=_("为空时由牵头单位填报；无牵头单位时由制定单位填报。"),
    )
    data_source = models.CharField(_("数据来源"), max_length=200, blank=True)
    source = models.TextField(_("原文表述"), blank=True)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2, default=Decimal("1"))
    order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords(verbose_name=_("指标变更记录"))
    # Set before a save: django-simple-history names the user and the reason in the history row it writes.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["plan", "order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_upper__isnull=True) | Q(target__isnull=False, target_upper__gte=models.F("target")),
                name="indicator_range_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()

    def get_absolute_url(self) -> str:
        return reverse("dashboard:indicator", args=[self.pk])

    @property
    def reporting_basis(self) -> str:
        """The basis figures are reported on: the one set, or the kind's default."""
        return self.basis or engine.default_basis(self.kind).value

    @property
    def basis_label(self) -> str:
        return str(self.Basis(self.reporting_basis).label)

    @property
    def figure_unit(self) -> str:
        """The unit a department types its figure in."""
        if self.value_unit:
            return self.value_unit
        return "" if self.kind == self.Kind.GROWTH else self.unit

    @property
    def assignment_list(self) -> list[IndicatorAssignment]:
        """The units named for the indicator, in printed order. Selectors that load many indicators prefetch them as
        a plain list (`selectors.assignment_list()`): a prefetch into `assignments` builds a queryset per indicator,
        which dominates loading hundreds of them. Elsewhere this is `assignments.all()` (prefetched or queried)."""
        prefetched = self.__dict__.get("_assignment_list")
        return prefetched if prefetched is not None else list(self.assignments.all())

    def names_for(self, role: str) -> list[str]:
        return [a.display_name for a in self.assignment_list if a.role == role]


class IndicatorAssignment(UnitAssignment):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="assignments"
    )
    department = named_department("indicator_assignments")
    group = named_group("indicator_assignments")

    class Meta(UnitAssignment.Meta):
        verbose_name = _("指标分工")
        verbose_name_plural = _("指标分工")
        ordering = ["indicator", "role", "order"]


class Milestone(models.Model):
    """A yearly target (年度目标) on the way to the final one."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="milestones"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("年度目标值"), max_digits=20, decimal_places=4)

    class Meta:
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")
        ordering = ["indicator", "year"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year"], name="milestone_unique_year")]

    def __str__(self) -> str:
        return f"{self.year}: {self.value}"


class UnitTarget(models.Model):
    """Per-unit baseline/target override (each town has its own baseline in seed 000)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="unit_targets"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="unit_targets"
    )
    baseline_year = models.PositiveSmallIntegerField(_("基期年度"), null=True, blank=True)
    baseline = models.DecimalField(_("基期值"), max_digits=20, decimal_places=4, null=True, blank=True)
    target = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4, null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    history = HistoricalRecords(verbose_name=_("单位目标变更记录"))
    # Set before a save: django-simple-history names the user and the reason in the history row it writes.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("单位目标")
        verbose_name_plural = _("单位目标")
        constraints = [models.UniqueConstraint(fields=["indicator", "department"], name="unittarget_unique")]

    def __str__(self) -> str:
        return f"{self.indicator} @ {self.department}"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


# Drafts and returned figures are the reporter's business; leadership sees what was submitted or approved.
COUNTED_STATUSES = (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)


class IndicatorValue(models.Model):
    """One reported figure for an indicator, period and unit.

    An estimate (预计) and an official figure (统计) may both exist; the official one is current and the estimate is
    kept so both can be shown.
    """

    class Basis(models.TextChoices):
        ESTIMATE = "estimate", _("预计")
        OFFICIAL = "official", _("统计")

    # No index of their own: the unique (indicator, period, unit, basis) and the (period, unit, status) indexes
    # start with them. Every figure written maintains each index (10 000 an import, into 1.5 M rows at province).
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="values", db_index=False
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("填报周期"), on_delete=models.PROTECT, related_name="values", db_index=False
    )
    department = models.ForeignKey(
        Department, verbose_name=_("填报单位"), on_delete=models.PROTECT, related_name="values"
    )
    value = models.DecimalField(_("实际值"), max_digits=20, decimal_places=4, null=True, blank=True)
    basis = models.CharField(_("数据口径"), max_length=10, choices=Basis.choices, default=Basis.ESTIMATE)
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("审核状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    return_reason = models.TextField(_("退回原因"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1, help_text=_("每次保存加一，用于防止覆盖他人修改。"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    # History is read by indicator (the indicator page) and by figure (an item's history); the other foreign keys
    # would only be indexes to maintain on every write.
    history = HistoricalRecords(
        verbose_name=_("实际值变更记录"), no_db_index=["period", "department", "reviewed_by", "updated_by"]
    )
    # Set before a save: django-simple-history names the user and the reason in the history row it writes.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("实际值")
        verbose_name_plural = _("实际值")
        ordering = ["indicator", "period__end", "department"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "department", "basis"], name="value_unique_per_basis"
            )
        ]
        indexes = [
            models.Index(fields=["period", "department", "status"], name="value_period_unit_status"),
            models.Index(fields=["indicator", "department"], name="value_indicator_unit"),
            # The review queue counts and pages what waits for review, a few thousand rows among millions, from this
            # index alone (PostgreSQL: index-only scans; the rows of the page shown are then read by id).
            models.Index(
                fields=["period", "department", "indicator"],
                include=["id", "basis"],
                condition=Q(status="submitted"),
                name="value_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period.code} {self.department}: {self.value}"

    # Whether the row was counted (submitted or approved) when read from the database; None when unknown (an
    # instance built by hand for an existing row). Kept so that a write can tell whether any verdict can change.
    counted_when_loaded: bool | None = None

    @classmethod
    def from_db(
        cls, db: str | None, field_names: Collection[str], values: Collection[Any], **kwargs: Any
    ) -> IndicatorValue:
        instance = super().from_db(db, field_names, values, **kwargs)
        instance.counted_when_loaded = instance._counted_now()
        return instance

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self.counted_when_loaded = self._counted_now()

    def _counted_now(self) -> bool | None:
        return None if "status" not in self.__dict__ else self.status in COUNTED_STATUSES

    def changes_verdicts(self, *, created: bool = False) -> bool:
        """Whether writing (or deleting) this row can change what the dashboards show: only counted figures are
        evaluated, so a draft saved over a draft, or a returned figure corrected and saved again as it is — the
        deadline week's most frequent writes — leave every verdict as it was."""
        before = False if created else self.counted_when_loaded
        return before is not False or self.status in COUNTED_STATUSES

    def mark_written(self) -> None:
        """After a write: what the database now holds is what the next write compares with."""
        self.counted_when_loaded = self.status in COUNTED_STATUSES


class TaskProgress(models.Model):
    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", _("未启动")
        IN_PROGRESS = "in_progress", _("推进中")
        DONE = "done", _("已完成")
        DELAYED = "delayed", _("滞后")

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="progress_reports")
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("填报周期"), on_delete=models.PROTECT, related_name="task_reports"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("填报单位"), on_delete=models.PROTECT, related_name="task_reports"
    )
    progress_status = models.CharField(
        _("推进状态"), max_length=20, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    progress = models.TextField(_("进展情况"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下一步打算"), blank=True)
    status = models.CharField(_("审核状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    return_reason = models.TextField(_("退回原因"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    history = HistoricalRecords(verbose_name=_("任务进展变更记录"))
    # Set before a save: django-simple-history names the user and the reason in the history row it writes.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("任务进展")
        verbose_name_plural = _("任务进展")
        ordering = ["task", "period__end", "department"]
        constraints = [models.UniqueConstraint(fields=["task", "period", "department"], name="progress_unique")]
        indexes = [models.Index(fields=["period", "department", "status"], name="progress_period_unit_status")]

    def __str__(self) -> str:
        return f"{self.task} {self.period.code} {self.department}"


class Evidence(models.Model):
    """A supporting document (佐证材料) attached to a value or a progress report."""

    value = models.ForeignKey(
        IndicatorValue,
        verbose_name=_("实际值"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    progress = models.ForeignKey(
        TaskProgress,
        verbose_name=_("任务进展"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    file = models.FileField(_("文件"), upload_to="evidence/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(value__isnull=False, progress__isnull=True) | Q(value__isnull=True, progress__isnull=False)
                ),
                name="evidence_value_xor_progress",
            )
        ]

    def __str__(self) -> str:
        return self.original_name
