"""Bulletins (通报): draft reads live results, publishing freezes a JSON snapshot; Excel writes text as text."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from assessment.models import Bulletin
from assessment.services import publishing, review
from indicators.evaluation import services as verdicts
from indicators.services import ServiceError
from tests.worlds.assessment import World

pytestmark = pytest.mark.django_db


def sheet_rows(content: bytes) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [tuple(c.value for c in row) for row in book["考核通报"].iter_rows()]


def test_draft_then_published_bulletin_is_frozen(world: World):
    bulletin = publishing.ensure_bulletin(user=world.admin, scheme=world.scheme)
    client = Client()
    client.force_login(world.admin)
    url = reverse("assessment:bulletin", args=[world.scheme.pk])
    draft = client.get(url).content.decode()
    assert "草稿（未发布）" in draft and "31.40" in draft and "甲开发区" in draft
    publishing.publish_bulletin(user=world.admin, bulletin=bulletin)
    bulletin.refresh_from_db()
    assert bulletin.is_published and bulletin.snapshot is not None
    assert bulletin.snapshot["ranking"][0]["score"] == "31.40"
    # Later changes: a reviewed score and new figures. The live results move; the bulletin does not.
    review.review_item(
        user=world.admin,
        scheme=world.scheme,
        department=world.a,
        item=world.items["per_unit"],
        reviewed_score=Decimal("10"),
        note="核减",
    )
    world.per_unit.values.filter(department=world.c).update(value=Decimal("50"))
    verdicts.recompute([world.per_unit.plan_id])  # a plan-wide change, made here with QuerySet.update
    page = client.get(url).content.decode()
    assert "草稿（未发布）" not in page and "31.40" in page and "21.40" not in page
    xlsx = client.get(reverse("assessment:bulletin_xlsx", args=[world.scheme.pk]))
    cells = [c for row in sheet_rows(xlsx.content) for c in row if c is not None]
    assert 31.40 in cells and 21.40 not in cells
    assert Bulletin.objects.get(pk=bulletin.pk).snapshot == bulletin.snapshot
    with pytest.raises(ServiceError, match="已冻结"):
        publishing.update_bulletin(user=world.admin, bulletin=bulletin, title="改标题")
    with pytest.raises(ServiceError, match="已于"):
        publishing.publish_bulletin(user=world.admin, bulletin=bulletin)
    assert bulletin.history.filter(history_change_reason="发布通报", history_user=world.admin).exists()


def test_bulletin_lists_groups_red_items_and_good_examples(world: World):
    review.review_item(
        user=world.admin,
        scheme=world.scheme,
        department=world.d,
        item=world.items["veto"],
        reviewed_score=None,
        vetoed=True,
        note="数据造假",
    )
    bulletin = publishing.ensure_bulletin(user=world.admin, scheme=world.scheme)
    publishing.update_bulletin(
        user=world.admin,
        bulletin=bulletin,
        title="关于2024年度考核结果的通报",
        good_examples="甲开发区人才公寓建设经验",
    )
    publishing.publish_bulletin(user=world.admin, bulletin=bulletin)
    data = Bulletin.objects.get(pk=bulletin.pk).snapshot
    assert data is not None
    assert [g["name"] for g in data["groups"]] == ["经济开发区", "重点镇", "其他镇"]
    assert [r["unit"] for r in data["groups"][1]["rows"]] == ["乙镇", "丙镇"]
    red = {(r["unit"], r["name"]) for r in data["red_items"]}
    assert ("乙镇", "人才总量") in red and ("丙镇", "建设人才公寓") in red and ("甲开发区", "人才总量") not in red
    assert data["vetoed"][0]["unit"] == "丁镇"
    assert {x["unit"] for x in data["good_examples"]["leaders"]} == {"甲开发区", "乙镇"}  # 丁 was vetoed
    assert data["good_examples"]["text"] == "甲开发区人才公寓建设经验"


def test_excel_writes_formula_like_text_as_text(world: World):
    world.d.name = '=HYPERLINK("http://evil","点我")'
    world.d.save()
    bulletin = publishing.ensure_bulletin(user=world.admin, scheme=world.scheme)
    publishing.update_bulletin(user=world.admin, bulletin=bulletin, title="+通报", good_examples="@SUM(A1:A2)")
    client = Client()
    client.force_login(world.admin)
    response = client.get(reverse("assessment:bulletin_xlsx", args=[world.scheme.pk]))
    assert response.status_code == 200
    assert "%E8%8D%89%E7%A8%BF" in response["Content-Disposition"]  # 草稿, percent-encoded
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [c for row in book["考核通报"].iter_rows() for c in row if c.value is not None]
    risky = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert {c.value for c in risky} >= {'=HYPERLINK("http://evil","点我")', "@SUM(A1:A2)"}
    assert all(c.data_type == "s" for c in risky)
    assert any(isinstance(c.value, str) and c.value.startswith("+通报") and "草稿" in c.value for c in cells)
    scores = [c.value for c in cells if c.data_type == "n"]
    assert 31.40 in scores


def test_only_the_organisation_department_publishes(world: World):
    bulletin = publishing.ensure_bulletin(user=world.admin, scheme=world.scheme)
    for user in (world.leader, world.rep_b):
        with pytest.raises(ServiceError, match="只有组织部管理员"):
            publishing.publish_bulletin(user=user, bulletin=bulletin)
    reporter = Client()
    reporter.force_login(world.rep_b)
    url = reverse("assessment:bulletin", args=[world.scheme.pk])
    assert reporter.get(url).status_code == 404  # drafts are not circulated
    assert reporter.post(reverse("assessment:bulletin_publish", args=[world.scheme.pk])).status_code == 404
    leader = Client()
    leader.force_login(world.leader)
    assert leader.get(url).status_code == 200
    leader.post(reverse("assessment:bulletin_publish", args=[world.scheme.pk]))
    assert not Bulletin.objects.get(pk=bulletin.pk).is_published
    admin = Client()
    admin.force_login(world.admin)
    admin.post(reverse("assessment:bulletin_publish", args=[world.scheme.pk]))
    assert Bulletin.objects.get(pk=bulletin.pk).is_published
    assert reporter.get(url).status_code == 200  # published: circulated to the assessed units
