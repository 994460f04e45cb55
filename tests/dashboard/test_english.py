"""The plan page in English (the header's language switch): status labels, explanations, the figures' small print
(carried from, expected, to target, open for reporting) and the legend are English; only the plans' own words
(names, groups, units such as 万人) stay as printed. The workbook downloaded in English says the same."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client
from lxml import html as lxml_html

from indicators.engine import Status
from indicators.models import Indicator
from plans.roles import LEADER
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NOT_ENGLISH = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
ENGLISH_STATUS = {
    "Completed",
    "On track",
    "Behind",
    "Seriously behind",
    "Below target",
    "Not achieved",
    "No data",
    "Not applicable",
}


@pytest.fixture
def english_leader(seeded) -> Client:
    call_command("load_demo_data", stdout=io.StringIO())
    client = Client()
    client.force_login(make_user("english-leader", LEADER))
    client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    return client


def leftovers(text: str, units: list[str]) -> str:
    for unit in units:  # the plan's own units (万人, 人年/万人): data, as printed
        text = text.replace(unit, "")
    return "".join(NOT_ENGLISH.findall(text))


def plan_units(code: str) -> list[str]:
    units = {u for pair in Indicator.objects.filter(plan__code=code).values_list("unit", "value_unit") for u in pair}
    return sorted(units - {""}, key=len, reverse=True)


@pytest.mark.parametrize(
    ("code", "period"), [("wuxing-14th", "2025Q4"), ("wuxing-13th", "2020Y"), ("wujiang-town-3yr", "2025Q3")]
)
def test_plan_page_speaks_english(english_leader, code, period):
    response = english_leader.get(f"/dashboard/plan/{code}/?period={period}")
    page = response.content.decode()
    assert response.status_code == 200 and 'lang="en"' in page
    tree = lxml_html.fromstring(page)
    units = plan_units(code)
    rows = tree.xpath("//table[contains(@class, 'plan-table')]/tbody/tr")
    assert rows
    for tr in rows:
        badge = tr.xpath(".//span[contains(@class, 'status ')]")[0].text_content().split(" ", 1)[1].strip()
        assert badge in ENGLISH_STATUS, badge
        explanation = tr.xpath(".//div[contains(@class, 'explain')]")[0].text_content().strip()
        assert explanation.endswith(".") and not leftovers(explanation, units), explanation
        for cell in tr.xpath("./td[position() > 3]"):  # figures and their small print, not the names
            assert not leftovers(cell.text_content(), units), cell.text_content()
    header = " ".join(th.text_content() for th in tree.xpath("//table[contains(@class, 'plan-table')]/thead//th"))
    assert "Completion rate" in header and "Gap vs. expected (gap to target)" in header, header
    switcher = " ".join(tree.xpath("//select[@id='period-select']//text()"))
    assert "Q4 2025 (2025Q4)" in switcher and not NOT_ENGLISH.search(switcher), switcher
    legend = tree.xpath("//details[contains(@class, 'legend')]")[0].text_content()
    assert not NOT_ENGLISH.search(legend) and "Gap to target" in legend


def test_english_words_match_the_chinese_rows(english_leader):
    """The same rows read in both languages: the English page shows the English of each Chinese label and sentence."""
    url = "/dashboard/plan/wuxing-14th/?period=2025Q4"
    english = english_leader.get(url).content.decode()
    assert "Behind" in english and "Carried forward from 2025Q3" in english
    assert (
        "Nothing reported for Q4 2025, the 2025Q3 figure is carried forward; actual 26.2万人, target 26.4万人"
        in english
    )
    assert "this period is still open for reporting; the verdict is provisional." in english
    assert "expected 100%" in english and "to target +0.2万人" in english
    english_leader.post("/i18n/setlang/", {"language": "zh-hans", "next": "/dashboard/"})
    chinese = english_leader.get(url).content.decode()
    assert "2025年第4季度未报送，沿用2025Q3数据；实际26.2万人，目标26.4万人" in chinese and "沿用2025Q3数据" in chinese


def test_workbook_in_english(english_leader):
    response = english_leader.get("/excel/assessment/wuxing-13th/?period=2020Y")
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[1]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if r[2] and r[12]]
    statuses = {r[12].split(" ", 1)[1] for r in rows}
    assert statuses <= ENGLISH_STATUS and {"Not applicable", "Completed"} <= statuses, statuses
    notes = {r[2]: r[14] for r in rows}
    assert notes["党政人才"].endswith("No target set in the document; actual 0.65万人.")
    assert all(not leftovers(note or "", ["万人", "%", "人年", "人"]) for note in notes.values()), notes


def test_status_labels_are_all_translated():
    from django.utils import translation

    from indicators.evaluation.explain import status_label

    with translation.override("en"):
        assert {status_label(s) for s in Status} == ENGLISH_STATUS
