"""The pure scoring arithmetic (assessment.scoring), against hand-computed figures. No database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assessment import scoring
from assessment.scoring import Claim, ItemKind, Line, Rules, UnitRole
from indicators import engine

D = Decimal
S = engine.Status
RULES = Rules(floor=D("0.3"), cap=D("1"), lead_share=D("0.6"), responsible_share=D("0.4"), bonus_cap=D("10"))


def indicator(
    status: engine.Status, ratio: str | None, *, points: str = "20", role: UnitRole = UnitRole.OWN, rules: Rules = RULES
) -> Line:
    return scoring.score_indicator(
        key="1",
        name="指标",
        points=D(points),
        role=role,
        status=status,
        ratio=None if ratio is None else D(ratio),
        detail="引擎说明。",
        rules=rules,
    )


# --- indicators: full, proportional, floor, cap ---------------------------------------------------------------


@pytest.mark.parametrize("status,ratio", [(S.ACHIEVED, "1.3"), (S.ON_TRACK, "0.96"), (S.ON_TRACK, None)])
def test_achieved_or_on_track_earns_full_points(status, ratio):
    line = indicator(status, ratio)
    assert (line.points, line.max) == (D("20.00"), D("20.00"))
    assert "得满分20分" in line.explanation


def test_below_track_is_proportional():
    # 20 × 0.7 = 14
    line = indicator(S.BEHIND, "0.7")
    assert line.points == D("14.00")
    assert "按比例计14分" in line.explanation and line.red


def test_proportional_rounds_half_up_to_cents():
    # 10 × 0.4445 = 4.445 → 4.45 (ROUND_HALF_UP, not banker's 4.44); 15 × 0.8955 = 13.4325 → 13.43
    assert indicator(S.LAGGING, "0.4445", points="10").points == D("4.45")
    assert indicator(S.LAGGING, "0.8955", points="15").points == D("13.43")


def test_floor_applies_below_it_and_when_no_ratio_can_be_computed():
    # 20 × floor 0.3 = 6
    assert indicator(S.BEHIND, "0.1").points == D("6.00")
    assert indicator(S.BEHIND, "-0.2").points == D("6.00")  # fell below the baseline: still the floor
    assert indicator(S.NOT_ACHIEVED, None).points == D("6.00")
    assert "低于保底30%" in indicator(S.BEHIND, "0.1").explanation


def test_no_data_earns_nothing_and_not_applicable_is_not_scored():
    assert indicator(S.NO_DATA, None).points == D("0.00")
    na = indicator(S.NOT_APPLICABLE, None)
    assert (na.points, na.max) == (D("0.00"), D("0.00"))


def test_cap_above_one_rewards_being_ahead_up_to_the_cap():
    generous = Rules(floor=D("0.3"), cap=D("1.2"))
    # 20 × 1.1 = 22; 20 × min(1.5, 1.2) = 24
    assert indicator(S.ON_TRACK, "1.1", rules=generous).points == D("22.00")
    capped = indicator(S.ACHIEVED, "1.5", rules=generous)
    assert capped.points == D("24.00") and "封顶" in capped.explanation
    # A unit below track never gets more than full points, whatever the cap.
    assert indicator(S.LAGGING, "1.4", rules=generous).points == D("20.00")


def test_status_ratio_reads_the_engine_like_the_engine_judges_status():
    level = engine.Evaluation(S.BEHIND, (), progress=D("0.3000"), expected_progress=D("0.5000"), completion=D("0.8"))
    assert scoring.status_ratio("level", level, scoring.Basis.PROGRESS) == D("0.6")
    assert scoring.status_ratio("level", level, scoring.Basis.COMPLETION) == D("0.8")
    growth = engine.Evaluation(S.LAGGING, (), progress=D("0.9"), expected_progress=D("0.3333"))
    assert scoring.status_ratio("growth", growth, scoring.Basis.PROGRESS) == D("0.9")
    milestone = engine.Evaluation(S.ON_TRACK, (), completion=D("0"))
    assert scoring.status_ratio("milestone", milestone, scoring.Basis.PROGRESS) == D("0")
    start = engine.Evaluation(S.ON_TRACK, (), progress=D("0"), expected_progress=D("0"))
    assert scoring.status_ratio("level", start, scoring.Basis.PROGRESS) is None


# --- lead / responsible split ---------------------------------------------------------------------------------


def test_lead_and_responsible_units_take_their_shares_of_a_task():
    # 10 points: lead max 6, each responsible unit max 4 (not split between them).
    lead = scoring.score_task(
        key="2", name="任务", points=D("10"), role=UnitRole.LEAD, progress_status="done", rules=RULES
    )
    resp = scoring.score_task(
        key="2", name="任务", points=D("10"), role=UnitRole.RESPONSIBLE, progress_status="in_progress", rules=RULES
    )
    other = scoring.score_task(
        key="2", name="任务", points=D("10"), role=UnitRole.RESPONSIBLE, progress_status="in_progress", rules=RULES
    )
    assert (lead.points, lead.max) == (D("6.00"), D("6.00"))
    assert (resp.points, resp.max) == (D("3.20"), D("4.00"))  # 4 × 0.8
    assert other.points == resp.points
    assert "牵头单位满分6分（10分×60%）" in lead.explanation


def test_task_without_approved_progress_earns_nothing():
    line = scoring.score_task(
        key="2", name="任务", points=D("10"), role=UnitRole.LEAD, progress_status=None, rules=RULES
    )
    assert line.points == D("0.00") and line.red and "无审核通过" in line.explanation


def test_plan_level_indicator_is_shared_by_role():
    # lead: 10 × 0.6 = 6, × 0.75 = 4.5; responsible: 10 × 0.4 = 4, × 0.75 = 3
    assert indicator(S.BEHIND, "0.75", points="10", role=UnitRole.LEAD).points == D("4.50")
    assert indicator(S.BEHIND, "0.75", points="10", role=UnitRole.RESPONSIBLE).points == D("3.00")


# --- bonus, deductions, veto ----------------------------------------------------------------------------------


def test_bonus_item_cap_then_scheme_bonus_cap():
    # national: 3 people × 5 = 15, item cap 10 → 10; provincial: 2 × 3 = 6; city 2 × 1 = 2. Total 18 > cap 10 → −8.
    national = scoring.score_bonus(
        key="3", name="国家级", cap=D("10"), unit_points=D("5"), approved=[Claim("甲入选", 1), Claim("乙丙入选", 2)]
    )
    provincial = scoring.score_bonus(
        key="4", name="省级", cap=D("9"), unit_points=D("3"), approved=[Claim("入选", 2)], pending=1
    )
    city = scoring.score_bonus(key="5", name="市级", cap=D("5"), unit_points=D("1"), approved=[Claim("入选", 2)])
    assert national.points == D("10.00") and "超过本项上限10分" in national.explanation
    assert provincial.points == D("6.00") and "1项申报待审核" in provincial.explanation
    cut = scoring.cap_bonus([national, provincial, city], D("10"))
    assert cut is not None and cut.kind == ItemKind.BONUS_CAP and cut.points == D("-8.00")
    assert scoring.total([national, provincial, city, cut]) == D("10.00")
    assert scoring.cap_bonus([provincial, city], D("10")) is None  # 8 ≤ 10
    assert scoring.cap_bonus([national, provincial], None) is None  # no cap configured


def test_deduction_per_occurrence_up_to_its_cap():
    two = scoring.score_deduction(key="6", name="迟报", cap=D("3"), unit_points=D("1"), count=2, what="迟报")
    four = scoring.score_deduction(key="6", name="迟报", cap=D("3"), unit_points=D("1"), count=4, what="迟报")
    half = scoring.score_deduction(key="7", name="退回", cap=D("2"), unit_points=D("0.5"), count=3, what="退回")
    assert (two.points, four.points, half.points) == (D("-2.00"), D("-3.00"), D("-1.50"))
    assert two.max == D("0.00") and "最多扣3分" in four.explanation
    assert (
        scoring.score_deduction(key="6", name="迟报", cap=D("3"), unit_points=D("1"), count=0, what="迟报").points == 0
    )


def test_veto_carries_no_points_but_marks_the_unit():
    line = scoring.score_veto(key="8", name="一票否决", vetoed=True, reason="数据造假")
    assert line.points == D("0.00") and line.vetoed and "数据造假" in line.explanation
    assert not scoring.score_veto(key="8", name="一票否决", vetoed=False).vetoed


def test_reviewer_override_replaces_points_and_keeps_the_story():
    line = indicator(S.BEHIND, "0.7")  # 14
    final = scoring.override(line, D("12"), RULES, "数据未经统计部门确认", self_score=D("18"))
    assert final.points == D("12.00") and final.computed == D("14.00")
    assert "单位自评18分" in final.explanation and "核定为12分（数据未经统计部门确认）" in final.explanation
    assert scoring.override(line, D("14"), RULES) is line  # confirming without a note changes nothing


def test_allowed_ranges():
    assert scoring.allowed_range(indicator(S.BEHIND, "0.7"), D("20"), RULES) == (D("0"), D("20.00"))
    assert scoring.allowed_range(indicator(S.BEHIND, "0.7"), D("20"), Rules(cap=D("1.2"))) == (D("0"), D("24.00"))
    deduction = scoring.score_deduction(key="6", name="扣分", cap=D("5"), unit_points=D("1"), count=1, what="扣分")
    assert scoring.allowed_range(deduction, D("5"), RULES) == (D("-5.00"), D("0"))
    assert scoring.allowed_range(scoring.score_veto(key="8", name="否决", vetoed=False), D("0"), RULES) is None


# --- totals and ranking ---------------------------------------------------------------------------------------


def test_lines_add_up_to_the_total_exactly_and_roundtrip_through_json():
    lines = [
        indicator(S.LAGGING, "0.8955", points="15"),
        indicator(S.BEHIND, "0.4445", points="10"),
        scoring.score_deduction(key="6", name="退回", cap=D("2"), unit_points=D("0.5"), count=1, what="退回"),
    ]
    assert scoring.total(lines) == D("13.43") + D("4.45") - D("0.50") == D("17.38")
    assert [Line.from_dict(line.as_dict()) for line in lines] == lines
    assert all(line.points.as_tuple().exponent == -2 for line in lines)


def test_ties_share_a_rank_and_the_next_rank_skips():
    ranks = scoring.rank([("a", D("90"), False), ("b", D("90"), False), ("c", D("85.5"), False), ("d", D("80"), False)])
    assert ranks == {"a": 1, "b": 1, "c": 3, "d": 4}


def test_vetoed_units_rank_after_every_unit_not_vetoed_whatever_their_score():
    ranks = scoring.rank(
        [
            ("a", D("70"), False),
            ("v1", D("99"), True),
            ("b", D("60"), False),
            ("v2", D("99"), True),
            ("v3", D("50"), True),
        ]
    )
    assert ranks == {"a": 1, "b": 2, "v1": 3, "v2": 3, "v3": 5}


def test_base_max_counts_indicators_and_tasks_only():
    lines = [
        indicator(S.ON_TRACK, "1", points="20"),
        scoring.score_task(
            key="2", name="任务", points=D("10"), role=UnitRole.LEAD, progress_status="done", rules=RULES
        ),
        scoring.score_bonus(key="3", name="加分", cap=D("10"), unit_points=D("5"), approved=[Claim("入选", 1)]),
    ]
    assert scoring.base_max(lines) == D("26.00")
