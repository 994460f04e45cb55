"""The reporting page, review queue, 催报, periods and item history read in a constant number of queries.

Each page is measured on a small world and on one with many more indicators, tasks and figures: the counts must be
equal and stay under the pinned maximum (session, user, roles, units and nav permission checks included).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.evaluation import services as verdicts
from indicators.models import IndicatorValue, TaskProgress
from tests.worlds.reporting import World, build_world, submitted_progress, submitted_value

pytestmark = pytest.mark.django_db

MY_PAGE_MAX = 23  # measured: 21 (the page of one plan: summary counts in 3 queries, then only the items shown)
REVIEW_MAX = 14  # measured: 12 (counts per period, per plan and unit, then only the rows of the page)
OVERDUE_MAX = 11  # measured: 9 (counts per unit and status in one query, then names for the units of the page)
PERIODS_MAX = 7  # measured: 5 (one query a year counts the units that report)
ITEM_MAX = 12  # measured: 10


def _filled(**kw: Any) -> World:
    """A world with a figure or progress report, with evidence-ready rows and history, for every item of 甲局."""
    world = build_world(**kw)
    submitted_value(world)
    submitted_progress(world)
    for indicator in world.plan.indicators.exclude(pk=world.total.pk):
        IndicatorValue.objects.create(
            indicator=indicator, period=world.q2, department=world.a, value=1, status="submitted"
        )
    for task in world.plan.tasks.exclude(pk=world.task_a.pk):
        TaskProgress.objects.create(task=task, period=world.q2, department=world.a, progress="x", status="submitted")
    return world


def _count(client: Client, url: str) -> int:
    client.get(url)  # warm per-process caches (content types, translations)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _small_and_big(url_for: Callable[[World], str], who: str) -> tuple[int, int]:
    small = _filled()
    big = _filled(extra_indicators=20, extra_tasks=20, tag="2")
    return (
        _count(small.client(getattr(small, who)), url_for(small)),
        _count(big.client(getattr(big, who)), url_for(big)),
    )


def _item_url(world: World) -> str:
    value = IndicatorValue.objects.get(indicator=world.total, period=world.q2)
    return reverse("reporting:value", args=[value.pk])


@pytest.mark.parametrize(
    ("url_for", "who", "maximum"),
    [
        (lambda w: w.my_url(), "rep_a", MY_PAGE_MAX),
        (lambda w: reverse("reporting:review") + "?period=2025Q2&status=", "admin", REVIEW_MAX),
        (lambda w: reverse("reporting:overdue") + "?period=2025Q2", "admin", OVERDUE_MAX),
        (_item_url, "rep_a", ITEM_MAX),
        (lambda w: reverse("reporting:periods"), "admin", PERIODS_MAX),
    ],
    ids=["my", "review", "overdue", "item", "periods"],
)
def test_constant_queries(url_for: Callable[[World], str], who: str, maximum: int) -> None:
    small, big = _small_and_big(url_for, who)
    assert small == big <= maximum


def test_pages_within_pinned_maximum(django_assert_max_num_queries) -> None:
    world = _filled(extra_indicators=10, extra_tasks=10)
    reporter, admin = world.client(world.rep_a), world.client(world.admin)
    reporter.get(world.my_url())
    with django_assert_max_num_queries(MY_PAGE_MAX):
        assert reporter.get(world.my_url()).status_code == 200
    with django_assert_max_num_queries(REVIEW_MAX):
        assert admin.get(reverse("reporting:review") + "?period=2025Q2&status=").status_code == 200
    with django_assert_max_num_queries(OVERDUE_MAX):
        assert admin.get(reverse("reporting:overdue") + "?period=2025Q2").status_code == 200
    with django_assert_max_num_queries(ITEM_MAX):
        assert reporter.get(_item_url(world)).status_code == 200


# Each in a period of its plan's years: a plan that is over asks for nothing.
@pytest.mark.parametrize(
    ("unit_path", "expect", "year"),
    [
        (("吴兴区",), "人才资源总量", 2025),  # issuer: enters the plan-level indicators of the 十四五 plan
        (("吴江区", "测试镇"), "考核对象", 2013),  # an assessed town: per-unit indicators of the 人才强镇 plan
        (
            ("自流井区", "区人力资源社会保障局"),
            "重点任务进展",
            2019,
        ),  # a bureau leading or responsible for reform tasks
    ],
    ids=["issuer", "assessed-town", "bureau"],
)
def test_seed_plans_render_within_the_pinned_maximum(
    seeded, make_period, django_assert_max_num_queries, unit_path: tuple[str, ...], expect: str, year: int
) -> None:
    from plans.models import Department, Plan
    from plans.roles import REPORTER
    from tests.conftest import make_user

    unit = Department.objects.get(name=unit_path[0], parent__isnull=True)
    for name in unit_path[1:]:
        unit, created = Department.objects.get_or_create(name=name, parent=unit, defaults={"kind": "town"})
        if created:  # towns come with the demo data, not the seeds: assess this one under the 人才强镇 plan
            Plan.objects.get(code="wujiang-town-3yr").assessed_units.add(unit)
            verdicts.recompute(
                [Plan.objects.get(code="wujiang-town-3yr").pk]
            )  # assessed units decide per-unit verdicts
    make_period(f"{year}Q1")
    period = make_period(f"{year}Q2")
    client = Client()
    client.force_login(make_user("seed_reporter", REPORTER, unit))
    url = f"{reverse('reporting:my')}?unit={unit.pk}&period={period.code}"
    client.get(url)
    with django_assert_max_num_queries(MY_PAGE_MAX):
        response = client.get(url)
    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="value"' in content or 'name="progress"' in content
    if expect == "考核对象":
        assert content.count('action="/report/value/save/"') >= 6  # the six per-town indicators
    else:
        assert expect in content


def test_a_plan_that_is_over_asks_for_nothing(seeded, make_period) -> None:
    """The 2012–2014 人才强镇 plan asks its towns for nothing in 2025 (我的填报, 催报); in 2013 it does."""
    from plans.models import Department, Plan
    from plans.roles import ADMIN, REPORTER
    from tests.conftest import make_user

    plan = Plan.objects.get(code="wujiang-town-3yr")
    town = Department.objects.create(name="测试镇", parent=plan.issuer, kind="town")
    plan.assessed_units.add(town)
    client = Client()
    client.force_login(make_user("town_rep", REPORTER, town))
    late, during = make_period("2025Q2"), make_period("2013Q2")
    page = client.get(f"{reverse('reporting:my')}?unit={town.pk}&period={late.code}").content.decode()
    assert 'name="value"' not in page
    page = client.get(f"{reverse('reporting:my')}?unit={town.pk}&period={during.code}").content.decode()
    assert 'name="value"' in page
    admin = Client()
    admin.force_login(make_user("zzb_over", ADMIN, plan.issuer))
    assert "测试镇" not in admin.get(reverse("reporting:overdue") + f"?period={late.code}").content.decode()
    assert "测试镇" in admin.get(reverse("reporting:overdue") + f"?period={during.code}").content.decode()
