"""What a department may type (issue 15 §8, issue 17): decimals are bounded only by what is stored, the indicator's
own unit may be typed, any other unit is refused naming the expected one; the same rule in form and import."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.validation import IndicatorRules, ValueInputError, parse_value, storable_error, validate_figure
from tests.worlds.reporting import World, value_row

WANREN = IndicatorRules("人才资源总量", "万人", "level", 0, False)
PERMILLE = IndicatorRules("每千人拥有研发人员", "‰", "rate", 0, True)
PERCENT = IndicatorRules("高技能人才占比", "%", "rate", 1, True)
PEOPLE = IndicatorRules("引进人才", "人", "cumulative", 0, False)
GROWTH = IndicatorRules("人才总量年均增长", "%", "growth", 1, False)


@pytest.mark.parametrize(
    ("raw", "rules", "expected"),
    [
        ("0.8", WANREN, "0.8"),  # target printed as 3: decimals are not limited by the printing
        ("1.5", PERMILLE, "1.5"),
        ("26.35", WANREN, "26.35"),
        ("26.3512", WANREN, "26.3512"),
        ("5‰", PERMILLE, "5"),
        ("12%", PERCENT, "12"),
        ("12 %", PERCENT, "12"),
        ("12％", PERCENT, "12"),  # full-width percent sign
        ("3人", PEOPLE, "3"),
        ("2万人", WANREN, "2"),
        ("２６．５", WANREN, "26.5"),
        ("１，２００", PEOPLE, "1200"),
        ("−3", GROWTH, "-3"),  # a minus sign from a word processor
        ("9999999999999999.9999", WANREN, "9999999999999999.9999"),
        ("-9999999999999999", GROWTH, "-9999999999999999"),
        (26.349999999999998, WANREN, "26.35"),  # Excel's binary noise: read as the 15 digits Excel shows
        (0.1, WANREN, "0.1"),
        (12, PEOPLE, "12"),
    ],
)
def test_accepted(raw: object, rules: IndicatorRules, expected: str) -> None:
    assert parse_value(raw, rules) == Decimal(expected)


@pytest.mark.parametrize(
    ("raw", "rules", "message"),
    [
        ("5‰", PERCENT, "“5‰”的单位“‰”与该指标的计量单位“%”不符，请按“%”填写数字。"),
        ("12%", PEOPLE, "“12%”的单位“%”与该指标的计量单位“人”不符，请按“人”填写数字。"),
        ("12%", GROWTH, "“12%”带有单位“%”，该指标请只填写数字，不要带单位。"),
        ("1e400", WANREN, "“1e400”超出可保存的范围"),
        ("NaN", WANREN, "“NaN”不是有效数字"),
        ("Infinity", WANREN, "“Infinity”不是有效数字"),
        (float("nan"), WANREN, "不是有效数字"),
        (float("inf"), WANREN, "不是有效数字"),
        (1e16, WANREN, "超出可保存的范围"),
        ("0.00001", WANREN, "“人才资源总量”最多保留4位小数，您填写了5位。"),
        ("12.5", PEOPLE, "“引进人才”应填写整数（单位：人）。"),
        (True, WANREN, "不是数字"),
        ("", WANREN, "请填写数值。"),
    ],
)
def test_refused(raw: object, rules: IndicatorRules, message: str) -> None:
    with pytest.raises(ValueInputError) as caught:
        parse_value(raw, rules)
    assert message in caught.value.message


def test_the_services_bound_a_figure_that_arrives_without_the_parser() -> None:
    """An API or script handing a Decimal straight to the services meets the same bound."""
    assert "超出可保存的范围" in validate_figure(WANREN, Decimal("1E+16"), "", None)["value"]
    assert "最多保留4位小数" in validate_figure(WANREN, Decimal("0.00001"), "", None)["value"]
    assert "不是有效数字" in (storable_error(Decimal("NaN")) or "")
    assert validate_figure(WANREN, Decimal("0.8"), "", None) == {}
    assert "最多 2000 字" in validate_figure(WANREN, Decimal("1"), "长" * 2001, None)["note"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("indicator", "typed", "stored"),
    [("total", "0.85", "0.85"), ("total", "26.35万人", "26.35"), ("permille", "1.5‰", "1.5"), ("recruits", "3人", "3")],
)
def test_form_accepts_the_own_unit_and_any_decimals(world: World, indicator: str, typed: str, stored: str) -> None:
    response = world.client(world.rep_a).post(
        reverse("reporting:save_value"), world.value_post(indicator=getattr(world, indicator), value=typed, note="说明")
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert value_row(world, getattr(world, indicator)).value == Decimal(stored)


@pytest.mark.django_db
def test_the_entry_field_shows_the_expected_unit(world: World) -> None:
    page = world.client(world.rep_a).get(world.my_url()).content.decode()
    assert "单位：万人；只填数字（也可带“万人”），最多4位小数。" in page
    assert "单位：人；只填数字（也可带“人”），填整数。" in page


def test_a_growth_indicators_level_unit_is_accepted_and_its_rate_unit_refused():
    level = IndicatorRules("人才总量年均增长", "%", "growth", 0, False, value_unit="人")
    assert parse_value("8000人", level) == Decimal(8000)
    with pytest.raises(ValueInputError, match="人"):
        parse_value("8%", level)
