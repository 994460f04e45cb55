"""indicators.engine, what every kind shares: formatting and the elapsed share, missing data (no readings, no
target, no baseline), and the output invariants (Decimal everywhere, one Chinese sentence of explanation).

Pure unit tests, no database. Every expected number is worked out in the comment next to it; the day
counts behind them are listed in `tests/engine_helpers.py`.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicators import engine
from indicators.engine import Kind, Status, evaluate
from tests.engine_helpers import (
    APPROX, CJK, D, LTE, annual, assert_decimal_outputs, at, cumulative, d, growth, level, milestone, quarter,
    share_spec, talent_total, year,
)


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
