"""指标完成情况: every indicator (and, under a per-unit one, every unit) with its figures, verdict and explanation.

Written in constant_memory mode (see `common.py`): widths first from a measuring pass, then rows strictly in order.
Printed one page wide with its own page breaks (`layout.Pager`) so the merged 一级指标 label is on every page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from excel.common import (
    RATIO_FORMAT,
    BatchedWrites,
    Formats,
    WidthCache,
    figure_places,
    height_for_lines,
    line_count,
    line_width,
    number_format,
    register_merge,
    row_height,
    setup_print,
    signed_format,
    status_text,
    text_width,
    usable_width,
    write_merged_row_text,
)
from excel.layout import (
    DEFAULT_HEIGHT,
    HEADER_ROW,
    TITLE_HEIGHT,
    Column,
    Pager,
    Sequencer,
    band,
    label_runs,
    report_title,
    set_widths,
    write_headers,
    write_titles,
)
from excel.report_data import AssessmentReport, IndicatorRow
from indicators import engine
from indicators.evaluation.explain import Display, display_for, explain
from indicators.evaluation.numbers import percent_places
from indicators.evaluation.payload import Outcome
from indicators.evaluation.selectors import IndicatorResult, StoredEvaluation, viewed_label
from indicators.models import IndicatorValue

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
BATCH = 4096  # lines worked out before their cells are written (`BatchedWrites`)


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
    approx: str
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
            approx=_("左右"),
            viewed=viewed,
        )


def _line_texts(
    row: IndicatorRow, t: _IndicatorTexts, unit_names: dict[int, str], report: AssessmentReport
) -> tuple[str, str, str, str, str]:
    """(group, number, name, unit, lead) of one line. `unit_names` shares one "其中：某单位" string per unit across
    every indicator (one string per unit, not one per line)."""
    result, unit = row.result, row.unit
    ind = result.indicator
    unit_text = ind.unit if not ind.value_unit or ind.value_unit == ind.unit else f"{ind.unit}（{ind.value_unit}）"
    if unit is None:
        return ind.group, ind.number, ind.name, unit_text, report.of_plan(ind.plan_id, result.lead) or "—"
    department = unit.department
    name = unit_names.get(department.id)
    if name is None:
        name = unit_names[department.id] = t.unit_line % {"u": report.name_of(department)}
    return ind.group, "", name, unit_text, report.name_of(department) or "—"


def _outcome(row: IndicatorRow) -> Outcome:
    """The line's verdict, decoded. A stored one resolves every attribute through `__getattr__` and the result's
    basis, estimate and review mark each through a property or two; a line reads about fifteen of them, so the
    decoded object is taken once."""
    judged = row.result.evaluation if row.unit is None else row.unit.evaluation
    return judged.outcome() if isinstance(judged, StoredEvaluation) else Outcome(judged)


_displays: dict[tuple, Display] = {}


def _display(row: IndicatorRow) -> Display:
    ind = row.result.indicator
    key = (ind.id, ind.kind, ind.unit, ind.value_unit, ind.decimals, ind.is_share)
    found = _displays.get(key)
    if found is None:
        found = _displays[key] = display_for(ind)
    return found


TARGET_PREFIX = {"gte": "≥ ", "lte": "≤ "}  # the comparison before the target, as the document states it


def _target_marks(row: IndicatorRow, t: _IndicatorTexts) -> tuple[str, str]:
    """(before, after) the target, the comparison as stored: ≥ 400, ≤ 5, 35左右."""
    comparison = row.result.indicator.comparison
    return TARGET_PREFIX.get(comparison, ""), t.approx if comparison == engine.Comparison.APPROX.value else ""


def _range_text(row: IndicatorRow, target: Decimal, mark: str, after: str, display: Display) -> Decimal | str:
    """A target with an upper bound prints as the page prints it ("5–8"), as text; any other stays a number."""
    upper = row.result.indicator.target_upper
    if upper is None:
        return target
    suffix = display.unit if display.unit in ("%", "‰") else ""
    return f"{mark}{display.figure_number(target)}–{display.figure_number(upper)}{suffix}{after}"


def _note(row: IndicatorRow, outcome: Outcome, t: _IndicatorTexts, display: Display | None = None) -> str:
    """说明: data basis, demo and review marks, the explanation (as on the pages), the estimate beside an official
    figure."""
    ev = outcome.evaluation
    display = display or _display(row)
    note = explain(ev, display, viewed=t.viewed.get(row.result.indicator.plan_id, ""))
    if ev.actual is not None:
        basis = outcome.basis
        prefix = (
            (t.basis[basis] if basis else "")
            + (t.demo if row.demo else "")
            + (t.unreviewed if outcome.unreviewed else "")
        )
        note = prefix + note
    if row.unit is None and outcome.estimate is not None:
        note += t.estimate % {"v": display.value(outcome.estimate)}
    return note


def write_indicators(ws: Worksheet, f: Formats, report: AssessmentReport) -> None:
    columns = INDICATOR_COLUMNS
    last = len(columns) - 1
    multi = len(report.sections) > 1
    t = _IndicatorTexts.current(report)
    unit_names: dict[int, str] = {}
    headers = _headers(report)
    measured = WidthCache()
    widths = _widths(report, headers, measured, t, unit_names)
    set_widths(ws, widths)
    write_titles(ws, f, last, _("%(t)s指标完成情况") % {"t": report_title(report)}, report)
    header_height = write_headers(ws, f, HEADER_ROW, headers, widths)
    ws.freeze_panes(HEADER_ROW + 1, 3)
    pager = Pager(widths, repeated=[TITLE_HEIGHT, DEFAULT_HEIGHT, header_height])
    row = HEADER_ROW + 1

    def banner(text: str, fmt: Format) -> None:
        nonlocal row
        height = row_height([(text, sum(widths))])
        pager.starts_page(row, height)
        ws.set_row(row, height)
        write_merged_row_text(ws, row, 0, last, text, fmt)
        row += 1

    for section in report.sections:
        if multi:
            banner(f"{section.plan.title}　{section.plan.doc_number}".strip(), band(f))
        if not section.indicators:
            banner(_("（本规划无可显示的指标）"), f.text())
            continue
        if section.units_folded:
            banner(
                _(
                    "本规划考核%(n)s个单位：下表列各指标的总体情况，各单位逐项情况见本规划的单独报告，"
                    "各单位汇总见“单位情况”表。"
                )
                % {"n": section.units_folded},
                f.text(),
            )
        lines = _LineWriter(ws, f, widths, measured, t, unit_names, report, pager)
        row = lines.write(row, section.indicators)
    row += 1
    small = f.get(font_size=9, align="left", text_wrap=True)
    for note in _notes():
        banner(note, small)
    setup_print(ws, repeat_to_row=HEADER_ROW)
    pager.apply(ws)


def _headers(report: AssessmentReport) -> list[str]:
    headers = [_(c.header) for c in INDICATOR_COLUMNS]
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
    return headers


def _widths(
    report: AssessmentReport, headers: list[str], measured: WidthCache, t: _IndicatorTexts, unit_names: dict[int, str]
) -> list[float]:
    """The columns' widths, from the widest text of each text column.

    Two passes over the lines instead of keeping every line's texts (memory grows with the lines): this one finds the
    widest text per text column, the writing pass builds the texts again. The short texts repeat (units, groups)
    and their widths are remembered in `measured`; the notes are built here only until their column is at its
    maximum width.
    """
    columns = INDICATOR_COLUMNS
    text_columns = (0, 1, 2, 3, COL_LEAD)
    widest = dict.fromkeys((*text_columns, COL_NOTE), 0)
    note_enough = columns[COL_NOTE].maximum - 2
    for section in report.sections:
        for line in section.indicators:
            for col, text in zip(text_columns, _line_texts(line, t, unit_names, report)):
                if text and measured[text] > widest[col]:
                    widest[col] = measured[text]
            if widest[COL_NOTE] < note_enough:
                widest[COL_NOTE] = max(widest[COL_NOTE], text_width(_note(line, _outcome(line), t)))
    widths = []
    for col, spec in enumerate(columns):
        # As column_width([header, *texts]): the widest non-empty text + 2, within the column's bounds.
        w = max(text_width(headers[col]), widest.get(col, 0))
        widths.append(float(min(spec.maximum, max(spec.minimum, w + 2))))
    return widths


def _notes() -> list[str]:
    return [
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


class _LineWriter:
    """Writes one plan's indicator lines.

    This is the loop over every (indicator, unit) of the report (≈ 30 000 lines at province), so everything that
    does not change per line is looked up before it: formats (one `Formats.get` builds a sorted key each call),
    translated texts, what an indicator's lines share. Cells are written with write_string/write_number/write_blank,
    BATCH lines at a time (`BatchedWrites`), figures as the Decimals they are (xlsxwriter formats them with %.16G,
    as `write_decimal` does).

    Every line has a 序号: the printed number or the next in sequence (`Sequencer`), "（1）", "（2）"… for the unit
    lines under an indicator. A run of lines of one 一级指标 is merged down column A page by page: where `Pager`
    starts a printed page inside the run, the merge ends and the label is written again on the page's first line.
    """

    def __init__(
        self,
        ws: Worksheet,
        f: Formats,
        widths: Sequence[float],
        measured: WidthCache,
        t: _IndicatorTexts,
        unit_names: dict[int, str],
        report: AssessmentReport,
        pager: Pager,
    ) -> None:
        self.f, self.t, self.unit_names, self.report, self.pager = f, t, unit_names, report, pager
        self.ws = BatchedWrites(ws)  # the lines' cells written a run of lines at a time
        self.lines_of = measured.lines
        self.usable_note = usable_width(widths[COL_NOTE])
        self.w_group, self.w_name, self.w_lead, self.w_note = widths[0], widths[2], widths[COL_LEAD], widths[COL_NOTE]
        self.centre, self.plain, self.indented = f.text(align="center"), f.text(), f.text(indent=1)
        self.status_formats: dict[engine.Status, Format] = {}
        self.statuses: dict[tuple[engine.Status, bool], tuple[str, Format]] = {}  # the 状态 cell's text and format
        self.figure_formats: dict[tuple[str, str, int, str, str], Format] = {}
        self.gap_formats: dict[tuple[str, int], Format] = {}
        self.ratio_formats: dict[int, Format] = {}
        self.short_lines_of: dict[tuple[str, str, str], int] = {}
        self.last_result: IndicatorResult | None = None
        self.last_shared: tuple[Display, str, str, str] = (Display(engine.Kind.LEVEL), "", "", "")

    def shared(self, data: IndicatorRow) -> tuple[Display, str, str, str]:
        """(display, gap unit, marks before and after the target) of the line's indicator: an indicator's line and
        its units' lines follow one another, so they are worked out once for them all."""
        if data.result is not self.last_result:
            display = _display(data)
            self.last_result, self.last_shared = data.result, (display, display.gap_unit, *_target_marks(data, self.t))
        return self.last_shared

    def ratio_format(self, value: Decimal | None) -> Format:
        # The places the page prints (0.04%, never 0.0% beside it).
        key = percent_places(value)
        found = self.ratio_formats.get(key)
        if found is None:
            found = self.ratio_formats[key] = self.f.number(RATIO_FORMAT if key == 1 else "0." + "0" * key + "%")
        return found

    def gap_format(self, unit: str, decimals: int) -> Format:
        # Signed, in the gap's unit (个百分点 for shares), with the places the page and the sentence print.
        key = (unit, decimals)
        found = self.gap_formats.get(key)
        if found is None:
            found = self.gap_formats[key] = self.f.number(signed_format(*key))
        return found

    def figure_format(
        self, display: Display, unit: str, value: Decimal | None, before: str = "", after: str = ""
    ) -> Format:
        key = (unit, display.unit, figure_places(value, display.decimals), before, after)
        found = self.figure_formats.get(key)
        if found is None:
            # A level in another unit than the column's (人 under a growth rate's %) names it, as the page does.
            own = unit if unit and unit != display.unit and unit not in ("%", "‰") else ""
            body = number_format(unit, key[2])
            tail = own + after
            if tail:
                body = body[:-1] + tail + '"' if body.endswith('"') else body + f'"{tail}"'
            found = self.figure_formats[key] = self.f.number((f'"{before}"' if before else "") + body)
        return found

    def height(self, name: str, lead: str, group: str, note: str) -> float:
        # Lines the short texts need repeat with them (unit lines: the same unit name under every indicator); the
        # note is new text on every line and measured directly, not remembered.
        short = (name, lead, group)
        short_lines = self.short_lines_of.get(short)
        if short_lines is None:
            short_lines = self.short_lines_of[short] = max(
                self.lines_of(name, self.w_name), self.lines_of(lead, self.w_lead), self.lines_of(group, self.w_group)
            )
        if note and "\n" not in note:  # as line_count(note, self.w_note), the usable width taken once
            return height_for_lines(max(short_lines, 1, math.ceil(line_width(note) / self.usable_note)))
        return height_for_lines(max(short_lines, line_count(note, self.w_note)))

    def write(self, row: int, lines: Sequence[IndicatorRow]) -> int:
        """Write the lines from `row`; returns the next free row."""
        ws, centre = self.ws, self.centre
        write_string, write_blank, set_row = ws.write_string, ws.write_blank, ws.set_row
        spans = label_runs([line.result.indicator.group for line in lines])
        span_end, merge_from = -1, row
        numbers, sub = Sequencer(), 0
        for i, data in enumerate(lines):
            if i % BATCH == 0:
                ws.flush()
            group, number, name, unit_text, lead = _line_texts(data, self.t, self.unit_names, self.report)
            if data.unit is None:
                number, sub = numbers.next(number), 0
            else:
                sub += 1
                number = f"（{sub}）"
            outcome = _outcome(data)
            ev = outcome.evaluation
            shared = self.shared(data)
            note = _note(data, outcome, self.t, shared[0])
            height = self.height(name, lead, group, note)
            new_page = self.pager.starts_page(row, height)
            set_row(row, height)
            if i in spans:
                span_end, merge_from = spans[i], row
                write_string(row, 0, group, centre)
            elif i <= span_end and not new_page:
                write_blank(row, 0, None, centre)
            elif i <= span_end:  # a printed page begins inside the run: close the merge, label the page
                register_merge(ws, merge_from, 0, row - 1, 0)
                merge_from = row
                write_string(row, 0, group, centre)
            elif group:
                write_string(row, 0, group, centre)
            else:
                write_blank(row, 0, None, centre)
            if i == span_end:
                register_merge(ws, merge_from, 0, row, 0)
            write_string(row, 1, number, centre)
            self.texts(row, data, name, unit_text)
            self.figures(row, data, ev)
            self.tail(row, ev, lead, note)
            row += 1
        ws.flush()
        return row

    def texts(self, row: int, data: IndicatorRow, name: str, unit_text: str) -> None:
        name_format = self.plain if data.unit is None else self.indented
        if name:
            self.ws.write_string(row, 2, name, name_format)
        else:
            self.ws.write_blank(row, 2, None, name_format)
        if unit_text:
            self.ws.write_string(row, 3, unit_text, self.centre)
        else:
            self.ws.write_blank(row, 3, None, self.centre)

    def figures(self, row: int, data: IndicatorRow, ev: engine.Evaluation) -> None:
        display, gap_unit, before, after = self.shared(data)
        fmt_for, ratio_format = self.figure_format, self.ratio_format
        write_string, write_number = self.ws.write_string, self.ws.write_number
        # Levels in the unit they are reported in (人 for a growth rate's level), targets in the target's unit, with
        # the comparison the document states (≥ 400, ≤ 5, 35左右).
        target: Decimal | str | None = ev.target if ev.target is not None else data.target
        if isinstance(target, Decimal):
            target = _range_text(data, target, before, after, display)
        target_number = target if isinstance(target, Decimal) else None
        for col, value, empty, fmt in (
            (4, data.baseline, "—", fmt_for(display, display.figure_unit, data.baseline)),
            (5, target, "——", fmt_for(display, display.unit, target_number, before, after)),
            (6, ev.actual, "—", fmt_for(display, display.figure_unit, ev.actual)),
            (7, ev.completion, "—", ratio_format(ev.completion)),
            (8, ev.progress, "—", ratio_format(ev.progress)),
            (9, ev.expected_progress, "—", ratio_format(ev.expected_progress)),
            (10, ev.gap_to_expected, "—", self.gap_format(gap_unit, display.gap_places_of(ev.gap_to_expected))),
            (11, ev.gap_to_target, "—", self.gap_format(gap_unit, display.to_target_places(ev.gap_to_target))),
        ):
            if value is None or isinstance(value, str):
                write_string(row, col, empty if value is None else value, fmt)
            else:
                write_number(row, col, value, fmt)

    def tail(self, row: int, ev: engine.Evaluation, lead: str, note: str) -> None:
        key = (ev.status, ev.provisional)
        found = self.statuses.get(key)
        if found is None:
            status, provisional = key
            status_format = self.status_formats.get(status)
            if status_format is None:
                status_format = self.status_formats[status] = self.f.status(status)
            text = self.t.status[status] + (self.t.provisional if provisional else "")
            found = self.statuses[key] = (text, status_format)
        self.ws.write_string(row, COL_STATUS, *found)
        self.ws.write_string(row, COL_LEAD, lead, self.plain)
        if note:
            self.ws.write_string(row, COL_NOTE, note, self.plain)
        else:
            self.ws.write_blank(row, COL_NOTE, None, self.plain)
