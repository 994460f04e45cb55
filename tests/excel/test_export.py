"""Assessment report export: sheets, headers, merges, values, colours, print setup, formula-safe text, views."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from copy import copy
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from excel.common import STATUS_COLOURS
from excel.export import SHEET_COVER, SHEET_INDICATORS, SHEET_TASKS, SHEET_UNITS, export_assessment
from excel.report_data import plans_for
from indicators import engine
from indicators.evaluation import services as verdicts
from indicators.evaluation.selectors import plan_results
from indicators.models import IndicatorValue, ReviewStatus, TaskProgress
from plans.models import Department, Plan, ReportingPeriod, Role, Task, TaskAssignment
from plans.roles import LEADER, REPORTER
from tests.conftest import make_user, mark_figures
from tests.worlds.excel import approve, enter, load

pytestmark = pytest.mark.django_db


def export(code: str, period: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    export_assessment(plans_for(code), period, buffer, **kwargs)
    return buffer.getvalue()


def fill(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:].upper()


def find_row(ws, column: int, text: str, start: int = 4) -> int:
    for row in range(start, ws.max_row + 1):
        if ws.cell(row=row, column=column).value == text:
            return row
    raise AssertionError(f"{text!r} not found")


def test_sheets_headers_merges_and_print_setup(wuxing):
    wb = load(export("wuxing-14th", "2025Q1"))
    # The 十四五 plan lists no task: no 重点任务进展 sheet (never a page saying only that there is none).
    assert wb.sheetnames == [SHEET_COVER, SHEET_INDICATORS, SHEET_UNITS]
    ws = wb[SHEET_INDICATORS]
    assert ws["A1"].value == "吴兴区人才发展“十四五”规划指标完成情况"
    headers = [c.value for c in ws[3]]
    assert headers[:4] == ["一级指标", "序号", "指标名称", "单位"]
    assert headers[6:13] == ["实际值", "完成率", "进度", "序时进度", "较序时差距", "距目标差距", "状态"]
    assert headers[13:] == ["牵头单位", "说明"]
    assert headers[4] == "2020年基期值" and headers[5] == "2025年目标值"  # as in the plan's 表2
    # 表2's first group (人才资源总量, rows 1–7) is one merged cell down its seven rows.
    first = find_row(ws, 2, "1")
    assert ws.cell(row=first, column=1).value == "人才资源总量"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert f"A{first}:A{first + 6}" in merged
    assert f"A{first + 7}:A{first + 9}" in merged  # 人才结构: 8–10
    assert "A1:O1" in merged and "A2:O2" in merged
    # Values and number formats follow the unit and decimals: 23.2 万人 with one decimal, 31.5 % with one.
    assert ws.cell(row=first, column=5).value == pytest.approx(23.2)
    assert ws.cell(row=first, column=6).value == pytest.approx(26.4)
    assert ws.cell(row=first, column=5).number_format == "#,##0.0"
    assert ws.cell(row=first, column=6).number_format == '"≥ "#,##0.0'  # the comparison before the target
    pct_row = find_row(ws, 2, "9")
    assert ws.cell(row=pct_row, column=6).number_format == '0.0"%左右"'  # 35%左右, as the document says
    # No figures reported yet: every row says so in words and in grey.
    status = ws.cell(row=first, column=13)
    assert "无数据" in status.value
    assert fill(status) == STATUS_COLOURS[engine.Status.NO_DATA][0].lstrip("#")
    # Print-ready: A4 landscape, one page wide, title rows repeated, frozen header, Chinese fonts.
    for name in (SHEET_INDICATORS, SHEET_UNITS):
        sheet = wb[name]
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        # fitToWidth 1 is the file format's default, so it may be omitted; fitToHeight 0 = as many pages as needed.
        assert int(sheet.page_setup.fitToWidth or 1) == 1 and int(sheet.page_setup.fitToHeight) == 0
        assert sheet.print_title_rows == "$1:$3"
        assert sheet.freeze_panes in ("D4", "C4")
    assert ws["A1"].font.name == "黑体" and ws.cell(row=first, column=3).font.name == "宋体"
    assert ws.column_dimensions["O"].width > ws.column_dimensions["B"].width  # 说明 is wide, 序号 narrow
    cover = wb[SHEET_COVER]
    assert cover.page_setup.orientation == "landscape" and int(cover.page_setup.fitToHeight or 1) == 1


def test_statuses_are_coloured_and_labelled(wuxing):
    enter(wuxing, {"1": "26.5", "12": "40"}, submit=True, note="")  # 1 achieved; 12 (PCT 35 → 100) far behind
    approve(wuxing, "1")
    wb = load(export("wuxing-14th", "2025Q1"))
    ws = wb[SHEET_INDICATORS]
    done, behind = find_row(ws, 2, "1"), find_row(ws, 2, "12")
    assert ws.cell(row=done, column=7).value == pytest.approx(26.5)
    assert "已完成" in ws.cell(row=done, column=13).value
    assert fill(ws.cell(row=done, column=13)) == "C6EFCE"
    assert "严重滞后" in ws.cell(row=behind, column=13).value
    assert fill(ws.cell(row=behind, column=13)) == "FFC7CE"
    note = ws.cell(row=behind, column=15).value
    assert note.startswith("【预计】【未审核】") and "序时进度" in note
    assert ws.cell(row=behind, column=10).number_format == "0.0%"
    cover = wb[SHEET_COVER]
    table = find_row(cover, 1, "吴兴区人才发展“十四五”规划", start=find_row(cover, 1, "规划", start=1))
    assert cover.cell(row=table, column=3).value == 48  # 指标数
    assert cover.cell(row=table, column=4).value == 1  # 已完成


def test_demo_and_official_figures_are_marked(wuxing):
    indicator = wuxing.indicator("2")
    mark_figures(
        IndicatorValue.objects.create(
            indicator=indicator,
            period=wuxing.period,
            department=wuxing.unit,
            value=Decimal("0.70"),
            basis="official",
            status=ReviewStatus.APPROVED,
            is_demo=True,
        )
    )
    ws = load(export("wuxing-14th", "2025Q1"))[SHEET_INDICATORS]
    note = ws.cell(row=find_row(ws, 2, "2"), column=15).value
    assert note.startswith("【统计】【演示数据】")


def test_formula_like_text_is_written_as_text(wuxing, make_period):
    plan = Plan.objects.get(code="ziliujing-reform")
    period = make_period("2025Q1")
    lead = Department.objects.get(name="区委组织部", parent__name="自流井区")
    task = Task.objects.create(plan=plan, number="=1+1", text="=SUM(A1)", order=999)
    TaskAssignment.objects.create(task=task, role=Role.LEAD, department=lead, order=1)
    TaskProgress.objects.create(
        task=task,
        period=period,
        department=lead,
        progress_status="in_progress",
        progress="@cmd",
        problems="+1",
        next_steps="-2",
        status=ReviewStatus.SUBMITTED,
    )
    data = export("ziliujing-reform", "2025Q1")
    ws = load(data)[SHEET_TASKS]
    row = find_row(ws, 2, "=SUM(A1)")
    cells = [ws.cell(row=row, column=c) for c in (1, 2, 6, 7, 8)]
    assert [c.value for c in cells] == ["=1+1", "=SUM(A1)", "@cmd", "+1", "-2"]
    assert all(c.data_type == "s" for c in cells)
    assert "推进中" in ws.cell(row=row, column=5).value
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in archive.read(n) for n in sheets)


def test_tasks_joined_per_unit_and_units_timeliness(seeded, make_period):
    import datetime as dt

    from django.utils import timezone

    period = make_period("2025Q1", deadline=dt.date(2025, 4, 15))
    task = Task.objects.get(plan__code="ziliujing-reform", number="2.")
    lead1, lead2 = [a.department for a in task.assignments.filter(role=Role.LEAD).order_by("order")]
    assert lead1 is not None and lead2 is not None
    on_time = timezone.make_aware(dt.datetime(2025, 4, 10, 9))
    late = timezone.make_aware(dt.datetime(2025, 4, 20, 9))
    TaskProgress.objects.create(
        task=task,
        period=period,
        department=lead1,
        progress_status="done",
        progress="已完成调研",
        status=ReviewStatus.SUBMITTED,
        submitted_at=on_time,
    )
    TaskProgress.objects.create(
        task=task,
        period=period,
        department=lead2,
        progress_status="delayed",
        progress="推进慢",
        status=ReviewStatus.APPROVED,
        submitted_at=late,
    )
    wb = load(export("ziliujing-reform", "2025Q1"))
    ws = wb[SHEET_TASKS]
    row = find_row(ws, 1, "2.")
    assert ws.cell(row=row, column=6).value == f"【{lead1.name}】已完成调研\n【{lead2.name}】推进慢"
    assert fill(ws.cell(row=row, column=5)) == "FFC7CE"  # the worst (滞后) colours the cell
    units = wb[SHEET_UNITS]
    assert [c.value for c in units[3]][:6] == ["序号", "单位", "承担指标", "承担任务", "差距指标数", "差距指标"]
    r1 = find_row(units, 2, lead1.name)
    r2 = find_row(units, 2, lead2.name)
    assert units.cell(row=r1, column=8).value >= 1 and units.cell(row=r1, column=9).value >= 1  # reported, on time
    assert units.cell(row=r2, column=10).value == 1  # reported late
    notes = " ".join(str(c.value) for row in units.iter_rows() for c in row if c.value)
    assert "本规划本周期尚无考核方案，不列考核得分与排名" in notes


def test_all_plans_by_command(seeded, tmp_path):
    out = tmp_path / "all.xlsx"
    call_command("export_assessment", "--plan", "all", "--period", "2020Y", "--output", str(out), stdout=io.StringIO())
    wb = load(out.read_bytes())
    cover = wb[SHEET_COVER]
    as_of = ReportingPeriod.bounds("year", 2020, 1)[1]
    results = {r.plan.code: r for r in plan_results(Plan.objects.exclude(status="draft"), as_of=as_of)}
    row = find_row(cover, 1, Plan.objects.get(code="wuxing-13th").title, start=find_row(cover, 1, "规划", start=1))
    counts = results["wuxing-13th"].counts()
    assert cover.cell(row=row, column=4).value == counts["achieved"] == 6  # 表1: all six with a target met
    header = find_row(cover, 1, "规划", start=1)
    na_column = next(
        c for c in range(1, cover.max_column + 1) if "不适用" in str(cover.cell(row=header, column=c).value)
    )
    assert cover.cell(row=row, column=na_column).value == counts["not_applicable"]
    ws = wb[SHEET_INDICATORS]
    titles = {str(ws.cell(row=r, column=1).value).split("　")[0] for r in range(4, ws.max_row + 1)}
    # "all" at 2020Y: the plans running in 2020; those not started yet or already over (已结束) are left out
    assert Plan.objects.get(code="wuxing-13th").title in titles
    assert not {p.title for p in Plan.objects.exclude(start_year__lte=2020, end_year__gte=2020)} & titles
    with pytest.raises(CommandError, match="不存在"):
        call_command("export_assessment", "--plan", "nope", "--period", "2020Y", "--output", str(out))
    with pytest.raises(CommandError, match="无法识别的周期代码"):
        call_command("export_assessment", "--plan", "all", "--period", "2020Q9x", "--output", str(out))


def test_per_unit_indicator_lists_each_unit(seeded, make_period):
    plan = Plan.objects.get(code="wujiang-town-3yr")
    root = Department.objects.get(name="吴江区", parent=None)
    town = Department.objects.create(parent=root, name="测试镇", kind=Department.Kind.TOWN)
    plan.assessed_units.add(town)
    verdicts.recompute([plan.pk])  # assessed units decide per-unit verdicts
    ws = load(export("wujiang-town-3yr", "2013Y"))[SHEET_INDICATORS]
    assert ws.cell(row=find_row(ws, 3, "其中：测试镇"), column=14).value == "测试镇"


def test_assessment_view(client, wuxing, roles):
    url = reverse("excel:assessment", args=["wuxing-14th"])
    assert url == "/excel/assessment/wuxing-14th/"
    assert client.get(url + "?period=2025Q1").status_code == 302  # login first
    leader = make_user("leader", LEADER)
    client.force_login(leader)
    response = client.get(url + "?period=2025Q1")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"] and "2025Q1" in response["Content-Disposition"]
    assert load(response.content).sheetnames[0] == SHEET_COVER
    assert client.get(reverse("excel:assessment", args=["all"]) + "?period=2025Q1").status_code == 200
    missing = client.get(reverse("excel:assessment", args=["nope"]) + "?period=2025Q1")
    assert missing.status_code == 404 and "不存在" in missing.content.decode()
    bad = client.get(url + "?period=2025Q7")
    assert bad.status_code == 400 and "周期" in bad.content.decode()


def test_reporter_gets_only_items_of_their_units(client, seeded, make_period):
    make_period("2025Q1")
    unit = Department.objects.get(name="区教育局", parent__name="自流井区")
    client.force_login(make_user("edu", REPORTER, unit))
    response = client.get(reverse("excel:assessment", args=["ziliujing-reform"]) + "?period=2025Q1")
    assert response.status_code == 200
    wb = load(response.content)
    tasks = wb[SHEET_TASKS]
    shown = [
        tasks.cell(row=r, column=2).value for r in range(4, tasks.max_row + 1) if tasks.cell(row=r, column=1).value
    ]
    expected = Task.objects.filter(plan__code="ziliujing-reform", assignments__department=unit).distinct().count()
    assert 0 < len([s for s in shown if s and not s.startswith("注")]) == expected
    units = wb[SHEET_UNITS]
    assert [units.cell(row=r, column=2).value for r in range(4, 5)] == ["区教育局"]
    # A plan where the unit has nothing: not found rather than an empty report.
    other = client.get(reverse("excel:assessment", args=["wuxing-14th"]) + "?period=2025Q1")
    assert other.status_code == 404


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="libreoffice not installed")
def test_report_converts_to_pdf(seeded, tmp_path):
    source = tmp_path / "report.xlsx"
    source.write_bytes(export("wuxing-13th", "2020Y"))
    subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    pdf = Path(tmp_path / "report.pdf")
    assert pdf.exists()
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000
    assert b"/MediaBox" in data and (b"841.8" in data or b"842" in data)  # A4 landscape width in points


def test_unit_sheet_gains_score_and_rank_from_the_assessment(seeded, tmp_path):
    """Issue 6: once a scheme exists for the plan and period, 单位情况 lists score, rank and group rank (veto
    marked)."""
    from io import StringIO

    import openpyxl
    from django.core.management import call_command

    call_command("load_demo_data", stdout=StringIO())
    call_command("load_demo_assessment", stdout=StringIO())
    out = tmp_path / "wj.xlsx"
    call_command(
        "export_assessment", "--plan", "wujiang-town-3yr", "--period", "2014H1", "--output", str(out), stdout=StringIO()
    )
    ws = openpyxl.load_workbook(out)["单位情况"]
    rows = list(ws.iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "序号")
    assert list(header[-4:]) == ["考核分组", "考核得分", "总排名", "组内排名"]
    by_name = {r[1]: r for r in rows if r and isinstance(r[0], int)}
    assert by_name["七都镇（演示）"][-2] == "一票否决"
    ranks = sorted(r[-2] for r in by_name.values() if isinstance(r[-2], int))
    assert ranks[0] == 1


def test_demo_mark_follows_the_figure_each_line_shows(seeded, make_period):
    """【演示数据】 marks the figure a line shows (its unit and period), not every line of an indicator with demo
    data."""
    plan = Plan.objects.get(code="wujiang-town-3yr")
    indicator = plan.indicators.get(name="每万劳动力中研发人员")
    root = Department.objects.get(name="吴江区", parent=None)
    real, demo = (
        Department.objects.create(parent=root, name=name, kind=Department.Kind.TOWN) for name in ("甲镇", "乙镇")
    )
    plan.assessed_units.add(real, demo)
    verdicts.recompute([plan.pk])  # assessed units decide per-unit verdicts
    y2013, y2014 = make_period("2013Y"), make_period("2014Y")
    figures = ((real, y2013, "60", True), (real, y2014, "70", False), (demo, y2014, "75", True))
    for town, period, value, is_demo in figures:
        mark_figures(
            IndicatorValue.objects.create(
                indicator=indicator,
                period=period,
                department=town,
                value=Decimal(value),
                status=ReviewStatus.APPROVED,
                is_demo=is_demo,
            )
        )
    ws = load(export("wujiang-town-3yr", "2014Y"))[SHEET_INDICATORS]
    first = find_row(ws, 3, indicator.name)
    notes = {}
    for row in range(first + 1, ws.max_row + 1):
        name = ws.cell(row=row, column=3).value or ""
        if not name.startswith("其中："):
            break
        notes[name] = ws.cell(row=row, column=15).value
    assert notes["其中：乙镇"].startswith("【预计】【演示数据】")
    assert "【演示数据】" not in notes["其中：甲镇"]  # its 2013 figure was demo; the 2014 one it shows is not
    assert ws.cell(row=find_row(ws, 3, "其中：甲镇", start=first), column=7).value == 70


def test_text_width_counts_wide_characters_double():
    from excel.common import char_width, line_count, text_width

    for text in ["", "abc 12", "人才工作", "ＡＢ１，。", "x人\n人人人\n", "①②—“”", "😀𠀋", "e\u0301\t"]:
        expected = max(sum(char_width(c) for c in line) for line in text.split("\n")) if text else 0
        assert text_width(text) == expected
    # Wrapped text is counted against 88 % of the width less a character's padding (words kept whole, kinsoku,
    # printer fonts): 40 units at width 11 → 4.5 → 5 lines; a short line still takes one.
    assert line_count("人" * 20, 11) == 5 and line_count("ab\n人人人人人人", 5) == 5 and line_count("", 8) == 1


def style(cell) -> tuple:
    """A cell's value and look (copies: openpyxl's style proxies compare unequal to each other)."""
    return (cell.value, cell.number_format, copy(cell.font), copy(cell.fill), copy(cell.border), copy(cell.alignment))


def heights(ws) -> dict:
    return {r: d.ht for r, d in ws.row_dimensions.items() if d.ht}


def widths(ws) -> dict:
    return {k: d.width for k, d in ws.column_dimensions.items() if d.customWidth}


def test_benchmark_floor_writes_the_same_workbook(wuxing):
    """The export's floor (xlsxwriter alone) writes the same cells, formats, heights, widths and merges."""
    from excel.bench import read_workbook, write_like

    enter(wuxing, {"1": "24.1", "9": "31.0"}, submit=True)
    data = export("wuxing-14th", "2025Q1")
    book = read_workbook(data)
    assert book.cells > 48 * 14 and len(book.formats) > 10
    ours, floor = load(data), load(write_like(book))
    for a, b in zip(ours.worksheets, floor.worksheets, strict=True):
        assert a.title == b.title
        assert {str(r) for r in a.merged_cells.ranges} == {str(r) for r in b.merged_cells.ranges}
        assert heights(a) == heights(b) and widths(a) == widths(b)
        assert a._cells.keys() == b._cells.keys()
        for key, cell in a._cells.items():
            assert style(cell) == style(b._cells[key]), key


def test_export_pauses_cycle_collection_only_while_it_runs(wuxing, monkeypatch):
    import gc

    from excel import export as export_module

    assert gc.isenabled()
    export("all", "2025Q1")
    assert gc.isenabled()

    def broken(*_args, **_kwargs):
        assert not gc.isenabled()  # paused while the report is written
        raise RuntimeError("写入失败")

    monkeypatch.setattr(export_module, "write_assessment", broken)
    with pytest.raises(RuntimeError):
        export("all", "2025Q1")
    assert gc.isenabled()  # back on after a failure too

    gc.disable()
    try:
        with export_module.paused_cycle_collection():
            pass
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()
