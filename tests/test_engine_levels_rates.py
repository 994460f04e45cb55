"""indicators.engine, level and rate targets: the time-proportional path (序时进度), status boundaries and
thresholds, the comparisons (gte, lte, approx, range, exact), shares in percentage points, unusual baselines and
yearly milestones on the path.

Pure unit tests, no database. Every expected number is worked out in the comment next to it; the day
counts behind them are listed in `tests/engine_helpers.py`.
"""

from __future__ import annotations

import pytest

from indicators.engine import Kind, Spec, Status, Thresholds, evaluate
from tests.engine_helpers import APPROX, D, EXACT, GTE, LTE, RANGE, at, d, level, share_spec, talent_total


# --- level, gte: the 23.2 → 26.4 万人 example (baseline 2020, target 2025) -------------------------------------------


def test_level_at_baseline_is_not_88_percent_done():
    # actual/target would be 23.2 / 26.4 = 87.9 %; the way actually covered is (23.2 − 23.2) / 3.2 = 0.
    ev = evaluate(talent_total(), [at("2020-12-31", "23.2")], d("2021-03-01"))
    assert ev.progress == D(0)
    assert ev.expected_progress == D(0)
    assert ev.completion == D("0.8788")  # completion is the plain ratio to the final target, reported separately
    assert ev.status == Status.ON_TRACK
    assert "序时进度为0" in ev.explanation


@pytest.mark.parametrize(("actual", "progress", "status"), [
    # 2023-12-31: expected share 1095/1826 = 0.59967; expected = 23.2 + 3.2 × 0.59967 = 25.1189
    ("25.1", D("0.5938"), Status.ON_TRACK),   # 1.9/3.2 = 0.59375; ratio 0.59375/0.59967 = 0.990 ≥ 0.95
    ("24.9", D("0.5313"), Status.LAGGING),    # 1.7/3.2 = 0.53125; ratio 0.886 in [0.85, 0.95)
    ("24.5", D("0.4063"), Status.BEHIND),     # 1.3/3.2 = 0.40625; ratio 0.677 < 0.85
    ("26.4", D(1), Status.ACHIEVED),          # the final target already reached: achieved before the due date
])
def test_level_mid_plan(actual, progress, status):
    ev = evaluate(talent_total(), [at("2023-12-31", actual)], d("2024-02-01"))
    assert ev.expected == D("25.1189")
    assert ev.expected_progress == D("0.5997")
    assert ev.progress == progress
    assert ev.status == status
    assert ev.final is False


def test_level_mid_plan_explanation_mentions_progress_and_gap_in_unit():
    ev = evaluate(talent_total(), [at("2023-12-31", "24.5")], d("2024-02-01"))
    # gap = 24.5 − 25.1189 = −0.6189 → "落后0.6万人" at one decimal
    assert ev.gap == D("-0.6189")
    assert ev.explanation == "实际24.5万人，目标26.4万人，完成进度40.6%，序时进度60%，较序时落后0.6万人。"


@pytest.mark.parametrize(("actual", "status", "phrase"), [
    ("26.4", Status.ACHIEVED, "已达到目标26.4万人"),                      # exactly at target
    ("26.0", Status.NOT_ACHIEVED, "规划期已满，实际26万人，未达到目标26.4万人，差0.4万人"),
])
def test_level_final_verdict(actual, status, phrase):
    ev = evaluate(talent_total(), [at("2025-12-31", actual)], d("2026-01-15"))
    assert ev.status == status and ev.final is True
    assert phrase in ev.explanation


def test_level_final_uses_last_reading_before_due_date_when_late():
    # Last reading 2024; the verdict is still final once 2025 is over, and it is not achieved.
    ev = evaluate(talent_total(), [at("2024-12-31", "26.0")], d("2026-03-01"))
    assert (ev.status, ev.final, ev.actual_date) == (Status.NOT_ACHIEVED, True, d("2024-12-31"))


# --- status boundaries: exactly 95 % and 85 % of the expected path --------------------------------------------------


@pytest.mark.parametrize(("actual", "status", "gap"), [
    # gte, 0 → 100, expected at 2021-12-31 = 50 (share 0.5). ratio = (actual/100) / 0.5
    ("60", Status.ON_TRACK, D(10)),           # ahead: ratio 1.2
    ("50", Status.ON_TRACK, D(0)),            # exactly on the path
    ("47.5", Status.ON_TRACK, D("-2.5")),     # ratio exactly 0.95 → on track (boundary inclusive)
    ("47.49", Status.LAGGING, D("-2.51")),    # ratio 0.9498
    ("42.5", Status.LAGGING, D("-7.5")),      # ratio exactly 0.85 → lagging (boundary inclusive)
    ("42.49", Status.BEHIND, D("-7.51")),     # ratio 0.8498
    ("0", Status.BEHIND, D(-50)),             # nothing moved
    ("100", Status.ACHIEVED, D(50)),          # exactly at target, early
])
def test_level_gte_boundaries(actual, status, gap):
    ev = evaluate(level(), [at("2021-12-31", actual)], d("2022-01-10"))
    assert ev.expected == D(50) and ev.expected_progress == D("0.5")
    assert ev.status == status
    assert ev.gap == gap


@pytest.mark.parametrize(("actual", "status", "gap"), [
    # lte, 100 → 50 (lower is better). expected at 2021-12-31 = 75. progress = (100 − actual)/50; gap = 75 − actual
    ("70", Status.ON_TRACK, D(5)),            # progress 0.6, ratio 1.2; below the path is good → positive gap
    ("75", Status.ON_TRACK, D(0)),
    ("76.25", Status.ON_TRACK, D("-1.25")),   # progress 0.475, ratio exactly 0.95
    ("76.26", Status.LAGGING, D("-1.26")),    # progress 0.4748
    ("78.75", Status.LAGGING, D("-3.75")),    # progress 0.425, ratio exactly 0.85
    ("78.76", Status.BEHIND, D("-3.76")),
    ("50", Status.ACHIEVED, D(25)),           # exactly at target
    ("49", Status.ACHIEVED, D(26)),           # better than target
])
def test_level_lte_boundaries(actual, status, gap):
    ev = evaluate(level(LTE, baseline="100", target="50"), [at("2021-12-31", actual)], d("2022-01-10"))
    assert ev.expected == D(75)
    assert ev.status == status
    assert ev.gap == gap


def test_level_lte_completion_is_target_over_actual():
    ev = evaluate(level(LTE, baseline="100", target="50"), [at("2021-12-31", "80")], d("2022-01-10"))
    assert ev.completion == D("0.625")  # 50 / 80
    assert ev.progress == D("0.4")      # (100 − 80) / 50
    assert "较序时落后5" in ev.explanation  # 80 vs expected 75


@pytest.mark.parametrize(("actual", "status"), [
    ("51", Status.NOT_ACHIEVED),  # lte final: 51 > 50 → missed by 1
    ("50", Status.ACHIEVED),      # exactly at the ceiling
])
def test_level_lte_final(actual, status):
    ev = evaluate(level(LTE, baseline="100", target="50"), [at("2022-12-31", actual)], d("2023-01-01"))
    assert ev.status == status and ev.final


# --- thresholds are configurable ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("actual", "thresholds", "status"), [
    ("46", Thresholds(), Status.LAGGING),                                   # ratio 0.92 with 0.95 / 0.85
    ("46", Thresholds(on_track=D("0.9")), Status.ON_TRACK),                 # 0.92 ≥ 0.90
    ("45", Thresholds(on_track=D("0.9")), Status.ON_TRACK),                 # exactly 0.90
    ("41", Thresholds(), Status.BEHIND),                                    # ratio 0.82
    ("41", Thresholds(lagging=D("0.8")), Status.LAGGING),                   # 0.82 ≥ 0.80
    ("49", Thresholds(on_track=D("1"), lagging=D("0.99")), Status.BEHIND),  # strict: 0.98 < 0.99
])
def test_custom_thresholds(actual, thresholds, status):
    assert evaluate(level(), [at("2021-12-31", actual)], d("2022-01-10"), thresholds).status == status


# --- approx ("左右"), range, exact ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("baseline", "actual", "status", "over_note"), [
    # upward: 80 → 100 "左右", band ±5 % of 100 = ±5; overshooting upward still passes
    ("80", "95", Status.ACHIEVED, False),         # lower band edge: passes
    ("80", "94.99", Status.NOT_ACHIEVED, False),  # just below the band
    ("80", "100", Status.ACHIEVED, False),        # inside
    ("80", "105", Status.ACHIEVED, False),        # upper band edge: inside, no note
    ("80", "106", Status.ACHIEVED, True),         # above the band: passes, flagged
    # downward: 120 → 100 "左右" (target below baseline, lower is the direction of travel)
    ("120", "105", Status.ACHIEVED, False),       # upper band edge
    ("120", "105.01", Status.NOT_ACHIEVED, False),
    ("120", "95", Status.ACHIEVED, False),        # lower band edge: inside
    ("120", "94", Status.ACHIEVED, True),         # overshoot downward: passes, flagged
])
def test_approx_band(baseline, actual, status, over_note):
    ev = evaluate(level(APPROX, baseline=baseline), [at("2022-12-31", actual)], d("2023-01-01"))
    assert ev.status == status
    assert ("超出“左右”区间上沿" in ev.explanation) is over_note


@pytest.mark.parametrize(("spec_tolerance", "thresholds", "actual", "status"), [
    (D("0.1"), Thresholds(), "90", Status.ACHIEVED),                  # spec tolerance ±10 % → 90 is the edge
    (D("0.1"), Thresholds(), "89.9", Status.NOT_ACHIEVED),
    (None, Thresholds(tolerance=D("0.02")), "98", Status.ACHIEVED),   # plan tolerance ±2 % → 98 is the edge
    (None, Thresholds(tolerance=D("0.02")), "97.99", Status.NOT_ACHIEVED),
    (D("0.1"), Thresholds(tolerance=D("0.02")), "91", Status.ACHIEVED),  # the indicator's own tolerance wins
])
def test_approx_tolerance_sources(spec_tolerance, thresholds, actual, status):
    spec = level(APPROX, baseline="80", tolerance=spec_tolerance)
    assert evaluate(spec, [at("2022-12-31", actual)], d("2023-01-01"), thresholds).status == status


def test_approx_inside_band_early_is_achieved_and_on_path_before():
    spec = level(APPROX, baseline="80")
    # 96 by end-2021 is already inside the band: achieved, not final
    early = evaluate(spec, [at("2021-12-31", "96")], d("2022-01-10"))
    assert (early.status, early.final) == (Status.ACHIEVED, False)
    # 88 at mid-path: expected 90 (80 + 20 × 0.5), progress 8/20 = 0.4, ratio 0.8 → behind
    mid = evaluate(spec, [at("2021-12-31", "88")], d("2022-01-10"))
    assert (mid.expected, mid.progress, mid.status) == (D(90), D("0.4"), Status.BEHIND)


def test_approx_with_upper_bound_has_no_band_note():
    ev = evaluate(level(APPROX, baseline="80", target_upper=D("110")), [at("2022-12-31", "120")], d("2023-01-01"))
    assert ev.status == Status.ACHIEVED and "区间上沿" not in ev.explanation


def test_approx_without_baseline_reads_upward():
    # No baseline: direction defaults to "higher is better"; 94 is below the 95 edge.
    ev = evaluate(level(APPROX, baseline=None), [at("2022-12-31", "94")], d("2023-01-01"))
    assert ev.status == Status.NOT_ACHIEVED


@pytest.mark.parametrize(("actual", "status"), [
    ("30", Status.ACHIEVED),       # at the lower bound
    ("35", Status.ACHIEVED),       # inside
    ("45", Status.ACHIEVED),       # above the upper bound still passes (range passes at/above its lower bound)
    ("29.9", Status.NOT_ACHIEVED),
])
def test_range(actual, status):
    spec = level(RANGE, baseline="20", target="30", target_upper=D("40"))
    assert evaluate(spec, [at("2022-12-31", actual)], d("2023-01-01")).status == status


def test_range_mid_plan_measured_against_lower_bound():
    # 20 → 30 (lower bound); at 2021-12-31 expected 25; actual 24 → progress 0.4, ratio 0.8 → behind
    ev = evaluate(level(RANGE, baseline="20", target="30", target_upper=D("40")), [at("2021-12-31", "24")],
                  d("2022-01-10"))
    assert (ev.expected, ev.progress, ev.status) == (D(25), D("0.4"), Status.BEHIND)


@pytest.mark.parametrize(("decimals", "actual", "status"), [
    (0, "10", Status.ACHIEVED),
    (0, "10.4", Status.ACHIEVED),      # compared at the indicator's precision: rounds to 10
    (0, "11", Status.NOT_ACHIEVED),    # overshoot is a miss for "exact"
    (0, "9", Status.NOT_ACHIEVED),
    (2, "10.004", Status.ACHIEVED),    # 10.00
    (2, "10.01", Status.NOT_ACHIEVED),
])
def test_exact_final(decimals, actual, status):
    spec = level(EXACT, baseline="5", target="10", decimals=decimals)
    assert evaluate(spec, [at("2022-12-31", actual)], d("2023-01-01")).status == status


def test_exact_mid_plan_follows_path():
    # 5 → 10; at 2021-12-31 expected 7.5; 7 → progress 0.4, ratio 0.8 → behind; 8 → ratio 1.2 → on track
    spec = level(EXACT, baseline="5", target="10")
    assert evaluate(spec, [at("2021-12-31", "7")], d("2022-01-10")).status == Status.BEHIND
    assert evaluate(spec, [at("2021-12-31", "8")], d("2022-01-10")).status == Status.ON_TRACK


def test_exact_downward_direction_from_baseline():
    # 10 → 5 "exact": direction is downward; at 2021-12-31 expected 7.5; 7 is ahead of the path
    ev = evaluate(level(EXACT, baseline="10", target="5"), [at("2021-12-31", "7")], d("2022-01-10"))
    assert (ev.status, ev.gap) == (Status.ON_TRACK, D("0.5"))


# --- rate / share: gaps in percentage points ------------------------------------------------------------------------


def test_share_gap_in_percentage_points():
    # 30 % → 35 %; at 2021-12-31 expected 32.5 %; actual 32 → progress 2/5 = 0.4, ratio 0.8 → behind
    ev = evaluate(share_spec(baseline="30", target="35"), [at("2021-12-31", "32")], d("2022-01-10"))
    assert (ev.expected, ev.progress, ev.gap, ev.status) == (D("32.5"), D("0.4"), D("-0.5"), Status.BEHIND)
    assert ev.explanation.endswith("较序时落后0.5个百分点。")
    assert "实际32%，目标35%" in ev.explanation


def test_share_final_shortfall_in_percentage_points():
    ev = evaluate(share_spec(baseline="30", target="35"), [at("2022-12-31", "33.5")], d("2023-01-01"))
    assert ev.status == Status.NOT_ACHIEVED
    assert ev.explanation.endswith("差1.5个百分点。")


def test_permille_share_gap_in_permille_points():
    spec = level(kind=Kind.RATE, is_share=True, unit="‰", baseline="2", target="4")
    ev = evaluate(spec, [at("2021-12-31", "2.5")], d("2022-01-10"))  # expected 3 → 0.5 short
    assert ev.explanation.endswith("较序时落后0.5个千分点。")


def test_rate_not_a_share_gap_in_its_unit():
    spec = level(kind=Kind.RATE, unit="人年", baseline="96.82", target="120", decimals=2)
    # expected at 2021-12-31: 96.82 + 23.18 × 0.5 = 108.41; actual 100 → 8.41 short
    ev = evaluate(spec, [at("2021-12-31", "100")], d("2022-01-10"))
    assert ev.expected == D("108.41")
    assert ev.explanation.endswith("较序时落后8.41人年。")


def test_share_lte_lower_is_better():
    # unemployment-style: 5 % → 4.5 % (lte). Expected 4.75 at 2021-12-31; 4.7 is ahead by 0.05 pp.
    ev = evaluate(share_spec(LTE, baseline="5", target="4.5"), [at("2021-12-31", "4.7")], d("2022-01-10"))
    assert (ev.status, ev.gap) == (Status.ON_TRACK, D("0.05"))
    assert ev.explanation.endswith("较序时超出0.05个百分点。")


# --- zero and negative baselines, targets met at the start ----------------------------------------------------------


@pytest.mark.parametrize(("actual", "progress", "status"), [
    # −10 → 10 (e.g. a net flow turning positive). expected at 2021-12-31 = 0 (share 0.5)
    ("0", D("0.5"), Status.ON_TRACK),
    ("-1", D("0.45"), Status.LAGGING),        # ratio 0.9
    ("-10", D(0), Status.BEHIND),
    ("10", D(1), Status.ACHIEVED),
])
def test_level_negative_baseline(actual, progress, status):
    ev = evaluate(level(baseline="-10", target="10"), [at("2021-12-31", actual)], d("2022-01-10"))
    assert (ev.expected, ev.progress, ev.status) == (D(0), progress, status)


def test_level_zero_baseline_is_a_real_baseline():
    # A printed 0 is not "missing": no note about counting from zero, path starts at end-2020.
    ev = evaluate(level(baseline="0"), [at("2021-12-31", "50")], d("2022-01-10"))
    assert ev.status == Status.ON_TRACK and "原文无基期值" not in ev.explanation


@pytest.mark.parametrize(("comparison", "baseline", "target", "actual", "status"), [
    (GTE, "30", "25", "28", Status.ACHIEVED),  # already above the floor and still there
    (GTE, "30", "25", "24", Status.BEHIND),    # fell below a floor met at the start: regression
    (LTE, "3", "5", "4", Status.ACHIEVED),     # already under the ceiling
    (LTE, "3", "5", "6", Status.BEHIND),       # crossed the ceiling: regression
    (GTE, "25", "25", "25", Status.ACHIEVED),  # target equal to baseline, held
    (GTE, "25", "25", "24", Status.BEHIND),    # target equal to baseline, slipped
])
def test_target_already_met_at_baseline(comparison, baseline, target, actual, status):
    ev = evaluate(level(comparison, baseline=baseline, target=target), [at("2021-12-31", actual)], d("2022-01-10"))
    assert ev.status == status
    if status == Status.BEHIND:
        assert "起点已达标，现出现回落" in ev.explanation


# --- milestone path (yearly checkpoints) ----------------------------------------------------------------------------


def with_milestones(**kw) -> Spec:
    # 0 at end-2020, checkpoints 50 by 2021 and 80 by 2022, target 100 by 2023; 2019 and 2030 lie outside the span
    return level(target_year=2023, milestones=((2019, D(5)), (2021, D(50)), (2022, D(80)), (2030, D(200))), **kw)


@pytest.mark.parametrize(("when", "expected", "share"), [
    ("2021-06-30", D("24.7945"), D("0.2479")),   # 50 × 181/365
    ("2021-12-31", D(50), D("0.5")),             # first checkpoint, not 33.3 on a straight line
    ("2022-06-30", D("64.8767"), D("0.6488")),   # 50 + 30 × 181/365
    ("2022-12-31", D(80), D("0.8")),
    ("2023-12-31", D(100), D(1)),
])
def test_milestone_path_is_piecewise(when, expected, share):
    ev = evaluate(with_milestones(), [at(when, "1")], d("2024-06-30") if when.startswith("2023") else d(when))
    assert (ev.expected, ev.expected_progress) == (expected, share)


@pytest.mark.parametrize(("actual", "status"), [
    ("50", Status.ON_TRACK),
    ("45", Status.LAGGING),   # 0.45 / 0.5 = 0.9; a straight 2020→2023 line would expect only 33.3 (on track)
    ("40", Status.BEHIND),    # 0.8
])
def test_milestone_path_statuses(actual, status):
    assert evaluate(with_milestones(), [at("2021-12-31", actual)], d("2022-01-10")).status == status


def test_straight_line_without_milestones_for_comparison():
    # Same 45 against a straight 0 → 100 over 2021–2023: share 365/1095 = 1/3, ratio 1.35 → on track.
    ev = evaluate(level(target_year=2023), [at("2021-12-31", "45")], d("2022-01-10"))
    assert (ev.expected_progress, ev.status) == (D("0.3333"), Status.ON_TRACK)
