"""封面汇总: the report's cover — the plans, their counts by status, overall completion and the lines signed."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from xlsxwriter.worksheet import Worksheet

from excel.common import (
    RATIO_FORMAT,
    Formats,
    column_width,
    date_text,
    row_height,
    setup_print,
    status_text,
    write_decimal,
    write_merged_row_text,
    write_text,
)
from excel.layout import report_title, set_widths
from excel.report_data import AssessmentReport
from indicators import engine

COUNT_STATUSES = list(engine.Status)


def write_cover(ws: Worksheet, f: Formats, report: AssessmentReport) -> None:
    headers = [_("规划"), _("文号"), _("指标数"), *[status_text(s) for s in COUNT_STATUSES], _("总体完成率")]
    last = len(headers) - 1
    widths = [
        column_width([s.plan.title for s in report.sections] + [headers[0]], minimum=20, maximum=44),
        column_width([s.plan.doc_number for s in report.sections], minimum=10, maximum=24),
    ]
    widths += [7.0] + [9.0] * len(COUNT_STATUSES) + [11.0]
    set_widths(ws, widths)
    label = f.get(font_size=12, align="left")
    ws.set_row(0, 40)
    write_merged_row_text(ws, 0, 0, last, report_title(report), f.title(20))
    write_merged_row_text(
        ws, 1, 0, last, _("目标任务完成情况考核报表"), f.get(font_name="黑体", font_size=14, align="center")
    )
    row = 3
    for line in _cover_lines(report):
        write_merged_row_text(ws, row, 0, last, line, label)
        row += 1
    row += 1
    ws.set_row(row, 30)
    for col, text in enumerate(headers):
        status_col = 3 <= col < 3 + len(COUNT_STATUSES)
        write_text(ws, row, col, text, f.status(COUNT_STATUSES[col - 3]) if status_col else f.header())
    row = _write_counts(ws, f, row + 1, last, widths, report)
    notes = [_("注：总体完成率 =（已完成 + 正常推进）÷ 可判定指标数（不含无数据、不适用）；仅计已报送和已审核的数据。")]
    if report.has_demo:
        notes.append(_("本表含演示数据（标注“演示数据”），不得作为正式考核依据。"))
    if report.restricted:
        notes.append(_("本表仅含您所在单位可查看的指标和任务。"))
    small = f.get(font_size=9, align="left", text_wrap=True)
    for note in notes:
        row += 1
        ws.set_row(row, row_height([(note, sum(widths))], minimum=18))
        write_merged_row_text(ws, row, 0, last, note, small)
    _sign_lines(ws, f, row + 2, last, report)
    setup_print(ws, repeat_to_row=None, fit_height=1)


def _cover_lines(report: AssessmentReport) -> list[str]:
    """The plan's (or the plans') particulars and the period, under the title."""
    lines: list[str] = []
    if len(report.sections) == 1:
        plan = report.sections[0].plan
        lines += [
            _("文　　号：%(v)s") % {"v": plan.doc_number or "—"},
            _("制定单位：%(v)s") % {"v": plan.issuer_body or plan.issuer.name},
            _("规 划 期：%(a)s—%(b)s年") % {"a": plan.start_year, "b": plan.end_year},
        ]
    else:
        lines.append(_("规划数量：%(n)s个") % {"n": len(report.sections)})
    lines += [
        _("考核周期：%(p)s（%(c)s）") % {"p": report.period.label, "c": report.period.code},
        _("数据截至：%(d)s") % {"d": date_text(report.period.end)},
    ]
    return lines


def _write_counts(ws: Worksheet, f: Formats, row: int, last: int, widths: list[float], report: AssessmentReport) -> int:
    """One line of status counts per plan, and their total when there are several; returns the next row."""
    totals = dict.fromkeys(COUNT_STATUSES, 0)
    for section in report.sections:
        counts = section.counts()
        ws.set_row(row, row_height([(section.plan.title, widths[0])], minimum=20))
        write_text(ws, row, 0, section.plan.title, f.text())
        write_text(ws, row, 1, section.plan.doc_number or "—", f.text(align="center"))
        ws.write_number(row, 2, sum(counts.values()), f.number("0"))
        for i, status in enumerate(COUNT_STATUSES):
            ws.write_number(row, 3 + i, counts[status], f.number("0"))
            totals[status] += counts[status]
        write_decimal(ws, row, last, section.completion, f.number(RATIO_FORMAT))
        row += 1
    if len(report.sections) > 1:
        write_text(ws, row, 0, _("合计"), f.text(bold=True))
        write_text(ws, row, 1, "", f.text())
        ws.write_number(row, 2, sum(totals.values()), f.number("0", bold=True))
        for i, status in enumerate(COUNT_STATUSES):
            ws.write_number(row, 3 + i, totals[status], f.number("0", bold=True))
        judged = sum(n for s, n in totals.items() if s not in (engine.Status.NO_DATA, engine.Status.NOT_APPLICABLE))
        good = totals[engine.Status.ACHIEVED] + totals[engine.Status.ON_TRACK]
        overall = (Decimal(good) / Decimal(judged)).quantize(Decimal("0.0001")) if judged else None
        write_decimal(ws, row, last, overall, f.number(RATIO_FORMAT, bold=True))
        row += 1
    return row


def _sign_lines(ws: Worksheet, f: Formats, row: int, last: int, report: AssessmentReport) -> None:
    """What the signed copy sent upward carries: who made it, when, who checked it, whom to call, and the seal."""
    sign = f.get(font_size=12, align="left")
    blank = "____________________"
    lines = [
        (
            _("制表单位：%(v)s") % {"v": report.prepared_by or blank},
            _("制表日期：%(v)s") % {"v": date_text(report.prepared_on)},
            _("审核人：%(v)s") % {"v": "____________"},
        ),
        (
            _("填报联系人：%(v)s") % {"v": "____________"},
            _("联系电话：%(v)s") % {"v": "________________"},
            _("（盖章）"),
        ),
    ]
    for left, middle, right in lines:
        ws.set_row(row, 30)
        write_merged_row_text(ws, row, 0, 1, left, sign)
        write_merged_row_text(ws, row, 2, 6, middle, sign)
        write_merged_row_text(ws, row, 7, last, right, sign)
        row += 1
