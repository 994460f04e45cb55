"""indicators.engine, average annual growth (年均增长, compound, measured from the baseline to the evaluation date)
and qualitative milestones (建立…制度).

Pure unit tests, no database. Growth rates are (level / baseline)^(1 / years) − 1 with years on the month calendar
(2020-12-31 → 2021-06-30 is exactly 0.5); the roots are worked out in the comments to the digits the checks use.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicators.engine import Status
from tests.indicators.engine.builders import APPROX, GTE, LTE, D, at, d, growth, milestone, reason_of, run

# --- growth (baseline 100 人 at end-2020, 8 %/yr by 2025) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "value", "rate"),
    [
        ("2022-12-31", "116.64", D("8.00")),  # 1.08² = 1.1664 over exactly two years
        ("2021-12-31", "110", D("10.00")),
        ("2022-12-31", "121", D("10.00")),  # 1.1²
        ("2023-12-31", "133.1", D("10.00")),  # 1.1³
        ("2025-12-31", "146.932808", D("8.00")),  # 1.08⁵ = 1.4693280768 (a leap year inside: still exactly 5 years)
        ("2021-12-31", "90", D("-10.00")),
        ("2022-12-31", "100", D("0.00")),
        ("2021-06-30", "105", D("10.25")),  # half a year: 1.05² − 1 = 10.25 % (days: 1.05^(365/181) = 10.34 %)
        ("2021-03-31", "102", D("8.24")),  # a quarter: 1.02⁴ = 1.08243216 → 8.24 %
    ],
)
def test_growth_cagr_to_two_decimals(when, value, rate):
    ev = run(growth(target_year=2030), [at(when, value)], when)
    assert ev.growth_rate == rate and isinstance(ev.growth_rate, Decimal)


def test_growth_example_116_64():
    ev = run(growth(), [at("2022-12-31", "116.64")], "2022-12-31")
    # rate 8.00 % = target: ratio 1, gap 0 pp; expected level 100 × 1.08² = 116.64; 2 of 5 years elapsed
    assert (ev.growth_rate, ev.progress, ev.gap_to_expected, ev.gap_to_target) == (D("8.00"), D(1), D(0), D(0))
    assert (ev.expected, ev.expected_progress, ev.target) == (D("116.64"), D("0.4"), D(8))
    assert (ev.status, ev.codes) == (Status.ON_TRACK, ("growth", "growth_pace"))
    assert (reason_of(ev, "growth").get("baseline"), reason_of(ev, "growth").get("baseline_year")) == (D(100), 2020)


def test_growth_expected_level_mid_year():
    # 2021-06-30: expected level 100 × 1.08^0.5 = 103.9230 (√1.08 = 1.0392305); 0.5 of 5 years → 0.1
    ev = run(growth(), [at("2021-06-30", "105")], "2021-06-30")
    assert (ev.expected, ev.expected_progress, ev.status) == (D("103.9230"), D("0.1"), Status.ON_TRACK)


@pytest.mark.parametrize(
    ("value", "rate", "status"),
    [
        # target 10 %/yr; two years in. ratio = rate / 10
        ("120.1216", D("9.60"), Status.ON_TRACK),  # 1.096² → ratio 0.96
        ("118.81", D("9.00"), Status.LAGGING),  # 1.09² → 0.90
        ("116.64", D("8.00"), Status.BEHIND),  # 1.08² → 0.80
        ("95", D("-2.53"), Status.BEHIND),  # shrinking: √0.95 − 1 = −2.53 %
    ],
)
def test_growth_status(value, rate, status):
    ev = run(growth(target="10"), [at("2022-12-31", value)], "2022-12-31")
    assert (ev.status, ev.growth_rate) == (status, rate)


def test_growth_carried_level_grows_nothing_meanwhile():
    # 110 reported for 2021, viewed at 2022Y: the rate runs to 2022-12-31, two years: √1.1 − 1 = 4.88 %;
    # ratio 4.88 / 8 = 0.61 → behind (at its own date it was 10 %: on track)
    ev = run(growth(), [at("2021-12-31", "110")], "2022-12-31")
    assert (ev.growth_rate, ev.stale, ev.status) == (D("4.88"), True, Status.BEHIND)
    assert ev.codes == ("carried", "growth", "growth_pace")
    own = run(growth(), [at("2021-12-31", "110")], "2021-12-31")
    assert (own.growth_rate, own.stale, own.status) == (D("10.00"), False, Status.ON_TRACK)


def test_growth_final_level_reached_early_is_achieved():
    # final level 100 × 1.08⁵ = 146.93; 150 by 2023 is already there
    ev = run(growth(), [at("2023-12-31", "150")], "2023-12-31")
    assert (ev.status, ev.final, ev.codes) == (Status.ACHIEVED, False, ("growth", "met"))


@pytest.mark.parametrize(
    ("comparison", "value", "status", "gap_to_target"),
    [
        (GTE, "146.932808", Status.ACHIEVED, D(0)),  # 8.00 %
        (GTE, "140.255173", Status.NOT_ACHIEVED, D(1)),  # 1.07⁵ = 1.40255173 → 7.00 %: 1 pp short
        (APPROX, "144.9", Status.ACHIEVED, D("0.3005")),  # 1.449^(1/5) = 1.076995 → 7.70 %: inside 8 ± 0.4
        (APPROX, "144.2", Status.NOT_ACHIEVED, D("0.4048")),  # 1.442^(1/5) = 1.075952 → 7.5952 % < 7.6 band edge
        (APPROX, "140.255173", Status.NOT_ACHIEVED, D(1)),  # 7.00 % < 7.6
        (LTE, "140.255173", Status.ACHIEVED, D(-1)),  # "不超过8 %": 7 % is fine, 1 pp to spare
        (LTE, "161.051", Status.NOT_ACHIEVED, D(2)),  # 1.1⁵ → 10.00 %, 2 pp over the ceiling
    ],
)
def test_growth_final(comparison, value, status, gap_to_target):
    ev = run(growth(comparison), [at("2025-12-31", value)], "2025-12-31")
    assert (ev.status, ev.final, ev.gap_to_target) == (status, True, gap_to_target)
    assert ev.codes[-1] == ("met" if status == Status.ACHIEVED else "final_short")


def test_growth_due_date_open_is_provisional_ratio():
    # 7.00 % at the due date while 2025-12-31 is still open: ratio 7/8 = 0.875 → lagging, provisional, not final
    ev = run(growth(), [at("2025-12-31", "140.255173")], "2025-12-31", open_dates=["2025-12-31"])
    assert (ev.status, ev.final, ev.provisional) == (Status.LAGGING, False, True)
    assert ev.codes == ("growth", "growth_pace", "provisional")


@pytest.mark.parametrize(
    ("value", "rate", "gap", "status"),
    [
        # "年均增长不超过3%" (lte), two years in: lower growth is better; gap = 3 − rate; ratio = 3 / rate when above
        ("104.04", D("2.00"), D(1), Status.ON_TRACK),  # 1.02² → 2 %: under the ceiling, 1 pp to spare
        ("106.09", D("3.00"), D(0), Status.ON_TRACK),  # 1.03² → exactly 3 %
        ("106.7", D("3.30"), D("-0.2957"), Status.LAGGING),  # √1.067 − 1 = 3.2957 %: ratio 3/3.2957 = 0.910
        ("108.16", D("4.00"), D(-1), Status.BEHIND),  # 1.04² → 4 %: ratio 0.75
        ("200", D("41.42"), D("-38.4214"), Status.BEHIND),  # √2 − 1 = 41.4214 %: a ceiling is never met early
    ],
)
def test_growth_lte_ceiling(value, rate, gap, status):
    ev = run(growth(LTE, target="3"), [at("2022-12-31", value)], "2022-12-31")
    assert (ev.growth_rate, ev.gap_to_expected, ev.status) == (rate, gap, status)


@pytest.mark.parametrize(
    ("baseline", "baseline_year", "code"),
    [
        (None, 2020, "growth_no_baseline"),
        ("100", None, "growth_no_baseline"),
        ("0", 2020, "growth_bad_baseline"),
        ("-5", 2020, "growth_bad_baseline"),
    ],
)
def test_growth_unusable_baseline_is_no_data(baseline, baseline_year, code):
    ev = run(growth(baseline=baseline, baseline_year=baseline_year), [at("2022-12-31", "120")], "2022-12-31")
    assert (ev.status, ev.codes) == (Status.NO_DATA, (code,))


def test_growth_non_positive_actual_is_behind():
    ev = run(growth(), [at("2022-12-31", "0")], "2022-12-31")
    assert (ev.status, ev.codes) == (Status.BEHIND, ("growth_bad_actual",))


def test_growth_reading_before_the_baseline_date_is_at_start():
    # baseline at the end of the plan's first year (2021); at 2021-06-30 no time has passed since it (−0.5 years)
    ev = run(growth(baseline_year=2021), [at("2021-06-30", "100")], "2021-06-30")
    assert (ev.status, ev.codes) == (Status.ON_TRACK, ("at_start",))


def test_growth_figure_at_baseline_carried_into_the_plan_is_behind():
    # 100 at the 2020 baseline, nothing since, viewed at 2021Q1: 0 % over 0.25 years → ratio 0 → behind
    ev = run(growth(), [at("2020-12-31", "100")], "2021-03-31")
    assert (ev.growth_rate, ev.status, ev.stale) == (D("0.00"), Status.BEHIND, True)


# --- milestone (qualitative, due end of 2023) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "as_of", "status", "final", "codes"),
    [
        (("1",), "2022-06-30", Status.ACHIEVED, False, ("done",)),
        # a "not done" of 2021Q4 viewed later is carried forward (沿用2021Q4数据)
        (("0",), "2022-06-30", Status.ON_TRACK, False, ("carried", "pending")),
        (("0",), "2023-12-31", Status.NOT_ACHIEVED, True, ("carried", "overdue")),  # due date closed: final
        (("0",), "2024-12-31", Status.NOT_ACHIEVED, True, ("carried", "overdue")),
        (("1",), "2023-12-31", Status.ACHIEVED, True, ("done",)),
        (("0", "1"), "2022-12-31", Status.ACHIEVED, False, ("done",)),  # the later report supersedes
        (("0.5",), "2022-06-30", Status.ON_TRACK, False, ("carried", "pending")),  # partial is not done
    ],
)
def test_milestone(values, as_of, status, final, codes):
    obs = [at(f"{2021 + i}-12-31", v) for i, v in enumerate(values)]
    ev = run(milestone(), obs, as_of)
    assert (ev.status, ev.final, ev.codes) == (status, final, codes)
    assert ev.completion == (D(1) if status == Status.ACHIEVED else D(0))


def test_milestone_done_date_is_the_first_done_report():
    ev = run(milestone(), [at("2021-12-31", "1"), at("2022-12-31", "1")], "2022-12-31")
    assert (ev.actual_date, ev.actual_label) == (d("2021-12-31"), "2021Q4")


def test_milestone_without_data_after_its_deadline_is_final_not_achieved():
    ev = run(milestone(), [], "2023-12-31")
    assert (ev.status, ev.final, ev.codes) == (Status.NOT_ACHIEVED, True, ("no_data_final",))


def test_milestone_due_with_its_period_open_is_pending_not_final():
    ev = run(milestone(), [at("2022-12-31", "0")], "2023-12-31", open_dates=["2023-12-31"])
    assert (ev.status, ev.final, ev.provisional) == (Status.BEHIND, False, True)
    assert ev.codes == ("carried", "due_pending", "provisional")
    assert reason_of(ev, "due_pending").get("year") == 2023


def test_milestone_done_after_its_deadline_stays_not_achieved():
    # the deadline closed undone; a 2024 report of completion does not rewrite the final verdict
    ev = run(milestone(), [at("2022-12-31", "0"), at("2024-06-30", "1")], "2024-12-31")
    assert (ev.status, ev.final, ev.codes) == (Status.NOT_ACHIEVED, True, ("carried", "overdue"))


def test_milestone_with_explicit_target():
    # target 3 (e.g. three sub-systems): 2 is not done
    ev = run(milestone(target=D(3)), [at("2021-12-31", "2")], "2021-12-31")
    assert (ev.status, ev.target) == (Status.ON_TRACK, D(3))


def test_milestone_old_undone_figure_is_carried():
    ev = run(milestone(), [at("2021-12-31", "0")], "2022-12-31")
    assert ev.stale is True and "carried" in ev.codes
