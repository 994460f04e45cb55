"""indicators.engine, what every kind shares: the month calendar, the evaluation date (carried figures), missing data
(no readings, no target, no baseline), final and provisional verdicts, and the output invariants (Decimal
everywhere, reasons as codes, no sentences).

Pure unit tests, no database. Every expected number is worked out in the comment next to it; the calendar positions
behind them are listed in `tests/engine_helpers.py`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pytest

from indicators import engine
from indicators.engine import Evaluation, Kind, Status, fraction, position
from tests.indicators.engine.builders import (
    APPROX,
    LTE,
    D,
    annual,
    at,
    cumulative,
    d,
    growth,
    level,
    milestone,
    quarter,
    reason_of,
    run,
    share_spec,
    talent_total,
    year,
)

# --- the month calendar --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "pos"),
    [
        ("2020-12-31", D(2020)),  # end of year Y is exactly Y
        ("2021-03-31", D("2020.25")),  # (2 + 31/31) / 12 = 3/12
        ("2021-06-30", D("2020.5")),  # (5 + 30/30) / 12 = 6/12
        ("2021-09-30", D("2020.75")),  # 9/12
        ("2021-12-31", D(2021)),
    ],
)
def test_position_on_the_month_calendar(when, pos):
    assert position(d(when)) == pos


def test_position_spreads_a_months_days_evenly():
    # 2021-01-15: (0 + 15/31) / 12; 2021-02-14 is half of February: (1 + 14/28) / 12 = 1.5/12 = 0.125
    assert position(d("2021-02-14")) == D("2020.125")
    assert D(2020) < position(d("2021-01-15")) < D("2020.0417")  # 15/31/12 = 0.0403
    # the end of February is 2/12 of a year in a leap year and a common year alike
    leap, common = position(d("2024-02-29")) - 2023, position(d("2023-02-28")) - 2022
    assert leap == common and leap.quantize(D("0.000001")) == D("0.166667")


@pytest.mark.parametrize(
    ("start", "end", "when", "share"),
    [
        ("2020-12-31", "2022-12-31", "2020-06-30", D(0)),  # before the start: clamped to 0
        ("2020-12-31", "2022-12-31", "2020-12-31", D(0)),
        ("2020-12-31", "2022-12-31", "2021-06-30", D("0.25")),  # 0.5 / 2
        ("2020-12-31", "2022-12-31", "2021-12-31", D("0.5")),  # 1 / 2
        ("2020-12-31", "2022-12-31", "2022-12-31", D(1)),
        ("2020-12-31", "2022-12-31", "2023-06-30", D(1)),  # after the end: clamped to 1
        ("2020-12-31", "2025-12-31", "2024-12-31", D("0.8")),  # year 4 of 5: exactly 80 % (days: 1461/1826 = 80.01 %)
        ("2020-12-31", "2025-12-31", "2023-12-31", D("0.6")),  # 3 / 5
        ("2020-12-31", "2025-12-31", "2025-06-30", D("0.9")),  # 4.5 / 5
        ("2022-12-31", "2023-12-31", "2023-03-31", D("0.25")),  # a quarter is a quarter of a year (days: 90/365)
        ("2022-12-31", "2023-12-31", "2023-09-30", D("0.75")),
        ("2022-12-31", "2022-12-31", "2022-12-31", D(1)),  # an empty span is done
    ],
)
def test_fraction(start, end, when, share):
    result = fraction(d(start), d(end), d(when))
    assert result == share and isinstance(result, Decimal)


# --- the evaluation date: silence is not progress --------------------------------------------------------------------


def test_carried_figure_is_judged_at_the_viewed_date():
    # 30 at 2021-06-30, viewed at 2021-12-31: expected 100 × 1/2 = 50 (not 25, the path at the figure's date);
    # progress 0.3, ratio 0.3 / 0.5 = 0.6 → behind. The figure says it is carried, with its period.
    ev = run(level(), [at("2021-06-30", "30")], "2021-12-31")
    assert (ev.expected, ev.expected_progress, ev.progress) == (D(50), D("0.5"), D("0.3"))
    assert (ev.status, ev.stale, ev.actual_date, ev.actual_label) == (Status.BEHIND, True, d("2021-06-30"), "2021Q2")
    assert ev.codes == ("carried", "path")
    assert reason_of(ev, "carried").get("period") == "2021Q2"
    # Viewed at its own period the same figure is ahead: expected 25, ratio 0.3 / 0.25 = 1.2
    own = run(level(), [at("2021-06-30", "30")], "2021-06-30")
    assert (own.status, own.stale, own.codes) == (Status.ON_TRACK, False, ("path",))


def test_observations_after_as_of_are_ignored():
    obs = [at("2021-06-30", "20"), at("2021-12-31", "45"), at("2022-06-30", "99")]
    ev = run(level(), obs, "2021-12-31")  # the 2022 reading has not happened yet
    # 45 vs expected 50: progress 0.45, ratio 0.9 → lagging
    assert (ev.actual, ev.actual_date, ev.stale, ev.status) == (D(45), d("2021-12-31"), False, Status.LAGGING)


def test_only_future_observations_is_no_data():
    ev = run(level(), [at("2022-06-30", "99")], "2022-03-31")
    assert (ev.status, ev.codes) == (Status.NO_DATA, ("no_data",))


def test_latest_reading_wins_and_annual_official_beats_quarter_estimate():
    # Q4 estimate and the official annual statistic end on the same day: the coarser (official) figure is used.
    # 47.5 vs expected 50: progress 0.475, ratio 0.475 / 0.5 = 0.95 exactly → on track (boundary inclusive)
    obs = [at("2021-09-30", "40"), quarter(2021, 4, "52"), year(2021, "47.5", "2021年统计公报")]
    ev = run(level(), obs, "2021-12-31")
    assert (ev.actual, ev.actual_label, ev.stale, ev.status) == (D("47.5"), "2021年统计公报", False, Status.ON_TRACK)


def test_before_the_plan_starts_is_not_started():
    ev = run(level(), [at("2020-12-31", "5")], "2020-12-31")  # plan starts 2021-01-01
    assert (ev.status, ev.codes, reason_of(ev, "not_started").get("year")) == (Status.NO_DATA, ("not_started",), 2021)


def test_bad_figure_is_not_computable_not_a_crash():
    # NaN cannot be compared: the page shows no verdict instead of a traceback
    ev = run(level(), [at("2021-12-31", "NaN")], "2021-12-31")
    assert (ev.status, ev.codes) == (Status.NO_DATA, ("not_computable",))
    assert reason_of(ev, "not_computable").get("error") == InvalidOperation.__name__


# --- missing data ---------------------------------------------------------------------------------------------------

NOT_ANNUAL = [Kind.LEVEL, Kind.RATE, Kind.CUMULATIVE, Kind.GROWTH, Kind.MILESTONE]


@pytest.mark.parametrize("kind", NOT_ANNUAL)
def test_no_observations(kind):
    ev = run(level(kind=kind, baseline="100"), [], "2022-06-30")
    assert (ev.status, ev.final, ev.codes) == (Status.NO_DATA, False, ("no_data",))


def test_annual_no_observations_in_its_first_year_is_no_data():
    assert run(annual(), [], "2021-06-30").codes == ("no_data",)


def test_annual_no_observations_later_is_a_missed_year():
    # 2021 passed without a figure: a missed year, never "no data yet"; 2022 H1 expects 5 of 10 and has 0 → ratio 0
    ev = run(annual(), [], "2022-06-30")
    assert ev.status == Status.BEHIND
    assert ev.codes == ("year_unreported", "years_unreported", "year_pace")
    assert [(y.year, y.reported) for y in ev.years] == [(2021, False), (2022, False)]


@pytest.mark.parametrize("kind", [*NOT_ANNUAL, Kind.ANNUAL])
def test_no_observations_after_due_date_is_final_not_achieved(kind):
    # due 2022-12-31 and its period closed: no figure at all is a failure, for every kind, milestones included
    ev = run(level(kind=kind, baseline="100"), [], "2022-12-31")
    assert (ev.status, ev.final, ev.codes) == (Status.NOT_ACHIEVED, True, ("no_data_final",))


@pytest.mark.parametrize("kind", [Kind.LEVEL, Kind.RATE, Kind.CUMULATIVE, Kind.ANNUAL, Kind.GROWTH])
def test_no_target_is_not_applicable(kind):
    ev = run(level(kind=kind, target=None), [at("2021-12-31", "5")], "2021-12-31")
    assert (ev.status, ev.codes, ev.actual) == (Status.NOT_APPLICABLE, ("no_target",), D(5))


def test_period_ending_on_as_of_counts():
    ev = run(level(), [at("2021-12-31", "50")], "2021-12-31")
    assert (ev.actual, ev.stale, ev.gap_to_expected) == (D(50), False, D(0))


# --- no baseline: judged against the target only --------------------------------------------------------------------


def test_level_missing_baseline_is_below_target_not_a_path_from_zero():
    # Old engine: path 0 → 100 from the plan start, "behind" or even "on track". Now: no path, no 序时.
    ev = run(level(baseline=None, baseline_year=None), [at("2021-12-31", "40")], "2021-12-31")
    assert (ev.status, ev.codes) == (Status.BELOW_TARGET, ("no_baseline", "below_target"))
    assert (ev.expected, ev.expected_progress, ev.progress, ev.gap_to_expected) == (None, None, None, None)
    assert (ev.completion, ev.gap_to_target) == (D("0.4"), D(60))  # 40 / 100; 100 − 40


def test_level_missing_baseline_met_is_achieved():
    ev = run(level(baseline=None, baseline_year=None), [at("2021-12-31", "100")], "2021-12-31")
    assert (ev.status, ev.codes, ev.final) == (Status.ACHIEVED, ("no_baseline", "met"), False)


def test_level_missing_baseline_final_short():
    ev = run(level(baseline=None, baseline_year=None), [at("2022-12-31", "99")], "2022-12-31")
    assert (ev.status, ev.final, ev.codes) == (Status.NOT_ACHIEVED, True, ("no_baseline", "final_short"))


def test_level_zero_baseline_is_a_real_baseline():
    # A printed 0 is not "missing": 0 → 100, 50 at 2021-12-31 is exactly on the path
    ev = run(level(baseline="0"), [at("2021-12-31", "50")], "2021-12-31")
    assert (ev.status, ev.codes) == (Status.ON_TRACK, ("path",))


def test_level_baseline_year_defaults_to_year_before_plan():
    # baseline given without a year: taken at 2020-12-31 (start_year − 1) → same numbers as with 2020
    ev = run(level(baseline_year=None), [at("2021-12-31", "50")], "2021-12-31")
    assert (ev.expected_progress, ev.status) == (D("0.5"), Status.ON_TRACK)


def test_at_start_of_the_path():
    # baseline at the end of the plan's first year (2021): at 2021-06-30 the path has not started (share clamped
    # to 0), so any figure short of the target is "at the start", on track
    ev = run(level(baseline_year=2021, target_year=2023), [at("2021-06-30", "0")], "2021-06-30")
    assert (ev.status, ev.codes, ev.expected_progress, ev.expected) == (Status.ON_TRACK, ("at_start",), D(0), D(0))


# --- final and provisional ------------------------------------------------------------------------------------------


def test_final_needs_the_due_period_closed():
    # level 0 → 100 due 2022-12-31; 90 at the due date: progress 0.9, share 1
    obs = [at("2022-12-31", "90")]
    closed = run(level(), obs, "2022-12-31")
    assert (closed.status, closed.final, closed.provisional) == (Status.NOT_ACHIEVED, True, False)
    assert (closed.codes, closed.gap_to_target) == (("final_short",), D(10))
    # the same view while 2022-12-31 is still open: a ratio status (0.9 / 1 → lagging), provisional, not final
    open_ = run(level(), obs, "2022-12-31", open_dates=["2022-12-31"])
    assert (open_.status, open_.final, open_.provisional) == (Status.LAGGING, False, True)
    assert open_.codes == ("path", "provisional")


def test_open_period_before_the_due_date_is_provisional():
    ev = run(level(), [at("2021-12-31", "50")], "2021-12-31", open_dates=["2021-12-31"])
    assert (ev.status, ev.provisional, ev.final, ev.codes) == (Status.ON_TRACK, True, False, ("path", "provisional"))


def test_other_open_periods_do_not_make_the_view_provisional():
    ev = run(level(), [at("2021-12-31", "50")], "2021-12-31", open_dates=["2022-03-31"])
    assert (ev.provisional, ev.codes) == (False, ("path",))


def test_final_verdict_ignores_figures_after_the_due_date():
    # 100 reached only in 2023: at 2023-12-31 the verdict on a 2022 target still reads the 2022 figure
    ev = run(level(), [at("2022-12-31", "90"), at("2023-12-31", "100")], "2023-12-31")
    assert (ev.status, ev.final, ev.actual, ev.stale) == (Status.NOT_ACHIEVED, True, D(90), False)


# --- output invariants: Decimal everywhere, reasons as codes ---------------------------------------------------------

SCENARIOS = {
    "level on track": (talent_total(), [at("2023-12-31", "25.1")], "2023-12-31"),
    "level final miss": (talent_total(), [at("2025-12-31", "26")], "2025-12-31"),
    "level carried": (talent_total(), [year(2021, "24")], "2023-12-31"),
    "level lte": (level(LTE, baseline="100", target="50"), [at("2021-12-31", "80")], "2021-12-31"),
    "level no baseline": (level(baseline=None, baseline_year=None), [at("2021-12-31", "40")], "2021-12-31"),
    "share": (share_spec(baseline="30", target="35"), [at("2021-12-31", "32")], "2021-12-31"),
    "approx over": (level(APPROX, baseline="80"), [at("2022-12-31", "106")], "2022-12-31"),
    "cumulative": (cumulative(), [quarter(2021, 1, 40), quarter(2021, 2, 50)], "2021-06-30"),
    "annual": (annual(), [year(2021, 10), year(2022, 8), quarter(2023, 1, 3)], "2023-06-30"),
    "annual final": (annual(), [year(y, 10) for y in range(2021, 2026)], "2025-12-31"),
    "growth": (growth(), [at("2022-12-31", "116.64")], "2022-12-31"),
    "growth lte": (growth(LTE, target="3"), [at("2022-12-31", "108.16")], "2022-12-31"),
    "milestone": (milestone(), [at("2021-12-31", "0")], "2021-12-31"),
    "no data": (level(), [], "2021-12-31"),
    "not applicable": (level(target=None), [at("2021-12-31", "1")], "2021-12-31"),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_outputs_are_decimal_and_reasons_are_codes(name):
    spec, obs, as_of = SCENARIOS[name]
    ev = run(spec, obs, as_of)  # `run` checks every numeric output is a Decimal
    assert ev.codes and all(c.isascii() and c.replace("_", "").isalpha() for c in ev.codes)
    assert not hasattr(ev, "explanation") and not hasattr(ev, "label")  # sentences are made at display time
    assert all(isinstance(r, engine.Reason) for r in ev.reasons)


def test_reason_helpers():
    r = engine.Reason.of("carried", period="2021Q2")
    assert (r.code, r.get("period"), r.get("missing", "x"), r.data) == ("carried", "2021Q2", "x", {"period": "2021Q2"})
    ev = Evaluation(Status.BEHIND, (r, engine.Reason.of("path")))
    assert ev.codes == ("carried", "path") and ev.reason("path") is not None and ev.reason("met") is None


def test_status_severity_orders_worst_first():
    order = sorted(Status, key=lambda s: engine.STATUS_SEVERITY[s])
    assert order == [
        Status.NOT_ACHIEVED,
        Status.BEHIND,
        Status.LAGGING,
        Status.BELOW_TARGET,
        Status.NO_DATA,
        Status.ON_TRACK,
        Status.ACHIEVED,
        Status.NOT_APPLICABLE,
    ]
    assert Status.BELOW_TARGET in engine.SHORT_STATUSES


@pytest.mark.parametrize(
    ("kind", "basis"),
    [
        (Kind.CUMULATIVE, engine.Basis.PERIOD_AMOUNT),
        (Kind.ANNUAL, engine.Basis.PERIOD_AMOUNT),
        (Kind.LEVEL, engine.Basis.PERIOD_END),
        (Kind.RATE, engine.Basis.PERIOD_END),
        (Kind.GROWTH, engine.Basis.PERIOD_END),
        (Kind.MILESTONE, engine.Basis.PERIOD_END),
    ],
)
def test_default_reporting_basis(kind, basis):
    assert engine.default_basis(kind) == basis
    assert level(kind=kind).reporting_basis == basis
