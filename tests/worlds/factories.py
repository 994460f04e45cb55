"""factory_boy builders for test data that needs many rows of one kind (units, indicators, figures, users).

Rows written here go straight to the database, as a bulk load would: tests that need the verdicts of such figures
say so (`tests.conftest.mark_figures`), as the write services would.
"""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone

from indicators.models import Indicator, IndicatorAssignment, IndicatorValue, ReviewStatus, TaskProgress
from plans.models import Department, Membership, Plan, Role, Task, TaskAssignment


class DepartmentFactory(factory.django.DjangoModelFactory[Department]):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"单位{n:03d}")
    kind = Department.Kind.DEPARTMENT
    order = factory.Sequence(lambda n: n)


class PlanFactory(factory.django.DjangoModelFactory[Plan]):
    class Meta:
        model = Plan

    code = factory.Sequence(lambda n: f"factory-plan-{n}")
    title = factory.Sequence(lambda n: f"测试规划{n}")
    issuer = factory.SubFactory(DepartmentFactory, kind=Department.Kind.GOVERNMENT)
    start_year = 2021
    end_year = 2025
    kind = Plan.Kind.FIVE_YEAR


class IndicatorFactory(factory.django.DjangoModelFactory[Indicator]):
    class Meta:
        model = Indicator

    plan = factory.SubFactory(PlanFactory)
    name = factory.Sequence(lambda n: f"测试指标{n}")
    number = factory.Sequence(lambda n: str(n + 1))
    order = factory.Sequence(lambda n: n)
    unit = "人"
    kind = Indicator.Kind.LEVEL
    target = Decimal("100")


class LeadFactory(factory.django.DjangoModelFactory[IndicatorAssignment]):
    """The unit named 牵头 for an indicator."""

    class Meta:
        model = IndicatorAssignment

    indicator = factory.SubFactory(IndicatorFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = Role.LEAD


class ValueFactory(factory.django.DjangoModelFactory[IndicatorValue]):
    """A figure as it stands after its reporter submitted it (status and time set as the service sets them)."""

    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    department = factory.SubFactory(DepartmentFactory)
    value = Decimal("10")
    status = ReviewStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


class TaskFactory(factory.django.DjangoModelFactory[Task]):
    class Meta:
        model = Task

    plan = factory.SubFactory(PlanFactory)
    number = factory.Sequence(lambda n: f"{n + 1}.")
    text = factory.Sequence(lambda n: f"测试任务{n}")
    order = factory.Sequence(lambda n: n)


class TaskLeadFactory(factory.django.DjangoModelFactory[TaskAssignment]):
    class Meta:
        model = TaskAssignment

    task = factory.SubFactory(TaskFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = Role.LEAD


class ProgressFactory(factory.django.DjangoModelFactory[TaskProgress]):
    class Meta:
        model = TaskProgress

    task = factory.SubFactory(TaskFactory)
    department = factory.SubFactory(DepartmentFactory)
    progress = "按计划推进"
    progress_status = TaskProgress.Progress.IN_PROGRESS
    status = ReviewStatus.SUBMITTED


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A user in one role (`role=`), member of the units given as `units=[...]`."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n:03d}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov.cn")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    # factory_boy calls the post-generation hooks with the built user, not a factory.
    @factory.post_generation
    def role(user: User, create: bool, extracted: str | None, **kwargs: object) -> None:
        if create and extracted:
            user.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def units(user: User, create: bool, extracted: list[Department] | None, **kwargs: object) -> None:
        for unit in extracted or []:
            Membership.objects.create(user=user, department=unit)

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: dict | None = None) -> None:
        if create:
            instance.save()
