"""The assessment report downloaded again: 组织部 and 领导 share one workbook per data version, language and day, a
committed change is in the next download, and a reporter's narrower report is never served from (or into) it.

Transactional: the data version moves when a write commits, which the usual per-test transaction never does.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from excel.export import SHEET_INDICATORS, SHEET_UNITS
from plans.models import Department
from plans.roles import LEADER, REPORTER
from tests.conftest import make_user
from tests.worlds.excel import Setup, approve, enter, load

# serialized_rollback: the role groups come from a data migration and must exist again after a flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _download(client: Client, code: str = "wuxing-14th", period: str = "2025Q1") -> tuple[bytes, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("excel:assessment", args=[code]), {"period": period})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and period in response["Content-Disposition"]
    return response.content, len(ctx.captured_queries)


def _actual(data: bytes, number: str) -> object:
    ws = load(data)[SHEET_INDICATORS]
    row = next(r for r in range(4, ws.max_row + 1) if ws.cell(row=r, column=2).value == number)
    return ws.cell(row=row, column=7).value


def test_second_download_reads_the_written_workbook(wuxing: Setup, client: Client) -> None:
    enter(wuxing, {"1": "120"}, submit=True)
    client.force_login(make_user("leader", LEADER))
    first, cold = _download(client)
    second, warm = _download(client)
    assert second == first
    assert warm < cold / 3  # session, user, version: the report's own queries are gone
    client.force_login(wuxing.admin)  # 组织部 gets the same workbook
    third, _ = _download(client)
    assert third == first


def test_a_committed_change_is_in_the_next_download(wuxing: Setup, client: Client) -> None:
    enter(wuxing, {"1": "120"}, submit=True)
    client.force_login(make_user("leader", LEADER))
    before, _ = _download(client)
    assert _actual(before, "1") == 120
    enter(wuxing, {"1": "130"}, submit=True)
    after, _ = _download(client)
    assert _actual(after, "1") == 130
    approve(wuxing, "1")  # reviewed: the 【未审核】 mark goes, though the figure stays
    approved, _ = _download(client)
    assert approved != after and _actual(approved, "1") == 130
    # One workbook kept per report, replaced as the version moves (each is megabytes at province).
    # The local-memory cache's own store: the test counts the entries it keeps.
    assert len([key for key in cache._cache if "assessment-xlsx" in key]) == 1  # type: ignore[attr-defined]


def test_a_reporter_never_gets_the_shared_workbook(seeded: None, make_period, client: Client) -> None:
    make_period("2025Q1")
    client.force_login(make_user("leader", LEADER))
    everything, _ = _download(client, "ziliujing-reform")
    assert load(everything)[SHEET_UNITS].max_row > 5
    unit = Department.objects.get(name="区教育局", parent__name="自流井区")
    client.force_login(make_user("edu", REPORTER, unit))
    own, first = _download(client, "ziliujing-reform")
    units = load(own)[SHEET_UNITS]
    assert [units.cell(row=r, column=2).value for r in range(4, 5)] == ["区教育局"]
    _again, second = _download(client, "ziliujing-reform")
    assert second == first  # written afresh each time: nothing kept for one user
