"""Actuals template and import: round trip, preview → confirm, and every kind of bad input (nothing written)."""

from __future__ import annotations

import io
import time
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from excel.importer import run_import
from excel.template import SHEET
from excel.template_tasks import TASK_SHEET
from indicators.evaluation import services as verdicts
from indicators.models import IndicatorValue, ReviewStatus
from plans.models import Department, Plan, ReportingPeriod
from plans.roles import REPORTER
from tests.conftest import make_user
from tests.worlds.excel import COL, FIRST_DATA_ROW, approve, counts, edit_template, enter, load, row_of, template_bytes

pytestmark = pytest.mark.django_db


def preview(setup, data: bytes, **kwargs):
    return run_import(user=kwargs.pop("user", setup.reporter), data=data, filename="t.xlsx", **kwargs)


def period_values(setup):
    return IndicatorValue.objects.filter(period=setup.period)


def messages(result) -> str:
    return "\n".join(i.text for i in result.issues)


def test_template_layout(wuxing):
    enter(wuxing, {"1": "23.5"}, note="季度预计")
    wb = load(template_bytes(wuxing))
    ws = wb[SHEET]
    assert [
        ws.cell(row=3, column=COL[k]).value for k in ("indicator", "department", "period", "version", "orig_basis")
    ] == ["指标ID", "单位ID", "周期代码", "版本", "原口径"]
    hidden = {i for dim in ws.column_dimensions.values() if dim.hidden for i in range(dim.min, dim.max + 1)}
    assert hidden == {1, 2, 3, 4, 5}
    assert ws.protection.sheet
    row = FIRST_DATA_ROW
    assert ws.cell(row=row, column=COL["indicator"]).protection.locked
    for key in ("value", "basis", "note"):
        assert not ws.cell(row=row, column=COL[key]).protection.locked
    assert ws.cell(row=row, column=COL["name"]).value == "人才资源总量"
    assert ws.cell(row=row, column=COL["value"]).value == pytest.approx(23.5)
    assert ws.cell(row=row, column=COL["note"]).value == "季度预计"
    assert ws.cell(row=row, column=COL["period"]).value == "2025Q1"
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists and lists[0].formula1 == '"预计,统计"'
    assert ws.max_row == 3 + 48  # one row per item 吴兴区 enters in wuxing-14th (13th ended in 2020)
    assert ws.freeze_panes == "J4"


def test_round_trip_changes_nothing(wuxing):
    enter(wuxing, {"1": "23.5", "9": "32.1"}, note="第一季度\r\n预计")
    enter(wuxing, {"2": "0.66"}, submit=True)
    enter(wuxing, {"3": "5.1"}, submit=True, basis="official")
    approve(wuxing, "3")
    before = counts()
    versions = list(IndicatorValue.objects.order_by("pk").values_list("pk", "version", "status"))
    result = preview(wuxing, template_bytes(wuxing), apply=True)
    assert not result.issues, messages(result)
    assert result.result is not None
    assert (len(result.result.created), len(result.result.updated), len(result.result.unchanged)) == (0, 0, 4)
    assert counts() == before  # no value and no history row added
    assert list(IndicatorValue.objects.order_by("pk").values_list("pk", "version", "status")) == versions
    assert result.blank_rows == 44


def test_preview_then_apply(wuxing):
    enter(wuxing, {"1": "23.5"})
    data = template_bytes(wuxing)
    data = edit_template(
        data,
        {
            (row_of(data, "1"), "value"): 23.8,
            (row_of(data, "2"), "value"): "0.66",
            (row_of(data, "2"), "basis"): "统计",
            (row_of(data, "9"), "value"): 32,
        },
    )
    before = counts()
    dry = preview(wuxing, data)
    assert not dry.issues, messages(dry)
    assert dry.counts == {"create": 2, "update": 1, "unchanged": 0}
    change = dry.of("update")[0]
    assert (change.old_value, change.entry.value) == (Decimal("23.5"), Decimal("23.8"))
    assert counts() == before  # the preview wrote nothing
    done = preview(wuxing, data, apply=True)
    assert done.applied and done.counts == dry.counts
    official = IndicatorValue.objects.get(indicator=wuxing.indicator("2"), period=wuxing.period)
    assert official.basis == "official" and official.value == Decimal("0.66")
    history = IndicatorValue.history.filter(id=official.pk).first()
    assert history.history_user == wuxing.reporter and "Excel导入" in history.history_change_reason
    assert IndicatorValue.objects.get(indicator=wuxing.indicator("1")).version == 2


def test_dash_means_not_reported(wuxing):
    data = template_bytes(wuxing)
    data = edit_template(data, {(FIRST_DATA_ROW, "value"): "——", (FIRST_DATA_ROW + 1, "value"): 0.66})
    result = preview(wuxing, data)
    assert not result.issues and result.counts["create"] == 1 and result.blank_rows == 47


def test_percent_typed_into_a_cell_is_read_as_shown(wuxing):
    data = template_bytes(wuxing)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cell = wb[SHEET].cell(row=row_of(data, "9"), column=COL["value"], value=0.321)
    cell.number_format = "0.0%"  # Excel does this when "32.1%" is typed
    out = io.BytesIO()
    wb.save(out)
    result = preview(wuxing, out.getvalue())
    assert not result.issues, messages(result)
    assert result.rows[0].entry.value == Decimal("32.1")


def test_web_upload_preview_confirm(client, wuxing):
    client.force_login(wuxing.reporter)
    page = client.get(reverse("excel:import"))
    assert page.status_code == 200 and "下载模板" in page.content.decode()
    template = client.get(reverse("excel:template"), {"unit": wuxing.unit.pk, "period": "2025Q1"})
    assert template.status_code == 200 and load(template.content).sheetnames == [SHEET, TASK_SHEET]
    data = edit_template(template.content, {(FIRST_DATA_ROW, "value"): 23.9})
    response = client.post(reverse("excel:upload"), {"file": io.BytesIO(data)}, format="multipart")
    body = response.content.decode()
    assert response.status_code == 200 and "确认导入" in body and not period_values(wuxing)
    token = response.context["token"]
    assert client.post(reverse("excel:confirm"), {"token": "x" * 32}).status_code == 400  # not ours
    done = client.post(reverse("excel:confirm"), {"token": token, "submit": "on"})
    assert done.status_code == 302
    value = period_values(wuxing).get()
    assert value.value == Decimal("23.9") and value.status == ReviewStatus.SUBMITTED
    again = client.post(reverse("excel:confirm"), {"token": token})  # the token is spent
    assert again.status_code == 400 and "过期" in again.content.decode()


def test_confirm_rechecks_the_file(client, wuxing):
    """A period closed between preview and confirm: the confirm step re-validates and writes nothing."""
    client.force_login(wuxing.reporter)
    data = edit_template(template_bytes(wuxing), {(FIRST_DATA_ROW, "value"): 23.9})
    token = client.post(reverse("excel:upload"), {"file": io.BytesIO(data)}).context["token"]
    wuxing.period.state = ReportingPeriod.State.CLOSED
    wuxing.period.save()
    response = client.post(reverse("excel:confirm"), {"token": token})
    assert response.status_code == 409 and "已截止填报" in response.content.decode()
    assert not period_values(wuxing)


def test_only_reporters_import(client, wuxing):
    client.force_login(wuxing.admin)
    assert client.get(reverse("excel:template"), {"unit": wuxing.unit.pk, "period": "2025Q1"}).status_code == 403
    other = Department.objects.get(name="区委组织部", parent__name="自流井区")
    client.force_login(wuxing.reporter)
    response = client.get(reverse("excel:template"), {"unit": other.pk, "period": "2025Q1"})
    assert response.status_code == 400  # not one of the user's units


def test_command(wuxing, tmp_path):
    path = tmp_path / "filled.xlsx"
    path.write_bytes(edit_template(template_bytes(wuxing), {(FIRST_DATA_ROW, "value"): 23.9}))
    out = io.StringIO()
    call_command("import_actuals", str(path), "--user", "wx_reporter", "--dry-run", stdout=out)
    assert "新增 1 项" in out.getvalue() and not period_values(wuxing)
    call_command("import_actuals", str(path), "--user", "wx_reporter", stdout=out)
    assert period_values(wuxing).get().value == Decimal("23.9")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook at all")
    with pytest.raises(CommandError, match="1 个问题"):
        call_command("import_actuals", str(bad), "--user", "wx_reporter", stderr=io.StringIO())
    with pytest.raises(CommandError, match="不存在"):
        call_command("import_actuals", str(path), "--user", "nobody")


def test_per_unit_items(seeded, make_period):
    plan = Plan.objects.get(code="wujiang-town-3yr")
    town = Department.objects.create(
        parent=Department.objects.get(name="吴江区", parent=None), name="测试镇", kind=Department.Kind.TOWN
    )
    plan.assessed_units.add(town)
    verdicts.recompute([plan.pk])  # assessed units decide per-unit verdicts
    period = make_period("2013Q4")
    user = make_user("town", REPORTER, town)
    buffer = io.BytesIO()
    from excel.template import write_template

    assert write_template(town, period, buffer) == plan.indicators.count() == 6
    data = edit_template(buffer.getvalue(), {(FIRST_DATA_ROW, "value"): 12})
    result = run_import(user=user, data=data, apply=True)
    assert not result.issues, messages(result)
    assert IndicatorValue.objects.get(department=town).value == 12


# --- bad input: each gets a Chinese message with its location, and nothing is written ------------------------


def refused(setup, data: bytes, *expected: str, user=None) -> list:
    before = counts()
    result = preview(setup, data, apply=True, user=user or setup.reporter)
    assert result.issues and not result.applied
    text = messages(result)
    for fragment in expected:
        assert fragment in text, text
    assert counts() == before
    return result.issues


def filled(setup, edits=None) -> bytes:
    data = template_bytes(setup)
    return edit_template(data, {(FIRST_DATA_ROW, "value"): 23.9, **(edits or {})})


def test_not_an_xlsx(wuxing):
    refused(wuxing, b"%PDF-1.4 something", "不是 Excel 工作簿")
    refused(wuxing, b"", "空文件")


def test_renamed_csv(wuxing):
    refused(wuxing, "指标ID,单位ID,周期代码\n1,2,2025Q1\n".encode("gb18030"), "文本/CSV")


def test_encrypted_and_legacy_xls(wuxing):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    refused(wuxing, ole + "EncryptedPackage".encode("utf-16-le") + b"\0" * 512, "已加密")
    refused(wuxing, ole + b"\0" * 1024, "97-2003")


def test_corrupt_file(wuxing):
    data = template_bytes(wuxing)
    refused(wuxing, data[: len(data) // 2], "已损坏")
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    refused(wuxing, buffer.getvalue(), "不是 Excel 工作簿")
    # A readable package whose sheet XML breaks off half-way.
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(filled(wuxing))) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body[: len(body) * 2 // 3]
            target.writestr(item, body)
    refused(wuxing, damaged.getvalue(), "损坏")


def test_wrong_template(wuxing):
    from excel.export import export_assessment
    from excel.report_data import plans_for

    report = io.BytesIO()
    export_assessment(plans_for("wuxing-14th"), "2025Q1", report)
    refused(wuxing, report.getvalue(), "未找到“实际值填报”工作表", "封面汇总")
    wb = openpyxl.Workbook()
    wb.active.title = SHEET
    wb.active.append(["指标", "数值"])
    out = io.BytesIO()
    wb.save(out)
    refused(wuxing, out.getvalue(), "表头不是实际值填报模板的格式")


def test_empty_sheets(wuxing):
    wb = openpyxl.Workbook()
    wb.active.title = SHEET
    out = io.BytesIO()
    wb.save(out)
    refused(wuxing, out.getvalue(), "表头不是实际值填报模板")
    data = template_bytes(wuxing)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb[SHEET].delete_rows(FIRST_DATA_ROW, 100)
    out = io.BytesIO()
    wb.save(out)
    refused(wuxing, out.getvalue(), "没有数据行")
    refused(wuxing, data, "全部为空")  # a template uploaded without a single figure


def test_another_units_items(wuxing):
    other = Department.objects.get(name="区委组织部", parent__name="自流井区")
    stranger = make_user("stranger", REPORTER, other)
    issues = refused(wuxing, filled(wuxing), "不存在或不由您的单位", user=stranger)
    assert issues[0].row == FIRST_DATA_ROW and issues[0].sheet == SHEET
    assert "人才资源总量" not in issues[0].message  # we do not confirm what another unit's item is
    tampered = filled(wuxing, {(FIRST_DATA_ROW, "department"): other.pk})
    refused(wuxing, tampered, "不存在或不由您的单位")


def test_closed_period(wuxing):
    data = filled(wuxing)
    wuxing.period.state = ReportingPeriod.State.CLOSED
    wuxing.period.save()
    issues = refused(wuxing, data, "已截止填报", f"第{FIRST_DATA_ROW}行")
    assert len(issues) == 1


def test_unknown_items(wuxing):
    refused(wuxing, filled(wuxing, {(FIRST_DATA_ROW, "indicator"): 999999}), "ID 999999")
    refused(wuxing, filled(wuxing, {(FIRST_DATA_ROW, "period"): "2031Q1"}), "周期“2031Q1”不存在")
    refused(wuxing, filled(wuxing, {(FIRST_DATA_ROW, "indicator"): "abc"}), "隐藏的键列“指标ID”")


def test_text_in_number_cells(wuxing):
    issues = refused(wuxing, filled(wuxing, {(FIRST_DATA_ROW, "value"): "二十三"}), "“二十三”不是有效数字")
    assert (issues[0].row, issues[0].column, issues[0].header) == (FIRST_DATA_ROW, "M", "本期实际值")
    refused(wuxing, filled(wuxing, {(FIRST_DATA_ROW, "basis"): "估计"}), "数据口径“估计”无效")


def test_formulas_are_refused_with_their_cell(wuxing):
    issues = refused(wuxing, filled(wuxing, {(FIRST_DATA_ROW + 1, "value"): "=M4*2"}), "含公式“=M4*2”")
    assert (issues[0].row, issues[0].column) == (FIRST_DATA_ROW + 1, "M")


def test_formula_like_text_is_not_a_formula(wuxing):
    """A note that is *text* starting with = or @ is data, not a formula."""
    data = template_bytes(wuxing)
    buffer = io.BytesIO()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    cell = wb[SHEET].cell(row=FIRST_DATA_ROW, column=COL["note"])
    cell.value, cell.data_type = "=SUM(A1) 按统计口径", "s"
    wb[SHEET].cell(row=FIRST_DATA_ROW, column=COL["value"], value=23.9)
    wb.save(buffer)
    result = preview(wuxing, buffer.getvalue(), apply=True)
    assert not result.issues, messages(result)
    assert period_values(wuxing).get().note == "=SUM(A1) 按统计口径"


def test_merged_cells_in_data_area(wuxing):
    wb = openpyxl.load_workbook(io.BytesIO(filled(wuxing)))
    wb[SHEET].merge_cells(
        start_row=FIRST_DATA_ROW, start_column=COL["value"], end_row=FIRST_DATA_ROW + 1, end_column=COL["value"]
    )
    out = io.BytesIO()
    wb.save(out)
    issues = refused(wuxing, out.getvalue(), "M4:M5 是合并单元格")
    assert issues[0].sheet == SHEET


def test_100k_junk_rows_refused_early(wuxing):
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    ws = workbook.add_worksheet(SHEET)
    for col, text in enumerate(["指标ID", "单位ID", "周期代码", "版本", "本期实际值", "数据口径", "说明"]):
        ws.write_string(2, col, text)
    for row in range(3, 100_003):
        ws.write_number(row, 0, row)
        ws.write_string(row, 4, "junk")
    workbook.close()
    started = time.perf_counter()
    issues = refused(wuxing, buffer.getvalue(), "超过 20000 行上限", "第20004行")
    assert len(issues) == 1
    assert time.perf_counter() - started < 60


@override_settings(IMPORT_MAX_BYTES=2000)
def test_oversize_file(wuxing, client):
    refused(wuxing, filled(wuxing), "超过导入上限")
    client.force_login(wuxing.reporter)
    response = client.post(reverse("excel:upload"), {"file": io.BytesIO(filled(wuxing))})
    assert response.status_code == 400 and "超过导入上限" in response.content.decode()


def test_jump_without_note_is_located(wuxing, make_period):
    previous = make_period("2024Q4")
    from indicators.services import ValueEntry, save_values

    save_values(
        user=wuxing.reporter,
        entries=[ValueEntry(wuxing.indicator("12"), wuxing.unit, previous, Decimal(40))],
        submit=True,
    )
    data = template_bytes(wuxing)
    issues = refused(wuxing, edit_template(data, {(row_of(data, "12"), "value"): 90}), "超过±50%", "说明")
    assert issues[0].column == "O" and issues[0].row == row_of(data, "12")


def test_stale_approved_and_duplicate_rows(wuxing):
    enter(wuxing, {"1": "23.5"}, submit=True)
    data = template_bytes(wuxing)
    enter(wuxing, {"1": "23.6"})  # someone changes it after the download
    refused(wuxing, edit_template(data, {(FIRST_DATA_ROW, "value"): 23.9}), "下载模板后已被他人修改")
    enter(wuxing, {"1": "23.5"}, submit=True)
    approve(wuxing, "1")
    data = template_bytes(wuxing)
    refused(wuxing, edit_template(data, {(FIRST_DATA_ROW, "value"): 23.9}), "已审核通过，不能再修改")
    second = row_of(data, "2")
    dup = edit_template(
        data, {(second, "indicator"): wuxing.indicator("1").pk, (second, "value"): 23.5, (second, "version"): None}
    )
    refused(wuxing, dup, f"与第{FIRST_DATA_ROW}行是同一指标")


def test_switching_basis_adds_an_official_figure(wuxing):
    enter(wuxing, {"1": "23.5"}, submit=True)
    data = template_bytes(wuxing)
    result = preview(
        wuxing, edit_template(data, {(FIRST_DATA_ROW, "basis"): "统计", (FIRST_DATA_ROW, "value"): 23.6}), apply=True
    )
    assert not result.issues, messages(result)
    assert dict(period_values(wuxing).values_list("basis", "value")) == {
        "estimate": Decimal("23.5"),
        "official": Decimal("23.6"),
    }
