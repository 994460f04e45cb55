"""Organisation, plans, their structure and the reporting calendar.

Indicators, reported values and task progress live in the `indicators` app; this app holds what a plan *is* and
knows nothing of them (the task ↔ indicator link is declared on the indicator: `Indicator.carried_by`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.expressions import Combinable
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Department(models.Model):
    """A unit (单位) in the tree: governments at the root, departments and towns below."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("党委政府（区县市）")
        PARTY = "party", _("党委部门")
        DEPARTMENT = "department", _("政府部门")
        PEOPLE = "people", _("群团组织")
        TOWN = "town", _("镇/街道/开发区")
        OTHER = "other", _("其他单位")

    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("单位名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    aliases = models.JSONField(
        _("其他写法"), default=list, blank=True, help_text=_("文件中出现的其他写法，用于名称解析。")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    category = models.CharField(
        _("考核类别"), max_length=50, blank=True, help_text=_("如：经济开发区、重点镇、其他镇。")
    )
    order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="department_unique_name_per_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="department_unique_root_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("dashboard:department", args=[self.pk])

    @property
    def root(self) -> Department:
        node = self
        while node.parent is not None:  # a unit without a parent is read without a query
            node = node.parent
        return node


class UnitGroup(models.Model):
    """A collective name printed in a plan ("各区〔市〕县人才工作领导小组"): kept whole, never split."""

    root = models.ForeignKey(
        Department, verbose_name=_("所属党委政府"), on_delete=models.PROTECT, related_name="unit_groups"
    )
    name = models.CharField(_("集合名称"), max_length=100)
    members = models.ManyToManyField(Department, verbose_name=_("成员单位"), blank=True, related_name="member_of")

    class Meta:
        verbose_name = _("单位集合")
        verbose_name_plural = _("单位集合")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["root", "name"], name="unitgroup_unique_name_per_root")]

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    class Kind(models.TextChoices):
        FIVE_YEAR = "five_year", _("五年规划")
        THREE_YEAR = "three_year", _("三年计划")
        ANNUAL = "annual", _("年度工作要点")
        IMPLEMENTATION = "implementation", _("实施方案")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ACTIVE = "active", _("实施中")
        FINISHED = "finished", _("已结束")
        ARCHIVED = "archived", _("已归档")

    code = models.SlugField(_("代码"), max_length=40, unique=True, help_text=_("用于网址和命令的简短代码。"))
    title = models.CharField(_("标题"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    issuer = models.ForeignKey(
        Department, verbose_name=_("制定单位"), on_delete=models.PROTECT, related_name="issued_plans"
    )
    issuer_body = models.CharField(_("印发机关（原文）"), max_length=100, blank=True)
    issue_date = models.DateField(_("印发日期"), null=True, blank=True)
    start_year = models.PositiveSmallIntegerField(_("起始年度"))
    end_year = models.PositiveSmallIntegerField(_("终止年度"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级规划"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    assessed_units = models.ManyToManyField(
        Department, verbose_name=_("考核对象单位"), blank=True, related_name="assessed_in_plans"
    )
    source_file = models.CharField(_("来源文件"), max_length=200, blank=True)
    source_text = models.TextField(_("原文"), blank=True)
    notes = models.TextField(_("录入说明"), blank=True, help_text=_("原文不规范之处及录入时的理解。"))
    on_track_ratio = models.DecimalField(
        _("序时进度正常阈值"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.95"),
        help_text=_("实际进度达到序时进度的该比例即为“正常推进”。"),
    )
    lagging_ratio = models.DecimalField(
        _("滞后阈值"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.85"),
        help_text=_("低于该比例为“严重滞后”，介于两者之间为“滞后”。"),
    )
    approx_tolerance = models.DecimalField(
        _("“左右”容差"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.05"),
        help_text=_("“左右”类目标允许的相对偏差，默认±5%。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(verbose_name=_("规划变更记录"))
    # Set before a save: django-simple-history names the user and the reason in the history row it writes.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("规划/计划")
        verbose_name_plural = _("规划/计划")
        ordering = ["-end_year", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="plan_years_ordered")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("dashboard:plan", args=[self.code])

    def clean(self) -> None:
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("终止年度不能早于起始年度。")})

    @property
    def start_date(self) -> dt.date:
        return dt.date(self.start_year, 1, 1)

    @property
    def end_date(self) -> dt.date:
        return dt.date(self.end_year, 12, 31)


class Section(models.Model):
    plan = models.ForeignKey(Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey(
        "self", verbose_name=_("上级章节"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    key = models.CharField(_("章节键"), max_length=20, help_text=_("如 3.1，仅用于定位。"))
    number = models.CharField(_("编号（原文）"), max_length=20, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("章节")
        verbose_name_plural = _("章节")
        ordering = ["plan", "order"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="section_unique_key_per_plan")]

    def __str__(self) -> str:
        return f"{self.number}{self.title}"


class Role(models.TextChoices):
    LEAD = "lead", _("牵头单位")
    RESPONSIBLE = "responsible", _("责任单位")
    COOPERATING = "cooperating", _("配合/协办单位")


class Task(models.Model):
    plan = models.ForeignKey(Plan, verbose_name=_("规划"), on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(
        Section, verbose_name=_("章节"), null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    number = models.CharField(_("编号（原文）"), max_length=20, blank=True)
    text = models.TextField(_("任务内容"))
    departments_text = models.TextField(_("单位表述（原文）"), blank=True)
    lead_inferred = models.BooleanField(
        _("牵头单位系推定"), default=False, help_text=_("原文未区分牵头/责任单位时，以首列单位为牵头单位。")
    )
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)
    history = HistoricalRecords(verbose_name=_("任务变更记录"))

    class Meta:
        verbose_name = _("重点任务")
        verbose_name_plural = _("重点任务")
        ordering = ["plan", "order"]

    def __str__(self) -> str:
        return f"{self.number}{self.text[:30]}"

    def names_for(self, role: str) -> list[str]:
        """Names as printed for a role, in printed order (uses prefetched assignments when present)."""
        return [a.display_name for a in self.assignments.all() if a.role == role]


def named_department(related_name: str) -> models.ForeignKey[Department | Combinable | None, Department | None]:
    """An assignment's department (empty when it names a collective), with its kind's reverse name."""
    return models.ForeignKey(
        Department, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name=related_name
    )


def named_group(related_name: str) -> models.ForeignKey[UnitGroup | Combinable | None, UnitGroup | None]:
    """An assignment's collective (empty when it names a department), with its kind's reverse name."""
    return models.ForeignKey(
        UnitGroup,
        verbose_name=_("单位集合"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
    )


class UnitAssignment(models.Model):
    """A department or collective a plan names, in one role (牵头, 责任, 配合…), in printed order: the part every
    kind of assignment (a task's, a section's, an indicator's) shares. Exactly one of `department` and `group`,
    which each kind declares (`named_department`, `named_group`) with its own reverse name."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    printed_name = models.CharField(_("原文名称"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    department: models.ForeignKey[Department | Combinable | None, Department | None]
    group: models.ForeignKey[UnitGroup | Combinable | None, UnitGroup | None]

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(department__isnull=False, group__isnull=True) | Q(department__isnull=True, group__isnull=False)
                ),
                name="%(class)s_department_xor_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}：{self.display_name}"

    @property
    def display_name(self) -> str:
        return self.printed_name or str(self.department or self.group)


class TaskAssignment(UnitAssignment):
    """One department or collective named for a task, in one role, in printed order."""

    task = models.ForeignKey(Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="assignments")
    department = named_department("task_assignments")
    group = named_group("task_assignments")
    printed_role = models.CharField(
        _("原文角色"),
        max_length=20,
        blank=True,
        default="",
        help_text=_("原文所印的角色名称，如“协办单位”“参与单位”。"),
    )

    class Meta(UnitAssignment.Meta):
        verbose_name = _("任务分工")
        verbose_name_plural = _("任务分工")
        ordering = ["task", "role", "order"]


class SectionAssignment(UnitAssignment):
    """A department or collective a plan names for a whole section (“本章由区委组织部牵头”), in one role. The
    section's indicators and tasks that name no lead unit of their own are shown with it, marked as inherited."""

    section = models.ForeignKey(Section, verbose_name=_("章节"), on_delete=models.CASCADE, related_name="assignments")
    department = named_department("section_assignments")
    group = named_group("section_assignments")

    class Meta(UnitAssignment.Meta):
        verbose_name = _("章节分工")
        verbose_name_plural = _("章节分工")
        ordering = ["section", "role", "order"]


PERIOD_CODE_RE = re.compile(r"^(?P<year>\d{4})(?:(?P<kind>[MQH])(?P<index>\d{1,2})|Y)$")


class ReportingPeriod(models.Model):
    class Kind(models.TextChoices):
        MONTH = "month", _("月度")
        QUARTER = "quarter", _("季度")
        HALF = "half", _("半年")
        YEAR = "year", _("年度")

    class State(models.TextChoices):
        OPEN = "open", _("填报中")
        CLOSED = "closed", _("已截止")
        LOCKED = "locked", _("已锁定")

    kind = models.CharField(_("周期类型"), max_length=10, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    index = models.PositiveSmallIntegerField(_("序号"), default=1, help_text=_("月份1–12、季度1–4、半年1–2，年度为1。"))
    code = models.CharField(_("代码"), max_length=8, unique=True, editable=False)
    start = models.DateField(_("开始日期"), editable=False)
    end = models.DateField(_("结束日期"), editable=False)
    deadline = models.DateField(_("填报截止日期"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    remind_days = models.PositiveSmallIntegerField(
        _("截止前提醒天数"), default=3, help_text=_("截止日期前这么多天起，每天提醒尚未报送的单位（send_reminders）。")
    )
    history = HistoricalRecords(verbose_name=_("周期变更记录"))
    # Set before a save: django-simple-history names the user and the reason in the history row it writes.
    _history_user: User | None
    _change_reason: str

    class Meta:
        verbose_name = _("填报周期")
        verbose_name_plural = _("填报周期")
        ordering = ["-end", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "year", "index"], name="period_unique_kind_year_index")]

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs) -> None:
        self.start, self.end, self.code = self.bounds(self.kind, self.year, self.index)
        super().save(*args, **kwargs)

    @staticmethod
    def bounds(kind: str, year: int, index: int) -> tuple[dt.date, dt.date, str]:
        """Start, end and canonical code (2025M03, 2025Q4, 2025H1, 2025Y) of a calendar period."""
        months_per = {"month": 1, "quarter": 3, "half": 6, "year": 12}[kind]
        limit = 12 // months_per
        if not 1 <= index <= limit:
            kind_label = {"month": _("月度"), "quarter": _("季度"), "half": _("半年"), "year": _("年度")}[kind]
            raise ValidationError(
                _("周期序号超出范围：%(kind)s的序号应为 1–%(limit)s。") % {"kind": kind_label, "limit": limit}
            )
        first_month = (index - 1) * months_per + 1
        last_month = first_month + months_per - 1
        start = dt.date(year, first_month, 1)
        end = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
        letter = {"month": f"M{index:02d}", "quarter": f"Q{index}", "half": f"H{index}", "year": "Y"}[kind]
        return start, end, f"{year}{letter}"

    @classmethod
    def parse_code(cls, code: str) -> tuple[str, int, int]:
        match = PERIOD_CODE_RE.match(code.strip().upper())
        if not match:
            raise ValidationError(
                _("无法识别的周期代码“%(code)s”，应为 2025M03、2025Q4、2025H1 或 2025Y 的形式。") % {"code": code}
            )
        year = int(match["year"])
        letter = match["kind"]
        if letter is None:
            return "year", year, 1
        kind = {"M": "month", "Q": "quarter", "H": "half"}[letter]
        return kind, year, int(match["index"])

    @property
    def label(self) -> str:
        if self.kind == self.Kind.YEAR:
            return _("%(year)s年度") % {"year": self.year}
        if self.kind == self.Kind.HALF:
            return (_("%(year)s年上半年") if self.index == 1 else _("%(year)s年下半年")) % {"year": self.year}
        if self.kind == self.Kind.QUARTER:
            return _("%(year)s年第%(index)s季度") % {"year": self.year, "index": self.index}
        return _("%(year)s年%(index)s月") % {"year": self.year, "index": self.index}

    @property
    def granularity(self) -> int:
        return {"month": 1, "quarter": 2, "half": 3, "year": 4}[self.kind]


class Membership(models.Model):
    """A user reports for, or administers, one or more units."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="memberships"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="memberships"
    )

    class Meta:
        verbose_name = _("所属单位")
        verbose_name_plural = _("所属单位")
        constraints = [models.UniqueConstraint(fields=["user", "department"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.department}"
