"""Actuals import: an uploaded template → a preview (create / change / unchanged / problems / questions) → one
transaction writing the figures through `save_values` and the task progress through `save_progress`.

Nothing from the client is trusted between preview and confirm: the confirm step re-reads the stored file and runs
the whole check again. The figures sheet is read by `import_values.py`, the task sheet by `import_tasks.py`; keys
are resolved in a fixed number of queries (indicators, departments, periods, existing values). The check runs the
write services themselves and rolls back, so one upload lists every problem of the file — the file's own and what
the services refuse — naming sheet, row and column. Rows the file leaves unclear are asked about and applied only
once answered.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from excel.import_tasks import TaskImportRow, TaskRaw, resolve_tasks, save_tasks
from excel.import_values import RawRow, normalise_note, parse_figures
from excel.template import BASIS_LABELS, HEADERS, SHEET, with_access_data
from indicators import access
from indicators.models import Indicator, IndicatorValue, ReviewStatus
from indicators.services import SaveResult, ServiceError, ValueEntry, busy_message, save_values
from indicators.validation import ValueInputError, edit_block_reason, note_error, parse_value, rules_of
from plans.models import Department, ReportingPeriod
from sheets import reader
from sheets.reader import ExcelInputError, Issue

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
    # Rows the file leaves unclear (a note without a figure, no 数据口径): asked, applied only once `answered`
    questions: list[Issue] = field(default_factory=list)
    answered: bool = False
    # The task sheet (任务进展填报): its rows and where its columns are
    task_raws: list[TaskRaw] = field(default_factory=list)
    task_rows: list[TaskImportRow] = field(default_factory=list)
    task_columns: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.issues and bool(self.rows or self.task_rows)

    @property
    def waiting(self) -> bool:
        """Something to confirm before the file may be applied."""
        return bool(self.confirmations and not self.confirmed) or bool(self.questions and not self.answered)

    def tasks_of(self, action: str) -> list[TaskImportRow]:
        return [r for r in self.task_rows if r.action == action]

    def of(self, action: str) -> list[ImportRow]:
        return [r for r in self.rows if r.action == action]

    @property
    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "update": 0, "unchanged": 0}
        items: list[ImportRow | TaskImportRow] = [*self.rows, *self.task_rows]
        for r in items:
            if r.action in counts:
                counts[r.action] += 1
        return counts


def _resolve(user: User, raws: list[RawRow], preview: ActualsPreview) -> list[ImportRow]:
    """Keys → objects in four queries; unknown items, other units' items, stale versions and closed periods → issues."""
    resolver = _Resolver(user, raws, preview)
    rows = [row for row in map(resolver.row, raws) if row is not None]
    resolver.report_blocked()
    return rows


class _Resolver:
    """`_resolve` row by row, against keys read once for the whole file."""

    def __init__(self, user: User, raws: list[RawRow], preview: ActualsPreview) -> None:
        self.user, self.preview = user, preview
        self.indicators = _load_indicators({r.indicator_id for r in raws})
        self.departments = Department.objects.in_bulk({r.department_id for r in raws})
        self.periods = {p.code: p for p in ReportingPeriod.objects.filter(code__in={r.period_code for r in raws})}
        self.existing = {
            (i, p, d, b): _Existing(version, value, note, status)
            for i, p, d, b, version, value, note, status in IndicatorValue.objects.filter(
                indicator_id__in=list(self.indicators),
                department_id__in=list(self.departments),
                period__in=list(self.periods.values()),
            ).values_list("indicator_id", "period_id", "department_id", "basis", "version", "value", "note", "status")
        }
        self.today = timezone.localdate()
        self.blocked: dict[str, list[int]] = defaultdict(list)
        self.seen: dict[tuple[int, int, int, str], int] = {}

    def issue(self, raw: RawRow, key: str, message: str) -> None:
        col = self.preview.columns
        self.preview.issues.append(
            Issue(message, SHEET, raw.row, col.get(key, ""), HEADERS.get(key, "") if key else "")
        )

    def row(self, raw: RawRow) -> ImportRow | None:
        """The row resolved, or None with its problems recorded (or counted as blocked by its period)."""
        indicator = self.indicators.get(raw.indicator_id)
        department = self.departments.get(raw.department_id)
        period = self.periods.get(raw.period_code)
        if indicator is None or department is None or not access.can_enter_indicator(self.user, indicator, department):
            # Same words whether the item does not exist or belongs to another unit: we do not confirm either.
            self.issue(
                raw,
                "",
                _("该行的指标（ID %(i)s）不存在或不由您的单位（ID %(d)s）填报，请使用本单位重新下载的模板。")
                % {"i": raw.indicator_id, "d": raw.department_id},
            )
            return None
        if period is None:
            self.issue(raw, "period", _("周期“%(c)s”不存在，请使用重新下载的模板。") % {"c": raw.period_code[:10]})
            return None
        reason = edit_block_reason(period, self.today)
        if reason:
            self.blocked[reason].append(raw.row)
            return None
        value = self.figure(raw, indicator)
        if value is None:
            return None
        key = (indicator.pk, period.pk, department.pk, raw.basis)
        if key in self.seen:
            self.issue(raw, "basis", _("与第%(r)s行是同一指标、周期和口径，请合并为一行。") % {"r": self.seen[key]})
            return None
        self.seen[key] = raw.row
        current = self.existing.get(key)
        note = raw.note
        if current is not None and normalise_note(current.note) == note:
            note = current.note  # line endings changed by Excel are not a change
        if not self.still_current(raw, indicator, current, value, note):
            return None
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
        return ImportRow(raw.row, entry, action, current.value if current else None, current.note if current else "")

    def figure(self, raw: RawRow, indicator: Indicator) -> Decimal | None:
        """The row's figure, or None with every problem of the row at once: the figure (unit, bounds, decimals)
        and the note."""
        value: Decimal | None = None
        try:
            value = parse_value(raw.value, rules_of(indicator))
        except ValueInputError as exc:
            self.issue(raw, "value", exc.message)
        problem = note_error(raw.note)
        if problem:
            self.issue(raw, "note", problem)
        if problem or raw.bad:
            return None
        return value

    def still_current(
        self, raw: RawRow, indicator: Indicator, current: _Existing | None, value: Decimal, note: str
    ) -> bool:
        """False (with the issue) when the stored figure moved since the download or is approved and would change."""
        if raw.version_applies and current is not None and current.version != raw.version:
            self.issue(
                raw,
                "value",
                _("该项在您下载模板后已被他人修改（现为 %(v)s），请重新下载模板后再填写。")
                % {"v": _dec(current.value)},
            )
            return False
        if raw.version_applies and current is None:
            self.issue(raw, "value", _("该项在您下载模板后已被删除或变更，请重新下载模板。"))
            return False
        if (
            current is not None
            and current.status == ReviewStatus.APPROVED
            and (current.value != value or current.note != note)
        ):
            self.issue(
                raw,
                "value",
                _("“%(n)s”已审核通过，不能再修改（原值 %(v)s）；如需更正请联系组织部退回。")
                % {"n": indicator.name, "v": _dec(current.value)},
            )
            return False
        return True

    def report_blocked(self) -> None:
        """One issue per reason a period refuses edits, naming the rows it covers."""
        for reason, numbers in self.blocked.items():
            span = f"{numbers[0]}" if len(numbers) == 1 else f"{numbers[0]}–{numbers[-1]}"
            self.preview.issues.append(
                Issue(
                    _("%(reason)s（涉及第%(span)s行，共%(n)s行）")
                    % {"reason": reason, "span": span, "n": len(numbers)},
                    SHEET,
                    numbers[0],
                )
            )


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
    *,
    user: User,
    data: bytes,
    filename: str = "",
    apply: bool = False,
    submit: bool = False,
    confirmed: bool = False,
    answered: bool = False,
) -> ActualsPreview:
    """Parse, resolve and check the file — figures and task progress — listing every problem at once; with
    apply=True also write, all or nothing, only when there is no problem, any figure that looks like a running total
    was `confirmed` and every question about an unclear row was `answered`.

    Never raises for bad input: every problem is in `preview.issues`.
    """
    account = user
    preview = ActualsPreview(filename, confirmed=confirmed, answered=answered)
    started = time.perf_counter()
    try:
        raws = parse_figures(data, filename, preview)
    except ExcelInputError as exc:
        preview.issues = list(exc.issues)  # the file as a whole is refused: row-level findings so far are moot
        return preview
    except Exception as exc:  # a sheet part openpyxl chokes on half-way (damaged XML): a message, not a trace
        logger.exception("reading %s failed", filename)
        preview.issues.append(Issue(reader.damaged_message(filename, exc)))
        return preview
    preview.timings["read"] = time.perf_counter() - started
    if not raws and not preview.task_raws and not preview.issues and not preview.questions:
        preview.issues.append(Issue(_("“本期实际值”一列和任务进展全部为空，没有可导入的数据。"), SHEET))
        return preview
    mark = time.perf_counter()
    preview.rows = _resolve(account, raws, preview) if raws else []
    preview.task_rows = resolve_tasks(account, preview.task_raws, preview.issues, preview.task_columns)
    preview.timings["resolve"] = time.perf_counter() - mark
    mark = time.perf_counter()
    reason = _("Excel导入：%(f)s") % {"f": filename[:80]} if filename else _("Excel导入")
    result = _check_and_save(account, preview, submit=submit, apply=apply, reason=reason)
    preview.timings["save" if preview.applied else "check"] = time.perf_counter() - mark
    preview.timings["total"] = time.perf_counter() - started
    if result is not None:
        _classify(preview.rows, result)
        preview.result = result
    return preview


class _CheckOnly(Exception):
    """Leaves the import's transaction: whatever the check wrote is rolled back."""


def _check_and_save(
    user: User, preview: ActualsPreview, *, submit: bool, apply: bool, reason: str
) -> SaveResult | None:
    """Every figure through `save_values` and every task row through `save_progress` in one transaction, kept only
    when the file is applied: a check runs the same services and rolls back, so the preview lists what the services
    would refuse (±50 % without a reason, decimals, running totals…) beside the file's own problems."""
    result: SaveResult | None = None
    try:
        with transaction.atomic():
            writing = apply and not preview.issues and not preview.waiting
            if preview.rows:
                try:
                    result = _save(user, preview.rows, preview, submit=submit, apply=writing, reason=reason)
                except ServiceError as exc:
                    preview.issues.extend(_service_issues(exc, preview.rows, preview.columns))
            preview.issues.extend(save_tasks(user, preview.task_rows, submit=submit, columns=preview.task_columns))
            if not (writing and not preview.issues and not preview.waiting):
                raise _CheckOnly
            preview.applied = True
    except _CheckOnly:
        pass
    except DatabaseError:  # anything else the database refused: nothing was written (one transaction)
        logger.exception("import of %s failed in the database", preview.filename)
        preview.issues.append(Issue(busy_message()))
        preview.applied = False
    return result
