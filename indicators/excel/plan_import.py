"""Plan import: an indicator table and a task list laid out like the seed tables → a previewed draft plan.

Indicator sheet (found by its "指标名称" header): 一级指标 (merged down its rows, filled down here), 序号, 指标名称,
单位, a baseline column whose header carries the year ("2020年", "2020年基期值"), a target column ("2025年目标"),
optional 牵头单位 / 责任单位 / 指标类型. Task sheet (found by "任务内容"): 编号, 任务内容, 牵头单位, 责任单位 with names
separated by 、 or ，. Names are resolved under the chosen root unit (name, short name, aliases, collective groups).

Unknown unit names are errors, not silently created units: a free-text name ("区人社局") is usually another way of
writing a unit that exists ("区人力资源社会保障局"); creating it would split that unit's work in two. The preview
lists each unknown name with where it occurs; the administrator adds the unit or an alias in 数据管理 and re-uploads.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from indicators.excel import reader
from indicators.excel.reader import ExcelInputError, Issue
from indicators.models import Indicator, IndicatorAssignment
from plans.models import Department, Plan, Role, Task, TaskAssignment, UnitGroup

logger = logging.getLogger(__name__)
DASHES = {"", "—", "——", "-", "--", "－", "/", "无"}
SPLIT_RE = re.compile(r"[、，,;；/]+")
NUMBER_RE = re.compile(r"-?\d+(?:\.\d+)?")
YEAR_RE = re.compile(r"((?:19|20)\d{2})")
RANGE_RE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[-~～—至]+\s*(-?\d+(?:\.\d+)?)")
KIND_LABELS = {"存量": "level", "累计": "cumulative", "年度": "annual", "年均增长": "growth", "比例": "rate",
               "比率": "rate", "定性": "milestone", "里程碑": "milestone"}


@dataclass
class PlanParams:
    code: str
    title: str
    root_id: int
    kind: str = Plan.Kind.FIVE_YEAR
    doc_number: str = ""
    start_year: int | None = None
    end_year: int | None = None


@dataclass
class IndicatorDraft:
    row: int
    group: str
    number: str
    name: str
    unit: str
    kind: str
    comparison: str
    baseline: Decimal | None
    baseline_year: int | None
    target: Decimal | None
    target_upper: Decimal | None
    target_year: int | None
    decimals: int
    is_share: bool
    source: str
    lead: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(Indicator.Kind(self.kind).label)

    @property
    def comparison_label(self) -> str:
        return str(Indicator.Comparison(self.comparison).label)


@dataclass
class TaskDraft:
    row: int
    number: str
    text: str
    lead: list[str]
    responsible: list[str]


@dataclass
class PlanPreview:
    params: PlanParams
    filename: str
    indicators: list[IndicatorDraft] = field(default_factory=list)
    tasks: list[TaskDraft] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    unknown_names: dict[str, list[str]] = field(default_factory=dict)  # name → where it occurs
    start_year: int | None = None
    end_year: int | None = None
    plan: Plan | None = None

    @property
    def ok(self) -> bool:
        return not self.issues and bool(self.indicators or self.tasks)


def _places(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def _clean_number_text(raw: Any) -> str:
    text = reader.cell_text(raw)
    return text.translate(str.maketrans("０１２３４５６７８９．－", "0123456789.-")).replace(",", "").replace("，", "")


def parse_baseline(raw: Any) -> tuple[Decimal | None, int]:
    text = _clean_number_text(raw)
    if text in DASHES:
        return None, 0
    numbers = NUMBER_RE.findall(text)
    if len(numbers) != 1:
        raise ValueError
    return Decimal(numbers[0]), _places(numbers[0])


def parse_target(raw: Any, baseline: Decimal | None) -> tuple[Decimal | None, Decimal | None, str, int]:
    """'26.4' / '35%左右' / '≥90' / '5以下' / '5-8' / '——' → (target, upper, comparison, decimals).

    Raises ValueError when there is no number to read.
    """
    text = _clean_number_text(raw)
    if text in DASHES:
        return None, None, "gte", 0
    ranged = RANGE_RE.match(text)
    if ranged:
        low, high = ranged.groups()
        if Decimal(high) < Decimal(low):
            raise ValueError
        return Decimal(low), Decimal(high), "range", max(_places(low), _places(high))
    numbers = NUMBER_RE.findall(text)
    if len(numbers) != 1:
        raise ValueError
    value = Decimal(numbers[0])
    if "左右" in text or "约" in text:
        comparison = "approx"
    elif any(m in text for m in ("≤", "<=", "以下", "以内", "不超过", "不高于", "控制在")):
        comparison = "lte"
    elif any(m in text for m in ("≥", ">=", "以上", "不低于", "超过")):
        comparison = "gte"
    else:
        comparison = "lte" if baseline is not None and value < baseline else "gte"
    return value, None, comparison, _places(numbers[0])


def infer_kind(name: str, unit: str, label: str = "") -> tuple[str, bool]:
    """(engine kind, is_share) from an explicit 指标类型 label, else from the name and the unit."""
    for text, kind in KIND_LABELS.items():
        if label and text in label:
            return kind, kind == "rate" and unit in ("%", "‰")
    if "年均增长" in name or "年均增速" in name:
        return "growth", False
    if unit in ("%", "‰"):
        return "rate", True
    if "累计" in name:
        return "cumulative", False
    if name.startswith("每年") or "年度" in name:
        return "annual", False
    return "level", False


def split_names(text: str) -> list[str]:
    return [n.strip() for n in SPLIT_RE.split(text or "") if n.strip()]


class _Names:
    """Department and group names under one root (name, short name, aliases), in two queries."""

    def __init__(self, root: Department) -> None:
        self.root = root
        self.departments: dict[str, Department] = {root.name: root}
        for dept in Department.objects.filter(parent=root, is_active=True):
            for name in [dept.name, dept.short_name, *(dept.aliases or [])]:
                if name:
                    self.departments.setdefault(name, dept)
        self.groups = {g.name: g for g in UnitGroup.objects.filter(root=root)}

    def resolve(self, name: str) -> tuple[Department | None, UnitGroup | None]:
        if name in self.groups:
            return None, self.groups[name]
        return self.departments.get(name), None


def _find_sheet(workbook: Any, wanted: str) -> tuple[Any, int, dict[str, int]] | None:
    for ws in workbook.worksheets:
        found = reader.find_header_row(ws, {wanted})
        if found:
            return ws, found[0], found[1]
    return None


def _column(headers: dict[str, int], *names: str) -> int | None:
    for name in names:
        if name in headers:
            return headers[name]
    return None


def _fill_merges(data: bytes, ws: Any, header_row: int, fill_col: int | None, preview: PlanPreview
                 ) -> dict[int, tuple[int, int]]:
    """Row → (top row of its merged 一级指标 cell, column). Other merges in the data area are refused."""
    fill: dict[int, tuple[int, int]] = {}
    for min_col, min_row, max_col, max_row in reader.merged_ranges(data, ws):
        if max_row <= header_row:
            continue
        if fill_col is not None and min_col == max_col == fill_col:
            for r in range(min_row + 1, max_row + 1):
                fill[r] = (min_row, fill_col)
            continue
        ref = f"{reader.column_letter(min_col)}{min_row}:{reader.column_letter(max_col)}{max_row}"
        preview.issues.append(Issue(_("%(ref)s 是合并单元格；除“一级指标”列外，数据区不能合并单元格，请取消合并后逐行填写。") % {"ref": ref},
                                    ws.title, min_row, reader.column_letter(min_col)))
    return fill


def _read_indicators(data: bytes, workbook: Any, preview: PlanPreview) -> None:
    found = _find_sheet(workbook, "指标名称")
    if found is None:
        return
    ws, header_row, headers = found
    sheet = ws.title
    col_group = _column(headers, "一级指标")
    col_number = _column(headers, "序号", "编号")
    col_name = headers["指标名称"]
    col_unit = _column(headers, "单位", "计量单位")
    col_kind = _column(headers, "指标类型", "类型")
    col_lead = _column(headers, "牵头单位", "责任单位（牵头）")
    col_resp = _column(headers, "责任单位", "配合单位")
    col_base = col_target = None
    base_year = target_year = None
    for text, index in headers.items():
        year = YEAR_RE.search(text)
        if "目标" in text and col_target is None:
            col_target, target_year = index, int(year.group(1)) if year else None
        elif ("基期" in text or (year and "目标" not in text and text.rstrip("年").isdigit())) and col_base is None:
            col_base, base_year = index, int(year.group(1)) if year else None
    if col_target is None:
        preview.issues.append(Issue(_("未找到目标值列（表头应含“目标”，如“2025年目标”）。"), sheet, header_row))
        return
    names = {v: k for k, v in headers.items()}
    fill = _fill_merges(data, ws, header_row, col_group, preview)
    top_values: dict[tuple[int, int], Any] = {}
    max_col = max(headers.values())
    for number, values in reader.iter_rows(ws, first_row=header_row + 1, max_col=max_col, header_row=header_row,
                                           headers=names, issues=preview.issues):
        def get(index: int | None) -> Any:
            return values[index - 1] if index and index - 1 < len(values) else None

        if col_group is not None:
            top_values[(number, col_group)] = get(col_group)
            if number in fill and get(col_group) is None:
                values[col_group - 1] = top_values.get(fill[number])
        if all(v is None for v in values):
            continue
        name = reader.cell_text(get(col_name))
        if not name:
            preview.issues.append(Issue(_("该行有内容但“指标名称”为空。"), sheet, number, reader.column_letter(col_name), "指标名称"))
            continue
        unit = reader.cell_text(get(col_unit))
        try:
            baseline, base_places = parse_baseline(get(col_base)) if col_base else (None, 0)
        except (ValueError, ArithmeticError):
            preview.issues.append(Issue(_("基期值“%(v)s”不是有效数字（无基期值请填“——”）。") % {"v": reader.cell_text(get(col_base))[:30]},
                                        sheet, number, reader.column_letter(col_base or 1), names.get(col_base or 0, "")))
            continue
        try:
            target, upper, comparison, target_places = parse_target(get(col_target), baseline)
        except (ValueError, ArithmeticError):
            preview.issues.append(Issue(_("目标值“%(v)s”无法识别，应为数字，可带“左右”“以上”“以下”，区间写作“5-8”，无目标填“——”。") % {
                "v": reader.cell_text(get(col_target))[:30]},
                sheet, number, reader.column_letter(col_target), names[col_target]))
            continue
        kind, is_share = infer_kind(name, unit, reader.cell_text(get(col_kind)))
        preview.indicators.append(IndicatorDraft(
            number, reader.cell_text(get(col_group)), reader.cell_text(get(col_number)), name, unit, kind, comparison,
            baseline, base_year if baseline is not None else None, target, upper, target_year,
            max(base_places, target_places), is_share, reader.cell_text(get(col_target)),
            split_names(reader.cell_text(get(col_lead))), split_names(reader.cell_text(get(col_resp))),
        ))
    keys = Counter((i.group, i.number, i.name) for i in preview.indicators)
    for item in preview.indicators:
        if keys[(item.group, item.number, item.name)] > 1:
            preview.issues.append(Issue(_("指标“%(n)s”（序号%(no)s）重复出现。") % {"n": item.name, "no": item.number or "—"},
                                        sheet, item.row))


def _read_tasks(data: bytes, workbook: Any, preview: PlanPreview) -> None:
    found = _find_sheet(workbook, "任务内容")
    if found is None:
        return
    ws, header_row, headers = found
    sheet = ws.title
    names = {v: k for k, v in headers.items()}
    col_number, col_text = _column(headers, "编号", "序号"), headers["任务内容"]
    col_lead, col_resp = _column(headers, "牵头单位"), _column(headers, "责任单位")
    _fill_merges(data, ws, header_row, None, preview)
    for number, values in reader.iter_rows(ws, first_row=header_row + 1, max_col=max(headers.values()),
                                           header_row=header_row, headers=names, issues=preview.issues):
        def get(index: int | None) -> Any:
            return values[index - 1] if index and index - 1 < len(values) else None

        if all(v is None for v in values):
            continue
        text = reader.cell_text(get(col_text))
        if not text:
            preview.issues.append(Issue(_("该行有内容但“任务内容”为空。"), sheet, number, reader.column_letter(col_text), "任务内容"))
            continue
        preview.tasks.append(TaskDraft(number, reader.cell_text(get(col_number)), text,
                                       split_names(reader.cell_text(get(col_lead))),
                                       split_names(reader.cell_text(get(col_resp)))))


def _check_names(preview: PlanPreview, resolver: _Names, sheets: dict[str, str]) -> None:
    unknown: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for kind, items in (("indicators", preview.indicators), ("tasks", preview.tasks)):
        for item in items:
            for name in [*item.lead, *item.responsible]:
                if resolver.resolve(name) == (None, None):
                    unknown[name].append((sheets[kind], item.row))
    preview.unknown_names = {
        name: [_("“%(s)s”第%(r)s行") % {"s": sheet, "r": row} for sheet, row in where] for name, where in unknown.items()}
    for name, where in unknown.items():
        sheet, row = where[0]
        preview.issues.append(Issue(
            _("单位“%(n)s”不在“%(root)s”的单位列表中（出现在%(w)s）。请在“数据管理→单位”中添加该单位或为已有单位添加"
              "“其他写法”后重新上传。") % {"n": name, "root": resolver.root.name,
                                         "w": "、".join(preview.unknown_names[name][:5])}, sheet, row))


def _years(preview: PlanPreview) -> None:
    params = preview.params
    base_years = Counter(i.baseline_year for i in preview.indicators if i.baseline_year)
    target_years = Counter(i.target_year for i in preview.indicators if i.target_year)
    preview.start_year = params.start_year or (base_years.most_common(1)[0][0] + 1 if base_years else None)
    preview.end_year = params.end_year or (target_years.most_common(1)[0][0] if target_years else None)
    if preview.start_year is None or preview.end_year is None:
        preview.issues.append(Issue(_("无法从表头推断规划起止年度，请在表单中填写起始年度和终止年度。")))
    elif preview.end_year < preview.start_year:
        preview.issues.append(Issue(_("终止年度（%(e)s）早于起始年度（%(s)s）。") % {"e": preview.end_year, "s": preview.start_year}))


def parse_plan(data: bytes, params: PlanParams, *, filename: str = "") -> PlanPreview:
    """Read and check; never raises for bad input (problems are in `issues`)."""
    preview = PlanPreview(params, filename)
    root = Department.objects.filter(pk=params.root_id, parent__isnull=True).first()
    if root is None:
        preview.issues.append(Issue(_("请选择所属的党委政府（根单位）。")))
        return preview
    if Plan.objects.filter(code=params.code).exists():
        preview.issues.append(Issue(_("规划代码“%(c)s”已被使用，请换一个。") % {"c": params.code}))
    try:
        reader.check_file(data, name=filename)
        workbook = reader.load_workbook(data, name=filename)
        try:
            _read_indicators(data, workbook, preview)
            _read_tasks(data, workbook, preview)
            sheets = {"indicators": "", "tasks": ""}
            for key, header in (("indicators", "指标名称"), ("tasks", "任务内容")):
                found = _find_sheet(workbook, header)
                sheets[key] = found[0].title if found else ""
            if not sheets["indicators"] and not sheets["tasks"]:
                raise ExcelInputError(_("未找到指标表（表头含“指标名称”）或任务表（表头含“任务内容”）。请按模板格式整理后再上传。"))
        finally:
            workbook.close()
    except ExcelInputError as exc:
        preview.issues.extend(exc.issues)
        return preview
    except Exception as exc:  # damaged sheet XML met half-way through: a message, not a trace
        logger.exception("reading %s failed", filename)
        preview.issues.append(Issue(reader.damaged_message(filename, exc)))
        return preview
    if not preview.indicators and not preview.tasks and not preview.issues:
        preview.issues.append(Issue(_("表中没有指标或任务数据行。")))
    _check_names(preview, _Names(root), sheets)
    _years(preview)
    return preview


@transaction.atomic
def create_draft(preview: PlanPreview, *, user: AbstractBaseUser) -> Plan:
    """Write the previewed plan as a draft (status 草稿) with history. Call only when `preview.ok`."""
    assert preview.ok and preview.start_year and preview.end_year
    params = preview.params
    root = Department.objects.get(pk=params.root_id)
    resolver = _Names(root)
    reason = _("Excel导入草稿：%(f)s") % {"f": preview.filename[:80]}
    plan = Plan(code=params.code, title=params.title, doc_number=params.doc_number, issuer=root, kind=params.kind,
                start_year=preview.start_year, end_year=preview.end_year, status=Plan.Status.DRAFT,
                source_file=preview.filename[:200], notes=_("由 Excel 导入的草稿，请核对指标类型与比较方式后再启用。"))
    plan._change_reason = reason
    plan._history_user = user
    plan.save()
    indicators = bulk_create_with_history([
        Indicator(plan=plan, group=d.group, number=d.number, name=d.name, unit=d.unit, kind=d.kind,
                  comparison=d.comparison, baseline=d.baseline, baseline_year=d.baseline_year, target=d.target,
                  target_upper=d.target_upper, target_year=d.target_year, decimals=d.decimals, is_share=d.is_share,
                  source=d.source, order=i)
        for i, d in enumerate(preview.indicators, start=1)
    ], Indicator, default_user=user, default_change_reason=reason)
    tasks = bulk_create_with_history([
        Task(plan=plan, number=d.number, text=d.text, departments_text=_departments_text(d), order=i)
        for i, d in enumerate(preview.tasks, start=1)
    ], Task, default_user=user, default_change_reason=reason)
    ind_rows: list[IndicatorAssignment] = []
    for indicator, draft in zip(indicators, preview.indicators):
        for role, names in ((Role.LEAD, draft.lead), (Role.RESPONSIBLE, draft.responsible)):
            for order, name in enumerate(names, start=1):
                dept, group = resolver.resolve(name)
                ind_rows.append(IndicatorAssignment(indicator=indicator, role=role, department=dept, group=group,
                                                    printed_name=name, order=order))
    IndicatorAssignment.objects.bulk_create(ind_rows)
    task_rows: list[TaskAssignment] = []
    for task, draft in zip(tasks, preview.tasks):
        for role, names in ((Role.LEAD, draft.lead), (Role.RESPONSIBLE, draft.responsible)):
            for order, name in enumerate(names, start=1):
                dept, group = resolver.resolve(name)
                task_rows.append(TaskAssignment(task=task, role=role, department=dept, group=group, printed_name=name,
                                                order=order))
    TaskAssignment.objects.bulk_create(task_rows)
    preview.plan = plan
    return plan


def _departments_text(draft: TaskDraft) -> str:
    parts = []
    if draft.lead:
        parts.append(f"牵头单位：{'、'.join(draft.lead)}")
    if draft.responsible:
        parts.append(f"责任单位：{'、'.join(draft.responsible)}")
    return f"（{'。'.join(parts)}。）" if parts else ""
