"""An all-plans report folds the unit lines of a plan assessing many units; its own report lists them."""

from __future__ import annotations

import io

import pytest

from excel.export import export_assessment
from excel.report_data import UNIT_LINES_INLINE
from indicators.evaluation import services as verdicts
from plans.models import Department, Plan
from tests.worlds.excel import load

pytestmark = pytest.mark.django_db


def test_unit_lines_folded_in_all_plans_listed_in_the_plans_own(seeded, make_period):
    plan = Plan.objects.get(code="wujiang-town-3yr")
    towns = [
        Department.objects.create(parent=plan.issuer, name=f"镇{i:02d}", kind="town")
        for i in range(UNIT_LINES_INLINE + 1)
    ]
    plan.assessed_units.add(*towns)
    verdicts.recompute([plan.pk])
    make_period("2013Y")

    def lines(code: str, plans: list[Plan]) -> list[str]:
        buffer = io.BytesIO()
        export_assessment(plans, "2013Y", buffer)
        ws = load(buffer.getvalue())["指标完成情况"]
        return [str(ws.cell(row=r, column=3).value or "") for r in range(1, ws.max_row + 1)] + [
            str(ws.cell(row=r, column=1).value or "") for r in range(1, ws.max_row + 1)
        ]

    own = lines("wujiang-town-3yr", [plan])
    assert sum(1 for t in own if t.startswith("其中：镇")) >= len(towns)
    together = lines("all", [plan, Plan.objects.get(code="district-talent-3yr")])
    assert not any(t.startswith("其中：镇") for t in together)
    assert any(f"本规划考核{len(towns)}个单位" in t for t in together)
