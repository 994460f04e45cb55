"""How an indicator adds up (issue 20): a formula over other indicators' figures, a roll-up across units, its place
among the parts of a total and its link to the parent plan's indicator. An abstract base of `Indicator`, kept here
so `models.py` stays readable; the arithmetic is `indicators.engine.rollup`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.engine import rollup


class AddsUp(models.Model):
    class Formula(models.TextChoices):
        NONE = rollup.Formula.NONE.value, _("各单位填报")
        RATIO = rollup.Formula.RATIO.value, _("分子÷分母×倍数")
        SUM = rollup.Formula.SUM.value, _("各组成指标之和")

    class Rollup(models.TextChoices):
        NONE = rollup.Method.NONE.value, _("不汇总")
        SUM = rollup.Method.SUM.value, _("各单位求和")
        RATIO = rollup.Method.RATIO.value, _("分子合计÷分母合计")
        MAX = rollup.Method.MAX.value, _("取各单位最大值")
        MIN = rollup.Method.MIN.value, _("取各单位最小值")

    formula = models.CharField(
        _("计算方式"),
        max_length=10,
        choices=Formula.choices,
        blank=True,
        default="",
        help_text=_("比率由分子、分母指标的填报数计算，不直接填报；合计由各组成指标（“所属总量指标”为本指标者）相加。"),
    )
    numerator = models.ForeignKey(
        "self",
        verbose_name=_("分子指标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="numerator_of",
    )
    denominator = models.ForeignKey(
        "self",
        verbose_name=_("分母指标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="denominator_of",
    )
    scale = models.DecimalField(
        _("倍数"),
        max_digits=6,
        decimal_places=0,
        null=True,
        blank=True,
        help_text=_("比率的倍数：100为百分比（%），1000为千分比（‰），10000为每万。"),
    )
    part_of = models.ForeignKey(
        "self",
        verbose_name=_("所属总量指标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="parts",
        help_text=_("本指标是某一总量的组成部分（如各类人才之于人才资源总量）：各部分之和超过总量时提示。"),
    )
    rollup = models.CharField(
        _("汇总方式"),
        max_length=10,
        choices=Rollup.choices,
        default=Rollup.NONE,
        help_text=_(
            "按单位考核的指标如何由各单位汇总为本级数：数量求和，比率用分子合计÷分母合计（不是各单位比率的平均）。"
        ),
    )
    rollup_tolerance = models.DecimalField(
        _("汇总差异容差"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("本级报数与各单位汇总数的相对差异超过该值时提示，为空时为1%。"),
    )
    contributes_to = models.ForeignKey(
        "self",
        verbose_name=_("上级规划指标"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributions",
        help_text=_("下级规划的指标计入上级规划的哪一指标（如镇人才总量计入区人才总量）。"),
    )

    # The foreign keys' columns, declared for the type checker (django-stubs does not see them on an abstract base).
    numerator_id: int | None
    denominator_id: int | None
    part_of_id: int | None
    contributes_to_id: int | None

    class Meta:
        abstract = True

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.formula == rollup.Formula.RATIO and (self.numerator_id is None or self.denominator_id is None):
            errors["formula"] = str(_("比率须指定分子指标和分母指标。"))
        if self.formula == rollup.Formula.RATIO and self.scale is not None and self.scale not in rollup.SCALES:
            errors["scale"] = str(_("倍数应为1、100、1000或10000。"))
        if self.rollup == rollup.Method.RATIO and self.formula != rollup.Formula.RATIO:
            errors["rollup"] = str(_("“分子合计÷分母合计”只适用于由分子、分母计算的比率指标。"))
        if self.pk is not None and self.pk in (self.numerator_id, self.denominator_id, self.part_of_id):
            errors["formula"] = str(_("指标不能引用自身。"))
        plan_id = getattr(self, "plan_id", None)
        for name in ("numerator", "denominator", "part_of"):
            other = getattr(self, name) if getattr(self, f"{name}_id") is not None else None
            if other is not None and getattr(other, "plan_id", None) != plan_id:
                errors[name] = str(_("只能引用同一规划中的指标。"))
        parent = self.contributes_to if self.contributes_to_id is not None else None
        plan = getattr(self, "plan", None) if plan_id is not None else None
        if parent is not None and (plan is None or getattr(parent, "plan_id", None) != plan.parent_id):
            errors["contributes_to"] = str(_("上级规划指标须是本规划的上级规划中的指标。"))
        if errors:
            raise ValidationError(errors)

    @property
    def is_formula(self) -> bool:
        return bool(self.formula)
