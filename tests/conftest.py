"""Shared fixtures. Tests build their own data; the seed plans are loaded from fixtures/seeds when asked for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from plans.models import Department, Membership, ReportingPeriod
from plans.roles import ADMIN, LEADER, REPORTER


@pytest.fixture
def seeded(db) -> None:
    call_command("load_seed_plans", verbosity=0, stdout=open("/dev/null", "w"))


def make_user(username: str, role: str, *units: Department, **extra) -> User:
    user = User.objects.create_user(username=username, password="pw-" + username, **extra)
    user.groups.add(Group.objects.get(name=role))
    for unit in units:
        Membership.objects.create(user=user, department=unit)
    return user


@pytest.fixture
def make_period(db):
    def _make(code: str, state: str = ReportingPeriod.State.OPEN, deadline: dt.date | None = None) -> ReportingPeriod:
        kind, year, index = ReportingPeriod.parse_code(code)
        period, _ = ReportingPeriod.objects.get_or_create(
            kind=kind, year=year, index=index, defaults={"state": state, "deadline": deadline}
        )
        return period

    return _make


@pytest.fixture
def roles(db):
    return {name: Group.objects.get(name=name) for name in (ADMIN, REPORTER, LEADER)}


@pytest.fixture(autouse=True)
def chinese_first():
    """Each test starts in the product's default language; a request that switched to English must not leak."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()
