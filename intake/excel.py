"""The Excel plan table → the same draft as a document, reviewed on the same page; and its template.

Indicator sheet (found by its "指标名称" header): 章节, 一级指标, 序号, 指标名称, 单位, 指标类型, 比较方式, a baseline
column whose header carries a year ("2020年基期值"), one or more target columns ("2015年目标", "2020年目标": the
last is the target, earlier ones milestones), 牵头单位 / 责任单位 / 配合单位, 完成时限. Task sheet (found by
"任务内容"): 章节, 编号, 任务内容, 牵头单位, 责任单位, 配合单位, 完成时限. 章节 is the heading as printed
("一、引才聚才"), nested headings separated by "／" ("一、引才聚才／（一）高层次人才引进").
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from indicators.models import Indicator
from intake.draft import AssignmentDraft, PlanDraft, SectionDraft, TargetDraft, TaskDraft
from intake.outline import marker
from intake.tables import parse_cell, table_kind
from intake.units import COOPERATING, LEAD, RESPONSIBLE, split_names
from sheets import reader
from sheets.reader import ExcelInputError, Issue

YEAR_RE = re.compile(r"((?:19|20)\d{2})")
ROLE_HEADERS = ((LEAD, "牵头单位"), (RESPONSIBLE, "责任单位"), (COOPERATING, "配合单位"))
KIND_LABELS = {str(label): value for value, label in Indicator.Kind.choices} | {
    "存量": "level",
    "累计": "cumulative",
    "年度": "annual",
    "年均增长": "growth",
    "比例": "rate",
    "比率": "rate",
    "定性": "milestone",
    "里程碑": "milestone",
}
COMPARISON_LABELS = {str(label): value for value, label in Indicator.Comparison.choices} | {
    "不低于": "gte",
    "超过": "gt",
    "不高于": "lte",
    "左右": "approx",
    "等于": "exact",
}
INDICATOR_HEADERS = [
    "章节",
    "一级指标",
    "序号",
    "指标名称",
    "单位",
    "指标类型",
    "比较方式",
    "2020年基期值",
    "2023年目标",
    "2025年目标",
    "牵头单位",
    "责任单位",
    "配合单位",
    "完成时限",
]
Cell = tuple[Decimal | None, Decimal | None, str, int, str]  # parse_cell: value, upper, comparison, decimals, unit
TASK_HEADERS = ["章节", "编号", "任务内容", "牵头单位", "责任单位", "配合单位", "完成时限"]


def _fail(issues: list[Issue]) -> None:
    if issues:
        raise ExcelInputError(issues)


def read_plan_workbook(data: bytes, name: str) -> PlanDraft:
    """A draft from the workbook; `ExcelInputError` listing every problem by sheet, row and column."""
    reader.check_file(data, name=name)
    workbook = reader.load_workbook(data, name=name)
    draft = PlanDraft(title=re.sub(r"\.xls[xm]?$", "", name), source_name=name, source_kind="xlsx")
    issues: list[Issue] = []
    sections: dict[str, SectionDraft] = {}
    try:
        tasks_sheet = _sheet(workbook, "任务内容")
        indicators_sheet = _sheet(workbook, "指标名称")
        if tasks_sheet is None and indicators_sheet is None:
            raise ExcelInputError(
                _("未找到指标表（表头含“指标名称”）或任务表（表头含“任务内容”）。请下载模板，按模板整理后再上传。")
            )
        if tasks_sheet is not None:
            _tasks(tasks_sheet, draft, sections, issues)
        if indicators_sheet is not None:
            _indicators(indicators_sheet, draft, sections, issues)
    finally:
        workbook.close()
    _fail(issues)
    draft.sections = list(sections.values())
    years = [y for g in draft.targets for y in [g.year, *(m[0] for m in g.milestones)] if y]
    bases = [g.baseline_year for g in draft.targets if g.baseline_year]
    draft.end_year = max(years) if years else None
    draft.start_year = min(bases) + 1 if bases else None
    if draft.start_year is None or draft.end_year is None:
        draft.warnings.append(_("表中未写明规划起止年度，请在审核时填写。"))
    return draft


def _sheet(workbook: Any, header: str) -> tuple[Any, int, dict[str, int]] | None:
    for ws in workbook.worksheets:
        found = reader.find_header_row(ws, {header})
        if found:
            return ws, found[0], found[1]
    return None


def _section(path: str, sections: dict[str, SectionDraft]) -> str | None:
    """ "一、引才聚才／（一）高层次人才引进" → the key of the innermost heading, headings added as they come."""
    parent: str | None = None
    for part in [p.strip() for p in re.split(r"[／/>＞]", path) if p.strip()]:
        found = marker(part)
        number, title = (part[: found[1]].strip(), part[found[1] :].strip()) if found else ("", part)
        existing = next(
            (s for s in sections.values() if s.parent == parent and (s.number, s.title) == (number, title)), None
        )
        if existing is None:
            siblings = sum(1 for s in sections.values() if s.parent == parent)
            key = f"{parent}.{siblings + 1}" if parent else str(siblings + 1)
            existing = sections[key] = SectionDraft(key, number, title, parent)
        parent = existing.key
    return parent


def _rows(found: tuple[Any, int, dict[str, int]], issues: list[Issue]) -> Any:
    ws, header_row, headers = found
    names = {v: k for k, v in headers.items()}
    for number, values in reader.iter_rows(
        ws, first_row=header_row + 1, max_col=max(headers.values()), header_row=header_row, headers=names, issues=issues
    ):
        if all(v is None for v in values):
            continue
        yield ws.title, number, {h: values[i - 1] if i - 1 < len(values) else None for h, i in headers.items()}


def _assignments(row: dict[str, Any]) -> list[AssignmentDraft]:
    return [
        AssignmentDraft(role, name, label)
        for role, label in ROLE_HEADERS
        for name in split_names(reader.cell_text(row.get(label)))
    ]


def _date(raw: Any, where: tuple[str, int, str], issues: list[Issue]) -> dt.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(reader.cell_text(raw).strip())
    except ValueError:
        issues.append(
            Issue(
                _("完成时限“%(v)s”应为日期，如 2025-10-31。") % {"v": reader.cell_text(raw)[:20]},
                where[0],
                where[1],
                header=where[2],
            )
        )
        return None


def _tasks(
    found: tuple[Any, int, dict[str, int]], draft: PlanDraft, sections: dict[str, SectionDraft], issues: list[Issue]
) -> None:
    for sheet, number, row in _rows(found, issues):
        text = reader.cell_text(row.get("任务内容"))
        if not text:
            issues.append(Issue(_("该行有内容但“任务内容”为空。"), sheet, number, header="任务内容"))
            continue
        task = TaskDraft(
            f"t{len(draft.tasks) + 1}",
            reader.cell_text(row.get("编号") or row.get("序号")),
            _section(reader.cell_text(row.get("章节")), sections),
            text,
            _assignments(row),
            source=_("“%(s)s”第%(r)s行") % {"s": sheet, "r": number},
        )
        task.raw_units = "；".join(
            f"{label}：{'、'.join(task.names(role))}" for role, label in ROLE_HEADERS if task.names(role)
        )
        task.due = _date(row.get("完成时限"), (sheet, number, "完成时限"), issues)
        draft.tasks.append(task)


def _year_columns(headers: dict[str, int]) -> tuple[list[tuple[str, int]], tuple[str, int] | None]:
    years = [(h, int(m.group(1))) for h in headers if (m := YEAR_RE.search(h))]
    targets = sorted(((h, year) for h, year in years if "目标" in h), key=lambda item: item[1])
    bases = [(h, year) for h, year in years if "目标" not in h]
    return targets, bases[0] if bases else None


def _indicators(
    found: tuple[Any, int, dict[str, int]], draft: PlanDraft, sections: dict[str, SectionDraft], issues: list[Issue]
) -> None:
    targets, base = _year_columns(found[2])
    if not targets:
        issues.append(Issue(_("未找到目标值列：表头应写明年度和“目标”，如“2025年目标”。"), found[0].title, found[1]))
        return
    group = ""
    for sheet, number, row in _rows(found, issues):
        name = reader.cell_text(row.get("指标名称"))
        group = reader.cell_text(row.get("一级指标")) or group
        if not name:
            issues.append(Issue(_("该行有内容但“指标名称”为空。"), sheet, number, header="指标名称"))
            continue
        target = _indicator_row(sheet, number, row, name, targets, base, issues)
        if target is None:
            continue
        target.group, target.section = group, _section(reader.cell_text(row.get("章节")), sections)
        target.key = f"g{len(draft.targets) + 1}"
        draft.targets.append(target)


class _Unreadable(Exception):
    """A cell of an indicator's row cannot be read: the row is left out with this issue."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def _indicator_row(
    sheet: str,
    number: int,
    row: dict[str, Any],
    name: str,
    targets: list[tuple[str, int]],
    base: tuple[str, int] | None,
    issues: list[Issue],
) -> TargetDraft | None:
    try:
        values = [(year, _target_cell(sheet, number, row, header)) for header, year in targets]
        baseline_cell = _baseline_cell(sheet, number, row, base[0]) if base is not None else None
        kind = _kind(sheet, number, row)
    except _Unreadable as unreadable:
        issues.append(unreadable.issue)
        return None
    unit = reader.cell_text(row.get("单位"))
    year, (value, upper, comparison, decimals, _unit) = values[-1]
    baseline = None
    if baseline_cell is not None:
        baseline, decimals = baseline_cell[0], max(decimals, baseline_cell[3])
    compare_label = reader.cell_text(row.get("比较方式"))
    comparison = (
        COMPARISON_LABELS.get(compare_label)
        or comparison
        or ("lte" if baseline is not None and value is not None and value < baseline else "gte")
    )
    target = TargetDraft(
        "",
        name,
        " | ".join(reader.cell_text(v) for v in row.values() if v is not None),
        value,
        upper,
        unit or _unit,
        comparison,
        kind or table_kind(name, unit),
        year,
        [(y, p[0]) for y, p in values[:-1] if p[0] is not None],
        decimals=decimals,
        baseline=baseline,
        baseline_year=base[1] if base and baseline is not None else None,
        number=reader.cell_text(row.get("序号")),
    )
    target.due = _date(row.get("完成时限"), (sheet, number, "完成时限"), issues)
    target.assignments = _assignments(row)
    if value is None:
        target.warnings.append(_("目标值为“——”：无目标。"))
    return target


def _target_cell(sheet: str, number: int, row: dict[str, Any], header: str) -> Cell:
    parsed = parse_cell(reader.cell_text(row.get(header)))
    if parsed is None:
        raise _Unreadable(
            Issue(
                _("“%(h)s”的“%(v)s”无法识别：应为数字，可带“左右”“以上”“以下”，区间写作“5-8”，无目标填“——”。")
                % {"h": header, "v": reader.cell_text(row.get(header))[:20]},
                sheet,
                number,
                header=header,
            )
        )
    return parsed


def _baseline_cell(sheet: str, number: int, row: dict[str, Any], header: str) -> Cell:
    parsed = parse_cell(reader.cell_text(row.get(header)))
    if parsed is None:
        raise _Unreadable(
            Issue(
                _("基期值“%(v)s”不是有效数字（无基期值请填“——”）。") % {"v": reader.cell_text(row.get(header))[:20]},
                sheet,
                number,
                header=header,
            )
        )
    return parsed


def _kind(sheet: str, number: int, row: dict[str, Any]) -> str | None:
    """The kind the row names (None: left to be inferred from the name and unit)."""
    kind_label = reader.cell_text(row.get("指标类型"))
    kind = next((v for label, v in KIND_LABELS.items() if kind_label and label in kind_label), None)
    if kind_label and kind is None:
        raise _Unreadable(
            Issue(
                _("指标类型“%(v)s”无法识别，可选：%(c)s。")
                % {"v": kind_label, "c": "、".join(str(label) for _v, label in Indicator.Kind.choices)},
                sheet,
                number,
                header="指标类型",
            )
        )
    return kind


def write_template(out: io.BytesIO) -> None:
    """The plan table template: headers, one example row each, allowed values as drop-downs, a 说明 sheet."""
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    kinds = [str(label) for _v, label in Indicator.Kind.choices]
    comparisons = [str(label) for _v, label in Indicator.Comparison.choices]
    _indicator_sheet(workbook.add_worksheet("指标"), bold, kinds, comparisons)
    _task_sheet(workbook.add_worksheet("任务"), bold)
    notes = workbook.add_worksheet("说明")
    for i, line in enumerate(
        [
            "指标表：每行一个指标；“2020年基期值”“2023年目标”“2025年目标”等列名中的年度按实际填写，可有多个目标年度列（最后一个为目标，其余为年度目标）。",
            "目标值可写“35%左右”“5-8”“100以上”，无目标填“——”。",
            "指标类型可选：" + "、".join(kinds) + "；留空时按指标名称和单位推断。",
            "比较方式可选：" + "、".join(comparisons) + "；留空时按目标值中的“左右/以上/以下”推断。",
            "单位列中多个单位用“、”分隔；“各镇（街道）”“区人才工作领导小组各成员单位”等集合名称照写。",
            "章节写原文标题，多级用“／”分隔，如“二、主要任务／（一）人才引进”。",
        ]
    ):
        notes.write(i, 0, line)
    notes.set_column(0, 0, 120)
    workbook.close()


TEMPLATE_ROWS = 2000  # rows below the header that get the drop-downs and the date check
DATE_CHECK = {
    "validate": "date",
    "criteria": ">",
    "value": dt.date(1990, 1, 1),
    "error_message": "请填写日期，如 2025-10-31",
}


def _choice(sheet: Any, column: int, values: list[str], title: str) -> None:
    sheet.data_validation(
        1,
        column,
        TEMPLATE_ROWS,
        column,
        {
            "validate": "list",
            "source": values,
            "error_title": title,
            "error_message": "请从下拉列表中选择：" + "、".join(values),
        },
    )


def _indicator_sheet(sheet: Any, bold: Any, kinds: list[str], comparisons: list[str]) -> None:
    sheet.write_row(0, 0, INDICATOR_HEADERS, bold)
    example = ["一、主要目标", "人才资源总量", "1", "人才资源总量", "万人", kinds[0], comparisons[0], 23.2, 25, 26.4]
    sheet.write_row(1, 0, [*example, "区委组织部", "区人力资源社会保障局", "各镇（街道）", ""])
    _choice(sheet, 5, kinds, "指标类型")
    _choice(sheet, 6, comparisons, "比较方式")
    sheet.data_validation(1, 13, TEMPLATE_ROWS, 13, dict(DATE_CHECK))
    sheet.set_column(0, 3, 18)
    sheet.set_column(10, 12, 24)


def _task_sheet(tasks: Any, bold: Any) -> None:
    tasks.write_row(0, 0, TASK_HEADERS, bold)
    tasks.write_row(
        1,
        0,
        [
            "二、主要任务／（一）人才引进",
            "1.",
            "实施高层次人才引进计划。",
            "区委组织部",
            "区人力资源社会保障局、区财政局",
            "区人才工作领导小组各成员单位",
            "",
        ],
    )
    tasks.data_validation(1, 6, TEMPLATE_ROWS, 6, dict(DATE_CHECK))
    tasks.set_column(0, 0, 28)
    tasks.set_column(2, 2, 60)
    tasks.set_column(3, 5, 28)
