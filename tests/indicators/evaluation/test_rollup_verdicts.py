"""Formula indicators and roll-ups through the stored verdicts (the read path of every page), worked by hand.

The world is `tests/worlds/adding_up.py`'s (汇总区 and three towns, judged at 2023Y).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.management import call_command

from indicators.evaluation import services as verdicts
from indicators.evaluation.explain import display_for, explain
from indicators.evaluation.selectors import first, plan_results
from indicators.models import Indicator
from plans.models import Plan
from tests.worlds.dashboard import add_value

D = Decimal
AS_OF = dt.date(2023, 12, 31)


def _line(plan: Plan, indicator: Indicator):
    result = first(plan_results([plan], as_of=AS_OF))
    return next(r for r in result.indicators if r.indicator.pk == indicator.pk)


def _reason(ev, code):
    return next(r for r in ev.reasons if r.code == code).data


def test_a_rate_is_computed_from_its_parts_and_rolled_up_as_a_ratio_of_sums(towns):
    a, b, _c = towns["towns"]
    for town, high, skilled in ((a, "10", "100"), (b, "90", "300")):
        add_value(towns["high"], towns["p2023"], town, high)
        add_value(towns["skilled"], towns["p2023"], town, skilled)
    line = _line(towns["plan"], towns["share"])
    by_unit = {u.department.name: u.evaluation for u in line.units}
    # 甲镇 10 / 100 × 100 = 10 %; 乙镇 90 / 300 × 100 = 30 %; 丙镇 reported nothing.
    assert by_unit["甲镇"].actual == D(10) and by_unit["乙镇"].actual == D(30)
    assert by_unit["丙镇"].status == "no_data"
    # The district: (10 + 90) / (100 + 300) × 100 = 25 %, not the average (10 + 30) / 2 = 20 %; 丙镇 is missing,
    # listed, never a zero (a zero rate would make the average (10 + 30 + 0) / 3 = 13.3 %).
    ev = line.evaluation
    assert ev.actual == D(25)
    rollup = _reason(ev, "rollup")
    assert (rollup["method"], rollup["value"], rollup["average"]) == ("ratio", D(25), D(20))
    assert (rollup["counted"], rollup["total"], rollup["missing"]) == (2, 3, ("丙镇",))
    # Baseline 20 → target 30 over 2021–2025: by 2023Y the path expects 20 + 10 × 3/5 = 26; 25 is 5/6 of the way
    # expected (progress 0.5 of expected 0.6 = 83 %) → 严重滞后 (< 85 %).
    assert ev.status == "behind"
    text = explain(ev, display_for(towns["share"]))
    assert "丙镇" in text and "25" in text and "20" in text


def test_a_missing_unit_leaves_a_sum_unjudged_never_zero(towns):
    a, b, c = towns["towns"]
    add_value(towns["skilled"], towns["p2023"], a, "100")
    add_value(towns["skilled"], towns["p2023"], b, "300")
    ev = _line(towns["plan"], towns["skilled"]).evaluation
    rollup = _reason(ev, "rollup")
    # 100 + 300 = 400 from two of three towns: not judged as the district's figure, 丙镇 named as missing.
    assert rollup["value"] is None and rollup["partial"] == D(400) and rollup["missing"] == ("丙镇",)
    assert ev.actual is None
    add_value(towns["skilled"], towns["p2023"], c, "100")
    ev = _line(towns["plan"], towns["skilled"]).evaluation
    # Now complete: 100 + 300 + 100 = 500.
    assert ev.actual == D(500) and _reason(ev, "rollup")["missing"] == ()


def test_a_reported_parent_figure_stands_beside_its_roll_up(towns):
    for town, skilled in zip(towns["towns"], ("100", "300", "100")):
        add_value(towns["skilled"], towns["p2023"], town, skilled)
    add_value(towns["skilled"], towns["p2023"], towns["root"], "516")
    line = _line(towns["plan"], towns["skilled"])
    ev = line.evaluation
    # The district's own 516 is judged; the towns add up to 500: (516 − 500) / 500 = 3.2 % > 1 % → flagged.
    assert ev.actual == D(516)
    assert _reason(ev, "rollup")["own"] == D(516) and _reason(ev, "rollup")["value"] == D(500)
    assert _reason(ev, "rollup_differs")["diff"] == D("3.2")
    assert "3.2%" in explain(ev, display_for(towns["skilled"]))
    # The district is not one of the towns: no unit line of its own.
    assert [u.department.name for u in line.units] == ["甲镇", "乙镇", "丙镇"]


def test_a_zero_denominator_is_no_data_with_its_reason(towns):
    a = towns["towns"][0]
    add_value(towns["high"], towns["p2023"], a, "5")
    add_value(towns["skilled"], towns["p2023"], a, "0")
    line = _line(towns["plan"], towns["share"])
    unit = next(u for u in line.units if u.department == a).evaluation
    # 5 / 0: no rate, no error — no_data with the reason.
    assert unit.status == "no_data" and unit.codes == ("zero_denominator",)
    assert "分母为0" in explain(unit, display_for(towns["share"]))
    # The district: Σ denominators 0 → no roll-up value either.
    assert _reason(line.evaluation, "rollup")["why"] == "zero_denominator"


def test_recompute_gives_what_the_submissions_gave(towns):
    a, b, _c = towns["towns"]
    for town, high, skilled in ((a, "10", "100"), (b, "90", "300")):
        add_value(towns["high"], towns["p2023"], town, high)
        add_value(towns["skilled"], towns["p2023"], town, skilled)
    before = _line(towns["plan"], towns["share"]).evaluation.outcome()
    verdicts.recompute([towns["plan"].pk])
    after = _line(towns["plan"], towns["share"]).evaluation.outcome()
    assert before.evaluation == after.evaluation


def test_plan_report_units_lists_the_rollup(towns, capsys):
    import json

    a, b, _c = towns["towns"]
    for town, high, skilled in ((a, "10", "100"), (b, "90", "300")):
        add_value(towns["high"], towns["p2023"], town, high)
        add_value(towns["skilled"], towns["p2023"], town, skilled)
    call_command("plan_report", "--json", "--units", "--plan", "rollup-plan", "--period", "2023Y")
    (plan,) = json.loads(capsys.readouterr().out)
    share = next(i for i in plan["indicators"] if i["name"] == "高技能人才占比")
    assert share["rollup"] == {
        "method": "ratio",
        "value": "25",
        "average": "20",
        "partial": None,
        "own": None,
        "period": "2023Y",
        "units_counted": 2,
        "units_total": 3,
        "units_missing": ["丙镇"],
        "differs": None,
    }
    assert [u["unit"] for u in share["units"]] == ["甲镇", "乙镇", "丙镇"]


def test_a_formula_is_never_typed_and_the_parent_may_report_its_own_figure(towns, make_period):
    import datetime as _dt

    import pytest as _pytest
    from django.contrib.auth.models import Group

    from indicators.services import ServiceError, ValueEntry, save_value
    from plans.models import Membership
    from plans.roles import REPORTER

    period = make_period("2024Q1", deadline=_dt.date(2099, 1, 1))
    user = towns["admin"]
    user.groups.add(Group.objects.get(name=REPORTER))
    a = towns["towns"][0]
    Membership.objects.create(user=user, department=a)
    entry = ValueEntry(indicator=towns["share"], department=a, period=period, value=D(25))
    with _pytest.raises(ServiceError) as refused:
        save_value(user=user, entry=entry)
    assert "自动计算，不能直接填报" in str(refused.value)
    # The district (the plan's issuer) reports its own 技能人才数 beside its towns' roll-up.
    own = save_value(
        user=user, entry=ValueEntry(indicator=towns["skilled"], department=towns["root"], period=period, value=D(9))
    )
    assert own.pk is not None


def test_scale_generator_makes_formulas_and_roll_ups(towns):
    from benchmarks.scale_formulas import add_formulas

    plan = towns["plan"]
    rate = Indicator.objects.create(plan=plan, name="生成比率", kind="rate", per_unit=True, order=20, target=D(5))
    made = add_formulas(list(plan.indicators.filter(pk__in=[towns["high"].pk, towns["skilled"].pk, rate.pk])))
    rate.refresh_from_db()
    assert made["formulas"] == 1 and (rate.formula, rate.numerator_id, rate.denominator_id, rate.rollup) == (
        "ratio",
        towns["high"].pk,
        towns["skilled"].pk,
        "ratio",
    )
