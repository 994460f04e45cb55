"""A 督办 opened tells the unit's reporters (in the app, with a link to the notice); running the check again opens
nothing and tells nobody again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from assessment import escalation
from assessment.models import SupervisionNotice
from notifications.models import Kind, Notification
from tests.worlds.assessment import build_world, period

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 3, 1)


def test_a_new_notice_notifies_the_units_reporters() -> None:
    world = build_world()
    h1 = period("2024H1")
    world.value(world.per_unit, world.b, h1, "10")
    world.value(world.per_unit, world.a, h1, "40")
    escalation.run_escalation(user=world.admin, scheme=world.scheme, today=TODAY)
    notice = SupervisionNotice.objects.get(department=world.b, indicator=world.per_unit)
    note = Notification.objects.get(recipient=world.rep_b)
    assert note.kind == Kind.SUPERVISION and note.title.startswith("督办：")
    assert note.link == reverse("assessment:notice", args=[notice.pk]) and "请于 2025-03-16 前答复" in note.body
    assert not Notification.objects.filter(recipient=world.rep_c).exists()  # 丙 was not escalated
    escalation.run_escalation(user=world.admin, scheme=world.scheme, today=TODAY)
    assert Notification.objects.filter(recipient=world.rep_b).count() == 1
