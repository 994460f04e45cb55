"""The dashboards in a real browser (Debian chromium via Playwright): a leader follows a shortfall to its indicator
and on to its lead department, switches language and period, and the pages hold at 1366×768, on a phone and in print.

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

# Transactional so the live server thread sees the data; serialized rollback restores the role groups the data
# migration created, whichever transactional test ran before.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_leader_walks_shortfall_to_indicator_to_department(browser: Browser, live_server: LiveServer, world) -> None:
    Group.objects.get_or_create(name=LEADER)
    make_user("leader_b", LEADER, first_name="区领导")
    # A Chinese browser: the LocaleMiddleware picks 简体中文 from Accept-Language, as on the intranet.
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/dashboard/")
        expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/dashboard/")
        page.fill("input[name=username]", "leader_b")
        page.fill("input[name=password]", "pw-leader_b")
        page.click("button[type=submit]")

        # Overview: the lagging indicator sits in the shortfall list with its gap and lead.
        expect(page.locator("h1")).to_have_text("规划目标总览")
        shortfalls = page.locator("#shortfalls table")
        row = shortfalls.locator("tr", has_text="人才资源总量")
        expect(row).to_contain_text("滞后")
        expect(row).to_contain_text("-8万人")
        expect(row).to_contain_text("区委组织部")
        expect(shortfalls.locator("tr", has_text="累计引进人才")).to_contain_text("未明确")
        assert page.locator("svg.strip").count() == 1
        shot(page, "01-overview")

        # Follow the shortfall to its indicator: trend chart with tooltips and the projection sentence.
        row.get_by_role("link", name="人才资源总量").click()
        expect(page.locator("h1")).to_contain_text("人才资源总量")
        expect(page.locator("svg.trend")).to_be_visible()
        assert page.locator("svg.trend circle.actual-point title").count() == 2
        expect(page.locator("p.projection")).to_contain_text("按当前速度2025年预计达到")
        shot(page, "02-indicator")

        # ... and on to its lead department.
        page.locator(".figures").get_by_role("link", name="区委组织部").click()
        expect(page.locator("h1")).to_have_text("区委组织部")
        expect(page.locator(".position")).to_contain_text("第3名")
        expect(page.locator("svg.ranking")).to_be_visible()
        shot(page, "03-department")

        # Language switch (the select auto-submits) and back; the page stays where it was.
        with page.expect_navigation():
            page.select_option("select[name=language]", "en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("h1")).to_have_text("区委组织部")
        shot(page, "04-department-en")
        with page.expect_navigation():
            page.select_option("select[name=language]", "zh-hans")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

        # Period switch on the overview: at 2022Y the level indicator was on its path, so it leaves the list.
        page.goto(f"{live_server.url}/dashboard/")
        with page.expect_navigation():
            page.select_option("#period-select", "2022Y")
        assert "period=2022Y" in page.url
        expect(page.locator("#period-select")).to_have_value("2022Y")
        expect(page.locator("#shortfalls table tr", has_text="人才资源总量")).to_have_count(0)
        shot(page, "05-overview-2022Y")

        # A phone: nothing wider than the screen; wide tables scroll inside .table-wrap.
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{live_server.url}/dashboard/plan/test-plan/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "06-plan-phone")

        # Print: no navigation, charts kept.
        page.set_viewport_size({"width": 1366, "height": 768})
        page.emulate_media(media="print")
        expect(page.locator("header.topbar")).to_be_hidden()
        expect(page.locator("#period-select")).to_be_hidden()
        expect(page.locator("svg.bullet").first).to_be_visible()
        shot(page, "07-plan-print")
    finally:
        context.close()
