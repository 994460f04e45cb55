"""Dashboard bodies cached per data version: a second view reads the cached body, and every committed change a
dashboard can show — a counted figure, a plan's title, a task's progress — is on the next view; a draft is not a
change. Transactional tests: the version moves when a write commits, which the usual per-test transaction never does.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import data_version
from indicators.models import IndicatorValue, ReviewStatus
from tests.conftest import mark_figures
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


@pytest.mark.parametrize("page", [0, 1, 3], ids=["overview", "plan", "department"])
def test_second_view_reads_the_cached_body(world, client_leader, page):
    url = urls(world)[page]
    first, cold = _queries(client_leader, url)
    second, warm = _queries(client_leader, url)
    assert second == first
    assert warm < cold - 3  # the selectors' queries are gone; session, user, periods, version and panels remain


def test_a_committed_counted_figure_is_on_the_next_view(world, client_leader):
    url = urls(world)[0]
    before, _ = _queries(client_leader, url)
    assert "86.7%" in before or "滞后" in before
    version = data_version.current()
    value = IndicatorValue.objects.get(indicator=world["level"], period=world["p2023"])
    value.value = D("190")  # well ahead of the path now
    value.save()
    mark_figures(value)  # what the write services do after a counted figure changes
    assert data_version.current() != version
    after, _ = _queries(client_leader, url)
    assert after != before
    assert "190" in _queries(client_leader, urls(world)[1])[0]


def test_a_draft_does_not_move_the_version_and_a_plan_title_does(world, client_leader):
    version = data_version.current()
    add_value(world["level"], world["p2022"], world["hr"], "999", basis="estimate", status=ReviewStatus.DRAFT)
    assert data_version.current() == version
    plan = world["plan"]
    plan.title = "测试区人才发展规划（修订）"
    plan.save()
    assert data_version.current() != version
    assert "测试区人才发展规划（修订）" in _queries(client_leader, urls(world)[0])[0]


def test_task_progress_and_unit_names_move_the_version(world, client_leader):
    url = urls(world)[3]
    _queries(client_leader, url)
    org = world["org"]
    org.name = "区委组织部（新）"
    org.save()
    assert "区委组织部（新）" in _queries(client_leader, url)[0]
    version = data_version.current()
    progress = world["overdue"].progress_reports.get()
    progress.progress_status = "done"
    progress.save()
    assert data_version.current() != version


def test_uncommitted_writes_are_never_cached(world, client_leader):
    """Inside a transaction that has written, pages are computed from what it sees and nothing is kept."""
    url = urls(world)[0]
    _queries(client_leader, url)
    with transaction.atomic():
        value = IndicatorValue.objects.get(indicator=world["level"], period=world["p2023"])
        value.value = D("190")
        value.save()
        mark_figures(value)
        assert data_version.current() is None
        inside, _ = _queries(client_leader, url)
        transaction.set_rollback(True)
    outside, _ = _queries(client_leader, url)
    assert inside != outside  # the rolled-back figure was shown inside only, and not cached
