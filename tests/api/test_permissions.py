"""The permission matrix of tokens: every rule with an allowed and a refused case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from api.models import ApiToken
from indicators.models import IndicatorValue
from plans.models import ReportingPeriod
from tests.api.helpers import Api, make_token, token_of
from tests.worlds.reporting import World, world  # noqa: F401  (fixtures, used by name)

pytestmark = pytest.mark.django_db


def _figure(world: World, **fields: object) -> dict[str, object]:
    return {"indicator": world.total.pk, "period": "2025Q2", "value": "26.5", **fields}


def _revoked(world: World) -> str:
    key = make_token(world.rep_a, "write", world.a)
    ApiToken.objects.filter(pk=token_of(key).pk).update(revoked_at=timezone.now())
    return key


def _expired(world: World) -> str:
    key = make_token(world.rep_a, "write", world.a)
    ApiToken.objects.filter(pk=token_of(key).pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    return key


def _b_figure(world: World) -> int:
    return IndicatorValue.objects.create(
        indicator=world.share, period=world.q2, department=world.b, value=Decimal("30")
    ).pk


Case = tuple[str, Callable[[World], str], Callable[[World, Api], object], int, str]
CASES: list[Case] = [
    (
        "write token writes its unit's figure",
        lambda w: make_token(w.rep_a, "write", w.a),
        lambda w, api: api.post("/api/v1/figures/", _figure(w)),
        201,
        "",
    ),
    (
        "read token writes",
        lambda w: make_token(w.rep_a, "read", w.a),
        lambda w, api: api.post("/api/v1/figures/", _figure(w)),
        403,
        "permission_denied",
    ),
    (
        "read token of 组织部 writes",
        lambda w: make_token(w.admin),
        lambda w, api: api.post("/api/v1/figures/", _figure(w)),
        403,
        "permission_denied",
    ),
    (
        "write token, another unit's indicator",
        lambda w: make_token(w.rep_a, "write", w.a),
        lambda w, api: api.post("/api/v1/figures/", _figure(w, indicator=w.share.pk)),
        403,
        "permission_denied",
    ),
    (
        "write token, another unit named",
        lambda w: make_token(w.rep_a, "write", w.a),
        lambda w, api: api.post("/api/v1/figures/", _figure(w, unit=w.b.pk)),
        403,
        "permission_denied",
    ),
    (
        "write token, its own unit named",
        lambda w: make_token(w.rep_a, "write", w.a),
        lambda w, api: api.post("/api/v1/figures/", _figure(w, unit=w.a.pk)),
        201,
        "",
    ),
    (
        "write token reads another unit's figure",
        lambda w: make_token(w.rep_a, "write", w.a),
        lambda w, api: api.get(f"/api/v1/figures/{_b_figure(w)}/"),
        404,
        "not_found",
    ),
    (
        "write token submits another unit's figure",
        lambda w: make_token(w.rep_a, "write", w.a),
        lambda w, api: api.post(f"/api/v1/figures/{_b_figure(w)}/submit/", {}),
        404,
        "not_found",
    ),
    (
        "unit's own write token submits it",
        lambda w: make_token(w.rep_b, "write", w.b),
        lambda w, api: api.post(f"/api/v1/figures/{_b_figure(w)}/submit/", {}),
        200,
        "",
    ),
    (
        "leader's all-units read token reads another unit's figure",
        lambda w: make_token(w.leader),
        lambda w, api: api.get(f"/api/v1/figures/{_b_figure(w)}/"),
        200,
        "",
    ),
    (
        "write token, locked period",
        lambda w: make_token(w.rep_a, "write", w.a),
        lambda w, api: api.post("/api/v1/figures/", _figure(w, period="2024Q4")),
        409,
        "period_locked",
    ),
    (
        "write token, another unit's task",
        lambda w: make_token(w.rep_a, "write", w.a),
        lambda w, api: api.post(
            "/api/v1/task-progress/", {"task": w.task_b.pk, "period": "2025Q2", "progress_status": "done"}
        ),
        403,
        "permission_denied",
    ),
    (
        "revoked token writes",
        _revoked,
        lambda w, api: api.post("/api/v1/figures/", _figure(w)),
        401,
        "authentication_failed",
    ),
    ("revoked token reads", _revoked, lambda w, api: api.get("/api/v1/units/"), 401, "authentication_failed"),
    ("expired token reads", _expired, lambda w, api: api.get("/api/v1/units/"), 401, "authentication_failed"),
    ("no token", lambda w: "", lambda w, api: api.get("/api/v1/figures/"), 401, "not_authenticated"),
]


@pytest.mark.parametrize("name, key, call, status, code", CASES, ids=[c[0] for c in CASES])
def test_token_permission_matrix(
    world: World, name: str, key: Callable[[World], str], call: Callable[[World, Api], Any], status: int, code: str
) -> None:
    ReportingPeriod.objects.create(kind="quarter", year=2024, index=4, state=ReportingPeriod.State.LOCKED)
    before = IndicatorValue.objects.filter(period=world.q2, department=world.a).count()
    token = key(world)
    response = call(world, Api(token or None))
    assert response.status_code == status, response.content.decode()
    if code:
        assert response.json()["code"] == code
    if status >= 400 and response.request["REQUEST_METHOD"] == "POST":
        assert IndicatorValue.objects.filter(period=world.q2, department=world.a).count() == before


def test_session_writes_need_the_csrf_token(world: World) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.rep_a)
    refused = Api(client=client).post("/api/v1/figures/", _figure(world))
    assert refused.status_code == 403 and "CSRF" in refused.json()["message"]
    assert Api(client=world.client(world.rep_a)).post("/api/v1/figures/", _figure(world)).status_code == 201
    assert Api(client=world.client(world.leader)).post("/api/v1/figures/", _figure(world)).status_code == 403
