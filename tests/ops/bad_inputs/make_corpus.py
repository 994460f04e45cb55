"""Writes the bad-input corpus beside this script: one small actuals workbook per hostile input, and cases.json with
what each one must be answered with. Re-run after changing CASES: `python tests/ops/bad_inputs/make_corpus.py`.

Each workbook has the actuals template's sheet, headers and one data row. Its key cells (指标ID, 单位ID, 周期代码)
hold placeholders that the test replaces with the ids of its own small world; the hostile part (the value cell,
the note, a hidden sheet or column, a repeated column) is what the file carries.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

SHEET = "实际值填报"  # excel.template.SHEET
COLUMNS = [
    "指标ID",
    "单位ID",
    "周期代码",
    "版本",
    "原口径",
    "规划",
    "一级指标",
    "序号",
    "指标名称",
    "计量单位",
    "目标值",
    "上期值",
    "本期实际值（可填）",
    "数据口径（可填）",
    "说明（可填）",
    "审核状态",
]
VALUE_COL, BASIS_COL, NOTE_COL = 13, 14, 15
BIG = "超出可保存的范围"
NAN = "不是有效数字"

# name, indicator (of tests.worlds.reporting.World), value, kind of cell, expected message, extra
CASES: list[tuple[str, str, Any, str, str, dict[str, Any]]] = [
    ("e400-text", "total", "1e400", "text", "“1e400”" + BIG, {}),
    ("e300-number", "total", 1e300, "number", BIG, {}),
    ("ten-to-16", "total", "10000000000000000", "text", BIG, {}),
    ("minus-ten-to-16", "total", "-10000000000000000", "text", BIG, {}),
    ("e16-text", "total", "1E16", "text", BIG, {}),
    ("e16-number", "total", 1e16, "number", BIG, {}),
    ("fullwidth-17-digits", "total", "１２３４５６７８９０１２３４５６７", "text", BIG, {}),
    ("five-decimals", "total", "26.35555", "text", "最多保留4位小数，您填写了5位", {}),
    ("e-minus-5", "total", "1e-5", "text", "最多保留4位小数，您填写了5位", {}),
    ("tiny-number", "total", 0.00001, "number", "最多保留4位小数，您填写了5位", {}),
    ("big-with-decimals", "total", "9999999999999999.99999", "text", "最多保留4位小数", {}),
    ("nan", "total", "NaN", "text", "“NaN”" + NAN, {}),
    ("snan", "total", "sNaN", "text", "“sNaN”" + NAN, {}),
    ("infinity", "total", "Infinity", "text", "“Infinity”" + NAN, {}),
    ("minus-inf", "total", "-inf", "text", "“-inf”" + NAN, {}),
    ("permille-into-wanren", "total", "5‰", "text", "单位“‰”与该指标的计量单位“万人”不符", {}),
    ("percent-into-wanren", "total", "12%", "text", "单位“%”与该指标的计量单位“万人”不符", {}),
    ("ren-into-wanren", "total", "3人", "text", "单位“人”与该指标的计量单位“万人”不符", {}),
    ("wan-into-wanren", "total", "2万", "text", "单位“万”与该指标的计量单位“万人”不符", {}),
    ("percent-into-ren", "recruits", "12%", "text", "单位“%”与该指标的计量单位“人”不符", {}),
    ("percent-into-permille", "permille", "5%", "text", "单位“%”与该指标的计量单位“‰”不符", {}),
    ("double-percent", "share", "12%%", "text", "单位“%%”与该指标的计量单位“%”不符", {"unit": "b"}),
    ("formula-text", "total", "=1+1", "text", "“=1+1”" + NAN, {}),
    ("at-formula-text", "total", "@SUM(A1:A9)", "text", NAN, {}),
    ("dde-text", "total", "+cmd|' /C calc'!A0", "text", NAN, {}),
    ("tab-formula-text", "total", '\t=HYPERLINK("http://x")', "text", NAN, {}),
    ("chinese-number", "total", "二十六", "text", "“二十六”" + NAN, {}),
    ("ideographic-stop", "total", "26。4", "text", "“26。4”" + NAN, {}),
    ("two-points", "total", "26.4.1", "text", NAN, {}),
    ("hex", "total", "0x1F", "text", NAN, {}),
    ("underscores", "total", "1_000", "text", NAN, {}),
    ("arabic-indic-digit", "total", "٣", "text", NAN, {}),
    ("double-minus", "total", "--5", "text", NAN, {}),
    ("trailing-minus", "total", "5-", "text", NAN, {}),
    ("count-with-decimals", "recruits", "12.5", "text", "“引进人才”应填写整数（单位：人）", {}),
    ("negative-count", "recruits", "-3", "text", "“引进人才”不能为负数", {}),
    ("permille-over-1000", "permille", "1200", "text", "千分比应在 0–1000‰ 之间", {}),
    ("percent-over-100", "share", "105", "text", "比例应在 0–100% 之间", {"unit": "b"}),
    ("date-cell", "total", dt.datetime(2025, 6, 30), "date", "不是数字", {}),
    ("boolean-cell", "total", True, "bool", "不是数字", {}),
    ("formula-cell", "total", "=SUM(1,2)", "formula", "单元格含公式", {}),
    ("error-cell", "total", "#DIV/0!", "error", "错误值", {}),
    ("note-30000", "total", "26.5", "text", "“说明”最多 2000 字，您填写了 30000 字", {"note": "长" * 30000}),
    ("hidden-sheet", "total", "26.5", "text", "工作表被隐藏了", {"structure": "hidden_sheet"}),
    ("hidden-value-column", "total", "26.5", "text", "“本期实际值”列被隐藏了", {"structure": "hidden_value"}),
    ("hidden-note-column", "total", "26.5", "text", "“说明”列被隐藏了", {"structure": "hidden_note"}),
    ("second-value-column", "total", "26.5", "text", "表头“本期实际值”出现了2次", {"structure": "duplicate_value"}),
]
# Cell kinds a web form cannot receive (it only gets text), and whole-file problems: import and command only.
IMPORT_ONLY = {"date", "bool", "formula", "error"}


def write_case(path: Path, value: Any, kind: str, extra: dict[str, Any]) -> None:
    workbook = openpyxl.Workbook()
    ws: Worksheet = workbook.active
    ws.title = SHEET
    ws.cell(1, 1, "测试 实际值填报表")
    ws.cell(2, 1, "填写说明：坏输入语料（tests/ops/bad_inputs）")
    columns = list(COLUMNS)
    if extra.get("structure") == "duplicate_value":
        columns.append("本期实际值")
    for index, header in enumerate(columns, start=1):
        ws.cell(3, index, header)
    keys = ["{indicator}", "{department}", "{period}"]
    for index, key in enumerate(keys, start=1):
        ws.cell(4, index, key)
    ws.cell(4, 9, "（测试指标）")
    cell = ws.cell(4, VALUE_COL)
    if kind == "formula":
        cell.value = value  # openpyxl stores text starting with "=" as a formula
    elif kind == "error":
        cell.value = value
        cell.data_type = "e"
    else:
        cell.value = value
        if kind == "text":
            cell.data_type = "s"  # "=1+1" typed as text (a quote prefix in Excel), not a formula
    ws.cell(4, BASIS_COL, "预计")
    note = ws.cell(4, NOTE_COL, extra.get("note", ""))
    note.data_type = "s"
    if extra.get("structure") == "duplicate_value":
        ws.cell(4, len(columns), 99)
    if extra.get("structure") == "hidden_value":
        ws.column_dimensions["M"].hidden = True
    if extra.get("structure") == "hidden_note":
        ws.column_dimensions["O"].hidden = True
    if extra.get("structure") == "hidden_sheet":
        workbook.create_sheet("说明")
        ws.sheet_state = "hidden"
        workbook.active = 1
    workbook.save(path)


def main() -> None:
    for old in HERE.glob("*.xlsx"):
        old.unlink()
    cases = []
    for number, (name, indicator, value, kind, message, extra) in enumerate(CASES, start=1):
        filename = f"{number:02d}-{name}.xlsx"
        write_case(HERE / filename, value, kind, extra)
        form_value = (
            None
            if kind in IMPORT_ONLY or extra.get("structure")
            else (value if isinstance(value, str) else repr(value))
        )
        cases.append(
            {
                "file": filename,
                "indicator": indicator,
                "unit": extra.get("unit", "a"),
                "message": message,
                "form_value": form_value,
                "note": extra.get("note", ""),
            }
        )
    (HERE / "cases.json").write_text(json.dumps(cases, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(cases)} files written to {HERE}")


if __name__ == "__main__":
    main()
