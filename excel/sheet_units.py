"""单位情况: what each unit carries, its shortfalls, how it reported, and its score and rank where assessed."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from xlsxwriter.worksheet import Worksheet

from excel.common import (
    RATIO_FORMAT,
    Formats,
    column_width,
    row_height,
    setup_print,
    write_decimal,
    write_merged_row_text,
    write_text,
)
from excel.layout import HEADER_ROW, report_title, set_widths, write_headers, write_titles
from excel.report_data import AssessmentReport
from excel.report_units import UnitLine

UNIT_HEADERS = [
    N_("序号"),
    N_("单位"),
    N_("承担指标"),
    N_("承担任务"),
    N_("差距指标数"),
    N_("差距指标"),
    N_("应报项"),
    N_("已报送"),
    N_("其中按时"),
    N_("逾期报送"),
    N_("未报送"),
    N_("报送及时率"),
]


SCORE_HEADERS = [N_("考核分组"), N_("考核得分"), N_("总排名"), N_("组内排名")]


def write_units(ws: Worksheet, f: Formats, report: AssessmentReport) -> None:
    scored = any(u.score is not None for u in report.units)
    headers = UNIT_HEADERS + (SCORE_HEADERS if scored else [])
    last = len(headers) - 1
    shortfall_texts = ["；".join(u.shortfalls) for u in report.units]
    widths = _widths(report, shortfall_texts, scored)
    set_widths(ws, widths)
    write_titles(ws, f, last, _("%(t)s责任单位情况") % {"t": report_title(report)}, report)
    write_headers(ws, f, HEADER_ROW, [_(h) for h in headers], widths)
    ws.freeze_panes(HEADER_ROW + 1, 2)
    row = HEADER_ROW + 1
    for i, (unit, shortfall) in enumerate(zip(report.units, shortfall_texts), start=1):
        ws.set_row(row, row_height([(report.name_of(unit.department), widths[1]), (shortfall, widths[5])]))
        _write_unit(ws, f, row, i, unit, shortfall, report)
        if scored:
            _write_score(ws, f, row, unit)
        row += 1
    if not report.units:
        write_merged_row_text(ws, row, 0, last, _("（无责任单位）"), f.text())
        row += 1
    row += 1
    for note in _notes(report, scored):
        write_merged_row_text(ws, row, 0, last, note, f.get(font_size=9, align="left", text_wrap=True))
        row += 1
    setup_print(ws, repeat_to_row=HEADER_ROW)


def _widths(report: AssessmentReport, shortfall_texts: list[str], scored: bool) -> list[float]:
    widths = [
        5.0,
        column_width([report.name_of(u.department) for u in report.units] + ["单位"], minimum=12, maximum=28),
        8.0,
        8.0,
        8.0,
        column_width(shortfall_texts, minimum=20, maximum=44),
        8.0,
        8.0,
        8.0,
        8.0,
        8.0,
        10.0,
    ]
    if scored:
        widths += [column_width([u.group for u in report.units] + ["考核分组"], minimum=10, maximum=20), 9.0, 7.0, 8.0]
    return widths


def _write_unit(
    ws: Worksheet, f: Formats, row: int, i: int, unit: UnitLine, shortfall: str, report: AssessmentReport
) -> None:
    """What the unit carries, its shortfalls and how it reported."""
    count = f.number("0")
    ws.write_number(row, 0, i, f.number("0", align="center"))
    write_text(ws, row, 1, report.name_of(unit.department), f.text())
    ws.write_number(row, 2, unit.indicators, count)
    ws.write_number(row, 3, unit.tasks, count)
    ws.write_number(row, 4, len(unit.shortfalls), f.number("0", font_color="#9C0006") if unit.shortfalls else count)
    write_text(ws, row, 5, shortfall or "—", f.text())
    ws.write_number(row, 6, unit.due, count)
    if report.period.period is None:
        for col in range(7, 12):
            write_text(ws, row, col, "—", f.text(align="center"))
    else:
        for col, value in ((7, unit.reported), (8, unit.on_time), (9, unit.late), (10, unit.missing)):
            ws.write_number(row, col, value, count)
        write_decimal(ws, row, 11, unit.timeliness, f.number(RATIO_FORMAT))


def _write_score(ws: Worksheet, f: Formats, row: int, unit: UnitLine) -> None:
    """Group, score and ranks from the assessment scheme."""
    write_text(ws, row, 12, unit.group or "—", f.text())
    if unit.score is None:
        write_text(ws, row, 13, "—", f.text(align="center"))
    else:
        write_decimal(ws, row, 13, unit.score, f.number("0.00"))
    if unit.vetoed:
        write_text(ws, row, 14, _("一票否决"), f.text(align="center", font_color="#9C0006"))
    elif unit.rank is None:
        write_text(ws, row, 14, "—", f.text(align="center"))
    else:
        ws.write_number(row, 14, unit.rank, f.number("0", align="center"))
    if unit.group_rank is None or unit.vetoed:
        write_text(ws, row, 15, "—", f.text(align="center"))
    else:
        ws.write_number(row, 15, unit.group_rank, f.number("0", align="center"))


def _notes(report: AssessmentReport, scored: bool) -> list[str]:
    notes = [
        _("注：1. 承担指标含牵头、责任、填报及按单位考核的指标；差距指标为状态滞后、严重滞后或未完成者。"),
        _(
            "2. 应报项按本周期每项指标（由填报单位）、每项任务（由各牵头、责任单位）各报一次计；"
            "按时指在填报截止日期前报送。"
        ),
        _("3. 考核得分与排名取本规划本周期的考核方案（草稿除外）；通报发布前，排名仅组织部与领导可见。")
        if scored
        else _("3. 本规划本周期尚无考核方案，不列考核得分与排名。"),
    ]
    if report.period.period is None:
        notes.append(_("4. 系统中尚未开设%(p)s填报周期，报送情况无从统计。") % {"p": report.period.label})
    return notes
