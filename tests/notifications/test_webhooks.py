"""Group robots (企业微信 / 钉钉): off until enabled; a unit's robot gets its unit's messages in the group-robot JSON,
once a day; a robot that fails or hangs is recorded after the timeout and never fails the write."""

from __future__ import annotations

import time

import pytest

from indicators import services
from notifications.models import Channel, Delivery, Result, WebhookTarget
from tests.worlds.notifications import robot
from tests.worlds.reporting import World, submitted_value, value_row

pytestmark = pytest.mark.django_db


def _return(world: World) -> None:
    services.return_item(user=world.admin, item=submitted_value(world), reason="请更正")


def test_off_by_default(world: World, django_capture_on_commit_callbacks) -> None:
    with robot() as (url, received):
        WebhookTarget.objects.create(name="甲局群", department=world.a, url=url)  # not enabled
        with django_capture_on_commit_callbacks(execute=True):
            _return(world)
    assert received == [] and not Delivery.objects.filter(channel=Channel.WEBHOOK).exists()


@pytest.mark.parametrize("kind", [WebhookTarget.Kind.WECOM, WebhookTarget.Kind.DINGTALK])
def test_a_units_robot_gets_its_message_once(world: World, django_capture_on_commit_callbacks, kind: str) -> None:
    with robot() as (url, received):
        WebhookTarget.objects.create(name="甲局群", department=world.a, url=url, kind=kind, secret="s", enabled=True)
        WebhookTarget.objects.create(name="乙局群", department=world.b, url=url, enabled=True)
        with django_capture_on_commit_callbacks(execute=True):
            _return(world)
    assert len(received) == 1  # 甲局's robot only
    assert received[0]["msgtype"] == "text" and "退回原因：请更正" in received[0]["text"]["content"]
    record = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert (record.department, record.result) == (world.a, Result.SENT)


def test_a_robot_error_is_recorded(world: World, django_capture_on_commit_callbacks) -> None:
    with robot(answer={"errcode": 93000, "errmsg": "invalid webhook url"}) as (url, _received):
        WebhookTarget.objects.create(name="甲局群", department=world.a, url=url, enabled=True)
        with django_capture_on_commit_callbacks(execute=True):
            _return(world)
    record = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert record.result == Result.FAILED and "93000" in record.detail


def test_a_hanging_robot_times_out_and_the_write_stands(
    world: World, django_capture_on_commit_callbacks, settings
) -> None:
    settings.NOTIFY_WEBHOOK_TIMEOUT = 1
    with robot(delay=3) as (url, _received):
        WebhookTarget.objects.create(name="甲局群", department=world.a, url=url, enabled=True)
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            _return(world)
        elapsed = time.monotonic() - started
    assert elapsed < 2.5
    record = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert record.result == Result.FAILED and "timed out" in record.detail
    assert value_row(world).status == "returned"


def test_the_organisation_departments_robot_gets_the_daily_summary(
    world: World, django_capture_on_commit_callbacks
) -> None:
    from io import StringIO

    from django.core.management import call_command

    world.q2.deadline = world.q2.end.replace(month=7, day=15)
    world.q2.save()
    world.rep_b.is_active = False
    world.rep_b.save()
    with robot() as (url, received):
        WebhookTarget.objects.create(name="组织部群", department=None, url=url, enabled=True)
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", "--today", "2025-07-13", stdout=StringIO())
    assert len(received) == 1  # one summary, not one per 组织部 account
    assert "未设置填报员" in received[0]["text"]["content"] and "乙局" in received[0]["text"]["content"]


def test_a_unit_without_a_reporter_is_reached_through_its_robot(
    world: World, django_capture_on_commit_callbacks
) -> None:
    from io import StringIO

    from django.core.management import call_command

    world.q2.deadline = world.q2.end.replace(month=7, day=15)
    world.q2.save()
    world.rep_b.is_active = False
    world.rep_b.save()
    with robot() as (url, received):
        WebhookTarget.objects.create(name="乙局群", department=world.b, url=url, enabled=True)
        for _run in range(2):  # the second run the same day posts nothing new
            with django_capture_on_commit_callbacks(execute=True):
                call_command("send_reminders", "--today", "2025-07-13", stdout=StringIO())
    assert len(received) == 1 and "还有 2 天截止" in received[0]["text"]["content"]
    record = Delivery.objects.get(channel=Channel.WEBHOOK)
    assert (record.department, record.result, record.notification) == (world.b, Result.SENT, None)
