"""Irreversible actions ask once, naming what they will do, and then say what happened; submitted items are
read-only until returned. Without JavaScript the question is a page of its own (components/confirm.html); with it,
a dialog (data-confirm) answers for the page, so the server does not ask again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicators.models import IndicatorValue, ReviewStatus
from plans.models import ReportingPeriod
from tests.worlds.reporting import World, submitted_value, value_row

pytestmark = pytest.mark.django_db

SAVE = reverse("reporting:save_value")
SUBMIT_ALL = reverse("reporting:submit_all")


def _state_url(world: World) -> str:
    return reverse("reporting:period_state", args=[world.q2.pk])


@pytest.mark.parametrize(
    ("state", "question", "done"),
    [
        ("locked", "锁定2025年第2季度：2个单位将不能再修改，审核也随之冻结", "2025年第2季度 已锁定：数据已冻结"),
        ("closed", "截止2025年第2季度：2个单位将不能再填报或修改，已报送的项仍可审核", "2025年第2季度 已截止"),
    ],
)
def test_closing_or_locking_a_period_asks_once(world: World, state: str, question: str, done: str) -> None:
    admin = world.client(world.admin)
    periods = admin.get(reverse("reporting:periods")).content.decode()
    assert f'value="{state}" data-confirm="{question}' in periods  # the dialog's question, on the button
    asked = admin.post(_state_url(world), {"state": state})
    assert asked.status_code == 200 and question in asked.content.decode()
    world.q2.refresh_from_db()
    assert world.q2.state == ReportingPeriod.State.OPEN  # nothing done before the answer
    answered = admin.post(_state_url(world), {"state": state, "confirmed": "1"}, follow=True)
    world.q2.refresh_from_db()
    assert world.q2.state == state and done in answered.content.decode()


@pytest.mark.parametrize("who", ["rep_a", "leader"])
def test_only_the_admin_is_asked_about_locking(world: World, who: str) -> None:
    assert world.client(getattr(world, who)).post(_state_url(world), {"state": "locked"}).status_code == 403


def test_reopening_asks_for_a_reason_not_a_confirmation(world: World) -> None:
    world.q2.state = ReportingPeriod.State.LOCKED
    world.q2.save()
    response = world.client(world.admin).post(_state_url(world), {"state": "open", "reason": "补报"}, follow=True)
    world.q2.refresh_from_db()
    assert world.q2.state == ReportingPeriod.State.OPEN
    assert "2025年第2季度 已重新开放填报" in response.content.decode()


def test_submit_page_asks_naming_the_items_then_says_what_happened(world: World) -> None:
    client = world.client(world.rep_a)
    client.post(SAVE, world.value_post(value="26.5"))
    posted = {"department": world.a.pk, "period": world.q2.pk, "view_plan": "test-plan"}
    asked = client.post(SUBMIT_ALL, posted).content.decode()
    assert "报送2025年第2季度本页 1 项（草稿和退回项）：报送后等待组织部审核，在退回前不能再修改。" in asked
    assert "草稿 · 人才资源总量" in asked and 'name="confirmed" value="1"' in asked
    assert value_row(world).status == ReviewStatus.DRAFT
    done = client.post(SUBMIT_ALL, {**posted, "confirmed": "1"}, follow=True).content.decode()
    assert value_row(world).status == ReviewStatus.SUBMITTED
    assert "已报送 1 项，等待组织部审核" in done


def test_submit_page_refused_for_another_unit(world: World) -> None:
    response = world.client(world.rep_b).post(SUBMIT_ALL, {"department": world.a.pk, "period": world.q2.pk})
    assert response.status_code == 404


def test_saving_says_what_happened(world: World) -> None:
    client = world.client(world.rep_a)
    draft = client.post(SAVE, world.value_post(value="26.5"), follow=True).content.decode()
    assert "“人才资源总量”已保存为草稿，尚未报送。" in draft
    version = value_row(world).version
    sent = client.post(SAVE, world.value_post(value="26.5", version=version, submit="1"), follow=True)
    assert "“人才资源总量”已报送，等待组织部审核。" in sent.content.decode()
    assert 'data-confirm="报送“人才资源总量”' not in sent.content.decode()  # read-only now: no form, no button


def test_submitted_item_is_read_only_until_returned(world: World) -> None:
    value = submitted_value(world)
    client = world.client(world.rep_a)
    page = client.get(world.my_url()).content.decode()
    card = page[page.index(f'id="v{world.total.pk}"') :]
    card = card[: card.index("</article>")]
    assert 'name="value"' not in card and "已报送，等待组织部审核；审核前不能修改" in card
    refused = client.post(SAVE, world.value_post(value="30", version=value.version)).content.decode()
    assert "“人才资源总量”已报送，等待组织部审核，不能再修改；如需修改请联系组织部退回。" in refused
    assert value_row(world).value == value.value
    # Returned: editable again.
    world.client(world.admin).post(
        reverse("reporting:review_value", args=[value.pk]),
        {"action": "return", "reason": "请更正", "version": value.version},
    )
    value.refresh_from_db()
    assert value.status == ReviewStatus.RETURNED
    assert client.post(SAVE, world.value_post(value="30", version=value.version)).status_code == 302
    assert IndicatorValue.objects.get(pk=value.pk).value == 30
