"""A small assessment world shared by the assessment tests (fixtures only; no tests here).

Plan 2024–2025 of 测试区 with four assessed units in three groups, a per-unit level indicator (0 → 100 by 2025),
a plan-level indicator led by 甲 with 乙 responsible, and a task led by 甲 with 乙 and 丙 responsible.
The scheme is for 2024Y: floor 0.3, cap 1, lead 60 %, responsible 40 %, bonus cap 8.

At 2024-12-31 the engine's expected progress on a 2023-12-31 → 2025-12-31 path is exactly 0.5 (one year of two on
the month calendar).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment.models import AssessmentItem, AssessmentScheme, DeductionSource
from assessment.services import scheme_setup
from indicators.evaluation import services as verdicts
from indicators.models import Indicator, IndicatorAssignment, IndicatorValue, ReviewStatus, TaskProgress
from plans.models import Department, Plan, ReportingPeriod, Role, Task, TaskAssignment
from plans.roles import ADMIN, LEADER, REPORTER
from tests.conftest import make_user

PDF = b"%PDF-1.4\n% test\n%%EOF\n"


def pdf(name: str = "入选文件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass
class World:
    plan: Plan
    period: ReportingPeriod
    a: Department  # 甲开发区 (经济开发区): lead of the plan-level indicator and of the task
    b: Department  # 乙镇 (重点镇): responsible
    c: Department  # 丙镇 (重点镇): responsible for the task
    d: Department  # 丁镇 (其他镇): only the per-unit indicator
    per_unit: Indicator
    plan_level: Indicator
    task: Task
    scheme: AssessmentScheme
    items: dict[str, AssessmentItem]
    admin: User
    leader: User
    rep_b: User
    rep_c: User

    def value(
        self,
        indicator: Indicator,
        unit: Department,
        period: ReportingPeriod,
        value: str,
        status: str = ReviewStatus.APPROVED,
    ) -> IndicatorValue:
        row = IndicatorValue.objects.create(
            indicator=indicator,
            department=unit,
            period=period,
            value=Decimal(value),
            basis=IndicatorValue.Basis.OFFICIAL,
            status=status,
        )
        verdicts.figures_changed(figures=[(indicator.pk, unit.pk, period.end)])  # as the write services mark it
        return row

    def progress(
        self,
        task: Task,
        unit: Department,
        period: ReportingPeriod,
        progress_status: str,
        status: str = ReviewStatus.APPROVED,
    ) -> TaskProgress:
        return TaskProgress.objects.create(
            task=task, department=unit, period=period, progress_status=progress_status, progress="进展", status=status
        )


def period(code: str, state: str = ReportingPeriod.State.LOCKED) -> ReportingPeriod:
    kind, year, index = ReportingPeriod.parse_code(code)
    found, _ = ReportingPeriod.objects.get_or_create(kind=kind, year=year, index=index, defaults={"state": state})
    return found


def unit(root: Department, name: str, category: str, order: int) -> Department:
    return Department.objects.create(parent=root, name=name, category=category, kind=Department.Kind.TOWN, order=order)


def build_world(*, values: bool = True) -> World:
    root = Department.objects.create(name="测试区", kind=Department.Kind.GOVERNMENT)
    a, b = unit(root, "甲开发区", "经济开发区", 1), unit(root, "乙镇", "重点镇", 2)
    c, d = unit(root, "丙镇", "重点镇", 3), unit(root, "丁镇", "其他镇", 4)
    plan = Plan.objects.create(
        code="test-plan", title="测试计划", issuer=root, start_year=2024, end_year=2025, kind=Plan.Kind.THREE_YEAR
    )
    plan.assessed_units.add(a, b, c, d)
    common = {
        "plan": plan,
        "kind": Indicator.Kind.LEVEL,
        "comparison": Indicator.Comparison.GTE,
        "baseline_year": 2023,
        "baseline": Decimal("0"),
        "target": Decimal("100"),
        "target_year": 2025,
        "decimals": 0,
    }
    per_unit = Indicator.objects.create(name="人才总量", per_unit=True, order=1, **common)
    plan_level = Indicator.objects.create(name="研发投入", order=2, **common)
    IndicatorAssignment.objects.create(indicator=plan_level, role=Role.LEAD, department=a)
    IndicatorAssignment.objects.create(indicator=plan_level, role=Role.RESPONSIBLE, department=b)
    task = Task.objects.create(plan=plan, number="1.", text="建设人才公寓", order=1)
    TaskAssignment.objects.create(task=task, role=Role.LEAD, department=a)
    TaskAssignment.objects.create(task=task, role=Role.RESPONSIBLE, department=b, order=1)
    TaskAssignment.objects.create(task=task, role=Role.RESPONSIBLE, department=c, order=2)
    y2024 = period("2024Y")
    verdicts.recompute([plan.pk])  # a new plan, as the plan import and the admin mark it
    admin = make_user("t_admin", ADMIN, root)
    leader = make_user("t_leader", LEADER)
    rep_b, rep_c = make_user("t_rep_b", REPORTER, b), make_user("t_rep_c", REPORTER, c)
    scheme = scheme_setup.create_scheme(
        user=admin,
        plan=plan,
        period=y2024,
        title="2024年度考核",
        indicator_floor=Decimal("0.3"),
        indicator_cap=Decimal("1"),
        lead_share=Decimal("0.6"),
        responsible_share=Decimal("0.4"),
        bonus_cap=Decimal("8"),
    )
    items = {
        "per_unit": scheme_setup.add_item(
            user=admin, scheme=scheme, kind="indicator", name="人才总量", points=Decimal("20"), indicator=per_unit
        ),
        "plan_level": scheme_setup.add_item(
            user=admin, scheme=scheme, kind="indicator", name="研发投入", points=Decimal("10"), indicator=plan_level
        ),
        "task": scheme_setup.add_item(
            user=admin, scheme=scheme, kind="task", name="建设人才公寓", points=Decimal("10"), task=task
        ),
        "national": scheme_setup.add_item(
            user=admin, scheme=scheme, kind="bonus", name="国家级人才", points=Decimal("10"), unit_points=Decimal("5")
        ),
        "city": scheme_setup.add_item(
            user=admin, scheme=scheme, kind="bonus", name="市级人才", points=Decimal("5"), unit_points=Decimal("1")
        ),
        "manual": scheme_setup.add_item(
            user=admin,
            scheme=scheme,
            kind="deduction",
            name="其他扣分",
            points=Decimal("5"),
            unit_points=Decimal("1"),
            source=DeductionSource.MANUAL,
        ),
        "veto": scheme_setup.add_item(user=admin, scheme=scheme, kind="veto", name="重大责任事故"),
    }
    scheme_setup.set_scheme_status(user=admin, scheme=scheme, status=AssessmentScheme.Status.ACTIVE)
    world = World(plan, y2024, a, b, c, d, per_unit, plan_level, task, scheme, items, admin, leader, rep_b, rep_c)
    if values:
        for department, figure in ((a, "60"), (b, "30"), (c, "10")):  # 丁 reports nothing
            world.value(per_unit, department, y2024, figure)
        world.value(plan_level, a, y2024, "45")
        world.progress(task, a, y2024, TaskProgress.Progress.DONE)
        world.progress(task, b, y2024, TaskProgress.Progress.IN_PROGRESS)
        world.progress(task, c, y2024, TaskProgress.Progress.DONE, status=ReviewStatus.SUBMITTED)  # not approved
    return world


@pytest.fixture
def world(db) -> World:
    return build_world()


TODAY = dt.date(2025, 3, 1)
