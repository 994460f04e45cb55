"""Generated indicators of a bench plan: kinds, names, baselines and targets drawn from a seeded generator, with
their lead and responsible units, some counties' own targets and some yearly milestones (`benchmarks.scale`)."""

from __future__ import annotations

import random
from decimal import Decimal

from django.contrib.auth.models import User
from simple_history.utils import bulk_create_with_history

from benchmarks.scale_sets import PERIOD_REASON, PREFIX
from benchmarks.scale_values import Ind
from indicators.models import Indicator, IndicatorAssignment, Milestone, UnitTarget
from plans.models import Department, Plan, Role, Section

GROUPS = ("人才总量", "人才结构", "人才效能", "人才发展环境")
# (kind, weight): as mixed as the seed plans.
KINDS = (("level", 30), ("rate", 20), ("cumulative", 15), ("annual", 15), ("growth", 10), ("milestone", 10))
NAMES = {
    "level": [
        ("人才资源总量", "万人", 2),
        ("高技能人才数", "人", 0),
        ("专业技术人才数", "人", 0),
        ("规上企业研发人员数", "人", 0),
        ("人才公寓房源", "套", 0),
        ("每万名劳动力中研发人员", "人年", 1),
    ],
    "rate": [
        ("人才贡献率", "%", 1),
        ("主要劳动年龄人口受过高等教育比例", "%", 1),
        ("高技能人才占技能人才比例", "%", 1),
        ("青年人才流失率", "%", 2),
        ("每千人口执业医师", "‰", 2),
    ],
    "cumulative": [
        ("累计引进高层次人才", "人", 0),
        ("累计建设人才创新平台", "个", 0),
        ("累计培育领军企业", "家", 0),
        ("累计发放人才安居补贴", "万元", 1),
    ],
    "annual": [
        ("年度引进青年大学生", "名", 0),
        ("年度举办人才招聘活动", "场", 0),
        ("年度新增技能人才", "人", 0),
        ("年度培训专业技术人员", "人次", 0),
    ],
    "growth": [("人才资源总量年均增长", "%", 2), ("研发经费投入年均增长", "%", 2)],
    "milestone": [
        ("建立人才工作目标责任制考核制度", "", 0),
        ("建成人才服务一站式平台", "", 0),
        ("出台人才分类评价办法", "", 0),
    ],
}


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in pairs], weights=[w for _, w in pairs])[0]


def make_indicators(
    rng: random.Random,
    plan: Plan,
    size: int,
    sections: list[Section],
    departments: list[Department],
    counties: list[Department],
    admin: User,
) -> list[Ind]:
    drawn = [_draw_indicator(rng, plan, order, sections, departments) for order in range(1, size + 1)]
    inds = [ind for ind, _m in drawn]
    meta = [m for _ind, m in drawn]
    created = bulk_create_with_history(
        inds, Indicator, batch_size=1000, default_user=admin, default_change_reason=PERIOD_REASON
    )
    if not created or created[0].pk is None:
        created = list(Indicator.objects.filter(plan=plan).order_by("order"))
    assignments: list[IndicatorAssignment] = []
    milestones: list[Milestone] = []
    unit_targets: list[UnitTarget] = []
    result: list[Ind] = []
    for ind, m in zip(created, meta):
        assignments.append(IndicatorAssignment(indicator=ind, role=Role.LEAD, department=m["lead"], order=0))
        for k, other in enumerate(rng.sample([d for d in departments if d != m["lead"]], 2), start=1):
            assignments.append(IndicatorAssignment(indicator=ind, role=Role.RESPONSIBLE, department=other, order=k))
        scale = _unit_targets(rng, plan, ind, m, counties, unit_targets)
        # Yearly milestones are plan-wide, so only where units share the indicator's baseline and target.
        if not scale and m["kind"] in ("level", "annual") and rng.random() < 0.2:
            for year in range(plan.start_year, plan.end_year):
                frac = (year - plan.start_year + 1) / (plan.end_year - plan.start_year + 1)
                value = m["target"] if m["kind"] == "annual" else m["baseline"] + (m["target"] - m["baseline"]) * frac
                milestones.append(Milestone(indicator=ind, year=year, value=Decimal(f"{value:.{m['decimals']}f}")))
        result.append(
            Ind(
                ind,
                m["kind"],
                m["lte"],
                m["baseline"],
                m["target"],
                m["decimals"],
                m["is_share"],
                m["per_unit"],
                m["official_q4"],
                scale,
                m["lead"].pk,
            )
        )
    IndicatorAssignment.objects.bulk_create(assignments, batch_size=5000)
    Milestone.objects.bulk_create(milestones, batch_size=5000)
    UnitTarget.objects.bulk_create(unit_targets, batch_size=5000)
    return result


def _draw_indicator(
    rng: random.Random, plan: Plan, order: int, sections: list[Section], departments: list[Department]
) -> tuple[Indicator, dict]:
    """One generated indicator (unsaved) and what the figures' generator needs to know of it. The draws keep their
    order, so a seed gives the same data as before."""
    kind = _weighted(rng, KINDS)
    name, unit, decimals = rng.choice(NAMES[kind])
    is_share = kind == "rate"
    lte = kind == "rate" and "流失" in name
    comparison = "lte" if lte else rng.choices(["gte", "approx", "range", "exact"], weights=[80, 10, 5, 5])[0]
    if kind in ("milestone", "growth", "cumulative", "annual") and comparison in ("exact", "range"):
        comparison = "gte"
    baseline, target = _draw_span(rng, kind, unit, decimals, lte)
    target_upper = target * 1.1 if comparison == "range" else None
    q = f"{{:.{decimals}f}}"
    target_d = Decimal(q.format(target))
    per_unit = rng.random() < 0.95
    lead = rng.choice(departments)
    has_baseline = kind not in ("cumulative", "annual", "milestone")
    indicator = Indicator(
        plan=plan,
        section=rng.choice(sections),
        group=rng.choice(GROUPS),
        number=str(order),
        name=f"{name}（{PREFIX}{order}）",
        unit=unit,
        kind=kind,
        comparison=comparison,
        baseline_year=plan.start_year - 1 if has_baseline else None,
        baseline=Decimal(q.format(baseline)) if has_baseline else None,
        target_year=plan.end_year,
        target=target_d,
        target_upper=Decimal(q.format(max(target_upper, float(target_d)))) if target_upper is not None else None,
        tolerance=Decimal("0.05") if comparison == "approx" else None,
        decimals=decimals,
        is_share=is_share,
        per_unit=per_unit,
        data_source="压测生成",
        order=order,
    )
    meta = {
        "kind": kind,
        "lte": lte,
        "baseline": baseline,
        "target": float(target_d),
        "decimals": decimals,
        "is_share": is_share,
        "per_unit": per_unit,
        "lead": lead,
        "official_q4": kind in ("level", "rate") and order % 7 == 0,
    }
    return indicator, meta


def _draw_span(rng: random.Random, kind: str, unit: str, decimals: int, lte: bool) -> tuple[float, float]:
    """A baseline and a target of the kind's usual size."""
    if kind == "level":
        baseline = rng.uniform(200, 20000) if decimals == 0 else rng.uniform(5, 80)
        return baseline, baseline * rng.uniform(1.15, 1.6)
    if kind == "rate":
        limit = 1000 if unit == "‰" else 100
        baseline = rng.uniform(5, 60) * limit / 100
        target = baseline * (rng.uniform(0.6, 0.85) if lte else rng.uniform(1.1, 1.4))
        return baseline, min(target, limit * 0.95)
    if kind == "growth":
        baseline = rng.uniform(1000, 50000)
        return baseline, rng.uniform(3, 12)
    if kind == "milestone":
        return 0.0, 1.0
    if kind == "cumulative":
        return 0.0, rng.uniform(40, 4000)
    return 0.0, rng.uniform(10, 1200)  # annual


def _unit_targets(
    rng: random.Random, plan: Plan, ind: Indicator, m: dict, counties: list[Department], out: list[UnitTarget]
) -> dict[int, float]:
    """For some per-unit indicators, each county's own baseline and target (a multiple of the plan's): the
    multiples by county, the targets added to `out`."""
    scale: dict[int, float] = {}
    if not (m["per_unit"] and m["kind"] in ("level", "growth", "cumulative", "annual") and rng.random() < 0.3):
        return scale
    d = m["decimals"]
    with_baseline = m["kind"] in ("level", "growth")
    for county in counties:
        s = rng.uniform(0.5, 2.0)
        scale[county.pk] = s
        out.append(
            UnitTarget(
                indicator=ind,
                department=county,
                is_demo=True,
                baseline_year=plan.start_year - 1 if with_baseline else None,
                baseline=Decimal(f"{m['baseline'] * s:.{d}f}") if with_baseline else None,
                target=None if m["kind"] == "growth" else Decimal(f"{m['target'] * s:.{d}f}"),
            )
        )
    return scale
