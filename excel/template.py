"""The actuals template (实际值填报模板): one row per figure a unit enters for a period, pre-filled.

Hidden key columns (指标ID, 单位ID, 周期代码, 版本) say what each row is; the visible columns say which item it is
and what it was last period; only 本期实际值 / 数据口径 / 说明 are unlocked. The sheet is protected without a password
— protection prevents accidents, not attacks: the import re-resolves and re-checks every key on the server.

A row already reported for the period is written with its current value, basis, note and version, so a template
uploaded unchanged changes nothing. Both an estimate (预计) and an official figure (统计) of one item are two rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db.models import Exists, OuterRef, Q, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from excel.common import (
    Formats,
    column_width,
    date_text,
    new_workbook,
    number_format,
    row_height,
    setup_print,
    write_decimal,
    write_merged_row_text,
    write_text,
)
from excel.template_tasks import write_task_sheet
from indicators import access
from indicators.models import Indicator, IndicatorAssignment, IndicatorValue, ReviewStatus, UnitTarget
from indicators.services import ValueEntry, previous_values
from plans.models import Department, Plan, ReportingPeriod, Role

SHEET = "实际值填报"
MARKER = "talentplan:actuals:v1"
HEADER_ROW = 2  # 0-based; data starts on the next row (Excel row 4)
# Hidden: what the row is. 版本 and 原口径 are the version and basis of the figure the row was pre-filled with, so
# the import can tell "changed by someone else since the download" from "switched 预计 → 统计 (a new figure)".
KEY_HEADERS = {
    "indicator": "指标ID",
    "department": "单位ID",
    "period": "周期代码",
    "version": "版本",
    "orig_basis": "原口径",
}
INFO_HEADERS = {
    "plan": "规划",
    "group": "一级指标",
    "number": "序号",
    "name": "指标名称",
    "unit": "计量单位",
    "target": "目标值",
    "previous": "上期值",
}
EDIT_HEADERS = {"value": "本期实际值", "basis": "数据口径", "note": "说明"}
# 填报口径 last: templates already filled in keep their columns where they were.
TAIL_HEADERS = {"status": "审核状态", "report_basis": "填报口径"}
HEADERS: dict[str, str] = {**KEY_HEADERS, **INFO_HEADERS, **EDIT_HEADERS, **TAIL_HEADERS}
COLUMNS = list(HEADERS)  # column order
COL = {key: i for i, key in enumerate(COLUMNS)}
BASIS_LABELS = {IndicatorValue.Basis.ESTIMATE.value: "预计", IndicatorValue.Basis.OFFICIAL.value: "统计"}


@dataclass
class TemplateRow:
    indicator: Indicator
    value: IndicatorValue | None
    target: Decimal | None
    previous: Decimal | None


def with_access_data(indicators: list[Indicator]) -> list[Indicator]:
    """Give indicators what `access.can_enter_indicator` reads, without a query or a prefetch cost per indicator.

    One shared Plan instance per plan (its assessed units prefetched once) instead of one per indicator, and
    assignments prefetched only where the reporting unit must be derived from them: per-indicator prefetches would
    dominate a template of thousands of indicators.
    """
    plans = Plan.objects.in_bulk({i.plan_id for i in indicators})
    prefetch_related_objects(list(plans.values()), "assessed_units")
    for indicator in indicators:
        indicator.plan = plans[indicator.plan_id]
    prefetch_related_objects([i for i in indicators if not i.per_unit and i.reporting_unit_id is None], "assignments")
    return indicators


def entry_indicators(department: Department, period: ReportingPeriod) -> list[Indicator]:
    """Indicators of active plans covering the period's year that this unit enters (see `access`).

    The unit's links are tested with EXISTS, not joins: joining assignments and assessed units multiplied the rows
    by both (hundreds of thousands at province) before a DISTINCT folded them back.
    """
    leads = IndicatorAssignment.objects.filter(indicator=OuterRef("pk"), department=department, role=Role.LEAD)
    assessed = Plan.assessed_units.through.objects.filter(plan_id=OuterRef("plan_id"), department=department)
    plan_level = Q(per_unit=False) & (
        Q(reporting_unit=department) | (Q(reporting_unit__isnull=True) & (Exists(leads) | Q(plan__issuer=department)))
    )
    candidates = list(
        Indicator.objects.filter(
            plan__status=Plan.Status.ACTIVE, plan__start_year__lte=period.year, plan__end_year__gte=period.year
        )
        .filter(plan_level | (Q(per_unit=True) & Exists(assessed)))
        .filter(formula="")  # computed from its parts, never typed
        .order_by("-plan__end_year", "plan__code", "order", "pk")
    )
    # A per-unit indicator's entry units depend only on its plan and whether it rolls up: one set per pair,
    # not a set of every assessed unit built per indicator.
    per_unit: dict[tuple[int, bool], set[int]] = {}

    def entry_units(indicator: Indicator) -> set[int]:
        if not indicator.per_unit:
            return access.entry_units_for_indicator(indicator)
        key = (indicator.plan_id, indicator.rollup != "none")
        if key not in per_unit:
            per_unit[key] = access.entry_units_for_indicator(indicator)
        return per_unit[key]

    return [i for i in with_access_data(candidates) if department.pk in entry_units(i)]


def template_rows(department: Department, period: ReportingPeriod) -> list[TemplateRow]:
    indicators = entry_indicators(department, period)
    ids = [i.pk for i in indicators]
    values: dict[int, list[IndicatorValue | None]] = {}
    existing = IndicatorValue.objects.filter(indicator_id__ids=ids, department=department, period=period)
    for row in existing.order_by("basis"):
        values.setdefault(row.indicator_id, []).append(row)
    targets = {
        ut.indicator_id: ut.target for ut in UnitTarget.objects.filter(indicator_id__ids=ids, department=department)
    }
    previous = previous_values([ValueEntry(i, department, period, None) for i in indicators])
    rows: list[TemplateRow] = []
    for ind in indicators:
        target = targets.get(ind.pk) if ind.per_unit and targets.get(ind.pk) is not None else ind.target
        prev = previous.get((ind.pk, department.pk, period.pk))
        for value in values.get(ind.pk) or [None]:
            rows.append(TemplateRow(ind, value, target, prev))
    return rows


def write_template(department: Department, period: ReportingPeriod, output: str | Path | IO[bytes]) -> int:
    """Write the pre-filled template; returns the number of data rows."""
    rows = template_rows(department, period)
    target = str(output) if isinstance(output, Path) else output
    title = _("%(u)s %(p)s 实际值填报表") % {"u": department.name, "p": period.label}
    # Not constant_memory here: the shared-string table stores a plan title or group once instead of on every
    # row, which keeps a 10k-row template small and quick to read back (Excel would rewrite it that way anyway).
    # In memory: a template is small, and temporary files cost more than they save.
    workbook, f = new_workbook(target, title=title, constant_memory=False, in_memory=True)
    workbook.set_properties(
        {"title": title, "subject": MARKER, "author": "人才规划目标管理", "keywords": f"{period.code};{department.pk}"}
    )
    ws = workbook.add_worksheet(SHEET)
    widths = _widths(rows)
    _write_heading(ws, f, widths, title, _instructions(department, period))
    end = _RowWriter(ws, f, widths, department, period).write(rows)
    if rows:
        _add_validations(ws, HEADER_ROW + 1, end - 1)
    else:
        # One cell, not merged: the import refuses merged cells in the data area, and the tasks may still be filled.
        write_text(ws, end, COL["name"], _("（本单位在该周期没有需要填报的指标）"), f.text())
    ws.protect(
        "", {"format_columns": True, "format_rows": True, "select_locked_cells": True, "select_unlocked_cells": True}
    )
    setup_print(ws, repeat_to_row=HEADER_ROW)
    write_task_sheet(workbook, f, department, period)
    workbook.close()
    return len(rows)


def _widths(rows: list[TemplateRow]) -> dict[str, float]:
    widths = dict.fromkeys(COLUMNS, 8.0)
    widths.update(
        {
            "plan": column_width({r.indicator.plan.title for r in rows} | {"规划"}, minimum=12, maximum=24),
            "group": column_width({r.indicator.group for r in rows} | {"一级指标"}, minimum=8, maximum=14),
            "number": 5.0,
            "name": column_width({r.indicator.name for r in rows} | {"指标名称"}, minimum=16, maximum=34),
            "unit": 8.0,
            "report_basis": 12.0,
            "target": 10.0,
            "previous": 10.0,
            "value": 12.0,
            "basis": 9.0,
            "note": column_width([r.value.note for r in rows if r.value], minimum=24, maximum=40),
            "status": 12.0,
        }
    )
    return widths


def _instructions(department: Department, period: ReportingPeriod) -> str:
    return _(
        "填写说明：只需填写“本期实际值”“数据口径”“说明”三列（浅黄色），其他列请勿修改；比例类指标按百分数填写（35%%填35）；"
        "按最后一列“填报口径”填数：本期新增只填本期内新增的数，年初至今累计填1月1日至本期末的累计数，期末数填期末的数值；"
        "数据口径选“预计”或“统计”；较上期变化超过±50%%须在“说明”中写明原因；已审核的数据不能修改。周期：%(p)s；"
        "单位：%(u)s；生成日期：%(d)s。"
    ) % {"p": period.label, "u": department.name, "d": date_text(timezone.localdate())}


def _write_heading(ws: Any, f: Formats, widths: dict[str, float], title: str, instructions: str) -> None:
    """Column widths, the title band, the instructions band and the header row; panes frozen below it."""
    last = len(COLUMNS) - 1
    for key in COLUMNS:
        ws.set_column(COL[key], COL[key], widths[key], None, {"hidden": key in KEY_HEADERS})
    ws.set_row(0, 28)
    write_merged_row_text(ws, 0, 0, last, title, f.title(14))
    ws.set_row(1, row_height([(instructions, sum(widths[k] for k in COLUMNS if k not in KEY_HEADERS))]))
    write_merged_row_text(ws, 1, 0, last, instructions, f.get(font_size=9, align="left", text_wrap=True))
    ws.set_row(HEADER_ROW, 30)
    for key in COLUMNS:
        label = HEADERS[key] + ("（可填）" if key in EDIT_HEADERS else "")
        bg_color = "#FFF2CC" if key in EDIT_HEADERS else "#D9E1F2"
        header = f.get(font_name="黑体", bold=True, align="center", text_wrap=True, border=1, bg_color=bg_color)
        write_text(ws, HEADER_ROW, COL[key], label, header)
    ws.freeze_panes(HEADER_ROW + 1, COL["name"] + 1)


class _RowWriter:
    """The data rows; formats and labels looked up once, not per cell (10k rows × 15 cells)."""

    EDITABLE: dict[str, Any] = {"locked": False, "bg_color": "#FFFBE6"}
    FROZEN: dict[str, Any] = {"bg_color": "#EDEDED"}

    def __init__(
        self, ws: Any, f: Formats, widths: dict[str, float], department: Department, period: ReportingPeriod
    ) -> None:
        self.ws, self.f, self.department, self.period = ws, f, department, period
        self.text, self.centre, self.integer = f.text(), f.text(align="center"), f.number("0")
        self.edit_text = {False: f.text(**self.EDITABLE), True: f.text(**self.FROZEN)}
        self.edit_centre = {False: f.text(align="center", **self.EDITABLE), True: f.text(align="center", **self.FROZEN)}
        self.numbers: dict[str, tuple[Any, dict[bool, Any]]] = {}
        self.w_name, self.w_note = widths["name"], widths["note"]
        # A status display per row was a gettext (and a hash of the lazy choices) per row.
        self.status_labels = {value: str(label) for value, label in ReviewStatus.choices}
        self.approved_label, self.unreported_label = str(_("已审核（不可修改）")), str(_("未填报"))

    def write(self, rows: list[TemplateRow]) -> int:
        """Write the rows from below the header; returns the row after the last."""
        row = HEADER_ROW + 1
        for item in rows:
            self.write_row(row, item)
            row += 1
        return row

    def formats_for(self, ind: Indicator) -> tuple[Any, dict[bool, Any]]:
        num = number_format(ind.unit, ind.decimals)
        if num not in self.numbers:
            f = self.f
            self.numbers[num] = (
                f.number(num),
                {False: f.number(num, **self.EDITABLE), True: f.number(num, **self.FROZEN)},
            )
        return self.numbers[num]

    def write_row(self, row: int, item: TemplateRow) -> None:
        ws, ind, value, text, centre = self.ws, item.indicator, item.value, self.text, self.centre
        approved = value is not None and value.status == ReviewStatus.APPROVED
        plain_num, edit_num = self.formats_for(ind)
        note = value.note if value else ""
        if len(ind.name) * 2 > self.w_name or note:
            ws.set_row(row, row_height([(ind.name, self.w_name), (note, self.w_note)]))
        self.write_keys(row, ind.pk, value)
        write_text(ws, row, COL["plan"], ind.plan.title, text)
        write_text(ws, row, COL["group"], ind.group, text)
        write_text(ws, row, COL["number"], ind.number, centre)
        write_text(ws, row, COL["name"], ind.name, text)
        # The unit the figure is typed in (a growth rate's level in 人, not %) and what the figure is, in words.
        write_text(ws, row, COL["unit"], ind.figure_unit, centre)
        write_text(ws, row, COL["report_basis"], ind.basis_label, centre)
        write_decimal(ws, row, COL["target"], item.target, plain_num, empty="——")
        write_decimal(ws, row, COL["previous"], item.previous, plain_num, empty="")
        if value is not None and value.value is not None:
            write_decimal(ws, row, COL["value"], value.value, edit_num[approved])
        else:
            ws.write_blank(row, COL["value"], None, edit_num[approved])
        basis = BASIS_LABELS[value.basis] if value is not None else BASIS_LABELS[IndicatorValue.Basis.ESTIMATE]
        ws.write_string(row, COL["basis"], basis, self.edit_centre[approved])
        write_text(ws, row, COL["note"], note, self.edit_text[approved])
        ws.write_string(row, COL["status"], self.status_of(value, approved), centre)

    def write_keys(self, row: int, indicator_id: int, value: IndicatorValue | None) -> None:
        """The hidden columns saying what the row is (and which version it was pre-filled with)."""
        ws, text, integer = self.ws, self.text, self.integer
        ws.write_number(row, COL["indicator"], indicator_id, integer)
        ws.write_number(row, COL["department"], self.department.pk, integer)
        ws.write_string(row, COL["period"], self.period.code, text)
        if value is not None:
            ws.write_number(row, COL["version"], value.version, integer)
            ws.write_string(row, COL["orig_basis"], value.basis, text)
        else:
            ws.write_blank(row, COL["version"], None, text)
            ws.write_blank(row, COL["orig_basis"], None, text)

    def status_of(self, value: IndicatorValue | None, approved: bool) -> str:
        if value is None:
            return self.unreported_label
        return self.approved_label if approved else self.status_labels.get(value.status, value.status)


def _add_validations(ws: Any, first: int, last: int) -> None:
    """Drop-down for 数据口径 and a number check (a warning) on 本期实际值, over the data rows."""
    ws.data_validation(
        first,
        COL["basis"],
        last,
        COL["basis"],
        {
            "validate": "list",
            "source": list(BASIS_LABELS.values()),
            "ignore_blank": True,
            "input_title": _("数据口径"),
            "input_message": _("请选择“预计”或“统计”"),
            "error_title": _("数据口径"),
            "error_message": _("只能填写“预计”或“统计”。"),
        },
    )
    ws.data_validation(
        first,
        COL["value"],
        last,
        COL["value"],
        {
            "validate": "decimal",
            "criteria": "between",
            "minimum": -1e15,
            "maximum": 1e15,
            "ignore_blank": True,
            "error_type": "warning",
            "error_title": _("本期实际值"),
            "error_message": _("请填写数字（不带单位）。"),
        },
    )


def template_filename(department: Department, period: ReportingPeriod) -> str:
    return f"实际值填报模板-{department.name}-{period.code}.xlsx"
