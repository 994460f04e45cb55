"""indicators.engine, totals: cumulative targets, year amounts on each reporting basis (本期新增 / 年初至今累计 /
期末数) and per-year quotas (annual). Growth and qualitative milestones are in test_engine_growth_milestones.py.

Pure unit tests, no database. Every expected number is worked out in the comment next to it; the calendar positions
behind them are listed in `tests/engine_helpers.py`. `as_of` is the end of the viewed period.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from indicators.engine import Basis, Status, YearResult, year_amounts, yearly_sums
from tests.indicators.engine.builders import (
    END,
    LTE,
    PERIOD,
    YTD,
    D,
    annual,
    cumulative,
    d,
    half,
    month,
    quarter,
    reason_of,
    run,
    year,
)

# --- cumulative (400 over 2021–2022, expected 200 at 2021-12-31) -----------------------------------------------------


@pytest.mark.parametrize(
    ("quarters", "total", "status"),
    [
        ((50, 50, 50, 50), D(200), Status.ON_TRACK),  # exactly on the path
        ((50, 50, 45, 45), D(190), Status.ON_TRACK),  # 190/400 = 0.475 → ratio 0.475/0.5 exactly 0.95
        ((50, 50, 45, 44), D(189), Status.LAGGING),  # ratio 0.945
        ((40, 40, 45, 45), D(170), Status.LAGGING),  # 0.425 → ratio exactly 0.85
        ((40, 40, 45, 44), D(169), Status.BEHIND),  # ratio 0.845
        ((100, 100, 100, 100), D(400), Status.ACHIEVED),  # the whole plan total within the first year
    ],
)
def test_cumulative_quarters(quarters, total, status):
    obs = [quarter(2021, q, v) for q, v in enumerate(quarters, 1)]
    ev = run(cumulative(), obs, "2021-12-31")
    assert (ev.actual, ev.expected, ev.expected_progress, ev.status) == (total, D(200), D("0.5"), status)
    assert (ev.actual_date, ev.actual_label, ev.stale) == (d("2021-12-31"), "2021Q4", False)


def test_cumulative_mid_year_expectation():
    # Q1+Q2 2021 = 90 at 2021-06-30: share 0.5 / 2 = 0.25 (day counting: 181/730), expected 100;
    # progress 90/400 = 0.225, ratio 0.9 → lagging; 10 short
    ev = run(cumulative(), [quarter(2021, 1, 40), quarter(2021, 2, 50)], "2021-06-30")
    assert (ev.actual, ev.expected, ev.expected_progress, ev.progress) == (D(90), D(100), D("0.25"), D("0.225"))
    assert (ev.status, ev.gap_to_expected, ev.gap_to_target, ev.codes) == (Status.LAGGING, D(-10), D(310), ("path",))


def test_cumulative_carried_total_is_judged_at_the_viewed_date():
    # 90 through 2021Q2, nothing since, viewed at 2021Q4: expected 200, progress 0.225, ratio 0.45 → behind
    ev = run(cumulative(), [quarter(2021, 1, 40), quarter(2021, 2, 50)], "2021-12-31")
    assert (ev.expected, ev.status, ev.stale, ev.codes) == (D(200), Status.BEHIND, True, ("carried", "path"))


def test_cumulative_annual_official_figure_replaces_quarterly_estimates():
    # Quarterly estimates 4 × 50 = 200 and the official 2021 figure 180: the year counts 180, not 380.
    # 180/400 = 0.45, ratio 0.45/0.5 = 0.9 → lagging
    obs = [quarter(2021, q, 50) for q in range(1, 5)] + [year(2021, 180)]
    ev = run(cumulative(), obs, "2021-12-31")
    assert (ev.actual, ev.actual_label, ev.status) == (D(180), "2021Y", Status.LAGGING)


def test_cumulative_spans_years_with_mixed_granularity():
    # 2021: official 180 (quarters ignored); 2022: Q1 60 replaces Jan + Feb (it covers three months), then Q2 70.
    obs = (
        [quarter(2021, q, 50) for q in range(1, 5)]
        + [year(2021, 180)]
        + [month(2022, 1, 20), month(2022, 2, 20), quarter(2022, 1, 60), quarter(2022, 2, 70)]
    )
    ev = run(cumulative(), obs, "2022-06-30")
    # total 180 + 60 + 70 = 310 at 2022-06-30; share 1.5/2 = 0.75, expected 300; progress 0.775, ratio 1.033
    assert (ev.actual, ev.actual_date, ev.expected) == (D(310), d("2022-06-30"), D(300))
    assert (ev.status, ev.gap_to_expected) == (Status.ON_TRACK, D(10))


def test_cumulative_months_missing_are_named():
    # 2021 Q1 40 and Q3 60, no Q2: 100 at 2021-09-30; 9 months elapsed, 6 covered → 3 missing.
    # share 0.75/2 = 0.375, expected 150; progress 0.25, ratio 0.667 → behind
    ev = run(cumulative(), [quarter(2021, 1, 40), quarter(2021, 3, 60)], "2021-09-30")
    assert (ev.actual, ev.expected, ev.status) == (D(100), D(150), Status.BEHIND)
    assert ev.codes == ("months_missing", "path") and reason_of(ev, "months_missing").get("months") == 3


def test_cumulative_ignores_periods_before_plan_start():
    # 2020 is before the plan; 2021Q1 100: share 0.25/2 = 0.125, expected 50, ratio 2 → on track
    ev = run(cumulative(), [year(2020, 300), quarter(2021, 1, 100)], "2021-03-31")
    assert (ev.actual, ev.expected, ev.status) == (D(100), D(50), Status.ON_TRACK)


def test_cumulative_only_pre_plan_data_is_no_data():
    ev = run(cumulative(), [year(2020, 300)], "2021-03-31")
    assert (ev.status, ev.codes) == (Status.NO_DATA, ("no_data_in_plan",))


@pytest.mark.parametrize(
    ("values", "status", "codes", "gap_to_target"),
    [
        ((200, 200), Status.ACHIEVED, ("met",), D(0)),
        ((200, 190), Status.NOT_ACHIEVED, ("final_short",), D(10)),  # 400 − 390
    ],
)
def test_cumulative_final(values, status, codes, gap_to_target):
    ev = run(cumulative(), [year(2021, values[0]), year(2022, values[1])], "2022-12-31")
    assert (ev.status, ev.final, ev.codes, ev.gap_to_target) == (status, True, codes, gap_to_target)


def test_cumulative_final_verdict_ignores_years_after_the_plan():
    # 390 by end-2022 misses 400; a 2023 report must not turn the closed plan into "achieved".
    obs = [year(2021, 200), year(2022, 190), year(2023, 50)]
    ev = run(cumulative(), obs, "2023-12-31")
    assert (ev.status, ev.actual, ev.final) == (Status.NOT_ACHIEVED, D(390), True)


def test_cumulative_with_milestones():
    # checkpoint 100 by 2021 (instead of the straight-line 200): 150 at 2021-12-31 is 50 ahead; share 100/400
    ev = run(cumulative(milestones=((2021, D(100)),)), [year(2021, 150)], "2021-12-31")
    assert (ev.expected, ev.expected_progress, ev.gap_to_expected, ev.status) == (
        D(100),
        D("0.25"),
        D(50),
        Status.ON_TRACK,
    )


def test_cumulative_year_to_date_basis():
    # 年初至今累计: each year's latest figure is its total. 2021: Q1 2, Q2 5, Q4 12 → 12; 2022: Q1 3, Q2 8 → 8.
    # total 20, not 2 + 5 + 12 + 3 + 8 = 30; no month is missing (2021 through December, 2022 through June)
    obs = [quarter(2021, 1, 2), quarter(2021, 2, 5), quarter(2021, 4, 12), quarter(2022, 1, 3), quarter(2022, 2, 8)]
    ev = run(cumulative(basis=YTD), obs, "2022-06-30")
    assert (ev.actual, ev.actual_label, ev.codes) == (D(20), "2022Q2", ("path",))


def test_cumulative_period_end_basis_is_the_running_total():
    # 期末数: the running total since the plan start as reported. 2021Y 150, 2022Q2 260 → 260 (not 410).
    # share 0.75, expected 300; progress 0.65, ratio 0.8667 → lagging
    ev = run(cumulative(basis=END), [year(2021, 150), quarter(2022, 2, 260)], "2022-06-30")
    assert (ev.actual, ev.expected, ev.status) == (D(260), D(300), Status.LAGGING)


# --- year amounts: no double counting, best non-overlapping cover ---------------------------------------------------


@pytest.mark.parametrize(
    ("observations", "total", "used", "months"),
    [
        ([year(2021, 120)], D(120), "2021Y", 12),
        ([quarter(2021, q, 10) for q in (1, 2, 3)], D(30), "2021Q3", 9),  # partial year
        ([*(quarter(2021, q, 10) for q in range(1, 5)), year(2021, 45)], D(45), "2021Y", 12),  # official replaces
        # Q1 (3 months, 1 piece) replaces M01–M03; M04–M06 follow: 13 + 3 × 5 = 28
        ([*(month(2021, m, 5) for m in range(1, 7)), quarter(2021, 1, 13)], D(28), "2021M06", 6),
        ([*(month(2021, m, 5) for m in range(1, 4)), quarter(2021, 1, 13)], D(13), "2021Q1", 3),  # same months: coarser
        # H1 replaces Q1 + Q2, then Q3: 100 + 40 = 140 over nine months
        ([half(2021, 1, 100), *(quarter(2021, q, 40) for q in (1, 2, 3))], D(140), "2021Q3", 9),
        ([half(2021, 1, 100), half(2021, 2, 90), *(quarter(2021, q, 40) for q in range(1, 5))], D(190), "2021H2", 12),
        ([half(2021, 1, 60), quarter(2021, 3, 30)], D(90), "2021Q3", 9),  # H1 + Q3 = 90, not 60
        ([quarter(2021, 1, 10), quarter(2021, 3, 30)], D(40), "2021Q3", 6),  # a gap is not filled
    ],
)
def test_year_amounts_period_basis(observations, total, used, months):
    amounts = year_amounts(observations, Basis.PERIOD_AMOUNT)
    assert list(amounts) == [2021]
    a = amounts[2021]
    assert (a.total, a.latest.label, a.months) == (total, used, months) and isinstance(a.total, Decimal)
    value, latest = yearly_sums(observations)[2021]  # the same through the older helper
    assert (value, latest.label) == (total, used)


@pytest.mark.parametrize(
    ("basis", "total", "months"),
    [
        (YTD, D(5), 6),  # 1–6月 year-to-date: the Q2 figure is the half-year total
        (END, D(5), 6),  # a running total: the latest figure
        (PERIOD, D(7), 6),  # amounts in each quarter: 2 + 5
    ],
)
def test_year_amounts_by_basis(basis, total, months):
    a = year_amounts([quarter(2021, 1, 2), quarter(2021, 2, 5)], basis)[2021]
    assert (a.total, a.latest.label, a.months) == (total, "2021Q2", months)


def test_year_amounts_keep_years_apart():
    sums = yearly_sums([year(2021, 10), quarter(2022, 1, 3), quarter(2022, 2, 4)])
    assert {y: v for y, (v, _) in sums.items()} == {2021: D(10), 2022: D(7)}


# --- annual quota (每年10名, 2021–2025) -------------------------------------------------------------------------------

MET_2021_2022 = [year(2021, 10), year(2022, 10)]


@pytest.mark.parametrize(
    ("q1", "q2", "status"),
    [
        # at 2023-06-30 the year is exactly half done; expected 5 of 10; ratio = (q1 + q2) / 5
        (2, 3, Status.ON_TRACK),  # 5 → ratio 1
        (2, 2.75, Status.ON_TRACK),  # 4.75 → ratio exactly 0.95
        (2, 2.5, Status.LAGGING),  # 4.5 → ratio 0.9
        (2, 2.25, Status.LAGGING),  # 4.25 → ratio exactly 0.85
        (2, 2, Status.BEHIND),  # 4 → ratio 0.8
    ],
)
def test_annual_current_year_sequencing(q1, q2, status):
    ev = run(annual(), [*MET_2021_2022, quarter(2023, 1, q1), quarter(2023, 2, q2)], "2023-06-30")
    assert (ev.expected, ev.expected_progress, ev.target) == (D(5), D("0.5"), D(10))
    assert (ev.status, ev.final, ev.codes) == (status, False, ("year_pace",))
    assert ev.gap_to_expected == D(q1) + D(str(q2)) - 5
    assert [(y.year, y.met) for y in ev.years] == [(2021, True), (2022, True), (2023, False)]


def test_annual_past_year_missed_makes_current_behind():
    # 2021: 10 (met), 2022: 8 (missed), 2023 H1: 6 (ahead of 5 on its own)
    obs = [year(2021, 10), year(2022, 8), quarter(2023, 1, 3), quarter(2023, 2, 3)]
    ev = run(annual(), obs, "2023-06-30")
    assert ev.years == (
        YearResult(2021, D(10), D(10), True),
        YearResult(2022, D(8), D(10), False),
        YearResult(2023, D(6), D(10), False),
    )
    assert ev.progress == D("0.6")  # the current year itself is ahead …
    assert ev.status == Status.BEHIND  # … but a missed year makes the indicator behind
    assert ev.codes == ("years_missed", "year_pace") and reason_of(ev, "years_missed").get("years") == (2022,)


def test_annual_past_years_all_met_current_year_judged_alone():
    obs = [year(2021, 12), year(2022, 10), quarter(2023, 1, 3), quarter(2023, 2, 2)]
    ev = run(annual(), obs, "2023-06-30")
    assert (ev.status, ev.codes) == (Status.ON_TRACK, ("year_pace",))  # 5 vs 5


def test_annual_complete_year_short_is_behind_not_final():
    # 2022 closed at 7 of 10: the year failed, the plan continues → behind
    ev = run(annual(), [year(2021, 10), year(2022, 7)], "2022-12-31")
    assert (ev.status, ev.final, ev.codes, ev.gap_to_target) == (Status.BEHIND, False, ("year_short",), D(3))


def test_annual_current_year_quota_met_early_is_on_track_not_achieved():
    # 2023 H1 = 11 ≥ 10: this year is done, but the plan runs to 2025 → on track
    ev = run(annual(), [*MET_2021_2022, quarter(2023, 1, 6), quarter(2023, 2, 5)], "2023-06-30")
    assert (ev.status, ev.final, ev.completion, ev.codes) == (Status.ON_TRACK, False, D("1.1"), ("year_met",))


def test_annual_due_year_quota_met_early_is_achieved():
    obs = [year(y, 10) for y in range(2021, 2025)] + [quarter(2025, 1, 6), quarter(2025, 2, 5)]
    ev = run(annual(), obs, "2025-06-30")
    assert (ev.status, ev.final, ev.codes) == (Status.ACHIEVED, False, ("year_met",))


def test_annual_no_double_counting_within_a_year():
    obs = [*MET_2021_2022, *(quarter(2023, q, 3) for q in range(1, 5)), year(2023, 9)]  # official 9, not 12 + 9
    ev = run(annual(), obs, "2023-12-31")
    assert ev.years[-1] == YearResult(2023, D(9), D(10), False)
    assert (ev.status, ev.codes) == (Status.BEHIND, ("year_short",))


@pytest.mark.parametrize(
    ("values", "status", "codes"),
    [
        ((10, 11, 10, 12, 10), Status.ACHIEVED, ("all_years_met",)),
        ((10, 11, 9, 12, 10), Status.NOT_ACHIEVED, ("years_missed", "final_short")),  # 2023: 9 of 10
        ((10, 11, 10, 12), Status.NOT_ACHIEVED, ("year_unreported", "final_short")),  # 2025 never reported
    ],
)
def test_annual_final(values, status, codes):
    obs = [year(2021 + i, v) for i, v in enumerate(values)]
    ev = run(annual(), obs, "2025-12-31")
    assert (ev.status, ev.final, ev.codes) == (status, True, codes)
    assert [y.year for y in ev.years] == [2021, 2022, 2023, 2024, 2025]
    assert [y.reported for y in ev.years] == [True] * len(values) + [False] * (5 - len(values))


def test_annual_ignores_years_outside_plan():
    # 2020 and 2026 figures do not count; 2022–2025 unreported are missed years
    ev = run(annual(), [year(2020, 10), year(2021, 10), year(2026, 10)], "2026-12-31")
    assert [(y.year, y.actual, y.reported) for y in ev.years] == [
        (2021, D(10), True),
        (2022, D(0), False),
        (2023, D(0), False),
        (2024, D(0), False),
        (2025, D(0), False),
    ]
    assert (ev.status, ev.codes) == (Status.NOT_ACHIEVED, ("year_unreported", "years_unreported", "final_short"))
    assert reason_of(ev, "years_unreported").get("years") == (2022, 2023, 2024)


def test_annual_milestones_set_per_year_targets():
    # ramping quota: 5 in 2021, 8 in 2022, 10 afterwards; 2023 H1 = 5 of 10 by half-year → ratio 1
    spec = annual(milestones=((2021, D(5)), (2022, D(8))))
    ev = run(spec, [year(2021, 6), year(2022, 8), quarter(2023, 1, 3), quarter(2023, 2, 2)], "2023-06-30")
    assert [(y.target, y.met) for y in ev.years] == [(D(5), True), (D(8), True), (D(10), False)]
    assert ev.status == Status.ON_TRACK


def test_annual_year_to_date_basis():
    # 年初至今累计: Q1 = 2, Q2 = 5 (Jan–Jun) → 5 this year, not 7; expected 5 by mid-year → ratio 1
    ev = run(annual(basis=YTD), [*MET_2021_2022, quarter(2023, 1, 2), quarter(2023, 2, 5)], "2023-06-30")
    assert (ev.actual, ev.status) == (D(5), Status.ON_TRACK)


def test_annual_lte_ceiling_year_by_year():
    # "每年不超过3起": 2021 had 4 (missed); at the end, not achieved
    spec = annual(LTE, target="3")
    ev = run(spec, [year(y, v) for y, v in zip(range(2021, 2026), (4, 2, 3, 1, 0))], "2025-12-31")
    assert (ev.status, ev.codes) == (Status.NOT_ACHIEVED, ("years_missed", "final_short"))
    assert [y.met for y in ev.years] == [False, True, True, True, True]


def test_annual_lte_ceiling_under_its_pro_rata_share_is_on_track():
    # 2023 Q1–Q3 = 2 against "≤ 3": under the ceiling → on track (not achieved: 2023 is not the due year)
    ev = run(annual(LTE, target="3"), [year(2021, 1), year(2022, 2), quarter(2023, 3, 2)], "2023-09-30")
    assert ev.status == Status.ON_TRACK


def test_annual_lte_ceiling_in_due_year_is_not_achieved_before_the_year_ends():
    obs = [year(y, 2) for y in range(2021, 2025)] + [quarter(2025, 1, 1)]
    ev = run(annual(LTE, target="3"), obs, "2025-03-31")
    assert ev.status != Status.ACHIEVED


def test_annual_lte_ceiling_exceeded_mid_year_is_behind():
    obs = [year(2021, 20), year(2022, 20)] + [month(2023, m, 3) for m in range(1, 11)] + [month(2023, 11, 1)]
    ev = run(annual(LTE, target="30"), obs, "2023-11-30")
    # expected 30 × 11/12 = 27.5; the year already holds 3 × 10 + 1 = 31 > 30
    assert (ev.actual, ev.expected) == (D(31), D("27.5"))
    assert ev.status == Status.BEHIND


def test_cumulative_lte_ceiling_is_not_achieved_before_the_plan_ends():
    ev = run(cumulative(LTE, target="100"), [year(2021, 30)], "2021-12-31")
    assert ev.status == Status.ON_TRACK
