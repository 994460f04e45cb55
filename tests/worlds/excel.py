"""Shared helpers for the Excel tests (no tests here): a reporting setup on the seed plans and workbook helpers."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import User

from excel.template import HEADERS, write_template
from indicators.models import Indicator, IndicatorValue
from indicators.services import ValueEntry, approve_item, save_values
from plans.models import Department, Plan, ReportingPeriod
from plans.roles import ADMIN, REPORTER
from tests.conftest import make_user

COL = {key: i + 1 for i, key in enumerate(HEADERS)}  # template column (1-based) by key
FIRST_DATA_ROW = 4


@dataclass
class Setup:
    plan: Plan
    unit: Department
    period: ReportingPeriod
    reporter: User
    admin: User

    def indicator(self, number: str) -> Indicator:
        return self.plan.indicators.get(number=number)


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path):
    """Uploads kept between preview and confirm go to the test's own temp directory."""
    settings.EXCEL_UPLOAD_DIR = tmp_path / "excel-uploads"
    return settings.EXCEL_UPLOAD_DIR


@pytest.fixture
def wuxing(seeded, make_period) -> Setup:
    """吴兴区 reports the 48 indicators of wuxing-14th (no lead units: the issuer enters them) for 2025Q1."""
    unit = Department.objects.get(name="吴兴区", parent=None)
    return Setup(
        plan=Plan.objects.get(code="wuxing-14th"),
        unit=unit,
        period=make_period("2025Q1"),
        reporter=make_user("wx_reporter", REPORTER, unit),
        admin=make_user("zzb_admin", ADMIN, unit),
    )


def enter(
    setup: Setup, values: dict[str, str], *, submit: bool = False, basis: str = "estimate", note: str = ""
) -> None:
    entries = [
        ValueEntry(setup.indicator(number), setup.unit, setup.period, Decimal(v), basis, note)
        for number, v in values.items()
    ]
    save_values(user=setup.reporter, entries=entries, submit=submit)


def approve(setup: Setup, number: str) -> IndicatorValue:
    value = IndicatorValue.objects.get(indicator=setup.indicator(number), period=setup.period, department=setup.unit)
    approve_item(user=setup.admin, item=value)
    return value


def template_bytes(setup: Setup, unit: Department | None = None) -> bytes:
    buffer = io.BytesIO()
    write_template(unit or setup.unit, setup.period, buffer)
    return buffer.getvalue()


def edit_template(data: bytes, edits: dict[tuple[int, str], object], *, protect_off: bool = True) -> bytes:
    """Change cells of the template as a user would in Excel: {(row, column key): value}."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["实际值填报"]
    for (row, key), value in edits.items():
        ws.cell(row=row, column=COL[key], value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row_of(data: bytes, number: str) -> int:
    """Template row of the indicator with this 序号."""
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    ws = wb["实际值填报"]
    for i, row in enumerate(ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True), start=FIRST_DATA_ROW):
        if row[COL["number"] - 1] == number:
            return i
    raise AssertionError(f"no row for {number}")


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def counts() -> tuple[int, int]:
    """(values, history rows) — to prove nothing was written."""
    return IndicatorValue.objects.count(), IndicatorValue.history.count()
