"""indicators.engine: target semantics and the time-proportional path (序时进度), evaluated by hand.

Pure unit tests, no database. Every expected number is worked out in the comment next to it. Day counts used below:

    2020-12-31 → 2021-12-31   365 days        2020-12-31 → 2022-12-31   730 days (no leap year in 2021–2022)
    2020-12-31 → 2023-12-31  1095 days        2020-12-31 → 2025-12-31  1826 days (2024 is a leap year)
    2022-12-31 → 2023-06-30   181 days (31+28+31+30+31+30) of 365

So a 2020 baseline with a 2022 target is exactly half way at 2021-12-31: the boundaries below are exact, not rounded.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import fields
from decimal import Decimal

import pytest

from indicators import engine
from indicators.engine import (
    Comparison,
    Evaluation,
    Kind,
    Observation,
    Spec,
    Status,
    Thresholds,
    YearResult,
    evaluate,
    yearly_sums,
)

D = Decimal
GTE, LTE, APPROX, RANGE, EXACT = (Comparison.GTE, Comparison.LTE, Comparison.APPROX, Comparison.RANGE,
                                  Comparison.EXACT)
MONTH, QUARTER, HALF, YEAR = 1, 2, 3, 4


# --- builders ------------------------------------------------------------------------------------------------------


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def year(y: int, value, label: str = "") -> Observation:
    return Observation(dt.date(y, 1, 1), dt.date(y, 12, 31), D(str(value)), YEAR, label or f"{y}年")


def quarter(y: int, q: int, value) -> Observation:
    start = dt.date(y, 3 * q - 2, 1)
    end = dt.date(y, 12, 31) if q == 4 else dt.date(y, 3 * q + 1, 1) - dt.timedelta(days=1)
    return Observation(start, end, D(str(value)), QUARTER, f"{y}Q{q}")


def half(y: int, h: int, value) -> Observation:
    start, end = (dt.date(y, 1, 1), dt.date(y, 6, 30)) if h == 1 else (dt.date(y, 7, 1), dt.date(y, 12, 31))
    return Observation(start, end, D(str(value)), HALF, f"{y}H{h}")


def month(y: int, m: int, value) -> Observation:
    end = dt.date(y, 12, 31) if m == 12 else dt.date(y, m + 1, 1) - dt.timedelta(days=1)
    return Observation(dt.date(y, m, 1), end, D(str(value)), MONTH, f"{y}-{m:02d}")


def at(date: str, value) -> Observation:
    """A point-in-time level reading (a stock at the end of a period)."""
    end = d(date)
    return Observation(end.replace(day=1), end, D(str(value)), QUARTER)


def level(comparison=GTE, *, baseline="0", target="100", baseline_year=2020, target_year=2022, start_year=2021,
          end_year=2025, **kw) -> Spec:
    """Default: 0 at end-2020 → 100 by end-2022, so 2021-12-31 expects exactly 50 (half way)."""
    return Spec(kind=kw.pop("kind", Kind.LEVEL), comparison=comparison, start_year=start_year, end_year=end_year,
                target=None if target is None else D(target), target_year=target_year,
                baseline=None if baseline is None else D(baseline), baseline_year=baseline_year, **kw)


def assert_decimal_outputs(ev: Evaluation) -> None:
    """No floats leak out: every numeric field is a Decimal (or None), year results included."""
    for f in fields(ev):
        value = getattr(ev, f.name)
        assert not isinstance(value, float), f.name
        if f.name in {"actual", "completion", "expected", "expected_progress", "progress", "gap", "growth_rate"}:
            assert value is None or isinstance(value, Decimal), (f.name, value)
    for y in ev.years:
        assert isinstance(y.actual, Decimal) and isinstance(y.target, Decimal)


CJK = re.compile(r"[\u4e00-\u9fff]")


# --- helpers: formatting and elapsed share -------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "decimals", "text"), [
    (D("26.40"), 2, "26.4"),      # trailing zeros trimmed
    (D("26"), 2, "26"),           # and the point with them
    (D("0.125"), 2, "0.13"),      # ROUND_HALF_UP, not banker's rounding
    (D("-0.001"), 2, "0"),        # no "-0"
    (D("1234.5"), 0, "1235"),
    (None, 2, "—"),
])
def test_fmt(value, decimals, text):
    assert engine.fmt(value, decimals) == text


def test_pct():
    assert engine.pct(D("0.59375")) == "59.4%"
    assert engine.pct(None) == "—"


@pytest.mark.parametrize(("when", "share"), [
    ("2020-06-30", D(0)),                 # before the start: clamped to 0
    ("2020-12-31", D(0)),
    ("2021-12-31", D("0.5")),             # 365 / 730
    ("2022-12-31", D(1)),
    ("2023-06-30", D(1)),                 # after the end: clamped to 1
])
def test_year_fraction(when, share):
    result = engine.year_fraction(d("2020-12-31"), d("2022-12-31"), d(when))
    assert result == share and isinstance(result, Decimal)


# --- level, gte: the 23.2 → 26.4 万人 example (baseline 2020, target 2025) -------------------------------------------


def talent_total(**kw) -> Spec:
    return level(baseline="23.2", target="26.4", baseline_year=2020, target_year=2025, unit="万人", decimals=1, **kw)


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


def share_spec(comparison=GTE, **kw) -> Spec:
    return level(comparison, kind=Kind.RATE, is_share=True, unit="%", **kw)


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


# --- missing data ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Kind.LEVEL, Kind.RATE, Kind.CUMULATIVE, Kind.ANNUAL, Kind.GROWTH, Kind.MILESTONE])
def test_no_observations(kind):
    ev = evaluate(level(kind=kind, baseline="100"), [], d("2022-06-30"))
    assert (ev.status, ev.final, ev.explanation) == (Status.NO_DATA, False, "尚无填报数据。")


@pytest.mark.parametrize("kind", [Kind.LEVEL, Kind.RATE, Kind.CUMULATIVE, Kind.ANNUAL, Kind.GROWTH])
def test_no_observations_after_due_date_is_final_no_data(kind):
    ev = evaluate(level(kind=kind, baseline="100"), [], d("2023-01-01"))
    assert (ev.status, ev.final) == (Status.NO_DATA, True)
    assert "规划期已满" in ev.explanation


@pytest.mark.parametrize("kind", [Kind.LEVEL, Kind.RATE, Kind.CUMULATIVE, Kind.ANNUAL, Kind.GROWTH])
def test_no_target_is_not_applicable(kind):
    ev = evaluate(level(kind=kind, target=None), [at("2021-12-31", "5")], d("2022-01-10"))
    assert (ev.status, ev.explanation) == (Status.NOT_APPLICABLE, "原文未设定目标值。")
    assert ev.label == "不适用"


def test_observations_after_as_of_are_ignored():
    obs = [at("2021-06-30", "20"), at("2021-12-31", "45"), at("2022-06-30", "99")]
    ev = evaluate(level(), obs, d("2021-12-31"))  # the 2022 reading has not happened yet
    assert (ev.actual, ev.actual_date, ev.status) == (D(45), d("2021-12-31"), Status.LAGGING)  # ratio 0.9


def test_only_future_observations_is_no_data():
    assert evaluate(level(), [at("2022-06-30", "99")], d("2022-06-29")).status == Status.NO_DATA


def test_period_ending_on_as_of_counts():
    assert evaluate(level(), [at("2021-12-31", "50")], d("2021-12-31")).actual == D(50)


def test_latest_reading_wins_and_annual_official_beats_quarter_estimate():
    # Q4 estimate and the official annual statistic end on the same day: the coarser (official) figure is used.
    obs = [at("2021-09-30", "40"), quarter(2021, 4, "52"), year(2021, "47.5", "2021年统计公报")]
    ev = evaluate(level(), obs, d("2022-03-01"))
    assert (ev.actual, ev.actual_label, ev.status) == (D("47.5"), "2021年统计公报", Status.ON_TRACK)


def test_level_missing_baseline_counts_from_zero_at_plan_start_and_says_so():
    # No baseline: path 0 at 2021-01-01 → 100 at 2022-12-31 (729 days); at 2021-12-31 364/729 = 0.4993
    ev = evaluate(level(baseline=None, baseline_year=None), [at("2021-12-31", "40")], d("2022-01-10"))
    assert ev.expected_progress == D("0.4993")
    assert ev.progress == D("0.4")  # ratio 0.801 → behind
    assert ev.status == Status.BEHIND
    assert ev.explanation.endswith("（原文无基期值，按自零起算）。")


def test_level_missing_baseline_no_note_once_achieved():
    ev = evaluate(level(baseline=None, baseline_year=None), [at("2021-12-31", "100")], d("2022-01-10"))
    assert ev.status == Status.ACHIEVED and "原文无基期值" not in ev.explanation


def test_level_baseline_year_defaults_to_year_before_plan():
    # baseline given without a year: taken at 2020-12-31 (start_year − 1) → same numbers as with 2020
    ev = evaluate(level(baseline_year=None), [at("2021-12-31", "50")], d("2022-01-10"))
    assert (ev.expected_progress, ev.status) == (D("0.5"), Status.ON_TRACK)


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


# --- cumulative -----------------------------------------------------------------------------------------------------


def cumulative(comparison=GTE, *, target="400", start_year=2021, end_year=2022, **kw) -> Spec:
    """累计招引400个 over 2021–2022: from 2020-12-31, expected 200 at 2021-12-31 (share 0.5)."""
    return Spec(kind=Kind.CUMULATIVE, comparison=comparison, start_year=start_year, end_year=end_year,
                target=D(target), unit="个", decimals=0, **kw)


@pytest.mark.parametrize(("quarters", "total", "status"), [
    ((50, 50, 50, 50), D(200), Status.ON_TRACK),   # exactly on the path
    ((50, 50, 45, 45), D(190), Status.ON_TRACK),   # 190/400 = 0.475 → ratio exactly 0.95
    ((50, 50, 45, 44), D(189), Status.LAGGING),    # ratio 0.945
    ((40, 40, 45, 45), D(170), Status.LAGGING),    # 0.425 → ratio exactly 0.85
    ((40, 40, 45, 44), D(169), Status.BEHIND),
    ((100, 100, 100, 100), D(400), Status.ACHIEVED),  # the whole plan total within the first year
])
def test_cumulative_quarters(quarters, total, status):
    obs = [quarter(2021, q, v) for q, v in enumerate(quarters, 1)]
    ev = evaluate(cumulative(), obs, d("2022-01-15"))
    assert (ev.actual, ev.expected, ev.status) == (total, D(200), status)
    assert ev.actual_date == d("2021-12-31")


def test_cumulative_mid_year_expectation():
    # Q1+Q2 2021 = 90 at 2021-06-30: share 181/730 = 0.24795, expected 99.18; progress 0.225, ratio 0.907 → lagging
    ev = evaluate(cumulative(), [quarter(2021, 1, 40), quarter(2021, 2, 50)], d("2021-07-10"))
    assert (ev.actual, ev.expected, ev.expected_progress) == (D(90), D("99.1781"), D("0.2479"))
    assert ev.status == Status.LAGGING
    assert ev.explanation == "累计完成90个，目标400个，完成进度22.5%，序时进度24.8%，较序时落后9个。"


def test_cumulative_annual_official_figure_replaces_quarterly_estimates():
    # Quarterly estimates 4 × 50 = 200 and the official 2021 figure 180: the year counts 180, not 380.
    obs = [quarter(2021, q, 50) for q in range(1, 5)] + [year(2021, 180)]
    ev = evaluate(cumulative(), obs, d("2022-03-01"))
    assert ev.actual == D(180)
    assert ev.status == Status.LAGGING  # 0.45 / 0.5 = 0.9


def test_cumulative_spans_years_with_mixed_granularity():
    # 2021: official 180 (quarters ignored); 2022: Q1 60 + Q2 70 (months Jan–Feb ignored: they cover fewer days)
    obs = ([quarter(2021, q, 50) for q in range(1, 5)] + [year(2021, 180)]
           + [month(2022, 1, 20), month(2022, 2, 20), quarter(2022, 1, 60), quarter(2022, 2, 70)])
    ev = evaluate(cumulative(), obs, d("2022-07-15"))
    # total 180 + 130 = 310 at 2022-06-30; share (365 + 181)/730 = 0.7479; expected 299.18 → ahead
    assert (ev.actual, ev.actual_date, ev.expected) == (D(310), d("2022-06-30"), D("299.1781"))
    assert ev.status == Status.ON_TRACK


def test_cumulative_ignores_periods_before_plan_start():
    obs = [year(2020, 300), quarter(2021, 1, 100)]
    ev = evaluate(cumulative(), obs, d("2021-04-10"))
    assert ev.actual == D(100)


def test_cumulative_only_pre_plan_data_is_no_data():
    ev = evaluate(cumulative(), [year(2020, 300)], d("2021-04-10"))
    assert (ev.status, ev.explanation) == (Status.NO_DATA, "规划期内尚无填报数据。")


@pytest.mark.parametrize(("values", "status", "phrase"), [
    ((200, 200), Status.ACHIEVED, "累计完成400个，已达到目标400个"),
    ((200, 190), Status.NOT_ACHIEVED, "规划期已满，累计完成390个，未达到目标400个，差10个"),
])
def test_cumulative_final(values, status, phrase):
    obs = [year(2021, values[0]), year(2022, values[1])]
    ev = evaluate(cumulative(), obs, d("2023-02-01"))
    assert (ev.status, ev.final) == (status, True)
    assert phrase in ev.explanation


def test_cumulative_final_verdict_ignores_years_after_the_plan():
    # 390 by end-2022 misses 400; a 2023 report must not turn the closed plan into "achieved".
    obs = [year(2021, 200), year(2022, 190), year(2023, 50)]
    ev = evaluate(cumulative(), obs, d("2024-02-01"))
    assert (ev.status, ev.actual) == (Status.NOT_ACHIEVED, D(390))


def test_cumulative_with_milestones():
    # checkpoints: 100 by 2021 (instead of the straight-line 200); 150 by 2021-12-31 is ahead
    spec = cumulative(milestones=((2021, D(100)),))
    ev = evaluate(spec, [year(2021, 150)], d("2022-01-15"))
    assert (ev.expected, ev.expected_progress, ev.gap, ev.status) == (D(100), D("0.25"), D(50), Status.ON_TRACK)


# --- yearly_sums: no double counting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("observations", "total", "used"), [
    ([year(2021, 120)], D(120), "2021年"),
    ([quarter(2021, q, 10) for q in (1, 2, 3)], D(30), "2021Q3"),                  # partial year: latest quarter
    ([*(quarter(2021, q, 10) for q in range(1, 5)), year(2021, 45)], D(45), "2021年"),   # annual wins the tie
    ([*(month(2021, m, 5) for m in range(1, 7)), quarter(2021, 1, 13)], D(30), "2021-06"),  # 181 days > 90 days
    ([*(month(2021, m, 5) for m in range(1, 4)), quarter(2021, 1, 13)], D(13), "2021Q1"),   # tie 90/90: coarser
    ([half(2021, 1, 100), *(quarter(2021, q, 40) for q in (1, 2, 3))], D(120), "2021Q3"),   # 273 > 181 days
    ([half(2021, 1, 100), half(2021, 2, 90), *(quarter(2021, q, 40) for q in range(1, 5))], D(190), "2021H2"),
])
def test_yearly_sums(observations, total, used):
    sums = yearly_sums(observations)
    assert list(sums) == [2021]
    value, latest = sums[2021]
    assert value == total and isinstance(value, Decimal)
    assert latest.label == used


def test_yearly_sums_keeps_years_apart():
    sums = yearly_sums([year(2021, 10), quarter(2022, 1, 3), quarter(2022, 2, 4)])
    assert {y: v for y, (v, _) in sums.items()} == {2021: D(10), 2022: D(7)}


# --- annual quota ---------------------------------------------------------------------------------------------------


def annual(comparison=GTE, *, target="10", **kw) -> Spec:
    """每年引进10名以上, 2021–2025."""
    return Spec(kind=Kind.ANNUAL, comparison=comparison, start_year=2021, end_year=2025, target=D(target),
                unit="名", decimals=0, **kw)


@pytest.mark.parametrize(("q1", "q2", "status"), [
    # at 2023-06-30 the year is 181/365 = 0.49589 done; expected 4.9589 of 10
    (2, 3, Status.ON_TRACK),   # 5 → progress 0.5, ratio 1.008
    (2, 2.5, Status.LAGGING),  # 4.5 → ratio 0.907
    (2, 2, Status.BEHIND),     # 4 → ratio 0.807
])
def test_annual_current_year_sequencing(q1, q2, status):
    ev = evaluate(annual(), [quarter(2023, 1, q1), quarter(2023, 2, q2)], d("2023-07-10"))
    assert (ev.expected, ev.expected_progress) == (D("4.9589"), D("0.4959"))
    assert ev.status == status
    assert ev.explanation.startswith("2023年完成")
    assert ev.final is False
    assert [y.year for y in ev.years] == [2023] and ev.years[0].met is False


def test_annual_past_year_missed_makes_current_behind():
    # 2021: 10 (met), 2022: 8 (missed), 2023 H1: 6 (ahead of 4.96 on its own)
    obs = [year(2021, 10), year(2022, 8), quarter(2023, 1, 3), quarter(2023, 2, 3)]
    ev = evaluate(annual(), obs, d("2023-07-10"))
    assert ev.years == (
        YearResult(2021, D(10), D(10), True),
        YearResult(2022, D(8), D(10), False),
        YearResult(2023, D(6), D(10), False),
    )
    assert ev.progress == D("0.6")  # the current year itself is ahead …
    assert ev.status == Status.BEHIND  # … but a missed year makes the indicator behind
    assert ev.explanation.endswith("；2022年未完成年度任务。")


def test_annual_past_years_all_met_current_year_judged_alone():
    obs = [year(2021, 12), year(2022, 10), quarter(2023, 1, 3), quarter(2023, 2, 2)]
    ev = evaluate(annual(), obs, d("2023-07-10"))
    assert ev.status == Status.ON_TRACK  # 5 vs 4.96
    assert "未完成年度任务" not in ev.explanation


def test_annual_latest_complete_year_short_is_behind_not_final():
    # Only 2022 reported, and it closed at 7 of 10: the year failed, the plan continues → behind.
    ev = evaluate(annual(), [year(2022, 7)], d("2023-03-01"))
    assert (ev.status, ev.final) == (Status.BEHIND, False)


def test_annual_current_year_quota_met_early():
    ev = evaluate(annual(), [quarter(2023, 1, 6), quarter(2023, 2, 5)], d("2023-07-10"))
    assert (ev.status, ev.final, ev.completion) == (Status.ACHIEVED, False, D("1.1"))


def test_annual_no_double_counting_within_a_year():
    obs = [quarter(2023, q, 3) for q in range(1, 5)] + [year(2023, 9)]  # official 9, not 12 + 9
    ev = evaluate(annual(), obs, d("2024-02-01"))
    assert ev.years == (YearResult(2023, D(9), D(10), False),)


@pytest.mark.parametrize(("values", "status", "suffix"), [
    ((10, 11, 10, 12, 10), Status.ACHIEVED, ""),
    ((10, 11, 9, 12, 10), Status.NOT_ACHIEVED, "2023年未完成年度任务。"),
    ((10, 11, 10, 12), Status.NOT_ACHIEVED, "部分年度无数据。"),   # 2025 never reported
])
def test_annual_final(values, status, suffix):
    obs = [year(2021 + i, v) for i, v in enumerate(values)]
    ev = evaluate(annual(), obs, d("2026-02-01"))
    assert (ev.status, ev.final) == (status, True)
    assert ev.explanation.endswith(suffix)
    assert len(ev.years) == len(values)


def test_annual_ignores_years_outside_plan():
    obs = [year(2020, 1), year(2021, 10), year(2026, 0)]
    ev = evaluate(annual(), obs, d("2027-01-01"))
    assert [y.year for y in ev.years] == [2021]


def test_annual_milestones_set_per_year_targets():
    # ramping quota: 5 in 2021, 8 in 2022, 10 afterwards
    spec = annual(milestones=((2021, D(5)), (2022, D(8))))
    ev = evaluate(spec, [year(2021, 6), year(2022, 8), quarter(2023, 1, 3), quarter(2023, 2, 2)], d("2023-07-10"))
    assert [(y.target, y.met) for y in ev.years] == [(D(5), True), (D(8), True), (D(10), False)]
    assert ev.status == Status.ON_TRACK


def test_annual_lte_ceiling_year_by_year():
    # "每年不超过3起": 2021 had 4 (missed); at final, not achieved
    spec = annual(LTE, target="3")
    ev = evaluate(spec, [year(y, v) for y, v in zip(range(2021, 2026), (4, 2, 3, 1, 0))], d("2026-01-05"))
    assert ev.status == Status.NOT_ACHIEVED
    assert [y.met for y in ev.years] == [False, True, True, True, True]


# --- growth (compound annual) ---------------------------------------------------------------------------------------


def growth(comparison=GTE, *, target="8", baseline="100", baseline_year=2020, target_year=2025, **kw) -> Spec:
    return Spec(kind=Kind.GROWTH, comparison=comparison, start_year=2021, end_year=2025, target=D(target),
                target_year=target_year, baseline=None if baseline is None else D(baseline),
                baseline_year=baseline_year, unit="万人", **kw)


@pytest.mark.parametrize(("when", "value", "rate"), [
    ("2022-12-31", "116.64", D("8.00")),     # 1.08² = 1.1664 over exactly two calendar years
    ("2021-12-31", "110", D("10.00")),
    ("2022-12-31", "121", D("10.00")),       # 1.1²
    ("2023-12-31", "133.1", D("10.00")),     # 1.1³
    ("2025-12-31", "146.932808", D("8.00")),  # 1.08⁵ = 1.4693280768, over a leap year
    ("2021-12-31", "90", D("-10.00")),
    ("2022-12-31", "100", D("0.00")),
])
def test_growth_cagr_to_two_decimals(when, value, rate):
    ev = evaluate(growth(target_year=2030), [at(when, value)], d(when))
    assert ev.growth_rate == rate
    assert isinstance(ev.growth_rate, Decimal)


def test_growth_example_116_64():
    ev = evaluate(growth(), [at("2022-12-31", "116.64")], d("2023-01-15"))
    # rate 8.00 % = target: ratio 1; expected level 100 × 1.08² = 116.64; 2 of 5 years elapsed
    assert (ev.growth_rate, ev.progress, ev.gap) == (D("8.00"), D(1), D(0))
    assert (ev.expected, ev.expected_progress) == (D("116.64"), D("0.4"))
    assert ev.status == Status.ON_TRACK
    assert ev.explanation == "基期2020年100万人，现为116.64万人，年均增长8%，目标8%，高于目标0个百分点。"


@pytest.mark.parametrize(("value", "rate", "status"), [
    # target 10 %/yr; two years in. ratio = rate / 10
    ("120.1216", D("9.60"), Status.ON_TRACK),   # 1.096² → ratio 0.96
    ("118.81", D("9.00"), Status.LAGGING),      # 1.09² → 0.90
    ("116.64", D("8.00"), Status.BEHIND),       # 1.08² → 0.80
    ("95", None, Status.BEHIND),                # shrinking: negative rate
])
def test_growth_status(value, rate, status):
    ev = evaluate(growth(target="10"), [at("2022-12-31", value)], d("2023-01-15"))
    assert ev.status == status
    if rate is not None:
        assert ev.growth_rate == rate
    assert ev.explanation.endswith("个百分点。")


def test_growth_mid_year_elapsed_time():
    # 2021-06-30 is 181/365 of a year after the baseline; 100 → 105 gives 1.05^(365/181) − 1 = 10.34 %
    ev = evaluate(growth(), [at("2021-06-30", "105")], d("2021-07-10"))
    assert ev.growth_rate == D("10.34")
    assert ev.status == Status.ON_TRACK


def test_growth_final_level_reached_early_is_achieved():
    # final level 100 × 1.08⁵ = 146.93; 150 by 2023 is already there
    ev = evaluate(growth(), [at("2023-12-31", "150")], d("2024-01-15"))
    assert (ev.status, ev.final) == (Status.ACHIEVED, False)


@pytest.mark.parametrize(("comparison", "value", "status", "phrase"), [
    (GTE, "146.932808", Status.ACHIEVED, "已达到目标"),                  # 8.00 %
    (GTE, "140.255173", Status.NOT_ACHIEVED, "规划期已满，差1个百分点"),  # 1.07⁵ = 1.40255173 → 7.00 %
    (APPROX, "144.9", Status.ACHIEVED, "已达到目标"),                   # 1.449^(1/5) → 7.70 %: inside "8 %左右" (≥ 7.6)
    (APPROX, "144.2", Status.NOT_ACHIEVED, "差0.4个百分点"),             # 7.595 %: just below the 7.6 band edge
    (APPROX, "140.255173", Status.NOT_ACHIEVED, "差1个百分点"),          # 7.00 % < 7.6
    (LTE, "140.255173", Status.ACHIEVED, "已达到目标"),                  # "不超过8 %": 7 % is fine
    (LTE, "161.051", Status.NOT_ACHIEVED, "差2个百分点"),                # 1.1⁵ → 10.00 %, 2 pp over the ceiling
])
def test_growth_final(comparison, value, status, phrase):
    ev = evaluate(growth(comparison), [at("2025-12-31", value)], d("2026-01-15"))
    assert (ev.status, ev.final) == (status, True)
    assert phrase in ev.explanation


@pytest.mark.parametrize(("value", "rate", "gap", "status"), [
    # "年均增长不超过3%" (lte), two years in: lower growth is better; gap = 3 − rate; ratio = 3 / rate when above
    ("104.04", D("2.00"), D(1), Status.ON_TRACK),     # 1.02² → 2 %: under the ceiling, 1 pp to spare
    ("106.09", D("3.00"), D(0), Status.ON_TRACK),     # 1.03² → exactly 3 %
    ("106.7", D("3.30"), D("-0.2957"), Status.LAGGING),  # √1.067 − 1 = 3.2957 %: ratio 3/3.2957 = 0.910
    ("108.16", D("4.00"), D(-1), Status.BEHIND),      # 1.04² → 4 %: ratio 0.75
    ("200", D("41.42"), D("-38.4214"), Status.BEHIND),  # far above the final level: a ceiling is never met early
])
def test_growth_lte_ceiling(value, rate, gap, status):
    ev = evaluate(growth(LTE, target="3"), [at("2022-12-31", value)], d("2023-01-15"))
    assert (ev.growth_rate, ev.gap, ev.status) == (rate, gap, status)


@pytest.mark.parametrize(("baseline", "baseline_year", "explanation"), [
    (None, 2020, "缺少基期值，无法计算年均增长。"),
    ("100", None, "缺少基期值，无法计算年均增长。"),
    ("0", 2020, "基期值不为正，无法计算年均增长。"),
    ("-5", 2020, "基期值不为正，无法计算年均增长。"),
])
def test_growth_unusable_baseline_is_no_data(baseline, baseline_year, explanation):
    ev = evaluate(growth(baseline=baseline, baseline_year=baseline_year), [at("2022-12-31", "120")], d("2023-01-15"))
    assert (ev.status, ev.explanation) == (Status.NO_DATA, explanation)


def test_growth_non_positive_actual_is_behind():
    ev = evaluate(growth(), [at("2022-12-31", "0")], d("2023-01-15"))
    assert ev.status == Status.BEHIND and "不为正" in ev.explanation


def test_growth_reading_at_baseline():
    ev = evaluate(growth(), [at("2020-12-31", "100")], d("2021-01-15"))
    assert (ev.status, ev.explanation) == (Status.ON_TRACK, "尚处基期，暂无增长可计。")


# --- milestone (qualitative) ----------------------------------------------------------------------------------------


def milestone(**kw) -> Spec:
    return Spec(kind=Kind.MILESTONE, comparison=GTE, start_year=2021, end_year=2025, target=kw.pop("target", None),
                target_year=2023, **kw)


@pytest.mark.parametrize(("values", "as_of", "status", "final", "explanation"), [
    (("1",), "2022-06-30", Status.ACHIEVED, False, "已完成。"),
    (("0",), "2022-06-30", Status.ON_TRACK, False, "尚未完成，时限2023年底。"),
    (("0",), "2024-01-01", Status.NOT_ACHIEVED, True, "未完成，已逾期（时限2023年底）。"),
    (("1",), "2024-01-01", Status.ACHIEVED, True, "已完成。"),
    (("0", "1"), "2022-12-31", Status.ACHIEVED, False, "已完成。"),   # the later report supersedes
    (("0.5",), "2022-06-30", Status.ON_TRACK, False, "尚未完成，时限2023年底。"),  # partial is not done
])
def test_milestone(values, as_of, status, final, explanation):
    obs = [at(f"{2021 + i}-12-31", v) for i, v in enumerate(values)]
    ev = evaluate(milestone(), obs, d(as_of))
    assert (ev.status, ev.final, ev.explanation) == (status, final, explanation)
    assert ev.completion == (D(1) if status == Status.ACHIEVED else D(0))


def test_milestone_with_explicit_target():
    # target 3 (e.g. three sub-systems): 2 is not done
    ev = evaluate(milestone(target=D(3)), [at("2021-12-31", "2")], d("2022-01-10"))
    assert ev.status == Status.ON_TRACK


# --- output invariants: Decimal everywhere, Chinese one-liners -------------------------------------------------------


SCENARIOS = {
    "level on track": (talent_total(), [at("2023-12-31", "25.1")], "2024-02-01"),
    "level final miss": (talent_total(), [at("2025-12-31", "26")], "2026-01-15"),
    "level lte": (level(LTE, baseline="100", target="50"), [at("2021-12-31", "80")], "2022-01-10"),
    "level no baseline": (level(baseline=None, baseline_year=None), [at("2021-12-31", "40")], "2022-01-10"),
    "share": (share_spec(baseline="30", target="35"), [at("2021-12-31", "32")], "2022-01-10"),
    "approx over": (level(APPROX, baseline="80"), [at("2022-12-31", "106")], "2023-01-01"),
    "cumulative": (cumulative(), [quarter(2021, 1, 40), quarter(2021, 2, 50)], "2021-07-10"),
    "annual": (annual(), [year(2021, 10), year(2022, 8), quarter(2023, 1, 3)], "2023-07-10"),
    "annual final": (annual(), [year(y, 10) for y in range(2021, 2026)], "2026-02-01"),
    "growth": (growth(), [at("2022-12-31", "116.64")], "2023-01-15"),
    "growth lte": (growth(LTE, target="3"), [at("2022-12-31", "108.16")], "2023-01-15"),
    "milestone": (milestone(), [at("2021-12-31", "0")], "2022-01-10"),
    "no data": (level(), [], "2022-01-10"),
    "not applicable": (level(target=None), [at("2021-12-31", "1")], "2022-01-10"),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_outputs_are_decimal_and_explained_in_chinese(name):
    spec, obs, as_of = SCENARIOS[name]
    ev = evaluate(spec, obs, d(as_of))
    assert_decimal_outputs(ev)
    assert CJK.search(ev.explanation), ev.explanation
    assert ev.explanation.endswith("。") and "\n" not in ev.explanation
    assert ev.label == engine.STATUS_LABELS[ev.status]


def test_status_severity_orders_worst_first():
    order = sorted(Status, key=lambda s: engine.STATUS_SEVERITY[s])
    assert order[:3] == [Status.NOT_ACHIEVED, Status.BEHIND, Status.LAGGING]
    assert order[-1] == Status.NOT_APPLICABLE
