"""Entering figures and progress: validation messages (Chinese, next to the field), period states, stale forms,
official figures beside estimates, evidence checks and the htmx card swap."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from indicators.models import Evidence, IndicatorValue, ReviewStatus, TaskProgress
from plans.models import ReportingPeriod
from tests.worlds.reporting import PDF, World, past, submitted_value, value_row

pytestmark = pytest.mark.django_db

SAVE = reverse("reporting:save_value")
SAVE_PROGRESS = reverse("reporting:save_progress")


def _card(content: str, anchor: str) -> str:
    """The HTML of one item's card, so a message can be asserted to sit next to its own field."""
    start = content.index(f'id="{anchor}"')
    end = content.find("</article>", start)
    return content[start:end]


def _post(world: World, **fields: Any) -> str:
    response = world.client(world.rep_a).post(SAVE, world.value_post(**fields))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- validation -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indicator", "value", "message"),
    [
        ("total", "26.55555", "“人才资源总量”最多保留4位小数，您填写了5位。"),
        ("recruits", "12.5", "“引进人才”应填写整数（单位：人）。"),
        ("recruits", "-3", "“引进人才”不能为负数。"),
        ("permille", "1200", "千分比应在 0–1000‰ 之间，您填写了 1200。"),
        ("total", "二十六", "“二十六”不是有效数字，请填写数值（单位：万人），如 26.4。"),
        ("total", "5‰", "“5‰”的单位“‰”与该指标的计量单位“万人”不符，请按“万人”填写数字。"),
        ("total", "1e400", "“1e400”超出可保存的范围"),
    ],
)
def test_figure_validation_messages_sit_next_to_the_field(
    world: World, indicator: str, value: str, message: str
) -> None:
    content = _post(world, indicator=getattr(world, indicator), value=value)
    card = _card(content, f"v{getattr(world, indicator).pk}")
    assert message in card
    assert re.search(r'class="field has-error">\s*<label for="v\d+_value"', card)
    assert not IndicatorValue.objects.filter(period=world.q2).exists()


def test_share_must_be_within_0_100(world: World) -> None:
    content = (
        world.client(world.rep_b)
        .post(SAVE, world.value_post(indicator=world.share, department=world.b, value="105"))
        .content.decode()
    )
    assert "比例应在 0–100% 之间，您填写了 105。" in content


def test_full_width_digits_and_separators_are_accepted(world: World) -> None:
    world.client(world.rep_a).post(SAVE, world.value_post(indicator=world.recruits, value="１,２００"))
    assert value_row(world, world.recruits).value == Decimal("1200")


def test_jump_over_50_percent_needs_a_note(world: World) -> None:
    content = _post(world, value="40")  # previous period (2025Q1): 25
    card = _card(content, f"v{world.total.pk}")
    assert "本期值较上期（25）变化60.0%，超过±50%，请在“说明”中写明原因。" in card
    assert re.search(r'class="field has-error">\s*<label for="v\d+_note"', card)
    response = world.client(world.rep_a).post(SAVE, world.value_post(value="40", note="区划调整，并入两个街道"))
    assert response.status_code == 302
    assert value_row(world).value == Decimal("40")


def test_submit_needs_a_value(world: World) -> None:
    content = _post(world, value="", submit="1")
    assert "“人才资源总量”尚未填写实际值，不能报送。" in _card(content, f"v{world.total.pk}")


def test_progress_submit_needs_text(world: World) -> None:
    response = world.client(world.rep_a).post(SAVE_PROGRESS, world.progress_post(progress=" ", submit="1"))
    assert "报送前请填写进展情况。" in _card(response.content.decode(), f"t{world.task_a.pk}")
    assert not TaskProgress.objects.exists()


# --- period states --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "deadline", "message"),
    [
        (ReportingPeriod.State.CLOSED, None, "2025年第2季度 已截止填报，不能修改；如需更正请联系组织部重新开放。"),
        (ReportingPeriod.State.LOCKED, None, "2025年第2季度 已锁定（数据已审定冻结），不能修改。"),
        (ReportingPeriod.State.OPEN, "past", "的填报截止日期（"),
    ],
)
def test_period_state_blocks_edits_and_says_why(world: World, state: str, deadline: str | None, message: str) -> None:
    world.q2.state = state
    world.q2.deadline = past() if deadline else None
    world.q2.save()
    page = world.client(world.rep_a).get(world.my_url()).content.decode()
    assert message in page and 'name="value"' not in page  # banner instead of forms
    content = _post(world, value="26.5")
    assert message in content
    assert not IndicatorValue.objects.filter(period=world.q2).exists()
    response = world.client(world.rep_a).post(
        reverse("reporting:submit_all"),
        {"department": world.a.pk, "period": world.q2.pk, "confirmed": "1"},
        follow=True,
    )
    assert message in response.content.decode()


def test_deadline_today_still_open(world: World) -> None:
    world.q2.deadline = past(0)
    world.q2.save()
    assert world.client(world.rep_a).post(SAVE, world.value_post(value="26.5")).status_code == 302


# --- lost updates ---------------------------------------------------------------------------------------------


def test_stale_form_is_refused_with_the_newer_value(world: World) -> None:
    other = world.rep_a.__class__.objects.create_user("rep_a2", password="x", first_name="乙")
    other.groups.add(*world.rep_a.groups.all())
    other.memberships.create(department=world.a)
    world.client(world.rep_a).post(SAVE, world.value_post(value="26.5"))  # version 1
    first = world.client(world.rep_a)
    second = world.client(other)
    assert first.post(SAVE, world.value_post(value="26.7", version=1)).status_code == 302  # → version 2
    response = second.post(SAVE, world.value_post(value="26.9", version=1))  # loaded at version 1: stale
    content = response.content.decode()
    assert response.status_code == 200
    assert "修改为 26.7，您的页面已过期" in content and "您填写的 26.9 未保存。" in content
    card = _card(content, f"v{world.total.pk}")
    assert 'name="version" value="2"' in card and 'value="26.7"' in card  # the form now carries the newer data
    assert value_row(world).value == Decimal("26.7")


def test_first_save_racing_an_existing_row_is_stale(world: World) -> None:
    world.client(world.rep_a).post(SAVE, world.value_post(value="26.5"))
    response = world.client(world.rep_a).post(SAVE, world.value_post(value="27", version=0))
    assert "您的页面已过期" in response.content.decode()
    assert value_row(world).value == Decimal("26.5")


def test_stale_progress_form(world: World) -> None:
    client = world.client(world.rep_a)
    client.post(SAVE_PROGRESS, world.progress_post(progress="第一稿"))
    client.post(SAVE_PROGRESS, world.progress_post(progress="第二稿", version=1))
    response = client.post(SAVE_PROGRESS, world.progress_post(progress="旧页面", version=1))
    assert "您的页面已过期" in response.content.decode()
    assert TaskProgress.objects.get().progress == "第二稿"


# --- official figures beside estimates ------------------------------------------------------------------------


def test_official_replaces_estimate_and_both_are_kept(world: World) -> None:
    client = world.client(world.rep_a)
    client.post(SAVE, world.value_post(value="26.5", submit="1"))
    estimate = value_row(world)
    # The form shows the estimate (version 1); the reporter switches the basis to 统计.
    response = client.post(
        SAVE,
        world.value_post(
            value="26.8",
            basis="official",
            version=estimate.version,
            loaded_basis="estimate",
            other_version=0,
            submit="1",
        ),
    )
    assert response.status_code == 302
    official = value_row(world, basis="official")
    estimate.refresh_from_db()
    assert (estimate.value, official.value) == (Decimal("26.5"), Decimal("26.8"))
    card = _card(client.get(world.my_url()).content.decode(), f"v{world.total.pk}")
    assert "统计值" in card and "26.8" in card and "预计值" in card and "26.5" in card and "已由统计值替代" in card
    # Submitted: read-only until 组织部 returns it.
    assert 'name="basis"' not in card and "已报送，等待组织部审核" in card


def test_estimate_form_with_stale_official_version_is_refused(world: World) -> None:
    client = world.client(world.rep_a)
    client.post(SAVE, world.value_post(value="26.5"))
    client.post(SAVE, world.value_post(value="26.8", basis="official", loaded_basis="estimate", version=1))
    # A second page loaded before the official figure existed tries to create it too.
    response = client.post(
        SAVE, world.value_post(value="27", basis="official", loaded_basis="estimate", version=1, other_version=0)
    )
    assert "您的页面已过期" in response.content.decode()
    assert value_row(world, basis="official").value == Decimal("26.8")


# --- evidence -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("脚本.exe", b"MZ...", "的类型不支持，佐证材料仅限 PDF、图片（PNG/JPG/GIF）、Word（docx）、Excel（xlsx）。"),
        ("伪装.pdf", b"<html>", "“伪装.pdf”的内容与扩展名不符（可能已损坏或被改名），请上传原始文件。"),
    ],
)
def test_evidence_type_is_checked_by_content(world: World, name: str, content: bytes, message: str) -> None:
    response = world.client(world.rep_a).post(
        SAVE, world.value_post(value="26.5", evidence=SimpleUploadedFile(name, content))
    )
    assert message in _card(response.content.decode(), f"v{world.total.pk}")
    assert not Evidence.objects.exists()
    assert not IndicatorValue.objects.filter(period=world.q2).exists()  # all or nothing: the figure is not saved


@override_settings(EVIDENCE_MAX_BYTES=10)
def test_evidence_size_limit(world: World) -> None:
    response = world.client(world.rep_a).post(
        SAVE, world.value_post(value="26.5", evidence=SimpleUploadedFile("大文件.pdf", PDF))
    )
    assert "“大文件.pdf”大小为 0.0 MB，超过上限 0 MB。" in response.content.decode()
    assert not Evidence.objects.exists()


def test_several_files_at_once_and_for_progress(world: World) -> None:
    client = world.client(world.rep_a)
    files = [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.png", b"\x89PNG\r\n\x1a\n....")]
    assert client.post(SAVE, world.value_post(value="26.5", evidence=files)).status_code == 302
    assert Evidence.objects.filter(value=value_row(world)).count() == 2
    assert (
        client.post(
            SAVE_PROGRESS,
            world.progress_post(progress="推进中", evidence=SimpleUploadedFile("c.docx", b"PK\x03\x04....")),
        ).status_code
        == 302
    )
    assert Evidence.objects.filter(progress__isnull=False).count() == 1


def test_adding_evidence_to_submitted_item_keeps_it_submitted(world: World) -> None:
    value = submitted_value(world)
    response = world.client(world.rep_a).post(
        SAVE, world.value_post(value="26.5", version=value.version, evidence=SimpleUploadedFile("补充.pdf", PDF))
    )
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.status == ReviewStatus.SUBMITTED and value.evidence.count() == 1


def test_approved_item_is_read_only(world: World) -> None:
    value = submitted_value(world)
    world.client(world.admin).post(
        reverse("reporting:review_value", args=[value.pk]), {"action": "approve", "version": value.version}
    )
    value.refresh_from_db()
    card = _card(world.client(world.rep_a).get(world.my_url()).content.decode(), f"v{world.total.pk}")
    assert "已审核通过，不能再修改" in card and 'name="value"' not in card
    content = _post(world, value="30", version=value.version)
    assert (
        "“人才资源总量”已审核通过，不能再修改；如需更正请联系组织部退回。" in content
    )  # one message for form and import


# --- the page -------------------------------------------------------------------------------------------------


def test_page_shows_previous_target_expected_and_read_only_items(world: World) -> None:
    content = world.client(world.rep_a).get(world.my_url()).content.decode()
    card = _card(content, f"v{world.total.pk}")
    # previous 25 (2025Q1), target 30 (2025), expected at 2025-06-30 on the 20 → 30 path over 2021–2025:
    # 20 + 10 × 4.5/5 = 29. The basis in words, the previous figure on it.
    assert "填报口径：期末数" in card
    assert re.search(r"上期值（期末数）</dt><dd>25万人</dd>", card)
    assert re.search(r"目标值</dt><dd>30万人", card)
    assert re.search(r"期末应达</dt><dd>29万人</dd>", card)
    assert "仅供查看（由其他单位填报）" in content
    read_only = content[content.index("仅供查看") :]
    assert "高技能人才占比" in read_only and "乙局" in read_only
    assert f'id="v{world.share.pk}"' in read_only  # shown, but not as an entry card
    assert "实施高层次人才引进工程" in content and "建设技能人才实训基地" not in content


def test_demo_values_are_labelled(world: World) -> None:
    IndicatorValue.objects.create(
        indicator=world.total, period=world.q2, department=world.a, value=Decimal("26"), is_demo=True
    )
    card = _card(world.client(world.rep_a).get(world.my_url()).content.decode(), f"v{world.total.pk}")
    assert "演示数据" in card


def test_unit_and_period_switchers(world: World) -> None:
    world.rep_a.memberships.create(department=world.b)
    content = world.client(world.rep_a).get(world.my_url()).content.decode()
    assert 'name="unit"' in content and "乙局" in content
    options = re.findall(r'<option value="(2025Q\d)"', content)
    assert options == ["2025Q2", "2025Q1"]  # open periods first
    assert world.client(world.rep_a).get(world.my_url(department=world.b)).status_code == 200
    assert world.client(world.rep_a).get(reverse("reporting:my") + "?period=1999Q9").status_code == 404


def test_no_unit_and_no_period_messages(world: World) -> None:
    assert "您的账号不属于任何填报单位" in world.client(world.leader).get(reverse("reporting:my")).content.decode()
    IndicatorValue.objects.all().delete()  # periods are PROTECTed by their values
    ReportingPeriod.objects.all().delete()
    assert "尚无填报周期" in world.client(world.rep_a).get(reverse("reporting:my")).content.decode()


def test_htmx_save_swaps_only_the_card(world: World) -> None:
    response = world.client(world.rep_a).post(SAVE, world.value_post(value="26.5"), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200 and content.lstrip().startswith("<article")
    assert "已保存为草稿，尚未报送。" in content and 'name="version" value="1"' in content
    response = world.client(world.rep_a).post(
        SAVE, world.value_post(value="26.55555", version=1), HTTP_HX_REQUEST="true"
    )
    assert "最多保留4位小数" in response.content.decode()


def test_form_shows_plain_numbers(world: World) -> None:
    world.client(world.rep_a).post(SAVE, world.value_post(indicator=world.recruits, value="120"))
    card = _card(world.client(world.rep_a).get(world.my_url()).content.decode(), f"v{world.recruits.pk}")
    assert 'name="value" value="120"' in card and "E+" not in card
