"""Actuals import: an uploaded template → a preview (create / change / unchanged / errors) → one `save_values` call.

Nothing from the client is trusted between preview and confirm: the confirm step re-reads the stored file and runs
the whole check again. Keys are resolved in a fixed number of queries (indicators, departments, periods, existing
values), and every figure goes through `services.save_values` — permissions, period state, validation and history
— in one all-or-nothing call. Row-level problems come back as `Issue`s naming sheet, row and column.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from excel.template import BASIS_LABELS, EDIT_HEADERS, HEADERS, KEY_HEADERS, SHEET, with_access_data
from indicators import access
from indicators.models import Indicator, IndicatorValue, ReviewStatus
from indicators.services import SaveResult, ServiceError, ValueEntry, busy_message, save_values
from indicators.validation import ValueInputError, edit_block_reason, note_error, parse_value, rules_of
from plans.models import Department, ReportingPeriod
from sheets import reader
from sheets.reader import ExcelInputError, Issue

BASIS_BY_TEXT = {label: value for value, label in BASIS_LABELS.items()} | {
    "estimate": IndicatorValue.Basis.ESTIMATE.value,
    "official": IndicatorValue.Basis.OFFICIAL.value,
}
REQUIRED = [KEY_HEADERS["indicator"], KEY_HEADERS["department"], KEY_HEADERS["period"], *EDIT_HEADERS.values()]
BLANK_MARKS = {"—", "——", "-", "--", "/", "无", "暂无"}  # typed for "no figure yet": treated as a blank cell
logger = logging.getLogger(__name__)


@dataclass
class ImportRow:
    row: int
    entry: ValueEntry
    action: str = ""  # create / update / unchanged
    old_value: Decimal | None = None
    old_note: str = ""

    @property
    def indicator(self) -> Indicator:
        return self.entry.indicator

    @property
    def basis_label(self) -> str:
        return BASIS_LABELS.get(self.entry.basis, self.entry.basis)


@dataclass
class ActualsPreview:
    filename: str
    rows: list[ImportRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    blank_rows: int = 0  # rows left empty in 本期实际值 (not reported, skipped)
    result: SaveResult | None = None
    applied: bool = False
    columns: dict[str, str] = field(default_factory=dict)  # column key → letter in the uploaded sheet
    timings: dict[str, float] = field(default_factory=dict)
    # 本期新增 figures that look like running totals: listed for the department to confirm before applying
    confirmations: list[Issue] = field(default_factory=list)
    confirmed: bool = False

    @property
    def ok(self) -> bool:
        return not self.issues and bool(self.rows)

    def of(self, action: str) -> list[ImportRow]:
        return [r for r in self.rows if r.action == action]

    @property
    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "unchanged": 0}
        for r in self.rows:
            if r.action in counts:
                counts[r.action] += 1
        return counts


@dataclass
class _RawRow:
    row: int
    indicator_id: int
    department_id: int
    period_code: str
    version: int | None
    value: Any  # the cell as read; parsed against its indicator's unit once the indicator is known (_resolve)
    basis: str
    note: str
    orig_basis: str = ""

    @property
    def version_applies(self) -> bool:
        """The pre-filled version guards this row unless the user switched the basis (then it is another figure)."""
        return self.version is not None and self.orig_basis in ("", self.basis)


def _normalise_note(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _parse(data: bytes, filename: str, preview: ActualsPreview) -> list[_RawRow]:
    """Read the template rows; structural failures raise ExcelInputError, cell problems become issues."""
    reader.check_file(data, name=filename)
    workbook = reader.load_workbook(data, name=filename)
    try:
        if SHEET not in workbook.sheetnames:
            raise ExcelInputError(
                _(
                    "未找到“%(s)s”工作表（文件中的工作表：%(names)s）。这不是本系统的实际值填报模板，请先下载模板再填写。"
                )
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
        headers = {index: HEADERS[key] for key, index in by_key.items() if index}
        preview.columns = {key: reader.column_letter(index) for key, index in by_key.items() if index}
        max_col = max(i for i in by_key.values() if i)
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
        rows: list[_RawRow] = []
        started = False
        percent_cols = {by_key["value"]} if by_key["value"] else set()
        for number, values in reader.iter_rows(
            ws,
            first_row=header_row + 1,
            max_col=max_col,
            header_row=header_row,
            headers=headers,
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
        return rows
    finally:
        workbook.close()


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


def _row(number: int, values: list[Any], by_key: dict[str, int | None], preview: ActualsPreview) -> _RawRow | None:
    def get(key: str) -> Any:
        index = by_key.get(key)
        return values[index - 1] if index and index - 1 < len(values) else None

    def issue(key: str, message: str) -> None:
        index = by_key.get(key) or 0
        preview.issues.append(
            Issue(message, SHEET, number, reader.column_letter(index) if index else "", HEADERS.get(key, ""))
        )

    raw_value = get("value")
    if raw_value is None or (isinstance(raw_value, str) and raw_value in BLANK_MARKS):
        preview.blank_rows += 1  # not reported this period: skipped, whatever the other cells say
        return None
    keys: dict[str, Any] = {}
    for key in ("indicator", "department"):
        try:
            keys[key] = reader.cell_int(get(key))
        except (ValueError, ArithmeticError):
            issue(
                key,
                _("隐藏的键列“%(h)s”缺失或被改动（%(v)s），请使用重新下载的模板。")
                % {"h": HEADERS[key], "v": reader.cell_text(get(key)) or _("空")},
            )
    period_code = reader.cell_text(get("period")).upper()
    if not period_code:
        issue("period", _("隐藏的键列“周期代码”缺失，请使用重新下载的模板。"))
    version_raw = get("version")
    version: int | None = None
    if version_raw is not None:
        try:
            version = reader.cell_int(version_raw)
        except (ValueError, ArithmeticError):
            issue(
                "version",
                _("隐藏的键列“版本”被改动（%(v)s），请使用重新下载的模板。") % {"v": reader.cell_text(version_raw)},
            )
    value: Any = raw_value
    if isinstance(raw_value, (bool,)) or hasattr(raw_value, "isoformat"):
        issue("value", _("“%(v)s”不是数字，请填写数值（不带单位）。") % {"v": reader.cell_text(raw_value)})
        value = None
    basis_text = reader.cell_text(get("basis")) or BASIS_LABELS[IndicatorValue.Basis.ESTIMATE]
    basis = BASIS_BY_TEXT.get(basis_text)
    if basis is None:
        issue("basis", _("数据口径“%(v)s”无效，只能填“预计”或“统计”。") % {"v": basis_text[:20]})
    note = _normalise_note(reader.cell_text(get("note")))
    orig = reader.cell_text(get("orig_basis"))
    if value is None or basis is None or len(keys) < 2 or not period_code:
        return None
    return _RawRow(
        number,
        keys["indicator"],
        keys["department"],
        period_code,
        version,
        value,
        basis,
        note,
        BASIS_BY_TEXT.get(orig, ""),
    )


def _resolve(user: User, raws: list[_RawRow], preview: ActualsPreview) -> list[ImportRow]:
    """Keys → objects in four queries; unknown items, other units' items, stale versions and closed periods → issues."""
    indicators = _load_indicators({r.indicator_id for r in raws})
    departments = Department.objects.in_bulk({r.department_id for r in raws})
    periods = {p.code: p for p in ReportingPeriod.objects.filter(code__in={r.period_code for r in raws})}
    existing = {
        (i, p, d, b): _Existing(version, value, note, status)
        for i, p, d, b, version, value, note, status in IndicatorValue.objects.filter(
            indicator_id__in=list(indicators), department_id__in=list(departments), period__in=list(periods.values())
        ).values_list("indicator_id", "period_id", "department_id", "basis", "version", "value", "note", "status")
    }
    col = preview.columns
    today = timezone.localdate()
    blocked: dict[str, list[int]] = defaultdict(list)
    seen: dict[tuple[int, int, int, str], int] = {}
    rows: list[ImportRow] = []

    def issue(raw: _RawRow, key: str, message: str) -> None:
        preview.issues.append(Issue(message, SHEET, raw.row, col.get(key, ""), HEADERS.get(key, "") if key else ""))

    for raw in raws:
        indicator = indicators.get(raw.indicator_id)
        department = departments.get(raw.department_id)
        period = periods.get(raw.period_code)
        if indicator is None or department is None or not access.can_enter_indicator(user, indicator, department):
            # Same words whether the item does not exist or belongs to another unit: we do not confirm either.
            issue(
                raw,
                "",
                _("该行的指标（ID %(i)s）不存在或不由您的单位（ID %(d)s）填报，请使用本单位重新下载的模板。")
                % {"i": raw.indicator_id, "d": raw.department_id},
            )
            continue
        if period is None:
            issue(raw, "period", _("周期“%(c)s”不存在，请使用重新下载的模板。") % {"c": raw.period_code[:10]})
            continue
        reason = edit_block_reason(period, today)
        if reason:
            blocked[reason].append(raw.row)
            continue
        try:
            value = parse_value(raw.value, rules_of(indicator))
        except ValueInputError as exc:
            issue(raw, "value", exc.message)
            continue
        problem = note_error(raw.note)
        if problem:
            issue(raw, "note", problem)
            continue
        key = (indicator.pk, period.pk, department.pk, raw.basis)
        if key in seen:
            issue(raw, "basis", _("与第%(r)s行是同一指标、周期和口径，请合并为一行。") % {"r": seen[key]})
            continue
        seen[key] = raw.row
        current = existing.get(key)
        note = raw.note
        if current is not None and _normalise_note(current.note) == note:
            note = current.note  # line endings changed by Excel are not a change
        if raw.version_applies and current is not None and current.version != raw.version:
            issue(
                raw,
                "value",
                _("该项在您下载模板后已被他人修改（现为 %(v)s），请重新下载模板后再填写。")
                % {"v": _dec(current.value)},
            )
            continue
        if raw.version_applies and current is None:
            issue(raw, "value", _("该项在您下载模板后已被删除或变更，请重新下载模板。"))
            continue
        if (
            current is not None
            and current.status == ReviewStatus.APPROVED
            and (current.value != value or current.note != note)
        ):
            issue(
                raw,
                "value",
                _("“%(n)s”已审核通过，不能再修改（原值 %(v)s）；如需更正请联系组织部退回。")
                % {"n": indicator.name, "v": _dec(current.value)},
            )
            continue
        entry = ValueEntry(
            indicator,
            department,
            period,
            value,
            raw.basis,
            note,
            expected_version=raw.version if raw.version_applies else None,
            location=_("第%(r)s行") % {"r": raw.row},
        )
        # Provisional action (shown even when other rows have problems); save_values' dry run confirms it.
        action = (
            "create"
            if current is None
            else ("unchanged" if current.value == value and current.note == note else "update")
        )
        rows.append(
            ImportRow(raw.row, entry, action, current.value if current else None, current.note if current else "")
        )
    for reason, numbers in blocked.items():
        span = f"{numbers[0]}" if len(numbers) == 1 else f"{numbers[0]}–{numbers[-1]}"
        preview.issues.append(
            Issue(
                _("%(reason)s（涉及第%(span)s行，共%(n)s行）") % {"reason": reason, "span": span, "n": len(numbers)},
                SHEET,
                numbers[0],
            )
        )
    return rows


@dataclass(frozen=True)
class _Existing:
    version: int
    value: Decimal | None
    note: str
    status: str


def _load_indicators(ids: set[int]) -> dict[int, Indicator]:
    return {i.pk: i for i in with_access_data(list(Indicator.objects.filter(pk__in=ids)))}


def _dec(value: Decimal | None) -> str:
    from indicators.formatting import dec_str

    return dec_str(value) or "—"


def _service_issues(exc: ServiceError, rows: list[ImportRow], columns: dict[str, str]) -> list[Issue]:
    """Map save_values' "第5行:value" keys back to sheet/row/column."""
    by_location = {r.entry.location: r.row for r in rows}
    col = columns
    issues = []
    for key, message in exc.errors.items():
        location, _sep, fieldname = key.rpartition(":")
        row = by_location.get(location)
        text = message.removeprefix(f"{location}：") if row is not None else message
        issues.append(Issue(text, SHEET, row, col.get(fieldname, ""), HEADERS.get(fieldname, "")))
    return issues


def _save(
    user: User, rows: list[ImportRow], preview: ActualsPreview, *, submit: bool, apply: bool, reason: str
) -> SaveResult | None:
    """save_values, with the figures that look like running totals listed for confirmation first: the preview shows
    them (and the rest of the check) and the file is applied only once they are confirmed."""
    entries = [replace(r.entry, confirmed_amount=preview.confirmed) for r in rows]
    try:
        return save_values(user=user, entries=entries, submit=submit, dry_run=not apply, reason=reason)
    except ServiceError as exc:
        asked = {k: v for k, v in exc.errors.items() if k.endswith(":confirm_amount")}
        if not asked or len(asked) < len(exc.errors):
            raise
        preview.confirmations = _service_issues(ServiceError(asked), rows, preview.columns)
    # Everything else is fine: check the file as if confirmed, so the preview shows what it would do.
    result = save_values(
        user=user,
        entries=[replace(e, confirmed_amount=True) for e in entries],
        submit=submit,
        dry_run=True,
        reason=reason,
    )
    _classify(rows, result)
    preview.result = result
    return None


def _classify(rows: list[ImportRow], result: SaveResult) -> None:
    action = {}
    for name, items in (("create", result.created), ("update", result.updated), ("unchanged", result.unchanged)):
        for value in items:
            action[(value.indicator_id, value.period_id, value.department_id, value.basis)] = name
    for r in rows:
        e = r.entry
        r.action = action.get((e.indicator.pk, e.period.pk, e.department.pk, e.basis), r.action)


def run_import(
    *, user: User, data: bytes, filename: str = "", apply: bool = False, submit: bool = False, confirmed: bool = False
) -> ActualsPreview:
    """Parse, resolve and check the file; with apply=True also write (only when there is no issue at all, and any
    figure that looks like a running total was `confirmed`).

    Never raises for bad input: every problem is in `preview.issues`.
    """
    preview = ActualsPreview(filename, confirmed=confirmed)
    started = time.perf_counter()
    try:
        raws = _parse(data, filename, preview)
    except ExcelInputError as exc:
        preview.issues = list(exc.issues)  # the file as a whole is refused: row-level findings so far are moot
        return preview
    except Exception as exc:  # a sheet part openpyxl chokes on half-way (damaged XML): a message, not a trace
        logger.exception("reading %s failed", filename)
        preview.issues.append(Issue(reader.damaged_message(filename, exc)))
        return preview
    preview.timings["read"] = time.perf_counter() - started
    if not raws and not preview.issues:
        preview.issues.append(Issue(_("“本期实际值”一列全部为空，没有可导入的数据。"), SHEET))
        return preview
    mark = time.perf_counter()
    rows = _resolve(user, raws, preview)
    preview.timings["resolve"] = time.perf_counter() - mark
    preview.rows = rows
    if preview.issues:
        return preview
    mark = time.perf_counter()
    reason = _("Excel导入：%(f)s") % {"f": filename[:80]} if filename else _("Excel导入")
    try:
        result = _save(user, rows, preview, submit=submit, apply=apply, reason=reason)
    except ServiceError as exc:
        preview.issues.extend(_service_issues(exc, rows, preview.columns))
        return preview
    except DatabaseError:  # anything else the database refused: nothing was written (one transaction)
        logger.exception("import of %s failed in the database", filename)
        preview.issues.append(Issue(busy_message()))
        return preview
    if result is None:  # running totals to confirm: shown, nothing written
        return preview
    preview.timings["save" if apply else "check"] = time.perf_counter() - mark
    preview.timings["total"] = time.perf_counter() - started
    _classify(rows, result)
    preview.result = result
    preview.applied = apply
    return preview
