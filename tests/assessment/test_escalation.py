"""督办: notices open after N periods seriously behind or past a task's due date, are answered, and close."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from assessment import escalation
from assessment.models import AssessmentScheme, SupervisionNotice
from assessment.selectors import open_notices
from assessment.services import scheme_setup
from indicators.evaluation import services as verdicts
from indicators.models import TaskProgress
from indicators.services import ServiceError
from plans.models import Role, Task, TaskAssignment
from tests.worlds.assessment import World, build_world, period

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 3, 1)


@pytest.fixture
def behind(db) -> World:
    """Two period ends with figures: 2024H1 and 2024Y. 乙 is seriously behind at both (10 then 30 of 100 against an
    expected 25 % then 50 %); 丙 only at 2024Y (nothing reported for 2024H1)."""
    world = build_world()
    h1 = period("2024H1")
    world.value(world.per_unit, world.b, h1, "10")
    world.value(world.per_unit, world.a, h1, "40")
    return world


def notices(**filters) -> list[SupervisionNotice]:
    return list(SupervisionNotice.objects.filter(**filters))


def test_behind_for_the_configured_number_of_periods_opens_one_notice(behind: World):
    report = escalation.run_escalation(user=behind.admin, scheme=behind.scheme, today=TODAY)
    opened = {(n.department_id, n.indicator_id) for n in report.opened}
    assert (behind.b.pk, behind.per_unit.pk) in opened
    assert (behind.c.pk, behind.per_unit.pk) not in opened  # behind in one period only
    notice = SupervisionNotice.objects.get(department=behind.b, indicator=behind.per_unit)
    assert notice.status == SupervisionNotice.Status.OPEN and notice.deadline == TODAY + dt.timedelta(days=15)
    assert "2024H1、2024Y" in notice.detail and "连续2期" in notice.detail
    again = escalation.run_escalation(user=behind.admin, scheme=behind.scheme, today=TODAY)
    assert again.opened == [] and SupervisionNotice.objects.filter(department=behind.b).count() == 1


def test_one_period_is_enough_when_so_configured(behind: World):
    behind.scheme.escalation_periods = 1
    behind.scheme.save()
    escalation.run_escalation(user=behind.admin, scheme=behind.scheme, today=TODAY)
    assert notices(department=behind.c, indicator=behind.per_unit)


def test_plan_level_indicator_goes_to_its_lead_unit(behind: World):
    behind.plan_level.values.update(value=Decimal("20"))
    verdicts.recompute([behind.plan_level.plan_id])  # a plan-wide change, made here with QuerySet.update
    behind.value(behind.plan_level, behind.a, period("2024H1"), "5")
    escalation.run_escalation(user=behind.admin, scheme=behind.scheme, today=TODAY)
    assert [n.department for n in notices(indicator=behind.plan_level)] == [behind.a]  # not the responsible 乙


def test_notice_closes_when_the_status_recovers(behind: World):
    escalation.run_escalation(user=behind.admin, scheme=behind.scheme, today=TODAY)
    notice = SupervisionNotice.objects.get(department=behind.b, indicator=behind.per_unit)
    h1_2025 = period("2025H1")
    behind.value(behind.per_unit, behind.b, h1_2025, "80")  # 80 % against an expected 75 %: on track
    later = scheme_setup.create_scheme(user=behind.admin, plan=behind.plan, period=h1_2025, title="2025上半年考核")
    scheme_setup.add_item(
        user=behind.admin,
        scheme=later,
        kind="indicator",
        name="人才总量",
        points=Decimal("20"),
        indicator=behind.per_unit,
    )
    report = escalation.run_escalation(user=None, scheme=later, today=dt.date(2025, 8, 1))
    notice.refresh_from_db()
    assert notice in report.closed and notice.status == SupervisionNotice.Status.CLOSED
    assert "状态已恢复为“正常推进”" in notice.close_reason and notice.closed_by is None


def test_overdue_task_opens_a_notice_to_its_lead_unit_and_closes_when_done(behind: World):
    task = Task.objects.create(
        plan=behind.plan, number="2.", text="出台人才新政", due_date=dt.date(2024, 6, 30), order=2
    )
    TaskAssignment.objects.create(task=task, role=Role.LEAD, department=behind.b)
    TaskAssignment.objects.create(task=task, role=Role.RESPONSIBLE, department=behind.c)
    item = scheme_setup.add_item(
        user=behind.admin, scheme=behind.scheme, kind="task", name="出台人才新政", points=Decimal("5"), task=task
    )
    behind.task.due_date = dt.date(2024, 6, 30)  # 甲 leads it and reported it done (approved): no notice
    behind.task.save()
    behind.progress(task, behind.b, behind.period, TaskProgress.Progress.IN_PROGRESS)
    escalation.run_escalation(user=behind.admin, scheme=behind.scheme, today=TODAY)
    overdue = notices(reason=SupervisionNotice.Reason.OVERDUE)
    assert [(n.department, n.task) for n in overdue] == [(behind.b, task)]
    assert "2024-06-30" in overdue[0].detail and item.name in overdue[0].detail
    behind.progress(task, behind.b, period("2024H2"), TaskProgress.Progress.DONE)
    report = escalation.run_escalation(user=behind.admin, scheme=behind.scheme, today=TODAY)
    assert [n.pk for n in report.closed] == [overdue[0].pk]


def test_unit_answers_and_admin_closes_with_a_reason(behind: World):
    escalation.run_escalation(user=behind.admin, scheme=behind.scheme, today=TODAY)
    notice = SupervisionNotice.objects.get(department=behind.b, indicator=behind.per_unit)
    with pytest.raises(ServiceError, match="无权"):
        escalation.respond_notice(user=behind.rep_c, notice=notice, response="不是我们单位")
    with pytest.raises(ServiceError):
        escalation.respond_notice(user=behind.rep_b, notice=notice, response="  ")
    escalation.respond_notice(user=behind.rep_b, notice=notice, response="已制定整改方案，三季度追上序时进度")
    assert notice.status == SupervisionNotice.Status.ANSWERED
    assert notice in open_notices(behind.b) and notice not in open_notices(behind.c)
    for user in (behind.rep_b, behind.leader):
        with pytest.raises(ServiceError, match="只有组织部管理员"):
            escalation.close_notice(user=user, notice=notice, reason="已整改")
    with pytest.raises(ServiceError, match="理由"):
        escalation.close_notice(user=behind.admin, notice=notice, reason="")
    escalation.close_notice(user=behind.admin, notice=notice, reason="整改方案可行，转入日常跟踪")
    assert notice not in open_notices() and notice.closed_by == behind.admin
    reasons = list(notice.history.values_list("history_change_reason", flat=True))
    assert {"发出督办", "单位答复", "办结：整改方案可行，转入日常跟踪"} <= set(reasons)


def test_only_admin_runs_escalation_and_notice_pages_follow_the_units(behind: World):
    with pytest.raises(ServiceError):
        escalation.run_escalation(user=behind.leader, scheme=behind.scheme, today=TODAY)
    escalation.run_escalation(user=behind.admin, scheme=behind.scheme, today=TODAY)
    notice = SupervisionNotice.objects.get(department=behind.b, indicator=behind.per_unit)
    own, other = Client(), Client()
    own.force_login(behind.rep_b)
    other.force_login(behind.rep_c)
    url = reverse("assessment:notice", args=[notice.pk])
    assert own.get(url).status_code == 200 and other.get(url).status_code == 404
    assert "人才总量" in own.get(reverse("assessment:notices")).content.decode()
    own.post(reverse("assessment:notice_respond", args=[notice.pk]), {"response": "正在整改"})
    notice.refresh_from_db()
    assert notice.response == "正在整改"
    assert AssessmentScheme.objects.count() == 1


def test_escalation_command_runs_the_latest_active_scheme_per_plan(behind: World):
    out = StringIO()
    call_command("assessment_escalate", "--plan", "test-plan", stdout=out)
    assert "2024年度考核：新发督办" in out.getvalue()
    assert SupervisionNotice.objects.filter(department=behind.b, indicator=behind.per_unit).exists()
