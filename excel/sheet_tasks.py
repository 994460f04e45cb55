"""重点任务进展: each task with its 牵头/责任 units and the progress reported for the period."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from xlsxwriter.worksheet import Worksheet

from excel.common import PROGRESS_SEVERITY, Formats, row_height, setup_print, write_merged_row_text, write_text
from excel.layout import HEADER_ROW, Sequencer, band, report_title, set_widths, write_headers, write_titles
from excel.report_data import AssessmentReport, TaskRow
from indicators.models import TaskProgress
from plans.models import Plan

TASK_HEADERS = [
    N_("编号"),
    N_("重点任务"),
    N_("牵头单位"),
    N_("责任单位"),
    N_("推进状态"),
    N_("进展情况"),
    N_("存在问题"),
    N_("下一步打算"),
]
TASK_WIDTHS = [6.0, 46.0, 16.0, 20.0, 12.0, 34.0, 22.0, 22.0]


def _joined(reports: list[TaskProgress], attr: str, report: AssessmentReport) -> str:
    if len(reports) == 1:
        return getattr(reports[0], attr) or "—"
    return "\n".join(f"【{report.name_of(r.department)}】{getattr(r, attr) or '—'}" for r in reports)


def _task_cells(task_row: TaskRow, number: str, plan: Plan, report: AssessmentReport) -> dict[str, Any]:
    reports = task_row.reports
    if not reports:
        status_key, status = "", _("未报送")
    else:
        worst = min(reports, key=lambda r: PROGRESS_SEVERITY.get(r.progress_status, 2))
        status_key = worst.progress_status
        labels = {r.get_progress_status_display() for r in reports}
        status = (
            str(worst.get_progress_status_display())
            if len(labels) == 1
            else "\n".join(f"{report.name_of(r.department)}：{r.get_progress_status_display()}" for r in reports)
        )
    demo = _("【演示数据】") if any(r.is_demo for r in reports) else ""
    return {
        "number": number,
        "text": task_row.task.text,
        "lead": report.of_plan(plan.pk, task_row.lead) or "—",
        "responsible": report.of_plan(plan.pk, task_row.responsible) or "—",
        "status_key": status_key,
        "status": status,
        "progress": demo + _joined(reports, "progress", report) if reports else "—",
        "problems": _joined(reports, "problems", report) if reports else "—",
        "next_steps": _joined(reports, "next_steps", report) if reports else "—",
    }


def has_tasks(report: AssessmentReport) -> bool:
    """The sheet is left out of a report without any task (never a page saying only that there is none)."""
    return any(s.tasks for s in report.sections)


def write_tasks(ws: Worksheet, f: Formats, report: AssessmentReport) -> None:
    """Each plan's tasks (a plan without any is left out), numbered as printed or in sequence where unnumbered."""
    last = len(TASK_HEADERS) - 1
    widths = TASK_WIDTHS
    set_widths(ws, widths)
    write_titles(ws, f, last, _("%(t)s重点任务进展情况") % {"t": report_title(report)}, report)
    write_headers(ws, f, HEADER_ROW, [_(h) for h in TASK_HEADERS], widths)
    ws.freeze_panes(HEADER_ROW + 1, 2)
    keys = ["number", "text", "lead", "responsible", "status", "progress", "problems", "next_steps"]
    row = HEADER_ROW + 1
    sections = [s for s in report.sections if s.tasks]
    for section in sections:
        if len(sections) > 1 or len(report.sections) > 1:
            write_merged_row_text(ws, row, 0, last, section.plan.title, band(f))
            row += 1
        numbers = Sequencer()
        for task_row in section.tasks:
            c = _task_cells(task_row, numbers.next(task_row.task.number), section.plan, report)
            ws.set_row(row, row_height([(c[k], w) for k, w in zip(keys, widths)]))
            for col, key in enumerate(keys):
                if key == "status":
                    write_text(ws, row, col, c[key], f.progress(c["status_key"]))
                else:
                    write_text(ws, row, col, c[key], f.text(align="center" if key == "number" else "left"))
            row += 1
    row += 1
    notes = [
        _("注：进展情况取各责任单位本周期已报送或已审核的报告；多个单位报送时逐单位列出，推进状态按最不利者着色。")
    ]
    without = [s.plan.title for s in report.sections if not s.tasks]
    if without:
        notes.append(_("以下规划未列重点任务：%(p)s。") % {"p": "、".join(without)})
    small = f.get(font_size=9, align="left", text_wrap=True)
    for note in notes:
        ws.set_row(row, row_height([(note, sum(widths))]))
        write_merged_row_text(ws, row, 0, last, note, small)
        row += 1
    setup_print(ws, repeat_to_row=HEADER_ROW)
