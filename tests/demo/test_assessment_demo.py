"""load_demo_assessment: seed 000's demo towns assessed for 2013Y and 2014H1, labelled, idempotent; pages render."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from assessment.models import AssessmentScheme, BonusClaim, Bulletin, SupervisionNotice, UnitAssessment
from assessment.selectors import latest_unit_results, open_notices
from plans.models import Department

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(seeded) -> None:
    call_command("load_demo_data", stdout=StringIO())
    call_command("load_demo_assessment", stdout=StringIO())


def report(period: str) -> list[dict]:
    out = StringIO()
    call_command("assessment_report", "--plan", "wujiang-town-3yr", "--period", period, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_demo_is_labelled_idempotent_and_exercises_the_rules(demo):
    counts = (
        AssessmentScheme.objects.count(),
        UnitAssessment.objects.count(),
        BonusClaim.objects.count(),
        SupervisionNotice.objects.count(),
    )
    out = StringIO()
    call_command("load_demo_assessment", stdout=out)
    assert "演示数据" in out.getvalue()
    assert counts == (
        AssessmentScheme.objects.count(),
        UnitAssessment.objects.count(),
        BonusClaim.objects.count(),
        SupervisionNotice.objects.count(),
    )
    assert all(s.is_demo and "演示" in s.title for s in AssessmentScheme.objects.all())
    assert all(b.is_demo and "演示" in b.title for b in Bulletin.objects.all())
    assert all(n.is_demo for n in SupervisionNotice.objects.all())
    rows = {r["unit"]: r for r in report("2014H1")}
    assert {r["group"] for r in rows.values()} == {"经济开发区", "重点镇", "其他镇"}
    shengze = rows["盛泽镇（演示）"]
    assert [i["points"] for i in shengze["items"] if i["kind"] == "bonus_cap"] == ["-3.00"]  # 13 claimed, cap 10
    qidu = rows["七都镇（演示）"]
    assert qidu["vetoed"] and qidu["rank"] == len(rows)  # last whatever its score
    for row in rows.values():
        assert sum(Decimal(i["points"]) for i in row["items"]) == Decimal(row["score"])
    assert Bulletin.objects.get(scheme__period__code="2013Y").is_published
    assert not Bulletin.objects.get(scheme__period__code="2014H1").is_published
    assert open_notices() and any(n.reason == "overdue" for n in open_notices())


def test_change_against_previous_assessment(demo):
    town = Department.objects.get(name="盛泽镇（演示）")
    latest, previous = latest_unit_results(town)
    assert latest.previous_score == previous.score and latest.change == latest.score - previous.score


@pytest.mark.parametrize(
    "username,password",
    [("zzb_admin", "demo-zzb-2025"), ("leader", "demo-leader-2025"), ("town_shengze", "demo-report-2025")],
)
def test_pages_render_for_every_role(demo, username, password):
    client = Client()
    assert client.login(username=username, password=password)
    scheme = AssessmentScheme.objects.get(period__code="2014H1")
    town = Department.objects.get(name="盛泽镇（演示）")
    published = AssessmentScheme.objects.get(period__code="2013Y")
    urls = [
        reverse("assessment:index"),
        reverse("assessment:scheme", args=[scheme.pk]),
        reverse("assessment:unit", args=[scheme.pk, town.pk]),
        reverse("assessment:bulletin", args=[published.pk]),
        reverse("assessment:bulletin_xlsx", args=[published.pk]),
        reverse("assessment:notices"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("assessment:unit", args=[scheme.pk, town.pk])).content.decode()
    assert "演示数据" in page and "加分封顶" in page
    claim = BonusClaim.objects.filter(assessment__department=town).first()
    assert claim is not None
    assert client.get(reverse("assessment:claim_evidence", args=[claim.pk])).status_code == 200
