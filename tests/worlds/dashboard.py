"""The small dashboard world (测试区, three departments, a five-year plan judged at 2023Y) and its builders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from indicators.evaluation import services as verdicts
from indicators.models import (
    COUNTED_STATUSES,
    Indicator,
    IndicatorAssignment,
    IndicatorValue,
    ReviewStatus,
    TaskProgress,
)
from plans.models import Department, Plan, ReportingPeriod, Role, Task, TaskAssignment
from plans.roles import LEADER
from tests.conftest import make_user

D = Decimal


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def add_indicator(plan: Plan, name: str, *, lead: Department | None = None, order: int = 0, **fields) -> Indicator:
    defaults = {
        "kind": "level",
        "comparison": "gte",
        "unit": "万人",
        "decimals": 2,
        "group": "人才总量",
        "number": str(order),
    }
    indicator = Indicator.objects.create(plan=plan, name=name, order=order, **{**defaults, **fields})
    if lead is not None:
        IndicatorAssignment.objects.create(indicator=indicator, role=Role.LEAD, department=lead)
    verdicts.recompute([plan.pk])  # a new indicator is a plan-wide change, as the admin and plan import mark it
    return indicator


def add_value(
    indicator: Indicator,
    period: ReportingPeriod,
    unit: Department,
    value: str,
    *,
    basis: str = "official",
    status: str = ReviewStatus.APPROVED,
    is_demo: bool = False,
    submitted: dt.date | None = None,
) -> IndicatorValue:
    row = IndicatorValue.objects.create(
        indicator=indicator,
        period=period,
        department=unit,
        value=D(value),
        basis=basis,
        status=status,
        is_demo=is_demo,
        submitted_at=_aware(submitted) if submitted else None,
    )
    if status in COUNTED_STATUSES:  # as the write services do
        verdicts.figures_changed(figures=[(indicator.pk, unit.pk, period.end)])
    return row


@pytest.fixture
def world(db, make_period):
    """A five-year plan judged at 2023Y: one lagging, one on-track, one behind (no lead) indicator, two tasks."""
    root = Department.objects.create(name="测试区", kind="government")
    org = Department.objects.create(parent=root, name="区委组织部", kind="party", order=1)
    hr = Department.objects.create(parent=root, name="区人社局", order=2)
    edu = Department.objects.create(parent=root, name="区教育局", order=3)
    plan = Plan.objects.create(
        code="test-plan", title="测试区人才规划", issuer=root, start_year=2021, end_year=2025, kind="five_year"
    )
    p2022 = make_period("2022Y", deadline=dt.date(2023, 1, 15))
    p2023 = make_period("2023Y", deadline=dt.date(2024, 1, 15))
    # level 100 → 200 by 2025: at the end of 2023 the path expects 160; 152 is 86.7 % of the way expected → lagging.
    level = add_indicator(
        plan, "人才资源总量", lead=org, order=1, baseline=D(100), baseline_year=2020, target=D(200), target_year=2025
    )
    add_value(level, p2022, org, "140", submitted=dt.date(2023, 1, 10))  # exactly on the path → on track in 2022
    add_value(level, p2023, org, "152", submitted=dt.date(2024, 2, 1))  # after the deadline → late
    share = add_indicator(
        plan,
        "高技能人才占比",
        lead=hr,
        order=2,
        kind="rate",
        unit="%",
        is_share=True,
        baseline=D(20),
        baseline_year=2020,
        target=D(30),
        target_year=2025,
        group="人才结构",
    )
    add_value(share, p2023, hr, "26", submitted=dt.date(2024, 1, 5))
    # cumulative 500 over 2021–2025, no lead printed: 250 by 2023 against 300 expected → behind.
    total = add_indicator(
        plan, "累计引进人才", order=3, kind="cumulative", unit="人", decimals=0, target=D(500), group=""
    )
    for period, amount in ((make_period("2021Y"), "100"), (p2022, "100"), (p2023, "50")):
        add_value(total, period, root, amount)
    overdue = Task.objects.create(
        plan=plan, number="1.", text="建立人才工作目标责任制", due_date=dt.date(2023, 6, 30), order=1
    )
    TaskAssignment.objects.create(task=overdue, role=Role.LEAD, department=org)
    TaskProgress.objects.create(
        task=overdue, period=p2023, department=org, progress_status="in_progress", status=ReviewStatus.SUBMITTED
    )
    done = Task.objects.create(
        plan=plan, number="2.", text="完善人才评价机制", due_date=dt.date(2023, 6, 30), order=2, lead_inferred=True
    )
    TaskAssignment.objects.create(task=done, role=Role.LEAD, department=hr)
    TaskAssignment.objects.create(task=done, role=Role.RESPONSIBLE, department=edu)
    TaskProgress.objects.create(
        task=done, period=p2023, department=hr, progress_status="done", status=ReviewStatus.APPROVED
    )
    verdicts.recompute([plan.pk])
    return {
        "root": root,
        "org": org,
        "hr": hr,
        "edu": edu,
        "plan": plan,
        "level": level,
        "share": share,
        "total": total,
        "p2022": p2022,
        "p2023": p2023,
        "overdue": overdue,
        "done": done,
    }


@pytest.fixture
def leader(db) -> User:
    return make_user("leader1", LEADER)


@pytest.fixture
def client_leader(client, leader):
    client.force_login(leader)
    return client


def urls(w: dict) -> list[str]:
    return [
        reverse("dashboard:overview"),
        reverse("dashboard:plan", args=[w["plan"].code]),
        reverse("dashboard:indicator", args=[w["level"].pk]),
        reverse("dashboard:department", args=[w["org"].pk]),
    ]


@pytest.fixture
def led_world(world):
    """The dashboard world where units are named above the indicator: 累计引进人才 names no lead and sits in a
    section led by 区教育局; 人才培训人次 (lagging) names none and sits in task 3. led by 区人社局; 人才资源总量 has
    a responsible (区人社局) and a cooperating unit (区教育局); a second plan holds one behind indicator led by
    区人社局."""
    from plans.models import Section, SectionAssignment

    plan, _org, hr, edu = world["plan"], world["org"], world["hr"], world["edu"]
    goals = Section.objects.create(plan=plan, key="2", number="二、", title="主要目标", order=2)
    SectionAssignment.objects.create(section=goals, role=Role.LEAD, department=edu)
    sub = Section.objects.create(plan=plan, key="2.1", number="(一)", title="人才总量", parent=goals, order=3)
    Indicator.objects.filter(pk=world["total"].pk).update(section=sub)  # inherited through the enclosing section
    task = Task.objects.create(plan=plan, number="3.", text="开展人才培训", order=3, section=goals)
    TaskAssignment.objects.create(task=task, role=Role.LEAD, department=hr)
    training = add_indicator(
        plan,
        "人才培训人次",
        order=4,
        task=task,
        baseline=D(100),
        baseline_year=2020,
        target=D(200),
        target_year=2025,
        group="人才总量",
    )
    add_value(training, world["p2023"], hr, "155")  # 55 % of the way against 60 % expected: lagging
    IndicatorAssignment.objects.create(indicator=world["level"], role=Role.RESPONSIBLE, department=hr)
    IndicatorAssignment.objects.create(
        indicator=world["level"], role=Role.COOPERATING, department=edu, printed_name="区教育局（协办）"
    )
    other = Plan.objects.create(
        code="other-plan",
        title="测试区人才工作要点",
        issuer=world["root"],
        start_year=2021,
        end_year=2025,
        kind="annual",
    )
    other_behind = add_indicator(
        other, "引进博士", lead=hr, order=1, kind="cumulative", unit="人", decimals=0, target=D(100), group=""
    )
    add_value(other_behind, world["p2023"], hr, "10")
    verdicts.recompute([plan.pk, other.pk])
    return {**world, "goals": goals, "task3": task, "training": training, "other": other, "other_behind": other_behind}
