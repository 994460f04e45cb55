"""Import and workbook hardening: the imported figure obeys the form's rules (units, note length); formula-like text
keeps Excel's quote prefix in every workbook the app writes; write transactions time out with a clear message."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from excel.export import export_assessment
from excel.importer import run_import
from excel.template import SHEET
from indicators.models import IndicatorValue
from tests.worlds.excel import COL, FIRST_DATA_ROW, edit_template, template_bytes

HYPERLINK = '=HYPERLINK("http://evil.example/","点击查看")'


@pytest.mark.django_db
def test_a_unit_typed_in_the_import_is_its_own_or_refused(wuxing) -> None:
    indicator = wuxing.indicator("1")
    unit = indicator.unit
    data = edit_template(template_bytes(wuxing), {(FIRST_DATA_ROW, "value"): f"23.95{unit}"})
    result = run_import(user=wuxing.reporter, data=data, filename="t.xlsx", apply=True)
    assert not result.issues, [i.text for i in result.issues]
    assert IndicatorValue.objects.get(indicator=indicator, period=wuxing.period).value == Decimal("23.95")


@pytest.mark.django_db
def test_formula_like_notes_come_back_in_the_template_with_a_quote_prefix(wuxing) -> None:
    data = template_bytes(wuxing)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    cell = workbook[SHEET].cell(row=FIRST_DATA_ROW, column=COL["note"])
    cell.value, cell.data_type = HYPERLINK, "s"
    workbook[SHEET].cell(row=FIRST_DATA_ROW, column=COL["value"], value=23.9)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run_import(user=wuxing.reporter, data=buffer.getvalue(), filename="t.xlsx", apply=True)
    assert not result.issues, [i.text for i in result.issues]
    again = openpyxl.load_workbook(io.BytesIO(template_bytes(wuxing)))[SHEET]
    note = again.cell(row=FIRST_DATA_ROW, column=COL["note"])
    assert (note.value, note.data_type, note.quotePrefix) == (HYPERLINK, "s", True)
    assert note.protection.locked is False  # still the editable, unlocked style, plus the prefix
    plain = again.cell(row=FIRST_DATA_ROW, column=COL["name"])
    assert plain.quotePrefix is False


@pytest.mark.django_db
def test_the_assessment_report_quotes_formula_like_text(wuxing) -> None:
    indicator = wuxing.indicator("1")
    indicator.name = "@SUM(A1:A9) " + indicator.name
    indicator.save()
    buffer = io.BytesIO()
    export_assessment([indicator.plan], wuxing.period.code, buffer)
    workbook = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    found = [
        c
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("@SUM(A1:A9)")
    ]
    assert found and all(c.data_type == "s" and c.quotePrefix for c in found)
