"""A small reporting world shared by the tests/test_reporting_*.py modules (no tests here).

Two units of one district: 甲局 enters 人才资源总量, 千分比 and 引进人才; 乙局 enters 高技能人才占比, which 甲局 may
only read (responsible unit). Task 1 is led by 甲局 with 乙局 responsible; task 2 belongs to 乙局 alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from indicators.evaluation import services as verdicts
from indicators.models import Indicator, IndicatorAssignment, IndicatorValue, ReviewStatus, TaskProgress
from plans.models import Department, Plan, ReportingPeriod, Role, Task, TaskAssignment
from plans.roles import ADMIN, LEADER, REPORTER
from tests.conftest import make_user

PDF = b"%PDF-1.4\n%test evidence\n"


@dataclass
class World:
    root: Department
    a: Department
    b: Department
    plan: Plan
    total: Indicator  # 人才资源总量, 万人, 1 decimal, entered by 甲局
    share: Indicator  # 高技能人才占比, %, entered by 乙局, read by 甲局
    permille: Indicator  # ‰ share, entered by 甲局
    recruits: Indicator  # 引进人才 (人, integer, cumulative), entered by 甲局
    task_a: Task  # 甲局 lead, 乙局 responsible
    task_b: Task  # 乙局 only
    q1: ReportingPeriod
    q2: ReportingPeriod
    rep_a: User
    rep_b: User
    admin: User
    leader: User

    def client(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    def value_post(
        self,
        indicator: Indicator | None = None,
        department: Department | None = None,
        period: ReportingPeriod | None = None,
        **fields: object,
    ) -> dict[str, object]:
        data: dict[str, object] = {
            "indicator": (indicator or self.total).pk,
            "department": (department or self.a).pk,
            "period": (period or self.q2).pk,
            "value": "",
            "basis": "estimate",
            "note": "",
            "version": 0,
            "loaded_basis": "estimate",
            "other_version": 0,
        }
        data.update(fields)
        return data

    def progress_post(
        self,
        task: Task | None = None,
        department: Department | None = None,
        period: ReportingPeriod | None = None,
        **fields: object,
    ) -> dict[str, object]:
        data: dict[str, object] = {
            "task": (task or self.task_a).pk,
            "department": (department or self.a).pk,
            "period": (period or self.q2).pk,
            "progress_status": "in_progress",
            "progress": "",
            "problems": "",
            "next_steps": "",
            "version": 0,
        }
        data.update(fields)
        return data

    def my_url(self, department: Department | None = None, period: ReportingPeriod | None = None) -> str:
        return f"{reverse('reporting:my')}?unit={(department or self.a).pk}&period={(period or self.q2).code}"


def build_world(extra_indicators: int = 0, extra_tasks: int = 0, tag: str = "") -> World:
    """`tag` lets a test build a second, independent world next to the first one."""
    root = Department.objects.create(name=f"测试区{tag}", kind=Department.Kind.GOVERNMENT)
    a = Department.objects.create(name="甲局", parent=root, order=1)
    b = Department.objects.create(name="乙局", parent=root, order=2)
    plan = Plan.objects.create(
        code=f"test-plan{tag}",
        title="测试区人才发展规划",
        issuer=root,
        start_year=2021,
        end_year=2025,
        kind=Plan.Kind.FIVE_YEAR,
    )

    def indicator(name: str, unit: str, lead: Department, order: int, **kw: object) -> Indicator:
        ind = Indicator.objects.create(plan=plan, name=name, unit=unit, order=order, number=str(order), **kw)
        IndicatorAssignment.objects.create(indicator=ind, role=Role.LEAD, department=lead)
        return ind

    total = indicator(
        "人才资源总量",
        "万人",
        a,
        1,
        kind="level",
        decimals=1,
        baseline_year=2020,
        baseline=Decimal("20"),
        target_year=2025,
        target=Decimal("30"),
    )
    share = indicator(
        "高技能人才占比",
        "%",
        b,
        2,
        kind="rate",
        decimals=1,
        is_share=True,
        baseline_year=2020,
        baseline=Decimal("30"),
        target_year=2025,
        target=Decimal("40"),
    )
    IndicatorAssignment.objects.create(indicator=share, role=Role.RESPONSIBLE, department=a)
    permille = indicator("每千人拥有研发人员", "‰", a, 3, kind="rate", decimals=1, is_share=True, target=Decimal("50"))
    recruits = indicator("引进人才", "人", a, 4, kind="cumulative", decimals=0, target=Decimal("400"))
    for n in range(extra_indicators):
        indicator(f"附加指标{n}", "个", a if n % 2 else b, 10 + n, kind="level", decimals=0, target=Decimal("10"))
    task_a = Task.objects.create(plan=plan, number="1.", text="实施高层次人才引进工程", order=1)
    TaskAssignment.objects.create(task=task_a, role=Role.LEAD, department=a)
    TaskAssignment.objects.create(task=task_a, role=Role.RESPONSIBLE, department=b, order=1)
    task_b = Task.objects.create(plan=plan, number="2.", text="建设技能人才实训基地", order=2)
    TaskAssignment.objects.create(task=task_b, role=Role.LEAD, department=b)
    for n in range(extra_tasks):
        extra = Task.objects.create(plan=plan, number=f"{3 + n}.", text=f"附加任务{n}", order=3 + n)
        TaskAssignment.objects.create(task=extra, role=Role.LEAD, department=a)
    q1 = ReportingPeriod.objects.get_or_create(
        kind="quarter", year=2025, index=1, defaults={"state": ReportingPeriod.State.CLOSED}
    )[0]
    q2 = ReportingPeriod.objects.get_or_create(
        kind="quarter", year=2025, index=2, defaults={"state": ReportingPeriod.State.OPEN}
    )[0]
    IndicatorValue.objects.create(
        indicator=total, period=q1, department=a, value=Decimal("25"), status=ReviewStatus.APPROVED
    )
    verdicts.recompute([plan.pk])  # a plan written through the ORM: evaluated as the plan import marks it
    return World(
        root=root,
        a=a,
        b=b,
        plan=plan,
        total=total,
        share=share,
        permille=permille,
        recruits=recruits,
        task_a=task_a,
        task_b=task_b,
        q1=q1,
        q2=q2,
        rep_a=make_user(f"rep_a{tag}", REPORTER, a, first_name="甲"),
        rep_b=make_user(f"rep_b{tag}", REPORTER, b),
        admin=make_user(f"zzb{tag}", ADMIN, root),
        leader=make_user(f"boss{tag}", LEADER),
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


def value_row(
    world: World, indicator: Indicator | None = None, basis: str = "estimate", department: Department | None = None
) -> IndicatorValue:
    return IndicatorValue.objects.get(
        indicator=indicator or world.total, period=world.q2, department=department or world.a, basis=basis
    )


def submitted_value(world: World, value: str = "26.5") -> IndicatorValue:
    """甲局's figure for 人才资源总量 in 2025Q2, entered and submitted through the page."""
    response = world.client(world.rep_a).post(
        reverse("reporting:save_value"), world.value_post(value=value, submit="1")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return value_row(world)


def submitted_progress(world: World) -> TaskProgress:
    response = world.client(world.rep_a).post(
        reverse("reporting:save_progress"), world.progress_post(progress="已引进博士5名", submit="1")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return TaskProgress.objects.get(task=world.task_a, period=world.q2, department=world.a)


def past(days: int = 1) -> dt.date:
    from django.utils import timezone

    return timezone.localdate() - dt.timedelta(days=days)
