"""The entry form before and after a refusal: the rule of each figure is shown before typing, a refused form keeps the
evidence chosen with it (the next save attaches it), and a leader without a unit is told why 我的填报 is empty."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import Evidence
from tests.worlds.reporting import PDF, World, value_row

pytestmark = pytest.mark.django_db

SAVE = reverse("reporting:save_value")


def _card(page: str, anchor: str) -> str:
    card = page[page.index(f'id="{anchor}"') :]
    return card[: card.index("</article>")]


def test_unit_basis_and_precision_are_shown_before_typing(world: World) -> None:
    page = world.client(world.rep_a).get(world.my_url()).content.decode()
    total = _card(page, f"v{world.total.pk}")
    assert "单位：万人；只填数字（也可带“万人”），最多4位小数。" in total and "填报口径" in total
    assert "单位：人；只填数字（也可带“人”），填整数。" in _card(page, f"v{world.recruits.pk}")


def test_a_refused_form_keeps_its_evidence_and_the_next_save_attaches_it(world: World) -> None:
    client = world.client(world.rep_a)
    post = world.value_post(indicator=world.recruits, value="12.5", evidence=SimpleUploadedFile("名单.pdf", PDF))
    refused = client.post(SAVE, post).content.decode()
    assert "“引进人才”应填写整数（单位：人）。" in refused
    assert "已保留您选择的佐证材料，保存时一并上传，无需重新选择：" in refused and "名单.pdf" in refused
    tokens = [t.split('"')[0] for t in refused.split('name="kept_evidence" value="')[1:]]
    assert len(tokens) == 1 and not Evidence.objects.exists()
    saved = client.post(SAVE, world.value_post(indicator=world.recruits, value="12", kept_evidence=tokens))
    assert saved.status_code == 302
    row = value_row(world, indicator=world.recruits)
    assert [e.original_name for e in Evidence.objects.filter(value=row)] == ["名单.pdf"]


def test_kept_evidence_is_bound_to_its_owner(world: World) -> None:
    post = world.value_post(indicator=world.recruits, value="12.5", evidence=SimpleUploadedFile("名单.pdf", PDF))
    refused = world.client(world.rep_a).post(SAVE, post).content.decode()
    token = refused.split('name="kept_evidence" value="')[1].split('"')[0]
    # 乙局's reporter cannot use 甲局's token (nor can anyone alter it) on their own figure.
    other = world.value_post(indicator=world.share, department=world.b, value="30", kept_evidence=[token, "x:y"])
    assert world.client(world.rep_b).post(SAVE, other).status_code == 302
    assert not Evidence.objects.exists()


def test_a_file_that_was_itself_the_problem_is_not_kept(world: World) -> None:
    post = world.value_post(value="26.5", evidence=SimpleUploadedFile("脚本.exe", b"MZ..."))
    refused = world.client(world.rep_a).post(SAVE, post).content.decode()
    assert "的类型不支持" in refused and "已保留您选择的佐证材料" not in refused


def test_a_leader_without_a_unit_is_told_why(world: World) -> None:
    page = world.client(world.leader).get(reverse("reporting:my")).content.decode()
    assert "您的账号不属于任何填报单位" in page and "没有需要您填报的内容" in page
    assert '<option value="" selected disabled>请选择单位</option>' in page  # nothing preselected
    assert reverse("dashboard:overview") in page


def test_a_reporter_with_a_unit_sees_the_unit(world: World) -> None:
    page = world.client(world.rep_a).get(reverse("reporting:my")).content.decode()
    assert "您的账号不属于任何填报单位" not in page and "甲局" in page
