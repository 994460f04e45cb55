"""Writes give up behind a held row lock after DB_LOCK_TIMEOUT_MS: "系统繁忙，请稍后重试，未写入任何数据" on the
import and the form, nothing written, no worker stuck (PostgreSQL: SQLite has no row locks)."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse

from excel.importer import run_import
from excel.template import COLUMNS, HEADER_ROW, SHEET, write_template
from indicators import services
from indicators.models import IndicatorValue
from tests.worlds.reporting import World, build_world

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL behaviour"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
BUSY = "系统繁忙，请稍后重试，未写入任何数据"


@pytest.fixture
def locked_row(settings) -> Iterator[tuple[World, IndicatorValue]]:
    settings.EXCEL_UPLOAD_DIR = settings.MEDIA_ROOT / "excel-busy"
    world = build_world()
    row = services.save_value(
        user=world.rep_a,
        entry=services.ValueEntry(indicator=world.total, department=world.a, period=world.q2, value=Decimal("26.5")),
    )
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                IndicatorValue.objects.select_for_update().get(pk=row.pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(10)
    try:
        with override_settings(DB_LOCK_TIMEOUT_MS=300):
            yield world, row
    finally:
        release.set()
        holder.join(10)


def _template_with(world: World, value: float) -> bytes:
    buffer = io.BytesIO()
    write_template(world.a, world.q2, buffer)
    workbook = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    ws = workbook[SHEET]
    value_col = COLUMNS.index("value") + 1
    for row in range(HEADER_ROW + 2, ws.max_row + 1):
        if ws.cell(row, COLUMNS.index("indicator") + 1).value == world.total.pk:
            ws.cell(row, value_col).value = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_import_behind_a_row_lock_gives_up_with_a_clear_message(locked_row) -> None:
    world, row = locked_row
    started = time.monotonic()
    result = run_import(user=world.rep_a, data=_template_with(world, 27.5), filename="t.xlsx", apply=True)
    assert time.monotonic() - started < 5
    assert [issue.message for issue in result.issues] == [BUSY + "。"]
    assert not result.applied
    row.refresh_from_db()
    assert (row.value, row.version) == (Decimal("26.5"), 1)


def test_form_save_behind_a_row_lock_gives_up_with_a_clear_message(locked_row) -> None:
    world, row = locked_row
    response = world.client(world.rep_a).post(
        reverse("reporting:save_value"), world.value_post(value="27.5", note="更正", version=1)
    )
    assert response.status_code == 200
    assert BUSY in response.content.decode()
    row.refresh_from_db()
    assert (row.value, row.version) == (Decimal("26.5"), 1)
