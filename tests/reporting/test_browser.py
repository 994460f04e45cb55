"""The reporting cycle in a real browser (Debian chromium through Playwright's sync API).

填报员 fills the page and submits → 组织部管理员 returns one item with a reason → the 填报员 sees the reason and
resubmits → the admin approves everything and locks the period. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Browser, Dialog, Page
from pytest_django.live_server_helper import LiveServer

from indicators.models import IndicatorValue, ReviewStatus, TaskProgress
from plans.models import ReportingPeriod
from tests.worlds.reporting import PDF, World, build_world

pytestmark = [
    pytest.mark.browser,
    # serialized_rollback: the role groups come from a data migration and must exist again after a flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"


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


def _answering(page: Page) -> list[str]:
    """Accept every confirmation dialog (data-confirm) the page asks, keeping what it asked."""
    asked: list[str] = []

    def accept(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return asked


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"reporting-{name}.png"), full_page=True)


def test_report_return_resubmit_approve_lock(browser: Browser, live_server: LiveServer, tmp_path: Path) -> None:
    world: World = build_world()
    base = live_server.url
    evidence = tmp_path / "二季度统计表.pdf"
    evidence.write_bytes(PDF)

    # 1. The 填报员 fills the page: figures (one with evidence), a task's progress; then submits everything.
    page = _login(browser, base, "rep_a")
    page.goto(f"{base}{world.my_url()}")
    total = page.locator(f"#v{world.total.pk}")
    total.locator("input[name=value]").fill("26.5")
    total.locator("textarea[name=note]").fill("按季度统计快报")
    total.locator("input[name=evidence]").set_input_files(str(evidence))
    total.get_by_role("button", name="保存草稿").click()
    page.locator(f"#v{world.total.pk} .saved-note").wait_for()  # htmx swapped the card in place
    assert "二季度统计表.pdf" in page.locator(f"#v{world.total.pk}").inner_text()

    # A count with decimals is refused, with the message next to the field; corrected, it saves.
    recruits = page.locator(f"#v{world.recruits.pk}")
    recruits.locator("input[name=value]").fill("12.5")
    recruits.get_by_role("button", name="保存草稿").click()
    page.get_by_text("“引进人才”应填写整数（单位：人）。").wait_for()
    page.locator(f"#v{world.recruits.pk} input[name=value]").fill("120")
    page.locator(f"#v{world.recruits.pk}").get_by_role("button", name="保存草稿").click()
    page.locator(f"#v{world.recruits.pk} .saved-note").wait_for()

    permille = page.locator(f"#v{world.permille.pk}")
    permille.locator("input[name=value]").fill("3.2")
    permille.get_by_role("button", name="保存草稿").click()
    page.locator(f"#v{world.permille.pk} .saved-note").wait_for()

    task = page.locator(f"#t{world.task_a.pk}")
    task.locator("select[name=progress_status]").select_option("in_progress")
    task.locator("textarea[name=progress]").fill("已引进博士5名，签约项目3个")
    task.locator("textarea[name=problems]").fill("人才公寓房源不足")
    task.locator("textarea[name=next_steps]").fill("三季度启用新公寓")
    task.get_by_role("button", name="保存草稿").click()
    page.locator(f"#t{world.task_a.pk} .saved-note").wait_for()
    _shot(page, "01-reporter-filled")

    asked = _answering(page)
    page.get_by_role("button", name="报送本页全部草稿和退回项").click()
    page.get_by_text("已报送 4 项，等待组织部审核").wait_for()
    # The cards were saved in place, so the button asks without a count it could not know when the page loaded.
    assert asked == ["报送2025年第2季度本页全部草稿和退回项：报送后等待组织部审核，在退回前不能再修改。"]
    _shot(page, "02-reporter-submitted")
    assert set(IndicatorValue.objects.filter(period=world.q2).values_list("status", flat=True)) == {"submitted"}

    # 2. The 组织部管理员 returns one item with a reason: chosen, one reason, one confirmation naming what happens.
    admin = _login(browser, base, "zzb")
    admin.goto(f"{base}{reverse('reporting:review')}?period=2025Q2")
    value = IndicatorValue.objects.get(indicator=world.total, period=world.q2)
    admin.locator(f"#rv{value.pk} input[name=items]").check()
    admin.locator("textarea[name=reason]").fill("请按统计年鉴口径填写，并附统计局盖章件")
    admin.get_by_role("button", name="退回所选").click()
    admin.get_by_text("退回2025年第2季度的 1 项（甲局 1 项）").wait_for()
    _shot(admin, "03a-admin-confirms-return")
    admin.get_by_role("button", name="确认退回").click()
    admin.get_by_text("已退回 1 项").wait_for()
    _shot(admin, "03-admin-returned")

    # 3. The 填报员 sees the returned item first, with the reason, and resubmits it.
    page.goto(f"{base}{world.my_url()}")
    page.get_by_text("有 1 项被组织部退回").wait_for()
    first_card = page.locator("article.item-card").first
    assert "人才资源总量" in first_card.inner_text()
    assert "请按统计年鉴口径填写，并附统计局盖章件" in first_card.inner_text()
    _shot(page, "04-reporter-sees-reason")
    first_card.locator("input[name=value]").fill("26.4")
    first_card.get_by_role("button", name="保存并报送").click()
    page.locator(f"#v{world.total.pk} .review-submitted").wait_for()
    assert asked[-1] == "报送“人才资源总量”：报送后等待组织部审核，在退回前不能再修改。"
    assert "已报送，等待组织部审核" in page.locator(f"#v{world.total.pk}").inner_text()
    assert page.locator(f"#v{world.total.pk} input[name=value]").count() == 0  # read-only until returned
    value.refresh_from_db()
    assert (value.status, value.value) == (ReviewStatus.SUBMITTED, Decimal("26.4"))

    # 4. The admin approves everything on the page at once, after one confirmation, and locks the period.
    admin.goto(f"{base}{reverse('reporting:review')}")  # opens on the oldest period with items waiting: 2025Q2
    admin.get_by_label("全选本页").check()
    admin.get_by_role("button", name="审核通过所选").click()
    admin.get_by_text("审核通过2025年第2季度的 4 项（甲局 4 项）").wait_for()
    assert IndicatorValue.objects.filter(period=world.q2, status=ReviewStatus.SUBMITTED).count() == 3
    _shot(admin, "05a-admin-confirms-approval")
    admin.get_by_role("button", name="确认审核通过").click()
    admin.get_by_text("已审核通过 4 项。").wait_for()
    assert not IndicatorValue.objects.filter(period=world.q2).exclude(status=ReviewStatus.APPROVED).exists()
    assert TaskProgress.objects.get().status == ReviewStatus.APPROVED
    _shot(admin, "05-admin-approved")

    admin.goto(f"{base}{reverse('reporting:periods')}")
    questions = _answering(admin)
    admin.locator(f"#p{world.q2.pk}").get_by_role("button", name="锁定").click()
    admin.get_by_text("2025年第2季度 已锁定：数据已冻结，各单位不能再修改，审核暂停。").wait_for()
    assert questions == ["锁定2025年第2季度：2个单位将不能再修改，审核也随之冻结；解锁须填写原因。"]
    _shot(admin, "06-admin-locked")
    world.q2.refresh_from_db()
    assert world.q2.state == ReportingPeriod.State.LOCKED

    # The reporter's page now says why nothing can be edited.
    page.goto(f"{base}{world.my_url()}")
    page.get_by_text("2025年第2季度 已锁定（数据已审定冻结），不能修改。").wait_for()
    assert page.locator("input[name=value]").count() == 0
    _shot(page, "07-reporter-locked")

    # The audit trail on the item shows the whole exchange.
    page.goto(f"{base}{reverse('reporting:value', args=[value.pk])}")
    history = page.locator("table.history").inner_text()
    for text in ("退回：请按统计年鉴口径填写，并附统计局盖章件", "26.5 → 26.4", "审核通过", "zzb"):
        assert text in history, text
    _shot(page, "08-item-history")
