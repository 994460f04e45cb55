"""Results from the database, and the self-assessment → review → final score flow with its permissions."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.models import AssessmentScheme, BonusClaim, ItemScore, SchemeUnit, UnitAssessment
from assessment.selectors import UnitRow, scheme_results
from assessment.services import review, scheme_setup, self_assessment
from assessment.services.self_assessment import SelfScore
from indicators.evaluation import services as verdicts
from indicators.services import ServiceError
from tests.worlds.assessment import World, pdf, unit

pytestmark = pytest.mark.django_db
D = Decimal


def points(result, department) -> dict[str, Decimal]:
    row = result.row_for(department.pk)
    return {line.name: line.points for line in row.lines}


# --- results --------------------------------------------------------------------------------------------------


def test_scores_by_hand(world: World):
    result = scheme_results(world.scheme)
    a, b, c, d = (points(result, u) for u in (world.a, world.b, world.c, world.d))
    # 人才总量 (20, per unit): expected progress at 2024-12-31 is exactly 1/2 (one year of two). 甲 60 → progress 0.6
    # → on track → 20; 乙 30 → 0.3/0.5 = 0.6 × 20 = 12.00; 丙 10 → 0.2 < floor 0.3 → 6; 丁 nothing reported → 0.
    assert (a["人才总量"], b["人才总量"], c["人才总量"], d["人才总量"]) == (
        D("20.00"),
        D("12.00"),
        D("6.00"),
        D("0.00"),
    )
    # 研发投入 (10, plan level, reported 45 → 0.45/0.5 = 0.9, lagging): lead 甲 6 × 0.9 = 5.40,
    # responsible 乙 4 × 0.9 = 3.60; 丙 and 丁 have no role and are not assessed on it.
    assert (a["研发投入"], b["研发投入"]) == (D("5.40"), D("3.60"))
    assert "研发投入" not in c and "研发投入" not in d
    # 建设人才公寓 (10): lead 甲 done → 6; 乙 in progress → 4 × 0.8 = 3.2; 丙's report is not approved → 0; 丁 no role.
    assert (a["建设人才公寓"], b["建设人才公寓"], c["建设人才公寓"]) == (D("6.00"), D("3.20"), D("0.00"))
    assert "建设人才公寓" not in d
    rows = {r.unit.pk: r for r in result.rows}
    assert [rows[u.pk].score for u in (world.a, world.b, world.c, world.d)] == [
        D("31.40"),
        D("18.80"),
        D("6.00"),
        D("0.00"),
    ]
    assert [rows[u.pk].rank for u in (world.a, world.b, world.c, world.d)] == [1, 2, 3, 4]
    # 乙 and 丙 are both 重点镇; 甲 and 丁 are alone in their groups.
    assert [rows[u.pk].group_rank for u in (world.a, world.b, world.c, world.d)] == [1, 1, 2, 1]
    assert [name for name, _ in result.groups()] == ["经济开发区", "重点镇", "其他镇"]
    for row in result.rows:
        assert sum(line.points for line in row.lines) == row.score


def test_veto_ranks_the_unit_last_in_its_group_and_overall(world: World):
    review.review_item(
        user=world.admin,
        scheme=world.scheme,
        department=world.a,
        item=world.items["veto"],
        reviewed_score=None,
        vetoed=True,
        note="数据弄虚作假",
    )
    rows = {r.unit.pk: r for r in scheme_results(world.scheme).rows}
    assert rows[world.a.pk].vetoed and rows[world.a.pk].score == D("31.40")
    assert rows[world.a.pk].rank == 4 and rows[world.b.pk].rank == 1


def test_equal_scores_share_a_rank(world: World):
    # Give 丁 the same 6.00 as 丙 through a reviewed score: both third, nobody fourth.
    review.review_item(
        user=world.admin,
        scheme=world.scheme,
        department=world.d,
        item=world.items["per_unit"],
        reviewed_score=D("6"),
        note="补报数据已核实",
    )
    rows = {r.unit.pk: r for r in scheme_results(world.scheme).rows}
    assert (rows[world.c.pk].rank, rows[world.d.pk].rank) == (3, 3)


def test_results_take_a_constant_number_of_queries(world: World):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            scheme_results(world.scheme)
        return len(ctx.captured_queries)

    before = count()
    root = world.a.parent
    assert root is not None
    for i in range(3):
        extra = unit(root, f"新镇{i}", "其他镇", 10 + i)
        world.plan.assessed_units.add(extra)
        verdicts.recompute([world.plan.pk])  # assessed units decide per-unit verdicts
        SchemeUnit.objects.create(scheme=world.scheme, department=extra, group="其他镇", order=10 + i)
        world.value(world.per_unit, extra, world.period, "40")
    assert count() == before


def test_assessment_report_json(world: World):
    out = StringIO()
    call_command("assessment_report", "--plan", "test-plan", "--period", "2024y", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert [r["unit"] for r in payload] == ["甲开发区", "乙镇", "丙镇", "丁镇"]
    first = payload[0]
    assert set(first) == {"unit", "group", "score", "rank", "group_rank", "vetoed", "items"}
    assert set(first["items"][0]) == {"name", "kind", "points", "max", "explanation"}
    assert first["score"] == "31.40" and first["group"] == "经济开发区" and first["vetoed"] is False
    for row in payload:
        assert sum(D(i["points"]) for i in row["items"]) == D(row["score"])
        assert all(isinstance(i["points"], str) and D(i["points"]).as_tuple().exponent == -2 for i in row["items"])


# --- self-assessment → review → final score -------------------------------------------------------------------


def row_of(scheme: AssessmentScheme, department_id: int) -> UnitRow:
    row = scheme_results(scheme).row_for(department_id)
    assert row is not None, "the scheme assesses the unit"
    return row


def self_scores(world: World, department) -> dict[int, SelfScore]:
    row = row_of(world.scheme, department.pk)
    return {int(line.key): SelfScore(line.max, "自评满分") for line in row.lines if line.kind in ("indicator", "task")}


def test_full_flow_with_audit_trail(world: World):
    b = world.b
    self_assessment.save_self_assessment(
        user=world.rep_b, scheme=world.scheme, department=b, scores=self_scores(world, b), note="本镇自评", submit=True
    )
    assessment = UnitAssessment.objects.get(scheme=world.scheme, department=b)
    assert assessment.status == UnitAssessment.Status.SUBMITTED
    with pytest.raises(ServiceError, match="不能再修改"):
        self_assessment.save_self_assessment(user=world.rep_b, scheme=world.scheme, department=b, scores={})
    review.return_self_assessment(user=world.admin, scheme=world.scheme, department=b, reason="请补充说明")
    self_assessment.save_self_assessment(
        user=world.rep_b, scheme=world.scheme, department=b, scores=self_scores(world, b), submit=True
    )
    # Item by item: a different figure needs a reason; the computed one may be kept.
    with pytest.raises(ServiceError, match="理由"):
        review.review_item(
            user=world.admin, scheme=world.scheme, department=b, item=world.items["per_unit"], reviewed_score=D("15")
        )
    with pytest.raises(ServiceError, match="之间"):
        review.review_item(
            user=world.admin,
            scheme=world.scheme,
            department=b,
            item=world.items["per_unit"],
            reviewed_score=D("21"),
            note="超出满分",
        )
    review.review_item(
        user=world.admin,
        scheme=world.scheme,
        department=b,
        item=world.items["per_unit"],
        reviewed_score=D("15"),
        note="统计局补充数据",
    )
    review.review_item(
        user=world.admin,
        scheme=world.scheme,
        department=b,
        item=world.items["manual"],
        reviewed_score=D("-1"),
        note="材料不规范",
    )
    row = row_of(world.scheme, b.pk)
    line = next(line for line in row.lines if line.name == "人才总量")
    assert line.points == D("15.00") and line.computed == D("12.00") and "单位自评20分" in line.explanation
    assert row.score == D("18.80") - D("12.00") + D("15") - D("1")
    review.finalize_unit(user=world.admin, scheme=world.scheme, department=b)
    frozen = row_of(world.scheme, b.pk).score
    # Later data changes do not move a fixed score...
    world.plan_level.values.update(value=D("90"))  # 研发投入 now on track (a test shortcut: no history needed)
    verdicts.recompute([world.plan_level.plan_id])  # a plan-wide change, made here with QuerySet.update
    assert row_of(world.scheme, b.pk).score == frozen
    assert row_of(world.scheme, world.c.pk).score == D("6.00")
    # ...and cannot be reviewed until the final score is reopened, with a reason.
    with pytest.raises(ServiceError, match="已审定"):
        review.review_item(
            user=world.admin, scheme=world.scheme, department=b, item=world.items["per_unit"], reviewed_score=None
        )
    with pytest.raises(ServiceError, match="原因"):
        review.reopen_unit(user=world.admin, scheme=world.scheme, department=b, reason="")
    review.reopen_unit(user=world.admin, scheme=world.scheme, department=b, reason="数据更正")
    assert row_of(world.scheme, b.pk).score != frozen
    reasons = list(UnitAssessment.history.filter(id=assessment.pk).values_list("history_change_reason", flat=True))
    assert any("退回自评" in r for r in reasons) and any("审定总分" in r for r in reasons)
    assert any("撤销审定：数据更正" in r for r in reasons)
    score = ItemScore.objects.get(assessment=assessment, item=world.items["per_unit"])
    assert score.history.filter(history_change_reason="核定得分", history_user=world.admin).exists()
    assert score.history.filter(history_change_reason="单位自评", history_user=world.rep_b).exists()


def test_submit_requires_every_indicator_and_task_self_score(world: World):
    with pytest.raises(ServiceError, match="尚缺"):
        self_assessment.save_self_assessment(
            user=world.rep_b, scheme=world.scheme, department=world.b, scores={}, submit=True
        )
    assert not UnitAssessment.objects.filter(status=UnitAssessment.Status.SUBMITTED).exists()


def test_bonus_claims_need_evidence_and_review(world: World):
    b, scheme = world.b, world.scheme
    with pytest.raises(ServiceError, match="佐证材料"):
        self_assessment.add_claim(
            user=world.rep_b,
            scheme=scheme,
            department=b,
            item=world.items["national"],
            description="张某入选",
            quantity=1,
            evidence=None,
        )
    with pytest.raises(ServiceError, match="内容与扩展名不符"):
        self_assessment.add_claim(
            user=world.rep_b,
            scheme=scheme,
            department=b,
            item=world.items["national"],
            description="张某入选",
            quantity=1,
            evidence=SimpleUploadedFile("x.pdf", b"not a pdf"),
        )
    two = self_assessment.add_claim(
        user=world.rep_b,
        scheme=scheme,
        department=b,
        item=world.items["national"],
        description="张某、李某入选国家计划",
        quantity=2,
        evidence=pdf(),
    )
    city = self_assessment.add_claim(
        user=world.rep_b,
        scheme=scheme,
        department=b,
        item=world.items["city"],
        description="王某入选市级计划",
        quantity=3,
        evidence=pdf(),
    )
    row = row_of(scheme, b.pk)
    assert next(line for line in row.lines if line.name == "国家级人才").points == 0  # pending claims do not count
    with pytest.raises(ServiceError, match="未审核"):
        review.finalize_unit(user=world.admin, scheme=scheme, department=b)
    with pytest.raises(ServiceError, match="只有组织部管理员"):
        review.review_claim(user=world.rep_b, claim=two, approve=True)
    review.review_claim(user=world.admin, claim=two, approve=True)
    with pytest.raises(ServiceError, match="理由"):
        review.review_claim(user=world.admin, claim=city, approve=True, approved_quantity=2)
    review.review_claim(user=world.admin, claim=city, approve=True, approved_quantity=2, note="1人不在名单")
    lines = {line.name: line for line in row_of(scheme, b.pk).lines}
    # national 2 × 5 = 10 (item cap 10); city 2 × 1 = 2; together 12 > scheme cap 8 → −4.
    assert (lines["国家级人才"].points, lines["市级人才"].points, lines["加分封顶"].points) == (
        D("10.00"),
        D("2.00"),
        D("-4.00"),
    )
    assert BonusClaim.history.filter(id=city.pk, history_change_reason="认定加分").exists()


# --- permissions, one allowed and one refused case per rule ---------------------------------------------------


def test_reporter_self_scores_own_unit_only(world: World):
    self_assessment.save_self_assessment(
        user=world.rep_b,
        scheme=world.scheme,
        department=world.b,
        scores={world.items["task"].pk: SelfScore(D("3"), "")},
    )
    with pytest.raises(ServiceError, match="无权"):
        self_assessment.save_self_assessment(user=world.rep_b, scheme=world.scheme, department=world.c, scores={})
    with pytest.raises(ServiceError, match="无权"):
        self_assessment.add_claim(
            user=world.rep_b,
            scheme=world.scheme,
            department=world.c,
            item=world.items["national"],
            description="冒名申报",
            quantity=1,
            evidence=pdf(),
        )
    client = Client()
    client.force_login(world.rep_b)
    own = client.post(
        reverse("assessment:self_assess", args=[world.scheme.pk, world.b.pk]),
        {f"self_{world.items['task'].pk}": "3.5", "action": "save"},
    )
    assert own.status_code == 302
    assert ItemScore.objects.get(assessment__department=world.b, item=world.items["task"]).self_score == D("3.5")
    other = client.post(reverse("assessment:self_assess", args=[world.scheme.pk, world.c.pk]), {"action": "save"})
    assert other.status_code == 404
    assert client.get(reverse("assessment:unit", args=[world.scheme.pk, world.c.pk])).status_code == 404
    page = client.get(reverse("assessment:unit", args=[world.scheme.pk, world.b.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "报送组织部" in html and f'name="self_{world.items["per_unit"].pk}"' in html and 'name="evidence"' in html


def test_only_the_organisation_department_reviews(world: World):
    for user in (world.rep_b, world.leader):
        with pytest.raises(ServiceError, match="只有组织部管理员"):
            review.review_item(
                user=user,
                scheme=world.scheme,
                department=world.b,
                item=world.items["per_unit"],
                reviewed_score=D("1"),
                note="x",
            )
        with pytest.raises(ServiceError, match="只有组织部管理员"):
            review.finalize_unit(user=user, scheme=world.scheme, department=world.b)
    client = Client()
    client.force_login(world.rep_b)
    client.post(
        reverse("assessment:item_review", args=[world.scheme.pk, world.b.pk]),
        {"item": world.items["per_unit"].pk, "reviewed_score": "1", "note": "x"},
    )
    assert not ItemScore.objects.filter(reviewed_score__isnull=False).exists()
    review.review_item(
        user=world.admin,
        scheme=world.scheme,
        department=world.b,
        item=world.items["per_unit"],
        reviewed_score=D("1"),
        note="核减",
    )
    assert ItemScore.objects.get(item=world.items["per_unit"]).reviewed_score == D("1")


def test_leader_reads_everything_and_changes_nothing(world: World):
    client = Client()
    client.force_login(world.leader)
    assert client.get(reverse("assessment:scheme", args=[world.scheme.pk])).status_code == 200
    page = client.get(reverse("assessment:unit", args=[world.scheme.pk, world.c.pk]))
    assert (
        page.status_code == 200
        and "报送组织部" not in page.content.decode()
        and "审定总分" not in page.content.decode()
    )
    with pytest.raises(ServiceError):
        self_assessment.save_self_assessment(user=world.leader, scheme=world.scheme, department=world.b, scores={})
    with pytest.raises(ServiceError):
        scheme_setup.set_scheme_status(user=world.leader, scheme=world.scheme, status=AssessmentScheme.Status.CLOSED)
    client.post(
        reverse("assessment:self_assess", args=[world.scheme.pk, world.b.pk]),
        {f"self_{world.items['task'].pk}": "3", "action": "submit"},
    )
    assert not ItemScore.objects.exists() and not UnitAssessment.objects.filter(status="submitted").exists()


def test_closed_or_draft_schemes_take_no_self_assessment(world: World):
    scheme_setup.set_scheme_status(user=world.admin, scheme=world.scheme, status=AssessmentScheme.Status.CLOSED)
    with pytest.raises(ServiceError, match="无权"):
        self_assessment.save_self_assessment(user=world.rep_b, scheme=world.scheme, department=world.b, scores={})
    with pytest.raises(ServiceError, match="原因"):
        scheme_setup.set_scheme_status(user=world.admin, scheme=world.scheme, status=AssessmentScheme.Status.ACTIVE)
    scheme_setup.set_scheme_status(
        user=world.admin, scheme=world.scheme, status=AssessmentScheme.Status.DRAFT, reason="调整方案"
    )
    client = Client()
    client.force_login(world.rep_b)
    assert client.get(reverse("assessment:scheme", args=[world.scheme.pk])).status_code == 404  # drafts are 组织部's
