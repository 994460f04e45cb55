"""The admin site shows figures and progress reports read-only with a link to the page that edits them through the
services (period state, version, history); nothing can be added, changed, deleted or reverted there."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from indicators import services
from indicators.models import IndicatorValue, TaskProgress
from tests.worlds.reporting import World, submitted_progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser() -> User:
    return User.objects.create_superuser("root_admin", password="pw-root")


def _value(world: World) -> IndicatorValue:
    return services.save_value(
        user=world.rep_a,
        entry=services.ValueEntry(indicator=world.total, department=world.a, period=world.q2, value=Decimal("26.5")),
    )


def test_a_figure_is_shown_read_only_with_a_link_to_its_page(world: World, superuser: User, client) -> None:
    row = _value(world)
    client.force_login(superuser)
    change = reverse("admin:indicators_indicatorvalue_change", args=[row.pk])
    page = client.get(change)
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("reporting:value", args=[row.pk]) in text
    assert 'name="_save"' not in text and 'name="value"' not in text
    listing = client.get(reverse("admin:indicators_indicatorvalue_changelist")).content.decode()
    assert reverse("reporting:value", args=[row.pk]) in listing


def test_the_admin_cannot_change_add_delete_or_revert_a_figure(world: World, superuser: User, client) -> None:
    row = _value(world)
    client.force_login(superuser)
    change = reverse("admin:indicators_indicatorvalue_change", args=[row.pk])
    assert client.post(change, {"value": "99", "note": "admin", "status": "approved"}).status_code == 403
    assert client.get(reverse("admin:indicators_indicatorvalue_add")).status_code == 403
    assert (
        client.post(reverse("admin:indicators_indicatorvalue_delete", args=[row.pk]), {"post": "yes"}).status_code
        == 403
    )
    version = row.history.latest().history_id
    revert = reverse("admin:indicators_indicatorvalue_simple_history", args=[row.pk, version])
    assert client.get(revert).status_code == 200  # an old version may be looked at
    assert client.post(revert, {"value": "1"}).status_code == 403
    row.refresh_from_db()
    assert (row.value, row.version, row.history.count()) == (Decimal("26.5"), 1, 1)


def test_task_progress_is_read_only_too(world: World, superuser: User, client) -> None:
    row = submitted_progress(world)
    client.force_login(superuser)
    change = reverse("admin:indicators_taskprogress_change", args=[row.pk])
    text = client.get(change).content.decode()
    assert reverse("reporting:progress", args=[row.pk]) in text
    assert client.post(change, {"progress": "admin"}).status_code == 403
    assert TaskProgress.objects.get(pk=row.pk).progress == "已引进博士5名"


def test_a_reporter_cannot_open_the_admin(world: World, client) -> None:
    row = _value(world)
    client.force_login(world.rep_a)
    response = client.get(reverse("admin:indicators_indicatorvalue_change", args=[row.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
