"""Reading uploaded workbooks defensively: every refusal is a Chinese message naming sheet, row and column.

Checks before openpyxl sees the file: size (settings.IMPORT_MAX_BYTES), an encrypted or legacy .xls file (an OLE
compound file), a CSV or other text renamed to .xlsx, a zip that is not a workbook, a zip bomb. Then the sheet is
read with openpyxl ``read_only=True`` and ``data_only=False`` in one pass, so a formula cell is seen as a formula
(``data_type == "f"``) and refused with its reference, while a *text* "=SUM(A1)" stays text. Merged cells are not
exposed in read-only mode; `merged_ranges` scans the sheet XML for them. Row counts are capped while reading.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter, range_boundaries

from indicators.validation import parse_decimal

logger = logging.getLogger(__name__)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_UNCOMPRESSED = 200 * 1024 * 1024
TRAILING_EMPTY_LIMIT = 1000  # empty rows tolerated past the row cap before we stop looking
MERGE_RE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", 20000))


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 10 * 1024 * 1024))


@dataclass(frozen=True)
class Issue:
    """One problem with an uploaded file. Row is the Excel row number (1-based), column a letter."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    header: str = ""

    @property
    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(_("“%(s)s”工作表") % {"s": self.sheet})
        if self.row is not None:
            parts.append(_("第%(r)s行") % {"r": self.row})
        if self.column:
            parts.append(_("%(c)s列") % {"c": self.column} + (f"（{self.header}）" if self.header else ""))
        return " ".join(parts)

    @property
    def text(self) -> str:
        return f"{self.where}：{self.message}" if self.where else self.message

    def __str__(self) -> str:
        return self.text


class ExcelInputError(Exception):
    """The file cannot be imported at all; `issues` say why (usually one)."""

    def __init__(self, issues: list[Issue] | Issue | str) -> None:
        if isinstance(issues, str):
            issues = [Issue(issues)]
        elif isinstance(issues, Issue):
            issues = [issues]
        self.issues = issues
        super().__init__("；".join(i.text for i in issues))


def _mb(size: int) -> str:
    return f"{size / 1048576:.1f}"


def check_file(data: bytes, *, name: str = "") -> None:
    """Refuse what is not a readable, unencrypted, reasonably sized .xlsx workbook. Reads no cell."""
    limit = max_bytes()
    label = name or _("上传的文件")
    if len(data) > limit:
        raise ExcelInputError(
            _("“%(n)s”大小为 %(s)s MB，超过导入上限 %(m)s MB，请删去无关内容或分批导入。")
            % {"n": label, "s": _mb(len(data)), "m": _mb(limit)}
        )
    if not data:
        raise ExcelInputError(_("“%(n)s”是空文件。") % {"n": label})
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise ExcelInputError(
                _("“%(n)s”已加密（设置了打开密码），系统无法读取。请在 Excel 中取消密码后另存为 .xlsx 再上传。")
                % {"n": label}
            )
        raise ExcelInputError(
            _("“%(n)s”是旧版 Excel 97-2003（.xls）格式，请在 Excel 中另存为“Excel 工作簿（*.xlsx）”后再上传。")
            % {"n": label}
        )
    if not data.startswith(ZIP_MAGIC):
        head = data[:2048]
        textual = _looks_like_text(head)
        if textual and any(sep in textual for sep in (",", "，", "\t", ";")):
            raise ExcelInputError(
                _(
                    "“%(n)s”的内容是文本/CSV，不是 Excel 工作簿（可能只是改了扩展名）。请在 Excel 中打开后另存为"
                    "“Excel 工作簿（*.xlsx）”再上传。"
                )
                % {"n": label}
            )
        raise ExcelInputError(
            _("“%(n)s”不是 Excel 工作簿（.xlsx），请上传从本系统下载并填写的 .xlsx 文件。") % {"n": label}
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/workbook") for n in names):
                raise ExcelInputError(
                    _("“%(n)s”是压缩文件但不是 Excel 工作簿（可能是 Word 文档或其他压缩包）。") % {"n": label}
                )
            if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
                raise ExcelInputError(
                    _("“%(n)s”解压后超过 %(m)s MB，请删去无关内容后再上传。") % {"n": label, "m": _mb(MAX_UNCOMPRESSED)}
                )
    except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, OSError) as exc:
        raise ExcelInputError(
            _("“%(n)s”已损坏或不完整（可能上传中断），无法打开。请重新保存后再上传。") % {"n": label}
        ) from exc


def _looks_like_text(head: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        if text and all(ch.isprintable() or ch in "\r\n\t" for ch in text[:512]):
            return text
    return ""


def load_workbook(data: bytes, *, name: str = "") -> Any:
    """openpyxl read-only workbook over the bytes (formulas kept as formulas). Call `check_file` first."""
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except ExcelInputError:
        raise
    except Exception as exc:  # openpyxl raises many types for a damaged package; none may reach the user raw
        logger.info("unreadable workbook %s: %r", name, exc)
        raise ExcelInputError(
            _("“%(n)s”已损坏或不是有效的 Excel 工作簿，无法读取（%(e)s）。")
            % {"n": name or _("上传的文件"), "e": type(exc).__name__}
        ) from exc


def damaged_message(name: str, exc: BaseException) -> str:
    return _("“%(n)s”内容已损坏，读取中途出错（%(e)s），未写入任何数据。请在 Excel 中打开并另存后再上传。") % {
        "n": name or _("上传的文件"),
        "e": type(exc).__name__,
    }


def merged_ranges(data: bytes, worksheet: Any) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every merged range of a read-only sheet, scanning its XML."""
    path = getattr(worksheet, "_worksheet_path", None)
    if not path:
        return []
    found: list[tuple[int, int, int, int]] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(path.lstrip("/")) as stream:
        tail = b""
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            block = tail + chunk
            for match in MERGE_RE.finditer(block):
                ref = match.group(1).decode()
                found.append(range_boundaries(ref if ":" in ref else f"{ref}:{ref}"))
            tail = block[-256:]
            # A match inside the overlap is found twice; de-duplicate at the end.
    return sorted(set(found), key=lambda b: (b[1], b[0]))


def iter_rows(
    worksheet: Any,
    *,
    first_row: int,
    max_col: int,
    header_row: int,
    headers: dict[int, str],
    issues: list[Issue],
    limit: int | None = None,
    percent_cols: set[int] | frozenset[int] = frozenset(),
) -> Iterator[tuple[int, list[Any]]]:
    """Yield (Excel row number, values) from `first_row`, refusing formulas and error values cell by cell.

    A number in one of `percent_cols` shown with an Excel percent format (the user typed "35%", Excel stored 0.35)
    is returned as the Decimal the user saw (35).

    Rows are capped at `limit` (default settings.IMPORT_MAX_ROWS) data rows: the first non-empty row past the cap
    stops the import at once, without reading the rest of the file.
    """
    cap = limit or max_rows()
    sheet = worksheet.title
    trailing_empty = 0
    # Read-only rows may hold EmptyCell fillers (no row/column attributes): count rows and columns ourselves.
    for row_number, cells in enumerate(worksheet.iter_rows(min_row=first_row, max_col=max_col), start=first_row):
        values, empty = _row_values(cells, _Where(sheet, row_number, headers, issues), percent_cols)
        if row_number - header_row > cap:
            if not empty:
                raise ExcelInputError(
                    Issue(
                        _("数据超过 %(n)s 行上限（第%(r)s行仍有内容），请分批导入或删除多余行。")
                        % {"n": cap, "r": row_number},
                        sheet,
                    )
                )
            trailing_empty += 1
            if trailing_empty > TRAILING_EMPTY_LIMIT:
                return
            continue
        yield row_number, values


@dataclass(frozen=True)
class _Where:
    """Where a row's problems are reported: sheet, row, the headers by column, the list they go to."""

    sheet: str
    row: int
    headers: dict[int, str]
    issues: list[Issue]

    def refuse(self, message: str, column: int) -> None:
        self.issues.append(
            Issue(message, self.sheet, self.row, get_column_letter(column), self.headers.get(column, ""))
        )


def _row_values(cells: Any, where: _Where, percent_cols: set[int] | frozenset[int]) -> tuple[list[Any], bool]:
    """(the row's values, whether it is empty): texts stripped and unescaped, formulas and errors refused (None)."""
    values: list[Any] = []
    empty = True
    for column, cell in enumerate(cells, start=1):
        if cell.data_type in ("f", "e"):
            _refuse_cell(cell, column, where)
            values.append(None)
            empty = False
            continue
        value = cell.value
        if (
            column in percent_cols
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
            and is_percent_format(cell.number_format)
        ):
            # Left as the cell holds it when unreadable: the figure's own check names what is wrong with it.
            with contextlib.suppress(ValueError):
                value = parse_decimal(value) * 100
        if isinstance(value, str):
            if "_x" in value:
                value = unescape_ooxml(value)
            value = value.strip()
            if not value:
                value = None
        if value is not None:
            empty = False
        values.append(value)
    return values, empty


def _refuse_cell(cell: Any, column: int, where: _Where) -> None:
    """A formula or an error value: the import takes only what a person typed."""
    if cell.data_type == "f":
        formula = str(cell.value)[:60]
        where.refuse(
            _("单元格含公式“%(f)s”，导入只接受数值或文字。请复制后“选择性粘贴→数值”再导入。") % {"f": formula}, column
        )
    else:
        where.refuse(_("单元格为错误值 %(v)s，请更正后再导入。") % {"v": cell.value}, column)


def find_header_row(
    worksheet: Any, wanted: set[str], *, search_rows: int = 10, repeated: dict[str, list[int]] | None = None
) -> tuple[int, dict[str, int]] | None:
    """The first of the top rows containing every wanted header: (row number, header → column index 1-based).

    `repeated`, when given, receives every header of that row found in more than one column (→ all its columns).
    """
    for row_number, cells in enumerate(worksheet.iter_rows(min_row=1, max_row=search_rows), start=1):
        found: dict[str, int] = {}
        every: dict[str, list[int]] = {}
        for column, cell in enumerate(cells, start=1):
            if cell.data_type == "s" and isinstance(cell.value, str):
                header = normalise_header(cell.value)
                found.setdefault(header, column)
                every.setdefault(header, []).append(column)
        if wanted <= set(found):
            if repeated is not None:
                repeated.update({h: cols for h, cols in every.items() if h and len(cols) > 1})
            return row_number, found
    return None


COLS_RE = re.compile(rb"<(?:\w+:)?col\s[^>]*>")
ATTR_RE = re.compile(rb'(\w+)="([^"]*)"')


def hidden_columns(data: bytes, worksheet: Any) -> set[int]:
    """Column indexes (1-based) a read-only sheet hides, from its <cols> element (read-only mode does not expose
    column widths or visibility). Only the head of the sheet XML is read: <cols> comes before the cells."""
    path = getattr(worksheet, "_worksheet_path", None)
    if not path:
        return set()
    head = b""
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(path.lstrip("/")) as stream:
        while b"<sheetData" not in head and len(head) < (8 << 20):
            chunk = stream.read(1 << 16)
            if not chunk:
                break
            head += chunk
    head = head.split(b"<sheetData", 1)[0]
    hidden: set[int] = set()
    for element in COLS_RE.findall(head):
        attrs = dict(ATTR_RE.findall(element))
        if attrs.get(b"hidden") in (b"1", b"true"):
            try:
                hidden.update(range(int(attrs[b"min"]), int(attrs[b"max"]) + 1))
            except (KeyError, ValueError):
                continue
    return hidden


OOXML_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_ooxml(text: str) -> str:
    """Undo the file format's _xHHHH_ escapes ("\r" is stored as "_x000D_"); openpyxl leaves them in place."""
    return OOXML_ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)


def is_percent_format(fmt: str) -> bool:
    """An Excel percent format ("0.0%"), not a literal percent sign in quotes ('0.0"%"', our templates)."""
    return "%" in re.sub(r'"[^"]*"|\\.', "", fmt or "")


def normalise_header(text: str) -> str:
    return re.sub(r"[\s　*＊]|（可填）|\(可填\)", "", text or "")


def cell_text(value: Any) -> str:
    """A cell as text: numbers without binary noise (1.0 → "1"), dates as ISO, None → ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float, Decimal)):
        try:
            text = format(parse_decimal(value).normalize(), "f")
        except ValueError:  # NaN, 1e400 and the like: shown as Python prints them, never a crash
            return str(value)
        return "0" if text == "-0" else text
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def cell_int(value: Any) -> int:
    """An integer key cell (an id typed or stored as 12, 12.0 or "12"). Raises ValueError."""
    if isinstance(value, bool) or value is None:
        raise ValueError
    number = parse_decimal(value) if not isinstance(value, int) else Decimal(value)
    if number != number.to_integral_value():
        raise ValueError
    return int(number)


def column_letter(index: int) -> str:
    return get_column_letter(index)
