"""In a real browser (Debian chromium through Playwright): a return reaches the reporter as a notification with the
unread count in the header; a refused entry form keeps the evidence file chosen with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page
from pytest_django.live_server_helper import LiveServer

from indicators.models import Evidence, IndicatorValue, ReviewStatus
from tests.worlds.reporting import PDF, World, build_world, submitted_value

pytestmark = [
    pytest.mark.browser,
    # serialized_rollback: the role groups come from a data migration and must exist again after a flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _login(browser: Browser, base: str, username: str) -> Page:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base}{reverse('login')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username}")
    page.click("button[type=submit].primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def test_a_return_reaches_the_reporter(browser: Browser, live_server: LiveServer) -> None:
    world: World = build_world()
    base = live_server.url
    value = submitted_value(world)
    admin = _login(browser, base, "zzb")
    admin.goto(f"{base}{reverse('reporting:review')}?period=2025Q2")
    admin.locator(f"#rv{value.pk} input[name=items]").check()
    admin.locator("textarea[name=reason]").fill("请附统计局盖章件")
    admin.get_by_role("button", name="退回所选").click()
    admin.get_by_role("button", name="确认退回").click()
    admin.get_by_text("已退回 1 项").wait_for()

    page = _login(browser, base, "rep_a")
    page.goto(f"{base}{world.my_url()}")
    assert page.locator(".topbar .unread-count").inner_text() == "1"
    page.locator(".topbar .notify-link").click()
    page.get_by_text("2025年第2季度：1 项被退回，请修改后重新报送").wait_for()
    assert "退回原因：请附统计局盖章件" in page.locator("ul.notifications").inner_text()
    page.get_by_role("button", name="2025年第2季度：1 项被退回，请修改后重新报送").click()
    page.wait_for_url(lambda url: "/report/" in url and "status=returned" in url)
    assert "请附统计局盖章件" in page.locator(f"#v{world.total.pk}").inner_text()
    assert page.locator(".topbar .unread-count").count() == 0  # read now


def test_a_refused_form_keeps_its_evidence(browser: Browser, live_server: LiveServer, tmp_path: Path) -> None:
    world: World = build_world()
    base = live_server.url
    evidence = tmp_path / "引进人才名单.pdf"
    evidence.write_bytes(PDF)
    page = _login(browser, base, "rep_a")
    page.goto(f"{base}{world.my_url()}")
    card = page.locator(f"#v{world.recruits.pk}")
    assert "填整数" in card.inner_text()  # the rule is there before typing
    card.locator("input[name=value]").fill("12.5")
    card.locator("input[name=evidence]").set_input_files(str(evidence))
    card.get_by_role("button", name="保存草稿").click()
    page.get_by_text("“引进人才”应填写整数（单位：人）。").wait_for()
    kept = page.locator(f"#v{world.recruits.pk} .kept-evidence")
    assert "引进人才名单.pdf" in kept.inner_text() and "无需重新选择" in kept.inner_text()
    page.locator(f"#v{world.recruits.pk} input[name=value]").fill("12")
    page.locator(f"#v{world.recruits.pk}").get_by_role("button", name="保存草稿").click()
    page.locator(f"#v{world.recruits.pk} .saved-note").wait_for()
    assert "引进人才名单.pdf" in page.locator(f"#v{world.recruits.pk} ul.evidence").inner_text()
    row = IndicatorValue.objects.get(indicator=world.recruits, period=world.q2)
    assert row.status == ReviewStatus.DRAFT and Evidence.objects.get(value=row).original_name == "引进人才名单.pdf"
