"""催报's and the review queue's counts are kept in the pages' cache (talentplan.pagecache) and counted again after
every committed status write — a draft too, which moves the statuses' number but not the dashboards' generation.
Transactional: the numbers move when a write commits, which the usual per-test transaction never does.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from indicators import services
from plans.models import ReportingPeriod
from reporting.selectors import overdue
from talentplan import pagecache
from tests.worlds.reporting import World, submitted_value

# serialized_rollback: the role groups come from a data migration and must exist again after a flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _view(world: World) -> str:
    response = world.client(world.admin).get(reverse("reporting:overdue") + "?period=2025Q2")
    assert response.status_code == 200
    return response.content.decode()


def test_a_committed_draft_is_on_the_next_view(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    counted: list[int] = []
    count = overdue._owed_by_unit

    def counting(period: ReportingPeriod, named: int) -> dict:
        counted.append(1)
        return count(period, named)

    monkeypatch.setattr(overdue, "_owed_by_unit", counting)
    before = _view(world)
    _view(world)
    assert len(counted) == 1  # the second view read the counts from the cache
    assert "草稿：引进人才" not in before
    dashboards, statuses = pagecache.generation(), pagecache.generation(statuses=True)
    reporter = world.client(world.rep_a)
    response = reporter.post(reverse("reporting:save_value"), world.value_post(indicator=world.recruits, value="100"))
    assert response.status_code in (200, 302)
    assert pagecache.generation() == dashboards and pagecache.generation(statuses=True) != statuses
    after = _view(world)
    assert "草稿：引进人才" in after and len(counted) == 2


def test_the_review_queue_counts_a_committed_submission(world: World) -> None:
    """The queue's counts per period and per plan and unit are kept too: a submission is on the next view, and a
    decision takes it off again."""
    url = reverse("reporting:review") + "?period=2025Q2"
    admin = world.client(world.admin)
    assert "目前没有等待审核的项。" in admin.get(url).content.decode()
    value = submitted_value(world)
    content = admin.get(url).content.decode()
    assert "目前没有等待审核的项。" not in content and 'value="v' in content
    services.approve_item(user=world.admin, item=value)
    assert "目前没有等待审核的项。" in admin.get(url).content.decode()
