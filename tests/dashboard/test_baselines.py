"""组织部 records baselines in the app (issue 15 §4): the verdict turns from 未达标 (no path) to a 序时 judgement,
every change has its history and reason, and only 组织部 may do it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.evaluation.selectors import first, plan_results
from indicators.models import Indicator, UnitTarget
from plans.roles import ADMIN, LEADER, REPORTER
from tests.conftest import make_user
from tests.worlds.dashboard import add_indicator, add_value

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def share(world):
    """A 32 % share target printed without a baseline, 22 reported at 2023Y."""
    ind = add_indicator(
        world["plan"],
        "高技能人才占技能劳动者比例",
        lead=world["hr"],
        order=5,
        kind="rate",
        unit="%",
        is_share=True,
        target=D(32),
        target_year=2025,
        decimals=0,
        group="人才结构",
    )
    add_value(ind, world["p2023"], world["hr"], "22")
    return ind


def status(world, ind: Indicator) -> str:
    result = first(plan_results([world["plan"]], as_of=world["p2023"].end, indicator_ids=[ind.pk]))
    return result.indicators[0].status.value


def test_admin_records_a_baseline_and_the_verdict_gets_a_path(world, share, client):
    assert status(world, share) == "below_target"  # no baseline: never "on track" from zero
    admin = make_user("zzb", ADMIN, world["root"])
    client.force_login(admin)
    url = reverse("dashboard:baseline", args=[share.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"year": "2020", "value": "20", "reason": "2020年统计公报"})
    assert response.status_code == 302
    share.refresh_from_db()
    assert (share.baseline_year, share.baseline) == (2020, D(20))
    # 20 → 32 over 2021–2025; end-2023 expects 20 + 12 × 3/5 = 27.2; 22 is progress 2/12 = 0.1667 of 0.6 → behind
    assert status(world, share) == "behind"
    record = share.history.latest()
    assert record.history_user == admin and record.history_change_reason == "2020年统计公报"


def test_per_unit_baselines_with_history(world, client):
    plan = world["plan"]
    plan.assessed_units.set([world["hr"], world["edu"]])
    ind = add_indicator(
        plan, "每单位人才数", order=9, per_unit=True, target=D(100), target_year=2025, unit="人", decimals=0
    )
    client.force_login(make_user("zzb", ADMIN, world["root"]))
    url = reverse("dashboard:baseline", args=[ind.pk])
    page = client.get(url).content.decode()
    assert "区人社局" in page and "区教育局" in page
    response = client.post(
        url,
        {
            "year": "",
            "value": "",
            "reason": "各单位2020年报",
            f"u{world['hr'].pk}_year": "2020",
            f"u{world['hr'].pk}_value": "40",
        },
    )
    assert response.status_code == 302
    own = UnitTarget.objects.get(indicator=ind, department=world["hr"])
    assert (own.baseline_year, own.baseline) == (2020, D(40))
    assert own.history.latest().history_change_reason == "各单位2020年报"
    assert not UnitTarget.objects.filter(indicator=ind, department=world["edu"]).exists()


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"year": "", "value": "20", "reason": "x"}, "填写基期值时须同时填写基期年度"),
        ({"year": "2020", "value": "20", "reason": ""}, "请填写录入或修改基期值的依据"),
        ({"year": "2030", "value": "20", "reason": "x"}, "基期年度2030不合理"),
        ({"year": "二〇二〇", "value": "20", "reason": "x"}, "应为四位年份"),
        ({"year": "2020", "value": "1e400", "reason": "x"}, "1e400"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(world, share, client, post, message):
    client.force_login(make_user("zzb", ADMIN, world["root"]))
    response = client.post(reverse("dashboard:baseline", args=[share.pk]), post)
    assert response.status_code == 400 and message in response.content.decode()
    share.refresh_from_db()
    assert share.baseline is None


@pytest.mark.parametrize("role", [LEADER, REPORTER])
def test_only_the_organisation_department_may_record_baselines(world, share, client, role):
    client.force_login(make_user("u", role, world["hr"]))
    url = reverse("dashboard:baseline", args=[share.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"year": "2020", "value": "20", "reason": "x"}).status_code == 403
    share.refresh_from_db()
    assert share.baseline is None
    assert "录入/修改" not in client.get(reverse("dashboard:indicator", args=[share.pk])).content.decode()
