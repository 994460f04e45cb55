"""send_reminders: who is reminded and why, N days before the deadline and after it; units without a reporter
listed once for 组织部; a second run the same day sends nothing new."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from notifications.models import Kind, Notification
from plans.models import ReportingPeriod
from tests.worlds.reporting import World

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2025, 7, 15)


def _run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("send_reminders", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def due(world: World) -> World:
    """2025Q2 open, due on 15 July; 乙局's only reporter has left (inactive): nobody can be reminded there."""
    world.q2.deadline = DEADLINE
    world.q2.save()
    world.rep_b.is_active = False
    world.rep_b.save()
    return world


def test_dry_run_lists_who_would_be_reminded_and_why(due: World) -> None:
    result = _run("--dry-run", "--today", "2025-07-13")
    (period,) = result["periods"]
    assert (period["period"], period["why"], period["why_text"]) == ("2025Q2", "due_soon", "还有 2 天截止")
    (unit,) = period["units"]
    assert unit["unit"] == "甲局" and [r["username"] for r in unit["recipients"]] == ["rep_a"]
    assert unit["outstanding"] == unit["missing"] > 0 and unit["title"].startswith("2025年第2季度 还有 2 天截止")
    assert period["units_without_reporter"] == [{"unit": "乙局", "unit_id": due.b.pk}]
    assert result["dry_run"] and not Notification.objects.exists()


def test_a_second_run_the_same_day_sends_nothing_new(due: World) -> None:
    first = _run("--today", "2025-07-13")
    assert first["sent"]["notifications"] == 1 and first["sent"]["people"] == 1
    note = Notification.objects.get(recipient=due.rep_a)
    assert note.kind == Kind.DUE_SOON and note.day == dt.date(2025, 7, 13)
    summary = Notification.objects.get(recipient=due.admin)
    assert "乙局" in summary.body and "未设置填报员" in summary.body
    count = Notification.objects.count()
    again = _run("--today", "2025-07-13")
    assert again["sent"]["notifications"] == 0 and again["sent"]["repeated"] == 1
    assert again["periods"][0]["units"][0]["recipients"][0]["sent_today"] is True
    assert Notification.objects.count() == count
    # The next day is another day.
    assert _run("--today", "2025-07-14")["sent"]["notifications"] == 1


def test_before_the_window_nothing_is_sent_and_the_first_day_is_named(due: World) -> None:
    result = _run("--today", "2025-07-01")
    period = result["periods"][0]
    assert (period["why"], period["starts_on"], period["reminds_today"]) == ("not_yet", "2025-07-12", False)
    assert period["units"][0]["unit"] == "甲局"  # who would be reminded, listed
    assert result["sent"]["notifications"] == 0 and not Notification.objects.exists()


def test_after_the_deadline_the_reminder_says_overdue(due: World) -> None:
    _run("--today", "2025-07-18")
    note = Notification.objects.get(recipient=due.rep_a)
    assert note.kind == Kind.OVERDUE and "已逾期 3 天" in note.title


def test_reminder_days_are_per_period(due: World) -> None:
    due.q2.remind_days = 7
    due.q2.save()
    assert _run("--dry-run", "--today", "2025-07-08")["periods"][0]["why"] == "due_soon"


def test_closed_periods_are_not_reminded(due: World) -> None:
    due.q2.state = ReportingPeriod.State.CLOSED
    due.q2.save()
    assert all(p["period"] != "2025Q2" for p in _run("--today", "2025-07-18")["periods"])
    assert not Notification.objects.exists()


def test_plain_output(due: World) -> None:
    out = StringIO()
    call_command("send_reminders", "--dry-run", "--today", "2025-07-13", stdout=out)
    text = out.getvalue()
    assert "2025年第2季度（2025Q2）：还有 2 天截止" in text and "甲局：" in text and "rep_a" in text
    assert "未设置填报员（1 个单位）：乙局" in text and "演练" in text


def test_on_the_demo_data(seeded) -> None:
    call_command("load_demo_data", stdout=StringIO())
    result = _run("--dry-run", "--today", "2026-12-29")
    period = next(p for p in result["periods"] if p["period"] == "2025Q4")
    assert period["why"] == "due_soon" and period["why_text"] == "还有 2 天截止"
    (unit,) = period["units"]
    assert (unit["unit"], [r["username"] for r in unit["recipients"]]) == ("吴兴区", ["wx_reporter"])
    assert unit["outstanding"] == unit["missing"] > 0 and "还有 2 天截止" in unit["title"]
    assert not Notification.objects.exists()
    # Today (2026-12-07 in the demo's calendar or any day before the window) it names the first day instead.
    early = next(p for p in _run("--dry-run", "--today", "2026-12-07")["periods"] if p["period"] == "2025Q4")
    assert (early["why"], early["starts_on"]) == ("not_yet", "2026-12-28")
