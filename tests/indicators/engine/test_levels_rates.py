"""indicators.engine, level and rate targets: the time-proportional path (序时进度) on the month calendar, status
boundaries and thresholds, the comparisons (gte, lte, approx, range, exact), shares in percentage points, per-mille,
unusual baselines and yearly milestones on the path.

Pure unit tests, no database. Every expected number is worked out in the comment next to it; the calendar positions
behind them are listed in `tests/engine_helpers.py`. `as_of` is the end of the viewed period.
"""

from __future__ import annotations

import pytest

from indicators.engine import Kind, Spec, Status, Thresholds
from tests.indicators.engine.builders import (
    APPROX,
    EXACT,
    GTE,
    LTE,
    RANGE,
    D,
    at,
    d,
    level,
    reason_of,
    run,
    share_spec,
    talent_total,
)

# --- level, gte: the 23.2 → 26.4 万人 example (baseline 2020, target 2025) -------------------------------------------


def test_level_at_baseline_is_not_88_percent_done():
    # 23.2 reported for 2021Q1. actual/target would be 23.2 / 26.4 = 87.9 %; the way covered is (23.2 − 23.2)/3.2 = 0.
    # 2021-03-31 is 0.25 of 5 years → share 0.05, expected 23.2 + 3.2 × 0.05 = 23.36; ratio 0 / 0.05 = 0 → behind
    ev = run(talent_total(), [at("2021-03-31", "23.2")], "2021-03-31")
    assert (ev.progress, ev.expected_progress, ev.expected) == (D(0), D("0.05"), D("23.36"))
    assert ev.completion == D("0.8788")  # 23.2 / 26.4 = 0.87878…: completion is reported separately
    assert (ev.status, ev.codes) == (Status.BEHIND, ("path",))


@pytest.mark.parametrize(
    ("actual", "progress", "status"),
    [
        # 2023-12-31: share (2023 − 2020) / (2025 − 2020) = 0.6 exactly; expected 23.2 + 0.6 × 3.2 = 25.12
        ("25.1", D("0.5938"), Status.ON_TRACK),  # 1.9/3.2 = 0.59375; ratio 0.59375/0.6 = 0.9896 ≥ 0.95
        ("25.024", D("0.57"), Status.ON_TRACK),  # 1.824/3.2 = 0.57; ratio exactly 0.95
        ("25.0239", D("0.57"), Status.LAGGING),  # 1.8239/3.2 = 0.569969 (0.57 shown); ratio 0.94995
        ("24.9", D("0.5313"), Status.LAGGING),  # 1.7/3.2 = 0.53125; ratio 0.8854 in [0.85, 0.95)
        ("24.832", D("0.51"), Status.LAGGING),  # 1.632/3.2 = 0.51; ratio exactly 0.85
        ("24.8319", D("0.51"), Status.BEHIND),  # 0.509969; ratio 0.84995
        ("24.5", D("0.4063"), Status.BEHIND),  # 1.3/3.2 = 0.40625; ratio 0.677 < 0.85
        ("26.4", D(1), Status.ACHIEVED),  # the final target already reached: achieved before the due date
    ],
)
def test_level_mid_plan(actual, progress, status):
    ev = run(talent_total(), [at("2023-12-31", actual)], "2023-12-31")
    assert (ev.expected, ev.expected_progress) == (D("25.12"), D("0.6"))
    assert ev.progress == progress
    assert ev.status == status
    assert ev.final is False and ev.stale is False


def test_level_mid_plan_gaps_in_unit():
    ev = run(talent_total(), [at("2023-12-31", "24.5")], "2023-12-31")
    assert ev.gap_to_expected == D("-0.62")  # 24.5 − 25.12
    assert ev.gap_to_target == D("1.9")  # 26.4 − 24.5
    assert ev.completion == D("0.928")  # 24.5 / 26.4 = 0.92803
    assert ev.target == D("26.4")


def test_level_quarter_end_is_a_quarter_of_a_year():
    # 2025-06-30 is 4.5 of 5 years → share 0.9; expected 23.2 + 2.88 = 26.08. 26 → progress 2.8/3.2 = 0.875,
    # ratio 0.875 / 0.9 = 0.9722 → on track (day counting put it at 1642/1826 = 0.8992)
    ev = run(talent_total(), [at("2025-06-30", "26")], "2025-06-30")
    assert (ev.expected_progress, ev.expected, ev.progress, ev.status) == (
        D("0.9"),
        D("26.08"),
        D("0.875"),
        Status.ON_TRACK,
    )


@pytest.mark.parametrize(
    ("actual", "status", "codes", "gap_to_target"),
    [
        ("26.4", Status.ACHIEVED, ("met",), D(0)),  # exactly at target
        ("26.0", Status.NOT_ACHIEVED, ("final_short",), D("0.4")),  # 26.4 − 26.0
    ],
)
def test_level_final_verdict(actual, status, codes, gap_to_target):
    ev = run(talent_total(), [at("2025-12-31", actual)], "2025-12-31")
    assert (ev.status, ev.final, ev.codes, ev.gap_to_target) == (status, True, codes, gap_to_target)


def test_level_final_uses_last_reading_before_due_date_when_late():
    # Last reading 2024 = 26.0; viewed at 2026Q1 the 2025 target is final (2025-12-31 closed) and not achieved; the
    # 2024 figure is carried to the due date.
    ev = run(talent_total(), [at("2024-12-31", "26.0")], "2026-03-31")
    assert (ev.status, ev.final, ev.actual_date, ev.stale) == (Status.NOT_ACHIEVED, True, d("2024-12-31"), True)
    assert ev.codes == ("carried", "final_short")


# --- status boundaries: exactly 95 % and 85 % of the expected path --------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "status", "gap"),
    [
        # gte, 0 → 100 (2020 → 2022), expected at 2021-12-31 = 50 (share 1/2). ratio = (actual/100) / 0.5
        ("60", Status.ON_TRACK, D(10)),  # ahead: ratio 1.2
        ("50", Status.ON_TRACK, D(0)),  # exactly on the path
        ("47.5", Status.ON_TRACK, D("-2.5")),  # ratio exactly 0.95 → on track (boundary inclusive)
        ("47.49", Status.LAGGING, D("-2.51")),  # ratio 0.9498
        ("42.5", Status.LAGGING, D("-7.5")),  # ratio exactly 0.85 → lagging (boundary inclusive)
        ("42.49", Status.BEHIND, D("-7.51")),  # ratio 0.8498
        ("0", Status.BEHIND, D(-50)),  # nothing moved
        ("100", Status.ACHIEVED, D(50)),  # exactly at target, early
    ],
)
def test_level_gte_boundaries(actual, status, gap):
    ev = run(level(), [at("2021-12-31", actual)], "2021-12-31")
    assert ev.expected == D(50) and ev.expected_progress == D("0.5")
    assert ev.status == status
    assert ev.gap_to_expected == gap
    assert ev.gap_to_target == D(100) - D(actual)


@pytest.mark.parametrize(
    ("actual", "status", "gap"),
    [
        # lte, 100 → 50 (lower is better). expected at 2021-12-31 = 75. progress = (100 − actual)/50; gap = 75 − actual
        ("70", Status.ON_TRACK, D(5)),  # progress 0.6, ratio 1.2; below the path is good → positive gap
        ("75", Status.ON_TRACK, D(0)),
        ("76.25", Status.ON_TRACK, D("-1.25")),  # progress 0.475, ratio exactly 0.95
        ("76.26", Status.LAGGING, D("-1.26")),  # progress 0.4748
        ("78.75", Status.LAGGING, D("-3.75")),  # progress 0.425, ratio exactly 0.85
        ("78.76", Status.BEHIND, D("-3.76")),
        ("50", Status.ACHIEVED, D(25)),  # exactly at target
        ("49", Status.ACHIEVED, D(26)),  # better than target
    ],
)
def test_level_lte_boundaries(actual, status, gap):
    ev = run(level(LTE, baseline="100", target="50"), [at("2021-12-31", actual)], "2021-12-31")
    assert ev.expected == D(75)
    assert ev.status == status
    assert ev.gap_to_expected == gap
    assert ev.gap_to_target == D(actual) - D(50)  # still to go downwards: positive while above the ceiling


def test_level_lte_completion_is_target_over_actual():
    ev = run(level(LTE, baseline="100", target="50"), [at("2021-12-31", "80")], "2021-12-31")
    assert ev.completion == D("0.625")  # 50 / 80
    assert ev.progress == D("0.4")  # (100 − 80) / 50
    assert ev.gap_to_expected == D(-5)  # 80 vs expected 75, the wrong side
    assert ev.gap_to_target == D(30)  # 80 → 50


@pytest.mark.parametrize(
    ("actual", "status"),
    [
        ("51", Status.NOT_ACHIEVED),  # lte final: 51 > 50 → missed by 1
        ("50", Status.ACHIEVED),  # exactly at the ceiling
    ],
)
def test_level_lte_final(actual, status):
    ev = run(level(LTE, baseline="100", target="50"), [at("2022-12-31", actual)], "2022-12-31")
    assert ev.status == status and ev.final


# --- thresholds are configurable ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "thresholds", "status"),
    [
        # expected 50 at 2021-12-31; ratio = actual / 50
        ("46", Thresholds(), Status.LAGGING),  # ratio 0.92 with 0.95 / 0.85
        ("46", Thresholds(on_track=D("0.9")), Status.ON_TRACK),  # 0.92 ≥ 0.90
        ("45", Thresholds(on_track=D("0.9")), Status.ON_TRACK),  # exactly 0.90
        ("41", Thresholds(), Status.BEHIND),  # ratio 0.82
        ("41", Thresholds(lagging=D("0.8")), Status.LAGGING),  # 0.82 ≥ 0.80
        ("49", Thresholds(on_track=D("1"), lagging=D("0.99")), Status.BEHIND),  # strict: 0.98 < 0.99
    ],
)
def test_custom_thresholds(actual, thresholds, status):
    assert run(level(), [at("2021-12-31", actual)], "2021-12-31", thresholds).status == status


# --- approx ("左右"), range, exact ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "actual", "status", "code"),
    [
        # upward: 80 → 100 "左右", band ±5 % of 100 = ±5 (95–105); overshooting upward still passes
        ("80", "95", Status.ACHIEVED, "approx_within"),  # lower band edge: passes
        ("80", "94.99", Status.NOT_ACHIEVED, "final_short"),  # just below the band
        ("80", "100", Status.ACHIEVED, "approx_within"),  # inside
        ("80", "105", Status.ACHIEVED, "approx_within"),  # upper band edge: inside, no note
        ("80", "106", Status.ACHIEVED, "approx_over"),  # above the band: passes, flagged
        # downward: 120 → 100 "左右" (target below baseline, lower is the direction of travel)
        ("120", "105", Status.ACHIEVED, "approx_within"),  # upper band edge
        ("120", "105.01", Status.NOT_ACHIEVED, "final_short"),
        ("120", "95", Status.ACHIEVED, "approx_within"),  # lower band edge: inside
        ("120", "94", Status.ACHIEVED, "approx_over"),  # overshoot downward: passes, flagged
    ],
)
def test_approx_band(baseline, actual, status, code):
    ev = run(level(APPROX, baseline=baseline), [at("2022-12-31", actual)], "2022-12-31")
    assert (ev.status, ev.codes) == (status, (code,))
    if code.startswith("approx"):
        band = reason_of(ev, code)
        assert (band.get("low"), band.get("high"), band.get("tolerance")) == (D(95), D(105), D("0.05"))


@pytest.mark.parametrize(
    ("spec_tolerance", "thresholds", "actual", "status"),
    [
        (D("0.1"), Thresholds(), "90", Status.ACHIEVED),  # spec tolerance ±10 % → 90 is the edge
        (D("0.1"), Thresholds(), "89.9", Status.NOT_ACHIEVED),
        (None, Thresholds(tolerance=D("0.02")), "98", Status.ACHIEVED),  # plan tolerance ±2 % → 98 is the edge
        (None, Thresholds(tolerance=D("0.02")), "97.99", Status.NOT_ACHIEVED),
        (D("0.1"), Thresholds(tolerance=D("0.02")), "91", Status.ACHIEVED),  # the indicator's own tolerance wins
    ],
)
def test_approx_tolerance_sources(spec_tolerance, thresholds, actual, status):
    spec = level(APPROX, baseline="80", tolerance=spec_tolerance)
    assert run(spec, [at("2022-12-31", actual)], "2022-12-31", thresholds).status == status


def test_approx_inside_band_early_is_achieved_and_on_path_before():
    spec = level(APPROX, baseline="80")
    # 96 by end-2021 is already inside the band (95–105): achieved, not final
    early = run(spec, [at("2021-12-31", "96")], "2021-12-31")
    assert (early.status, early.final, early.codes) == (Status.ACHIEVED, False, ("approx_within",))
    # 88 at mid-path: expected 90 (80 + 20 × 0.5), progress 8/20 = 0.4, ratio 0.8 → behind
    mid = run(spec, [at("2021-12-31", "88")], "2021-12-31")
    assert (mid.expected, mid.progress, mid.status) == (D(90), D("0.4"), Status.BEHIND)


def test_approx_with_upper_bound_has_no_band_note():
    ev = run(level(APPROX, baseline="80", target_upper=D("110")), [at("2022-12-31", "120")], "2022-12-31")
    assert (ev.status, ev.codes) == (Status.ACHIEVED, ("met",))


def test_approx_without_baseline_reads_upward():
    # No baseline: direction defaults to "higher is better"; 94 is below the 95 edge → final miss, no path
    ev = run(level(APPROX, baseline=None), [at("2022-12-31", "94")], "2022-12-31")
    assert (ev.status, ev.codes) == (Status.NOT_ACHIEVED, ("no_baseline", "final_short"))


@pytest.mark.parametrize(
    ("actual", "status"),
    [
        ("30", Status.ACHIEVED),  # at the lower bound
        ("35", Status.ACHIEVED),  # inside
        ("45", Status.ACHIEVED),  # above the upper bound still passes (range passes at/above its lower bound)
        ("29.9", Status.NOT_ACHIEVED),
    ],
)
def test_range(actual, status):
    spec = level(RANGE, baseline="20", target="30", target_upper=D("40"))
    assert run(spec, [at("2022-12-31", actual)], "2022-12-31").status == status


def test_range_mid_plan_measured_against_lower_bound():
    # 20 → 30 (lower bound); at 2021-12-31 expected 25; actual 24 → progress 0.4, ratio 0.8 → behind
    ev = run(level(RANGE, baseline="20", target="30", target_upper=D("40")), [at("2021-12-31", "24")], "2021-12-31")
    assert (ev.expected, ev.progress, ev.status) == (D(25), D("0.4"), Status.BEHIND)


@pytest.mark.parametrize(
    ("decimals", "actual", "status"),
    [
        (0, "10", Status.ACHIEVED),
        (0, "10.4", Status.ACHIEVED),  # compared at the indicator's precision: rounds to 10
        (0, "11", Status.NOT_ACHIEVED),  # overshoot is a miss for "exact"
        (0, "9", Status.NOT_ACHIEVED),
        (2, "10.004", Status.ACHIEVED),  # 10.00
        (2, "10.01", Status.NOT_ACHIEVED),
    ],
)
def test_exact_final(decimals, actual, status):
    spec = level(EXACT, baseline="5", target="10", decimals=decimals)
    assert run(spec, [at("2022-12-31", actual)], "2022-12-31").status == status


def test_exact_mid_plan_follows_path():
    # 5 → 10; at 2021-12-31 expected 7.5; 7 → progress 0.4, ratio 0.8 → behind; 8 → ratio 1.2 → on track
    spec = level(EXACT, baseline="5", target="10")
    assert run(spec, [at("2021-12-31", "7")], "2021-12-31").status == Status.BEHIND
    assert run(spec, [at("2021-12-31", "8")], "2021-12-31").status == Status.ON_TRACK


def test_exact_downward_direction_from_baseline():
    # 10 → 5 "exact": downward; at 2021-12-31 expected 7.5; 7 is 0.5 ahead (progress 3/5 = 0.6, ratio 1.2)
    ev = run(level(EXACT, baseline="10", target="5"), [at("2021-12-31", "7")], "2021-12-31")
    assert (ev.status, ev.gap_to_expected, ev.gap_to_target) == (Status.ON_TRACK, D("0.5"), D(2))


# --- rate / share: gaps in percentage points ------------------------------------------------------------------------


def test_share_gap_in_percentage_points():
    # 30 % → 35 %; at 2021-12-31 expected 32.5 %; actual 32 → progress 2/5 = 0.4, ratio 0.8 → behind
    ev = run(share_spec(baseline="30", target="35"), [at("2021-12-31", "32")], "2021-12-31")
    assert (ev.expected, ev.progress, ev.gap_to_expected, ev.status) == (D("32.5"), D("0.4"), D("-0.5"), Status.BEHIND)
    assert ev.gap_to_target == D(3)  # 35 − 32 percentage points, not 3/35


def test_share_quarter_path():
    # 30 → 35 over 2021–2022; 2021-09-30 is 0.75 of 2 years → share 0.375, expected 30 + 5 × 0.375 = 31.875
    ev = run(share_spec(baseline="30", target="35"), [at("2021-09-30", "31.8")], "2021-09-30")
    # progress 1.8/5 = 0.36; ratio 0.36/0.375 = 0.96 → on track; gap 31.8 − 31.875 = −0.075 pp
    assert (ev.expected, ev.expected_progress, ev.gap_to_expected, ev.status) == (
        D("31.875"),
        D("0.375"),
        D("-0.075"),
        Status.ON_TRACK,
    )


def test_share_final_shortfall_in_percentage_points():
    ev = run(share_spec(baseline="30", target="35"), [at("2022-12-31", "33.5")], "2022-12-31")
    assert (ev.status, ev.gap_to_target, ev.codes) == (Status.NOT_ACHIEVED, D("1.5"), ("final_short",))


def test_permille_share_gap_in_permille_points():
    # 2 ‰ → 4 ‰; expected 3 at 2021-12-31; 2.5 → 0.5 short; progress 0.25, ratio 0.5 → behind
    spec = level(kind=Kind.RATE, is_share=True, unit="‰", baseline="2", target="4")
    ev = run(spec, [at("2021-12-31", "2.5")], "2021-12-31")
    assert (ev.expected, ev.gap_to_expected, ev.status) == (D(3), D("-0.5"), Status.BEHIND)


def test_rate_not_a_share_gap_in_its_unit():
    spec = level(kind=Kind.RATE, unit="人年", baseline="96.82", target="120", decimals=2)
    # expected at 2021-12-31: 96.82 + 23.18 × 0.5 = 108.41; actual 100 → 8.41 short
    ev = run(spec, [at("2021-12-31", "100")], "2021-12-31")
    assert (ev.expected, ev.gap_to_expected) == (D("108.41"), D("-8.41"))


def test_share_lte_lower_is_better():
    # unemployment-style: 5 % → 4.5 % (lte). Expected 4.75 at 2021-12-31; 4.7 is ahead by 0.05 pp
    # (progress 0.3/0.5 = 0.6, ratio 1.2)
    ev = run(share_spec(LTE, baseline="5", target="4.5"), [at("2021-12-31", "4.7")], "2021-12-31")
    assert (ev.status, ev.gap_to_expected, ev.gap_to_target) == (Status.ON_TRACK, D("0.05"), D("0.2"))


# --- zero and negative baselines, targets met at the start ----------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "progress", "status"),
    [
        # −10 → 10 (e.g. a net flow turning positive). expected at 2021-12-31 = 0 (share 0.5)
        ("0", D("0.5"), Status.ON_TRACK),
        ("-1", D("0.45"), Status.LAGGING),  # 9/20; ratio 0.9
        ("-10", D(0), Status.BEHIND),
        ("10", D(1), Status.ACHIEVED),
    ],
)
def test_level_negative_baseline(actual, progress, status):
    ev = run(level(baseline="-10", target="10"), [at("2021-12-31", actual)], "2021-12-31")
    assert (ev.expected, ev.progress, ev.status) == (D(0), progress, status)


@pytest.mark.parametrize(
    ("comparison", "baseline", "target", "actual", "status"),
    [
        (GTE, "30", "25", "28", Status.ACHIEVED),  # already above the floor and still there
        (GTE, "30", "25", "24", Status.BEHIND),  # fell below a floor met at the start: regression
        (LTE, "3", "5", "4", Status.ACHIEVED),  # already under the ceiling
        (LTE, "3", "5", "6", Status.BEHIND),  # crossed the ceiling: regression
        (GTE, "25", "25", "25", Status.ACHIEVED),  # target equal to baseline, held
        (GTE, "25", "25", "24", Status.BEHIND),  # target equal to baseline, slipped
    ],
)
def test_target_already_met_at_baseline(comparison, baseline, target, actual, status):
    ev = run(level(comparison, baseline=baseline, target=target), [at("2021-12-31", actual)], "2021-12-31")
    assert ev.status == status
    assert ev.codes == (("regressed",) if status == Status.BEHIND else ("met",))


def test_regression_at_the_due_date_is_final_not_achieved():
    ev = run(level(GTE, baseline="30", target="25"), [at("2022-12-31", "24")], "2022-12-31")
    assert (ev.status, ev.final, ev.codes) == (Status.NOT_ACHIEVED, True, ("final_short",))


# --- milestone path (yearly checkpoints) ----------------------------------------------------------------------------


def with_milestones(**kw) -> Spec:
    # 0 at end-2020, checkpoints 50 by 2021 and 80 by 2022, target 100 by 2023; 2019 and 2030 lie outside the span
    return level(target_year=2023, milestones=((2019, D(5)), (2021, D(50)), (2022, D(80)), (2030, D(200))), **kw)


@pytest.mark.parametrize(
    ("when", "expected", "share"),
    [
        ("2021-06-30", D(25), D("0.25")),  # 50 × 0.5 (half of the first leg); share 25/100
        ("2021-12-31", D(50), D("0.5")),  # first checkpoint, not 33.3 on a straight line
        ("2022-06-30", D(65), D("0.65")),  # 50 + 30 × 0.5
        ("2022-12-31", D(80), D("0.8")),
        ("2023-12-31", D(100), D(1)),
    ],
)
def test_milestone_path_is_piecewise(when, expected, share):
    ev = run(with_milestones(), [at(when, "1")], when)
    assert (ev.expected, ev.expected_progress) == (expected, share)


def test_milestone_path_after_the_due_date_stays_at_the_target():
    # viewed in 2024: the evaluation date is capped at the 2023 target date
    ev = run(with_milestones(), [at("2023-12-31", "1")], "2024-06-30")
    assert (ev.expected, ev.expected_progress, ev.final) == (D(100), D(1), True)


@pytest.mark.parametrize(
    ("actual", "status"),
    [
        ("50", Status.ON_TRACK),
        ("45", Status.LAGGING),  # 0.45 / 0.5 = 0.9; a straight 2020→2023 line would expect only 33.3 (on track)
        ("40", Status.BEHIND),  # 0.8
    ],
)
def test_milestone_path_statuses(actual, status):
    assert run(with_milestones(), [at("2021-12-31", actual)], "2021-12-31").status == status


def test_straight_line_without_milestones_for_comparison():
    # Same 45 against a straight 0 → 100 over 2021–2023: share 1/3 = 0.3333, ratio 0.45 / 0.3333 = 1.35 → on track.
    ev = run(level(target_year=2023), [at("2021-12-31", "45")], "2021-12-31")
    assert (ev.expected_progress, ev.expected, ev.status) == (D("0.3333"), D("33.3333"), Status.ON_TRACK)
