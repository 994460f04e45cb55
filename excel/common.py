"""Shared Excel output helpers: fonts, status colours, number formats, CJK-aware widths, safe writes, page setup.

Every workbook here is written with xlsxwriter in ``constant_memory`` mode, which flushes a row as soon as a later
row is touched. Two consequences shape the helpers:

* widths and merges are computed before the first row is written (``set_column`` and :func:`register_merge`);
* merged cells are never written with ``merge_range`` (it pads the *later* rows of the range at once, flushing
  rows still being filled) — :func:`register_merge` records the range and the caller writes the top-left value and
  the formatted blanks below it in row order.

Text is always written with ``write_string``: a task text "=SUM(A1)" or "@cmd" stays text, never a formula. Text that
*looks* like a formula (= + - @ first, after spaces, tabs or line breaks) is also given Excel's quote prefix
(`SafeWorkbook`), so it stays text when someone edits the cell later — a plain string cell "=HYPERLINK(…)" turns
live the moment it is edited and confirmed.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from indicators import engine
from indicators.evaluation import explain
from indicators.evaluation.numbers import own_places
from indicators.models import TaskProgress
from sheets.writer import FORMULA_LIKE, SafeWorkbook, SafeWorksheet, formula_like  # noqa: F401 - re-used here

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
BODY_SIZE = 10.5
WORKBOOK_OPTIONS: dict[str, Any] = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}

# Fill (background) and font colour per status; the label in words is always written too (grayscale print).
STATUS_COLOURS: dict[engine.Status, tuple[str, str]] = {
    engine.Status.ACHIEVED: ("#C6EFCE", "#006100"),
    engine.Status.ON_TRACK: ("#DDEBF7", "#1F4E79"),
    engine.Status.LAGGING: ("#FFEB9C", "#9C5700"),
    engine.Status.BEHIND: ("#FFC7CE", "#9C0006"),
    engine.Status.BELOW_TARGET: ("#E4D1EC", "#5B2C6F"),
    engine.Status.NOT_ACHIEVED: ("#F4B084", "#833C0B"),
    engine.Status.NO_DATA: ("#EDEDED", "#404040"),
    engine.Status.NOT_APPLICABLE: ("#FFFFFF", "#595959"),
}
STATUS_ICONS = explain.STATUS_ICONS
PROGRESS_COLOURS: dict[str, tuple[str, str]] = {
    TaskProgress.Progress.DONE: ("#C6EFCE", "#006100"),
    TaskProgress.Progress.IN_PROGRESS: ("#DDEBF7", "#1F4E79"),
    TaskProgress.Progress.DELAYED: ("#FFC7CE", "#9C0006"),
    TaskProgress.Progress.NOT_STARTED: ("#FFEB9C", "#9C5700"),
    "": ("#EDEDED", "#404040"),  # not reported
}
# Worst first, to colour a task reported by several units.
PROGRESS_SEVERITY = {
    TaskProgress.Progress.DELAYED: 0,
    TaskProgress.Progress.NOT_STARTED: 1,
    "": 2,
    TaskProgress.Progress.IN_PROGRESS: 3,
    TaskProgress.Progress.DONE: 4,
}


def status_text(status: engine.Status) -> str:
    return f"{STATUS_ICONS[status]} {explain.status_label(status)}"


def figure_places(value: Decimal | None, decimals: int) -> int:
    """Decimals a figure is shown with: the indicator's, or more when the figure itself has them (0.8 万人 against
    a target printed as 3), up to the four the database keeps."""
    return decimals if value is None else max(decimals, own_places(value))


def char_width(ch: str) -> int:
    """Display width of one character in the workbook's Chinese fonts: CJK and full-width characters count double,
    and so do the "ambiguous" ones (“”、—、…、①、±), which 宋体 and 黑体 draw full width."""
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 1


class _CharWidths(dict[str, int]):
    """char_width per character, remembered on first sight. Asking unicodedata for every character of every cell
    (twice per text: column width and row height) was the largest cost of writing an export."""

    LIMIT = 50_000  # distinct characters kept; the rest are computed each time (bounded memory on odd input)

    def __missing__(self, ch: str) -> int:
        width = char_width(ch)
        if len(self) < self.LIMIT:
            self[ch] = width
        return width


_CHAR_WIDTHS = _CharWidths()
_char_widths = _CHAR_WIDTHS.__getitem__


def line_width(line: str) -> int:
    """Width of one line (no newline in it); ASCII is one unit a character."""
    return len(line) if line.isascii() else sum(map(_char_widths, line))


def text_width(text: str) -> int:
    """Widest line of the text in Excel character units (CJK counts double)."""
    if not text:
        return 0
    text = str(text)
    if "\n" not in text:
        return line_width(text)
    return max(line_width(line) for line in text.split("\n"))


def column_width(values: Iterable[str], *, minimum: int = 4, maximum: int = 40, padding: int = 2) -> float:
    widest = max((text_width(v) for v in values if v), default=0)
    return float(min(maximum, max(minimum, widest + padding)))


# Of a column's width, the share wrapped text is counted against: Excel pads the cell, keeps a word or a number
# whole and never starts a line with closing punctuation, and the printer's fonts run a little wider than the
# screen's — a row measured to the last character loses its last line on paper.
WRAP_SHARE = 0.88
LINE_HEIGHT = 14.25  # points a line of 10.5 pt 宋体 takes in a row (Excel's own height for one line)
MAX_ROW_HEIGHT = 409.0  # Excel's limit


def usable_width(width: float) -> float:
    return max(1.0, (width - 1) * WRAP_SHARE)


def line_count(text: str, width: float) -> int:
    """Lines a wrapped cell needs at a column width (estimate; Excel does not auto-fit row heights on open)."""
    if not text:
        return 1
    usable = usable_width(width)
    text = str(text)
    if "\n" not in text:
        return max(1, math.ceil(line_width(text) / usable))
    return sum(max(1, math.ceil(line_width(line) / usable)) for line in text.split("\n"))


class WidthCache(dict[str, int]):
    """text → text_width, for a sheet whose texts are measured twice (column width first, then the row height at
    that width) and repeat over many rows (unit names, groups, lead units)."""

    def __missing__(self, text: str) -> int:
        width = self[text] = text_width(text)
        return width

    def lines(self, text: str, width: float) -> int:
        """line_count(text, width), from the remembered width when the text is one line."""
        if not text:
            return 1
        if "\n" in text:
            return line_count(text, width)
        return max(1, math.ceil(self[text] / usable_width(width)))


def height_for_lines(
    lines: int, *, line_height: float = LINE_HEIGHT, minimum: float = 18.0, maximum: float = MAX_ROW_HEIGHT
) -> float:
    return min(maximum, max(minimum, lines * line_height + 4))


def row_height(
    cells: Iterable[tuple[str, float]],
    *,
    line_height: float = LINE_HEIGHT,
    minimum: float = 18.0,
    maximum: float = MAX_ROW_HEIGHT,
) -> float:
    lines = max((line_count(text, width) for text, width in cells), default=1)
    return height_for_lines(lines, line_height=line_height, minimum=minimum, maximum=maximum)


def number_format(unit: str, decimals: int, *, signed: bool = False) -> str:
    """Number format for a figure in its unit: 23.20 万人 → '#,##0.00', 35.0 % → '0.0"%"' (the value is 35, not
    0.35)."""
    decimals = max(0, min(int(decimals or 0), 6))
    body = ("#,##0" if unit not in ("%", "‰") else "0") + ("." + "0" * decimals if decimals else "")
    suffix = {"%": '"%"', "‰": '"‰"'}.get(unit, "")
    fmt = body + suffix
    if signed:
        return f"+{fmt};-{fmt};{fmt}"
    return fmt


def signed_format(unit: str, decimals: int) -> str:
    """A gap with its sign and its unit as text (+0.5个百分点, -2名, 0万人), the way the pages print it."""
    decimals = max(0, min(int(decimals or 0), 6))
    body = "#,##0" + ("." + "0" * decimals if decimals else "")
    suffix = f'"{unit.replace(chr(34), "")}"' if unit else ""
    return f"+{body}{suffix};-{body}{suffix};{body}{suffix}"


RATIO_FORMAT = "0.0%"


def date_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class Formats:
    """A cache of xlsxwriter formats keyed by their properties (the same dict → the same Format object)."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.workbook = workbook
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}

    def get(self, **props: Any) -> Format:
        base = {"font_name": BODY_FONT, "font_size": BODY_SIZE, "valign": "vcenter"}
        base.update(props)
        key = tuple(sorted(base.items()))
        fmt = self._cache.get(key)
        if fmt is None:
            fmt = self.workbook.add_format(base)
            self._cache[key] = fmt
        return fmt

    def title(self, size: int = 16) -> Format:
        return self.get(font_name=TITLE_FONT, font_size=size, bold=True, align="center")

    def subtitle(self) -> Format:
        return self.get(font_size=BODY_SIZE, align="center")

    def header(self) -> Format:
        return self.get(
            font_name=TITLE_FONT,
            font_size=BODY_SIZE,
            bold=True,
            align="center",
            text_wrap=True,
            border=1,
            bg_color="#D9E1F2",
        )

    def text(self, *, wrap: bool = True, align: str = "left", **extra: Any) -> Format:
        return self.get(**{"border": 1, "text_wrap": wrap, "align": align, **extra})

    def number(self, num_format: str, **extra: Any) -> Format:
        return self.get(**{"border": 1, "align": "right", "num_format": num_format, **extra})

    def status(self, status: engine.Status) -> Format:
        bg, fg = STATUS_COLOURS[status]
        return self.get(
            border=1,
            align="center",
            bg_color=bg,
            font_color=fg,
            bold=status in (engine.Status.BEHIND, engine.Status.NOT_ACHIEVED),
        )

    def progress(self, key: str) -> Format:
        bg, fg = PROGRESS_COLOURS.get(key, PROGRESS_COLOURS[""])
        return self.get(border=1, align="center", text_wrap=True, bg_color=bg, font_color=fg)


def write_text(ws: Worksheet, row: int, col: int, value: object, fmt: Format | None = None) -> None:
    """Write any text as a string (never a formula), or a formatted blank for empty values."""
    text = "" if value is None else str(value)
    if text:
        ws.write_string(row, col, text, fmt)
    else:
        ws.write_blank(row, col, None, fmt)


def write_decimal(
    ws: Worksheet, row: int, col: int, value: Decimal | None, fmt: Format | None = None, *, empty: str = "—"
) -> None:
    if value is None:
        write_text(ws, row, col, empty, fmt)
    else:
        # xlsxwriter prints the number with %.16G: a Decimal with ≤ 15 significant digits round-trips exactly.
        ws.write_number(row, col, value, fmt)


def register_merge(ws: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """Record a merged range without writing cells (constant_memory-safe; see the module docstring).

    The caller writes the top-left value and formatted blanks in the other cells, row by row. Relies on
    xlsxwriter's `merge` list (stable since 0.x); the tests read the merges back with openpyxl.
    """
    if first_row == last_row and first_col == last_col:
        return
    ws.merge.append([first_row, first_col, last_row, last_col])


def write_merged_row_text(ws: Worksheet, row: int, first_col: int, last_col: int, value: str, fmt: Format) -> None:
    """A merged band across one row (titles, plan separators), safe in constant_memory mode."""
    register_merge(ws, row, first_col, row, last_col)
    write_text(ws, row, first_col, value, fmt)
    for col in range(first_col + 1, last_col + 1):
        ws.write_blank(row, col, None, fmt)


def setup_print(ws: Worksheet, *, repeat_to_row: int | None, fit_height: int = 0, footer: bool = True) -> None:
    """A4 landscape, fit to one page wide, title rows repeated, centred, page numbers in the footer."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, fit_height)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    if repeat_to_row is not None:
        ws.repeat_rows(0, repeat_to_row)
    if footer:
        ws.set_footer("&C第 &P 页，共 &N 页", {"margin": 0.3})


def new_workbook(
    output: str | IO[bytes], *, title: str, constant_memory: bool = True, in_memory: bool = False
) -> tuple[xlsxwriter.Workbook, Formats]:
    options = {**WORKBOOK_OPTIONS, "constant_memory": constant_memory, "in_memory": in_memory}
    workbook = SafeWorkbook(output, options)
    workbook.set_properties({"title": title, "author": "人才规划目标管理", "company": "", "comments": ""})
    return workbook, Formats(workbook)


class BatchedWrites:
    """A worksheet's cell writes and row heights kept for a run of rows and then made in one go (`flush`), in the
    order they were asked: the same calls, so the same file.

    Working a line out (its explanation, figures' formats, height) and writing its cells one after the other, line by
    line, each evicts the other's code and data from the processor's caches; a run of lines worked out, then a run of
    cells written, keeps each warm. Merges are recorded on the worksheet at once (`register_merge`), as before.
    """

    def __init__(self, ws: Worksheet) -> None:
        self.merge = ws.merge
        self.calls: list[tuple[Any, ...]] = []
        self._string, self._number, self._blank, self._row = (
            ws.write_string,
            ws.write_number,
            ws.write_blank,
            ws.set_row,
        )

    def write_string(self, row: int, col: int, string: str, cell_format: Format | None = None) -> None:
        self.calls.append((self._string, row, col, string, cell_format))

    def write_number(self, row: int, col: int, number: Any, cell_format: Format | None = None) -> None:
        self.calls.append((self._number, row, col, number, cell_format))

    def write_blank(self, row: int, col: int, blank: Any, cell_format: Format | None = None) -> None:
        self.calls.append((self._blank, row, col, blank, cell_format))

    def set_row(self, row: int, height: float) -> None:
        self.calls.append((self._row, row, height))

    def flush(self) -> None:
        for call in self.calls:
            call[0](*call[1:])
        self.calls.clear()
