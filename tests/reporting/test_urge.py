"""催报所选单位: 组织部 chooses units, sees who gets what, confirms once; the same records and once-a-day rule as
send_reminders. Units without a reporter are listed once as a set-up problem, not as rows to remind."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from notifications.models import Kind, Notification
from plans.models import ReportingPeriod
from tests.worlds.reporting import World

pytestmark = pytest.mark.django_db

OVERDUE = reverse("reporting:overdue")
URGE = reverse("reporting:overdue_urge")


def _post(world: World, user: User, *units: int, confirmed: bool = False) -> Any:
    data: dict[str, object] = {"period": "2025Q2", "units": [str(u) for u in units]}
    if confirmed:
        data["confirmed"] = "1"
    return world.client(user).post(URGE, data, follow=True)


def test_the_page_lists_unstaffed_units_once_and_offers_urging(world: World) -> None:
    world.rep_b.is_active = False
    world.rep_b.save()
    page = world.client(world.admin).get(f"{OVERDUE}?period=2025Q2").content.decode()
    assert "设置问题：1 个单位未设置填报员" in page
    assert f'id="u{world.a.pk}"' in page and f'id="u{world.b.pk}"' not in page  # 乙局 is not a row to remind
    assert "催报所选单位" in page and f'name="units" value="{world.a.pk}"' in page


def test_preview_then_one_confirmation_sends(world: World, django_capture_on_commit_callbacks) -> None:
    preview = _post(world, world.admin, world.a.pk, world.b.pk).content.decode()
    assert "确认催报" in preview and "甲局 → 甲（仅站内）" in preview and "乙局 → rep_b（仅站内）" in preview
    assert "向 2 个单位的 2 名填报员发送站内通知" in preview
    assert not Notification.objects.exists()  # nothing before the answer
    with django_capture_on_commit_callbacks(execute=True):
        done = _post(world, world.admin, world.a.pk, confirmed=True).content.decode()
    assert "已向 1 个单位的 1 名填报员发出催报" in done
    note = Notification.objects.get()
    assert (note.recipient, note.kind, note.sent_by) == (world.rep_a, Kind.URGED, world.admin)
    assert note.title.startswith("组织部催报：2025年第2季度 尚有")
    # Clicked again the same day: nothing new, and the preview says so.
    assert "今天已提醒，不再发送" in _post(world, world.admin, world.a.pk).content.decode()
    again = _post(world, world.admin, world.a.pk, confirmed=True).content.decode()
    assert "1 名填报员今天已收到提醒，未重复发送。" in again and Notification.objects.count() == 1


@pytest.mark.parametrize("who", ["rep_a", "leader"])
def test_only_the_admin_urges(world: World, who: str) -> None:
    assert _post(world, getattr(world, who), world.a.pk, confirmed=True).status_code == 403
    assert not Notification.objects.exists()
    page = world.client(world.leader).get(f"{OVERDUE}?period=2025Q2").content.decode()
    assert "催报所选单位" not in page  # the leader reads the list only


def test_a_closed_period_is_not_urged(world: World) -> None:
    world.q2.state = ReportingPeriod.State.CLOSED
    world.q2.save()
    response = _post(world, world.admin, world.a.pk, confirmed=True).content.decode()
    assert "已不在填报中" in response and not Notification.objects.exists()


def test_nothing_chosen(world: World) -> None:
    assert "请先勾选要催报的单位。" in _post(world, world.admin).content.decode()
