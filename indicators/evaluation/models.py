"""Stored verdicts: the engine's evaluation of every indicator (and every unit's instance of a per-unit indicator)
at every evaluation date of its plan, kept current by the evaluation services. Pages read them; none evaluates."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator
from plans.models import Department, Plan


class Verdict(models.Model):
    """One evaluation at one date (the end of a reporting period, or the plan's end).

    `unit` empty: the indicator's own line (for a per-unit indicator, the summary of its units). The scalar columns
    let pages count, sort and cut in SQL; `payload` holds the whole evaluation (see `evaluation.payload`).
    """

    # Derived rows, rewritten a plan at a time (hundreds of thousands per recalculation): the database checks no
    # foreign key per row (a trigger each, at commit); Django's CASCADE still deletes them with their indicator or
    # unit, and the unit's lookups use `verdict_unit_as_of_status`.
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.CASCADE, related_name="verdicts", db_constraint=False
    )
    unit = models.ForeignKey(
        Department,
        verbose_name=_("考核单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("为空表示指标整体。"),
        db_constraint=False,
        db_index=False,
    )
    as_of = models.DateField(_("评估日期"))
    status = models.CharField(_("状态"), max_length=20)
    severity = models.SmallIntegerField(_("严重程度"))
    sort_ratio = models.DecimalField(_("进度比"), max_digits=30, decimal_places=8, default=Decimal(0))
    has_demo = models.BooleanField(_("含演示数据"), default=False)
    short_units = models.PositiveIntegerField(
        _("滞后单位数"), default=0, help_text=_("按单位考核的指标：滞后、严重滞后、未达标或未完成的单位数。")
    )
    payload = models.JSONField(_("评估结果"))
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("评估结果")
        verbose_name_plural = _("评估结果")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "as_of"], condition=Q(unit__isnull=True), name="verdict_unique_indicator"
            ),
            models.UniqueConstraint(
                fields=["indicator", "as_of", "unit"], condition=Q(unit__isnull=False), name="verdict_unique_unit"
            ),
        ]
        indexes = [
            # The overview's worst units first: read in this order and stop after a page.
            models.Index(
                fields=["as_of", "severity", "sort_ratio"],
                condition=Q(unit__isnull=False),
                name="verdict_units_worst_first",
            ),
            # A unit's verdicts at a date, their indicator and status in the index itself: the department page counts
            # every sibling's tens of thousands of verdicts without visiting the rows, scattered over the table.
            models.Index(fields=["unit", "as_of"], include=["indicator", "status"], name="verdict_unit_as_of_status"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}@{self.as_of}/{self.unit_id or '-'}: {self.status}"


class Recalculation(models.Model):
    """A plan's verdicts being evaluated again after a plan-wide change (a target, thresholds, the calendar), or
    the pairs of a large import (`figures`) refreshed after its commit.

    Pages show the previous verdicts meanwhile, labelled with the progress of the newest unfinished one.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    plan = models.ForeignKey(Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="recalculations")
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    total = models.PositiveIntegerField(_("待计算指标数"), default=0)
    done = models.PositiveIntegerField(_("已计算指标数"), default=0)
    figures = models.JSONField(
        _("涉及的数据"),
        default=list,
        blank=True,
        help_text=_("为空表示整个规划；否则为需重新计算的[指标, 单位, 起始日期]（大批导入后在后台更新）。"),
    )
    error = models.TextField(_("错误"), blank=True)
    requested_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("重新计算")
        verbose_name_plural = _("重新计算")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["plan", "state"], name="recalc_plan_state")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.state} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return 0 if not self.total else min(100, self.done * 100 // self.total)
