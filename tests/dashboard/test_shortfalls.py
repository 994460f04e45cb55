"""Shortfall lists (差距清单) of the overview, plan and unit pages: filters, paging, one worst-first order, lead
units inherited from the section or task that names them, responsible and cooperating units, pinned query counts."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboard import views
from indicators.evaluation import services as verdicts
from plans.models import Department
from tests.worlds.dashboard import add_indicator, add_value

D = Decimal
OVERVIEW = reverse("dashboard:overview")


def names(response) -> list[str]:
    """The rows of the page's shortfall list, as indicator names (with the unit) or task numbers, in order."""
    return [
        s.task.task.number if s.task else s.indicator.name + (f"·{s.unit.name}" if s.unit else "")
        for s in response.context["shortfalls"]
    ]


def row_html(html: str, text: str) -> str:
    section = html.split('id="shortfalls"')[1]
    return next(tr for tr in section.split("<tr") if text in tr)


# --- lead, responsible and cooperating units ---------------------------------------------------------------------


def test_lead_inherited_from_section_and_task_says_where_from(led_world, client_leader):
    html = client_leader.get(OVERVIEW).content.decode()
    total = row_html(html, "累计引进人才")
    assert "区教育局" in total and "（据二、主要目标）" in total  # through the enclosing section of (一)人才总量
    assert "未明确" not in total
    training = row_html(html, "人才培训人次")
    assert "区人社局" in training and "（据任务3.）" in training
    level = row_html(html, "人才资源总量")  # its own lead: no source
    assert "区委组织部" in level and "（据" not in level
    assert "责任：" in level and "区人社局" in level
    assert "配合/协办：" in level and "区教育局（协办）" in level


def test_without_anything_named_the_lead_stays_unclear(world, client_leader):
    html = client_leader.get(OVERVIEW).content.decode()
    assert "未明确" in row_html(html, "累计引进人才")


# --- filters ------------------------------------------------------------------------------------------------------


def test_unfiltered_list_is_worst_first_across_plans(led_world, client_leader):
    response = client_leader.get(OVERVIEW)
    # 未完成 none; overdue task 1. (as severe as 未完成, after its lines); behind: 引进博士 (10 of 300 expected) before
    # 累计引进人才 (250 of 300); lagging: 人才资源总量 (52/60) before 人才培训人次 (55/60)
    assert names(response) == ["1.", "引进博士", "累计引进人才", "人才资源总量", "人才培训人次"]
    assert response.context["shortfalls"].total == 5


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sf_plan": "other-plan"}, ["引进博士"]),
        ({"sf_plan": "test-plan"}, ["1.", "累计引进人才", "人才资源总量", "人才培训人次"]),
        ({"sf_status": "lagging"}, ["人才资源总量", "人才培训人次"]),
        ({"sf_status": "overdue"}, ["1."]),
        ({"sf_kind": "cumulative"}, ["引进博士", "累计引进人才"]),
        ({"sf_kind": "task"}, ["1."]),
        ({"sf_kind": "level", "sf_status": "behind"}, []),
    ],
)
def test_each_filter_on_the_overview(led_world, client_leader, params, expected):
    response = client_leader.get(OVERVIEW, params)
    assert names(response) == expected
    assert response.context["shortfalls"].total == len(expected)
    html = response.content.decode()
    if not expected:
        assert "没有符合筛选条件的差距。" in html
    for key, value in params.items():
        assert re.search(rf'name="{key}">.*?<option value="{value}" selected>', html, re.S), key


def test_lead_filter_counts_inherited_leads(led_world, client_leader):
    edu, hr, org = led_world["edu"], led_world["hr"], led_world["org"]
    assert names(client_leader.get(OVERVIEW, {"sf_lead": edu.pk})) == ["累计引进人才"]  # from its section
    assert names(client_leader.get(OVERVIEW, {"sf_lead": hr.pk})) == ["引进博士", "人才培训人次"]  # own; from task 3.
    assert names(client_leader.get(OVERVIEW, {"sf_lead": org.pk})) == ["1.", "人才资源总量"]
    choices = client_leader.get(OVERVIEW).context["shortfalls"].leads
    assert [name for _pk, name in choices] == sorted(["区人社局", "区教育局", "区委组织部"])


def test_filters_on_the_plan_and_unit_pages(led_world, client_leader):
    plan_url = reverse("dashboard:plan", args=["test-plan"])
    assert names(client_leader.get(plan_url)) == ["1.", "累计引进人才", "人才资源总量", "人才培训人次"]
    assert names(client_leader.get(plan_url, {"sf_status": "lagging"})) == ["人才资源总量", "人才培训人次"]
    assert names(client_leader.get(plan_url, {"sf_lead": led_world["edu"].pk})) == ["累计引进人才"]
    assert names(client_leader.get(plan_url, {"sf_kind": "task"})) == ["1."]
    assert 'name="sf_plan"' not in client_leader.get(plan_url).content.decode()  # the page is the plan's
    hr_url = reverse("dashboard:department", args=[led_world["hr"].pk])
    # 区人社局 leads 引进博士 and is responsible for 人才资源总量 (named on it); 人才培训人次 names nobody itself
    assert names(client_leader.get(hr_url)) == ["引进博士", "人才资源总量"]
    assert names(client_leader.get(hr_url, {"sf_plan": "test-plan"})) == ["人才资源总量"]
    assert names(client_leader.get(hr_url, {"sf_kind": "cumulative"})) == ["引进博士"]
    assert names(client_leader.get(hr_url, {"sf_status": "lagging"})) == ["人才资源总量"]


def test_unknown_filter_values_are_ignored(led_world, client_leader):
    for params in (
        {"sf_page": "x"},
        {"sf_lead": "abc"},
        {"sf_status": "drop table"},
        {"sf_kind": "?"},
        {"sf_plan": "nope"},
        {"sf_page": "99999999999"},
    ):
        response = client_leader.get(OVERVIEW, params)
        assert response.status_code == 200, params
    assert names(client_leader.get(OVERVIEW, {"sf_plan": "nope"})) == []


# --- paging -------------------------------------------------------------------------------------------------------


@pytest.fixture
def many_units(led_world, make_period):
    """A per-unit indicator of the plan assessing eight towns, each short, worst first 镇0 … 镇7."""
    plan, root = led_world["plan"], led_world["root"]
    towns = [Department.objects.create(parent=root, name=f"镇{i}", kind="town", order=10 + i) for i in range(8)]
    plan.assessed_units.add(*towns)
    verdicts.recompute([plan.pk])
    per_town = add_indicator(
        plan,
        "每镇人才数",
        order=9,
        per_unit=True,
        baseline=D(0),
        baseline_year=2020,
        target=D(100),
        target_year=2025,
        unit="人",
        decimals=0,
        lead=led_world["org"],
    )
    for i, town in enumerate(towns):
        add_value(per_town, led_world["p2023"], town, str(10 + 5 * i))  # all behind the 60 expected
    return towns


def test_pages_cover_the_list_once_in_order(many_units, client_leader, monkeypatch):
    whole = names(client_leader.get(OVERVIEW))
    assert len(whole) == 13 and whole[2:10] == [f"每镇人才数·镇{i}" for i in range(8)]  # 10 of 60 first
    monkeypatch.setattr(views, "SHORTFALLS_PER_PAGE", 4)
    pages = [client_leader.get(OVERVIEW, {"sf_page": n}) for n in (1, 2, 3, 4)]
    assert [n for page in pages for n in names(page)] == whole
    first = pages[0].content.decode()
    assert "第1–4项，共13项" in first and 'aria-current="page">1<' in first and "sf_page=4#shortfalls" in first
    assert names(client_leader.get(OVERVIEW, {"sf_page": 40})) == names(pages[3])  # past the end: the last page
    filtered = client_leader.get(OVERVIEW, {"sf_status": "behind", "sf_page": 2})
    assert names(filtered) == [f"每镇人才数·镇{i}" for i in range(3, 7)]
    assert "sf_status=behind&amp;sf_page=3" in filtered.content.decode()  # the pager keeps the filters
    plan_pages = [client_leader.get(reverse("dashboard:plan", args=["test-plan"]), {"sf_page": n}) for n in (1, 2, 3)]
    assert [n for page in plan_pages for n in names(page)] == [n for n in whole if n != "引进博士"]


def test_a_large_list_stays_a_light_page(many_units, client_leader, monkeypatch):
    monkeypatch.setattr(views, "SHORTFALLS_PER_PAGE", 3)
    response = client_leader.get(OVERVIEW)
    assert len(response.context["shortfalls"].rows) == 3 and response.context["shortfalls"].total == 13
    assert len(response.content) < 1_000_000


# --- query counts -------------------------------------------------------------------------------------------------


def _grow(led_world, n: int) -> None:
    """n more short indicators, half per-unit over two towns, some led through a section or a task."""
    plan, hr, p2023 = led_world["plan"], led_world["hr"], led_world["p2023"]
    towns = [Department.objects.create(parent=led_world["root"], name=f"乡{i}", kind="town") for i in range(2)]
    plan.assessed_units.add(*towns)
    for i in range(n):
        per_unit = i % 2 == 1
        ind = add_indicator(
            plan,
            f"增补指标{i}",
            order=20 + i,
            per_unit=per_unit,
            baseline=D(0),
            baseline_year=2020,
            target=D(100),
            target_year=2025,
            lead=hr if i % 3 == 0 else None,
            section=led_world["goals"] if i % 3 == 1 else None,
            task=led_world["task3"] if i % 3 == 2 else None,
        )
        for unit in towns if per_unit else [hr]:
            add_value(ind, p2023, unit, "20")
    verdicts.recompute([plan.pk])


# Exact counts, the same with 5 and with 25 more shortfalls. Over the pages before the lists had filters: the lead
# units of the plans (one UNION over indicators, tasks, sections and the tasks indicators measure) and the rows'
# responsible and cooperating units; a status filter adds the count of the per-unit lines it keeps (without one,
# the plan page adds up the short units its stored lines record, as the overview does: 19 before).
QUERIES = {
    ("overview", ""): 14,
    ("overview", "sf_status=behind"): 15,
    ("plan", ""): 18,
    ("plan", "sf_status=behind&sf_kind=level"): 19,
    ("department", ""): 26,
    ("department", "sf_status=behind"): 26,
}


@pytest.mark.parametrize("size", [5, 25])
@pytest.mark.parametrize(("page", "query"), list(QUERIES))
def test_query_counts_are_pinned(led_world, client_leader, django_assert_num_queries, size, page, query):
    _grow(led_world, size)
    url = {
        "overview": OVERVIEW,
        "plan": reverse("dashboard:plan", args=["test-plan"]),
        "department": reverse("dashboard:department", args=[led_world["hr"].pk]),
    }[page]
    client_leader.get(url)  # the first view after a change may store verdicts
    with django_assert_num_queries(QUERIES[page, query]):
        response = client_leader.get(f"{url}?{query}")
    assert response.status_code == 200
