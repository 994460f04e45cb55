"""通知 page: everyone reads only their own notifications, newest first; opening one marks it read and goes to what it
is about; the page reads in a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications import messages as texts
from notifications import services as notify
from notifications.models import Notification
from tests.worlds.reporting import World

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
LIST_MAX = 6  # measured: 5 (user, roles for the navigation, unread count, page count, rows; the header from the cache)


def _send(world: World, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        message = texts.decided(
            approved=False, period=world.q2, department=world.a, names=[f"项{i}"], reason="x", ref=f"t{i}"
        )
        notify.to_units(messages=[message])


def test_the_list_shows_my_notifications_only(world: World) -> None:
    _send(world, 2)
    page = world.client(world.rep_a).get(LIST).content.decode()
    assert page.count('class="card notification unread"') == 2 and "2 条未读" in page
    other = world.client(world.rep_b).get(LIST).content.decode()
    assert "还没有通知" in other


def test_login_required(world: World) -> None:
    response = world.client(None).get(LIST)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_opening_marks_read_and_goes_to_the_item(world: World) -> None:
    _send(world, 1)
    note = Notification.objects.get()
    client = world.client(world.rep_a)
    response = client.post(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == note.link
    note.refresh_from_db()
    assert note.read_at is not None
    assert 'class="unread-count"' not in client.get(LIST).content.decode()


def test_another_persons_notification_is_a_404(world: World) -> None:
    _send(world, 1)
    note = Notification.objects.get()
    assert world.client(world.rep_b).post(reverse("notifications:open", args=[note.pk])).status_code == 404
    assert world.client(world.admin).post(reverse("notifications:open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read(world: World) -> None:
    _send(world, 3)
    client = world.client(world.rep_a)
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "已将 3 条通知标为已读。" in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    # Another person's "mark all" touches only their own.
    _send(world, 1, start=10)
    world.client(world.rep_b).post(reverse("notifications:read_all"))
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def _queries(world: World) -> int:
    client = world.client(world.rep_a)
    client.get(LIST)  # warm: translations, content types, the header's cached count
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST).status_code == 200
    return len(ctx.captured_queries)


def test_constant_queries(world: World) -> None:
    _send(world, 3)
    few = _queries(world)
    _send(world, 40, start=3)
    many = _queries(world)
    assert few == many <= LIST_MAX
