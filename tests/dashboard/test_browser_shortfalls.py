"""In a real browser (Debian chromium via Playwright): a leader narrows the shortfall list with its filters and
pages, sees a lead unit inherited from a section with its source, and the plan table holds on a phone (name,
target, actual and status visible at 390 px) and in English (it fits its card).

Screenshots land in test-artifacts/screenshots/ for review.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from plans.roles import LEADER
from tests.conftest import make_user

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def login(browser: Browser, live_server: LiveServer, width: int, height: int, locale: str = "zh-CN") -> Page:
    Group.objects.get_or_create(name=LEADER)
    make_user("leader_sf", LEADER, first_name="区领导")
    page = browser.new_context(locale=locale, viewport={"width": width, "height": height}).new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/dashboard/")
    page.fill("input[name=username]", "leader_sf")
    page.fill("input[name=password]", "pw-leader_sf")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("规划目标总览")
    return page


def rows(page: Page) -> list[str]:
    return [
        text.strip() for text in page.locator("#shortfalls table.shortfalls tbody tr td:nth-child(2)").all_inner_texts()
    ]


def test_leader_filters_the_shortfall_list(browser: Browser, live_server: LiveServer, led_world) -> None:
    page = login(browser, live_server, 1366, 900)
    try:
        shortfalls = page.locator("#shortfalls")
        expect(shortfalls.locator(".shortfall-count")).to_contain_text("共5项")
        assert len(rows(page)) == 5

        # Only what is lagging: two rows, the filter kept in the form and the address.
        page.select_option("select[name=sf_status]", "lagging")
        with page.expect_navigation():
            shortfalls.get_by_role("button", name="筛选").click()
        assert "sf_status=lagging" in page.url
        expect(page.locator("select[name=sf_status]")).to_have_value("lagging")
        listed = rows(page)
        assert len(listed) == 2 and "人才资源总量" in listed[0] and "人才培训人次" in listed[1]
        training = shortfalls.locator("tr", has_text="人才培训人次")
        expect(training).to_contain_text("区人社局")
        expect(training).to_contain_text("（据任务3.）")
        shot(page, "20-shortfalls-lagging")

        # A lead unit named for a section only: the row says where the lead comes from.
        page.select_option("select[name=sf_status]", "")
        page.select_option("select[name=sf_lead]", label="区教育局")
        with page.expect_navigation():
            shortfalls.get_by_role("button", name="筛选").click()
        (row,) = rows(page)
        assert "累计引进人才" in row
        lead = shortfalls.locator("tr", has_text="累计引进人才").locator("td").nth(6)
        expect(lead).to_contain_text("区教育局")
        expect(lead.locator(".lead-source")).to_have_text("（据二、主要目标）")
        shot(page, "21-shortfalls-inherited-lead")

        # Clearing the filters brings the whole list back.
        with page.expect_navigation():
            shortfalls.get_by_role("link", name="清除筛选").click()
        assert len(rows(page)) == 5
    finally:
        page.context.close()


def test_plan_table_on_a_phone_keeps_name_target_actual_and_status(
    browser: Browser, live_server: LiveServer, led_world
) -> None:
    page = login(browser, live_server, 390, 844)
    try:
        page.goto(f"{live_server.url}/dashboard/plan/test-plan/")
        table = page.locator("table.plan-table")
        for column in ("col-name", "col-target", "col-actual", "col-status"):
            expect(table.locator(f"thead th.{column}")).to_be_visible()
        row = table.locator("tr.indicator-row", has_text="人才资源总量")
        expect(row.locator("td.col-status")).to_contain_text("滞后")
        expect(row.locator("td.col-status")).to_be_visible()
        expect(table.locator("thead th.opt").first).to_be_hidden()
        fits = "el => el.scrollWidth <= el.parentElement.clientWidth + 1"
        assert table.evaluate(fits), "the table scrolls sideways at 390 px"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "22-plan-table-390")
    finally:
        page.context.close()


def test_english_plan_table_fits_its_card(browser: Browser, live_server: LiveServer, led_world) -> None:
    page = login(browser, live_server, 1366, 900)
    try:
        page.goto(f"{live_server.url}/dashboard/plan/test-plan/")
        with page.expect_navigation():
            page.select_option("select[name=language]", "en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        table = page.locator("table.plan-table")
        expect(table.locator("thead")).to_contain_text("Status")
        assert table.evaluate("el => el.scrollWidth <= el.parentElement.clientWidth + 1"), "wider than its card"
        shortfalls = page.locator("#shortfalls")
        expect(shortfalls.get_by_role("button", name="Filter")).to_be_visible()
        shot(page, "23-plan-en")
    finally:
        page.context.close()
