"""Review (return → resubmit → approve), the audit trail on the item, periods (close, lock, reopen with a reason)
and 催报 (units with missing or draft items, overdue flagged)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators import services
from indicators.models import IndicatorValue, ReviewStatus, TaskProgress
from plans.models import ReportingPeriod
from tests.worlds.reporting import World, past, submitted_progress, submitted_value, value_row

pytestmark = pytest.mark.django_db

SAVE = reverse("reporting:save_value")
REVIEW = reverse("reporting:review")


def _review(world: World, value: IndicatorValue, action: str, reason: str = "", follow: bool = False):
    value.refresh_from_db()
    return world.client(world.admin).post(
        reverse("reporting:review_value", args=[value.pk]),
        {"action": action, "reason": reason, "version": value.version, "next": f"{REVIEW}?period=2025Q2"},
        follow=follow,
    )


def test_return_resubmit_approve_cycle_and_history(world: World) -> None:
    client = world.client(world.rep_a)
    client.post(SAVE, world.value_post(indicator=world.recruits, value="100", submit="1"))
    value = submitted_value(world, "26.5")

    queue = world.client(world.admin).get(f"{REVIEW}?period=2025Q2").content.decode()
    assert "人才资源总量" in queue and "引进人才" in queue and "审核通过" in queue

    response = _review(world, value, "return", "请按统计年鉴口径填写，并附统计表", follow=True)
    assert "已退回，填报单位会看到退回原因。" in response.content.decode()
    value.refresh_from_db()
    assert value.status == ReviewStatus.RETURNED and value.return_reason == "请按统计年鉴口径填写，并附统计表"

    # The reporter sees returned items first, with the reason.
    page = client.get(world.my_url()).content.decode()
    assert "有 1 项被组织部退回" in page
    cards = page[page.index("指标填报") :]
    assert cards.index("人才资源总量") < cards.index("引进人才")
    assert "退回原因：</strong>请按统计年鉴口径填写，并附统计表" in page

    # Saving a draft keeps it "returned"; resubmitting sends it back to the queue.
    client.post(SAVE, world.value_post(value="26.4", version=value.version))
    assert value_row(world).status == ReviewStatus.RETURNED
    client.post(SAVE, world.value_post(value="26.4", version=value_row(world).version, submit="1"))
    assert value_row(world).status == ReviewStatus.SUBMITTED
    queue = world.client(world.admin).get(f"{REVIEW}?period=2025Q2").content.decode()
    assert "上次退回原因" in queue and "请按统计年鉴口径填写" in queue

    assert _review(world, value, "approve").status_code == 302
    value.refresh_from_db()
    assert value.status == ReviewStatus.APPROVED and value.reviewed_by == world.admin and value.return_reason == ""

    # The whole exchange stays in history: who, when, old → new and reason.
    history = list(value.history.order_by("history_date", "history_id"))
    assert [h.history_change_reason for h in history] == [
        "填报并报送",
        "退回：请按统计年鉴口径填写，并附统计表",
        "保存草稿",
        "填报并报送",
        "审核通过",
    ]
    assert [h.history_user for h in history] == [world.rep_a, world.admin, world.rep_a, world.rep_a, world.admin]
    delta = history[2].diff_against(history[1], included_fields=["value"])
    assert (delta.changes[0].old, delta.changes[0].new) == (Decimal("26.5"), Decimal("26.4"))

    item_page = client.get(reverse("reporting:value", args=[value.pk])).content.decode()
    for text in (
        "实际值：26.5 → 26.4",
        "审核状态：已报送 → 已退回",
        "退回原因：— → 请按统计年鉴口径填写，并附统计表",
        "退回：请按统计年鉴口径填写，并附统计表",
        "审核通过",
        "zzb",
        "甲",
    ):
        assert text in item_page, text


def test_return_needs_a_reason_next_to_the_field(world: World) -> None:
    value = submitted_value(world)
    response = _review(world, value, "return", "  ")
    content = response.content.decode()
    assert response.status_code == 200
    assert '<p class="banner banner-blocked" role="alert">退回必须填写原因，填报人会看到该原因。</p>' in content
    assert value_row(world).status == ReviewStatus.SUBMITTED


def test_approve_refuses_a_figure_changed_since_the_queue_was_loaded(world: World) -> None:
    value = submitted_value(world)
    loaded_version = value.version
    # Changed since the queue was loaded (the form no longer edits a submitted figure; an import or the API may).
    entry = services.ValueEntry(indicator=world.total, department=world.a, period=world.q2, value=Decimal("26.9"))
    services.save_value(user=world.rep_a, entry=entry, submit=True)
    response = world.client(world.admin).post(
        reverse("reporting:review_value", args=[value.pk]), {"action": "approve", "version": loaded_version}
    )
    assert "请刷新后再操作" in response.content.decode()
    assert value_row(world).status == ReviewStatus.SUBMITTED


def test_only_submitted_items_can_be_approved(world: World) -> None:
    world.client(world.rep_a).post(SAVE, world.value_post(value="26.5"))
    response = _review(world, value_row(world), "approve")
    assert "只有“已报送”的项可以审核通过，当前状态为“草稿”。" in response.content.decode()


def test_review_queue_filters(world: World) -> None:
    submitted_value(world)
    world.client(world.rep_b).post(SAVE, world.value_post(indicator=world.share, department=world.b, value="35"))
    progress = submitted_progress(world)
    admin = world.client(world.admin)
    default = admin.get(f"{REVIEW}?period=2025Q2").content.decode()  # status defaults to 已报送
    assert "人才资源总量" in default and "高技能人才占比" not in default and f'id="rp{progress.pk}"' in default
    drafts = admin.get(f"{REVIEW}?period=2025Q2&status=draft").content.decode()
    assert "高技能人才占比" in drafts and "人才资源总量" not in drafts
    everything_b = admin.get(f"{REVIEW}?period=2025Q2&status=&unit={world.b.pk}").content.decode()
    assert "高技能人才占比" in everything_b and "人才资源总量" not in everything_b


def test_progress_return_and_resubmit(world: World) -> None:
    progress = submitted_progress(world)
    url = reverse("reporting:review_progress", args=[progress.pk])
    world.client(world.admin).post(
        url, {"action": "return", "reason": "请补充资金到位情况", "version": progress.version}
    )
    progress.refresh_from_db()
    assert progress.status == ReviewStatus.RETURNED
    page = world.client(world.rep_a).get(world.my_url()).content.decode()
    assert "请补充资金到位情况" in page
    world.client(world.rep_a).post(
        reverse("reporting:save_progress"),
        world.progress_post(progress="已引进博士5名，资金到位800万元", version=progress.version, submit="1"),
    )
    progress.refresh_from_db()
    assert progress.status == ReviewStatus.SUBMITTED
    history_page = world.client(world.rep_a).get(reverse("reporting:progress", args=[progress.pk])).content.decode()
    assert "进展情况：已引进博士5名 → 已引进博士5名，资金到位800万元" in history_page
    assert "退回：请补充资金到位情况" in history_page


# --- periods --------------------------------------------------------------------------------------------------


def _state(world: World, period: ReportingPeriod, state: str, reason: str = "") -> str:
    response = world.client(world.admin).post(
        reverse("reporting:period_state", args=[period.pk]),
        {"state": state, "reason": reason, "confirmed": "1"},
        follow=True,
    )
    period.refresh_from_db()
    return response.content.decode()


def test_period_lifecycle_with_recorded_reopen_reason(world: World) -> None:
    value = submitted_value(world)
    _state(world, world.q2, "closed")
    assert world.q2.state == ReportingPeriod.State.CLOSED
    # Closed: staff cannot edit, the admin can still review.
    content = world.client(world.rep_a).post(SAVE, world.value_post(value="27", version=value.version)).content.decode()
    assert "已截止填报" in content
    assert _review(world, value, "approve").status_code == 302
    _state(world, world.q2, "locked")
    assert world.q2.state == ReportingPeriod.State.LOCKED
    # Locked: no review either, and the message names the state.
    content = _review(world, value, "return", "更正").content.decode()
    assert "2025年第2季度 已锁定，不能再审核或退回；如需更正请先重新开放。" in content
    # Reopening needs a reason...
    content = _state(world, world.q2, "open")
    assert "重新开放已截止或已锁定的周期必须填写原因。" in content
    assert world.q2.state == ReportingPeriod.State.LOCKED
    # ...which is recorded with who did it.
    _state(world, world.q2, "open", "统计局更正了二季度数据")
    assert world.q2.state == ReportingPeriod.State.OPEN
    latest = world.q2.history.latest()
    assert (latest.history_change_reason, latest.history_user) == ("统计局更正了二季度数据", world.admin)
    assert "统计局更正了二季度数据" in world.client(world.admin).get(reverse("reporting:periods")).content.decode()


def test_reopen_with_a_new_deadline(world: World) -> None:
    world.q2.deadline = past(5)
    world.q2.state = ReportingPeriod.State.CLOSED
    world.q2.save()
    response = world.client(world.admin).post(
        reverse("reporting:period_state", args=[world.q2.pk]),
        {"state": "open", "reason": "补报", "deadline": "2099-01-31"},
    )
    assert response.status_code == 302
    world.q2.refresh_from_db()
    assert world.q2.deadline.isoformat() == "2099-01-31"
    assert world.client(world.rep_a).post(SAVE, world.value_post(value="26.5")).status_code == 302


def test_open_period_by_code_errors(world: World) -> None:
    admin = world.client(world.admin)
    content = admin.post(reverse("reporting:periods"), {"code": "2025Q2"}).content.decode()
    assert "2025年第2季度 已存在（状态：填报中）。" in content
    content = admin.post(reverse("reporting:periods"), {"code": "2025Q5"}).content.decode()
    assert "周期序号超出范围" in content
    content = admin.post(reverse("reporting:periods"), {"code": "明年"}).content.decode()
    assert "无法识别的周期代码" in content


def test_invalid_transition_message(world: World) -> None:
    content = _state(world, world.q2, "open", "x")
    assert "2025年第2季度 当前为“填报中”，不能变更为该状态。" in content


# --- 催报 -----------------------------------------------------------------------------------------------------


def test_overdue_lists_units_with_missing_draft_or_returned_items(world: World) -> None:
    client = world.client(world.rep_a)
    client.post(SAVE, world.value_post(value="26.5", submit="1"))
    client.post(SAVE, world.value_post(indicator=world.recruits, value="100"))  # draft
    client.post(SAVE, world.value_post(indicator=world.permille, value="3", submit="1"))
    client.post(reverse("reporting:save_progress"), world.progress_post(progress="推进中", submit="1"))
    world.q2.deadline = past(3)
    world.q2.save()
    content = world.client(world.leader).get(reverse("reporting:overdue") + "?period=2025Q2").content.decode()
    assert "已过截止日期" in content and "逾期" in content
    assert world.q2.deadline.isoformat() in content
    a_row = content[content.index("甲局") :]
    a_row = a_row[: a_row.index("</tr>")]
    assert "草稿：引进人才" in a_row and "未填报" not in a_row.split("</details>")[0].replace("未填报：", "")
    b_row = content[content.index("乙局") :]
    assert "未填报：高技能人才占比" in b_row and "rep_b" in b_row
    # Once 甲局 submits its draft it drops off the list.
    world.q2.deadline = None
    world.q2.save()
    client.post(SAVE, world.value_post(indicator=world.recruits, value="100", version=1, submit="1"))
    content = world.client(world.admin).get(reverse("reporting:overdue") + "?period=2025Q2").content.decode()
    assert "甲局" not in content.split("<tbody>")[1] and "1 个单位已全部报送" in content and "未逾期" in content


def test_returned_item_counts_as_outstanding(world: World) -> None:
    value = submitted_value(world)
    _review(world, value, "return", "请核实")
    content = world.client(world.admin).get(reverse("reporting:overdue") + "?period=2025Q2").content.decode()
    assert "已退回：人才资源总量" in content


def test_official_figure_status_decides_for_overdue(world: World) -> None:
    IndicatorValue.objects.create(
        indicator=world.total, period=world.q2, department=world.a, value=Decimal(26), status=ReviewStatus.SUBMITTED
    )
    IndicatorValue.objects.create(
        indicator=world.total,
        period=world.q2,
        department=world.a,
        value=Decimal(27),
        basis="official",
        status=ReviewStatus.DRAFT,
    )
    content = world.client(world.admin).get(reverse("reporting:overdue") + "?period=2025Q2").content.decode()
    assert "草稿：人才资源总量" in content
    assert TaskProgress.objects.count() == 0


def test_overdue_pages_its_units_and_cuts_each_units_item_names(world: World, monkeypatch) -> None:
    """A province's 催报 list is paged (units most behind first) and names a few items per unit, linking to the
    unit's reporting page for the rest."""
    from reporting.views import review as review_views

    monkeypatch.setattr(review_views, "OVERDUE_PAGE", 1)
    monkeypatch.setattr(review_views, "OVERDUE_DETAIL", 1)
    url = reverse("reporting:overdue") + "?period=2025Q2"
    first = world.client(world.admin).get(url).content.decode()
    second = world.client(world.admin).get(url + "&page=2").content.decode()
    rows = [page.split("<tbody>")[1].split("</tbody>")[0] for page in (first, second)]
    assert [("甲局" in r, "乙局" in r) for r in rows] in (
        [(True, False), (False, True)],
        [(False, True), (True, False)],
    )
    assert "第 1–1 个单位，共 2 个" in first and 'href="?period=2025Q2&amp;page=2"' in first
    assert rows[0].count("<li>") == 2  # one name of the kind shown, and the link to the unit's page for all
    assert "在该单位的填报页查看全部" in rows[0]
