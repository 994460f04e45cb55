"""Reading the figures sheet of an uploaded actuals template (实际值填报): rows as typed, before any key is resolved.

Structural problems (not the template, a header changed, a column given twice or hidden, merged cells) refuse the
file as a whole (ExcelInputError); a cell's problem becomes an `Issue` and the reading goes on, so the preview lists
every problem of the file at once. A row whose intent is unclear — a note without a figure, no 数据口径 — is asked
about (`preview.questions`), never dropped or defaulted unseen. The task sheet is read in the same pass
(`import_tasks.parse_tasks`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from excel.import_tasks import parse_tasks
from excel.template import BASIS_LABELS, EDIT_HEADERS, HEADERS, KEY_HEADERS, SHEET
from indicators.models import IndicatorValue
from sheets import reader
from sheets.reader import ExcelInputError, Issue

if TYPE_CHECKING:
    from excel.importer import ActualsPreview

BASIS_BY_TEXT = {label: value for value, label in BASIS_LABELS.items()} | {
    "estimate": IndicatorValue.Basis.ESTIMATE.value,
    "official": IndicatorValue.Basis.OFFICIAL.value,
}
REQUIRED = [KEY_HEADERS["indicator"], KEY_HEADERS["department"], KEY_HEADERS["period"], *EDIT_HEADERS.values()]
BLANK_MARKS = {"—", "——", "-", "--", "/", "无", "暂无"}  # typed for "no figure yet": treated as a blank cell


@dataclass
class RawRow:
    row: int
    indicator_id: int
    department_id: int
    period_code: str
    version: int | None
    value: Any  # the cell as read; parsed against its indicator's unit once the indicator is known (_resolve)
    basis: str
    note: str
    orig_basis: str = ""
    bad: bool = False  # a problem already listed (an invalid 数据口径): checked further, never saved

    @property
    def version_applies(self) -> bool:
        """The pre-filled version guards this row unless the user switched the basis (then it is another figure)."""
        return self.version is not None and self.orig_basis in ("", self.basis)


def normalise_note(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def parse_figures(data: bytes, filename: str, preview: ActualsPreview) -> list[RawRow]:
    """Read the template rows; structural failures raise ExcelInputError, cell problems become issues."""
    reader.check_file(data, name=filename)
    workbook = reader.load_workbook(data, name=filename)
    try:
        ws = _figures_sheet(workbook)
        header_row, by_key = _header(data, ws, preview)
        _refuse_merges(data, ws, header_row)
        rows: list[RawRow] = []
        started = False
        percent_cols = {by_key["value"]} if by_key["value"] else set()
        for number, values in reader.iter_rows(
            ws,
            first_row=header_row + 1,
            max_col=max(i for i in by_key.values() if i),
            header_row=header_row,
            headers={index: HEADERS[key] for key, index in by_key.items() if index},
            issues=preview.issues,
            percent_cols=percent_cols,
        ):
            if all(v is None for v in values):
                continue
            started = True
            raw = _row(number, values, by_key, preview)
            if raw is not None:
                rows.append(raw)
        if not started:
            raise ExcelInputError(Issue(_("模板中没有数据行，无可导入的内容。"), SHEET))
        preview.task_raws = parse_tasks(workbook, preview.issues, preview.task_columns)
        return rows
    finally:
        workbook.close()


def _figures_sheet(workbook: Any) -> Any:
    """The template's figures sheet, refused when missing or hidden."""
    if SHEET not in workbook.sheetnames:
        raise ExcelInputError(
            _("未找到“%(s)s”工作表（文件中的工作表：%(names)s）。这不是本系统的实际值填报模板，请先下载模板再填写。")
            % {"s": SHEET, "names": "、".join(workbook.sheetnames) or _("无")}
        )
    ws = workbook[SHEET]
    if getattr(ws, "sheet_state", "visible") != "visible":
        raise ExcelInputError(
            Issue(
                _(
                    "“%(s)s”工作表被隐藏了，隐藏的工作表不予导入。请在 Excel 中取消隐藏（右键工作表标签→"
                    "取消隐藏）、核对内容后再上传。"
                )
                % {"s": SHEET},
                SHEET,
            )
        )
    return ws


def _header(data: bytes, ws: Any, preview: ActualsPreview) -> tuple[int, dict[str, int | None]]:
    """(the header row, column key → its index or None); the columns' letters are noted in the preview."""
    repeated: dict[str, list[int]] = {}
    found = reader.find_header_row(ws, set(REQUIRED), repeated=repeated)
    if found is None:
        raise ExcelInputError(
            Issue(
                _(
                    "表头不是实际值填报模板的格式（应含“%(h)s”等列）。请使用本系统下载的模板，不要删除或改动表头和隐藏列。"
                )
                % {"h": "”“".join(REQUIRED)},
                SHEET,
            )
        )
    header_row, columns = found
    _check_columns(data, ws, header_row, repeated, columns)
    by_key = {key: columns.get(reader.normalise_header(text)) for key, text in HEADERS.items()}
    preview.columns = {key: reader.column_letter(index) for key, index in by_key.items() if index}
    return header_row, by_key


def _refuse_merges(data: bytes, ws: Any, header_row: int) -> None:
    merges = [m for m in reader.merged_ranges(data, ws) if m[3] > header_row]
    if merges:
        min_col, min_row, max_c, max_r = merges[0]
        ref = f"{reader.column_letter(min_col)}{min_row}:{reader.column_letter(max_c)}{max_r}"
        raise ExcelInputError(
            Issue(
                _("%(ref)s 是合并单元格，数据区不能合并单元格（共%(n)s处）。请取消合并、每行填写完整后再导入。")
                % {"ref": ref, "n": len(merges)},
                SHEET,
                min_row,
                reader.column_letter(min_col),
            )
        )


def _check_columns(
    data: bytes, ws: Any, header_row: int, repeated: dict[str, list[int]], columns: dict[str, int]
) -> None:
    """A template column given twice, or a column to fill that is hidden, would be read as only one of its copies or
    unseen by the person who filled it: refuse the file, naming the column."""
    known = {reader.normalise_header(text): text for text in HEADERS.values()}
    for header, cols in repeated.items():
        if header in known:
            letters = "、".join(reader.column_letter(c) for c in cols)
            raise ExcelInputError(
                Issue(
                    _("表头“%(h)s”出现了%(n)s次（%(cols)s列），无法确定以哪一列为准。请删除多余的列后再上传。")
                    % {"h": known[header], "n": len(cols), "cols": letters},
                    SHEET,
                    header_row,
                    reader.column_letter(cols[1]),
                    known[header],
                )
            )
    hidden = reader.hidden_columns(data, ws)
    for text in EDIT_HEADERS.values():
        index = columns.get(reader.normalise_header(text))
        if index in hidden:
            raise ExcelInputError(
                Issue(
                    _("“%(h)s”列被隐藏了，隐藏列中的内容不予导入。请取消隐藏、核对后再上传。") % {"h": text},
                    SHEET,
                    header_row,
                    reader.column_letter(index),
                    text,
                )
            )


def _row(number: int, values: list[Any], by_key: dict[str, int | None], preview: ActualsPreview) -> RawRow | None:
    cells = _Cells(number, values, by_key, preview)
    raw_value = cells.get("value")
    if raw_value is None or (isinstance(raw_value, str) and raw_value in BLANK_MARKS):
        cells.blank()
        return None
    keys = cells.keys()
    period_code = reader.cell_text(cells.get("period")).upper()
    if not period_code:
        cells.issue("period", _("隐藏的键列“周期代码”缺失，请使用重新下载的模板。"))
    version = cells.version()
    value: Any = raw_value
    if isinstance(raw_value, (bool,)) or hasattr(raw_value, "isoformat"):
        cells.issue("value", _("“%(v)s”不是数字，请填写数值（不带单位）。") % {"v": reader.cell_text(raw_value)})
        value = None
    basis, bad = cells.basis()
    note = normalise_note(reader.cell_text(cells.get("note")))
    orig = reader.cell_text(cells.get("orig_basis"))
    if value is None or len(keys) < 2 or not period_code:
        return None
    return RawRow(
        number,
        keys["indicator"],
        keys["department"],
        period_code,
        version,
        value,
        basis or IndicatorValue.Basis.ESTIMATE.value,
        note,
        BASIS_BY_TEXT.get(orig, ""),
        bad,
    )


class _Cells:
    """One data row of the figures sheet, read by column key; problems go to the preview."""

    def __init__(self, number: int, values: list[Any], by_key: dict[str, int | None], preview: ActualsPreview) -> None:
        self.number, self.values, self.by_key, self.preview = number, values, by_key, preview

    def get(self, key: str) -> Any:
        index = self.by_key.get(key)
        return self.values[index - 1] if index and index - 1 < len(self.values) else None

    def issue(self, key: str, message: str) -> None:
        index = self.by_key.get(key) or 0
        self.preview.issues.append(
            Issue(message, SHEET, self.number, reader.column_letter(index) if index else "", HEADERS.get(key, ""))
        )

    def question(self, message: str, key: str) -> None:
        self.preview.questions.append(
            Issue(message, SHEET, self.number, self.preview.columns.get(key, ""), HEADERS[key])
        )

    def name(self) -> str:
        return reader.cell_text(self.get("name"))[:40] or _("该指标")

    def blank(self) -> None:
        """Not reported this period: skipped — but a note says something was meant: asked, not dropped unseen."""
        self.preview.blank_rows += 1
        if normalise_note(reader.cell_text(self.get("note"))):
            self.question(
                _(
                    "“%(n)s”填写了说明但没有填写本期实际值：确认后该行不导入（说明也不保存）；如要报送，请补填实际值后重新上传。"
                )
                % {"n": self.name()},
                "value",
            )

    def keys(self) -> dict[str, Any]:
        """The hidden indicator and unit ids that could be read."""
        keys: dict[str, Any] = {}
        for key in ("indicator", "department"):
            try:
                keys[key] = reader.cell_int(self.get(key))
            except (ValueError, ArithmeticError):
                self.issue(
                    key,
                    _("隐藏的键列“%(h)s”缺失或被改动（%(v)s），请使用重新下载的模板。")
                    % {"h": HEADERS[key], "v": reader.cell_text(self.get(key)) or _("空")},
                )
        return keys

    def version(self) -> int | None:
        version_raw = self.get("version")
        if version_raw is None:
            return None
        try:
            return reader.cell_int(version_raw)
        except (ValueError, ArithmeticError):
            self.issue(
                "version",
                _("隐藏的键列“版本”被改动（%(v)s），请使用重新下载的模板。") % {"v": reader.cell_text(version_raw)},
            )
            return None

    def basis(self) -> tuple[str | None, bool]:
        """(the basis typed, or None; whether what was typed is not a basis)."""
        basis_text = reader.cell_text(self.get("basis"))
        basis = BASIS_BY_TEXT.get(basis_text)
        bad = basis is None and bool(basis_text)
        if bad:
            self.issue("basis", _("数据口径“%(v)s”无效，只能填“预计”或“统计”。") % {"v": basis_text[:20]})
        elif basis is None:  # left empty: asked, never silently taken as 预计
            self.question(
                _("“%(n)s”未填写数据口径：确认后按“预计”导入；如为统计部门公布的数，请改为“统计”后重新上传。")
                % {"n": self.name()},
                "basis",
            )
        return basis, bad
