"""Leadership dashboards: statuses are the engine's, shortfalls, period switching, demo banner, ranking,
timeliness, projection, charts, constant query counts, read-only access. The assessment panels (考核排名, 督办事项)
are tested in tests/test_dashboard_assessment.py.

Every test builds its own small plan (测试区 with three departments) rather than depending on seed or demo data. The
other dashboard test modules import the fixtures (`world`, `leader`, `client_leader`) and builders (`add_indicator`,
`add_value`, `_aware`) from here.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial

import pytest
from django.urls import reverse

from dashboard import charts
from indicators.evaluation import services as verdicts
from indicators.evaluation.selectors import plan_results
from indicators.models import Indicator, IndicatorAssignment, IndicatorValue, ReviewStatus, TaskProgress, UnitTarget
from plans.models import Department, Plan, Role, Task, TaskAssignment
from plans.roles import REPORTER
from tests.conftest import make_user
from tests.worlds.dashboard import add_indicator, add_value, urls

pytestmark = pytest.mark.django_db
D = Decimal


# --- statuses and the shortfall list -------------------------------------------------------------------------------


def test_statuses_shown_are_the_engines(world, client_leader):
    (result,) = plan_results([world["plan"]], as_of=world["p2023"].end)
    engine_status = {r.indicator.pk: r.status.value for r in result.indicators}
    assert engine_status == {world["level"].pk: "lagging", world["share"].pk: "on_track", world["total"].pk: "behind"}
    page = client_leader.get(reverse("dashboard:plan", args=["test-plan"])).context["page"]
    assert {line.row.indicator.pk: line.row.status.value for line in page.lines} == engine_status


def test_lagging_indicator_in_shortfall_list_with_gap_and_lead(world, client_leader):
    response = client_leader.get(reverse("dashboard:overview"))
    page = response.context["page"]
    shortfall = next(s for s in page.shortfalls if s.indicator == world["level"])
    assert shortfall.status == "lagging"
    # The path on the month calendar: end-2023 is (2023−2020)/(2025−2020) = 60 % of the way → 160 expected, 8 short.
    assert shortfall.evaluation.gap_to_expected == D("-8") and shortfall.evaluation.expected == D("160")
    assert [a.department_id for a in shortfall.lead] == [world["org"].pk]
    html = response.content.decode()
    assert "-8万人" in html and "区委组织部" in html
    assert reverse("dashboard:indicator", args=[world["level"].pk]) in html
    assert reverse("dashboard:department", args=[world["org"].pk]) in html
    assert "实际152万人，目标200万人，进度52%，序时进度60%，较序时落后8万人" in html
    assert world["share"].pk not in [s.indicator.pk for s in page.shortfalls if s.indicator]  # on track


def test_shortfalls_worst_first_with_overdue_tasks_and_unnamed_lead(world, client_leader):
    response = client_leader.get(reverse("dashboard:overview"))
    page = response.context["page"]
    kinds = [(s.status, s.indicator.name if s.indicator else s.task.task.number) for s in page.shortfalls]
    # overdue task (a missed deadline is final), then behind, then lagging; the done task is not listed
    assert kinds == [("overdue", "1."), ("behind", "累计引进人才"), ("lagging", "人才资源总量")]
    html = response.content.decode()
    assert "未明确" in html  # 累计引进人才 names no lead
    assert "逾期未完成" in html
    total = next(s for s in page.shortfalls if s.indicator == world["total"])
    assert total.evaluation.gap_to_expected == D(-50) and total.gap_unit == "人"  # 250 against 3/5 × 500 = 300


def test_share_gap_in_percentage_points(world, make_period, client_leader):
    add_value(world["share"], make_period("2024Y"), world["hr"], "25")  # 25 against 20 + 4/5 × 10 = 28 at end-2024
    page = client_leader.get(reverse("dashboard:overview"), {"period": "2024Y"}).context["page"]
    shortfall = next(s for s in page.shortfalls if s.indicator == world["share"])
    assert str(shortfall.gap_unit) == "个百分点" and shortfall.evaluation.gap_to_expected == D("-3")


def test_groups_by_first_level_group(world, client_leader):
    page = client_leader.get(reverse("dashboard:overview")).context["page"]
    (summary,) = page.plans
    assert [g.name for g in summary.groups] == ["人才总量", "人才结构", "其他指标"]
    assert summary.completion == D("0.3333")
    assert summary.counts == [("behind", 1), ("lagging", 1), ("on_track", 1)]


# --- periods and demo figures -------------------------------------------------------------------------------------


def test_default_period_is_latest_with_data_and_switching(world, make_period, client_leader):
    make_period("2024Q1")  # exists but holds no values: not the default
    url = reverse("dashboard:overview")
    default = client_leader.get(url)
    assert default.context["choice"].period.code == "2023Y"
    switched = client_leader.get(url, {"period": "2022Y"})
    assert switched.context["choice"].period.code == "2022Y"
    statuses = {s.indicator.pk: s.status for s in switched.context["page"].shortfalls if s.indicator}
    assert world["level"].pk not in statuses  # 140 at end-2022 is exactly on the path
    assert '<option value="2022Y" selected>' in switched.content.decode()
    links_keep_period = f"{reverse('dashboard:plan', args=['test-plan'])}?period=2022Y"
    assert links_keep_period in switched.content.decode()
    unknown = client_leader.get(url, {"period": "2099Q9"})
    assert unknown.context["choice"].period.code == "2023Y" and "2099Q9" in unknown.content.decode()


def test_demo_banner_only_when_a_shown_value_is_demo(world, make_period, client_leader):
    for url in urls(world):
        assert "含演示数据" not in client_leader.get(url).content.decode()
    # a demo draft is not shown, so it raises no banner
    add_value(world["level"], make_period("2024Y"), world["org"], "170", status=ReviewStatus.DRAFT, is_demo=True)
    assert "含演示数据" not in client_leader.get(urls(world)[0]).content.decode()
    IndicatorValue.objects.filter(indicator=world["level"], period=world["p2023"]).update(is_demo=True)
    verdicts.recompute([world["level"].plan_id])  # a plan-wide change, made here with QuerySet.update
    for url in urls(world):
        assert "含演示数据" in client_leader.get(url).content.decode(), url


# --- plan page ------------------------------------------------------------------------------------------------------


def test_plan_page_table_tasks_basis_and_per_unit_rows(world, client_leader):
    plan, hr, edu = world["plan"], world["hr"], world["edu"]
    add_value(world["share"], world["p2023"], hr, "25.5", basis="estimate")  # the estimate kept beside 统计 26
    plan.assessed_units.set([hr, edu])
    verdicts.recompute([plan.pk])  # assessed units decide per-unit verdicts
    per_unit = add_indicator(
        plan,
        "各单位人才数",
        order=4,
        per_unit=True,
        unit="人",
        decimals=0,
        baseline=D(10),
        baseline_year=2020,
        target=D(20),
        target_year=2025,
        group="人才总量",
    )
    UnitTarget.objects.create(indicator=per_unit, department=edu, baseline=D(0), target=D(50))
    add_value(per_unit, world["p2023"], hr, "16")
    add_value(per_unit, world["p2023"], edu, "10")
    response = client_leader.get(reverse("dashboard:plan", args=["test-plan"]))
    html = response.content.decode()
    page = response.context["page"]
    line = next(line for line in page.lines if line.row.indicator == per_unit)
    assert [(u.unit.name, u.target, u.evaluation.status.value) for u in line.units] == [
        ("区人社局", D(20), "on_track"),
        ("区教育局", D(50), "behind"),
    ]
    assert page.lines[0].group_rowspan == 4  # 人才资源总量, 各单位人才数 and its two unit rows
    assert 'class="bullet"' in html and "<title>" in html
    assert "统计" in html and "预计 25.5" in html
    assert "（推定）" in html  # task 2 lead inferred
    assert [t.state.value for t in page.tasks] == ["overdue", "done"]


# --- indicator page -------------------------------------------------------------------------------------------------


def test_indicator_page_trend_projection_and_history(world, client_leader, leader):
    value = IndicatorValue.objects.get(indicator=world["level"], period=world["p2023"])
    value._history_user = leader  # what HistoryRequestMiddleware does for a request
    value.value = D("153")
    value.save()
    verdicts.figures_changed(figures=[(value.indicator_id, value.department_id, value.period.end)])
    response = client_leader.get(reverse("dashboard:indicator", args=[world["level"].pk]))
    html = response.content.decode()
    page = response.context["page"]
    assert [s.value.period.code for s in page.series] == ["2022Y", "2023Y"]
    assert 'class="trend"' in html and html.count('class="actual-point"') == 2 and html.count('class="path-point"') == 2
    assert "2023Y 实际 153万人（统计）" in html  # tooltip
    # 100 → 153 in 3 years: 17.67 a year reaches 188.33 by 2025; 200 needs (200/153)^(1/2) − 1 = 14.33 % a year.
    assert page.projection.projected == D("188.3333") and page.projection.required_growth == D("14.33")
    assert "按当前速度2025年预计达到188.33万人" in html and "需年均增长14.33%" in html
    assert "leader1" in html and "152 → <strong>153</strong>" in html


def test_cumulative_trend_is_running_total(world, client_leader):
    page = client_leader.get(reverse("dashboard:indicator", args=[world["total"].pk])).context["page"]
    assert [s.comparable for s in page.series] == [D(100), D(200), D(250)]
    assert page.projection.required_per_year == D("125.0000")  # 250 still to go in 2 years


# --- department page ------------------------------------------------------------------------------------------------


def test_department_page_items_shortfalls_timeliness_and_rank(world, client_leader):
    response = client_leader.get(reverse("dashboard:department", args=[world["org"].pk]))
    page = response.context["page"]
    assert [i.row.indicator for i in page.indicators] == [world["level"]]
    assert [i.task.task for i in page.tasks] == [world["overdue"]]
    assert [s.status for s in page.shortfalls] == ["overdue", "lagging"]
    # org reports 人才资源总量: 2022Y in time, 2023Y after the 2024-01-15 deadline
    assert [(r.period.code, r.on_time, r.late, r.missing) for r in page.timeliness] == [
        ("2023Y", 0, 1, 0),
        ("2022Y", 1, 0, 0),
    ]
    # hr: indicator on track + task done = 2/2; org: lagging + overdue = 0/2; edu: responsible for the done task
    assert [(r.label, r.rank, r.share) for r in page.ranking] == [
        ("区人社局", 1, D(1)),
        ("区教育局", 1, D(1)),
        ("区委组织部", 3, D(0)),
    ]
    assert page.position.rank == 3
    assert "第3名" in response.content.decode()


def test_issuer_timeliness_counts_missing(world, make_period, client_leader):
    make_period("2024Y", deadline=dt.date(2025, 1, 15))
    page = client_leader.get(reverse("dashboard:department", args=[world["root"].pk]), {"period": "2024Y"}).context[
        "page"
    ]
    # the issuer reports 累计引进人才 (no lead named): 2022Y and 2023Y on time (no submission time), 2024Y missing
    assert [(r.period.code, r.on_time, r.missing) for r in page.timeliness] == [
        ("2024Y", 0, 1),
        ("2023Y", 1, 0),
        ("2022Y", 1, 0),
    ]


def test_rank_ties_share_a_rank():
    rows = charts.competition_rank(
        [
            charts.Ranked("a", "甲", 4, 2),
            charts.Ranked("b", "乙", 2, 2),
            charts.Ranked("c", "丙", 2, 1),
            charts.Ranked("d", "丁", 3, 3),
        ]
    )
    assert [(r.label, r.rank) for r in rows] == [("丁", 1), ("乙", 1), ("甲", 3), ("丙", 3)]


# --- pure arithmetic and charts ------------------------------------------------------------------------------------


def test_projection_linear():
    p = charts.project(
        start=D(100),
        start_date=dt.date(2020, 12, 31),
        actual=D(110),
        actual_date=dt.date(2022, 12, 31),
        target=D(130),
        target_year=2025,
    )
    assert p is not None
    assert (p.projected, p.pace, p.required_per_year, p.required_growth, p.reaches) == (
        D("125.0000"),
        D("5.0000"),
        D("6.6667"),
        D("5.73"),
        False,
    )


def test_projection_compound_and_lower_is_better():
    p = charts.project(
        start=D(100),
        start_date=dt.date(2020, 12, 31),
        actual=D(121),
        actual_date=dt.date(2022, 12, 31),
        target=D(150),
        target_year=2025,
        compound=True,
    )
    assert p is not None
    assert p.pace == D("10.0000") and p.projected == D("161.0510") and p.reaches
    down = charts.project(
        start=D(10),
        start_date=dt.date(2020, 12, 31),
        actual=D(9),
        actual_date=dt.date(2021, 12, 31),
        target=D(5),
        target_year=2025,
        higher_is_better=False,
    )
    assert down is not None and down.required_growth is not None
    assert down.projected == D("5.0000") and down.reaches and down.required_growth < 0


def test_projection_needs_elapsed_and_remaining_time():
    project = partial(
        charts.project, start=D(1), start_date=dt.date(2020, 12, 31), actual=D(2), target=D(3), target_year=2025
    )
    assert project(actual_date=dt.date(2020, 12, 31)) is None
    assert project(actual_date=dt.date(2025, 12, 31)) is None
    assert charts.years_between(dt.date(2020, 12, 31), dt.date(2022, 12, 31)) == D(2)


def test_svg_helpers_are_decimal_and_titled():
    svg = charts.bullet(start=D(100), target=D(200), actual=D(152), expected=D(160), status="lagging", unit="万人")
    assert svg.startswith('<svg class="bullet"') and "<title>实际 152万人 · 序时 160万人 · 目标 200万人</title>" in svg
    assert charts.bullet(start=None, target=None, actual=D(1), expected=None, status="no_data") == ""
    trend = charts.trend_chart(
        [charts.Point(dt.date(2022, 12, 31), D(140), "2022Y")],
        [charts.Point(dt.date(2020, 12, 31), D(100), "基期"), charts.Point(dt.date(2025, 12, 31), D(200), "目标")],
    )
    assert "<title>2022Y</title>" in trend and "<title>基期</title>" in trend and "e+" not in trend.lower()
    assert charts.nice_ticks(D("23.2"), D("26.4")) == [D(23), D(24), D(25), D(26), D(27)]


# --- query counts ---------------------------------------------------------------------------------------------------


def _bulk_world(size: int, make_period) -> dict:
    """A plan with `size` indicators (a fifth per-unit), values in four periods, tasks with progress and history."""
    root = Department.objects.create(name=f"规模区{size}", kind="government")
    units = [Department.objects.create(parent=root, name=f"单位{i}", order=i) for i in range(4)]
    plan = Plan.objects.create(
        code=f"bulk-{size}", title="规模测试", issuer=root, start_year=2021, end_year=2025, kind="five_year"
    )
    plan.assessed_units.set(units[:3])
    verdicts.recompute([plan.pk])  # assessed units decide per-unit verdicts
    periods = [make_period(code, deadline=dt.date(2024, 1, 15)) for code in ("2022Y", "2023Q2", "2023Q3", "2023Y")]
    for i in range(size):
        per_unit = i % 5 == 4
        ind = add_indicator(
            plan,
            f"指标{i}",
            lead=units[i % 4],
            order=i,
            per_unit=per_unit,
            group=f"组{i % 3}",
            kind=("level", "cumulative", "rate")[i % 3],
            baseline=D(10),
            baseline_year=2020,
            target=D(100),
            target_year=2025,
        )
        IndicatorAssignment.objects.create(indicator=ind, role=Role.RESPONSIBLE, department=units[(i + 1) % 4])
        reporters = units[:3] if per_unit else [units[i % 4]]
        for period in periods:
            for unit in reporters:
                add_value(ind, period, unit, str(20 + i % 40), is_demo=i % 2 == 0, submitted=dt.date(2024, 1, 1))
        task = Task.objects.create(plan=plan, number=f"{i}.", text=f"任务{i}", due_date=dt.date(2023, 6, 30), order=i)
        TaskAssignment.objects.create(task=task, role=Role.LEAD, department=units[i % 4])
        TaskAssignment.objects.create(task=task, role=Role.RESPONSIBLE, department=units[(i + 2) % 4])
        TaskProgress.objects.create(
            task=task,
            period=periods[-1],
            department=units[i % 4],
            progress_status=("in_progress", "done", "delayed")[i % 3],
            status=ReviewStatus.SUBMITTED,
        )
    return {"plan": plan, "indicator": Indicator.objects.filter(plan=plan).first(), "unit": units[0]}


# The same ceilings hold at 5 and at 60 indicators: every read fetches whole sets, never one row per item (an N+1
# would add dozens at 60). Measured at both sizes: overview 22, plan 19, indicator 18, department 25, of which 5 are
# the page chrome (session, user, and base.html's menu permission checks) and, on the overview and department pages,
# 2 the assessment panels' (schemes, open notices; this world has no scheme, see
# test_dashboard_assessment.py's test_assessment_panels_*_queries); 2 spare absorb chrome changes. The department
# page's first view reads the unit index, evaluates and stores the stale verdicts, reads the index's verdicts again,
# then evaluates the shown indicators from the stored ones: 37 (24 once stored, below).
MAX_QUERIES = {"overview": 24, "plan": 21, "indicator": 20, "department": 39}


@pytest.mark.parametrize("size", [5, 60])
@pytest.mark.parametrize("page", ["overview", "plan", "indicator", "department"])
def test_constant_query_count(size, page, make_period, client_leader, django_assert_max_num_queries):
    w = _bulk_world(size, make_period)
    url = {
        "overview": reverse("dashboard:overview"),
        "plan": reverse("dashboard:plan", args=[w["plan"].code]),
        "indicator": reverse("dashboard:indicator", args=[w["indicator"].pk]),
        "department": reverse("dashboard:department", args=[w["unit"].pk]),
    }[page]
    with django_assert_max_num_queries(MAX_QUERIES[page]):
        response = client_leader.get(url)
    assert response.status_code == 200


# The overview reads the stored verdicts, first view or not, in the same count at both sizes — user, periods, plans,
# indicators, their own lines, short units, recalculations, due tasks, their units, their reports, the lead units
# of the plans (one UNION over indicators, tasks and sections), the shown rows' responsible and cooperating units,
# roles, the two assessment panels and the header's notifications (the session comes from the cache).
@pytest.mark.parametrize("size", [5, 60])
def test_overview_query_count(size, make_period, client_leader, django_assert_max_num_queries):
    _bulk_world(size, make_period)
    url = reverse("dashboard:overview")
    with django_assert_max_num_queries(15):
        cold = client_leader.get(url)
    with django_assert_max_num_queries(15):
        warm = client_leader.get(url)
    body = lambda r: r.content.decode().split('<section class="plan-cards">')[1]
    assert body(warm) == body(cold)


@pytest.mark.parametrize("size", [5, 60])
def test_department_page_query_count(size, make_period, client_leader, django_assert_max_num_queries):
    w = _bulk_world(size, make_period)
    url = reverse("dashboard:department", args=[w["unit"].pk])
    cold = client_leader.get(url)
    with django_assert_max_num_queries(26):
        warm = client_leader.get(url)
    body = lambda r: r.content.decode().split("<h1>")[1]
    assert body(warm) == body(cold)


# --- access ---------------------------------------------------------------------------------------------------------


def test_anonymous_is_redirected_to_login(world, client):
    for url in urls(world):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_leader_and_reporter_can_read_all_four_pages(world, client, leader):
    for user in (leader, make_user("reporter1", REPORTER, world["hr"])):
        client.force_login(user)
        for url in urls(world):
            assert client.get(url).status_code == 200, (user, url)


def test_post_is_refused_and_reading_changes_nothing(world, client_leader):
    before = (IndicatorValue.objects.count(), IndicatorValue.history.count(), TaskProgress.objects.count())
    for url in urls(world):
        assert client_leader.post(url, {"period": "2022Y"}).status_code == 405, url
        client_leader.get(url)
    assert before == (IndicatorValue.objects.count(), IndicatorValue.history.count(), TaskProgress.objects.count())


def test_unknown_objects_are_404(world, client_leader):
    assert client_leader.get(reverse("dashboard:plan", args=["nope"])).status_code == 404
    assert client_leader.get(reverse("dashboard:indicator", args=[999999])).status_code == 404
    assert client_leader.get(reverse("dashboard:department", args=[999999])).status_code == 404


def test_plan_page_links_the_excel_report_for_the_period(seeded, make_period):
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from indicators.models import Indicator, IndicatorValue
    from plans.models import Department

    period = make_period("2023Y")
    leader = User.objects.create_user("excel-link-leader", password="x")
    leader.groups.add(Group.objects.get(name="领导"))
    indicator = Indicator.objects.get(plan__code="wuxing-14th", number="1")
    IndicatorValue.objects.create(
        indicator=indicator,
        period=period,
        department=Department.objects.get(name="吴兴区"),
        value=24,
        basis="official",
        status="approved",
    )
    client = Client()
    client.force_login(leader)
    html = client.get("/dashboard/plan/wuxing-14th/?period=2023Y").content.decode()
    assert "/excel/assessment/wuxing-14th/?period=2023Y" in html
    response = client.get("/excel/assessment/wuxing-14th/?period=2023Y")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_plan_page_of_a_large_plan_lists_the_spread_not_every_unit(world, client_leader, monkeypatch):
    """A province plan assesses 100 counties: each per-unit indicator shows its spread and links to its units."""
    from dashboard.selectors import common as dashboard_selectors

    plan, hr, edu, org = world["plan"], world["hr"], world["edu"], world["org"]
    plan.assessed_units.add(hr, edu, org)
    verdicts.recompute([plan.pk])  # assessed units decide per-unit verdicts
    per_unit = add_indicator(
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
        group="人才总量",
    )
    add_value(per_unit, world["p2023"], hr, "60")
    url = reverse("dashboard:plan", args=[plan.code])
    inline = client_leader.get(url).context["page"]
    (before,) = [line for line in inline.lines if line.row.indicator == per_unit]
    assert len(before.units) == 3
    monkeypatch.setattr(dashboard_selectors, "UNIT_ROWS_INLINE", 2)
    response = client_leader.get(url)
    page = response.context["page"]
    line = next(line for line in page.lines if line.row.indicator == per_unit)
    assert page.units_collapsed == 3 and line.units == [] and line.row.status == before.row.status
    html = response.content.decode()
    assert "查看3个单位的完成情况" in html and "本规划考核3个单位" in html
    assert 'class="unit-row"' not in html
