"""The fixes made to indicators/services.py and validation.py while building the reporting pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from indicators import services
from indicators.models import IndicatorValue, ReviewStatus
from indicators.services import ServiceError, StaleEditError, ValueEntry
from indicators.validation import IndicatorRules, validate_figure
from plans.models import ReportingPeriod
from tests.worlds.reporting import PDF, World

pytestmark = pytest.mark.django_db


def _entry(world: World, value: str | None, **kw: Any) -> ValueEntry:
    return ValueEntry(
        indicator=world.total,
        department=world.a,
        period=world.q2,
        value=Decimal(value) if value is not None else None,
        **kw,
    )


def test_history_names_the_user_outside_a_request(world: World) -> None:
    """Imports and commands have no request: the audit trail must still say who."""
    row = services.save_value(user=world.rep_a, entry=_entry(world, "26.5"), submit=True)
    services.return_item(user=world.admin, item=row, reason="请核实")
    assert [h.history_user for h in row.history.order_by("history_id")] == [world.rep_a, world.admin]
    period = services.open_period(user=world.admin, code="2025Q3")
    assert period.history.get().history_user == world.admin


def test_submit_does_not_write_back_a_stale_instance(world: World) -> None:
    row = services.save_value(user=world.rep_a, entry=_entry(world, "26.5"))
    old_instance = IndicatorValue.objects.get(pk=row.pk)
    services.save_value(user=world.rep_a, entry=_entry(world, "26.9", expected_version=1))
    services.submit_item(user=world.rep_a, item=old_instance)  # loaded before the change
    row.refresh_from_db()
    assert (row.value, row.status, row.version) == (Decimal("26.9"), ReviewStatus.SUBMITTED, 3)
    assert old_instance.value == Decimal("26.9") and old_instance.version == 3  # caller sees the new state


def test_review_with_stale_version_is_refused(world: World) -> None:
    row = services.save_value(user=world.rep_a, entry=_entry(world, "26.5"), submit=True)
    with pytest.raises(StaleEditError):
        services.approve_item(user=world.admin, item=row, expected_version=row.version - 1)
    services.approve_item(user=world.admin, item=row, expected_version=row.version)
    assert IndicatorValue.objects.get(pk=row.pk).status == ReviewStatus.APPROVED


def test_empty_figure_cannot_be_submitted_through_either_door(world: World) -> None:
    with pytest.raises(ServiceError) as excinfo:
        services.save_value(user=world.rep_a, entry=_entry(world, None), submit=True)
    assert excinfo.value.errors == {"value": "“人才资源总量”尚未填写实际值，不能报送。"}
    with pytest.raises(ServiceError):
        services.save_values(user=world.rep_a, entries=[_entry(world, None)], submit=True)
    services.save_values(user=world.rep_a, entries=[_entry(world, None)])  # a blank draft is fine
    assert not IndicatorValue.objects.filter(period=world.q2, status=ReviewStatus.SUBMITTED).exists()


def test_previous_figure_prefers_the_official_one(world: World) -> None:
    IndicatorValue.objects.create(
        indicator=world.total,
        period=world.q1,
        department=world.a,
        basis="official",
        value=Decimal("24"),
        status=ReviewStatus.APPROVED,
    )  # beside the estimate 25
    previous = services.previous_values([_entry(world, "26")])
    assert previous[(world.total.pk, world.a.pk, world.q2.pk)] == Decimal("24")
    # Entries for two quarters take the other path (every earlier figure, chosen in Python): the same answer.
    q3, _ = ReportingPeriod.objects.get_or_create(kind="quarter", year=world.q2.year, index=3)
    later = ValueEntry(indicator=world.total, department=world.a, period=q3, value=Decimal("27"))
    both = services.previous_values([_entry(world, "26"), later])
    assert both[(world.total.pk, world.a.pk, world.q2.pk)] == Decimal("24")


def test_jump_message_prints_plain_numbers() -> None:
    rules = IndicatorRules("人才资源总量", "万人", "level", 1, False)
    errors = validate_figure(rules, Decimal("30"), "", Decimal("100.0000"))
    assert errors["note"] == "本期值较上期（100）变化-70.0%，超过±50%，请在“说明”中写明原因。"


def test_open_period_with_bad_code_is_a_service_error(world: World) -> None:
    with pytest.raises(ServiceError) as excinfo:
        services.open_period(user=world.admin, code="2025Q5")
    assert "周期序号超出范围" in excinfo.value.errors["code"]


def test_evidence_cannot_be_added_to_an_approved_figure(world: World) -> None:
    row = services.save_value(user=world.rep_a, entry=_entry(world, "26.5"), submit=True)
    services.approve_item(user=world.admin, item=row)
    with pytest.raises(ServiceError) as excinfo:
        services.attach_evidence(user=world.rep_a, item=row, upload=SimpleUploadedFile("a.pdf", PDF), max_bytes=10**6)
    assert "已审核通过，不能再上传佐证材料" in excinfo.value.errors["evidence"]


def test_submit_item_refuses_empty_progress(world: World) -> None:
    progress = services.save_progress(
        user=world.rep_a,
        task=world.task_a,
        department=world.a,
        period=world.q2,
        progress_status="in_progress",
        progress="",
    )
    with pytest.raises(ServiceError) as excinfo:
        services.submit_item(user=world.rep_a, item=progress)
    assert excinfo.value.errors == {"progress": "报送前请填写进展情况。"}


def test_bulk_import_writes_history_for_created_and_changed_rows(world):
    """The executemany path in indicators/bulk.py must leave the same audit trail the ORM would."""
    from decimal import Decimal as D

    from indicators.models import IndicatorValue
    from indicators.services import ValueEntry, save_values

    w = world
    entries = [ValueEntry(indicator=w.total, department=w.a, period=w.q2, value=D("26.2"), basis="estimate")]
    result = save_values(user=w.rep_a, entries=entries)
    (row,) = result.created
    stored = IndicatorValue.objects.get(pk=row.pk)
    assert stored.value == D("26.2") and stored.version == 1
    created = stored.history.get()
    assert (created.history_type, created.history_user, created.history_change_reason) == ("+", w.rep_a, "保存草稿")
    entries = [
        ValueEntry(
            indicator=w.total, department=w.a, period=w.q2, value=D("26.3"), basis="estimate", expected_version=1
        )
    ]
    save_values(user=w.rep_a, entries=entries, submit=True)
    stored.refresh_from_db()
    assert stored.value == D("26.3") and stored.version == 2 and stored.status == "submitted"
    latest = stored.history.first()
    assert latest.history_type == "~" and latest.value == D("26.3")
    assert latest.diff_against(created).changed_fields


def test_bulk_history_keeps_notes_with_tabs_newlines_and_backslashes(world):
    """PostgreSQL writes the import's history rows with COPY (tab-separated text): a note with the separators in
    it must come back exactly, in the figure and in its history."""
    from decimal import Decimal as D

    from indicators.services import ValueEntry, save_values

    w = world
    note = "第一行\t制表\n第二行\\N 反斜杠\r\n“引号”"
    (row,) = save_values(
        user=w.rep_a,
        entries=[
            ValueEntry(indicator=w.total, department=w.a, period=w.q2, value=D("26.4"), basis="estimate", note=note)
        ],
    ).created
    stored = IndicatorValue.objects.get(pk=row.pk)
    history = stored.history.get()
    assert stored.note == history.note == note
    assert history.value == D("26.4") and history.submitted_at is None and history.history_date is not None
