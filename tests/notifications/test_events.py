"""Events reach the people they concern: a return, an approval and a period opening notify the unit's reporters, in
the app (with the unread count in the header), by e-mail, and each message is recorded. Nothing is sent twice in a
day; a failing channel never fails the write that caused it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from indicators import services
from notifications.models import Channel, Delivery, Kind, Notification, Result
from tests.worlds.reporting import World, submitted_value

pytestmark = pytest.mark.django_db


def _return(world: World, reason: str = "请附统计局盖章件") -> None:
    value = submitted_value(world)
    services.return_item(user=world.admin, item=value, reason=reason)


def test_a_return_tells_the_units_reporters_with_the_reason(world: World, django_capture_on_commit_callbacks) -> None:
    world.rep_a.email = "rep_a@example.gov.cn"
    world.rep_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        _return(world)
    note = Notification.objects.get(recipient=world.rep_a)
    assert note.kind == Kind.RETURNED and note.title == "2025年第2季度：1 项被退回，请修改后重新报送"
    assert "“人才资源总量”被组织部退回。退回原因：请附统计局盖章件" in note.body
    assert note.link.endswith("status=returned") and note.sent_by == world.admin
    assert not Notification.objects.filter(recipient=world.rep_b).exists()  # 乙局 is not concerned
    assert [m.to for m in mail.outbox] == [["rep_a@example.gov.cn"]] and note.title in mail.outbox[0].subject
    records = set(Delivery.objects.values_list("recipient__username", "channel", "result"))
    assert records == {("rep_a", Channel.IN_APP, Result.SENT), ("rep_a", Channel.EMAIL, Result.SENT)}


def test_header_shows_the_unread_count(world: World, django_capture_on_commit_callbacks) -> None:
    client = world.client(world.rep_a)
    assert 'class="unread-count"' not in client.get(world.my_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _return(world)
    page = client.get(world.my_url()).content.decode()
    assert '<span class="unread-count">1</span>' in page and "通知：1 条未读" in page


def test_an_approval_is_told_too(world: World, django_capture_on_commit_callbacks) -> None:
    value = submitted_value(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_item(user=world.admin, item=value)
    note = Notification.objects.get(recipient=world.rep_a)
    assert note.kind == Kind.APPROVED and "“人才资源总量”已审核通过" in note.body


def test_without_an_email_address_the_email_is_recorded_as_not_sent(
    world: World, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _return(world)
    assert mail.outbox == []
    email = Delivery.objects.get(channel=Channel.EMAIL)
    assert (email.result, email.detail) == (Result.SKIPPED, "未设置邮箱")


def test_a_failing_mail_server_is_recorded_and_the_return_stands(
    world: World, django_capture_on_commit_callbacks, settings
) -> None:
    settings.EMAIL_BACKEND = "tests.worlds.notifications.BrokenEmailBackend"
    world.rep_a.email = "rep_a@example.gov.cn"
    world.rep_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        _return(world)
    email = Delivery.objects.get(channel=Channel.EMAIL)
    assert email.result == Result.FAILED and "SMTP" in email.detail
    assert Notification.objects.filter(recipient=world.rep_a).count() == 1


def test_opening_a_period_tells_every_units_reporters(world: World, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client(world.admin).post(
            reverse("reporting:periods"), {"code": "2025Q3", "deadline": "2025-10-15", "remind_days": "5"}, follow=True
        )
    assert "2025年第3季度 已开放填报，各单位填报员已收到通知。" in response.content.decode()
    notes = {n.recipient.username: n for n in Notification.objects.select_related("recipient", "period")}
    assert set(notes) == {"rep_a", "rep_b"}
    assert notes["rep_a"].title == "2025年第3季度 开始填报" and "填报截止日期：2025-10-15" in notes["rep_a"].body
    assert notes["rep_a"].period is not None and notes["rep_a"].period.remind_days == 5


def test_the_same_message_is_not_sent_twice_in_a_day(world: World) -> None:
    from notifications import messages as texts
    from notifications import services as notify

    message = texts.period_opened(period=world.q2, department=world.a)
    first = notify.to_units(messages=[message])
    again = notify.to_units(messages=[message])
    assert len(first.created) == 1 and again.created == [] and len(again.repeated) == 1
    assert Notification.objects.count() == 1
