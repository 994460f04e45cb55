"""The deadline-rush load test's bookkeeping: an accepted submission is checked against the stored figure and its
history (lost / duplicated), and its first error message is read from a refused form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from benchmarks.loadtest import check_submissions
from benchmarks.loadusers import _first_error
from indicators import services
from tests.worlds.reporting import World

pytestmark = pytest.mark.django_db


def _submit(world: World, value: str) -> dict[str, object]:
    services.save_value(
        user=world.rep_a,
        entry=services.ValueEntry(indicator=world.total, department=world.a, period=world.q2, value=Decimal(value)),
        submit=True,
    )
    return {
        "indicator": world.total.pk,
        "department": world.a.pk,
        "period": world.q2.pk,
        "basis": "estimate",
        "value": value,
        "username": world.rep_a.username,
    }


def test_a_stored_submission_is_neither_lost_nor_duplicated(world: World) -> None:
    since = timezone.now()
    sent = _submit(world, "26.5")
    check = check_submissions([sent], since)
    assert (check["accepted"], check["lost"], check["duplicated"]) == (1, 0, 0)


def test_a_figure_that_is_not_the_one_sent_is_lost_and_a_second_write_is_a_duplicate(world: World) -> None:
    since = timezone.now()
    sent = _submit(world, "26.5")
    _submit(world, "26.7")  # written behind the load test's back
    check = check_submissions([sent], since)
    assert check["lost"] == 1 and check["duplicated"] == 1


def test_the_first_error_of_a_refused_form() -> None:
    html = '<div><p class="errorlist field-error" role="alert">“引进人才”应填写整数（单位：人）。</p></div>'
    assert _first_error(html) == "“引进人才”应填写整数（单位：人）。"
