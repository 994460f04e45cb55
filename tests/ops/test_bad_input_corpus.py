"""The bad-input corpus (tests/ops/bad_inputs, written by make_corpus.py beside it): every file is fed to the web
form (where the input is something a form can carry), the import preview, the import confirm and the
`import_actuals` command. Each path must answer with the file's expected message, never a 500, and write nothing."""

from __future__ import annotations

import html
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from excel import uploads
from indicators.models import IndicatorValue
from tests.worlds.reporting import World, build_world

pytestmark = pytest.mark.django_db

HERE = Path(__file__).resolve().parent / "bad_inputs"
CASES: list[dict[str, Any]] = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))
IDS = [case["file"].removesuffix(".xlsx") for case in CASES]


def test_the_corpus_is_complete() -> None:
    assert len(CASES) >= 40
    assert sorted(p.name for p in HERE.glob("*.xlsx")) == sorted(case["file"] for case in CASES)
    assert all(case["message"] for case in CASES)


@pytest.fixture(scope="module")
def world_data(django_db_blocker: Any) -> None:  # the world is built per test (transactions roll back)
    return None


def _setup(case: dict[str, Any]) -> tuple[World, Any, Any]:
    world = build_world()
    department = world.a if case["unit"] == "a" else world.b
    user = world.rep_a if case["unit"] == "a" else world.rep_b
    return world, department, user


def _workbook(world: World, case: dict[str, Any], department: Any) -> bytes:
    """The corpus file with its placeholder keys replaced by this world's ids (everything else as committed)."""
    workbook = openpyxl.load_workbook(HERE / case["file"])
    ws = next(sheet for sheet in workbook.worksheets if sheet.title == "实际值填报")
    ws.cell(4, 1).value = getattr(world, case["indicator"]).pk
    ws.cell(4, 2).value = department.pk
    ws.cell(4, 3).value = world.q2.code
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _nothing_written(world: World) -> None:
    assert not IndicatorValue.objects.filter(period=world.q2).exists()


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_web_form(case: dict[str, Any]) -> None:
    if case["form_value"] is None:
        pytest.skip("a cell type or a whole-file problem: a form cannot carry it")
    world, department, user = _setup(case)
    indicator = getattr(world, case["indicator"])
    response = world.client(user).post(
        reverse("reporting:save_value"),
        world.value_post(indicator=indicator, department=department, value=case["form_value"], note=case["note"]),
    )
    assert response.status_code == 200
    assert case["message"] in html.unescape(response.content.decode())
    _nothing_written(world)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_import_preview_and_confirm(case: dict[str, Any]) -> None:
    world, department, user = _setup(case)
    data = _workbook(world, case, department)
    client = world.client(user)
    upload = io.BytesIO(data)
    upload.name = case["file"]
    preview = client.post(reverse("excel:upload"), {"file": upload})
    assert preview.status_code == 200
    assert case["message"] in html.unescape(preview.content.decode())
    assert 'name="token"' not in preview.content.decode()  # nothing to confirm
    # The confirm re-reads the stored file (as if it had changed since a clean preview): the same answer.
    session = client.session
    token = uploads.store(session, kind="actuals", data=data, name=case["file"])
    session.save()
    confirm = client.post(reverse("excel:confirm"), {"token": token, "submit": ""})
    assert confirm.status_code == 409
    assert case["message"] in html.unescape(confirm.content.decode())
    _nothing_written(world)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_import_command(case: dict[str, Any], tmp_path: Path) -> None:
    world, department, user = _setup(case)
    path = tmp_path / case["file"]
    path.write_bytes(_workbook(world, case, department))
    errors = io.StringIO()
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_actuals", str(path), user=user.username, stderr=errors, stdout=io.StringIO())
    assert case["message"] in errors.getvalue()
    _nothing_written(world)
