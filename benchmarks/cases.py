"""Inputs the bench builds for itself: the engine's cases, and the export's cells written by xlsxwriter alone (the
floor an export is compared with)."""

from __future__ import annotations

import io
import random
from decimal import Decimal
from typing import Any

from benchmarks import scale
from indicators import engine
from plans.models import ReportingPeriod


def read_cells(data: bytes) -> dict[str, list[list[Any]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}


def xlsxwriter_only(cells: dict[str, list[list[Any]]]) -> bytes:
    """The same cell values written with xlsxwriter alone, in the export's own mode (constant_memory)."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    for title, rows in cells.items():
        ws = workbook.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                elif isinstance(value, (int, float)):
                    ws.write_number(r, c, value)
                else:
                    ws.write(r, c, value)
    workbook.close()
    return buffer.getvalue()


def engine_cases(n: int, seed: int = 7) -> list[tuple[engine.Spec, list[engine.Observation]]]:
    """Deterministic specs of every kind with 20 quarterly observations each (2021Q1–2025Q4)."""
    rng = random.Random(seed)
    quarters = [ReportingPeriod.bounds("quarter", y, q) for y in range(2021, 2026) for q in range(1, 5)]
    kinds = [k for k, w in scale.KINDS for _ in range(w)]
    cases = []
    for i in range(n):
        kind = engine.Kind(rng.choice(kinds))
        first = Decimal(rng.randint(100, 10000))
        baseline: Decimal | None = first
        if kind in (engine.Kind.LEVEL, engine.Kind.RATE):
            target = first * Decimal("1.3")
        elif kind == engine.Kind.GROWTH:
            target = Decimal(8)
        elif kind == engine.Kind.MILESTONE:
            target, baseline = Decimal(1), None
        else:
            target, baseline = Decimal(rng.randint(40, 4000)), None
        comparison = engine.Comparison.GTE if i % 5 else rng.choice(list(engine.Comparison))
        upper = target * Decimal("1.1") if comparison == engine.Comparison.RANGE else None
        spec = engine.Spec(
            kind=kind,
            comparison=comparison,
            start_year=2021,
            end_year=2026,
            target=target,
            baseline=baseline,
            baseline_year=2020 if baseline is not None else None,
            target_upper=upper,
            unit="人",
            decimals=0,
            milestones=((2023, target),) if i % 9 == 0 else (),
        )
        obs = []
        for k, (start, end, code) in enumerate(quarters):
            if kind == engine.Kind.MILESTONE:
                value = Decimal(1 if k > 15 and i % 2 else 0)
            elif kind in (engine.Kind.CUMULATIVE, engine.Kind.ANNUAL):
                value = Decimal(rng.randint(1, 200))
            else:
                value = (baseline or Decimal(100)) * (1 + Decimal(k) / 60)
            obs.append(engine.Observation(start=start, end=end, value=value, granularity=2, label=code))
        cases.append((spec, obs))
    return cases
