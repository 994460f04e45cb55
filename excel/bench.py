"""Timing helpers for the Excel paths (called by a benchmark command; never by tests or requests).

`measure_actuals_import(n)` builds a synthetic, clearly labelled workload in the current database (a demo root unit
"基准测试区（演示）", plan "bench-<n>", period 2099Q1, reporter "bench-reporter"), then times preview (dry run) and
apply of n values three times: all new, all changed, all unchanged. Run it against a scratch database:

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python manage.py migrate
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 python manage.py shell -c \
        "from excel.bench import measure_actuals_import as m; print(m(10000))"

`read_workbook(data)` / `write_like(book)` are the export's xlsxwriter-only floor: the same workbook (every cell
with its value *and* format, the formatted blanks of borders and merged ranges, row heights, column widths, merges)
written with plain xlsxwriter calls in constant_memory mode. `benchmarks.cases.xlsxwriter_only` writes the values
only (no formats, blanks or heights), a lower floor than any formatted report can reach.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.contrib.auth.models import Group, User
from django.db.models import Max

from excel.common import WORKBOOK_OPTIONS
from excel.importer import run_import
from excel.template import HEADER_ROW, HEADERS, SHEET, write_template
from indicators.models import Indicator, IndicatorValue
from plans.models import Department, Membership, Plan, ReportingPeriod
from plans.roles import REPORTER


def synthetic_file(rows: list[tuple[int, int, str, int | None, Decimal]]) -> bytes:
    """A filled template (same sheet, header row and columns as `template.write_template`) from raw rows."""
    buffer = io.BytesIO()
    # Shared strings, like a file saved by Excel or WPS (and like our template).
    workbook = xlsxwriter.Workbook(buffer, {**WORKBOOK_OPTIONS, "constant_memory": False})
    ws = workbook.add_worksheet(SHEET)
    ws.write_string(0, 0, "基准测试")
    col = {key: i for i, key in enumerate(HEADERS)}
    for key, text in HEADERS.items():
        ws.write_string(HEADER_ROW, col[key], text)
    for i, (indicator_id, department_id, period_code, version, value) in enumerate(rows, start=HEADER_ROW + 1):
        ws.write_number(i, col["indicator"], indicator_id)
        ws.write_number(i, col["department"], department_id)
        ws.write_string(i, col["period"], period_code)
        if version is not None:
            ws.write_number(i, col["version"], version)
        ws.write_string(i, col["name"], f"指标{indicator_id}")
        ws.write_number(i, col["value"], value)
        ws.write_string(i, col["basis"], "预计")
    workbook.close()
    return buffer.getvalue()


def build_workload(n: int) -> tuple[User, Department, ReportingPeriod, list[int]]:
    root, _ = Department.objects.get_or_create(
        parent=None, name="基准测试区（演示）", defaults={"kind": Department.Kind.GOVERNMENT, "is_demo": True}
    )
    period, _ = ReportingPeriod.objects.get_or_create(
        kind="quarter", year=2099, index=1, defaults={"state": ReportingPeriod.State.OPEN}
    )
    plan, _ = Plan.objects.get_or_create(
        code=f"bench-{n}",
        defaults={
            "title": f"基准测试规划（{n}项，演示）",
            "issuer": root,
            "start_year": 2099,
            "end_year": 2103,
            "kind": Plan.Kind.FIVE_YEAR,
            "status": Plan.Status.ACTIVE,
        },
    )
    have = plan.indicators.count()
    if have < n:
        start = (plan.indicators.aggregate(m=Max("order"))["m"] or 0) + 1
        Indicator.objects.bulk_create(
            [
                Indicator(
                    plan=plan,
                    name=f"基准指标{i}",
                    unit="人",
                    kind="level",
                    comparison="gte",
                    target=Decimal(1000),
                    decimals=1,
                    order=i,
                )
                for i in range(start, start + n - have)
            ],
            batch_size=2000,
        )
    user, created = User.objects.get_or_create(username="bench-reporter")
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=REPORTER))
    Membership.objects.get_or_create(user=user, department=root)
    ids = list(plan.indicators.order_by("order").values_list("pk", flat=True)[:n])
    return user, root, period, ids


def _timed(user: User, data: bytes, apply: bool) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds of this process, preview). CPU time is what a loaded machine cannot inflate."""
    started, cpu = time.perf_counter(), time.process_time()
    preview = run_import(user=user, data=data, filename="bench.xlsx", apply=apply)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    if preview.issues:
        raise RuntimeError("; ".join(i.text for i in preview.issues[:5]))
    return elapsed, cpu, preview


def measure_actuals_import(n: int = 10_000) -> dict[str, Any]:
    """Seconds for preview and apply of n values: new, changed, unchanged; plus template export time."""
    user, unit, period, ids = build_workload(n)
    IndicatorValue.objects.filter(period=period, department=unit).delete()  # start clean (demo workload only)
    results: dict[str, Any] = {"n": n}
    for label, base in (("create", Decimal("10.5")), ("update", Decimal("11.5")), ("unchanged", Decimal("11.5"))):
        versions = dict(
            IndicatorValue.objects.filter(period=period, department=unit).values_list("indicator_id", "version")
        )
        data = synthetic_file([(i, unit.pk, period.code, versions.get(i), base) for i in ids])
        preview_s, preview_cpu, _preview = _timed(user, data, apply=False)
        apply_s, apply_cpu, applied = _timed(user, data, apply=True)
        results[label] = {
            "preview_s": round(preview_s, 3),
            "preview_cpu_s": round(preview_cpu, 3),
            "apply_s": round(apply_s, 3),
            "apply_cpu_s": round(apply_cpu, 3),
            "counts": applied.counts,
            "apply_phases_s": {k: round(v, 3) for k, v in applied.timings.items()},
        }
    started, cpu = time.perf_counter(), time.process_time()
    rows = write_template(unit, period, io.BytesIO())
    results["template_s"] = round(time.perf_counter() - started, 3)
    results["template_cpu_s"] = round(time.process_time() - cpu, 3)
    results["template_rows"] = rows
    return results


# --- the export's floor: the same workbook, written with xlsxwriter alone ------------------------------------------


@dataclass
class FloorSheet:
    title: str
    widths: dict[int, float] = field(default_factory=dict)  # column → width
    heights: dict[int, float] = field(default_factory=dict)  # row → custom height
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    # Row by row: (row, [(col, value or None for a formatted blank, index into FloorBook.formats)]).
    rows: list[tuple[int, list[tuple[int, Any, int]]]] = field(default_factory=list)


@dataclass
class FloorBook:
    formats: list[dict[str, Any]]  # xlsxwriter properties per distinct cell style
    sheets: list[FloorSheet]

    @property
    def cells(self) -> int:
        return sum(len(cells) for sheet in self.sheets for _r, cells in sheet.rows)


def _colour(color: Any) -> str | None:
    """'#RRGGBB' of an explicit colour; None for none or a theme colour (xlsxwriter's default font colour)."""
    if color is None or color.type != "rgb" or not isinstance(color.rgb, str):
        return None
    return f"#{color.rgb[-6:]}"


def _xlsxwriter_props(cell: Any) -> dict[str, Any]:
    """An openpyxl cell's style as xlsxwriter format properties (the properties the exports use)."""
    font, fill, border, align = cell.font, cell.fill, cell.border, cell.alignment
    props: dict[str, Any] = {"font_name": font.name, "font_size": font.sz, "num_format": cell.number_format}
    if font.b:
        props["bold"] = True
    if (colour := _colour(font.color)) and colour != "#000000":
        props["font_color"] = colour
    if fill.fill_type == "solid" and (colour := _colour(fill.fgColor)):
        props["bg_color"] = colour
    if border.left is not None and border.left.style == "thin":
        props["border"] = 1
    if align.horizontal:
        props["align"] = align.horizontal
    if align.vertical:
        props["valign"] = {"center": "vcenter"}.get(align.vertical, align.vertical)
    if align.wrap_text:
        props["text_wrap"] = True
    if align.indent:
        props["indent"] = int(align.indent)
    return props


def read_workbook(data: bytes) -> FloorBook:
    """What `write_like` writes: read back with openpyxl (untimed; slow for a large workbook)."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    styles: dict[int, int] = {}  # openpyxl style id → index into formats
    formats: list[dict[str, Any]] = []
    sheets = []
    for ws in workbook.worksheets:
        sheet = FloorSheet(ws.title)
        for dim in ws.column_dimensions.values():
            if dim.customWidth and dim.width:
                # The file holds the width with xlsxwriter's padding (5 px at 7 px a character); back to set_column's.
                width = (round(dim.width * 7) - 5) / 7
                for col in range(dim.min - 1, dim.max):
                    sheet.widths[col] = width
        sheet.heights = {r - 1: dim.ht for r, dim in ws.row_dimensions.items() if dim.ht is not None}
        sheet.merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        by_row: dict[int, list[tuple[int, Any, int]]] = {}
        for (r, c), cell in sorted(ws._cells.items()):  # only the cells in the file (iter_rows would add empty ones)
            if cell.value is None and not cell.has_style:
                continue
            index = styles.get(cell.style_id)
            if index is None:
                index = styles[cell.style_id] = len(formats)
                formats.append(_xlsxwriter_props(cell))
            by_row.setdefault(r - 1, []).append((c - 1, cell.value, index))
        for row in sheet.heights:
            by_row.setdefault(row, [])  # a row with a height and no cells
        sheet.rows = sorted(by_row.items())
        sheets.append(sheet)
    return FloorBook(formats, sheets)


def write_like(book: FloorBook, output: IO[bytes] | None = None) -> bytes:
    """Write `book` with plain xlsxwriter calls, constant_memory as the export: the time to beat."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(output or buffer, WORKBOOK_OPTIONS)
    formats = [workbook.add_format(props) for props in book.formats]
    for sheet in book.sheets:
        ws = workbook.add_worksheet(sheet.title)
        for col, width in sheet.widths.items():
            ws.set_column(col, col, width)
        for first_row, first_col, last_row, last_col in sheet.merges:
            ws.merge.append([first_row, first_col, last_row, last_col])  # merge_range would write later rows early
        heights = sheet.heights
        for row, cells in sheet.rows:
            if row in heights:
                ws.set_row(row, heights[row])
            for col, value, index in cells:
                if value is None:
                    ws.write_blank(row, col, None, formats[index])
                elif isinstance(value, str):
                    ws.write_string(row, col, value, formats[index])
                else:
                    ws.write_number(row, col, value, formats[index])
    workbook.close()
    return buffer.getvalue() if output is None else b""
