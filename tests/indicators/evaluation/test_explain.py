"""indicators.evaluation.explain: the sentences written at display time from the engine's reasons, and the one
number rule (the indicator's decimals, more when a non-zero figure would print as 0, 略低于 when even four decimals
cannot show it). No database: the engine is pure and gettext only needs the settings pytest-django provides. The
autouse fixture in conftest.py activates zh-hans; the English sentences are checked under translation.override("en").
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import translation

from indicators import engine
from indicators.engine import Evaluation, Kind, Reason, Status
from indicators.evaluation.explain import display_for, explain, status_label
from indicators.evaluation.numbers import number, percent
from plans.models import ReportingPeriod
from tests.indicators.engine.builders import (
    APPROX,
    CJK,
    GTE,
    LTE,
    D,
    annual,
    at,
    cumulative,
    growth,
    half,
    level,
    milestone,
    month,
    quarter,
    run,
    share_spec,
    talent_total,
    year,
)


def say(spec: engine.Spec, obs, as_of: str, viewed: str = "", **kw) -> str:
    return explain(run(spec, obs, as_of, **kw), display_for(spec), viewed=viewed)


# --- numbers --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (D("26.40"), 2, "26.4"),  # trailing zeros trimmed
        (D("26"), 2, "26"),  # and the point with them
        (D("0.125"), 2, "0.13"),  # ROUND_HALF_UP, not banker's rounding
        (D("1234.5"), 0, "1235"),
        (D("-0.04"), 1, "-0.04"),  # a non-zero figure gets the decimals it needs: never "0" beside −0.04
        (D("-0.001"), 2, "-0.001"),
        (D("0.00004"), 2, "0"),  # beyond four decimals it is 0 (the sentences then say 略低于 / 持平)
        (D("-0.0000"), 2, "0"),  # no "-0"
        (D(0), 2, "0"),
        (None, 2, "—"),
    ],
)
def test_number(value, decimals, text):
    assert number(value, decimals) == text


@pytest.mark.parametrize(
    ("ratio", "text"), [(D("0.59375"), "59.4%"), (D(1), "100%"), (D("0.0004"), "0.04%"), (D(0), "0%"), (None, "—")]
)
def test_percent(ratio, text):
    assert percent(ratio) == text


def test_display_units():
    # growth: the target is a rate (%), the baseline and the figures are levels in their own unit, gaps in pp
    g = display_for(SimpleNamespace(kind="growth", unit="%", value_unit="人", decimals=1, is_share=False))
    assert (g.value(D(8000)), g.target(D(8)), g.gap(D("-1.5")), g.gap_unit) == (
        "8000人",
        "8%",
        "1.5个百分点",
        "个百分点",
    )
    bare = display_for(SimpleNamespace(kind="growth", unit="%", value_unit="", decimals=0))
    assert bare.value(D(9839)) == "9839"  # never "9839%"
    permille = display_for(share_spec(unit="‰"))
    assert permille.gap(D("0.5")) == "0.5个千分点"
    talent = display_for(talent_total())  # a Spec has the attributes display_for reads
    assert (talent.value(D("24.5")), talent.gap(D("-0.04")), talent.value(None)) == ("24.5万人", "0.04万人", "—")


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (Status.ACHIEVED, "已完成"),
        (Status.ON_TRACK, "正常推进"),
        (Status.LAGGING, "滞后"),
        (Status.BEHIND, "严重滞后"),
        (Status.BELOW_TARGET, "未达标"),
        (Status.NOT_ACHIEVED, "未完成"),
        (Status.NO_DATA, "无数据"),
        (Status.NOT_APPLICABLE, "不适用"),
    ],
)
def test_status_labels(status, label):
    assert status_label(status) == status_label(str(status)) == label


# --- sentences: level, rate, share ------------------------------------------------------------------------------------


def test_path_sentence():
    # 2023Y: expected 25.12; 24.5 → progress 1.3/3.2 = 40.625 % → 40.6 %; gap −0.62 → 0.6 at one decimal
    assert say(talent_total(), [at("2023-12-31", "24.5")], "2023-12-31") == (
        "实际24.5万人，目标26.4万人，进度40.6%，序时进度60%，较序时落后0.6万人。"
    )


def test_small_gap_prints_its_decimals_never_zero():
    # 25.08 vs expected 25.12: −0.04, which one decimal would print as "落后0万人"
    text = say(talent_total(), [at("2023-12-31", "25.08")], "2023-12-31")
    assert "较序时落后0.04万人" in text and "落后0万人" not in text


def test_on_the_path_is_level():
    text = say(talent_total(), [at("2023-12-31", "25.12")], "2023-12-31")
    assert text.endswith("进度60%，序时进度60%，与序时进度持平。")


def test_short_below_what_decimals_show_says_slightly_below():
    ev = Evaluation(
        Status.BELOW_TARGET,
        (Reason.of("no_baseline"), Reason.of("below_target")),
        actual=D("31.99996"),
        target=D(32),
        gap_to_target=D("0.00004"),
    )
    assert explain(ev, display_for(share_spec())) == "无基期，不计序时；实际32%，目标32%，未达标，略低于目标。"


@pytest.mark.parametrize(
    ("spec", "value", "sentence"),
    [
        (
            share_spec(baseline="30", target="35"),
            "32",
            "实际32%，目标35%，进度40%，序时进度50%，较序时落后0.5个百分点。",
        ),
        (
            share_spec(baseline="2", target="4", unit="‰"),
            "2.5",
            "实际2.5‰，目标4‰，进度25%，序时进度50%，较序时落后0.5个千分点。",
        ),
        (
            level(kind=Kind.RATE, unit="人年", baseline="96.82", target="120"),
            "100",
            "实际100人年，目标120人年，进度13.7%，序时进度50%，较序时落后8.41人年。",
        ),  # 3.18 / 23.18 = 13.72 %
        (
            share_spec(LTE, baseline="5", target="4.5"),
            "4.7",
            "实际4.7%，目标4.5%，进度60%，序时进度50%，较序时超出0.05个百分点。",
        ),
        (level(GTE, baseline="30", target="25"), "24", "实际24，低于目标25（起点已达标，现出现回落）。"),
    ],
)
def test_rate_and_share_sentences_at_2021Y(spec, value, sentence):
    assert say(spec, [at("2021-12-31", value)], "2021-12-31") == sentence


def test_final_sentences():
    assert say(share_spec(baseline="30", target="35"), [at("2022-12-31", "33.5")], "2022-12-31") == (
        "规划期已满，实际33.5%，未达到目标35%，差1.5个百分点。"
    )
    assert say(talent_total(), [at("2025-12-31", "26.4")], "2025-12-31") == "实际26.4万人，已达到目标26.4万人。"


def test_at_start_sentence():
    spec = level(baseline_year=2021, target_year=2023)
    assert say(spec, [at("2021-06-30", "0")], "2021-06-30") == "实际0，尚处起始时点，序时进度为0。"


def test_approx_within_says_the_band_not_reached():
    # 35 %左右 (±5 % of 35 = ±1.75): 34.7 is inside 33.25–36.75, which is not "已达到目标35%"
    spec = share_spec(APPROX, baseline="30", target="35")
    text = say(spec, [at("2021-12-31", "34.7")], "2021-12-31")
    assert text == "实际34.7%，在目标35%左右的范围内（33.25%–36.75%）。"
    assert "已达到目标35%" not in text
    over = say(spec, [at("2021-12-31", "37")], "2021-12-31")
    assert over == "实际37%，已达到目标35%，超出“左右”区间上沿36.75%。"


@pytest.mark.parametrize(("value", "shown"), [("34.7", "（33.25%–36.75%）"), ("36.76", "36.76%")])
def test_approx_band_edges_show_the_decimals_needed(value, shown):
    spec = share_spec(APPROX, baseline="30", target="35", decimals=1)
    assert shown in say(spec, [at("2021-12-31", value)], "2021-12-31")


def test_value_just_short_of_target_never_prints_as_the_target():
    text = say(talent_total(), [at("2025-12-31", "26.35")], "2025-12-31")
    assert "实际26.4万人" not in text  # 26.35, or 略低于目标


@pytest.mark.parametrize(
    ("spec", "value", "sentence"),
    [
        (
            share_spec(baseline=None, baseline_year=None, target="32", target_year=2025),
            "22",
            "无基期，不计序时；实际22%，目标32%，未达标，差10个百分点。",
        ),
        (
            level(kind=Kind.RATE, baseline=None, baseline_year=None, target="80", target_year=2025, unit="人年/万人"),
            "70",
            "无基期，不计序时；实际70人年/万人，目标80人年/万人，未达标，差10人年/万人。",
        ),
        (
            level(baseline=None, baseline_year=None, target="16", target_year=2025, unit="家"),
            "12",
            "无基期，不计序时；实际12家，目标16家，未达标，差4家。",
        ),
    ],
)
def test_no_baseline_sentences(spec, value, sentence):
    assert say(spec, [year(2023, value)], "2023-12-31") == sentence


# --- carried and provisional ----------------------------------------------------------------------------------------


def test_carried_names_the_viewed_and_the_figures_period():
    # 2021Y = 24.0 viewed at 2023Y: expected 25.12, gap −1.12 → 1.1 at one decimal; progress 0.8/3.2 = 25 %
    obs = [year(2021, "24.0")]
    assert say(talent_total(), obs, "2023-12-31", viewed="2023Y") == (
        "2023Y未报送，沿用2021Y数据；实际24万人，目标26.4万人，进度25%，序时进度60%，较序时落后1.1万人。"
    )
    assert say(talent_total(), obs, "2023-12-31").startswith("沿用2021Y数据；实际24万人")


def test_provisional_and_final_at_the_due_date():
    obs = [year(2025, "26.0")]
    # open: progress 2.8/3.2 = 87.5 % against 100 %, 0.4 short, labelled 填报中
    assert say(talent_total(), obs, "2025-12-31", open_dates=["2025-12-31"]) == (
        "实际26万人，目标26.4万人，进度87.5%，序时进度100%，较序时落后0.4万人；本期仍在填报中，结果为临时判断。"
    )
    assert say(talent_total(), obs, "2025-12-31") == "规划期已满，实际26万人，未达到目标26.4万人，差0.4万人。"


# --- totals and quotas ----------------------------------------------------------------------------------------------


def test_cumulative_sentences():
    # 90 of 400 at 2021Q2: 22.5 % done, 25 % expected (100), 10 short
    assert say(cumulative(), [quarter(2021, 1, 40), quarter(2021, 2, 50)], "2021-06-30") == (
        "累计完成90个，目标400个，进度22.5%，序时进度25%，较序时落后10个。"
    )
    # Q1 40 + Q3 60, no Q2: 3 months missing; 100 of expected 150 (37.5 %)
    assert say(cumulative(), [quarter(2021, 1, 40), quarter(2021, 3, 60)], "2021-09-30") == (
        "其间有3个月份无数据；累计完成100个，目标400个，进度25%，序时进度37.5%，较序时落后50个。"
    )


def test_annual_pace_sentences():
    # quota 2000, 470 in Q1: expected 500 (25 %), 30 short
    assert say(annual(target="2000"), [quarter(2021, 1, 470)], "2021-03-31") == (
        "2021年完成470名，年度任务2000名，序时进度25%（应完成500名），较序时落后30名。"
    )
    # 2010Q2 with only Q1 = 3: judged against the Q2 expectation 5, Q2 named as unreported
    spec = annual(start_year=2010, end_year=2012)
    assert say(spec, [quarter(2010, 1, 3)], "2010-06-30", viewed="2010Q2") == (
        "2010Q2未报送，沿用2010Q1数据；2010年完成3名，年度任务10名，序时进度50%（应完成5名），较序时落后2名。"
    )


def test_annual_year_sentences():
    met = say(annual(), [year(2021, 10), year(2022, 10), half(2023, 1, 11)], "2023-06-30")
    assert met == "2023年完成11名，已完成年度任务10名。"
    short = say(annual(), [year(2021, 10), year(2022, 7)], "2022-12-31")
    assert short == "2022年完成7名，未完成年度任务10名，差3名。"
    missed = say(annual(start_year=2009, end_year=2011), [year(2010, 12)], "2011-09-30", viewed="2011Q3")
    assert missed.startswith("2011年尚无填报数据；2009年未报送数据；2011年完成0名，年度任务10名，序时进度75%")
    behind = say(annual(), [year(2021, 10), year(2022, 8), half(2023, 1, 6)], "2023-06-30")
    assert behind.startswith("2022年未完成年度任务；2023年完成6名")
    assert say(annual(), [year(y, 10) for y in range(2021, 2026)], "2025-12-31") == "规划期各年度任务均已完成。"


def test_annual_expected_amount_shows_its_decimals():
    text = say(annual(start_year=2010, end_year=2012), [quarter(2010, 1, 3)], "2010-03-31")
    assert "应完成2.5名" in text and "超出0.5名" in text


def test_annual_final_short_does_not_contradict_the_last_year():
    text = say(annual(), [year(2021 + i, v) for i, v in enumerate((10, 11, 9, 12, 10))], "2025-12-31")
    assert text.startswith("2023年未完成年度任务；")
    assert "10名，未达到目标10名" not in text


# --- growth and milestones -------------------------------------------------------------------------------------------


def test_growth_sentence_prints_levels_in_their_unit():
    # baseline 8000 人 (2011) → 9839 人 at 2013Y: √(9839/8000) − 1 = √1.229875 − 1 = 10.90 %; 2.90 pp above 8 %
    spec = growth(baseline="8000", baseline_year=2011, target_year=2015, start_year=2012, decimals=0)
    text = say(spec, [year(2013, 9839)], "2013-12-31")
    assert text == "基期2011年8000人，现为9839人，年均增长10.9%，目标8%；高于目标2.9个百分点。"
    bare = explain(
        run(spec, [year(2013, 9839)], "2013-12-31"),
        display_for(SimpleNamespace(kind="growth", unit="%", value_unit="", decimals=0)),
    )
    assert "8000%" not in bare and "9839%" not in bare


def test_growth_on_target_never_says_zero_points():
    text = say(growth(), [at("2022-12-31", "116.64")], "2022-12-31")
    assert not re.search(r"(?<![\d.])0个百分点", text), text


def test_growth_rate_short_of_target_never_prints_as_the_target():
    # 100 × 1.079951⁵ = 146.8994787: rate 7.9951 %, 0.0049 pp short at the due date
    text = say(growth(), [at("2025-12-31", "146.8994787")], "2025-12-31")
    assert "未达到年均增长目标8%" in text and "年均增长8%" not in text and "年均增长7.995%" in text


def test_growth_final_gap_in_points_keeps_the_rates_decimals():
    # 100 × 1.065⁵ = 137.0086663: 6.50 %, 1.5 pp short at the closed due date
    text = say(growth(decimals=0), [at("2025-12-31", "137.0086663")], "2025-12-31")
    # the level as typed (137.0087 of 4 stored places), the rate against the target, the shortfall in points
    assert text.startswith("基期2020年100人，现为137.0087人，年均增长6.5%，目标8%；规划期已满，")
    assert text.endswith("未达到年均增长目标8%，差1.5个百分点。")


@pytest.mark.parametrize(
    ("obs", "as_of", "open_dates", "sentence"),
    [
        ([at("2021-12-31", "0")], "2021-12-31", (), "尚未完成，时限2023年底。"),
        ([at("2021-12-31", "1")], "2021-12-31", (), "已完成。"),
        (
            [at("2022-12-31", "0")],
            "2023-12-31",
            ("2023-12-31",),
            "沿用2022Q4数据；尚未完成，时限2023年底已到；本期仍在填报中，结果为临时判断。",
        ),
        ([at("2022-12-31", "0")], "2023-12-31", (), "沿用2022Q4数据；未完成，已逾期（时限2023年底）。"),
        ([], "2023-12-31", (), "规划期已满，无填报数据，按未完成计。"),
    ],
)
def test_milestone_sentences(obs, as_of, open_dates, sentence):
    assert say(milestone(), obs, as_of, open_dates=open_dates) == sentence


@pytest.mark.parametrize(
    ("spec", "obs", "as_of", "sentence"),
    [
        (level(target=None), [at("2021-12-31", "5")], "2021-12-31", "原文未设定目标值；实际5。"),
        (level(), [at("2020-12-31", "5")], "2020-12-31", "规划自2021年起实施，尚未开始。"),
        (level(), [at("2021-12-31", "NaN")], "2021-12-31", "数据无法计算（InvalidOperation）。"),
        (
            growth(baseline=None),
            [at("2022-12-31", "120")],
            "2022-12-31",
            "缺少基期值，无法计算年均增长（可由组织部补录基期）。",
        ),
        (growth(), [at("2022-12-31", "0")], "2022-12-31", "实际值不为正，无法计算增长。"),
        (cumulative(), [year(2020, 300)], "2021-03-31", "规划期内尚无填报数据。"),
        (level(), [], "2021-12-31", "尚无填报数据。"),
    ],
)
def test_other_sentences(spec, obs, as_of, sentence):
    assert say(spec, obs, as_of) == sentence


# --- every code the engine gives has a sentence, in both languages ---------------------------------------------------

EVERY_CODE = [
    (talent_total(), [year(2021, "24")], "2023-12-31", ()),  # carried, path
    (talent_total(), [year(2025, "26")], "2025-12-31", ("2025-12-31",)),  # provisional
    (talent_total(), [year(2025, "26")], "2025-12-31", ()),  # final_short
    (talent_total(), [year(2025, "27")], "2025-12-31", ()),  # met
    (share_spec(APPROX, baseline="30", target="35"), [at("2021-12-31", "34.7")], "2021-12-31", ()),
    (share_spec(APPROX, baseline="30", target="35"), [at("2021-12-31", "37")], "2021-12-31", ()),
    (level(GTE, baseline="30", target="25"), [at("2021-12-31", "24")], "2021-12-31", ()),  # regressed
    (level(baseline_year=2021, target_year=2023), [at("2021-06-30", "0")], "2021-06-30", ()),  # at_start
    (level(baseline=None, baseline_year=None), [at("2021-12-31", "40")], "2021-12-31", ()),
    (cumulative(), [quarter(2021, 1, 40), quarter(2021, 3, 60)], "2021-09-30", ()),  # months_missing
    (cumulative(), [year(2020, 300)], "2021-03-31", ()),
    (annual(), [year(2021, 10), year(2022, 8)], "2023-06-30", ()),  # years_missed, year_unreported, year_pace
    (annual(), [year(2022, 7)], "2022-12-31", ()),  # years_unreported, year_short
    (annual(), [year(2021, 10), half(2022, 1, 11)], "2022-06-30", ()),  # year_met
    (annual(), [year(y, 10) for y in range(2021, 2026)], "2025-12-31", ()),  # all_years_met
    (growth(), [at("2022-12-31", "116.64")], "2022-12-31", ()),
    (growth(baseline_year=2021), [at("2021-06-30", "100")], "2021-06-30", ()),
    (growth(baseline=None), [at("2022-12-31", "1")], "2022-12-31", ()),
    (growth(baseline="0"), [at("2022-12-31", "1")], "2022-12-31", ()),
    (growth(), [at("2022-12-31", "0")], "2022-12-31", ()),
    (milestone(), [at("2021-12-31", "1")], "2021-12-31", ()),
    (milestone(), [at("2021-12-31", "0")], "2021-12-31", ()),
    (milestone(), [at("2021-12-31", "0")], "2023-12-31", ("2023-12-31",)),
    (milestone(), [at("2021-12-31", "0")], "2023-12-31", ()),
    (milestone(), [], "2023-12-31", ()),
    (cumulative(LTE, target="100"), [year(2021, 30)], "2021-12-31", ()),  # within_limit
    (cumulative(LTE, target="100"), [year(2021, 130)], "2021-12-31", ()),  # over_limit
    (annual(LTE, target="30"), [month(2023, 1, 31)], "2023-01-31", ()),  # year_over_limit
    (level(), [], "2021-12-31", ()),
    (level(target=None), [at("2021-12-31", "5")], "2021-12-31", ()),
    (level(), [at("2020-12-31", "5")], "2020-12-31", ()),
    (level(), [at("2021-12-31", "NaN")], "2021-12-31", ()),
]


def _engine_codes() -> set[str]:
    """Every reason code the engine's source can give."""
    src = "".join(p.read_text() for p in Path(engine.__file__).parent.glob("*.py"))
    found = set(re.findall(r'Reason\.of\("(\w+)"', src)) | set(re.findall(r'no_data\(c, "(\w+)"\)', src))
    found |= set(re.findall(r'Status\.\w+, "(\w+)"', src))  # (status, code) pairs of the annual evaluator
    for pair in re.findall(r'code = "(\w+)" if \w+ else "(\w+)"', src):
        found |= set(pair)
    return found


def test_every_engine_code_is_covered_and_has_a_sentence():
    seen: set[str] = set()
    for spec, obs, as_of, open_dates in EVERY_CODE:
        ev = run(spec, obs, as_of, open_dates=open_dates)
        seen.update(ev.codes)
        text = explain(ev, display_for(spec), viewed="2099Q1")
        assert CJK.search(text) and text.endswith("。") and "\n" not in text, (ev.codes, text)
        assert "%(" not in text and "None" not in text, text
        for r in ev.reasons:  # no reason is silently dropped: each one alone makes a sentence
            assert explain(replace(ev, reasons=(r,)), display_for(spec)), r
    assert _engine_codes() <= seen, _engine_codes() - seen


# CJK ideographs and full-width punctuation (；。，、（）“”): none may be left in an English sentence but the unit's
# own.
NOT_ENGLISH = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
# What the reading side adds to the engine's codes: per-unit summaries and placeholders (selectors, compute).
READING_CODES = [
    Evaluation(Status.BEHIND, (Reason.of("units", total=5, counts=((Status.BEHIND, 2), (Status.ACHIEVED, 3))),)),
    *(
        Evaluation(Status.NO_DATA, (Reason.of(code),))
        for code in ("pending_computation", "no_units", "units_no_data", "not_assessed")
    ),
]


def english_leftovers(text: str, spec: object) -> str:
    """The sentence without the indicator's own unit texts (万人, 名, 人: data, not words of the product)."""
    for unit in sorted({getattr(spec, "unit", ""), getattr(spec, "value_unit", "")} - {""}, key=len, reverse=True):
        text = text.replace(unit, "")
    return "".join(NOT_ENGLISH.findall(text))


def test_every_reason_reads_in_english():
    """Each engine reason code (and each code the reading side adds) renders in English: no Chinese word or
    punctuation is left but the indicator's own unit; the viewed period is named in English."""
    with translation.override("en"):
        viewed = str(ReportingPeriod(kind=ReportingPeriod.Kind.QUARTER, year=2023, index=4).label)
        assert viewed == "Q4 2023"
        seen: set[str] = set()
        for spec, obs, as_of, open_dates in EVERY_CODE:
            ev = run(spec, obs, as_of, open_dates=open_dates)
            seen.update(ev.codes)
            text = explain(ev, display_for(spec), viewed=viewed)
            assert not english_leftovers(text, spec), (ev.codes, text)
            assert not text[:1].islower() and text.endswith(".") and "%(" not in text, text
            for r in ev.reasons:  # every reason alone, too: none falls back to Chinese
                alone = explain(replace(ev, reasons=(r,)), display_for(spec), viewed=viewed)
                assert alone and not english_leftovers(alone, spec), (r, alone)
        for ev in READING_CODES:
            text = explain(ev, display_for(talent_total()))
            assert text and not NOT_ENGLISH.search(text), text
        assert explain(READING_CODES[0], display_for(talent_total())) == (
            "Judged by unit (5 units): Seriously behind: 2, Completed: 3."
        )
        assert _engine_codes() <= seen
        assert all(not NOT_ENGLISH.search(status_label(s)) for s in Status)
        # gaps in English units: percentage points, never 个百分点
        share = share_spec(baseline="30", target="35")
        assert say(share, [at("2021-12-31", "32")], "2021-12-31") == (
            "Actual 32%, target 35%, progress 40%, expected progress 50%, 0.5pp behind the expected progress."
        )
        assert say(talent_total(), [year(2021, "24.0")], "2023-12-31", viewed=viewed) == (
            "Nothing reported for Q4 2023, the 2021Y figure is carried forward; actual 24万人, target 26.4万人, "
            "progress 25%, expected progress 60%, 1.1万人 behind the expected progress."
        )
