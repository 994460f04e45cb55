"""The five seed plans load exactly and idempotently, and the 2016–2020 verdicts match the document's 表1."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from indicators.models import Indicator, IndicatorValue
from plans.models import Department, Plan, Role, Task, TaskAssignment, UnitGroup

pytestmark = pytest.mark.django_db


def report(*args: str) -> list[dict]:
    out = StringIO()
    call_command("plan_report", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_all_seed_plans_load(seeded):
    codes = set(Plan.objects.values_list("code", flat=True))
    assert codes == {
        "wujiang-town-3yr",
        "district-talent-3yr",
        "wuxing-14th",
        "wuxing-13th",
        "chengdu-2014-points",
        "ziliujing-reform",
    }
    assert Task.objects.filter(plan__code="chengdu-2014-points").count() == 23
    assert Task.objects.filter(plan__code="ziliujing-reform").count() == 42


def test_reloading_is_idempotent(seeded):
    counts = (
        Plan.objects.count(),
        Indicator.objects.count(),
        Task.objects.count(),
        TaskAssignment.objects.count(),
        IndicatorValue.objects.count(),
        Department.objects.count(),
    )
    call_command("load_seed_plans", stdout=StringIO())
    assert counts == (
        Plan.objects.count(),
        Indicator.objects.count(),
        Task.objects.count(),
        TaskAssignment.objects.count(),
        IndicatorValue.objects.count(),
        Department.objects.count(),
    )


def test_table2_rows_exact(seeded):
    plan = Plan.objects.get(code="wuxing-14th")
    rows = {i.number: i for i in plan.indicators.exclude(number="")}
    assert len(rows) == 16
    total = rows["1"]
    assert (total.group, total.name, total.unit, total.baseline, total.target) == (
        "人才资源总量",
        "人才资源总量",
        "万人",
        Decimal("23.2"),
        Decimal("26.4"),
    )
    assert (rows["8"].unit, rows["8"].baseline, rows["8"].target) == ("人年", Decimal("96.82"), Decimal("120"))
    assert rows["9"].comparison == "approx"  # "35%左右"
    assert rows["16"].group == "人才环境" and rows["16"].target == Decimal("4")


def test_prose_targets_are_indicators(seeded):
    names = set(Indicator.objects.filter(plan__code="wuxing-14th").values_list("source", flat=True))
    assert any("引进省级以上人才200名以上" in s for s in names)
    assert any("累计招引“南太湖精英计划”高层次人才项目达到400个以上" in s for s in names)


def test_13th_plan_verdicts_match_table1(seeded):
    (plan,) = report("--plan", "wuxing-13th", "--period", "2020Y")
    verdicts = {row["name"]: row["status"] for row in plan["indicators"]}
    assert len(verdicts) == 9
    expected_done = {"人才资源总量", "经营管理人才", "专业技术人才", "高技能人才", "高技能人才占技能劳动者比例"}
    for name in expected_done:
        assert verdicts[name] == "achieved", name
    for name in ("党政人才", "农村实用人才", "社会工作专业人才"):
        assert verdicts[name] == "not_applicable", name
    for row in plan["indicators"]:
        indicator = Indicator.objects.get(plan__code="wuxing-13th", name=row["name"])
        assert (
            row["status"] == {"achieved": "achieved", "not_applicable": "not_applicable"}[_expected_verdict(indicator)]
        )


def _expected_verdict(indicator: Indicator) -> str:
    return "not_applicable" if indicator.target is None else "achieved"


def test_task_departments_as_printed(seeded):
    task = Task.objects.get(plan__code="ziliujing-reform", number="2.")
    assert task.names_for(Role.LEAD) == ["区委组织部", "区人力资源社会保障局"]
    assert "区卫生计生局" in task.names_for(Role.RESPONSIBLE)
    assert task.departments_text.startswith("（牵头单位：区委组织部、区人力资源社会保障局。")
    # The misprinted task 13 ("责任单位" twice) is read as its lead.
    task13 = Task.objects.get(plan__code="ziliujing-reform", number="13.")
    assert task13.names_for(Role.LEAD) == ["区人力资源社会保障局"]


def test_collective_names_stay_groups(seeded):
    assert UnitGroup.objects.filter(name="各区〔市〕县人才工作领导小组").exists()
    assert not Department.objects.filter(name__contains="人才工作领导小组有关成员单位").exists()
    task = Task.objects.get(plan__code="chengdu-2014-points", number="1.")
    assert task.lead_inferred and task.names_for(Role.LEAD) == ["市委组织部"]
    assert "各区〔市〕县人才工作领导小组" in task.names_for(Role.RESPONSIBLE)


def test_plan_report_json_shape(seeded):
    plans = report()
    assert len(plans) == 6
    keys = {"code", "title", "doc_number", "issuer", "start_year", "end_year", "indicators", "tasks"}
    assert keys <= set(plans[0])
    ind_keys = {
        "group",
        "number",
        "name",
        "unit",
        "kind",
        "comparison",
        "baseline_year",
        "baseline",
        "target_year",
        "target",
        "target_upper",
        "actual",
        "actual_period",
        "completion",
        "expected",
        "progress",
        "gap",
        "status",
        "lead",
        "responsible",
        "source",
    }
    for plan in plans:
        for row in plan["indicators"]:
            assert ind_keys <= set(row)
            assert row["target"] is None or isinstance(row["target"], str)
        for task in plan["tasks"]:
            assert {"number", "text", "lead", "responsible", "cooperating", "status"} <= set(task)
    wujiang = next(p for p in plans if p["code"] == "wujiang-town-3yr")
    assert wujiang["doc_number"] == "吴办发〔2012〕67号"
