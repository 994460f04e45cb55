"""Plan import from Excel: an indicator table and a task list → the intake draft, reviewed and published there."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from indicators.models import Indicator
from intake.excel import read_plan_workbook
from intake.resolver import UnitResolver
from plans.models import Department, Plan, Role, Task
from plans.roles import ADMIN, REPORTER
from sheets.reader import ExcelInputError
from tests.conftest import make_user
from tests.intake.helpers import post_form

pytestmark = pytest.mark.django_db

INDICATORS: list[list[object]] = [
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
def root(seeded) -> Department:
    return Department.objects.get(name="自流井区", parent=None)


def test_table_read_into_a_draft(root):
    draft = read_plan_workbook(workbook(), "plan.xlsx")
    assert (draft.start_year, draft.end_year) == (2021, 2025)
    rows = [(g.group, g.number, g.kind, g.comparison) for g in draft.targets]
    assert rows == [
        ("人才总量", "1", "level", "gte"),
        ("人才总量", "2", "rate", "approx"),
        ("人才总量", "3", "level", "range"),
        ("人才环境", "4", "rate", "lte"),
    ]
    assert draft.targets[2].baseline is None and draft.targets[2].value_max == Decimal(8)
    assert draft.tasks[0].names("responsible") == ["区人力资源社会保障局", "区教育局", "区财政局"]
    assert draft.tasks[1].text == "=SUM(A1) 是一段文字"
    assert Plan.objects.filter(code="zlj-test").count() == 0  # reading writes nothing


def test_unknown_names_are_proposed_not_refused(root):
    draft = read_plan_workbook(workbook(tasks=[["1.", "某项任务", "区人社局", "区教育局、区不存在局"]]), "plan.xlsx")
    resolved = UnitResolver(root).resolve_all(draft.tasks[0].names("lead") + draft.tasks[0].names("responsible"))
    assert resolved["区人社局"].unit_name == "区人力资源社会保障局"  # the short form of a unit that exists
    assert resolved["区不存在局"].kind == "new_department"


def test_bad_cells_are_located():
    rows = [row[:] for row in INDICATORS]
    rows[1][5] = "很多"
    with pytest.raises(ExcelInputError) as info:
        read_plan_workbook(workbook(indicators=rows), "plan.xlsx")
    issue = info.value.issues[0]
    assert (issue.sheet, issue.row, issue.header) == ("指标", 4, "2025年目标") and "“很多”无法识别" in issue.message

    def formula(wb):
        wb["指标"]["E3"] = "=1+1"

    with pytest.raises(ExcelInputError) as info:
        read_plan_workbook(workbook(extra=formula), "plan.xlsx")
    assert any(i.row == 3 and i.column == "E" and "公式" in i.message for i in info.value.issues)


def test_wrong_file():
    wb = openpyxl.Workbook()
    wb.active.append(["随便", "什么"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(ExcelInputError, match="未找到指标表"):
        read_plan_workbook(out.getvalue(), "x.xlsx")
    with pytest.raises(ExcelInputError, match="不是 Excel"):
        read_plan_workbook(b"a,b,c\n", "x.xlsx")


def test_web_flow(client, root, settings, tmp_path):
    settings.INTAKE_DRAFT_DIR = tmp_path
    client.force_login(make_user("rep", REPORTER, root))
    assert client.get(reverse("excel:plan_import")).status_code == 403
    client.force_login(make_user("zzb", ADMIN))
    page = client.get(reverse("excel:plan_import"))
    assert page.status_code == 200 and reverse("intake:template") in page.content.decode()
    form = {
        "root": root.pk,
        "title": "自流井区测试规划",
        "code": "zlj-test",
        "kind": "implementation",
        "doc_number": "",
        "start_year": "",
        "end_year": "",
    }
    response = client.post(reverse("excel:plan_import"), {**form, "file": io.BytesIO(workbook())})
    # the table is reviewed and published on the intake review page, with the same unit resolver
    assert response.status_code == 302 and response["Location"].startswith("/intake/review/")
    review = client.get(response["Location"])
    assert review.status_code == 200 and "自流井区测试规划" in review.content.decode()
    assert not Plan.objects.filter(code="zlj-test").exists()
    done = client.post(response["Location"], {**post_form(review), "action": "publish"})
    assert done.status_code == 302, done.content.decode()[:2000]
    plan = Plan.objects.get(code="zlj-test")
    assert plan.kind == "implementation" and plan.indicators.count() == 4
    first = Indicator.objects.get(plan=plan, number="1")
    assert (first.baseline, first.baseline_year, first.target, first.target_year, first.decimals) == (
        Decimal("23.2"),
        2020,
        Decimal("26.4"),
        2025,
        1,
    )
    assert Indicator.objects.get(plan=plan, number="4").names_for(Role.LEAD) == ["区委组织部", "区教育局"]
    assert Task.objects.get(plan=plan, number="1.").names_for(Role.RESPONSIBLE) == [
        "区人力资源社会保障局",
        "区教育局",
        "区财政局",
    ]
    taken = client.post(reverse("excel:plan_import"), {**form, "file": io.BytesIO(workbook())})
    assert taken.status_code == 400 and "已被使用" in taken.content.decode()
    rows = [row[:] for row in INDICATORS]
    rows[0][5] = "很多"
    bad = client.post(
        reverse("excel:plan_import"), {**form, "code": "zlj-other", "file": io.BytesIO(workbook(indicators=rows))}
    )
    assert bad.status_code == 400 and "“很多”无法识别" in bad.content.decode()
