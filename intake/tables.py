"""Indicator tables: a header with 指标 and year columns ("2020年 情况", "2025年 目标") and one row per indicator.

Tables reach the parser as lines of cells separated by "|" (Word tables, flattened web tables). A row with fewer
cells than the header lost its leftmost cells to a merged cell (一级指标 printed once per group): it is aligned
to the right and the group carried down. Several target-year columns (2015年目标, 2020年目标) give milestones and
the final target. The same cell reader serves the Excel plan import.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from functools import partial

from intake import text as tx
from intake.target_rules import UNIT_ALT, dec, places
from intake.targets import Target

DASHES = {"", "—", "——", "-", "--", "/", "无", "——。", "…"}
YEAR_RE = re.compile(r"((?:19|20)\d{2})")
CELL_RE = re.compile(
    rf"^(?P<pre>≥|>=|≤|<=|>|<|不低于|不少于|不超过|不高于|约)?\s*(?P<a>-?\d+(?:\.\d+)?)"
    rf"(?:\s*(?:-|—{{1,2}}|~|至|到)\s*(?P<b>\d+(?:\.\d+)?))?\s*(?P<unit>{UNIT_ALT})?\s*(?P<suffix>以上|以下|以内|左右)?$"
)
TARGET_WORDS = re.compile(r"目标|规划|预期|计划")
BASE_WORDS = re.compile(r"基期|现状|情况|基数|完成|实际|现值|基准")
NAME_UNIT_RE = re.compile(rf"[(]\s*(?P<unit>{UNIT_ALT}|[^()]{{1,6}})\s*[)]$")


def table_kind(name: str, unit: str) -> str:
    """Kind of a table row: a row carries a level or a rate unless its name says growth, total or per year."""
    normal = tx.norm(name)
    if re.search(r"年均(?:增长|增速|递增|增幅)|年平均增长|增长率", normal) and unit in ("%", ""):
        return "growth"
    if unit in ("%", "‰", "个百分点") or re.search(
        r"比例|占比|比重|比率|[^效]率|每?[万千百](?:名|人)|每十万|人均|密度", normal
    ):
        return "rate"
    if re.search(r"累计|共计|总计|合计", normal):
        return "cumulative"
    if re.search(r"每年|年度|年均", normal):
        return "annual"
    return "level"


def parse_cell(raw: str) -> tuple[Decimal | None, Decimal | None, str, int, str] | None:
    """'26.4' / '35%左右' / '≥90' / '5以下' / '5-8' / '——' → (value, upper, comparison, decimals, unit in cell).

    None when the cell holds text that is not a value.
    """
    normal = tx.norm(str(raw)).replace(",", "").replace("，", "").strip()
    if normal in DASHES:
        return None, None, "gte", 0, ""
    match = CELL_RE.match(normal)
    if match is None:
        return None
    value, upper = dec(match["a"]), dec(match["b"]) if match["b"] else None
    decimals = max(places(match["a"]), places(match["b"] or ""))
    pre, suffix = match["pre"] or "", match["suffix"] or ""
    if upper is not None:
        comparison = "range"
    elif suffix == "左右" or pre == "约":
        comparison = "approx"
    elif suffix in ("以下", "以内") or pre in ("≤", "<=", "<", "不超过", "不高于"):
        comparison = "lte"
    elif pre in (">",):
        comparison = "gt"
    else:
        comparison = "gte" if suffix or pre else ""
    return value, upper, comparison, decimals, match["unit"] or ""


def _cells(line: str) -> list[str]:
    cells = [c.strip() for c in line.split("|")]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _column(header: list[str], *patterns: str) -> int | None:
    for pattern in patterns:
        for i, cell in enumerate(header):
            if re.search(pattern, cell):
                return i
    return None


def _cell(row: list[str], i: int | None) -> str:
    """A row's cell, blank past its end or for a column the table does not have."""
    return row[i] if i is not None and i < len(row) else ""


def table_targets(lines: list[str]) -> list[Target]:
    rows = [_cells(line) for line in lines]
    head = next(
        (
            i
            for i, r in enumerate(rows)
            if any("指标" in c for c in r) and any(TARGET_WORDS.search(c) or YEAR_RE.search(c) for c in r)
        ),
        None,
    )
    if head is None:
        return []
    header = [tx.norm(c) for c in rows[head]]
    col_name = _column(header, r"二级指标", r"指标名称", r"^指标$|^指标[^一]", r"名称|项目")
    col_group = _column(header, r"一级指标|类别|领域")
    col_number = _column(header, r"^序号|^编号")
    col_unit = _column(header, r"^单位$|计量单位|^单位")
    years = [(i, c, int(m.group(1))) for i, c in enumerate(header) if (m := YEAR_RE.search(c))]
    targets = [(i, year) for i, c, year in years if TARGET_WORDS.search(c)]
    bases = [(i, year) for i, c, year in years if not TARGET_WORDS.search(c)]
    if not targets and bases:
        targets = [bases.pop()]  # "2020年 | 2025年": the last year is the target
    if col_name is None or not targets:
        return []
    found: list[Target] = []
    group = ""
    for r, row in enumerate(rows[head + 1 :], start=head + 1):
        if len(row) < len(header):
            row = [""] * (len(header) - len(row)) + row
        get = partial(_cell, row)
        group = get(col_group) or group
        name = get(col_name)
        if not name or YEAR_RE.fullmatch(tx.norm(name).strip("年 ")):
            continue
        target = _row_target(name, get, targets, bases, col_unit)
        if target is None:
            continue
        target.group, target.number, target.line = (
            group if group != name or col_group != col_name else "",
            get(col_number),
            r,
        )
        target.sentence = lines[r].strip()
        found.append(target)
    return found


def _row_target(
    name: str,
    get: Callable[[int | None], str],
    targets: list[tuple[int, int]],
    bases: list[tuple[int, int]],
    col_unit: int | None,
) -> Target | None:
    unit = get(col_unit)
    in_name = NAME_UNIT_RE.search(tx.norm(name))
    if in_name:
        unit = unit or name[in_name.start("unit") : in_name.end("unit")]
        name = name[: in_name.start()].strip()
    values = []
    for col, year in sorted(targets, key=lambda t: t[1]):
        parsed = parse_cell(get(col))
        if parsed is None:
            return None
        values.append((year, parsed))
    year, (value, upper, comparison, decimals, cell_unit) = values[-1]
    baseline = baseline_year = None
    for col, base_year in bases:
        parsed = parse_cell(get(col))
        if parsed and parsed[0] is not None:
            baseline, baseline_year, decimals = parsed[0], base_year, max(decimals, parsed[3])
    unit = unit or cell_unit
    if not comparison:
        comparison = "lte" if baseline is not None and value is not None and value < baseline else "gte"
    target = Target(
        "",
        name,
        value,
        upper,
        unit,
        comparison,
        table_kind(name, unit),
        year=year,
        year_printed=True,
        decimals=decimals,
        baseline=baseline,
        baseline_year=baseline_year,
    )
    target.milestones = [(y, p[0]) for y, p in values[:-1] if p[0] is not None]
    if value is None:
        target.warnings.append("该行目标值印作“——”，无目标。")
    return target
