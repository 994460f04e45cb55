"""The task sheet of the actuals template (任务进展填报): one row per task the unit leads or is responsible for.

Hidden key columns (任务ID, 单位ID, 周期代码, 版本) say what each row is; 推进状态 (a list), 进展情况, 存在问题 and
下一步打算 are unlocked. A task already reported for the period is written with what was reported and its version, so
a template uploaded unchanged changes nothing. The import (`import_tasks.py`) saves each row through
`indicators.services.save_progress`, the reporting form's path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from excel.common import Formats, column_width, row_height, write_merged_row_text, write_text
from indicators.models import ReviewStatus, TaskProgress
from plans.models import Department, Plan, ReportingPeriod, Role, Task, TaskAssignment

TASK_SHEET = "任务进展填报"
TASK_KEY_HEADERS = {"task": "任务ID", "department": "单位ID", "period": "周期代码", "version": "版本"}
TASK_INFO_HEADERS = {"plan": "规划", "number": "编号", "text": "重点任务", "role": "本单位职责"}
TASK_EDIT_HEADERS = {
    "progress_status": "推进状态",
    "progress": "进展情况",
    "problems": "存在问题",
    "next_steps": "下一步打算",
}
TASK_HEADERS: dict[str, str] = {**TASK_KEY_HEADERS, **TASK_INFO_HEADERS, **TASK_EDIT_HEADERS, "status": "审核状态"}
TASK_COLUMNS = list(TASK_HEADERS)
TASK_COL = {key: i for i, key in enumerate(TASK_COLUMNS)}
ENTRY_ROLES = (Role.LEAD, Role.RESPONSIBLE)
HEADER_ROW = 2


def progress_labels() -> dict[str, str]:
    """推进状态 value → the label typed in the sheet (Chinese: the template is filled in Chinese)."""
    return {value: str(label) for value, label in TaskProgress.Progress.choices}


@dataclass
class TaskTemplateRow:
    task: Task
    role: str
    report: TaskProgress | None


def task_rows(department: Department, period: ReportingPeriod) -> list[TaskTemplateRow]:
    """Tasks of active plans covering the period's year that the unit leads or is responsible for (two queries)."""
    tasks = list(
        Task.objects.filter(
            plan__status=Plan.Status.ACTIVE,
            plan__start_year__lte=period.year,
            plan__end_year__gte=period.year,
            assignments__department=department,
            assignments__role__in=ENTRY_ROLES,
        )
        .select_related("plan")
        .distinct()
        .order_by("-plan__end_year", "plan__code", "order", "pk")
    )
    roles: dict[int, set[str]] = {}
    for task_id, role in TaskAssignment.objects.filter(
        task__in=tasks, department=department, role__in=ENTRY_ROLES
    ).values_list("task_id", "role"):
        roles.setdefault(task_id, set()).add(role)
    reports = {r.task_id: r for r in TaskProgress.objects.filter(task__in=tasks, department=department, period=period)}
    names = {Role.LEAD: _("牵头"), Role.RESPONSIBLE: _("责任")}
    return [
        TaskTemplateRow(
            t, "、".join(str(names[r]) for r in ENTRY_ROLES if r in roles.get(t.pk, set())), reports.get(t.pk)
        )
        for t in tasks
    ]


def write_task_sheet(workbook: Any, f: Formats, department: Department, period: ReportingPeriod) -> int:
    """Add the task sheet; returns its number of rows."""
    rows = task_rows(department, period)
    ws = workbook.add_worksheet(TASK_SHEET)
    widths = _task_widths(rows)
    _write_task_heading(ws, f, widths, department, period)
    labels = progress_labels()
    row = _write_task_rows(ws, f, widths, rows, department, period, labels)
    if rows:
        ws.data_validation(
            HEADER_ROW + 1,
            TASK_COL["progress_status"],
            row - 1,
            TASK_COL["progress_status"],
            {
                "validate": "list",
                "source": list(labels.values()),
                "ignore_blank": True,
                "error_title": _("推进状态"),
                "error_message": _("请从下拉列表中选择推进状态。"),
            },
        )
    else:
        write_text(ws, row, TASK_COL["text"], _("（本单位在该周期没有需要填报的重点任务）"), f.text())
    ws.protect("", {"format_columns": True, "format_rows": True, "select_locked_cells": True})
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, HEADER_ROW)
    return len(rows)


def _task_widths(rows: list[TaskTemplateRow]) -> dict[str, float]:
    widths = dict.fromkeys(TASK_COLUMNS, 8.0)
    widths.update(
        {
            "plan": column_width({r.task.plan.title for r in rows} | {"规划"}, minimum=12, maximum=24),
            "number": 6.0,
            "text": 40.0,
            "role": 10.0,
            "progress_status": 10.0,
            "progress": 36.0,
            "problems": 24.0,
            "next_steps": 24.0,
            "status": 12.0,
        }
    )
    return widths


def _write_task_heading(
    ws: Any, f: Formats, widths: dict[str, float], department: Department, period: ReportingPeriod
) -> None:
    """Column widths, the title and instructions bands and the header row; panes frozen below it."""
    last = len(TASK_COLUMNS) - 1
    for key in TASK_COLUMNS:
        ws.set_column(TASK_COL[key], TASK_COL[key], widths[key], None, {"hidden": key in TASK_KEY_HEADERS})
    ws.set_row(0, 28)
    title = _("%(u)s %(p)s 重点任务进展填报表") % {"u": department.name, "p": period.label}
    write_merged_row_text(ws, 0, 0, last, title, f.title(14))
    instructions = _(
        "填写说明：填写“推进状态”（从下拉列表选择）和“进展情况”，有问题和下一步打算的一并填写（浅黄色列），其他列请勿修改；"
        "未填写的任务不导入；已审核的进展不能修改。与“实际值填报”表一起上传即可。"
    )
    ws.set_row(1, row_height([(instructions, sum(widths[k] for k in TASK_COLUMNS if k not in TASK_KEY_HEADERS))]))
    write_merged_row_text(ws, 1, 0, last, instructions, f.get(font_size=9, align="left", text_wrap=True))
    ws.set_row(HEADER_ROW, 30)
    for key in TASK_COLUMNS:
        label = TASK_HEADERS[key] + ("（可填）" if key in TASK_EDIT_HEADERS else "")
        bg_color = "#FFF2CC" if key in TASK_EDIT_HEADERS else "#D9E1F2"
        header = f.get(font_name="黑体", bold=True, align="center", text_wrap=True, border=1, bg_color=bg_color)
        write_text(ws, HEADER_ROW, TASK_COL[key], label, header)
    ws.freeze_panes(HEADER_ROW + 1, TASK_COL["text"] + 1)


def _write_task_rows(
    ws: Any,
    f: Formats,
    widths: dict[str, float],
    rows: list[TaskTemplateRow],
    department: Department,
    period: ReportingPeriod,
    labels: dict[str, str],
) -> int:
    """The data rows from below the header; returns the row after the last."""
    text, centre, integer = f.text(), f.text(align="center"), f.number("0")
    edit = {False: f.text(locked=False, bg_color="#FFFBE6"), True: f.text(bg_color="#EDEDED")}
    statuses = {value: str(label) for value, label in ReviewStatus.choices}
    approved_label, unreported_label = str(_("已审核（不可修改）")), str(_("未填报"))
    row = HEADER_ROW + 1
    for item in rows:
        report = item.report
        approved = report is not None and report.status == ReviewStatus.APPROVED
        texts = {
            "progress_status": labels.get(report.progress_status, "") if report else "",
            "progress": report.progress if report else "",
            "problems": report.problems if report else "",
            "next_steps": report.next_steps if report else "",
        }
        ws.set_row(row, row_height([(item.task.text, widths["text"])] + [(v, widths[k]) for k, v in texts.items()]))
        ws.write_number(row, TASK_COL["task"], item.task.pk, integer)
        ws.write_number(row, TASK_COL["department"], department.pk, integer)
        ws.write_string(row, TASK_COL["period"], period.code, text)
        if report is not None:
            ws.write_number(row, TASK_COL["version"], report.version, integer)
        else:
            ws.write_blank(row, TASK_COL["version"], None, text)
        write_text(ws, row, TASK_COL["plan"], item.task.plan.title, text)
        write_text(ws, row, TASK_COL["number"], item.task.number, centre)
        write_text(ws, row, TASK_COL["text"], item.task.text, text)
        write_text(ws, row, TASK_COL["role"], item.role, centre)
        for key, value in texts.items():
            write_text(ws, row, TASK_COL[key], value, edit[approved])
        if report is None:
            status = unreported_label
        else:
            status = approved_label if approved else statuses.get(report.status, report.status)
        ws.write_string(row, TASK_COL["status"], status, centre)
        row += 1
    return row
