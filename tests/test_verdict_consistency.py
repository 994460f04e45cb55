"""One row, one truth (issue 15, "How it is checked"): on the seed plans with the demo data, for every plan and every
period it can be viewed at (each period with figures, the open one, and each of the plan's year-ends), the plan page,
the workbook's 指标完成情况 sheet and `plan_report --json` show the same status, figures and explanation for every
indicator, and for every unit line under a per-unit indicator.

Each place is read as its reader reads it: the page's HTML, the workbook's cells rendered through their number
formats (numbers are compared after trailing zeros and thousands separators are dropped: "1,080.00" reads as
"1080"), and the command's decimal strings. Numbers shown must also be what the command's figures say: a reported
figure or a target exactly, a ratio or a gap rounded to the places shown.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client
from lxml import html as lxml_html

from indicators.evaluation import services as verdicts
from indicators.models import IndicatorValue, Milestone, UnitTarget
from plans.models import Department, Plan, ReportingPeriod
from plans.roles import LEADER
from tests.conftest import make_user
from tests.worlds.dashboard import add_indicator, add_value

pytestmark = pytest.mark.django_db
D = Decimal

SHEET = "指标完成情况"
FIRST_LINE = 4  # 1-based: title, subtitle, headers
COL = {
    "name": 3,
    "baseline": 5,
    "target": 6,
    "actual": 7,
    "completion": 8,
    "progress": 9,
    "expected_progress": 10,
    "gap_to_expected": 11,
    "gap_to_target": 12,
    "status": 13,
    "note": 15,
}
NOTE_MARKS = re.compile(r"^(?:【[^】]*】)+")  # 【统计】【演示数据】【未审核】 before the explanation
ESTIMATE_NOTE = re.compile(r"（同期预计值[^）]*）$")  # the estimate kept beside an official figure, after it
DASH = "—"
BOOK_BASIS = {"统计": "统计", "预计": "预计", "未审核": "待审核"}  # the workbook's 说明 marks → the page's words
REPORT_BASIS = {"official": "统计", "estimate": "预计"}
NO_TARGET = "——"  # as the plans' own tables print a row without a target
BY_UNIT = "按单位"  # a per-unit indicator's own line on the page: its figures are on the unit lines below


@dataclass(frozen=True)
class Shown:
    """One line as a reader sees it, numbers normalised (see the module docstring)."""

    status: str  # the label, "+填报中" when provisional
    actual: str
    actual_period: str  # the figure's period; "沿用…数据" when carried forward
    target: str
    completion: str
    progress: str
    expected_progress: str
    gap_to_expected: str  # signed, with its unit
    gap_to_target: str  # signed, with its unit
    explanation: str
    basis: str = ""  # 统计 / 预计 of the figure judged, 待审核 when it is not approved yet


# --- reading numbers as shown -----------------------------------------------------------------------------------
def norm(text: str) -> str:
    """'1,080.00' → '1080', '+0.50个百分点' → '+0.5个百分点', '100.0%' → '100%'."""
    text = " ".join(text.split()).replace(",", "")

    def trim(m: re.Match[str]) -> str:
        number = m.group(0)
        return number.rstrip("0").rstrip(".") if "." in number else number

    return re.sub(r"\d+(?:\.\d+)?", trim, text, count=1)


def figure(text: str) -> str:
    """A figure or a target in a table whose unit column names the unit: the workbook's % and ‰ formats print it
    again after the number, the page does not. The comparison before or after a target (≥ 400, ≤ 5, ≈ 35 on the
    page, 35左右 in the workbook) is how each place words it; the number judged must agree."""
    text = re.sub(r"^[≥≤≈]\s*|左右$", "", norm(text))
    return re.sub(r"(?<=\d)[%‰]$", "", text)


def number_in(text: str) -> Decimal | None:
    found = re.search(r"[+-]?\d+(?:\.\d+)?", text.replace(",", ""))
    return Decimal(found.group(0)) if found else None


def render(value: object, fmt: str) -> str:
    """A numeric cell as Excel shows it, for the formats the workbook writes ('#,##0.00', '0.0"%"', '0.0%',
    '+0.00"个百分点";-0.00"个百分点";0.00"个百分点"')."""
    if not isinstance(value, (int, float)):
        return str(value or "")
    sections = fmt.split(";")
    number = Decimal(repr(value))
    section = sections[0]
    if len(sections) >= 2 and number < 0:
        section, number = sections[1], -number
    elif len(sections) >= 3 and number == 0:
        section = sections[2]
    parts = re.fullmatch(r'((?:"[^"]*"|[+-])*)([#0,.]+%?)(.*)', section)
    assert parts, section
    head, body, tail = parts.groups()
    literal = "".join(re.findall(r'"([^"]*)"', tail))
    if body.endswith("%"):
        number, literal = number * 100, "%" + literal
    places = len(body.rstrip("%").split(".")[1]) if "." in body else 0
    shown = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{abs(shown):f}" if shown == 0 else f"{shown:f}"
    return norm(head.replace('"', "") + text + literal)


# --- the three places -------------------------------------------------------------------------------------------
def _id_in(pattern: str, href: str) -> int:
    found = re.search(pattern, href)
    assert found, (pattern, href)
    return int(found.group(1))


def page_lines(client: Client, plan: Plan, period: ReportingPeriod) -> dict[tuple[int, int | None], Shown]:
    response = client.get(f"/dashboard/plan/{plan.code}/?period={period.code}")
    assert response.status_code == 200
    tree = lxml_html.fromstring(response.content.decode())
    lines: dict[tuple[int, int | None], Shown] = {}
    indicator_id = 0
    for tr in tree.xpath("//table[contains(@class, 'plan-table')]/tbody/tr"):
        cells = tr.xpath("./td")
        classes = tr.get("class", "")
        if "indicator-row" in classes:
            indicator_id = _id_in(r"/indicator/(\d+)/", tr.xpath(".//a/@href")[0])
            key: tuple[int, int | None] = (indicator_id, None)
        else:
            key = (indicator_id, _id_in(r"/department/(\d+)/", cells[1].xpath(".//a/@href")[0]))
        _number, name, _unit, _baseline, target, actual, completion, progress, gap, status, _chart = cells
        badge = status.xpath(".//span[contains(@class, 'status ')]")[0].text_content().split(" ", 1)[1].strip()
        if status.xpath(".//span[@class='provisional']"):
            badge += "+填报中"
        period_divs = actual.xpath(".//div[contains(@class, 'actual-period')]")
        expected = progress.xpath(".//div[contains(@class, 'expected-progress')]")
        gaps = gap.xpath(".//div[contains(@class, 'gap-to-target')]")
        by_unit = actual.xpath("./span[@class='muted']")
        lines[key] = Shown(
            status=badge,
            actual=DASH if by_unit and by_unit[0].text == BY_UNIT else figure(actual.text or ""),
            actual_period=period_divs[0].text_content().strip() if period_divs else "",
            target=figure(target.text or ""),
            completion=norm(completion.text_content()),
            progress=norm(progress.text or ""),
            expected_progress=norm(expected[0].text_content().replace("序时", "")) if expected else DASH,
            gap_to_expected=norm(gap.text or ""),
            gap_to_target=norm(gaps[0].text_content().replace("距目标", "")) if gaps else DASH,
            explanation=" ".join(name.xpath(".//div[contains(@class, 'explain')]")[0].text_content().split()),
            basis="".join(b.text_content() for b in actual.xpath("./span[contains(@class, 'basis')]")),
        )
    return lines


def workbook_lines(client: Client, plan: Plan, period: ReportingPeriod) -> list[tuple[str, Shown]]:
    response = client.get(f"/excel/assessment/{plan.code}/?period={period.code}")
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(response.content))[SHEET]
    lines: list[tuple[str, Shown]] = []
    for row in range(FIRST_LINE, ws.max_row + 1):
        name, status = ws.cell(row, COL["name"]).value, ws.cell(row, COL["status"]).value
        if not name or not status:
            break  # the notes under the table

        def cell(field: str, row: int = row) -> str:
            c = ws.cell(row, COL[field])
            shown = render(c.value, c.number_format) if c.value != DASH else DASH
            return figure(shown) if field in ("actual", "target") else shown

        full = ws.cell(row, COL["note"]).value or ""
        marks = NOTE_MARKS.match(full)
        note = ESTIMATE_NOTE.sub("", NOTE_MARKS.sub("", full))
        basis = "".join(BOOK_BASIS.get(m, "") for m in re.findall(r"【([^】]*)】", marks.group(0) if marks else ""))
        label = status.split(" ", 1)[1]
        carried = re.search(r"沿用(\S+?)数据", note)
        lines.append(
            (
                name,
                Shown(
                    status=label.replace("（填报中）", "+填报中"),
                    actual=cell("actual"),
                    actual_period=f"沿用{carried.group(1)}数据" if carried else "",
                    target=cell("target"),
                    completion=cell("completion"),
                    progress=cell("progress"),
                    expected_progress=cell("expected_progress"),
                    gap_to_expected=cell("gap_to_expected"),
                    gap_to_target=cell("gap_to_target"),
                    explanation=note,
                    basis=basis,
                ),
            )
        )
    return lines


def report_lines(plan: Plan, period: ReportingPeriod) -> list[dict]:
    out = io.StringIO()
    call_command("plan_report", "--json", "--plan", plan.code, "--period", period.code, stdout=out)
    (data,) = json.loads(out.getvalue())
    lines = []
    for row in data["indicators"]:
        lines.append(row)
        lines.extend({**unit, "id": row["id"], "name": f"其中：{unit['unit']}"} for unit in row.get("units", []))
    return lines


# --- the checks ---------------------------------------------------------------------------------------------------
def rounded(shown: str, value: str | None, *, scale: int = 1) -> bool:
    """The number shown is the command's value (× scale) rounded to the places shown, and shows it as non-zero when
    it is."""
    if value is None:
        return shown == DASH
    number = number_in(shown)
    if number is None:
        return False
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int), shown  # a finite number
    places = max(-exponent, 0)
    exact = Decimal(value) * scale
    return number == exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) and (exact == 0 or number != 0)


def check_line(where: str, page: Shown, book: Shown, report: dict) -> list[str]:
    problems = []
    for field in (
        "status",
        "actual",
        "target",
        "completion",
        "progress",
        "expected_progress",
        "gap_to_expected",
        "gap_to_target",
        "explanation",
        "basis",
    ):
        if getattr(page, field) != getattr(book, field):
            problems.append(f"{where} {field}: page {getattr(page, field)!r} ≠ workbook {getattr(book, field)!r}")
    status = report["status_label"] + ("+填报中" if report["provisional"] else "")
    if page.status != status:
        problems.append(f"{where} status: page {page.status!r} ≠ plan_report {status!r}")
    basis = REPORT_BASIS.get(report["figure_basis"] or "", "") if report["actual"] is not None else ""
    if page.basis.replace("待审核", "") != basis:
        problems.append(f"{where} basis: page {page.basis!r} ≠ plan_report {basis!r}")
    if page.explanation != report["explanation"]:
        problems.append(f"{where} explanation: page {page.explanation!r} ≠ plan_report {report['explanation']!r}")
    # The target shown is the one judged (this year's quota, a unit's own), or the plan's where nothing was judged.
    for field, value in (("actual", report["actual"]), ("target", report["target_judged"] or report.get("target"))):
        shown = getattr(page, field)
        if (value is None and shown not in (DASH, NO_TARGET)) or (
            value is not None and number_in(shown) != Decimal(value)
        ):
            problems.append(f"{where} {field}: page {shown!r} ≠ plan_report {value!r}")
    for field, value, scale in (
        ("completion", report["completion"], 100),
        ("progress", report["progress"], 100),
        ("expected_progress", report["expected_progress"], 100),
        ("gap_to_expected", report["gap_to_expected"], 1),
        ("gap_to_target", report["gap_to_target"], 1),
    ):
        if not rounded(getattr(page, field), value, scale=scale):
            problems.append(f"{where} {field}: page {getattr(page, field)!r} does not show plan_report {value!r}")
    period = report["actual_period"] or ""
    expected_period = f"沿用{period}数据" if report["stale"] and period else period
    if page.actual_period != expected_period:
        problems.append(f"{where} actual period: page {page.actual_period!r} ≠ plan_report {expected_period!r}")
    if report["stale"] and period and book.actual_period != expected_period:
        problems.append(f"{where} actual period: workbook {book.actual_period!r} ≠ plan_report {expected_period!r}")
    return problems


def views(plan: Plan) -> Iterator[ReportingPeriod]:
    """The periods a plan is checked at: each with figures, the one still open, and the plan's year-ends."""
    with_figures = set(IndicatorValue.objects.values_list("period_id", flat=True))
    year_ends = {(ReportingPeriod.Kind.YEAR, y) for y in range(plan.start_year, plan.end_year + 1)}
    for period in ReportingPeriod.objects.filter(end__gte=plan.start_date).order_by("end", "kind"):
        if (
            period.pk in with_figures
            or period.state == ReportingPeriod.State.OPEN
            or (period.kind, period.year) in year_ends
        ):
            yield period


@pytest.fixture
def seeded_with_demo(seeded) -> None:
    call_command("load_demo_data", stdout=io.StringIO())
    # A plan's year-ends are evaluation dates whether or not a yearly period was opened; open them (closed) so the
    # page and the command can be pointed at them too.
    made = []
    for plan in Plan.objects.all():
        for year in range(plan.start_year, plan.end_year + 1):
            period, created = ReportingPeriod.objects.get_or_create(
                kind=ReportingPeriod.Kind.YEAR, year=year, index=1, defaults={"state": ReportingPeriod.State.LOCKED}
            )
            made += [period] if created else []
    if made:
        verdicts.plans_changed(plan_ids=list(Plan.objects.values_list("pk", flat=True)), reason="year-end periods")


def walk(client: Client, plan: Plan, period: ReportingPeriod) -> tuple[int, list[str]]:
    """Every line of one plan at one period in the three places: (lines checked, what differs)."""
    page = page_lines(client, plan, period)
    book = workbook_lines(client, plan, period)
    report = report_lines(plan, period)
    where = f"{plan.code} {period.code}"
    assert [name for name, _shown in book] == [r["name"] for r in report], where
    assert set(page) == {(r["id"], r.get("unit_id")) for r in report}, where
    problems = []
    for (_name, shown), line in zip(book, report):
        problems += check_line(f"{where} {line['name']}", page[(line["id"], line.get("unit_id"))], shown, line)
    return len(report), problems


def summary(problems: list[str]) -> str:
    first: dict[str, str] = {}
    for problem in problems:  # one line per plan, indicator and field: the same fault repeats at every period
        plan_code, _period, rest = problem.split(" ", 2)
        first.setdefault(f"{plan_code} {rest.split(':')[0]}", problem)
    return "\n".join(list(first.values())[:80]) + f"\n… {len(problems)} in all"


@pytest.fixture
def leader_client(db) -> Client:
    client = Client()
    client.force_login(make_user("consistency-leader", LEADER))
    return client


def test_page_workbook_and_plan_report_agree_on_every_line(seeded_with_demo, leader_client):
    problems: list[str] = []
    checked = views_walked = 0
    for plan in Plan.objects.order_by("code"):
        for period in views(plan):
            lines, found = walk(leader_client, plan, period)
            checked, views_walked, problems = checked + lines, views_walked + 1, problems + found
    assert views_walked >= 60 and checked > 1500, (views_walked, checked)
    assert not problems, summary(problems)


def test_edge_cases_read_alike(db, make_period, leader_client):
    """What the seeds happen not to hold: a figure with more decimals than the target's printing, this year's quota
    differing from the plan's, a share too small for one decimal, a carried figure of a row without a target, a
    range target, a growth rate's gaps, a per-unit indicator with a unit's own target."""
    root = Department.objects.create(name="一致区", kind="government")
    town = Department.objects.create(parent=root, name="一致镇", kind="town")
    plan = Plan.objects.create(
        code="consistency", title="一致区人才规划", issuer=root, start_year=2021, end_year=2025, kind="five_year"
    )
    p2022, p2023 = (
        make_period("2022Y", state=ReportingPeriod.State.LOCKED),
        make_period("2023Y", state=ReportingPeriod.State.LOCKED),
    )
    plan.assessed_units.add(town)
    rows = [
        add_indicator(
            plan,
            "人才资源总量",
            order=1,
            decimals=1,
            baseline=D("23.2"),
            baseline_year=2020,
            target=D("26.4"),
            target_year=2025,
        ),
        add_indicator(plan, "每年引进人才", order=2, kind="annual", unit="名", decimals=0, target=D(10)),
        add_indicator(plan, "累计培训", order=3, kind="cumulative", unit="人次", decimals=0, target=D(10000)),
        add_indicator(plan, "党政人才", order=4, target=None),
        add_indicator(
            plan,
            "技能大师工作室",
            order=5,
            kind="level",
            comparison="range",
            unit="个",
            decimals=0,
            baseline=D(2),
            baseline_year=2020,
            target=D(5),
            target_upper=D(8),
            target_year=2025,
        ),
        add_indicator(
            plan,
            "人才总量年均增长",
            order=6,
            kind="growth",
            unit="%",
            value_unit="人",
            decimals=0,
            baseline=D(8000),
            baseline_year=2020,
            target=D(8),
            target_year=2025,
        ),
        add_indicator(
            plan,
            "镇人才占比",
            order=7,
            kind="rate",
            unit="%",
            is_share=True,
            decimals=1,
            per_unit=True,
            baseline=D(20),
            baseline_year=2020,
            target=D(30),
            target_year=2025,
        ),
    ]
    Milestone.objects.create(indicator=rows[1], year=2023, value=D(12))
    UnitTarget.objects.create(indicator=rows[6], department=town, baseline=D(22), target=D(28))
    verdicts.recompute([plan.pk])
    for indicator, period, value, unit in (
        (rows[0], p2023, "26.35", root),
        (rows[1], p2023, "7", root),
        (rows[2], p2023, "1", root),
        (rows[3], p2022, "0.65", root),
        (rows[4], p2023, "4", root),
        (rows[5], p2023, "9839", root),
        (rows[6], p2023, "25.5", town),
    ):
        add_value(indicator, period, unit, value, basis="estimate" if indicator is rows[2] else "official")
    lines, problems = walk(leader_client, plan, p2023)
    assert lines == 8 and not problems, summary(problems)
    page = page_lines(leader_client, plan, p2023)
    shown = {
        name: page[(r.pk, None)]
        for name, r in (
            ("total", rows[0]),
            ("quota", rows[1]),
            ("training", rows[2]),
            ("no_target", rows[3]),
            ("range", rows[4]),
        )
    }
    assert shown["total"].actual == "26.35"  # not rounded onto the target's 26.4
    assert shown["quota"].target == "12"  # 2023's quota, as judged, not the plan's 10
    assert shown["training"].completion == "0.01%"  # not 0.0%
    assert shown["no_target"].actual_period == "沿用2022Y数据" and "沿用2022Y数据" in shown["no_target"].explanation
    assert shown["range"].target == "5–8"


def test_table1_actuals_without_a_target_are_shown_everywhere(seeded, leader_client):
    """Seed 002's 表1 prints 2020 actuals for three rows without a target: 不适用, with the actual, in all three."""
    plan = Plan.objects.get(code="wuxing-13th")
    period = ReportingPeriod.objects.get(code="2020Y")
    page = page_lines(leader_client, plan, period)
    book = dict(workbook_lines(leader_client, plan, period))
    report = {r["name"]: r for r in report_lines(plan, period)}
    for name, actual in (("党政人才", "0.65"), ("农村实用人才", "1.5"), ("社会工作专业人才", "0.62")):
        line = report[name]
        assert (line["status_label"], line["actual"], line["actual_period"], line["unit"]) == (
            "不适用",
            actual,
            "2020Y",
            "万人",
        )
        assert (page[(line["id"], None)].status, page[(line["id"], None)].actual) == ("不适用", actual)
        assert (book[name].status, book[name].actual) == ("不适用", actual)
        assert (
            page[(line["id"], None)].explanation
            == book[name].explanation
            == line["explanation"]
            == (f"原文未设定目标值；实际{actual}万人。")
        )
    lines, problems = walk(leader_client, plan, period)
    assert lines == 9 and not problems, summary(problems)
