"""The task sheet of an uploaded actuals template (任务进展填报) → task progress, through `save_progress`.

Read with the figures (`importer.run_import` opens the file once); a template without the sheet (downloaded before
it existed) imports its figures alone. Every row is checked as the reporting form checks it — by calling
`indicators.services.save_progress`, the one path for this kind of write — inside the import's transaction, which
is rolled back unless the whole file is applied. Problems come back as `Issue`s naming sheet, row and column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _

from excel.template_tasks import TASK_EDIT_HEADERS, TASK_HEADERS, TASK_KEY_HEADERS, TASK_SHEET, progress_labels
from indicators import access
from indicators.models import ReviewStatus, TaskProgress
from indicators.services import ServiceError, save_progress
from indicators.validation import edit_block_reason
from plans.models import Department, ReportingPeriod, Task
from sheets import reader
from sheets.reader import Issue

REQUIRED = [
    TASK_KEY_HEADERS["task"],
    TASK_KEY_HEADERS["department"],
    TASK_KEY_HEADERS["period"],
    TASK_HEADERS["progress_status"],
]
TEXTS = ("progress", "problems", "next_steps")


@dataclass
class TaskRaw:
    row: int
    task_id: int
    department_id: int
    period_code: str
    version: int | None
    progress_status: str
    progress: str
    problems: str
    next_steps: str


@dataclass
class TaskImportRow:
    row: int
    task: Task
    department: Department
    period: ReportingPeriod
    raw: TaskRaw
    action: str  # create / update / unchanged
    old_status: str = ""

    @property
    def status_label(self) -> str:
        return progress_labels().get(self.raw.progress_status, "")


def _issue(issues: list[Issue], row: int, columns: dict[str, str], key: str, message: str) -> None:
    issues.append(Issue(message, TASK_SHEET, row, columns.get(key, ""), TASK_HEADERS.get(key, "")))


def parse_tasks(workbook: Any, issues: list[Issue], columns: dict[str, str]) -> list[TaskRaw]:
    """The filled rows of the task sheet (none when the file has no such sheet); problems → `issues`."""
    if TASK_SHEET not in workbook.sheetnames:
        return []
    ws = workbook[TASK_SHEET]
    found = reader.find_header_row(ws, set(REQUIRED))
    if found is None:
        issues.append(
            Issue(_("“%(s)s”表的表头被改动，无法读取任务进展。请使用重新下载的模板。") % {"s": TASK_SHEET}, TASK_SHEET)
        )
        return []
    header_row, found_columns = found
    by_key = {key: found_columns.get(reader.normalise_header(text)) for key, text in TASK_HEADERS.items()}
    columns.update({key: reader.column_letter(index) for key, index in by_key.items() if index})
    headers = {index: TASK_HEADERS[key] for key, index in by_key.items() if index}
    labels = {label: value for value, label in progress_labels().items()} | {v: v for v in progress_labels()}
    rows: list[TaskRaw] = []
    max_col = max(i for i in by_key.values() if i)
    for number, values in reader.iter_rows(
        ws, first_row=header_row + 1, max_col=max_col, header_row=header_row, headers=headers, issues=issues
    ):

        def get(key: str, values: list[Any] = values) -> str:
            index = by_key.get(key)
            return reader.cell_text(values[index - 1]) if index and index - 1 < len(values) else ""

        status_text = get("progress_status")
        texts = {key: get(key).replace("\r\n", "\n").strip() for key in TEXTS}
        if not status_text and not any(texts.values()):
            continue  # not reported this period
        raw = _raw(number, get, status_text, texts, labels, issues, columns)
        if raw is not None:
            rows.append(raw)
    return rows


def _raw(
    number: int,
    get: Any,
    status_text: str,
    texts: dict[str, str],
    labels: dict[str, str],
    issues: list[Issue],
    columns: dict[str, str],
) -> TaskRaw | None:
    keys: dict[str, int] = {}
    for key in ("task", "department"):
        try:
            keys[key] = reader.cell_int(get(key))
        except (ValueError, ArithmeticError):
            _issue(
                issues,
                number,
                columns,
                key,
                _("隐藏的键列“%(h)s”缺失或被改动，请使用重新下载的模板。") % {"h": TASK_HEADERS[key]},
            )
    version: int | None = None
    if get("version"):
        try:
            version = reader.cell_int(get("version"))
        except (ValueError, ArithmeticError):
            _issue(issues, number, columns, "version", _("隐藏的键列“版本”被改动，请使用重新下载的模板。"))
            return None
    status = labels.get(status_text, "")
    if not status:
        message = (
            _("推进状态“%(v)s”无效，请从下拉列表中选择（%(all)s）。")
            % {"v": status_text[:20], "all": "、".join(labels)}
            if status_text
            else _("填写了进展但未选择推进状态，请从下拉列表中选择。")
        )
        _issue(issues, number, columns, "progress_status", message)
    period_code = get("period").upper()
    if len(keys) < 2 or not status or not period_code:
        return None
    return TaskRaw(number, keys["task"], keys["department"], period_code, version, status, *(texts[k] for k in TEXTS))


def resolve_tasks(user: User, raws: list[TaskRaw], issues: list[Issue], columns: dict[str, str]) -> list[TaskImportRow]:
    """Keys → objects in a fixed number of queries; other units' tasks, closed periods and stale rows → issues."""
    if not raws:
        return []
    tasks = Task.objects.in_bulk({r.task_id for r in raws})
    departments = Department.objects.in_bulk({r.department_id for r in raws})
    periods = {p.code: p for p in ReportingPeriod.objects.filter(code__in={r.period_code for r in raws})}
    existing = {
        (p.task_id, p.department_id, p.period_id): p
        for p in TaskProgress.objects.filter(task_id__in=list(tasks), department_id__in=list(departments))
    }
    today = timezone.localdate()
    rows: list[TaskImportRow] = []
    for raw in raws:
        task, department = tasks.get(raw.task_id), departments.get(raw.department_id)
        period = periods.get(raw.period_code)
        if task is None or department is None or not access.can_enter_task(user, task, department):
            _issue(
                issues,
                raw.row,
                columns,
                "",
                _("该行的任务（ID %(t)s）不存在或不由您的单位填报，请使用本单位重新下载的模板。") % {"t": raw.task_id},
            )
            continue
        blocked = edit_block_reason(period, today) if period else _("周期“%(c)s”不存在。") % {"c": raw.period_code[:10]}
        if period is None or blocked:
            _issue(issues, raw.row, columns, "period", str(blocked))
            continue
        current = existing.get((task.pk, department.pk, period.pk))
        if current is not None and raw.version is not None and current.version != raw.version:
            _issue(
                issues,
                raw.row,
                columns,
                "progress",
                _("该任务进展在您下载模板后已被他人修改，请重新下载模板后再填写。"),
            )
            continue
        same = current is not None and (
            current.progress_status,
            current.progress,
            current.problems,
            current.next_steps,
        ) == (raw.progress_status, raw.progress, raw.problems, raw.next_steps)
        action = "create" if current is None else ("unchanged" if same else "update")
        rows.append(TaskImportRow(raw.row, task, department, period, raw, action, current.status if current else ""))
    return rows


def save_tasks(user: User, rows: list[TaskImportRow], *, submit: bool, columns: dict[str, str]) -> list[Issue]:
    """Each changed row (and, when submitting, each unsubmitted one) through `save_progress`; returns the refusals.
    The caller's transaction decides whether anything stays written."""
    issues: list[Issue] = []
    for r in rows:
        unsent = submit and r.old_status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED)
        if r.action == "unchanged" and not unsent:
            continue
        try:
            save_progress(
                user=user,
                task=r.task,
                department=r.department,
                period=r.period,
                progress_status=r.raw.progress_status,
                progress=r.raw.progress,
                problems=r.raw.problems,
                next_steps=r.raw.next_steps,
                expected_version=r.raw.version,
                submit=submit,
            )
        except ServiceError as exc:
            for field, message in exc.errors.items():
                _issue(issues, r.row, columns, field if field in TASK_EDIT_HEADERS else "", message)
    return issues
