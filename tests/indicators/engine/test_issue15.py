"""Issue 15, sections 1–5 ("Verdicts a leader can trust"): every case of the issue in one table, with the
arithmetic worked by hand. `as_of` is the end of the viewed period (2023Y → 2023-12-31, 2025Q2 → 2025-06-30); time is
measured on the month calendar (a quarter is exactly 1/4 of a year, the end of year 4 of 2021–2025 exactly 80 %).

Pure unit test of `engine.evaluate`, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from indicators.engine import Kind, Observation, Spec, Status, YearResult
from tests.indicators.engine.builders import YTD, D, annual, cumulative, half, level, milestone, quarter, run, year

# 人才资源总量 of wuxing-14th: 23.2 万人 (2020) → 26.4 万人 (2025), plan 2021–2025
WUXING_TALENT = level(baseline="23.2", target="26.4", baseline_year=2020, target_year=2025, unit="万人", decimals=1)
# 累计400 over 2021–2025: the straight path from 0 at 2020-12-31
TOTAL_400 = cumulative(target="400", start_year=2021, end_year=2025)
# 每年10名, 2010–2012 (a quota viewed in its first year) and 2009–2011 (2009 never reported)
QUOTA_2010 = annual(target="10", start_year=2010, end_year=2012)
QUOTA_2009 = annual(target="10", start_year=2009, end_year=2011)


def no_baseline(kind: Kind, target: str, unit: str, is_share: bool = False) -> Spec:
    return level(
        kind=kind, baseline=None, baseline_year=None, target=target, target_year=2025, unit=unit, is_share=is_share
    )


@dataclass(frozen=True)
class Case:
    name: str
    spec: Spec
    obs: tuple[Observation, ...]
    as_of: str
    status: Status
    codes: tuple[str, ...]
    expect: dict[str, object] = field(default_factory=dict)  # further Evaluation attributes
    open_dates: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.name


def y5(*values: int) -> tuple[Observation, ...]:
    """Yearly amounts from 2021 on."""
    return tuple(year(2021 + i, v) for i, v in enumerate(values))


CASES = [
    # §1 Silence is not progress ------------------------------------------------------------------------------------
    # 24.0 reported for 2021 only. At its own period: share 1/5 = 0.2, expected 23.2 + 0.2 × 3.2 = 23.84;
    # progress 0.8/3.2 = 0.25, ratio 0.25/0.2 = 1.25 → on track (the old engine stopped here for every later view)
    Case(
        "level 2021 viewed at 2021Y",
        WUXING_TALENT,
        (year(2021, "24.0"),),
        "2021-12-31",
        Status.ON_TRACK,
        ("path",),
        {"expected": D("23.84"), "stale": False, "gap_to_expected": D("0.16")},
    ),
    # viewed at 2023Y: share 3/5 = 0.6, expected 23.2 + 1.92 = 25.12; ratio 0.25/0.6 = 0.4167 → behind; carried
    Case(
        "level 2021 viewed at 2023Y",
        WUXING_TALENT,
        (year(2021, "24.0"),),
        "2023-12-31",
        Status.BEHIND,
        ("carried", "path"),
        {
            "expected": D("25.12"),
            "expected_progress": D("0.6"),
            "progress": D("0.25"),
            "stale": True,
            "actual_label": "2021Y",
            "gap_to_expected": D("-1.12"),
        },
    ),
    # viewed at 2025Q2: 2025-06-30 is 4.5 of 5 years → 0.9, expected 23.2 + 2.88 = 26.08; ratio 0.25/0.9 = 0.278
    Case(
        "level 2021 viewed at 2025Q2",
        WUXING_TALENT,
        (year(2021, "24.0"),),
        "2025-06-30",
        Status.BEHIND,
        ("carried", "path"),
        {
            "expected": D("26.08"),
            "expected_progress": D("0.9"),
            "stale": True,
            "gap_to_expected": D("-2.08"),
            "gap_to_target": D("2.4"),
        },
    ),
    # quota 10 in 2010; Q1 = 3. At 2010Q1: expected 10 × 0.25 = 2.5, ratio 3/2.5 = 1.2 → on track
    Case(
        "annual Q1 viewed at 2010Q1",
        QUOTA_2010,
        (quarter(2010, 1, 3),),
        "2010-03-31",
        Status.ON_TRACK,
        ("year_pace",),
        {"expected": D("2.5"), "stale": False},
    ),
    # at 2010Q2 with Q2 unreported: expected 10 × 0.5 = 5 (the Q2 expectation), ratio 3/5 = 0.6 → behind; carried
    Case(
        "annual Q1 viewed at 2010Q2",
        QUOTA_2010,
        (quarter(2010, 1, 3),),
        "2010-06-30",
        Status.BEHIND,
        ("carried", "year_pace"),
        {"expected": D(5), "actual": D(3), "actual_label": "2010Q1", "stale": True},
    ),
    # 2009 unreported, 2010 = 12 of 10. At 2010Y: 2010 is met (share 1, 12 ≥ 10) but 2009 is a missed year → behind
    Case(
        "2009 missed, 2010 met, at 2010Y",
        QUOTA_2009,
        (year(2010, 12),),
        "2010-12-31",
        Status.BEHIND,
        ("years_unreported", "year_met"),
        {
            "years": (YearResult(2009, D(0), D(10), False, False), YearResult(2010, D(12), D(10), True, True)),
            "final": False,
        },
    ),
    # at 2011Q3 with no 2011 figure: expected 10 × 0.75 = 7.5, actual 0 → ratio 0 → behind (never "achieved")
    Case(
        "2009 missed, no 2011 data, at 2011Q3",
        QUOTA_2009,
        (year(2010, 12),),
        "2011-09-30",
        Status.BEHIND,
        ("year_unreported", "years_unreported", "year_pace"),
        {"expected": D("7.5"), "actual": D(0), "stale": True},
    ),
    # at 2011Y, closed: the plan's years are over; 2009 and 2011 missed → final not achieved
    Case(
        "2009 missed, no 2011 data, at 2011Y closed",
        QUOTA_2009,
        (year(2010, 12),),
        "2011-12-31",
        Status.NOT_ACHIEVED,
        ("year_unreported", "years_unreported", "final_short"),
        {"final": True},
    ),
    # even with 2011 = 10 reported, the unreported 2009 keeps the plan from being achieved
    Case(
        "2009 missed, 2010 and 2011 met, at 2011Y closed",
        QUOTA_2009,
        (year(2010, 12), year(2011, 10)),
        "2011-12-31",
        Status.NOT_ACHIEVED,
        ("years_unreported", "final_short"),
        {"final": True},
    ),
    # §2 序时 in the reporting calendar --------------------------------------------------------------------------------
    # 400 over 2021–2025 at 2024Y: share (2024 − 2020)/(2025 − 2020) = 0.8 exactly, expected 320 (days: 320.04).
    # 76 × 4 = 304 → progress 0.76, ratio 0.76/0.8 = 0.95 exactly → on track
    Case(
        "cumulative 304 of 320 at 2024Y",
        TOTAL_400,
        y5(76, 76, 76, 76),
        "2024-12-31",
        Status.ON_TRACK,
        ("path",),
        {"actual": D(304), "expected": D(320), "expected_progress": D("0.8"), "gap_to_expected": D(-16)},
    ),
    # 68 × 4 = 272 → progress 0.68, ratio 0.85 exactly → lagging (days: behind)
    Case(
        "cumulative 272 of 320 at 2024Y",
        TOTAL_400,
        y5(68, 68, 68, 68),
        "2024-12-31",
        Status.LAGGING,
        ("path",),
        {"actual": D(272), "progress": D("0.68")},
    ),
    # 271 → progress 0.6775, ratio 0.846875 < 0.85 → behind
    Case(
        "cumulative 271 of 320 at 2024Y",
        TOTAL_400,
        y5(68, 68, 68, 67),
        "2024-12-31",
        Status.BEHIND,
        ("path",),
        {"actual": D(271)},
    ),
    # quota 2000 a year, 470 in Q1: expected 2000 × 3/12 = 500 (days: 2000 × 90/365 = 493.15 → on track);
    # ratio 470/500 = 0.94 → lagging, 30 short
    Case(
        "quota 2000, 470 in Q1",
        annual(target="2000"),
        (quarter(2021, 1, 470),),
        "2021-03-31",
        Status.LAGGING,
        ("year_pace",),
        {"expected": D(500), "expected_progress": D("0.25"), "gap_to_expected": D(-30)},
    ),
    # §3 Reporting bases -----------------------------------------------------------------------------------------------
    # 年初至今累计: Q1 = 2, Q2 (Jan–Jun) = 5 → this year has 5, not 2 + 5 = 7; expected 10 × 0.5 = 5 → ratio 1
    Case(
        "year-to-date Q1 2, Q2 5",
        annual(basis=YTD),
        (quarter(2021, 1, 2), quarter(2021, 2, 5)),
        "2021-06-30",
        Status.ON_TRACK,
        ("year_pace",),
        {"actual": D(5), "gap_to_expected": D(0)},
    ),
    # the same on a plan total: 5 of 400 by mid-2021 (expected 400 × 0.5/5 = 40) — the figure counts once
    Case(
        "year-to-date on a plan total",
        cumulative(target="400", end_year=2025, basis=YTD),
        (quarter(2021, 1, 2), quarter(2021, 2, 5)),
        "2021-06-30",
        Status.BEHIND,
        ("path",),
        {"actual": D(5), "expected": D(40)},
    ),
    # 本期新增, mixed granularity: H1 = 60 and Q3 = 30 cover nine months → 90 (not 60); quota 120 → expected
    # 120 × 0.75 = 90 → ratio 1
    Case(
        "H1 60 + Q3 30",
        annual(target="120"),
        (half(2021, 1, 60), quarter(2021, 3, 30)),
        "2021-09-30",
        Status.ON_TRACK,
        ("year_pace",),
        {"actual": D(90), "expected": D(90)},
    ),
    # §4 Targets without a baseline: no path, judged against the target only ---------------------------------------
    # share 22 % of 32 %: 未达标, 差 32 − 22 = 10 pp, completion 22/32 = 0.6875 (old: on track from zero)
    Case(
        "no baseline: share 22 of 32",
        no_baseline(Kind.RATE, "32", "%", is_share=True),
        (year(2023, 22),),
        "2023-12-31",
        Status.BELOW_TARGET,
        ("no_baseline", "below_target"),
        {"gap_to_target": D(10), "completion": D("0.6875"), "expected": None, "expected_progress": None},
    ),
    # R&D personnel per 10,000 people 70 of 80: 差 10, completion 0.875
    Case(
        "no baseline: R&D per 10k 70 of 80",
        no_baseline(Kind.RATE, "80", "人年/万人"),
        (year(2023, 70),),
        "2023-12-31",
        Status.BELOW_TARGET,
        ("no_baseline", "below_target"),
        {"gap_to_target": D(10), "completion": D("0.875")},
    ),
    # 上市企业 12 of 16: 差 4, completion 0.75
    Case(
        "no baseline: 上市企业 12 of 16",
        no_baseline(Kind.LEVEL, "16", "家"),
        (year(2023, 12),),
        "2023-12-31",
        Status.BELOW_TARGET,
        ("no_baseline", "below_target"),
        {"gap_to_target": D(4), "completion": D("0.75")},
    ),
    # §5 Final verdicts -----------------------------------------------------------------------------------------------
    # 150 (2020) → 200 (2025): 2025Y = 210 ≥ 200 achieved; at 2026Y only figures up to 2025-12-31 count, so the
    # 2026 figure 190 does not turn it not_achieved
    Case(
        "level 210 then 190 viewed at 2026Y",
        level(baseline="150", target="200", target_year=2025),
        (year(2025, 210), year(2026, 190)),
        "2026-12-31",
        Status.ACHIEVED,
        ("met",),
        {"final": True, "actual": D(210), "actual_label": "2025Y", "stale": False},
    ),
    # milestone due 2023 with no figure at all: final not_achieved, like every other kind
    Case(
        "milestone, no data after deadline",
        milestone(),
        (),
        "2023-12-31",
        Status.NOT_ACHIEVED,
        ("no_data_final",),
        {"final": True},
    ),
    Case(
        "milestone, no data, viewed a year later",
        milestone(),
        (),
        "2024-12-31",
        Status.NOT_ACHIEVED,
        ("no_data_final",),
        {"final": True},
    ),
    # 2025Y = 26.0 of 26.4 while 2025-12-31 is still open: progress 2.8/3.2 = 0.875 against share 1 → lagging,
    # provisional (填报中), not final, not not_achieved
    Case(
        "due-date shortfall, due period open",
        WUXING_TALENT,
        (year(2025, "26.0"),),
        "2025-12-31",
        Status.LAGGING,
        ("path", "provisional"),
        {"final": False, "provisional": True, "gap_to_target": D("0.4")},
        open_dates=("2025-12-31",),
    ),
    # the same once 2025-12-31 is closed: final not_achieved, 差 0.4 万人
    Case(
        "due-date shortfall, due period closed",
        WUXING_TALENT,
        (year(2025, "26.0"),),
        "2025-12-31",
        Status.NOT_ACHIEVED,
        ("final_short",),
        {"final": True, "provisional": False, "gap_to_target": D("0.4")},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_issue_15(case: Case):
    ev = run(case.spec, case.obs, case.as_of, open_dates=case.open_dates)
    assert (ev.status, ev.codes) == (case.status, case.codes)
    for name, value in case.expect.items():
        got = getattr(ev, name)
        assert got == value, (name, got, value)
        if isinstance(value, Decimal):
            assert isinstance(got, Decimal)
