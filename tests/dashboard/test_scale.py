"""Dashboards at province scale: long lists are cut worst first with the rest on demand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.evaluation import services as verdicts
from tests.worlds.dashboard import add_indicator, add_value

pytestmark = pytest.mark.django_db
D = Decimal


def test_department_page_lists_the_worst_items_first_and_the_rest_on_demand(world, client_leader, monkeypatch):
    from dashboard import views

    org = world["org"]
    extra = add_indicator(
        world["plan"],
        "青年人才数",
        lead=org,
        order=5,
        baseline=D(10),
        baseline_year=2020,
        target=D(20),
        target_year=2025,
    )
    add_value(extra, world["p2023"], org, "19")  # ahead of its path: on track, after the lagging 人才资源总量
    monkeypatch.setattr(views, "DEPARTMENT_ITEM_LIMIT", 1)
    url = reverse("dashboard:department", args=[org.pk]) + "?period=2023Y"
    html = client_leader.get(url).content.decode()
    assert "人才资源总量" in html and "青年人才数" not in html
    assert "另有1项指标未显示" in html and "all=1#indicators" in html
    full = client_leader.get(url + "&all=1").content.decode()
    assert "青年人才数" in full and "未显示" not in full


def test_department_page_ranks_siblings_from_stored_verdicts_as_from_every_unit(world, client_leader):
    """The page reads its own unit's verdicts only; the siblings' rank, counted by the database, is the rank the
    whole evaluation gives (per-unit verdicts, named items, tasks; no-data counts as not good)."""
    from dashboard.selectors.common import latest_progress, task_rows
    from dashboard.selectors.department import rank_units
    from indicators.evaluation.selectors import plan_results

    plan, hr, edu, org, p2023 = world["plan"], world["hr"], world["edu"], world["org"], world["p2023"]
    plan.assessed_units.add(hr, edu)
    verdicts.recompute([plan.pk])  # assessed units decide per-unit verdicts
    first = add_indicator(
        plan,
        "每单位人才数",
        order=9,
        per_unit=True,
        baseline=D(0),
        baseline_year=2020,
        target=D(100),
        target_year=2025,
        unit="人",
        decimals=0,
    )
    second = add_indicator(
        plan,
        "每单位引才数",
        lead=org,
        order=10,
        per_unit=True,
        baseline=D(0),
        baseline_year=2020,
        target=D(50),
        target_year=2025,
        unit="人",
        decimals=0,
    )
    add_value(first, p2023, hr, "70")  # ahead of the 60 expected by 2023
    add_value(first, p2023, edu, "20")  # far behind
    add_value(second, p2023, hr, "10")  # behind; edu has no figure
    page = client_leader.get(reverse("dashboard:department", args=[edu.pk]), {"period": "2023Y"}).context["page"]

    results = plan_results([plan], as_of=p2023.end, tasks=True)
    tasks = {r.plan.id: task_rows(r, latest_progress([plan.id], p2023.end)) for r in results}
    expected = rank_units([org, hr, edu], results, tasks)
    assert [(r.label, r.rank, r.items, r.good) for r in page.ranking] == [
        (r.label, r.rank, r.items, r.good) for r in expected
    ]
    assert {r.label: (r.items, r.good) for r in page.ranking} == {
        "区人社局": (4, 3),
        "区教育局": (3, 1),
        "区委组织部": (3, 0),
    }
    # edu's page lists its own verdicts, not hr's; org, named on 每单位引才数, sees each short unit under it
    (edu_row,) = [u for r in results[0].indicators if r.indicator == first for u in r.units if u.department == edu]
    assert [i.evaluation.status for i in page.indicators if i.row.indicator == first] == [edu_row.evaluation.status]
    assert [[u.department for u in i.row.units] for i in page.indicators if i.row.indicator == first] == [[edu]]
    org_page = client_leader.get(reverse("dashboard:department", args=[org.pk]), {"period": "2023Y"}).context["page"]
    short_units = {s.unit.name for s in org_page.shortfalls if s.indicator == second}
    assert short_units == {"区人社局"}  # edu has no figure: no data, not a shortfall


def test_unit_index_picks_the_same_items_and_shortfalls_as_the_whole_evaluation(world):
    """The department page counts, ranks and cuts from plain rows (unit_index), then evaluates what it shows: every
    unit's first items and shortfalls, and their totals, are those of the page built from every indicator."""
    from dashboard.selectors.common import choose_period
    from dashboard.selectors.department import department_page
    from dashboard.selectors.shortfalls import ShortfallFilter

    plan, hr, edu, org, p2023 = world["plan"], world["hr"], world["edu"], world["org"], world["p2023"]
    plan.assessed_units.add(hr, edu)
    verdicts.recompute([plan.pk])  # assessed units decide per-unit verdicts
    for i, (lead, values) in enumerate([(org, {hr: "70", edu: "20"}), (None, {hr: "10", edu: "5"}), (hr, {edu: "1"})]):
        ind = add_indicator(
            plan,
            f"每单位指标{i}",
            lead=lead,
            order=10 + i,
            per_unit=True,
            baseline=D(0),
            baseline_year=2020,
            target=D(100),
            target_year=2025,
            unit="人",
            decimals=0,
        )
        for unit, value in values.items():
            add_value(ind, p2023, unit, value)
    choice = choose_period("2023Y")
    for unit in (org, hr, edu):
        whole = department_page(unit, choice)
        for limit in (1, 2, 3):
            cut = department_page(unit, choice, limit=limit, per_page=limit)
            assert [(i.row and i.row.indicator.pk, i.status) for i in cut.indicators] == [
                (i.row and i.row.indicator.pk, i.status) for i in whole.indicators
            ][:limit]
            # the shortfalls page by page, `limit` a page, are the whole list in the same order
            pages = [
                department_page(unit, choice, limit=limit, per_page=limit, filters=ShortfallFilter(page=n))
                for n in range(1, cut.shortfall_list.num_pages + 1)
            ]
            assert [(s.indicator, s.unit, s.task) for p in pages for s in p.shortfalls] == [
                (s.indicator, s.unit, s.task) for s in whole.shortfalls
            ]
            assert (cut.indicator_total, cut.shortfall_total) == (len(whole.indicators), len(whole.shortfalls))
        assert [(r.label, r.items, r.good) for r in cut.ranking] == [(r.label, r.items, r.good) for r in whole.ranking]
