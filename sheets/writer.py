"""Every workbook the app writes goes through `SafeWorkbook`: strings are never turned into formulas, numbers or
links, and formula-like text (= + - @, after spaces, tabs or line breaks too) keeps Excel's quote prefix, so a unit
name or a note pasted from elsewhere stays text when someone edits the cell."""

from __future__ import annotations

import re
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

# Characters a formula-like text can start with; most texts start otherwise, so the pattern runs rarely.
_RISKY_START = frozenset("=+-@\t\r\n \u3000＝＋－＠")
FORMULA_LIKE = re.compile(r"^(?:[\t\r]|[ \n\u3000]*[=+\-@＝＋－＠])")


def formula_like(text: str) -> bool:
    return bool(text) and text[0] in _RISKY_START and FORMULA_LIKE.match(text) is not None


class SafeWorksheet(Worksheet):
    """A worksheet that writes formula-like text with the quote prefix (see the module docstring)."""

    book: SafeWorkbook

    def _write_string(self, row: int, col: int, string: str, cell_format: Format | None = None) -> Any:
        if string and string[0] in _RISKY_START and FORMULA_LIKE.match(string):
            cell_format = self.book.quoted(cell_format)
        return Worksheet._write_string(self, row, col, string, cell_format)


class SafeWorkbook(xlsxwriter.Workbook):
    """Every workbook the app writes: strings are never turned into formulas, numbers or links, and formula-like
    text keeps a quote prefix."""

    worksheet_class = SafeWorksheet

    def __init__(self, output: Any, options: dict[str, Any] | None = None) -> None:
        super().__init__(
            output,
            {**(options or {}), "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        )
        self._quoted: dict[int, Format] = {}

    def add_worksheet(self, name: str | None = None, worksheet_class: Any = None) -> Any:
        sheet = super().add_worksheet(name, worksheet_class)
        sheet.book = self
        return sheet

    def quoted(self, fmt: Format | None) -> Format:
        """The same format with the quote prefix (made once per format)."""
        key = id(fmt)
        clone = self._quoted.get(key)
        if clone is None:
            clone = self.add_format()
            if fmt is not None:
                # Everything but the indexes and the cached key, which xlsxwriter computes once per format.
                clone.__dict__.update(
                    {k: v for k, v in fmt.__dict__.items() if k not in ("xf_index", "dxf_index", "_format_key")}
                )
            clone.set_quote_prefix(True)
            self._quoted[key] = clone
        return clone
