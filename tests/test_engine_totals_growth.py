"""indicators.engine, totals and growth: cumulative targets, yearly sums, annual quotas, compound annual growth
and qualitative milestones.

Pure unit tests, no database. Every expected number is worked out in the comment next to it; the day
counts behind them are listed in `tests/engine_helpers.py`.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicators.engine import Status, YearResult, evaluate, yearly_sums
from tests.engine_helpers import (
    APPROX, D, GTE, LTE, annual, at, cumulative, d, growth, half, milestone, month, quarter, year,
)


# --- cumulative -----------------------------------------------------------------------------------------------------


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
