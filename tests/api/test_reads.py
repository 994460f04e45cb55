"""Reads: units, plans with sections, indicators, tasks, periods, figures (filters, updated_since, cursor pages),
task progress, published assessments; documentation served from the app; pinned query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api import schema as api_schema
from indicators.models import IndicatorValue, Milestone, ReviewStatus
from plans.models import Section
from tests.api.helpers import Api, make_token
from tests.worlds.reporting import World, world  # noqa: F401  (fixtures, used by name)

pytestmark = pytest.mark.django_db


def _queries(api: Api, url: str, params: dict | None = None) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url, params)
    assert response.status_code == 200, response.content.decode()
    return response.json(), len(ctx.captured_queries)


def test_reference_data_with_pinned_query_counts(world: World) -> None:
    Section.objects.create(plan=world.plan, key="1", number="一、", title="总体要求")
    Milestone.objects.create(indicator=world.total, year=2023, value=Decimal("26"))
    api = Api(make_token(world.leader))
    api.get("/api/v1/periods/")  # the token's first use is recorded once
    # token (1) + list (1) [+ prefetches]
    counts = {
        "/api/v1/units/": 2,
        "/api/v1/plans/": 3,
        f"/api/v1/plans/{world.plan.code}/": 4,
        "/api/v1/indicators/": 5,
        "/api/v1/tasks/": 4,
        "/api/v1/periods/": 2,
    }
    for url, expected in counts.items():
        _body, queries = _queries(api, url)
        assert queries == expected, url
    plan = api.get(f"/api/v1/plans/{world.plan.code}/").json()
    assert plan["sections"][0]["title"] == "总体要求" and plan["issuer_name"] == "测试区"
    indicators = api.get("/api/v1/indicators/", {"plan": world.plan.code}).json()["results"]
    total = next(i for i in indicators if i["id"] == world.total.pk)
    assert (
        total["baseline"] == "20" and total["target"] == "30" and total["milestones"] == [{"year": 2023, "value": "26"}]
    )
    assert (total["kind"], total["comparison"], total["basis"], total["lead"]) == ("level", "gte", "end", ["甲局"])
    tasks = api.get("/api/v1/tasks/", {"unit": world.b.pk}).json()["results"]
    assert [(t["number"], t["lead"], t["responsible"]) for t in tasks] == [
        ("1.", ["甲局"], ["乙局"]),
        ("2.", ["乙局"], []),
    ]
    periods = api.get("/api/v1/periods/", {"state": "open"}).json()["results"]
    assert [(p["code"], p["state_label"]) for p in periods] == [("2025Q2", "填报中")]


def test_query_count_does_not_grow_with_rows(world: World) -> None:
    from tests.worlds.reporting import build_world

    api = Api(make_token(world.leader))
    api.get("/api/v1/periods/")
    before = {url: _queries(api, url)[1] for url in ("/api/v1/indicators/", "/api/v1/tasks/", "/api/v1/figures/")}
    other = build_world(extra_indicators=6, extra_tasks=4, tag="2")
    IndicatorValue.objects.create(indicator=other.total, period=other.q2, department=other.a, value=Decimal("1"))
    after = {url: _queries(api, url)[1] for url in before}
    assert after == before


def test_figures_filters_and_updated_since(world: World) -> None:
    api = Api(make_token(world.leader))
    old = IndicatorValue.objects.get(indicator=world.total, period=world.q1)
    IndicatorValue.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=3))
    new = IndicatorValue.objects.create(
        indicator=world.share, period=world.q2, department=world.b, value=Decimal("33"), status=ReviewStatus.SUBMITTED
    )
    ids = lambda **p: [r["id"] for r in api.get("/api/v1/figures/", p).json()["results"]]
    assert ids() == [old.pk, new.pk]
    assert (
        ids(unit=world.b.pk) == [new.pk]
        and ids(period="2025q1") == [old.pk]
        and ids(plan=world.plan.code) == [old.pk, new.pk]
    )
    assert ids(plan="nope") == [] and ids(status="submitted") == [new.pk]
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert ids(updated_since=since) == [new.pk]
    row = api.get(f"/api/v1/figures/{new.pk}/").json()
    assert (row["value"], row["period"], row["plan"], row["unit"], row["version"]) == (
        "33",
        "2025Q2",
        world.plan.code,
        world.b.pk,
        1,
    )
    bad = api.get("/api/v1/figures/", {"period": "2025Q5", "updated_since": "yesterday"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert set(bad.json()["fields"]) == {"period", "updated_since"} and "1–4" in bad.json()["fields"]["period"]


def test_cursor_pages_follow_next_links(world: World) -> None:
    combos = [
        (world.recruits, world.q1),
        (world.recruits, world.q2),
        (world.permille, world.q1),
        (world.permille, world.q2),
        (world.total, world.q2),
    ]
    for n, (indicator, period) in enumerate(combos):
        IndicatorValue.objects.create(indicator=indicator, period=period, department=world.a, value=Decimal(n))
    api = Api(make_token(world.leader))
    seen, url = [], "/api/v1/figures/"
    params: dict[str, Any] | None = {"page_size": 2}
    while url:
        body = api.get(url, params).json()
        assert len(body["results"]) <= 2
        seen += [r["id"] for r in body["results"]]
        url, params = body["next"], None
    assert seen == sorted(IndicatorValue.objects.values_list("pk", flat=True))


def test_a_unit_token_reads_only_its_units_figures(world: World) -> None:
    mine = IndicatorValue.objects.get(indicator=world.total, period=world.q1)
    theirs = IndicatorValue.objects.create(
        indicator=world.share, period=world.q2, department=world.b, value=Decimal("3")
    )
    reader = Api(make_token(world.rep_a, "read", world.a))
    assert [r["id"] for r in reader.get("/api/v1/figures/").json()["results"]] == [mine.pk]
    refused = reader.get(f"/api/v1/figures/{theirs.pk}/")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    leader_for_b = Api(make_token(world.leader, "read", world.b))
    assert [r["id"] for r in leader_for_b.get("/api/v1/figures/").json()["results"]] == [theirs.pk]
    everyone = Api(make_token(world.leader))
    assert len(everyone.get("/api/v1/figures/").json()["results"]) == 2


def test_task_progress_reads(world: World) -> None:
    from indicators import services

    row = services.save_progress(
        user=world.rep_a,
        task=world.task_a,
        department=world.a,
        period=world.q2,
        progress_status="in_progress",
        progress="已启动",
    )
    body = Api(make_token(world.rep_a, "read", world.a)).get("/api/v1/task-progress/", {"period": "2025Q2"}).json()
    assert [(r["id"], r["progress"], r["progress_status_label"]) for r in body["results"]] == [
        (row.pk, "已启动", "推进中")
    ]
    assert Api(make_token(world.rep_b, "read", world.b)).get("/api/v1/task-progress/").json()["results"] == []


def test_unknown_address_and_method_are_json(world: World) -> None:
    api = Api(make_token(world.leader), check_schema=False)
    missing = api.get("/api/v1/nothing-here/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    refused = api.post("/api/v1/units/", {})
    assert refused.status_code == 403  # a read token may not write, whatever the address


def test_schema_and_documentation_are_served_by_the_app(world: World, client) -> None:
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/verdicts/", "/api/v1/figures/", "/api/v1/figures/batch/", "/api/v1/task-progress/"} <= set(paths)
    for url in ("/api/v1/docs/", "/api/v1/redoc/"):
        html = client.get(url).content.decode()
        assert "/static/drf_spectacular_sidecar/" in html
        assert "cdn" not in html.lower() and "https://" not in html.replace("https://github.com", "")


def test_schema_is_generated_once_per_language(world: World, client) -> None:
    first = client.get("/api/v1/schema/?format=json")
    again = client.get("/api/v1/schema/?format=json")
    english = client.get("/api/v1/schema/?format=json&lang=en")
    assert first.content == again.content and english.status_code == 200
    assert first.json()["paths"].keys() == english.json()["paths"].keys()
    kept = (len(api_schema._SCHEMAS), len(api_schema._RENDERED))
    client.get("/api/v1/schema/?format=json&lang=anything-a-client-sends")
    client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json; indent=7")
    assert (len(api_schema._SCHEMAS), len(api_schema._RENDERED)) == kept  # what a client chooses freely is not kept
