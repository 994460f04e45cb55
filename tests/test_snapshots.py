"""Evaluation snapshots: stored verdicts are reused while nothing changed, and never shown once something did.

Uses the dashboard tests' small plan (level lagging at 2023Y, share on track, cumulative behind).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import engine, snapshots
from indicators.models import EvaluationSnapshot, Indicator, IndicatorValue, UnitTarget
from indicators.selectors import evaluate_plans
from tests.test_dashboard import add_indicator, add_value, client_leader, leader, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
D = Decimal
AS_OF = dt.date(2023, 12, 31)


def statuses(plan) -> dict[str, str]:
    (result,) = evaluate_plans([plan], as_of=AS_OF, include_tasks=False)
    return {r.indicator.name: r.status.value for r in result.indicators}


def value_queries(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if 'FROM "indicators_indicatorvalue"' in q["sql"]]


def test_dump_and_restore_keep_every_field():
    ev = engine.Evaluation(
        engine.Status.LAGGING, "说明", actual=D("152.0000"), actual_date=AS_OF, actual_label="2023Y",
        completion=D("0.52"), expected=D("159.9671"), expected_progress=D("0.6"), progress=D("0.52"),
        gap=D("-7.9671"), growth_rate=D("3.1"), final=False,
        years=(engine.YearResult(2022, D("10"), D("12"), False), engine.YearResult(2023, D("13"), D("12"), True)),
    )
    verdict = snapshots.Verdict(ev, "official", D("150"), True, True, D("200"))
    assert snapshots.restore(snapshots.dump(verdict), True) == verdict


def test_second_evaluation_reads_the_snapshot_not_the_values(world):
    with CaptureQueriesContext(connection) as first:
        cold = statuses(world["plan"])
    assert value_queries(first)
    assert EvaluationSnapshot.objects.filter(as_of=AS_OF).count() == 3
    with CaptureQueriesContext(connection) as second:
        warm = statuses(world["plan"])
    assert warm == cold == {"人才资源总量": "lagging", "高技能人才占比": "on_track", "累计引进人才": "behind"}
    assert not value_queries(second)


def test_a_new_value_makes_the_verdict_stale(world):
    statuses(world["plan"])
    value = IndicatorValue.objects.get(indicator=world["level"], period=world["p2023"])
    value.value = D("165")  # above the 160 the path expects
    value.save()
    assert statuses(world["plan"])["人才资源总量"] == "on_track"


def test_bulk_saves_through_the_service_make_the_verdict_stale(world):
    from indicators.services import ValueEntry, save_values
    from tests.conftest import make_user
    from plans.roles import REPORTER

    statuses(world["plan"])
    world["p2023"].deadline = None  # still open for entry
    world["p2023"].save()
    reporter = make_user("snap_rep", REPORTER, world["hr"])
    save_values(user=reporter, entries=[ValueEntry(indicator=world["share"], period=world["p2023"],
                                                department=world["hr"], value=D("21"), basis="estimate")],
                submit=True)
    # The official 26 still stands; the estimate beside it is now part of the stored verdict.
    (result,) = evaluate_plans([world["plan"]], as_of=AS_OF, include_tasks=False)
    share = next(r for r in result.indicators if r.indicator == world["share"])
    assert share.estimate == D("21")


def test_target_and_plan_threshold_changes_make_verdicts_stale(world):
    statuses(world["plan"])
    level = Indicator.objects.get(pk=world["level"].pk)
    level.target = D("160")
    level.save()
    assert statuses(world["plan"])["人才资源总量"] == "on_track"  # 152 against 136 expected now
    plan = world["plan"]
    plan.lagging_ratio = D("0.50")
    plan.on_track_ratio = D("0.60")
    plan.save()
    assert statuses(plan)["累计引进人才"] == "on_track"  # 250/300 is 83 %, over the lowered bar


def test_unit_target_changes_make_a_per_unit_verdict_stale(world):
    plan, hr, edu = world["plan"], world["hr"], world["edu"]
    plan.assessed_units.add(hr, edu)
    per_unit = add_indicator(plan, "每镇人才数", order=9, per_unit=True, baseline=D(0), baseline_year=2020,
                             target=D(100), target_year=2025, unit="人", decimals=0)
    add_value(per_unit, world["p2023"], hr, "60")
    (result,) = evaluate_plans([plan], as_of=AS_OF, include_tasks=False)
    row = next(r for r in result.indicators if r.indicator == per_unit)
    assert {u.department.name: u.evaluation.status.value for u in row.units}["区人社局"] == "on_track"
    UnitTarget.objects.create(indicator=per_unit, department=hr, target=D("200"))
    (result,) = evaluate_plans([plan], as_of=AS_OF, include_tasks=False)
    row = next(r for r in result.indicators if r.indicator == per_unit)
    assert {u.department.name: u.evaluation.status.value for u in row.units}["区人社局"] == "behind"
    plan.assessed_units.remove(edu)
    (result,) = evaluate_plans([plan], as_of=AS_OF, include_tasks=False)
    assert [u.department for u in next(r for r in result.indicators if r.indicator == per_unit).units] == [hr]


def test_changing_a_period_s_dates_makes_every_verdict_stale(world):
    statuses(world["plan"])
    before = dict(Indicator.objects.values_list("pk", "evaluation_token"))
    period = world["p2022"]
    period.deadline = dt.date(2023, 2, 1)  # the deadline does not change any verdict
    period.save()
    assert dict(Indicator.objects.values_list("pk", "evaluation_token")) == before
    period.year = 2019  # re-cut: its values now fall outside the plan's years
    period.save()
    after = dict(Indicator.objects.values_list("pk", "evaluation_token"))
    assert all(after[pk] != token for pk, token in before.items())


def test_batch_changes_tokens_once_at_the_end_and_not_after_an_error(world):
    level = world["level"]
    token = Indicator.objects.get(pk=level.pk).evaluation_token
    with snapshots.batch():
        snapshots.touch([level.pk])
        assert Indicator.objects.get(pk=level.pk).evaluation_token == token  # not yet
    assert Indicator.objects.get(pk=level.pk).evaluation_token != token
    token = Indicator.objects.get(pk=level.pk).evaluation_token
    with pytest.raises(RuntimeError), snapshots.batch():
        snapshots.touch([level.pk])
        raise RuntimeError
    assert Indicator.objects.get(pk=level.pk).evaluation_token == token


def test_overview_shows_a_change_at_once(world, client_leader):
    url = reverse("dashboard:overview") + "?period=2023Y"
    names = lambda: [s.indicator.name for s in client_leader.get(url).context["page"].shortfalls if s.indicator]  # noqa
    assert names() == ["累计引进人才", "人才资源总量"]
    add_value(world["total"], world["p2023"], world["org"], "100")  # a second unit reports 100 more: 350 ≥ 300
    assert names() == ["人才资源总量"]


def test_prune_removes_stale_snapshots_only(world):
    statuses(world["plan"])
    level = Indicator.objects.get(pk=world["level"].pk)
    level.save()
    assert snapshots.prune() == 1
    assert EvaluationSnapshot.objects.count() == 2


def test_an_assessed_unit_s_page_refreshes_the_stale_indicator_for_every_unit(world, django_assert_num_queries):
    plan, hr, edu = world["plan"], world["hr"], world["edu"]
    plan.assessed_units.add(hr, edu)
    per_unit = add_indicator(plan, "每镇人才数", order=9, per_unit=True, baseline=D(0), baseline_year=2020,
                             target=D(100), target_year=2025, unit="人", decimals=0)
    add_value(per_unit, world["p2023"], hr, "60")
    add_value(per_unit, world["p2023"], edu, "10")
    (result,) = evaluate_plans([plan], as_of=AS_OF, include_tasks=False, department=hr)
    row = next(r for r in result.indicators if r.indicator == per_unit)
    assert [(u.department, u.evaluation.status.value) for u in row.units] == [(hr, "on_track")]
    assert row.status.value == "on_track"  # the line on hr's page is hr's own
    assert EvaluationSnapshot.objects.filter(indicator=per_unit).count() == 3  # the line and both units
    per_unit = Indicator.objects.get(pk=per_unit.pk)
    with django_assert_num_queries(5):  # indicators, their assignments and milestones, the snapshots, assessed units
        (again,) = evaluate_plans([plan], as_of=AS_OF, include_tasks=False, department=edu)
    assert [u.evaluation.status.value for r in again.indicators if r.indicator == per_unit for u in r.units] == [
        "behind"]
    (whole,) = evaluate_plans([plan], as_of=AS_OF, include_tasks=False)
    assert next(r for r in whole.indicators if r.indicator == per_unit).status.value == "behind"


def test_a_unit_reporting_without_being_assessed_is_evaluated_alone_and_not_stored(world):
    plan, hr, edu = world["plan"], world["hr"], world["edu"]
    plan.assessed_units.add(edu)
    per_unit = add_indicator(plan, "每镇人才数", order=9, per_unit=True, baseline=D(0), baseline_year=2020,
                             target=D(100), target_year=2025, unit="人", decimals=0)
    add_value(per_unit, world["p2023"], hr, "60")
    (result,) = evaluate_plans([plan], as_of=AS_OF, include_tasks=False, department=hr)
    row = next(r for r in result.indicators if r.indicator == per_unit)
    assert [(u.department, u.evaluation.status.value) for u in row.units] == [(hr, "on_track")]
    assert not EvaluationSnapshot.objects.filter(indicator=per_unit).exists()  # hr's verdict is not the indicator's


def test_refresh_command_stores_verdicts_and_prunes_stale_ones(world):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("refresh_snapshots", "--period", "2023Y", stdout=out)
    assert "已评估1个规划的3个指标" in out.getvalue()
    assert EvaluationSnapshot.objects.filter(as_of=AS_OF).count() == 3
    Indicator.objects.get(pk=world["level"].pk).save()
    call_command("refresh_snapshots", "--period", "2022Y", "--prune", stdout=out)
    assert "已删除1条过期快照" in out.getvalue()
    with pytest.raises(CommandError, match="2099Y"):
        call_command("refresh_snapshots", "--period", "2099Y")


def _per_unit_world(world):
    plan, hr, edu, org = world["plan"], world["hr"], world["edu"], world["org"]
    plan.assessed_units.add(hr, edu, org)
    per_unit = add_indicator(plan, "每单位人才数", order=9, per_unit=True, baseline=D(0), baseline_year=2020,
                             target=D(100), target_year=2025, unit="人", decimals=0)
    values = {unit: add_value(per_unit, world["p2023"], unit, "60") for unit in (hr, edu, org)}
    return plan, per_unit, values


def _unit_rows(indicator) -> dict[int, int]:
    return dict(EvaluationSnapshot.objects.filter(indicator=indicator, unit__isnull=False).values_list("unit_id", "pk"))


def test_changed_figures_re_evaluate_only_their_units(world):
    plan, per_unit, values = _per_unit_world(world)
    statuses(plan)
    before = _unit_rows(per_unit)
    value = values[world["hr"]]
    value.value = D("20")  # hr falls behind; edu and org are untouched
    value.save()
    with CaptureQueriesContext(connection) as ctx:
        (result,) = evaluate_plans([plan], as_of=AS_OF, include_tasks=False)
    row = next(r for r in result.indicators if r.indicator == per_unit)
    assert {u.department.name: u.evaluation.status.value for u in row.units} == {
        "区委组织部": "on_track", "区人社局": "behind", "区教育局": "on_track"}
    assert row.status.value == "behind"
    after = _unit_rows(per_unit)
    assert after[world["hr"].pk] != before[world["hr"].pk]  # rewritten
    assert {k: v for k, v in after.items() if k != world["hr"].pk} == {
        k: v for k, v in before.items() if k != world["hr"].pk}  # kept as they were
    read = [q["sql"] for q in ctx.captured_queries if 'FROM "indicators_indicatorvalue"' in q["sql"]]
    assert len(read) == 2  # the fingerprints, then only the changed unit's figures
    # Deleting a figure is a change too.
    values[world["edu"]].delete()
    (result,) = evaluate_plans([plan], as_of=AS_OF, include_tasks=False)
    row = next(r for r in result.indicators if r.indicator == per_unit)
    assert {u.department.name: u.evaluation.status.value for u in row.units}["区教育局"] == "no_data"


def test_a_structure_change_re_evaluates_every_unit(world):
    plan, per_unit, _values = _per_unit_world(world)
    statuses(plan)
    before = _unit_rows(per_unit)
    indicator = Indicator.objects.get(pk=per_unit.pk)
    indicator.target = D("300")
    indicator.save()
    (result,) = evaluate_plans([plan], as_of=AS_OF, include_tasks=False)
    row = next(r for r in result.indicators if r.indicator == per_unit)
    assert {u.evaluation.status.value for u in row.units} == {"behind"}
    assert set(_unit_rows(per_unit).values()).isdisjoint(before.values())


def _token(indicator) -> str:
    return Indicator.objects.get(pk=indicator.pk).evaluation_token


def test_drafts_leave_verdicts_current_and_counted_changes_do_not(world):
    """A draft is not counted: saving one over another (the deadline week's most frequent write) keeps the stored
    verdicts; submitting, withdrawing to a draft, approving and deleting a counted figure each make them stale."""
    from indicators.models import ReviewStatus

    level, hr, p2023 = world["level"], world["hr"], world["p2023"]
    draft = add_value(level, world["p2022"], hr, "150", basis="estimate", status=ReviewStatus.DRAFT)
    assert statuses(world["plan"])["人才资源总量"] == "lagging"
    before = _token(level)
    draft = IndicatorValue.objects.get(pk=draft.pk)
    draft.value = D("900")
    draft.save()
    assert _token(level) == before
    assert statuses(world["plan"])["人才资源总量"] == "lagging"  # still read from the snapshot, still right

    draft.status = ReviewStatus.SUBMITTED  # now counted
    draft.save()
    assert _token(level) != before
    before = _token(level)
    draft.status = ReviewStatus.DRAFT  # withdrawn: it was counted, so the verdicts change again
    draft.save()
    assert _token(level) != before
    before = _token(level)
    draft.delete()  # a draft's deletion changes nothing
    assert _token(level) == before

    counted = IndicatorValue.objects.get(indicator=level, period=p2023)
    counted.delete()
    assert _token(level) != before


def test_a_row_built_by_hand_for_an_existing_figure_still_makes_verdicts_stale(world):
    from indicators.models import ReviewStatus

    level = world["level"]
    counted = IndicatorValue.objects.get(indicator=level, period=world["p2023"])
    before = _token(level)
    copy = IndicatorValue(pk=counted.pk, indicator=level, period=counted.period, department=counted.department,
                          basis=counted.basis, value=counted.value, status=ReviewStatus.DRAFT)
    copy.save(force_update=True)  # nothing says what the database held: assume it was counted
    assert _token(level) != before


def test_draft_saves_through_the_service_keep_the_tokens(world):
    from indicators.services import ValueEntry, save_values
    from plans.roles import REPORTER
    from tests.conftest import make_user

    world["p2023"].deadline = None  # still open for entry
    world["p2023"].save()
    reporter = make_user("snap_draft", REPORTER, world["hr"])
    entry = ValueEntry(indicator=world["share"], period=world["p2023"], department=world["hr"], value=D("21"),
                       basis="estimate")
    before = _token(world["share"])
    save_values(user=reporter, entries=[entry])
    save_values(user=reporter, entries=[ValueEntry(**{**entry.__dict__, "value": D("22")})])
    assert _token(world["share"]) == before
    save_values(user=reporter, entries=[entry], submit=True)
    assert _token(world["share"]) != before
