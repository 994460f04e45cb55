"""What every sheet of the assessment report shares: titles, header rows, widths, and where printed pages end.

`Pager` decides the page breaks of a sheet itself so a sheet can repeat a merged label at the top of every page it
spans (the application's own breaks are unknown while the rows are written). The sheet stays "fit to one page wide,
as many pages tall as needed" — the width then fits whatever fonts the reader's machine has — and the manual breaks
are kept with it (Excel, WPS and LibreOffice honour manual breaks when the height is not fitted). A page's rows are
counted at the scale that fitting the columns with Excel's own metrics gives; a wider substitute font only shrinks
the print, so the pages hold fewer rows than they could, never more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from excel.common import Formats, date_text, row_height, write_merged_row_text, write_text
from excel.report_data import AssessmentReport

HEADER_ROW = 2  # 0-based: rows 0–1 are the title and the subtitle, row 2 the column headers
TITLE_HEIGHT = 30.0
DEFAULT_HEIGHT = 15.0  # xlsxwriter's default row height (the subtitle row)

# A4 landscape in points, less the margins `common.setup_print` sets (0.4" left and right, 0.6" top and bottom).
PRINTABLE_WIDTH = 841.89 - 2 * 0.4 * 72
PRINTABLE_HEIGHT = 595.28 - 2 * 0.6 * 72
PAGE_SLACK = 0.92  # Excel rounds row heights to pixels and fonts to its printer; break a little early, never late
MAX_BREAKS = 1023  # Excel keeps at most this many manual page breaks on a sheet


@dataclass(frozen=True)
class Column:
    header: str
    minimum: int
    maximum: int
    wrap: bool = True


def report_title(report: AssessmentReport) -> str:
    if len(report.sections) == 1:
        return report.sections[0].plan.title
    return _("各项人才规划")


def subtitle(report: AssessmentReport) -> str:
    return _("考核周期：%(p)s（%(c)s）　数据截至：%(d)s") % {
        "p": report.period.label,
        "c": report.period.code,
        "d": date_text(report.period.end),
    }


def write_titles(ws: Worksheet, f: Formats, last_col: int, title: str, report: AssessmentReport) -> None:
    ws.set_row(0, TITLE_HEIGHT)
    write_merged_row_text(ws, 0, 0, last_col, title, f.title())
    write_merged_row_text(ws, 1, 0, last_col, subtitle(report), f.subtitle())


def write_headers(ws: Worksheet, f: Formats, row: int, headers: Sequence[str], widths: Sequence[float]) -> float:
    """The column headers; returns the row's height."""
    height = row_height(zip(headers, widths), minimum=24)
    ws.set_row(row, height)
    for col, text in enumerate(headers):
        write_text(ws, row, col, text, f.header())
    return height


def set_widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)


def band(f: Formats) -> Format:
    """A plan's name across the sheet, between plans of a several-plan report."""
    return f.get(font_name="黑体", bold=True, align="left", border=1, bg_color="#F2F2F2")


def column_points(width: float) -> float:
    """A column's printed width in points, as Excel sizes it (7-pixel digits plus 5 pixels padding, at 96 dpi)."""
    pixels = int(width * 12 + 0.5) if width < 1 else int(width * 7 + 0.5) + 5
    return pixels * 0.75


class Pager:
    """Page breaks of one sheet, decided while its rows are written (in order, as constant_memory requires).

    The print scale fits every column on one page wide; a page holds what fits below the repeated title rows at that
    scale. `starts_page` is called once per row with its height and says whether the row begins a printed page —
    always True once the breaks Excel keeps are used up (the caller then labels every row: correct wherever Excel
    breaks the rest).
    """

    def __init__(self, widths: Sequence[float], *, repeated: Sequence[float]) -> None:
        total = sum(column_points(w) for w in widths)
        self.scale = max(10, min(100, int(PRINTABLE_WIDTH * 100 / total)))
        self.capacity = PRINTABLE_HEIGHT * PAGE_SLACK * 100 / self.scale - sum(repeated)
        self.used = 0.0
        self.breaks: list[int] = []

    def starts_page(self, row: int, height: float) -> bool:
        if len(self.breaks) >= MAX_BREAKS:
            return True
        if self.used > 0 and self.used + height > self.capacity:
            self.breaks.append(row)
            self.used = height
            return True
        self.used += height
        return False

    def apply(self, ws: Worksheet) -> None:
        """The manual breaks (the sheet keeps "fit to one page wide"; see the module docstring)."""
        if self.breaks:
            ws.set_h_pagebreaks(self.breaks)


class Sequencer:
    """序号 of a plan's lines: the number the document prints, or the next one in sequence where it prints none
    (prose targets after 表2's 1–16 become 17, 18, …)."""

    def __init__(self) -> None:
        self.last = 0

    def next(self, printed: str) -> str:
        printed = (printed or "").strip()
        if printed:
            self.last = int(printed) if printed.isdigit() else self.last + 1
            return printed
        self.last += 1
        return str(self.last)


def label_runs(labels: Sequence[str]) -> dict[int, int]:
    """First → last index of each run of equal, non-empty labels (a label merged down a column)."""
    runs: dict[int, int] = {}
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            if labels[start] and i - 1 > start:
                runs[start] = i - 1
            start = i
    return runs
