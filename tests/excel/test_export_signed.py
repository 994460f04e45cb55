"""The workbook a 部长 signs (issue 19): 考核排名, a 序号 on every line, the comparison before each target, units with
their government, the sign lines, rows tall enough for their text, the 一级指标 on every printed page, no empty
sheets, and a period before the plan says so."""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
import unicodedata
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessment.models import AssessmentScheme
from assessment.selectors import results_for_schemes
from excel.export import SHEET_COVER, SHEET_INDICATORS, SHEET_RANKING, SHEET_TASKS, SHEET_UNITS, export_assessment
from excel.report_data import ReportError, plans_for
from indicators.evaluation import services as verdicts
from plans.models import Department, Plan
from plans.roles import LEADER
from tests.conftest import make_user
from tests.worlds.excel import enter, load

pytestmark = pytest.mark.django_db


def export(code: str, period: str) -> bytes:
    buffer = io.BytesIO()
    export_assessment(plans_for(code), period, buffer)
    return buffer.getvalue()


def data_rows(ws) -> list[int]:
    """Rows of indicator lines (a 序号 and a name), below the header."""
    return [r for r in range(4, ws.max_row + 1) if ws.cell(row=r, column=3).value and ws.cell(row=r, column=13).value]


def test_ranking_sheet_lists_units_by_rank_within_groups(seeded):
    call_command("load_demo_data", stdout=StringIO())
    call_command("load_demo_assessment", stdout=StringIO())
    wb = load(export("wujiang-town-3yr", "2014H1"))
    assert wb.sheetnames == [SHEET_COVER, SHEET_INDICATORS, SHEET_TASKS, SHEET_RANKING, SHEET_UNITS]
    ws = wb[SHEET_RANKING]
    assert [c.value for c in ws[3]] == ["组内排名", "单位", "考核得分", "总排名", "备注"]
    scheme = AssessmentScheme.objects.get(plan__code="wujiang-town-3yr", period__code="2014H1")
    expected = results_for_schemes([scheme], with_previous=False)[scheme.pk].groups()
    shown: list[tuple[str, list[str]]] = []
    for row in ws.iter_rows(min_row=4, values_only=True):
        if row[0] and str(row[0]).endswith("个单位）"):
            shown.append((str(row[0]).split("（")[0], []))
        elif isinstance(row[0], int):
            shown[-1][1].append(row[1])
            assert row[2] is not None and row[3] is not None  # score and overall rank
    # The assessment room's ranking, group by group in the scheme's order, each by its rank within the group.
    assert shown == [(group, [r.unit.name for r in rows]) for group, rows in expected]
    for _group, rows in expected:
        assert [r.group_rank for r in rows] == sorted(r.group_rank for r in rows)
    vetoed = [r for _g, rows in expected for r in rows if r.vetoed]
    remarks = {row[1]: row[4] for row in ws.iter_rows(min_row=4, values_only=True) if isinstance(row[0], int)}
    assert vetoed and all(remarks[r.unit.name] == "一票否决" for r in vetoed)


def test_no_ranking_sheet_without_a_scheme_and_no_task_sheet_without_tasks(wuxing):
    wb = load(export("wuxing-14th", "2025Q1"))
    assert wb.sheetnames == [SHEET_COVER, SHEET_INDICATORS, SHEET_UNITS]
    texts = {str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value}
    assert not any("本规划无重点任务" in t for t in texts)


def test_every_line_has_a_number_and_its_comparison(wuxing):
    ws = load(export("wuxing-14th", "2025Q1"))[SHEET_INDICATORS]
    rows = data_rows(ws)
    numbers = [ws.cell(row=r, column=2).value for r in rows]
    # 表2's 1–16 as printed, then the prose targets in sequence: 17 … 48, none left blank.
    assert numbers == [str(n) for n in range(1, 49)]
    by_name = {ws.cell(row=r, column=3).value: r for r in rows}
    prose = by_name["累计招引“南太湖精英计划”高层次人才项目"]
    assert ws.cell(row=prose, column=2).value == "17"
    assert ws.cell(row=prose, column=6).value == 400
    assert ws.cell(row=prose, column=6).number_format.startswith('"≥ "')  # ≥ 400
    approx = by_name["重点培育浙江工匠"]
    assert ws.cell(row=approx, column=6).number_format.endswith('左右"')  # 30左右


def test_unit_lines_are_numbered_under_their_indicator(seeded):
    plan = Plan.objects.get(code="wujiang-town-3yr")
    root = Department.objects.get(name="吴江区", parent=None)
    towns = [Department.objects.create(parent=root, name=f"{n}镇", kind=Department.Kind.TOWN) for n in "甲乙"]
    plan.assessed_units.add(*towns)
    verdicts.recompute([plan.pk])
    ws = load(export("wujiang-town-3yr", "2013Y"))[SHEET_INDICATORS]
    first_unit = next(r for r in range(4, ws.max_row + 1) if str(ws.cell(row=r, column=3).value).startswith("其中："))
    assert ws.cell(row=first_unit - 1, column=2).value == "1"
    assert [ws.cell(row=first_unit + i, column=2).value for i in range(2)] == ["（1）", "（2）"]


def test_units_carry_their_government_when_the_workbook_spans_several(seeded, make_period):
    make_period("2025Q1")
    wb = load(export("all", "2025Q1"))
    names = [r[1] for r in wb[SHEET_UNITS].iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert "自流井区 区教育局" in names and "区教育局" not in names
    tasks = [r[2] for r in wb[SHEET_TASKS].iter_rows(min_row=4, values_only=True) if r[2]]
    assert any(str(t).startswith("自流井区 ") for t in tasks)
    # One plan, one government: the names as they are.
    single = load(export("ziliujing-reform", "2025Q1"))
    names = [r[1] for r in single[SHEET_UNITS].iter_rows(min_row=4, values_only=True) if isinstance(r[0], int)]
    assert "区教育局" in names


def test_cover_has_the_lines_to_sign_and_seal(wuxing):
    cover = load(export("wuxing-14th", "2025Q1"))[SHEET_COVER]
    texts = [str(c.value) for row in cover.iter_rows() for c in row if c.value]
    for label in ("制表单位：", "制表日期：", "审核人：", "填报联系人：", "联系电话：", "（盖章）"):
        assert any(t.startswith(label) for t in texts), label
    rows = {
        label: next(c.row for row in cover.iter_rows() for c in row if str(c.value).startswith(label))
        for label in ("制表单位：", "审核人：", "填报联系人：", "（盖章）")
    }
    assert rows["制表单位："] == rows["审核人："] and rows["填报联系人："] == rows["（盖章）"] == rows["制表单位："] + 1


def _wide(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 1


def lines_needed(text: str, width: float) -> int:
    """Lines a wrapped cell takes, counted as a printer does: CJK and full-width punctuation double, a column less
    a character of padding."""
    usable = max(1.0, width - 1)
    return sum(max(1, math.ceil(sum(_wide(c) for c in line) / usable)) for line in str(text).split("\n"))


def test_rows_are_tall_enough_for_their_wrapped_text(wuxing):
    enter(wuxing, {"1": "24.1", "12": "40", "9": "20", "10": "35"}, submit=True)
    ws = load(export("wuxing-14th", "2025Q1"))[SHEET_INDICATORS]
    widths = {col: ws.column_dimensions[col].width for col in "ABCDMNO"}
    for r in data_rows(ws):
        height = ws.row_dimensions[r].height
        for col, width in widths.items():
            value = ws[f"{col}{r}"].value
            if value and col != "A":  # column A is merged down its group
                assert height >= lines_needed(value, width) * 13.5, (r, col, value)
    notes = [
        r for r in range(4, ws.max_row + 1) if str(ws.cell(row=r, column=1).value or "").startswith(("注", "2.", "3."))
    ]
    total = sum(ws.column_dimensions[c].width for c in "ABCDEFGHIJKLMNO")
    for r in notes:
        assert ws.row_dimensions[r].height >= lines_needed(ws.cell(row=r, column=1).value, total) * 13.5


def test_group_label_on_every_printed_page(seeded):
    plan = Plan.objects.get(code="wujiang-town-3yr")
    root = Department.objects.get(name="吴江区", parent=None)
    towns = [
        Department.objects.create(parent=root, name=f"测试镇{n:02d}", kind=Department.Kind.TOWN) for n in range(18)
    ]
    plan.assessed_units.add(*towns)
    verdicts.recompute([plan.pk])
    ws = load(export("wujiang-town-3yr", "2013Y"))[SHEET_INDICATORS]
    breaks = [b.id for b in ws.row_breaks.brk]
    assert len(breaks) >= 2  # several printed pages
    merged = [m for m in ws.merged_cells.ranges if m.min_col == 1 and m.max_col == 1]
    checked = 0
    for b in breaks:
        first = b + 1  # the break is below row b: row b + 1 opens the page
        assert not any(m.min_row <= b < m.max_row for m in merged), f"a merged 一级指标 crosses the break at {b}"
        above = next((ws.cell(row=r, column=1).value for r in range(b, 3, -1) if ws.cell(row=r, column=1).value), None)
        if ws.cell(row=first, column=2).value and above and ws.cell(row=first, column=13).value:
            label = ws.cell(row=first, column=1).value
            assert label, f"no 一级指标 on the page starting at row {first}"
            checked += 1
    assert checked
    # One page wide, as many tall as the breaks make (a fitted height would make Excel ignore them); titles repeated.
    assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows == "$1:$3"


def test_a_period_before_the_plan_starts_says_so(wuxing, client, tmp_path):
    with pytest.raises(ReportError, match="在规划开始之前"):
        export("wuxing-14th", "2019Y")
    with pytest.raises(CommandError, match="规划期为2021—2025年"):
        out = tmp_path / "early.xlsx"
        call_command("export_assessment", "--plan", "wuxing-14th", "--period", "2019Y", "--output", str(out))
    client.force_login(make_user("leader", LEADER))
    response = client.get(reverse("excel:assessment", args=["wuxing-14th"]) + "?period=2019Y")
    assert response.status_code == 400 and "在规划开始之前" in response.content.decode()


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="libreoffice not installed")
def test_printed_pages_follow_the_breaks(seeded, tmp_path):
    """Printed (LibreOffice → PDF): one page wide whatever the fonts, a page at each break and nowhere else."""
    plan = Plan.objects.get(code="wujiang-town-3yr")
    root = Department.objects.get(name="吴江区", parent=None)
    towns = [
        Department.objects.create(parent=root, name=f"测试镇{n:02d}", kind=Department.Kind.TOWN) for n in range(12)
    ]
    plan.assessed_units.add(*towns)
    verdicts.recompute([plan.pk])
    wb = load(export("wujiang-town-3yr", "2013Y"))
    for name in wb.sheetnames:
        if name != SHEET_INDICATORS:
            del wb[name]
    breaks = len(wb[SHEET_INDICATORS].row_breaks.brk)
    source = tmp_path / "indicators.xlsx"
    wb.save(source)
    subprocess.run(
        ["libreoffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf"]
        + ["--outdir", str(tmp_path), str(source)],
        check=True,
        timeout=180,
        capture_output=True,
    )
    pdf = (tmp_path / "indicators.pdf").read_bytes()
    assert breaks and len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == breaks + 1
