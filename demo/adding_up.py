"""Demo data for indicators that add up (issue 20), every figure labelled 演示数据:

- 吴江区 人才强镇: 高技能人才数 and 技能劳动者数 reported by the five demo towns (uneven sizes), and
  高技能人才占技能劳动者比例（演示） computed from them — the district's share as a ratio of sums beside the (wrong)
  average of the towns' shares; 吴江区's own 技能劳动者数 3.2 % above its towns' sum (flagged); the count's target
  split among the towns short of the whole.
- 吴兴区 十四五: a demo town plan under it whose 人才资源总量 is linked to the district's (its contribution shown).
"""

from __future__ import annotations

from decimal import Decimal

from indicators.models import Indicator, IndicatorValue, ReviewStatus, UnitTarget
from plans.models import Department, Plan, ReportingPeriod

DEMO_NOTE = "演示数据（非真实统计）"
# Towns of very different sizes: the average of their shares is far from the district's share.
SKILLED = (Decimal(4000), Decimal(12000), Decimal(9000), Decimal(3000), Decimal(2000))
SHARES = (Decimal("0.40"), Decimal("0.25"), Decimal("0.30"), Decimal("0.45"), Decimal("0.20"))
SPLIT = (Decimal(4500), Decimal(13000), Decimal(9500), Decimal(3200), Decimal(1500))  # 31 700 of 32 000


def _indicator(plan: Plan, name: str, order: int, **fields: object) -> Indicator:
    defaults = {
        "kind": "level",
        "comparison": "gte",
        "unit": "人",
        "decimals": 0,
        "per_unit": True,
        "target_year": plan.end_year,
        "group": "人才素质大幅提升",
        "number": "2",
        "data_source": DEMO_NOTE,
        **fields,
    }
    indicator, _ = Indicator.objects.update_or_create(plan=plan, name=name, defaults={"order": order, **defaults})
    return indicator


def _value(indicator: Indicator, period: ReportingPeriod, unit: Department, value: Decimal) -> IndicatorValue:
    locked = period.state == ReportingPeriod.State.LOCKED
    return IndicatorValue(
        indicator=indicator,
        period=period,
        department=unit,
        value=value.quantize(Decimal(1)),
        basis=IndicatorValue.Basis.OFFICIAL
        if period.kind == ReportingPeriod.Kind.YEAR
        else IndicatorValue.Basis.ESTIMATE,
        note=DEMO_NOTE,
        status=ReviewStatus.APPROVED if locked else ReviewStatus.SUBMITTED,
        is_demo=True,
    )


def town_shares(towns: list[Department], periods: list[ReportingPeriod]) -> list[IndicatorValue]:
    """The towns' parts, the computed share, the district's own figure and a split short of the whole."""
    plan = Plan.objects.select_related("issuer").get(code="wujiang-town-3yr")
    last = plan.indicators.order_by("-order").values_list("order", flat=True).first() or 0
    high = _indicator(plan, "高技能人才数（演示）", last + 1, rollup="sum")
    skilled = _indicator(plan, "技能劳动者数（演示）", last + 2, rollup="sum", target=Decimal(32000))
    _indicator(
        plan,
        "高技能人才占技能劳动者比例（演示，按分子分母计算）",
        last + 3,
        kind="rate",
        unit="%",
        is_share=True,
        decimals=1,
        target=Decimal(32),
        formula="ratio",
        numerator=high,
        denominator=skilled,
        scale=Decimal(100),
        rollup="ratio",
    )
    rows = []
    for step, period in enumerate(periods):
        growth = Decimal(1) + Decimal("0.03") * step
        for town, size, share in zip(towns, SKILLED, SHARES):
            rows.append(_value(skilled, period, town, size * growth))
            rows.append(_value(high, period, town, size * growth * (share + Decimal("0.01") * step)))
        own = sum(SKILLED, Decimal(0)) * growth * Decimal("1.032")  # 3.2 % above the towns' sum
        rows.append(_value(skilled, period, plan.issuer, own))
    for town, target in zip(towns, SPLIT):
        UnitTarget.objects.update_or_create(
            indicator=skilled, department=town, defaults={"target": target, "is_demo": True}
        )
    return rows


def town_plan(periods: list[ReportingPeriod]) -> list[IndicatorValue]:
    """A demo town plan under 吴兴区 十四五, its 人才资源总量 linked to the district's."""
    wuxing = Plan.objects.select_related("issuer").get(code="wuxing-14th")
    parent = wuxing.indicators.filter(name="人才资源总量").order_by("order").first()
    town, _ = Department.objects.update_or_create(
        parent=wuxing.issuer,
        name="织里镇（演示）",
        defaults={"kind": Department.Kind.TOWN, "is_demo": True, "order": 200},
    )
    plan, _ = Plan.objects.update_or_create(
        code="zhili-demo",
        defaults={
            "title": "织里镇人才工作三年行动计划（演示）",
            "issuer": town,
            "start_year": 2023,
            "end_year": 2025,
            "kind": Plan.Kind.THREE_YEAR,
            "parent": wuxing,
            "notes": "演示数据：用于展示下级规划指标计入上级规划指标。",
        },
    )
    child = _indicator(
        plan,
        "人才资源总量（织里镇）",
        1,
        unit="万人",
        decimals=2,
        per_unit=False,
        group="人才总量",
        number="1",
        baseline=Decimal("2.1"),
        baseline_year=2022,
        target=Decimal("2.6"),
        contributes_to=parent,
    )
    values = {"2023Y": Decimal("2.22"), "2024Y": Decimal("2.35"), "2025Q3": Decimal("2.43")}
    return [_value(child, p, town, values[p.code]) for p in periods if p.code in values]
