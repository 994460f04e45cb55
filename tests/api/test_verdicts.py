"""Verdicts through the API are the verdicts of `plan_report --json` (the same read path, the same values), paged
over indicators and units with a constant number of queries per page."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import Indicator
from plans.models import Membership, Plan
from tests.api.helpers import Api, make_token

pytestmark = pytest.mark.django_db
VERDICT_KEYS = {
    "status",
    "status_label",
    "target_judged",
    "actual",
    "actual_period",
    "stale",
    "figure_basis",
    "provisional",
    "final",
    "completion",
    "expected",
    "expected_progress",
    "progress",
    "gap",
    "gap_to_expected",
    "gap_to_target",
    "growth_rate",
    "reasons",
    "explanation",
    "number",
    "name",
    "per_unit",
}


@pytest.fixture
def demo(seeded) -> None:
    call_command("load_demo_data", stdout=io.StringIO())


def _all(api: Api, params: dict[str, object]) -> tuple[dict, list[dict]]:
    body = api.get("/api/v1/verdicts/", params).json()
    rows = list(body["results"])
    while body["next"]:
        body = api.get(body["next"]).json()
        rows += body["results"]
    return body, rows


@pytest.mark.parametrize("period", [None, "2025Q4", "2023Y"])
def test_verdicts_are_plan_reports(demo, period: str | None) -> None:
    from django.contrib.auth.models import User

    api = Api(make_token(User.objects.get(username="leader")))
    args = ["--json"] + (["--period", period] if period else [])
    out = io.StringIO()
    call_command("plan_report", *args, stdout=out)
    reports = json.loads(out.getvalue())
    assert len(reports) == Plan.objects.count() >= 5
    compared = 0
    for report in reports:
        params = {"plan": report["code"], "level": "indicator", "page_size": 7}
        if period:
            params["period"] = period
        body, rows = _all(api, params)
        assert (
            body["period"],
            body["as_of"],
            body["verdicts_as_of"],
            body["phase"],
            body["provisional"],
            body["recalculating"],
        ) == (
            report["period"],
            report["as_of"],
            report["verdicts_as_of"],
            report["phase"],
            report["provisional"],
            report["recalculating"],
        )
        assert len(rows) == len(report["indicators"])
        for row, expected in zip(rows, report["indicators"]):
            assert set(row) >= VERDICT_KEYS and set(expected) >= VERDICT_KEYS
            assert {k: row[k] for k in VERDICT_KEYS} == {k: expected[k] for k in VERDICT_KEYS}
            compared += 1
    assert compared > 100
    statuses = {r["status"] for report in reports for r in report["indicators"]}
    assert len(statuses) >= 3  # real verdicts, not only 无数据


def test_unit_rows_pages_and_constant_queries(demo) -> None:
    from django.contrib.auth.models import User

    plan = Plan.objects.filter(indicators__per_unit=True).distinct().order_by("code").first()
    assert plan is not None
    api = Api(make_token(User.objects.get(username="leader")))
    api.get("/api/v1/periods/")
    whole, everything = _all(api, {"plan": plan.code, "page_size": 1000})
    assert whole["next"] is None
    per_unit = [r for r in everything if r["unit"] is not None]
    assert per_unit and all(r["per_unit"] for r in per_unit)
    own = [r for r in everything if r["unit"] is None]
    assert len(own) == Indicator.objects.filter(plan=plan).count()
    # Pages of any size give the same rows in the same order, each page in the same number of queries.
    for size in (1, 3, 10):
        rows: list[dict[str, Any]] = []
        counts: list[int] = []
        url = "/api/v1/verdicts/"
        params: dict[str, Any] | None = {"plan": plan.code, "page_size": size}
        while url:
            with CaptureQueriesContext(connection) as ctx:
                body = api.get(url, params).json()
            counts.append(len(ctx.captured_queries))
            assert len(body["results"]) == size or body["next"] is None
            rows += body["results"]
            url, params = body["next"], None
        assert rows == everything
        # token, plan, calendar, the page's indicators, their unit counts; plan_results: indicators, assignments,
        # milestones, verdicts, units (the plan read with plans_queryset says whether a recalculation is under way)
        assert max(counts) <= 10 and set(counts[:-1]) <= {10}, counts
    unit = per_unit[0]["unit"]
    _body, mine = _all(api, {"plan": plan.code, "unit": unit})
    assert mine == [r for r in everything if r["unit"] == unit]
    _body, lines = _all(api, {"plan": plan.code, "level": "unit", "page_size": 5})
    assert lines == per_unit


def test_verdict_query_errors_name_the_parameter(demo) -> None:
    from django.contrib.auth.models import User

    api = Api(make_token(User.objects.get(username="leader")))
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({}, 400, "plan"),
        ({"plan": "nope"}, 404, "plan"),
        ({"plan": "wuxing-14th", "period": "2099Q1"}, 400, "period"),
        ({"plan": "wuxing-14th", "period": "2025Q9"}, 400, "period"),
        ({"plan": "wuxing-14th", "level": "x"}, 400, "level"),
        ({"plan": "wuxing-14th", "page_size": 5000}, 400, "page_size"),
        ({"plan": "wuxing-14th", "cursor": "!!"}, 400, "cursor"),
        ({"plan": "wuxing-14th", "unit": "a"}, 400, "unit"),
    ]
    for params, status, field in cases:
        response = api.get("/api/v1/verdicts/", params)
        assert response.status_code == status, params
        assert list(response.json()["fields"]) == [field], params


def test_published_assessments_only(demo) -> None:
    from django.contrib.auth.models import User

    from assessment.models import Bulletin

    call_command("load_demo_assessment", stdout=io.StringIO())
    published = Bulletin.objects.filter(status=Bulletin.Status.PUBLISHED)
    assert published.exists() and Bulletin.objects.exclude(status=Bulletin.Status.PUBLISHED).exists()
    leader = Api(make_token(User.objects.get(username="leader")))
    body = leader.get("/api/v1/assessments/").json()
    assert [r["id"] for r in body["results"]] == sorted(published.values_list("pk", flat=True))
    first = body["results"][0]
    bulletin = published.get(pk=first["id"])
    assert bulletin.snapshot is not None
    assert first["ranking"] == bulletin.snapshot["ranking"] and first["content"] == bulletin.snapshot
    assert first["period"] == bulletin.scheme.period.code and first["plan"] == bulletin.scheme.plan.code
    assert leader.get("/api/v1/assessments/", {"period": "2013Y"}).json()["results"][0]["id"] == first["id"]
    # a draft bulletin is not published: 404 even for 领导
    draft = Bulletin.objects.exclude(status=Bulletin.Status.PUBLISHED).first()
    assert draft is not None
    assert leader.get(f"/api/v1/assessments/{draft.pk}/").status_code == 404
    reporter = Api(
        make_token(
            User.objects.get(username="town_shengze"),
            "read",
            Membership.objects.filter(user__username="town_shengze").select_related("department").get().department,
        )
    )
    assert [r["id"] for r in reporter.get("/api/v1/assessments/").json()["results"]] == [first["id"]]


def test_pages_go_on_past_verdicts_not_stored_yet(demo) -> None:
    from django.contrib.auth.models import User

    from indicators.evaluation.models import Verdict

    plan = Plan.objects.filter(indicators__per_unit=True).distinct().order_by("code").first()
    assert plan is not None
    first_per_unit = Indicator.objects.filter(plan=plan, per_unit=True).order_by("order", "pk").first()
    Verdict.objects.filter(indicator=first_per_unit, unit__isnull=False).delete()  # its units still being computed
    api = Api(make_token(User.objects.get(username="leader")))
    _body, whole = _all(api, {"plan": plan.code, "page_size": 1000})
    for size in (2, 5):
        _body, paged = _all(api, {"plan": plan.code, "page_size": size})
        assert paged == whole
    _body, units_only = _all(api, {"plan": plan.code, "level": "unit", "page_size": 2})
    assert units_only == [r for r in whole if r["unit"] is not None]
