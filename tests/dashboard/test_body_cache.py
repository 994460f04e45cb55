"""Dashboard bodies cached per generation (talentplan.pagecache): a second view reads the cached body, and every
committed change a dashboard can show — a counted figure, a unit's name edited in the admin, a task's progress — is on
the next view; a draft is not a change. Transactional tests: the generation moves when a write commits, which the
usual per-test transaction never does.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import services
from indicators.models import IndicatorValue, ReviewStatus
from plans.roles import ADMIN
from talentplan import pagecache
from tests.conftest import make_user, mark_figures
from tests.worlds.dashboard import add_value, urls

# serialized_rollback: the role groups come from a data migration and must exist again after a flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
D = Decimal


def _queries(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"period": "2023Y"})
    assert response.status_code == 200
    # The CSRF token is masked afresh on every response; the rest of the page must be the same.
    html = re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "", response.content.decode())
    return html, len(ctx.captured_queries)


@pytest.mark.parametrize("page", [0, 1, 2, 3], ids=["overview", "plan", "indicator", "department"])
def test_second_view_reads_the_cached_body(world, client_leader, page):
    url = urls(world)[page]
    first, cold = _queries(client_leader, url)
    second, warm = _queries(client_leader, url)
    assert second == first
    assert warm < cold - 3  # the selectors' queries are gone; session, user, periods, version and panels remain


def test_indicator_page_caches_its_body_and_history_but_not_the_users_links(world, client_leader):
    """A second view reads the user, the indicator, the periods and the user's roles: the verdict, units, figures,
    trend and change history come from the cache. An administrator's edit links are not kept with them, and a
    committed draft, which leaves the body as it was, is in the change history on the next view."""
    url = urls(world)[2]
    first, cold = _queries(client_leader, url)
    second, warm = _queries(client_leader, url)
    assert second == first and "录入/修改" not in first
    assert cold <= 15 and warm <= 4
    admin = Client()
    admin.force_login(make_user("zzb", ADMIN, world["root"]))
    assert "录入/修改" in _queries(admin, url)[0]
    assert "录入/修改" not in _queries(client_leader, url)[0]
    add_value(world["level"], world["p2022"], world["hr"], "999", basis="estimate", status=ReviewStatus.DRAFT)
    pagecache.statuses_changed()  # what the write services do after every status write, a draft's too
    after, queries = _queries(client_leader, url)
    assert "<strong>999</strong>" in after and queries <= warm + 2  # the history read again, the body not


def test_an_indicators_history_stays_kept_while_other_plans_drafts_come_in(world, led_world, client_leader):
    """A reporter's save names its plan's statuses: another plan's draft leaves the history as kept, a draft of the
    indicator's own plan is on the next view, and a write naming no plan (a review) moves every history."""
    url = urls(world)[2]
    _html, cold = _queries(client_leader, url)
    _html, warm = _queries(client_leader, url)
    other = led_world["other"].pk
    assert other != world["plan"].pk
    pagecache.statuses_changed(plans=[other])
    assert _queries(client_leader, url)[1] == warm
    add_value(world["level"], world["p2022"], world["hr"], "999", basis="estimate", status=ReviewStatus.DRAFT)
    pagecache.statuses_changed(plans=[world["plan"].pk])
    after, queries = _queries(client_leader, url)
    assert "<strong>999</strong>" in after and queries > warm
    _queries(client_leader, url)
    pagecache.statuses_changed()
    assert _queries(client_leader, url)[1] > warm


def test_a_siblings_page_reads_what_units_under_one_parent_share_once(world, client_leader):
    """The units under one parent are ranked together and read the same plans, lead units and unit-index rows: the
    first of their pages after a change reads them, the next unit's page takes them from the cache."""
    hr = reverse("dashboard:department", args=[world["hr"].pk])
    _queries(client_leader, reverse("dashboard:department", args=[world["org"].pk]))
    after_sibling, shared = _queries(client_leader, hr)
    pagecache.changed()
    first, alone = _queries(client_leader, hr)
    assert after_sibling == first
    assert shared <= alone - 5  # siblings, plans, leads, indicators, assignments, assessed units


def test_a_committed_counted_figure_is_on_the_next_view(world, client_leader):
    url = urls(world)[0]
    before, _ = _queries(client_leader, url)
    assert "86.7%" in before or "滞后" in before
    version = pagecache.generation()
    value = IndicatorValue.objects.get(indicator=world["level"], period=world["p2023"])
    value.value = D("190")  # well ahead of the path now
    value.save()
    mark_figures(value)  # what the write services do after a counted figure changes
    assert pagecache.generation() != version
    after, _ = _queries(client_leader, url)
    assert after != before
    assert "190" in _queries(client_leader, urls(world)[1])[0]


def test_a_draft_does_not_move_the_generation(world, client_leader):
    version = pagecache.generation()
    add_value(world["level"], world["p2022"], world["hr"], "999", basis="estimate", status=ReviewStatus.DRAFT)
    assert pagecache.generation() == version


def test_a_name_edited_in_the_admin_and_task_progress_move_the_generation(world, client_leader):
    from django.contrib.auth.models import User

    url = urls(world)[3]
    _queries(client_leader, url)
    org = world["org"]
    admin = User.objects.create_superuser("root", password="pw-root")
    client_leader.force_login(admin)
    response = client_leader.post(
        reverse("admin:plans_department_change", args=[org.pk]),
        {
            "name": "区委组织部（新）",
            "short_name": "",
            "aliases": "[]",
            "kind": org.kind,
            "category": "",
            "order": 1,
            "is_active": "on",
            "parent": world["root"].pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert "区委组织部（新）" in _queries(client_leader, url)[0]
    from plans.roles import ADMIN
    from tests.conftest import make_user

    version = pagecache.generation()
    services.approve_item(user=make_user("zzb", ADMIN, world["root"]), item=world["overdue"].progress_reports.get())
    assert pagecache.generation() != version


def test_uncommitted_writes_are_never_cached(world, client_leader):
    """Inside a transaction that has written, pages are computed from what it sees and nothing is kept."""
    url = urls(world)[0]
    _queries(client_leader, url)
    with transaction.atomic():
        value = IndicatorValue.objects.get(indicator=world["level"], period=world["p2023"])
        value.value = D("190")
        value.save()
        mark_figures(value)
        assert pagecache.generation() is None
        inside, _ = _queries(client_leader, url)
        transaction.set_rollback(True)
    outside, _ = _queries(client_leader, url)
    assert inside != outside  # the rolled-back figure was shown inside only, and not cached


def test_a_figure_moves_its_own_plans_pages_and_the_pages_listing_every_plan(led_world, client_leader):
    """Plan-scoped generations: a counted figure of the second plan is on the overview and the unit pages at once,
    while the first plan's page (and its workbook) stay as kept; a figure of the first plan moves its page."""
    w = led_world
    plan_url, overview_url, other_url = urls(w)[1], urls(w)[0], reverse("dashboard:plan", args=[w["other"].code])
    indicator_url = urls(w)[2]
    for url in (plan_url, overview_url, other_url, indicator_url):
        _queries(client_leader, url)
    indicator_html, indicator_warm = _queries(client_leader, indicator_url)
    plan_version = pagecache.generation(plans=[w["plan"].pk])
    every_version = pagecache.generation()
    value = IndicatorValue.objects.get(indicator=w["other_behind"], period=w["p2023"])
    value.value = D("77")
    value.save()
    mark_figures(value)
    assert pagecache.generation(plans=[w["plan"].pk]) == plan_version  # the first plan's bodies are kept
    assert pagecache.generation() != every_version
    assert pagecache.generation(plans=[w["other"].pk]) != pagecache.generation(plans=[w["plan"].pk])
    assert "77" in _queries(client_leader, other_url)[0]
    _, warm = _queries(client_leader, plan_url)
    _, other_warm = _queries(client_leader, other_url)
    assert warm == other_warm  # read from the cache like a second view
    assert _queries(client_leader, indicator_url) == (indicator_html, indicator_warm)  # its indicators' pages too
    first = IndicatorValue.objects.get(indicator=w["level"], period=w["p2023"])
    first.value = D("190")
    first.save()
    mark_figures(first)
    assert pagecache.generation(plans=[w["plan"].pk]) != plan_version
    assert "190" in _queries(client_leader, plan_url)[0]


def test_a_child_plans_figure_moves_its_parent_plans_pages(led_world):
    w = led_world
    w["other"].parent = w["plan"]
    w["other"].save(update_fields=["parent"])
    parent_version = pagecache.generation(plans=[w["plan"].pk])
    value = IndicatorValue.objects.get(indicator=w["other_behind"], period=w["p2023"])
    value.value = D("55")
    value.save()
    mark_figures(value)
    assert pagecache.generation(plans=[w["plan"].pk]) != parent_version  # its indicator pages list contributions


def test_a_task_report_moves_its_plans_pages_only(world, led_world):
    from plans.roles import ADMIN
    from tests.conftest import make_user

    w = led_world
    other_version = pagecache.generation(plans=[w["other"].pk])
    plan_version = pagecache.generation(plans=[w["plan"].pk])
    services.approve_item(user=make_user("zzb", ADMIN, w["root"]), item=w["overdue"].progress_reports.get())
    assert pagecache.generation(plans=[w["other"].pk]) == other_version
    assert pagecache.generation(plans=[w["plan"].pk]) != plan_version


def test_per_plan_parts_are_built_again_only_for_the_plan_written() -> None:
    """`pagecache.per_plan`: one read for the plans not kept; a change under plan 1 builds plan 1's part again and
    keeps plan 2's; a change under every plan (None) builds both."""
    asked: list[list[int]] = []

    def build(plan_ids: list[int]) -> dict[int, str]:
        asked.append(plan_ids)
        return {pk: f"part {pk} #{len(asked)}" for pk in plan_ids}

    def read() -> dict[int, str]:
        return pagecache.per_plan("test-parts", ("x",), [2, 1, 2], build)

    assert read() == {1: "part 1 #1", 2: "part 2 #1"} and asked == [[1, 2]]
    assert read() == {1: "part 1 #1", 2: "part 2 #1"} and len(asked) == 1
    pagecache.changed(plans=[1])
    assert read() == {1: "part 1 #2", 2: "part 2 #1"} and asked[-1] == [1]
    pagecache.changed()
    assert read() == {1: "part 1 #3", 2: "part 2 #3"} and asked[-1] == [1, 2]
    with transaction.atomic():
        pagecache.changed(plans=[2])  # not committed: built from what this transaction sees, nothing kept
        assert read() == {1: "part 1 #4", 2: "part 2 #4"}
    assert read()[1] == "part 1 #3" and read()[2] == "part 2 #5"


def test_the_import_template_is_kept_until_a_figures_status_moves(world):
    """The reporter's template download is the same for the unit's reporters until a status write commits (it shows
    the figures of the period and the earlier ones): a second download reads no figure, one after a draft shows it."""
    import io

    import openpyxl

    from plans.roles import REPORTER

    reporter = make_user("tpl_reporter", REPORTER, world["org"])
    client = Client()
    client.force_login(reporter)
    url = reverse("excel:template")
    params = {"unit": world["org"].pk, "period": "2023Y"}

    def download() -> tuple[list[tuple], int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, params)
        assert response.status_code == 200
        rows = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
        return [r for r in rows if any(c == "888" or c == 888 for c in r)], len(ctx.captured_queries)

    first, cold = download()
    again, warm = download()
    assert first == again == [] and warm < cold - 3
    add_value(world["level"], world["p2023"], world["org"], "888", basis="estimate", status=ReviewStatus.DRAFT)
    assert download()[0] == []  # not yet said: still the kept download
    pagecache.statuses_changed(plans=[world["plan"].pk])  # what the write services do after every status write
    after, _queries_after = download()
    assert len(after) == 1
