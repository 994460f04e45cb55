"""The Excel plan table read into the same draft: 配合单位, sections, several target years; its template."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from indicators.models import Indicator, Milestone
from intake.excel import read_plan_workbook, write_template
from plans.models import Department, Plan, Role, Task
from plans.roles import ADMIN, REPORTER
from sheets.reader import ExcelInputError
from tests.conftest import make_user
from tests.intake.helpers import post_form

pytestmark = pytest.mark.django_db


def workbook(indicators: list[list], tasks: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "指标"
    sheet.append(
        [
            "章节",
            "一级指标",
            "序号",
            "指标名称",
            "单位",
            "指标类型",
            "2010年基期值",
            "2015年目标",
            "2020年目标",
            "牵头单位",
            "配合单位",
        ]
    )
    for row in indicators:
        sheet.append(row)
    task_sheet = wb.create_sheet("任务")
    task_sheet.append(["章节", "编号", "任务内容", "牵头单位", "责任单位", "配合单位"])
    for row in tasks:
        task_sheet.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


INDICATORS = [
    ["一、主要目标", "人才总量", "1", "人才资源总量", "万人", "", 8, 10, 12, "区委组织部", "各镇（街道）"],
    ["一、主要目标", "", "2", "高技能人才占比", "%", "", 20, "25", "30%左右", "区人社局", ""],
    ["一、主要目标", "", "3", "累计引进博士", "名", "规划期累计", "——", 100, 300, "区委组织部", ""],
]
TASKS = [
    [
        "二、主要任务／（一）人才引进",
        "1.",
        "实施人才引进计划。",
        "区委组织部",
        "区人社局、区财政局",
        "区人才工作领导小组各成员单位",
    ],
    ["二、主要任务／（二）人才培养", "2.", "实施技能提升行动。", "区人社局", "", "各镇（街道）"],
]


def test_cooperating_sections_and_target_years():
    draft = read_plan_workbook(workbook(INDICATORS, TASKS), "规划表.xlsx")
    assert [(s.key, s.number, s.title) for s in draft.sections] == [
        ("1", "二、", "主要任务"),
        ("1.1", "（一）", "人才引进"),
        ("1.2", "（二）", "人才培养"),
        ("2", "一、", "主要目标"),
    ]
    first = draft.tasks[0]
    assert (first.section, first.names("lead"), first.names("responsible"), first.names("cooperating")) == (
        "1.1",
        ["区委组织部"],
        ["区人社局", "区财政局"],
        ["区人才工作领导小组各成员单位"],
    )
    total, share, phds = draft.targets
    assert (total.value, total.year, total.milestones, total.baseline, total.baseline_year) == (
        Decimal(12),
        2020,
        [(2015, Decimal(10))],
        Decimal(8),
        2010,
    )
    assert [a.name for a in total.assignments if a.role == "cooperating"] == ["各镇（街道）"]
    assert (share.kind, share.comparison, share.milestones) == ("rate", "approx", [(2015, Decimal(25))])
    assert (phds.kind, phds.baseline) == ("cumulative", None)
    assert (draft.start_year, draft.end_year) == (2011, 2020)


def test_bad_cells_are_located():
    rows = [row[:] for row in INDICATORS]
    rows[1][8] = "很多"
    rows[2][5] = "随便"
    with pytest.raises(ExcelInputError) as info:
        read_plan_workbook(workbook(rows, TASKS), "表.xlsx")
    text = str(info.value)
    assert "“指标”工作表 第3行" in text and "“2020年目标”的“很多”无法识别" in text
    assert "指标类型“随便”无法识别，可选：" in text


def test_template_has_drop_downs(client):
    out = io.BytesIO()
    write_template(out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<dataValidation ") >= 2 and "规划期累计" in sheet and "≈ 左右" in sheet
    client.force_login(make_user("rep", REPORTER))
    assert client.get(reverse("intake:template")).status_code == 403
    client.force_login(make_user("zzb", ADMIN))
    response = client.get(reverse("intake:template"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert "dataValidation" in zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml").decode()


def test_table_reviewed_and_published_like_a_document(client, seeded, settings, tmp_path):
    settings.INTAKE_DRAFT_DIR = tmp_path
    root = Department.objects.get(name="自流井区", parent=None)
    client.force_login(make_user("zzb", ADMIN))
    data = io.BytesIO(workbook(INDICATORS, TASKS))
    data.name = "规划表.xlsx"
    response = client.post(reverse("intake:start"), {"root": root.pk, "file": data})
    assert response.status_code == 302
    form = post_form(client.get(response["Location"]))
    form["code"] = "zlj-table"
    done = client.post(response["Location"], {**form, "action": "publish"})
    assert done.status_code == 302, done.content.decode()[:2000]
    plan = Plan.objects.get(code="zlj-table")
    total = Indicator.objects.get(plan=plan, name="人才资源总量")
    assert total.names_for(Role.COOPERATING) == ["各镇（街道）"]
    assert total.section is not None and total.section.title == "主要目标"
    assert list(Milestone.objects.filter(indicator=total).values_list("year", "value")) == [(2015, Decimal(10))]
    assert Task.objects.get(plan=plan, number="1.").names_for(Role.COOPERATING) == ["区人才工作领导小组各成员单位"]
