"""Writes: figures and task progress for the token's unit through the form's services — the same validation,
messages, period states, history and optimistic `version`; Idempotency-Key; an all-or-nothing batch."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from indicators.models import IndicatorValue, ReviewStatus, TaskProgress
from plans.models import ReportingPeriod
from tests.api.helpers import Api, make_token
from tests.worlds.reporting import World, world  # noqa: F401  (fixtures, used by name)

pytestmark = pytest.mark.django_db
FIGURES = "/api/v1/figures/"


@pytest.fixture
def writer(world: World) -> Api:
    return Api(make_token(world.rep_a, "write", world.a))


def _figure(world: World, **fields: object) -> dict[str, object]:
    return {"indicator": world.total.pk, "period": "2025Q2", "value": "26.5", **fields}


def _form_errors(world: World, period: ReportingPeriod | None = None, **fields: Any) -> str:
    response = world.client(world.rep_a).post(
        reverse("reporting:save_value"), world.value_post(period=period, **fields)
    )
    assert response.status_code == 200
    return response.content.decode()


def test_a_figure_is_saved_then_changed_with_its_version_and_history(world: World, writer: Api) -> None:
    created = writer.post(FIGURES, _figure(world, note="首次"))
    assert created.status_code == 201
    body = created.json()
    assert (body["value"], body["status"], body["version"], body["unit"], body["note"]) == (
        "26.5",
        "draft",
        1,
        world.a.pk,
        "首次",
    )
    changed = writer.post(FIGURES, _figure(world, value=26.8, version=1, submit=True))
    assert changed.status_code == 200
    assert (changed.json()["value"], changed.json()["status"], changed.json()["version"]) == ("26.8", "submitted", 2)
    row = IndicatorValue.objects.get(pk=body["id"])
    assert [(h.history_type, h.history_user, h.history_change_reason) for h in row.history.order_by("history_id")] == [
        ("+", world.rep_a, "保存草稿"),
        ("~", world.rep_a, "填报并报送"),
    ]


def test_json_numbers_arrive_exact_and_units_are_read_as_the_form_reads_them(world: World, writer: Api) -> None:
    assert writer.post(FIGURES, _figure(world, value=26.35)).json()["value"] == "26.35"
    assert writer.post(FIGURES, _figure(world, indicator=world.recruits.pk, value="1,200人")).json()["value"] == "1200"


def test_stale_version_is_409_with_what_the_server_holds(world: World, writer: Api) -> None:
    writer.post(FIGURES, _figure(world))
    writer.post(FIGURES, _figure(world, value="27", version=1))
    stale = writer.post(FIGURES, _figure(world, value="28", version=1))
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "stale_version" and "请刷新后在最新数据上修改" in body["message"]
    assert (body["current"]["value"], body["current"]["version"]) == ("27", 2)
    assert writer.post(FIGURES, _figure(world, value="28", version=0)).status_code == 409  # "I expect none yet"
    assert IndicatorValue.objects.get(period=world.q2, indicator=world.total).value == Decimal("27")


@pytest.mark.parametrize("value, note", [("abc", ""), ("2万个", ""), ("-3", ""), ("99", "")])
def test_validation_messages_are_the_forms(world: World, writer: Api, value: str, note: str) -> None:
    response = writer.post(FIGURES, _figure(world, value=value, note=note))  # 99 against 25 last quarter: a note
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and len(body["fields"]) == 1
    ((field, message),) = body["fields"].items()
    assert field in ("value", "note") and message in _form_errors(world, value=value, note=note)
    assert not IndicatorValue.objects.filter(period=world.q2).exists()


def test_locked_period_is_409_with_the_forms_message(world: World, writer: Api, make_period) -> None:
    locked = make_period("2025Q3", ReportingPeriod.State.LOCKED)
    response = writer.post(FIGURES, _figure(world, period="2025Q3"))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "period_locked" and body["message"] == "2025年第3季度 已锁定（数据已审定冻结），不能修改。"
    assert body["message"] in _form_errors(world, period=locked, value="26.5")
    closed = make_period("2025Q4", ReportingPeriod.State.CLOSED)
    assert writer.post(FIGURES, _figure(world, period=closed.code)).json()["code"] == "period_closed"
    english = Api(writer.headers["Authorization"].split()[1], language="en").post(
        FIGURES, _figure(world, period="2025Q3")
    )
    assert english.json()["message"] == "Q3 2025 is locked (data finalized and frozen) and cannot be changed."


def test_an_approved_figure_is_409(world: World, writer: Api) -> None:
    from indicators import services

    row = IndicatorValue.objects.get(pk=writer.post(FIGURES, _figure(world, submit=True)).json()["id"])
    services.approve_item(user=world.admin, item=row)
    refused = writer.post(FIGURES, _figure(world, value="30"))
    assert (
        refused.status_code == 409
        and refused.json()["code"] == "conflict"
        and "已审核通过" in refused.json()["message"]
    )


def test_unknown_ids_and_codes_name_the_field(world: World, writer: Api) -> None:
    cases: list[tuple[dict[str, object], str]] = [
        ({"indicator": 999999}, "indicator"),
        ({"period": "2031Q1"}, "period"),
        ({"period": "Q1"}, "period"),
        ({"basis": "guess"}, "basis"),
        ({"version": -1}, "version"),
    ]
    for change, field in cases:
        response = writer.post(FIGURES, _figure(world, **change))
        assert response.status_code == 400 and set(response.json()["fields"]) == {field}, change
    missing = writer.post(FIGURES, {"value": "1"})
    assert set(missing.json()["fields"]) == {"indicator", "period"}


def test_submit_endpoint_and_task_progress(world: World, writer: Api) -> None:
    saved = writer.post(FIGURES, _figure(world)).json()
    submitted = writer.post(f"{FIGURES}{saved['id']}/submit/", {"version": 1})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    progress = writer.post(
        "/api/v1/task-progress/",
        {"task": world.task_a.pk, "period": "2025Q2", "progress_status": "in_progress", "progress": "已完成选址"},
    )
    assert progress.status_code == 201 and progress.json()["progress"] == "已完成选址"
    empty = writer.post(f"/api/v1/task-progress/{progress.json()['id']}/submit/", {})
    assert empty.status_code == 200
    refused = writer.post(
        "/api/v1/task-progress/",
        {"task": world.task_b.pk, "period": "2025Q2", "progress_status": "done", "submit": True},
    )
    assert refused.status_code == 403 and "无权填报“甲局”的该项任务进展" in refused.json()["message"]
    row = TaskProgress.objects.get()
    assert row.status == ReviewStatus.SUBMITTED and row.history.count() == 2


# --- Idempotency-Key --------------------------------------------------------------------------------------------------


def test_a_retried_post_with_the_same_key_writes_once(world: World, writer: Api) -> None:
    key = str(uuid.uuid4())
    first = writer.post(FIGURES, _figure(world, submit=True), **{"Idempotency-Key": key})
    again = writer.post(FIGURES, _figure(world, submit=True), **{"Idempotency-Key": key})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    row = IndicatorValue.objects.get(period=world.q2)
    assert row.history.count() == 1 and row.version == 1
    other = writer.post(FIGURES, _figure(world, value="27"), **{"Idempotency-Key": key})
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    fresh = writer.post(FIGURES, _figure(world, value="27", version=1), **{"Idempotency-Key": str(uuid.uuid4())})
    assert fresh.status_code == 200 and IndicatorValue.objects.get(period=world.q2).history.count() == 2


def test_idempotency_keys_belong_to_one_token_and_a_refusal_is_replayed_too(
    world: World, writer: Api, make_period
) -> None:
    key = "retry-1"
    make_period("2025Q3", ReportingPeriod.State.LOCKED)
    locked = writer.post(FIGURES, _figure(world, period="2025Q3"), **{"Idempotency-Key": key})
    assert writer.post(FIGURES, _figure(world, period="2025Q3"), **{"Idempotency-Key": key}).json() == locked.json()
    another = Api(make_token(world.rep_a, "write", world.a))
    assert another.post(FIGURES, _figure(world), **{"Idempotency-Key": key}).status_code == 201


# --- batch ------------------------------------------------------------------------------------------------------------


def test_batch_writes_all_items(world: World, writer: Api) -> None:
    items = [
        _figure(world, value="26.5"),
        _figure(world, indicator=world.recruits.pk, value="120"),
        _figure(world, indicator=world.permille.pk, value="12", basis="official"),
    ]
    response = writer.post(f"{FIGURES}batch/", {"items": items, "submit": True})
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (3, 0, 0)
    assert sorted(r["value"] for r in body["items"]) == ["12", "120", "26.5"]
    assert all(r["status"] == "submitted" and r["plan"] == world.plan.code for r in body["items"])
    rows = IndicatorValue.objects.filter(period=world.q2)
    assert rows.count() == 3 and all(r.history.count() == 1 for r in rows)


def test_batch_with_one_bad_row_writes_nothing_and_names_the_row(world: World, writer: Api) -> None:
    items = [_figure(world), _figure(world, indicator=world.recruits.pk, value="十二")]
    response = writer.post(f"{FIGURES}batch/", {"items": items})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["items[1].value"]
    late = [_figure(world), _figure(world, indicator=world.recruits.pk, value="12", note="x" * 2001)]
    response = writer.post(f"{FIGURES}batch/", {"items": late})
    assert response.status_code == 400 and list(response.json()["fields"]) == ["items[1].note"]
    assert "“说明”最多 2000 字" in response.json()["fields"]["items[1].note"]
    assert not IndicatorValue.objects.filter(period=world.q2).exists()


def test_batch_refusals_say_which_row(world: World, writer: Api, make_period) -> None:
    make_period("2025Q3", ReportingPeriod.State.LOCKED)
    locked = writer.post(f"{FIGURES}batch/", {"items": [_figure(world), _figure(world, period="2025Q3")]})
    assert locked.status_code == 409 and locked.json()["code"] == "period_locked"
    assert list(locked.json()["fields"]) == ["items[1]"]
    foreign = writer.post(f"{FIGURES}batch/", {"items": [_figure(world), _figure(world, indicator=world.share.pk)]})
    assert foreign.status_code == 403 and list(foreign.json()["fields"]) == ["items[1]"]
    writer.post(FIGURES, _figure(world))
    stale = writer.post(
        f"{FIGURES}batch/",
        {"items": [_figure(world, indicator=world.recruits.pk, value="1"), _figure(world, version=5)]},
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert list(stale.json()["fields"]) == ["items[1].version"]
    assert IndicatorValue.objects.filter(period=world.q2).count() == 1
    empty = writer.post(f"{FIGURES}batch/", {"items": []})
    assert empty.status_code == 400 and "items" in empty.json()["fields"]
