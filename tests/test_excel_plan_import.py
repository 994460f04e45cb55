"""Plan import: an indicator table and a task list laid out like the seed tables → a previewed draft plan."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from indicators.excel.plan_import import PlanParams, create_draft, parse_plan, parse_target
from indicators.models import Indicator
from plans.models import Department, Plan, Role, Task
from plans.roles import ADMIN, REPORTER
from tests.conftest import make_user
from tests.test_excel_support import upload_dir  # noqa: F401

pytestmark = pytest.mark.django_db

INDICATORS = [
    ["人才总量", "1", "人才资源总量", "万人", 23.2, 26.4, "区委组织部"],
    [None, "2", "专业技术人才高级职称比例", "%", 31.5, "35%左右", "区人力资源社会保障局"],
    [None, "3", "高技能人才", "万人", "——", "5-8", ""],
    ["人才环境", "4", "人才流失率", "%", 8, "≤5", "区委组织部、区教育局"],
]
TASKS = [
    ["1.", "建立人才工作目标责任制考核。", "区委组织部", "区人力资源社会保障局、区教育局，区财政局"],
    ["2.", "=SUM(A1) 是一段文字", "区委组织部", ""],
]


def workbook(indicators=None, tasks=None, *, merge_group=True, extra=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "指标"
    ws.append(["表2 测试规划主要指标"])
    ws.merge_cells("A1:G1")
    ws.append(["一级指标", "序号", "指标名称", "单位", "2020年", "2025年目标", "牵头单位"])
    for row in indicators or INDICATORS:
        ws.append(row)
    if merge_group:
        ws.merge_cells("A3:A5")
    tasks_ws = wb.create_sheet("任务")
    tasks_ws.append(["编号", "任务内容", "牵头单位", "责任单位"])
    for row in tasks or TASKS:
        tasks_ws.append(row)
    tasks_ws["B3"].data_type = "s"  # text that starts with "=", not a formula
    if extra:
        extra(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def params(seeded) -> PlanParams:
    root = Department.objects.get(name="自流井区", parent=None)
    return PlanParams(code="zlj-test", title="自流井区测试规划", root_id=root.pk)


def test_parse_target_forms():
    assert parse_target("35%左右", Decimal("31.5")) == (Decimal("35"), None, "approx", 0)
    assert parse_target("5-8", None) == (Decimal("5"), Decimal("8"), "range", 0)
    assert parse_target("≤5", Decimal(8)) == (Decimal("5"), None, "lte", 0)
    assert parse_target("——", None) == (None, None, "gte", 0)
    assert parse_target(26.4, Decimal("23.2")) == (Decimal("26.4"), None, "gte", 1)
    assert parse_target("3", Decimal(5))[2] == "lte"  # falling target, no words: lower is better
    with pytest.raises(ValueError):
        parse_target("很多", None)


def test_preview_and_create_draft(params):
    preview = parse_plan(workbook(), params, filename="plan.xlsx")
    assert not preview.issues, [i.text for i in preview.issues]
    assert (preview.start_year, preview.end_year) == (2021, 2025)
    groups = [(i.group, i.number, i.kind, i.comparison) for i in preview.indicators]
    assert groups == [("人才总量", "1", "level", "gte"), ("人才总量", "2", "rate", "approx"),
                      ("人才总量", "3", "level", "range"), ("人才环境", "4", "rate", "lte")]
    assert preview.indicators[2].baseline is None and preview.indicators[2].target_upper == Decimal(8)
    assert preview.tasks[0].responsible == ["区人力资源社会保障局", "区教育局", "区财政局"]
    assert Plan.objects.filter(code="zlj-test").count() == 0  # a preview writes nothing
    admin = make_user("zzb", ADMIN)
    plan = create_draft(preview, user=admin)
    assert plan.status == Plan.Status.DRAFT and plan.issuer.name == "自流井区"
    first = Indicator.objects.get(plan=plan, number="1")
    assert (first.baseline, first.baseline_year, first.target, first.target_year, first.decimals) == (
        Decimal("23.2"), 2020, Decimal("26.4"), 2025, 1)
    assert first.names_for(Role.LEAD) == ["区委组织部"]
    assert Indicator.objects.get(plan=plan, number="4").names_for(Role.LEAD) == ["区委组织部", "区教育局"]
    task = Task.objects.get(plan=plan, number="2.")
    assert task.text == "=SUM(A1) 是一段文字"
    assert Task.objects.get(plan=plan, number="1.").departments_text.startswith("（牵头单位：区委组织部。")
    assert plan.history.count() == 1 and Indicator.history.filter(plan_id=plan.pk).count() == 4


def test_unknown_department_names_are_listed(params):
    tasks = [["1.", "某项任务", "区人社局", "区教育局、区不存在局"]]
    preview = parse_plan(workbook(tasks=tasks), params)
    assert not preview.ok
    assert set(preview.unknown_names) == {"区人社局", "区不存在局"}
    text = " ".join(i.text for i in preview.issues)
    assert "单位“区人社局”不在“自流井区”的单位列表中" in text and "“任务”第2行" in text


def test_bad_cells_are_located(params):
    rows = [row[:] for row in INDICATORS]
    rows[1][5] = "很多"
    preview = parse_plan(workbook(indicators=rows), params)
    issue = preview.issues[0]
    assert (issue.sheet, issue.row, issue.column, issue.header) == ("指标", 4, "F", "2025年目标")
    assert "目标值“很多”无法识别" in issue.message

    def formula(wb):
        wb["指标"]["E3"] = "=1+1"

    preview = parse_plan(workbook(extra=formula), params)
    assert any(i.row == 3 and i.column == "E" and "公式" in i.message for i in preview.issues)

    def merged_names(wb):
        wb["指标"].merge_cells("C3:C4")

    preview = parse_plan(workbook(extra=merged_names), params)
    assert any("C3:C4 是合并单元格" in i.message for i in preview.issues)


def test_wrong_file_and_code_taken(params):
    wb = openpyxl.Workbook()
    wb.active.append(["随便", "什么"])
    out = io.BytesIO()
    wb.save(out)
    preview = parse_plan(out.getvalue(), params)
    assert "未找到指标表" in preview.issues[0].message
    taken = PlanParams(code="wuxing-14th", title="x", root_id=params.root_id)
    assert "已被使用" in parse_plan(workbook(), taken).issues[0].message
    assert "不是 Excel" in parse_plan(b"a,b,c\n", params).issues[0].message


def test_web_flow(client, params):
    reporter = make_user("rep", REPORTER, Department.objects.get(pk=params.root_id))
    client.force_login(reporter)
    assert client.get(reverse("excel:plan_import")).status_code == 403
    client.force_login(make_user("zzb", ADMIN))
    assert client.get(reverse("excel:plan_import")).status_code == 200
    form = {"root": params.root_id, "title": "自流井区测试规划", "code": "zlj-test", "kind": "implementation",
            "doc_number": "", "start_year": "", "end_year": ""}
    response = client.post(reverse("excel:plan_import"), {**form, "file": io.BytesIO(workbook())})
    # the table is reviewed and published on the intake review page, with the same unit resolver
    assert response.status_code == 302 and response["Location"].startswith("/intake/review/")
    page = client.get(response["Location"])
    assert page.status_code == 200 and "审核规划草稿" in page.content.decode()
    assert "自流井区测试规划" in page.content.decode()
    assert not Plan.objects.filter(code="zlj-test").exists()
    taken = client.post(reverse("excel:plan_import"), {**form, "code": "wuxing-14th", "file": io.BytesIO(workbook())})
    assert taken.status_code == 400 and "已被使用" in taken.content.decode()
