"""The roll-up world (issue 20): 汇总区 assesses three towns (甲镇, 乙镇, 丙镇) under a 2021–2025 plan judged at
2023Y. Towns report 高技能人才数 and 技能人才数 (both roll up as sums); 高技能人才占比 is their ratio × 100, never
typed, rolled up as a ratio of sums; 人才资源总量 (plan-level) lists two parts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from plans.models import Department, Plan
from plans.roles import ADMIN
from tests.conftest import make_user
from tests.worlds.dashboard import add_indicator, add_value

D = Decimal


def share_figures(w: dict) -> None:
    """甲镇 10 of 100, 乙镇 90 of 300; 丙镇 nothing."""
    a, b, _c = w["towns"]
    for town, high, skilled in ((a, "10", "100"), (b, "90", "300")):
        add_value(w["high"], w["p2023"], town, high)
        add_value(w["skilled"], w["p2023"], town, skilled)


@pytest.fixture
def towns(db, make_period):
    root = Department.objects.create(name="汇总区", kind="government")
    units = [
        Department.objects.create(parent=root, name=n, kind="town", order=i)
        for i, n in enumerate(("甲镇", "乙镇", "丙镇"), start=1)
    ]
    plan = Plan.objects.create(
        code="rollup-plan", title="汇总区人才规划", issuer=root, start_year=2021, end_year=2025, kind="five_year"
    )
    plan.assessed_units.set(units)
    high = add_indicator(plan, "高技能人才数", order=1, per_unit=True, unit="人", decimals=0, rollup="sum")
    skilled = add_indicator(
        plan, "技能人才数", order=2, per_unit=True, unit="人", decimals=0, rollup="sum", target=D(600)
    )
    share = add_indicator(
        plan,
        "高技能人才占比",
        order=3,
        per_unit=True,
        kind="rate",
        unit="%",
        is_share=True,
        decimals=1,
        baseline=D(20),
        baseline_year=2020,
        target=D(30),
        target_year=2025,
        formula="ratio",
        numerator=high,
        denominator=skilled,
        scale=D(100),
        rollup="ratio",
    )
    total = add_indicator(plan, "人才资源总量", order=4, unit="人", decimals=0, target=D(1000), group="总量")
    parts = [
        add_indicator(plan, name, order=5 + i, unit="人", decimals=0, part_of=total, group="总量")
        for i, name in enumerate(("党政人才", "企业经营管理人才"))
    ]
    return {
        "root": root,
        "towns": units,
        "plan": plan,
        "high": high,
        "skilled": skilled,
        "share": share,
        "total": total,
        "parts": parts,
        "p2023": make_period("2023Y", deadline=dt.date(2024, 1, 15)),
        "admin": make_user("zzb_rollup", ADMIN, root),
    }
