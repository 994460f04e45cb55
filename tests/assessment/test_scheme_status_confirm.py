"""更改状态 of an assessment scheme asks once, naming what it changes for the units, then says what it did."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from assessment.models import AssessmentScheme
from tests.worlds.assessment import World

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_closing_a_scheme_asks_then_closes(world: World) -> None:
    url = reverse("assessment:scheme_status", args=[world.scheme.pk])
    admin = _client(world.admin)
    page = admin.get(reverse("assessment:scheme", args=[world.scheme.pk])).content.decode()
    assert 'data-confirm-choice="status"' in page and "的状态改为“{choice}”" in page
    asked = admin.post(url, {"status": "closed"}).content.decode()
    assert f"结束考核方案“{world.scheme.title}”：4个单位将不能再自评或修改" in asked
    world.scheme.refresh_from_db()
    assert world.scheme.status == AssessmentScheme.Status.ACTIVE
    done = admin.post(url, {"status": "closed", "confirmed": "1"}, follow=True).content.decode()
    world.scheme.refresh_from_db()
    assert world.scheme.status == AssessmentScheme.Status.CLOSED and "方案状态已改为“已结束”。" in done


def test_a_leader_is_not_asked_and_changes_nothing(world: World) -> None:
    url = reverse("assessment:scheme_status", args=[world.scheme.pk])
    response = _client(world.leader).post(url, {"status": "closed"}, follow=True)
    assert "结束考核方案" not in response.content.decode()
    world.scheme.refresh_from_db()
    assert world.scheme.status == AssessmentScheme.Status.ACTIVE
