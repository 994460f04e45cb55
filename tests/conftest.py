"""Shared fixtures. Tests build their own data; the seed plans are loaded from fixtures/seeds when asked for."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connections

from indicators.evaluation import services as verdicts
from indicators.models import IndicatorValue
from plans.models import Department, Membership, ReportingPeriod
from plans.roles import ADMIN, LEADER, REPORTER

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = "/usr/bin/chromium"  # Debian's package; `playwright install` cannot download on these machines
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def seeded(db) -> None:
    call_command("load_seed_plans", verbosity=0, stdout=io.StringIO())


def make_user(username: str, role: str, *units: Department, **extra) -> User:
    user = User.objects.create_user(username=username, password="pw-" + username, **extra)
    user.groups.add(Group.objects.get(name=role))
    for unit in units:
        Membership.objects.create(user=user, department=unit)
    return user


def mark_figures(*rows: IndicatorValue) -> None:
    """Tests that write figures through the ORM say what they changed, as the write services do."""
    verdicts.figures_changed(figures=[(r.indicator_id, r.department_id, r.period.end) for r in rows])


@pytest.fixture
def make_period(db):
    def _make(code: str, state: str = ReportingPeriod.State.OPEN, deadline: dt.date | None = None) -> ReportingPeriod:
        kind, year, index = ReportingPeriod.parse_code(code)
        period, created = ReportingPeriod.objects.get_or_create(
            kind=kind, year=year, index=index, defaults={"state": state, "deadline": deadline}
        )
        if created:  # a new evaluation date for the plans of its year, as `services.open_period` marks it
            verdicts.calendar_changed(period=period, reason="test")
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


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's chromium driven by Playwright's sync API, for tests that also take `live_server`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
            # While Playwright's sync API is entered, the test runs in a context of its own, so its ORM calls open a
            # database connection that the test database teardown never sees; PostgreSQL then refuses to drop the
            # database ("being accessed by other users"). Close it here, still inside that context.
            connections.close_all()
