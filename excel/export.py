"""The assessment report workbook (考核报表): 封面汇总, 指标完成情况, 重点任务进展, 单位情况.

Written with xlsxwriter in constant_memory mode (see `common.py` for what that implies: widths and merges first,
rows strictly in order, text through `write_string`). Print-ready: A4 landscape, one page wide, title rows repeated,
frozen headers, 宋体 body and 黑体 titles.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from excel.common import (
    PROGRESS_SEVERITY,
    RATIO_FORMAT,
    Formats,
    WidthCache,
    column_width,
    date_text,
    figure_places,
    height_for_lines,
    line_count,
    new_workbook,
    number_format,
    register_merge,
    row_height,
    setup_print,
    signed_format,
    status_text,
    text_width,
    write_decimal,
    write_merged_row_text,
    write_text,
)
from excel.report_data import AssessmentReport, IndicatorRow, TaskRow, gather_report
from indicators import engine
from indicators.evaluation.explain import Display, display_for, explain, percent_places
from indicators.evaluation.selectors import StoredEvaluation, viewed_label
from indicators.models import IndicatorValue, TaskProgress
from plans.models import Plan

SHEET_COVER = "封面汇总"
SHEET_INDICATORS = "指标完成情况"
SHEET_TASKS = "重点任务进展"
SHEET_UNITS = "单位情况"
HEADER_ROW = 2  # 0-based: rows 0–1 are the title and the subtitle, row 2 the column headers
COUNT_STATUSES = list(engine.Status)


@dataclass(frozen=True)
class Column:
    header: str
    minimum: int
    maximum: int
    wrap: bool = True


def export_assessment(
    plans: Sequence[Plan],
    period_code: str,
    output: str | Path | IO[bytes],
    *,
    user: AbstractBaseUser | AnonymousUser | None = None,
    prepared_by: str = "",
) -> AssessmentReport:
    """Gather and write the report to a path or a binary file object (BytesIO). Returns what was written. A report
    of several plans folds the unit lines of plans assessing many units (see `gather_report`)."""
    with paused_cycle_collection():
        report = gather_report(plans, period_code, user=user, prepared_by=prepared_by, fold_units=len(plans) > 1)
        write_assessment(report, output)
    return report


@contextmanager
def paused_cycle_collection() -> Iterator[None]:
    """Pause Python's cycle collector for one report.

    A province report allocates ~2 M objects that live until the workbook is closed (verdicts, rows, texts); each
    allocation burst triggers collections that walk all of them again and find nothing to free: 0.4 s of a 3.4 s
    export. Reference counting still frees everything acyclic at once; the few cycles made meanwhile (querysets)
    wait for the next collection after the report. Re-entrant: only the outermost caller re-enables.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def timed_export(plans: Sequence[Plan], period_code: str, output: str | Path | IO[bytes]) -> float:
    """Seconds to gather and write one report (for the benchmark command)."""
    started = time.perf_counter()
    export_assessment(plans, period_code, output)
    return time.perf_counter() - started


def report_title(report: AssessmentReport) -> str:
    if len(report.sections) == 1:
        return report.sections[0].plan.title
    return _("各项人才规划")


def write_assessment(report: AssessmentReport, output: str | Path | IO[bytes]) -> None:
    target = str(output) if isinstance(output, Path) else output
    workbook, formats = new_workbook(target, title=_("%(t)s考核报表") % {"t": report_title(report)})
    _cover(workbook.add_worksheet(SHEET_COVER), formats, report)
    _indicators(workbook.add_worksheet(SHEET_INDICATORS), formats, report)
    _tasks(workbook.add_worksheet(SHEET_TASKS), formats, report)
    _units(workbook.add_worksheet(SHEET_UNITS), formats, report)
    workbook.close()


def _subtitle(report: AssessmentReport) -> str:
    return _("考核周期：%(p)s（%(c)s）　数据截至：%(d)s") % {
        "p": report.period.label,
        "c": report.period.code,
        "d": date_text(report.period.end),
    }


def _titles(ws: Worksheet, f: Formats, last_col: int, title: str, report: AssessmentReport) -> None:
    ws.set_row(0, 30)
    write_merged_row_text(ws, 0, 0, last_col, title, f.title())
    write_merged_row_text(ws, 1, 0, last_col, _subtitle(report), f.subtitle())


def _headers(ws: Worksheet, f: Formats, row: int, headers: Sequence[str], widths: Sequence[float]) -> None:
    ws.set_row(row, row_height(zip(headers, widths), minimum=24))
    for col, text in enumerate(headers):
        write_text(ws, row, col, text, f.header())


def _set_widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)


# --- 封面汇总 ----------------------------------------------------------------------------------------------------


def _cover(ws: Worksheet, f: Formats, report: AssessmentReport) -> None:
    headers = [_("规划"), _("文号"), _("指标数"), *[status_text(s) for s in COUNT_STATUSES], _("总体完成率")]
    last = len(headers) - 1
    widths = [
        column_width([s.plan.title for s in report.sections] + [headers[0]], minimum=20, maximum=44),
        column_width([s.plan.doc_number for s in report.sections], minimum=10, maximum=24),
    ]
    widths += [7.0] + [9.0] * len(COUNT_STATUSES) + [11.0]
    _set_widths(ws, widths)
    label = f.get(font_size=12, align="left")
    ws.set_row(0, 40)
    write_merged_row_text(ws, 0, 0, last, report_title(report), f.title(20))
    write_merged_row_text(
        ws, 1, 0, last, _("目标任务完成情况考核报表"), f.get(font_name="黑体", font_size=14, align="center")
    )
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
    row = 3
    for line in lines:
        write_merged_row_text(ws, row, 0, last, line, label)
        row += 1
    row += 1
    ws.set_row(row, 30)
    for col, text in enumerate(headers):
        status_col = 3 <= col < 3 + len(COUNT_STATUSES)
        write_text(ws, row, col, text, f.status(COUNT_STATUSES[col - 3]) if status_col else f.header())
    row += 1
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
    row += 2
    sign = f.get(font_size=12, align="left")
    prepared_by = report.prepared_by or "____________________"
    write_merged_row_text(ws, row, 0, 1, _("制表单位：%(v)s") % {"v": prepared_by}, sign)
    write_merged_row_text(ws, row, 2, 6, _("制表日期：%(v)s") % {"v": date_text(report.prepared_on)}, sign)
    write_merged_row_text(ws, row, 7, last, _("审核人：____________"), sign)
    setup_print(ws, repeat_to_row=None, fit_height=1)


# --- 指标完成情况 ------------------------------------------------------------------------------------------------

INDICATOR_COLUMNS = [
    Column(N_("一级指标"), 8, 14),
    Column(N_("序号"), 4, 6),
    Column(N_("指标名称"), 14, 30),
    Column(N_("单位"), 4, 8),
    Column(N_("基期值"), 8, 12, False),
    Column(N_("目标值"), 8, 12, False),
    Column(N_("实际值"), 8, 12, False),
    Column(N_("完成率"), 8, 9, False),
    Column(N_("进度"), 8, 9, False),
    Column(N_("序时进度"), 8, 9, False),
    Column(N_("较序时差距"), 9, 14, False),
    Column(N_("距目标差距"), 9, 14, False),
    Column(N_("状态"), 10, 11),
    Column(N_("牵头单位"), 10, 18),
    Column(N_("说明"), 24, 46),
]
COL_STATUS, COL_LEAD, COL_NOTE = 12, 13, 14


def _year_header(label: str, years: set[int | None], suffix: str) -> str:
    if len(years) == 1 and None not in years:
        return f"{years.pop()}年{suffix}"
    return label


@dataclass(frozen=True)
class _IndicatorTexts:
    """Translated fragments resolved once per sheet: gettext and lazy labels per line cost more than the cells."""

    demo: str
    unreviewed: str
    estimate: str
    unit_line: str
    basis: dict[str, str]
    status: dict[engine.Status, str]
    provisional: str
    viewed: dict[int, str]  # plan → the period named where a figure is carried forward (see `viewed_label`)

    @classmethod
    def current(cls, report: AssessmentReport | None = None) -> _IndicatorTexts:
        viewed = (
            {s.plan.pk: viewed_label(report.period.label, report.period.end, s.plan) for s in report.sections}
            if report is not None
            else {}
        )
        return cls(
            demo=_("【演示数据】"),
            unreviewed=_("【未审核】"),
            estimate=_("（同期预计值%(v)s）"),
            unit_line=_("其中：%(u)s"),
            basis={b.value: _("【%(b)s】") % {"b": b.label} for b in IndicatorValue.Basis},
            status={s: status_text(s) for s in engine.Status},
            provisional=_("（填报中）"),
            viewed=viewed,
        )


def _line_texts(row: IndicatorRow, t: _IndicatorTexts, unit_names: dict[int, str]) -> tuple[str, str, str, str, str]:
    """(group, number, name, unit, lead) of one line. `unit_names` shares one "其中：某单位" string per unit across
    every indicator (one string per unit, not one per line)."""
    result, unit = row.result, row.unit
    ind = result.indicator
    unit_text = ind.unit if not ind.value_unit or ind.value_unit == ind.unit else f"{ind.unit}（{ind.value_unit}）"
    if unit is None:
        return ind.group, ind.number, ind.name, unit_text, "、".join(result.lead) or "—"
    department = unit.department
    name = unit_names.get(department.pk)
    if name is None:
        name = unit_names[department.pk] = t.unit_line % {"u": department.name}
    return ind.group, "", name, unit_text, department.name or "—"


def _evaluation(row: IndicatorRow) -> engine.Evaluation:
    """The line's evaluation, decoded. A stored one resolves every attribute through `__getattr__`; a line reads
    about ten of them, so the decoded object is taken once."""
    ev = row.result.evaluation if row.unit is None else row.unit.evaluation
    return ev.outcome().evaluation if isinstance(ev, StoredEvaluation) else ev


_displays: dict[tuple, Display] = {}


def _display(row: IndicatorRow) -> Display:
    ind = row.result.indicator
    key = (ind.pk, ind.kind, ind.unit, ind.value_unit, ind.decimals, ind.is_share)
    found = _displays.get(key)
    if found is None:
        found = _displays[key] = display_for(ind)
    return found


TARGET_MARKS = {"lte": "≤ ", "approx": "≈ "}  # as the plan page marks its targets


def _range_text(row: IndicatorRow, target: Decimal, mark: str, display: Display) -> Decimal | str:
    """A target with an upper bound prints as the page prints it ("5–8"), as text; any other stays a number."""
    upper = row.result.indicator.target_upper
    if upper is None:
        return target
    suffix = display.unit if display.unit in ("%", "‰") else ""
    return f"{mark}{display.figure_number(target)}–{display.figure_number(upper)}{suffix}"


def _note(row: IndicatorRow, ev: engine.Evaluation, t: _IndicatorTexts) -> str:
    """说明: data basis, demo and review marks, the explanation (as on the pages), the estimate beside an official
    figure."""
    result, unit = row.result, row.unit
    note = explain(ev, _display(row), viewed=t.viewed.get(result.indicator.plan_id, ""))
    if ev.actual is not None:
        basis, unreviewed = (result.basis, result.unreviewed) if unit is None else (unit.basis, unit.unreviewed)
        prefix = (t.basis[basis] if basis else "") + (t.demo if row.demo else "") + (t.unreviewed if unreviewed else "")
        note = prefix + note
    if unit is None and result.estimate is not None:
        note += t.estimate % {"v": _display(row).value(result.estimate)}
    return note


def _group_spans(lines: Sequence[IndicatorRow]) -> dict[int, int]:
    """First line → last line of each run of equal, non-empty groups (merged down column A)."""
    groups = [line.result.indicator.group for line in lines]
    spans: dict[int, int] = {}
    start = 0
    for i in range(1, len(groups) + 1):
        if i == len(groups) or groups[i] != groups[start]:
            if groups[start] and i - 1 > start:
                spans[start] = i - 1
            start = i
    return spans


def _indicators(ws: Worksheet, f: Formats, report: AssessmentReport) -> None:
    columns = INDICATOR_COLUMNS
    last = len(columns) - 1
    multi = len(report.sections) > 1
    t = _IndicatorTexts.current(report)
    unit_names: dict[int, str] = {}
    headers = [_(c.header) for c in columns]
    # "2020年基期值" / "2025年目标值" when every printed figure shares the year (as in the plan's own table).
    headers[4] = _year_header(
        headers[4],
        {r.result.indicator.baseline_year for s in report.sections for r in s.indicators if r.baseline is not None},
        _("基期值"),
    )
    headers[5] = _year_header(
        headers[5],
        {r.result.indicator.target_year for s in report.sections for r in s.indicators if r.target is not None},
        _("目标值"),
    )
    # Two passes over the lines instead of keeping every line's texts (≈ 9 MB at province): this one finds the
    # widest text per text column, the writing pass builds the texts again. The short texts repeat (units, groups)
    # and their widths are remembered; the notes are built here only until their column is at its maximum width.
    measured = WidthCache()
    text_columns = (0, 1, 2, 3, COL_LEAD)
    widest = dict.fromkeys((*text_columns, COL_NOTE), 0)
    note_enough = columns[COL_NOTE].maximum - 2
    for section in report.sections:
        for line in section.indicators:
            for col, text in zip(text_columns, _line_texts(line, t, unit_names)):
                if text and measured[text] > widest[col]:
                    widest[col] = measured[text]
            if widest[COL_NOTE] < note_enough:
                widest[COL_NOTE] = max(widest[COL_NOTE], text_width(_note(line, _evaluation(line), t)))
    widths = []
    for col, spec in enumerate(columns):
        # As column_width([header, *texts]): the widest non-empty text + 2, within the column's bounds.
        w = max(text_width(headers[col]), widest.get(col, 0))
        widths.append(float(min(spec.maximum, max(spec.minimum, w + 2))))
    _set_widths(ws, widths)
    _titles(ws, f, last, _("%(t)s指标完成情况") % {"t": report_title(report)}, report)
    _headers(ws, f, HEADER_ROW, headers, widths)
    ws.freeze_panes(HEADER_ROW + 1, 3)
    band = f.get(font_name="黑体", bold=True, align="left", border=1, bg_color="#F2F2F2")
    row = HEADER_ROW + 1
    for section in report.sections:
        if multi:
            write_merged_row_text(ws, row, 0, last, f"{section.plan.title}　{section.plan.doc_number}".strip(), band)
            row += 1
        if not section.indicators:
            write_merged_row_text(ws, row, 0, last, _("（本规划无可显示的指标）"), f.text())
            row += 1
            continue
        if section.units_folded:
            write_merged_row_text(
                ws,
                row,
                0,
                last,
                _(
                    "本规划考核%(n)s个单位：下表列各指标的总体情况，各单位逐项情况见本规划的单独报告，各单位汇总见“单位情况”表。"
                )
                % {"n": section.units_folded},
                f.text(),
            )
            row += 1
        row = _indicator_lines(ws, f, row, section.indicators, widths, measured, t, unit_names)
    row += 1
    notes = [
        _(
            "注：1. 完成率＝实际值÷目标值（“不高于”类为目标值÷实际值）；进度＝（实际值－基期值）÷（目标值－基期值）；"
            "序时进度为按规划期时间进度应完成的比例；较序时差距＝实际值－序时进度值，以指标单位计，比例类指标以百分点计，负数为落后；"
            "距目标差距＝目标值－实际值，正数为尚差。"
        ),
        _(
            "2. 状态：✔已完成　●正常推进（进度达到序时进度的规定比例，默认95%）　▲滞后　✖严重滞后/未完成　"
            "◆未达标（原文无基期值，只与目标值比较）　○无数据　–不适用（原文无目标值）；"
            "“填报中”为本期尚未截止时的临时判断；"
            "本期未报送的指标沿用此前最近一期数据，并按本期序时进度判定。"
        ),
        _("3. 说明栏标注【预计】【统计】为数据口径，【演示数据】为演示用数据，【未审核】为已报送尚未审核的数据。"),
    ]
    small = f.get(font_size=9, align="left", text_wrap=True)
    for note in notes:
        ws.set_row(row, row_height([(note, sum(widths))]))
        write_merged_row_text(ws, row, 0, last, note, small)
        row += 1
    setup_print(ws, repeat_to_row=HEADER_ROW)


def _indicator_lines(
    ws: Worksheet,
    f: Formats,
    row: int,
    lines: Sequence[IndicatorRow],
    widths: Sequence[float],
    measured: WidthCache,
    t: _IndicatorTexts,
    unit_names: dict[int, str],
) -> int:
    """Write one plan's indicator lines from `row`; returns the next free row.

    This is the loop over every (indicator, unit) of the report (≈ 30 000 lines at province), so everything that
    does not change per line is looked up before it: formats (one `Formats.get` builds a sorted key each call),
    translated texts, the bound xlsxwriter methods. Cells are written with write_string/write_number/write_blank
    directly, figures as the Decimals they are (xlsxwriter formats them with %.16G, as `write_decimal` does).
    """
    write_string, write_number, write_blank, set_row = ws.write_string, ws.write_number, ws.write_blank, ws.set_row
    lines_of = measured.lines
    centre, plain, indented = f.text(align="center"), f.text(), f.text(indent=1)
    status_formats: dict[engine.Status, Format] = {}
    figure_formats: dict[tuple[str, int, str, str], Format] = {}
    gap_formats: dict[tuple[str, int], Format] = {}
    ratio_formats: dict[int, Format] = {}

    def ratio_format(value: Decimal | None) -> Format:
        # The places the page prints (0.04%, never 0.0% beside it).
        key = percent_places(value)
        found = ratio_formats.get(key)
        if found is None:
            found = ratio_formats[key] = f.number(RATIO_FORMAT if key == 1 else "0." + "0" * key + "%")
        return found

    def gap_format(unit: str, decimals: int) -> Format:
        # Signed, in the gap's unit (个百分点 for shares), with the places the page and the sentence print.
        key = (unit, decimals)
        found = gap_formats.get(key)
        if found is None:
            found = gap_formats[key] = f.number(signed_format(*key))
        return found

    w_group, w_name, w_lead, w_note = widths[0], widths[2], widths[COL_LEAD], widths[COL_NOTE]
    short_lines_of: dict[tuple[str, str, str], int] = {}
    spans = _group_spans(lines)
    span_end = -1
    for i, data in enumerate(lines):
        group, number, name, unit_text, lead = _line_texts(data, t, unit_names)
        ev = _evaluation(data)
        note = _note(data, ev, t)
        # Lines the short texts need repeat with them (unit lines: the same unit name under every indicator); the
        # note is new text on every line and measured directly, not remembered.
        short = (name, lead, group)
        short_lines = short_lines_of.get(short)
        if short_lines is None:
            short_lines = short_lines_of[short] = max(
                lines_of(name, w_name), lines_of(lead, w_lead), lines_of(group, w_group)
            )
        set_row(row, height_for_lines(max(short_lines, line_count(note, w_note))))
        if i in spans:
            register_merge(ws, row, 0, row + spans[i] - i, 0)
            span_end = spans[i]
            write_string(row, 0, group, centre)
        elif i <= span_end or not group:
            write_blank(row, 0, None, centre)
        else:
            write_string(row, 0, group, centre)
        display = _display(data)
        gap_unit = display.gap_unit

        def fmt_for(unit: str, value: Decimal | None, mark: str = "", display: Display = display) -> Format:
            # A level in another unit than the column's (人 under a growth rate's %) names it, as the page does.
            own = unit if unit and unit != display.unit and unit not in ("%", "‰") else ""
            key = (unit, figure_places(value, display.decimals), mark, own)
            found = figure_formats.get(key)
            if found is None:
                found = figure_formats[key] = f.number(
                    (f'"{mark}"' if mark else "") + number_format(unit, key[1]) + (f'"{own}"' if own else "")
                )
            return found

        if number:
            write_string(row, 1, number, centre)
        else:
            write_blank(row, 1, None, centre)
        name_format = plain if data.unit is None else indented
        if name:
            write_string(row, 2, name, name_format)
        else:
            write_blank(row, 2, None, name_format)
        if unit_text:
            write_string(row, 3, unit_text, centre)
        else:
            write_blank(row, 3, None, centre)
        # Levels in the unit they are reported in (人 for a growth rate's level), targets in the target's unit.
        target: Decimal | str | None = ev.target if ev.target is not None else data.target
        mark = TARGET_MARKS.get(data.result.indicator.comparison, "") if data.unit is None else ""
        if data.unit is None and target is not None:
            target = _range_text(data, target, mark, display)
        for col, value, empty, fmt in (
            (4, data.baseline, "—", fmt_for(display.figure_unit, data.baseline)),
            (5, target, "——", fmt_for(display.unit, target if isinstance(target, Decimal) else None, mark)),
            (6, ev.actual, "—", fmt_for(display.figure_unit, ev.actual)),
            (7, ev.completion, "—", ratio_format(ev.completion)),
            (8, ev.progress, "—", ratio_format(ev.progress)),
            (9, ev.expected_progress, "—", ratio_format(ev.expected_progress)),
            (10, ev.gap_to_expected, "—", gap_format(gap_unit, display.gap_places_of(ev.gap_to_expected))),
            (11, ev.gap_to_target, "—", gap_format(gap_unit, display.to_target_places(ev.gap_to_target))),
        ):
            if value is None:
                write_string(row, col, empty, fmt)
            elif isinstance(value, str):
                write_string(row, col, value, fmt)
            else:
                write_number(row, col, value, fmt)
        status = ev.status
        status_format = status_formats.get(status)
        if status_format is None:
            status_format = status_formats[status] = f.status(status)
        write_string(row, COL_STATUS, t.status[status] + (t.provisional if ev.provisional else ""), status_format)
        write_string(row, COL_LEAD, lead, plain)
        if note:
            write_string(row, COL_NOTE, note, plain)
        else:
            write_blank(row, COL_NOTE, None, plain)
        row += 1
    return row


# --- 重点任务进展 ------------------------------------------------------------------------------------------------

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


def _joined(reports: list[TaskProgress], attr: str) -> str:
    if len(reports) == 1:
        return getattr(reports[0], attr) or "—"
    return "\n".join(f"【{r.department.name}】{getattr(r, attr) or '—'}" for r in reports)


def _task_cells(task_row: TaskRow) -> dict[str, Any]:
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
            else "\n".join(f"{r.department.name}：{r.get_progress_status_display()}" for r in reports)
        )
    demo = _("【演示数据】") if any(r.is_demo for r in reports) else ""
    return {
        "number": task_row.task.number,
        "text": task_row.task.text,
        "lead": "、".join(task_row.lead) or "—",
        "responsible": "、".join(task_row.responsible) or "—",
        "status_key": status_key,
        "status": status,
        "progress": demo + _joined(reports, "progress") if reports else "—",
        "problems": _joined(reports, "problems") if reports else "—",
        "next_steps": _joined(reports, "next_steps") if reports else "—",
    }


def _tasks(ws: Worksheet, f: Formats, report: AssessmentReport) -> None:
    last = len(TASK_HEADERS) - 1
    widths = TASK_WIDTHS
    _set_widths(ws, widths)
    _titles(ws, f, last, _("%(t)s重点任务进展情况") % {"t": report_title(report)}, report)
    _headers(ws, f, HEADER_ROW, [_(h) for h in TASK_HEADERS], widths)
    ws.freeze_panes(HEADER_ROW + 1, 2)
    band = f.get(font_name="黑体", bold=True, align="left", border=1, bg_color="#F2F2F2")
    keys = ["number", "text", "lead", "responsible", "status", "progress", "problems", "next_steps"]
    row = HEADER_ROW + 1
    for section in report.sections:
        if len(report.sections) > 1:
            write_merged_row_text(ws, row, 0, last, section.plan.title, band)
            row += 1
        if not section.tasks:
            write_merged_row_text(ws, row, 0, last, _("（本规划无重点任务）"), f.text())
            row += 1
            continue
        for task_row in section.tasks:
            c = _task_cells(task_row)
            ws.set_row(row, row_height([(c[k], w) for k, w in zip(keys, widths)]))
            for col, key in enumerate(keys):
                if key == "status":
                    write_text(ws, row, col, c[key], f.progress(c["status_key"]))
                else:
                    write_text(ws, row, col, c[key], f.text(align="center" if key == "number" else "left"))
            row += 1
    row += 1
    note = _("注：进展情况取各责任单位本周期已报送或已审核的报告；多个单位报送时逐单位列出，推进状态按最不利者着色。")
    write_merged_row_text(ws, row, 0, last, note, f.get(font_size=9, align="left", text_wrap=True))
    setup_print(ws, repeat_to_row=HEADER_ROW)


# --- 单位情况 ----------------------------------------------------------------------------------------------------

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


def _units(ws: Worksheet, f: Formats, report: AssessmentReport) -> None:
    scored = any(u.score is not None for u in report.units)
    headers = UNIT_HEADERS + (SCORE_HEADERS if scored else [])
    last = len(headers) - 1
    shortfall_texts = ["；".join(u.shortfalls) for u in report.units]
    widths = [
        5.0,
        column_width([u.department.name for u in report.units] + ["单位"], minimum=12, maximum=28),
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
    _set_widths(ws, widths)
    _titles(ws, f, last, _("%(t)s责任单位情况") % {"t": report_title(report)}, report)
    _headers(ws, f, HEADER_ROW, [_(h) for h in headers], widths)
    ws.freeze_panes(HEADER_ROW + 1, 2)
    row = HEADER_ROW + 1
    count = f.number("0")
    for i, (unit, shortfall) in enumerate(zip(report.units, shortfall_texts), start=1):
        ws.set_row(row, row_height([(unit.department.name, widths[1]), (shortfall, widths[5])]))
        ws.write_number(row, 0, i, f.number("0", align="center"))
        write_text(ws, row, 1, unit.department.name, f.text())
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
        if scored:
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
        row += 1
    if not report.units:
        write_merged_row_text(ws, row, 0, last, _("（无责任单位）"), f.text())
        row += 1
    row += 1
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
    for note in notes:
        write_merged_row_text(ws, row, 0, last, note, f.get(font_size=9, align="left", text_wrap=True))
        row += 1
    setup_print(ws, repeat_to_row=HEADER_ROW)
