"""The review queue: it opens on the oldest period with items waiting, counts them per period, plan and unit,
filters and pages them, and approves or returns many at once after one confirmation, each decision recorded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import IndicatorValue, ReviewStatus, TaskProgress
from plans.models import ReportingPeriod
from tests.worlds.factories import IndicatorFactory, LeadFactory, ProgressFactory, TaskLeadFactory, ValueFactory
from tests.worlds.reporting import World, submitted_progress, submitted_value

pytestmark = pytest.mark.django_db

REVIEW = reverse("reporting:review")
DECIDE = reverse("reporting:review_decide")


def _waiting_values(world: World, n: int, period: ReportingPeriod | None = None, unit=None) -> list[IndicatorValue]:
    """n more submitted figures of 甲局 (or `unit`) in the world's plan."""
    unit = unit or world.a
    rows = []
    for _ in range(n):
        indicator = IndicatorFactory(plan=world.plan)
        LeadFactory(indicator=indicator, department=unit)
        rows.append(ValueFactory.create(indicator=indicator, department=unit, period=period or world.q2))
    return rows


def _tokens(rows: list[IndicatorValue]) -> list[str]:
    return [f"v{r.pk}.{r.version}" for r in rows]


def test_opens_on_the_oldest_period_with_items_waiting(world: World) -> None:
    _waiting_values(world, 2, period=world.q1)
    submitted_value(world)  # 2025Q2, the open period
    page = world.client(world.admin).get(REVIEW).content.decode()
    assert "2025年第1季度 · 周期状态" in page
    # Each period with items waiting is listed with its count.
    assert '2025年第1季度 <span class="count">2</span>' in page
    assert '2025年第2季度 <span class="count">1</span>' in page


def test_with_nothing_waiting_it_opens_on_the_open_period(world: World) -> None:
    page = world.client(world.admin).get(REVIEW).content.decode()
    assert "2025年第2季度 · 周期状态" in page and "目前没有等待审核的项。" in page


def test_counts_per_plan_and_unit_and_filters(world: World) -> None:
    _waiting_values(world, 3)
    _waiting_values(world, 2, unit=world.b)
    task = TaskLeadFactory.create(department=world.b, task__plan=world.plan).task
    ProgressFactory(task=task, department=world.b, period=world.q2)
    admin = world.client(world.admin)
    page = admin.get(f"{REVIEW}?period=2025Q2").content.decode()
    assert "已报送：共 6 项" in page
    assert '甲局 <span class="count">3</span>' in page and '乙局 <span class="count">3</span>' in page
    assert '测试区人才发展规划 <span class="count">6</span>' in page
    only_b = admin.get(f"{REVIEW}?period=2025Q2&unit={world.b.pk}").content.decode()
    assert "已报送：共 3 项" in only_b and f'id="rp{task.progress_reports.get().pk}"' in only_b
    assert "甲局</td>" not in only_b
    by_plan = admin.get(f"{REVIEW}?period=2025Q2&plan={world.plan.pk}&unit={world.a.pk}").content.decode()
    assert "已报送：共 3 项" in by_plan


def test_pages_through_a_long_queue(world: World) -> None:
    rows = _waiting_values(world, 60)
    admin = world.client(world.admin)
    first = admin.get(f"{REVIEW}?period=2025Q2&per_page=50").content.decode()
    assert "第 1–50 项" in first and "第 1 / 2 页" in first and first.count('name="items"') == 50
    second = admin.get(f"{REVIEW}?period=2025Q2&per_page=50&page=2").content.decode()
    assert "第 51–60 项" in second and second.count('name="items"') == 10
    shown = {r.pk for r in rows if f'id="rv{r.pk}"' in first or f'id="rv{r.pk}"' in second}
    assert shown == {r.pk for r in rows}


def test_bulk_approve_asks_once_then_records_each_decision(world: World) -> None:
    rows = _waiting_values(world, 3)
    admin = world.client(world.admin)
    form = {"action": "approve", "items": _tokens(rows), "next": f"{REVIEW}?period=2025Q2"}
    confirm = admin.post(DECIDE, form).content.decode()
    assert "确认审核通过" in confirm and "审核通过2025年第2季度的 3 项（甲局 3 项）" in confirm
    assert all(r.status == ReviewStatus.SUBMITTED for r in IndicatorValue.objects.filter(pk__in=[r.pk for r in rows]))
    done = admin.post(DECIDE, {**form, "confirmed": "1"}, follow=True).content.decode()
    assert "已审核通过 3 项。" in done
    for row in IndicatorValue.objects.filter(pk__in=[r.pk for r in rows]):
        assert row.status == ReviewStatus.APPROVED and row.reviewed_by == world.admin and row.version == 2
        last = row.history.order_by("-history_date", "-history_id").first()
        assert last.history_change_reason == "审核通过" and last.history_user == world.admin


def test_bulk_return_needs_one_reason_shared_by_all(world: World) -> None:
    rows = _waiting_values(world, 2)
    progress = submitted_progress(world)
    admin = world.client(world.admin)
    tokens = [*_tokens(rows), f"p{progress.pk}.{progress.version}"]
    refused = admin.post(DECIDE, {"action": "return", "items": tokens, "reason": " "}).content.decode()
    assert "退回必须填写原因，填报人会看到该原因。" in refused
    form = {"action": "return", "items": tokens, "reason": "请附统计表", "next": REVIEW}
    assert "确认退回" in admin.post(DECIDE, form).content.decode()
    admin.post(DECIDE, {**form, "confirmed": "1"})
    for row in IndicatorValue.objects.filter(pk__in=[r.pk for r in rows]):
        assert row.status == ReviewStatus.RETURNED and row.return_reason == "请附统计表"
        assert row.history.order_by("-history_id").first().history_change_reason == "退回：请附统计表"
    progress.refresh_from_db()
    assert progress.status == ReviewStatus.RETURNED and progress.return_reason == "请附统计表"


def test_an_item_changed_since_the_page_was_loaded_is_refused_the_others_decided(world: World) -> None:
    value = submitted_value(world)
    others = _waiting_values(world, 2)
    tokens = [f"v{value.pk}.{value.version}", *_tokens(others)]
    IndicatorValue.objects.filter(pk=value.pk).update(version=value.version + 1)  # the reporter saved again
    response = world.client(world.admin).post(
        DECIDE, {"action": "approve", "items": tokens, "confirmed": "1", "next": REVIEW}, follow=True
    )
    content = response.content.decode()
    assert "已审核通过 2 项。" in content and "以下 1 项未处理" in content and "请刷新后再操作" in content
    value.refresh_from_db()
    assert value.status == ReviewStatus.SUBMITTED


def test_a_locked_period_offers_no_decision_and_refuses_one(world: World) -> None:
    rows = _waiting_values(world, 1, period=world.q1)
    ReportingPeriod.objects.filter(pk=world.q1.pk).update(state=ReportingPeriod.State.LOCKED)
    admin = world.client(world.admin)
    page = admin.get(f"{REVIEW}?period=2025Q1").content.decode()
    assert "本周期已锁定" in page and 'name="items"' not in page
    response = admin.post(
        DECIDE, {"action": "approve", "items": _tokens(rows), "confirmed": "1", "next": REVIEW}, follow=True
    )
    assert "已锁定，不能再审核或退回" in response.content.decode()
    assert IndicatorValue.objects.get(pk=rows[0].pk).status == ReviewStatus.SUBMITTED


def test_one_row_approved_from_its_button(world: World) -> None:
    value = submitted_value(world)
    admin = world.client(world.admin)
    token = f"v{value.pk}.{value.version}"
    assert "确认审核通过" in admin.post(DECIDE, {"one": token, "next": REVIEW}).content.decode()
    admin.post(DECIDE, {"one": token, "confirmed": "1", "next": REVIEW})
    value.refresh_from_db()
    assert value.status == ReviewStatus.APPROVED


@pytest.mark.parametrize("who", ["rep_a", "leader"])
def test_only_the_organisation_department_decides(world: World, who: str) -> None:
    value = submitted_value(world)
    client = world.client(getattr(world, who))
    assert client.get(REVIEW).status_code == 403
    response = client.post(DECIDE, {"action": "approve", "items": [f"v{value.pk}.{value.version}"], "confirmed": "1"})
    assert response.status_code == 403
    assert IndicatorValue.objects.get(pk=value.pk).status == ReviewStatus.SUBMITTED


def test_approving_changes_the_verdicts_once_for_all(world: World, django_assert_max_num_queries) -> None:
    """Three hundred decisions are written together: the number of queries does not grow with them."""
    rows = _waiting_values(world, 30)
    admin = world.client(world.admin)
    form = {"action": "approve", "items": _tokens(rows), "confirmed": "1", "next": REVIEW}
    with django_assert_max_num_queries(60):
        assert admin.post(DECIDE, form).status_code == 302
    assert IndicatorValue.objects.filter(status=ReviewStatus.APPROVED, value=Decimal("10")).count() == 30


def test_progress_rows_follow_the_figures(world: World) -> None:
    submitted_value(world)
    progress = submitted_progress(world)
    page = world.client(world.admin).get(f"{REVIEW}?period=2025Q2").content.decode()
    assert page.index('id="rv') < page.index(f'id="rp{progress.pk}"')
    assert TaskProgress.objects.filter(status=ReviewStatus.SUBMITTED).count() == 1
