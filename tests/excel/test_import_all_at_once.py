"""Issue 19: one file carries figures and task progress; the preview lists every problem at once; unclear rows
(a note without a figure, no 数据口径) are asked about, applied only once confirmed."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from excel.importer import run_import
from excel.template_tasks import TASK_COLUMNS, TASK_SHEET
from indicators.models import IndicatorValue, ReviewStatus, TaskProgress
from indicators.services import ValueEntry, save_values
from plans.models import Department, Role, Task
from plans.roles import REPORTER
from tests.conftest import make_user
from tests.worlds.excel import COL, counts, edit_template, row_of, template_bytes

pytestmark = pytest.mark.django_db
TCOL = {key: i + 1 for i, key in enumerate(TASK_COLUMNS)}


def cleared(data: bytes, row: int, key: str) -> bytes:
    """The cell emptied, as a user deletes it (openpyxl's ws.cell(value=None) leaves the old value)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    wb["实际值填报"].cell(row=row, column=COL[key]).value = None
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_every_problem_of_a_file_is_listed_at_once(wuxing, make_period):
    previous = make_period("2024Q4")
    save_values(
        user=wuxing.reporter,
        entries=[ValueEntry(wuxing.indicator("12"), wuxing.unit, previous, Decimal(40))],
        submit=True,
    )
    data = template_bytes(wuxing)
    rows = {n: row_of(data, n) for n in ("1", "2", "3", "12")}
    filled = edit_template(
        data,
        {
            (rows["1"], "value"): 23.9,
            (rows["1"], "basis"): "估计",  # not a basis
            (rows["2"], "value"): "0.7.5",  # not a number
            (rows["3"], "value"): 6.12345,  # more decimals than the indicator keeps
            (rows["12"], "value"): 90,  # +125 % on last quarter without a reason (the service's rule)
        },
    )
    before = counts()
    preview = run_import(user=wuxing.reporter, data=filled, filename="f.xlsx", apply=True)
    found = {(i.row, i.header) for i in preview.issues}
    assert (rows["1"], "数据口径") in found
    assert (rows["2"], "本期实际值") in found
    assert (rows["3"], "本期实际值") in found
    assert (rows["12"], "说明") in found  # found by save_values' check in the same upload
    assert not preview.applied and counts() == before


def test_note_without_value_and_missing_basis_are_asked(wuxing):
    data = template_bytes(wuxing)
    note_only, no_basis = row_of(data, "1"), row_of(data, "2")
    filled = edit_template(data, {(note_only, "note"): "统计局尚未公布，下月补报", (no_basis, "value"): 0.72})
    filled = cleared(filled, no_basis, "basis")
    preview = run_import(user=wuxing.reporter, data=filled, filename="f.xlsx", apply=True)
    assert not preview.issues and preview.waiting and not preview.applied
    asked = {(q.row, q.header) for q in preview.questions}
    assert asked == {(note_only, "本期实际值"), (no_basis, "数据口径")}
    assert not IndicatorValue.objects.filter(period=wuxing.period).exists()  # nothing until answered
    done = run_import(user=wuxing.reporter, data=filled, filename="f.xlsx", apply=True, answered=True)
    assert done.applied
    saved = IndicatorValue.objects.get(period=wuxing.period)
    assert saved.indicator == wuxing.indicator("2") and saved.basis == IndicatorValue.Basis.ESTIMATE
    assert saved.value == Decimal("0.72")


def test_web_preview_asks_and_confirm_applies(client, wuxing):
    client.force_login(wuxing.reporter)
    data = template_bytes(wuxing)
    filled = cleared(edit_template(data, {(row_of(data, "2"), "value"): 0.72}), row_of(data, "2"), "basis")
    response = client.post(reverse("excel:upload"), {"file": io.BytesIO(filled)})
    body = response.content.decode()
    assert response.status_code == 200 and "需要您确认" in body and "未填写数据口径" in body
    token = response.context["token"]
    unanswered = client.post(reverse("excel:confirm"), {"token": token})
    assert unanswered.status_code == 409 and not IndicatorValue.objects.filter(period=wuxing.period).exists()
    done = client.post(reverse("excel:confirm"), {"token": token, "answer_questions": "on"})
    assert done.status_code == 302 and IndicatorValue.objects.filter(period=wuxing.period).count() == 1


@pytest.fixture
def tasks_unit(seeded, make_period):
    unit = Department.objects.get(name="区委组织部", parent__name="自流井区")
    period = make_period("2020Q1")  # the plan runs 2017–2020
    reporter = make_user("zlj_zzb", REPORTER, unit)
    tasks = list(
        Task.objects.filter(plan__code="ziliujing-reform", assignments__department=unit, assignments__role=Role.LEAD)
        .distinct()
        .order_by("order")
    )
    return unit, period, reporter, tasks


def template_of(unit, period) -> bytes:
    from excel.template import write_template

    buffer = io.BytesIO()
    write_template(unit, period, buffer)
    return buffer.getvalue()


def edit_tasks(data: bytes, edits: dict[tuple[int, str], object]) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[TASK_SHEET]
    for (row, key), value in edits.items():
        ws.cell(row=row, column=TCOL[key], value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def task_row(data: bytes, task: Task) -> int:
    ws = openpyxl.load_workbook(io.BytesIO(data))[TASK_SHEET]
    return next(r for r in range(4, ws.max_row + 1) if ws.cell(row=r, column=TCOL["task"]).value == task.pk)


def test_template_round_trip_carries_task_progress(tasks_unit):
    unit, period, reporter, tasks = tasks_unit
    assert len(tasks) >= 2
    data = template_of(unit, period)
    ws = openpyxl.load_workbook(io.BytesIO(data))[TASK_SHEET]
    shown = [ws.cell(row=r, column=TCOL["task"]).value for r in range(4, ws.max_row + 1)]
    assert all(t.pk in shown for t in tasks)
    first, second = task_row(data, tasks[0]), task_row(data, tasks[1])
    filled = edit_tasks(
        data,
        {
            (first, "progress_status"): "推进中",
            (first, "progress"): "已完成调研，形成初稿",
            (first, "problems"): "经费待落实",
            (second, "progress_status"): "已完成",
            (second, "progress"): "已印发",
        },
    )
    preview = run_import(user=reporter, data=filled, filename="t.xlsx")
    assert not preview.issues and [r.action for r in preview.task_rows] == ["create", "create"]
    assert not TaskProgress.objects.exists()  # the preview wrote nothing
    done = run_import(user=reporter, data=filled, filename="t.xlsx", apply=True, submit=True)
    assert done.applied and done.counts["create"] == 2
    saved = TaskProgress.objects.get(task=tasks[0], department=unit, period=period)
    assert (saved.progress_status, saved.progress, saved.problems) == (
        "in_progress",
        "已完成调研，形成初稿",
        "经费待落实",
    )
    assert saved.status == ReviewStatus.SUBMITTED
    # Downloaded again: pre-filled with what was reported; uploaded unchanged, it changes nothing.
    again = template_of(unit, period)
    ws = openpyxl.load_workbook(io.BytesIO(again))[TASK_SHEET]
    row = task_row(again, tasks[0])
    assert ws.cell(row=row, column=TCOL["progress_status"]).value == "推进中"
    assert ws.cell(row=row, column=TCOL["progress"]).value == "已完成调研，形成初稿"
    history = TaskProgress.history.count()
    unchanged = run_import(user=reporter, data=again, filename="t.xlsx", apply=True)
    assert unchanged.applied and unchanged.counts["unchanged"] == 2 and TaskProgress.history.count() == history


def test_task_and_figure_problems_together(tasks_unit):
    unit, period, reporter, tasks = tasks_unit
    data = template_of(unit, period)
    first, second = task_row(data, tasks[0]), task_row(data, tasks[1])
    filled = edit_tasks(
        data,
        {(first, "progress_status"): "差不多了", (second, "progress"): "推进顺利"},  # a bad state; text, no state
    )
    preview = run_import(user=reporter, data=filled, filename="t.xlsx", apply=True, submit=True)
    where = {(i.sheet, i.row, i.header) for i in preview.issues}
    assert (TASK_SHEET, first, "推进状态") in where and (TASK_SHEET, second, "推进状态") in where
    assert not preview.applied and not TaskProgress.objects.exists()
    # The service's own rule (a report must say what was done) is found in the same check.
    filled = edit_tasks(data, {(first, "progress_status"): "推进中"})
    preview = run_import(user=reporter, data=filled, filename="t.xlsx", apply=True, submit=True)
    assert any(i.sheet == TASK_SHEET and "进展情况" in i.message for i in preview.issues)
    assert not TaskProgress.objects.exists()
