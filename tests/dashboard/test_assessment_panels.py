"""Dashboards, the assessment panels (考核排名, 督办事项): the latest ranking and open supervision notices on the
overview and department pages, with the assessment app's visibility rules, the batched read behind them
(`results_for_schemes`, checked against `scheme_results`), and their constant query counts.

The assessment tests' world (tests/test_assessment_factories.py) is built through the assessment services; the
query-count test builds its own plans. The dashboard fixtures (`leader`, `client_leader`) and builders (`add_value`,
`_aware`) come from tests/test_dashboard.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessment import escalation
from assessment.models import AssessmentScheme, DeductionSource, SupervisionNotice
from assessment.selectors import latest_unit_results, results_for_schemes, scheme_results
from assessment.services import publishing, review, scheme_setup, self_assessment
from indicators.evaluation import services as verdicts
from indicators.models import Indicator, IndicatorAssignment, IndicatorValue, ReviewStatus, TaskProgress
from plans.models import Department, Plan, ReportingPeriod, Role, Task, TaskAssignment
from plans.roles import ADMIN, REPORTER
from tests.conftest import make_user
from tests.worlds.assessment import World, build_world, pdf
from tests.worlds.assessment import period as assessment_period
from tests.worlds.dashboard import _aware, add_value

pytestmark = pytest.mark.django_db
D = Decimal


# --- assessment panels (考核排名, 督办事项) ---------------------------------------------------------------------------
ESCALATION_DAY = dt.date(2025, 3, 1)


@pytest.fixture
def assessed(db) -> World:
    """The assessment tests' world (测试计划 2024–2025: 甲开发区, 乙镇, 丙镇, 丁镇; 2024年度考核 under way) plus a
    2024年上半年 assessment to compare with, a veto on 甲 (the best score, so it drops to last), and one supervision
    notice: 乙镇 is seriously behind on 人才总量 at both 2024H1 and 2024Y. Everything through the assessment
    services."""
    w = build_world()
    h1 = assessment_period("2024H1")
    w.value(w.per_unit, w.b, h1, "10")
    w.value(w.per_unit, w.a, h1, "40")
    earlier = scheme_setup.create_scheme(user=w.admin, plan=w.plan, period=h1, title="2024年上半年考核")
    scheme_setup.add_item(
        user=w.admin, scheme=earlier, kind="indicator", name="人才总量", points=D(20), indicator=w.per_unit
    )
    scheme_setup.set_scheme_status(user=w.admin, scheme=earlier, status=AssessmentScheme.Status.ACTIVE)
    review.review_item(
        user=w.admin,
        scheme=w.scheme,
        department=w.a,
        item=w.items["veto"],
        reviewed_score=None,
        vetoed=True,
        note="数据弄虚作假",
    )
    escalation.run_escalation(user=w.admin, scheme=w.scheme, today=ESCALATION_DAY)
    return w


def _as(client, user: User):
    client.force_login(user)
    return client


def _row_key(row) -> tuple:
    return (
        row.unit.pk,
        row.group,
        row.score,
        row.base_max,
        row.rank,
        row.group_rank,
        row.vetoed,
        row.finalized,
        row.previous_score,
        row.previous_rank,
        [line.as_dict() for line in row.lines],
        [c.pk for c in row.claims],
    )


def test_results_for_schemes_matches_scheme_results(assessed: World):
    """The dashboards' batched read gives what the assessment pages' scheme_results gives, row for row."""
    w = assessed
    late = scheme_setup.add_item(
        user=w.admin,
        scheme=w.scheme,
        kind="deduction",
        name="迟报",
        points=D(5),
        unit_points=D(1),
        source=DeductionSource.LATE,
    )
    scheme_setup.add_item(
        user=w.admin,
        scheme=w.scheme,
        kind="deduction",
        name="退回",
        points=D(5),
        unit_points=D(1),
        source=DeductionSource.RETURNED,
    )
    ReportingPeriod.objects.filter(pk=w.period.pk).update(deadline=dt.date(2025, 1, 15))
    IndicatorValue.objects.filter(period=w.period, department=w.b).update(submitted_at=_aware(dt.date(2025, 2, 1)))
    w.value(w.per_unit, w.c, assessment_period("2024H1"), "5", status=ReviewStatus.RETURNED)
    claim = self_assessment.add_claim(
        user=w.rep_b,
        scheme=w.scheme,
        department=w.b,
        item=w.items["national"],
        description="张某入选国家计划",
        quantity=1,
        evidence=pdf(),
    )
    review.review_claim(user=w.admin, claim=claim, approve=True)
    review.finalize_unit(user=w.admin, scheme=w.scheme, department=w.d)
    earlier = AssessmentScheme.objects.get(period__code="2024H1")
    batched = results_for_schemes([w.scheme, earlier])
    for scheme in (w.scheme, earlier):
        single = scheme_results(scheme)
        got = batched[scheme.pk]
        assert [_row_key(r) for r in got.rows] == [_row_key(r) for r in single.rows]
        assert (got.previous, got.group_names, got.items) == (single.previous, single.group_names, single.items)
    b = batched[w.scheme.pk].row_for(w.b.pk)
    assert b is not None
    assert next(line for line in b.lines if line.key == str(late.pk)).points == D("-1.00")  # late once: the test bites
    assert batched[w.scheme.pk].previous == earlier and b.previous_rank is not None


def test_overview_shows_latest_ranking_and_open_notices(assessed: World, client):
    w = assessed
    scheme_setup.create_scheme(
        user=w.admin, plan=w.plan, period=assessment_period("2025Y"), title="2025年度考核"
    )  # draft
    response = _as(client, w.leader).get(reverse("dashboard:overview"))
    panels = response.context["assessment"]
    (panel,) = panels.rankings  # the latest scheme out of draft: 2024Y, not 2024H1 nor the 2025 draft
    assert panel.scheme == w.scheme and panel.show_rank and not panel.published
    assert [_row_key(r) for r in panel.rows] == [_row_key(r) for r in scheme_results(w.scheme).rows]
    rows = {r.unit: r for r in panel.rows}
    assert rows[w.a].vetoed and rows[w.a].rank == 4 and rows[w.b].rank == 1  # vetoed: after every other unit
    assert rows[w.b].change is not None and rows[w.b].previous_rank is not None  # against 2024H1
    html = response.content.decode()
    assert reverse("assessment:scheme", args=[w.scheme.pk]) in html
    assert "总名次" in html and "一票否决" in html and str(rows[w.b].score) in html
    (line,) = panels.notices
    notice = SupervisionNotice.objects.get(department=w.b, indicator=w.per_unit)
    assert line.notice == notice and panels.notice_total == 1
    assert line.overdue == (notice.deadline < timezone.localdate())  # 15 days from 2025-03-01, long past
    assert reverse("assessment:notice", args=[notice.pk]) in html and "人才总量" in html and "已逾期" in html
    escalation.close_notice(user=w.admin, notice=notice, reason="已整改")
    assert _as(client, w.leader).get(reverse("dashboard:overview")).context["assessment"].notices == []


def test_reporter_sees_own_unit_and_ranks_only_once_the_bulletin_is_published(assessed: World, client):
    w = assessed
    url = reverse("dashboard:overview")
    response = _as(client, w.rep_b).get(url)
    panels = response.context["assessment"]
    (panel,) = panels.rankings
    assert [r.unit for r in panel.rows] == [w.b] and not panel.show_rank  # the bulletin is not published
    html = response.content.decode()
    assert "总名次" not in html and "组内名次" not in html and "考核通报发布前，名次仅组织部和领导可见" in html
    assert "甲开发区" not in html.split('id="assessment-ranking"')[1].split("</section>")[0]
    assert [n.notice.department for n in panels.notices] == [w.b]
    assert _as(client, w.rep_c).get(url).context["assessment"].notices == []  # 乙's notice is not 丙's business
    bulletin = publishing.ensure_bulletin(user=w.admin, scheme=w.scheme)
    assert not _as(client, w.rep_b).get(url).context["assessment"].rankings[0].show_rank  # a draft bulletin
    publishing.publish_bulletin(user=w.admin, bulletin=bulletin)
    (panel,) = _as(client, w.rep_b).get(url).context["assessment"].rankings
    assert panel.show_rank and [r.unit for r in panel.rows] == [w.b]
    outsider = make_user("outsider", REPORTER, Department.objects.create(name="外区", kind="government"))
    assert _as(client, outsider).get(url).context["assessment"].rankings == []


def test_department_page_shows_the_units_results_and_notices(assessed: World, client):
    w = assessed
    url = reverse("dashboard:department", args=[w.b.pk])
    response = _as(client, w.leader).get(url)
    panels = response.context["assessment"]
    assert panels.visible
    assert [line.scheme.period.code for line in panels.lines] == ["2024Y", "2024H1"]  # newest first
    expected = [(r.score, r.rank, r.group_rank, r.previous_score) for r in latest_unit_results(w.b)]
    assert [(ln.row.score, ln.row.rank, ln.row.group_rank, ln.row.previous_score) for ln in panels.lines] == expected
    assert panels.lines[0].show_rank and panels.lines[0].units == 4 and panels.lines[0].group_units == 2
    (notice,) = [n.notice for n in panels.notices]
    html = response.content.decode()
    assert "第1名（共4个）" in html and reverse("assessment:unit", args=[w.scheme.pk, w.b.pk]) in html
    assert reverse("assessment:notice", args=[notice.pk]) in html
    own = _as(client, w.rep_b).get(url)
    assert own.context["assessment"].visible and not own.context["assessment"].lines[0].show_rank
    assert "通报发布后公布" in own.content.decode() and "第1名（共4个）" not in own.content.decode()
    other = _as(client, w.rep_c).get(url)  # another unit's assessment is not for 丙's reporter
    assert not other.context["assessment"].visible
    assert reverse("assessment:notice", args=[notice.pk]) not in other.content.decode()
    assert "仅组织部、领导和本单位填报员可见" in other.content.decode()


def _assessed_plan(n: int, admin: User, units_per_plan: int) -> Department:
    """A plan 2023–2025 with `units_per_plan` assessed units, all seriously behind at 2023Y and 2024Y, a 2023Y and a
    2024Y scheme (every item kind, automatic deductions included), and the notices escalation opens (one per unit)."""
    root = Department.objects.create(name=f"考核区{n}", kind=Department.Kind.GOVERNMENT)
    units = [
        Department.objects.create(
            parent=root, name=f"镇{n}-{i}", category=("重点镇", "其他镇")[i % 2], kind=Department.Kind.TOWN, order=i
        )
        for i in range(units_per_plan)
    ]
    plan = Plan.objects.create(
        code=f"assessed-{n}",
        title=f"考核规划{n}",
        issuer=root,
        start_year=2023,
        end_year=2025,
        kind=Plan.Kind.THREE_YEAR,
    )
    plan.assessed_units.set(units)
    verdicts.recompute([plan.pk])  # assessed units decide per-unit verdicts
    common = {
        "plan": plan,
        "kind": "level",
        "comparison": "gte",
        "baseline": D(0),
        "baseline_year": 2022,
        "target": D(100),
        "target_year": 2025,
        "decimals": 0,
    }
    per_unit = Indicator.objects.create(name="人才总量", per_unit=True, order=1, **common)
    plan_level = Indicator.objects.create(name="研发投入", order=2, **common)
    IndicatorAssignment.objects.create(indicator=plan_level, role=Role.LEAD, department=units[0])
    task = Task.objects.create(plan=plan, number="1.", text="建设人才公寓", order=1)
    TaskAssignment.objects.create(task=task, role=Role.LEAD, department=units[0])
    TaskAssignment.objects.create(task=task, role=Role.RESPONSIBLE, department=units[1])
    for code, figure in (("2023Y", "5"), ("2024Y", "10")):
        period = assessment_period(code)
        for unit in units:
            add_value(per_unit, period, unit, figure)
        add_value(plan_level, period, units[0], figure)
        TaskProgress.objects.create(
            task=task,
            department=units[1],
            period=period,
            status=ReviewStatus.APPROVED,
            progress_status=TaskProgress.Progress.IN_PROGRESS,
            progress="进展",
        )
    for code in ("2023Y", "2024Y"):
        scheme = scheme_setup.create_scheme(user=admin, plan=plan, period=assessment_period(code), title=f"{code}考核")
        add = partial(scheme_setup.add_item, user=admin, scheme=scheme)
        add(kind="indicator", name="人才总量", points=D(20), indicator=per_unit)
        add(kind="indicator", name="研发投入", points=D(10), indicator=plan_level)
        add(kind="task", name="建设人才公寓", points=D(10), task=task)
        add(kind="bonus", name="国家级人才", points=D(10), unit_points=D(5))
        add(kind="deduction", name="迟报", points=D(5), unit_points=D(1), source=DeductionSource.LATE)
        add(kind="deduction", name="退回", points=D(5), unit_points=D(1), source=DeductionSource.RETURNED)
        add(kind="veto", name="重大责任事故")
        scheme_setup.set_scheme_status(user=admin, scheme=scheme, status=AssessmentScheme.Status.ACTIVE)
    review.review_item(
        user=admin,
        scheme=scheme,
        department=units[-1],
        item=scheme.items.get(kind="veto"),
        reviewed_score=None,
        vetoed=True,
        note="否决",
    )
    escalation.run_escalation(user=admin, scheme=scheme, today=ESCALATION_DAY)
    return units[0]


# Measured with one and with four assessed plans (3, then 3 + 3×8 units, a notice per unit, two schemes a plan):
# overview 47, department 50 at both sizes (the shortfall lists' lead units and their responsible and cooperating
# units cost 2, 1 on the overview, which read its lead units before). Over the pages without schemes: the previous
# schemes (1), items, units, assessments and their scores, claims (5), task roles and approved reports (2), late
# and returned counts (4), and the engine (6) once per assessment period end still being scored — twice here,
# 2023Y (the previous assessment, nobody finalized) and 2024Y; a finalized previous assessment is read as frozen
# and costs no evaluation. 2 spare.
ASSESSMENT_MAX_QUERIES = {"overview": 49, "department": 52}


def test_assessment_panels_queries_do_not_grow_with_schemes_units_or_notices(
    client_leader, django_assert_max_num_queries
):
    admin = make_user("bulk_admin", ADMIN)
    first_unit = _assessed_plan(0, admin, units_per_plan=3)
    urls = {
        "overview": reverse("dashboard:overview"),
        "department": reverse("dashboard:department", args=[first_unit.pk]),
    }

    def counts() -> dict[str, int]:
        found = {}
        for page, url in urls.items():
            client_leader.get(url)  # warm per-process caches (content types) so both sizes count alike
            with CaptureQueriesContext(connection) as ctx:
                assert client_leader.get(url).status_code == 200
            found[page] = len(ctx.captured_queries)
        return found

    small = counts()
    for n in range(1, 4):
        _assessed_plan(n, admin, units_per_plan=8)
    assert SupervisionNotice.objects.count() >= 3 + 3 * 8 and AssessmentScheme.objects.count() == 8
    large = counts()
    assert small == large
    page = client_leader.get(urls["overview"]).context["assessment"]
    assert len(page.rankings) == 4 and sum(len(p.rows) for p in page.rankings) == 3 + 3 * 8
    for name, url in urls.items():
        with django_assert_max_num_queries(ASSESSMENT_MAX_QUERIES[name]):
            client_leader.get(url)
