"""Each role × each action, allowed and refused, enforced on the server (URL, form tampering, upload).

填报员 of another unit: 404 (we never confirm another unit's item exists). 领导 and 组织部管理员 on reporter writes,
填报员 and 领导 on review and period actions: 403.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from django.urls import reverse

from indicators.models import Evidence, IndicatorValue, ReviewStatus, TaskProgress
from plans.models import ReportingPeriod
from tests.worlds.reporting import PDF, World, submitted_progress, submitted_value, value_row

pytestmark = pytest.mark.django_db

SAVE = reverse("reporting:save_value")
SAVE_PROGRESS = reverse("reporting:save_progress")
SUBMIT_ALL = reverse("reporting:submit_all")


# --- enter (save as draft) ------------------------------------------------------------------------------------


def test_reporter_enters_own_units_figure(world: World) -> None:
    response = world.client(world.rep_a).post(SAVE, world.value_post(value="26.5", save="1"))
    assert response.status_code == 302
    row = value_row(world)
    assert (row.value, row.status, row.updated_by) == (26.5, ReviewStatus.DRAFT, world.rep_a)


def test_reporter_cannot_enter_other_units_indicator_by_tampering_indicator_id(world: World) -> None:
    # 高技能人才占比 is visible to 甲局 (responsible) but entered by 乙局.
    response = world.client(world.rep_a).post(SAVE, world.value_post(indicator=world.share, value="35"))
    assert response.status_code == 404
    assert not IndicatorValue.objects.filter(indicator=world.share).exists()


def test_reporter_cannot_enter_for_other_unit_by_tampering_department_id(world: World) -> None:
    response = world.client(world.rep_b).post(SAVE, world.value_post(value="26.5"))  # department = 甲局
    assert response.status_code == 404
    response = world.client(world.rep_a).post(
        SAVE, world.value_post(indicator=world.share, department=world.b, value="35")
    )
    assert response.status_code == 404
    assert not IndicatorValue.objects.filter(period=world.q2).exists()


def test_garbage_ids_are_404_not_500(world: World) -> None:
    response = world.client(world.rep_a).post(SAVE, {**world.value_post(value="1"), "indicator": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["leader", "admin"])
def test_leader_and_admin_cannot_enter(world: World, who: str) -> None:
    client = world.client(getattr(world, who))
    assert client.post(SAVE, world.value_post(value="26.5")).status_code == 403
    assert client.post(SAVE_PROGRESS, world.progress_post(progress="x")).status_code == 403
    assert client.post(SUBMIT_ALL, {"department": world.a.pk, "period": world.q2.pk}).status_code == 403
    assert not IndicatorValue.objects.filter(period=world.q2).exists()


def test_anonymous_is_sent_to_login(world: World) -> None:
    response = world.client(None).post(SAVE, world.value_post(value="1"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_progress_entry_own_task_only(world: World) -> None:
    client = world.client(world.rep_a)
    assert client.post(SAVE_PROGRESS, world.progress_post(progress="推进中")).status_code == 302
    assert client.post(SAVE_PROGRESS, world.progress_post(task=world.task_b, progress="x")).status_code == 404
    assert client.post(SAVE_PROGRESS, world.progress_post(department=world.b, progress="x")).status_code == 404
    # 乙局 is responsible for task 1 and reports its own progress on it.
    assert (
        world.client(world.rep_b)
        .post(SAVE_PROGRESS, world.progress_post(department=world.b, progress="配合"))
        .status_code
        == 302
    )
    assert TaskProgress.objects.filter(task=world.task_a).count() == 2


# --- submit ---------------------------------------------------------------------------------------------------


def test_submit_one_and_all(world: World) -> None:
    client = world.client(world.rep_a)
    client.post(SAVE, world.value_post(value="26.5"))
    client.post(SAVE, world.value_post(indicator=world.recruits, value="120"))
    client.post(SAVE_PROGRESS, world.progress_post(progress="已引进博士5名"))
    response = client.post(SUBMIT_ALL, {"department": world.a.pk, "period": world.q2.pk, "confirmed": "1"}, follow=True)
    assert "已报送 3 项" in response.content.decode()
    assert "每千人拥有研发人员" in response.content.decode()  # told which one is still empty
    assert set(IndicatorValue.objects.filter(period=world.q2).values_list("status", flat=True)) == {"submitted"}
    assert TaskProgress.objects.get().status == ReviewStatus.SUBMITTED


def test_submit_all_for_other_unit_is_404(world: World) -> None:
    world.client(world.rep_a).post(SAVE, world.value_post(value="26.5"))
    response = world.client(world.rep_b).post(SUBMIT_ALL, {"department": world.a.pk, "period": world.q2.pk})
    assert response.status_code == 404
    assert value_row(world).status == ReviewStatus.DRAFT


# --- approve / return -----------------------------------------------------------------------------------------


def _review(world: World, who: str, pk: int, action: str, reason: str = "") -> int:
    row = IndicatorValue.objects.get(pk=pk)
    return (
        world.client(getattr(world, who))
        .post(
            reverse("reporting:review_value", args=[pk]), {"action": action, "reason": reason, "version": row.version}
        )
        .status_code
    )


@pytest.mark.parametrize("who", ["rep_a", "rep_b", "leader"])
@pytest.mark.parametrize("action", ["approve", "return"])
def test_only_admin_reviews(world: World, who: str, action: str) -> None:
    value = submitted_value(world)
    assert _review(world, who, value.pk, action, "原因") == 403
    assert value_row(world).status == ReviewStatus.SUBMITTED


def test_admin_approves_and_returns(world: World) -> None:
    value = submitted_value(world)
    assert _review(world, "admin", value.pk, "return", "请附统计表") == 302
    assert value_row(world).status == ReviewStatus.RETURNED
    world.client(world.rep_a).post(SAVE, world.value_post(value="26.6", version=value_row(world).version, submit="1"))
    assert _review(world, "admin", value.pk, "approve") == 302
    assert value_row(world).status == ReviewStatus.APPROVED


def test_progress_review_roles(world: World) -> None:
    progress = submitted_progress(world)
    url = reverse("reporting:review_progress", args=[progress.pk])
    data = {"action": "approve", "version": progress.version}
    assert world.client(world.leader).post(url, data).status_code == 403
    assert world.client(world.rep_a).post(url, data).status_code == 403
    assert world.client(world.admin).post(url, data).status_code == 302
    progress.refresh_from_db()
    assert progress.status == ReviewStatus.APPROVED


# --- periods: open, close, lock, reopen -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["rep_a", "leader"])
def test_only_admin_manages_periods(world: World, who: str) -> None:
    client = world.client(getattr(world, who))
    assert client.get(reverse("reporting:periods")).status_code == 403
    assert client.post(reverse("reporting:periods"), {"code": "2025Q3"}).status_code == 403
    url = reverse("reporting:period_state", args=[world.q2.pk])
    assert client.post(url, {"state": "locked"}).status_code == 403
    assert (
        client.post(reverse("reporting:period_state", args=[world.q1.pk]), {"state": "open", "reason": "x"}).status_code
        == 403
    )
    world.q2.refresh_from_db()
    assert world.q2.state == ReportingPeriod.State.OPEN
    assert not ReportingPeriod.objects.filter(code="2025Q3").exists()


def test_admin_opens_locks_and_reopens(world: World) -> None:
    client = world.client(world.admin)
    assert client.post(reverse("reporting:periods"), {"code": "2025q3", "deadline": "2025-10-15"}).status_code == 302
    assert ReportingPeriod.objects.get(code="2025Q3").state == ReportingPeriod.State.OPEN
    url = reverse("reporting:period_state", args=[world.q2.pk])
    assert client.post(url, {"state": "locked", "confirmed": "1"}).status_code == 302
    assert client.post(url, {"state": "open", "reason": "更正统计口径"}).status_code == 302
    world.q2.refresh_from_db()
    assert world.q2.state == ReportingPeriod.State.OPEN


# --- evidence upload and download -----------------------------------------------------------------------------


def _upload(name: str = "统计表.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_reporter_uploads_evidence_for_own_item(world: World) -> None:
    response = world.client(world.rep_a).post(SAVE, world.value_post(value="26.5", evidence=_upload()))
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.value == value_row(world) and evidence.original_name == "统计表.pdf"
    assert evidence.uploaded_by == world.rep_a


def test_upload_to_other_units_item_is_404(world: World) -> None:
    world.client(world.rep_b).post(SAVE, world.value_post(indicator=world.share, department=world.b, value="35"))
    response = world.client(world.rep_a).post(
        SAVE, world.value_post(indicator=world.share, department=world.b, value="35", evidence=_upload())
    )
    assert response.status_code == 404
    response = world.client(world.rep_a).post(
        SAVE_PROGRESS, world.progress_post(task=world.task_b, department=world.b, evidence=_upload())
    )
    assert response.status_code == 404
    assert not Evidence.objects.exists()


def test_leader_cannot_upload(world: World) -> None:
    submitted_value(world)
    response = world.client(world.leader).post(SAVE, world.value_post(value="26.5", evidence=_upload()))
    assert response.status_code == 403
    assert not Evidence.objects.exists()


def test_evidence_download_is_permission_checked(world: World) -> None:
    world.client(world.rep_a).post(SAVE, world.value_post(value="26.5", evidence=_upload()))
    url = reverse("reporting:evidence", args=[Evidence.objects.get().pk])
    response = world.client(world.rep_a).get(url)
    assert response.status_code == 200 and isinstance(response, FileResponse)
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert world.client(world.leader).get(url).status_code == 200
    assert world.client(world.admin).get(url).status_code == 200
    assert world.client(world.rep_b).get(url).status_code == 404
    assert world.client(None).get(url).status_code == 302


# --- reading pages --------------------------------------------------------------------------------------------


def test_review_queue_visibility(world: World) -> None:
    url = reverse("reporting:review")
    assert world.client(world.admin).get(url).status_code == 200
    assert world.client(world.leader).get(url).status_code == 403
    assert world.client(world.rep_a).get(url).status_code == 403


def test_overdue_visibility(world: World) -> None:
    url = reverse("reporting:overdue")
    assert world.client(world.admin).get(url).status_code == 200
    assert world.client(world.leader).get(url).status_code == 200  # 领导 reads everything
    assert world.client(world.rep_a).get(url).status_code == 403


def test_my_page_unit_access(world: World) -> None:
    assert world.client(world.rep_a).get(world.my_url()).status_code == 200
    assert world.client(world.rep_a).get(world.my_url(department=world.b)).status_code == 404
    response = world.client(world.leader).get(world.my_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "您对本单位只有查看权限" in content and 'name="value"' not in content


def test_item_history_access(world: World) -> None:
    value = submitted_value(world)
    url = reverse("reporting:value", args=[value.pk])
    assert world.client(world.rep_a).get(url).status_code == 200
    assert world.client(world.leader).get(url).status_code == 200
    assert world.client(world.rep_b).get(url).status_code == 404
    progress = submitted_progress(world)
    url = reverse("reporting:progress", args=[progress.pk])
    assert world.client(world.rep_a).get(url).status_code == 200
    assert world.client(world.rep_b).get(url).status_code == 404


def test_nav_links_follow_role(world: World) -> None:
    admin_page = world.client(world.admin).get(world.my_url()).content.decode()
    assert reverse("reporting:review") in admin_page and reverse("reporting:periods") in admin_page
    leader_page = world.client(world.leader).get(world.my_url()).content.decode()
    assert reverse("reporting:overdue") in leader_page and reverse("reporting:review") not in leader_page
    reporter_page = world.client(world.rep_a).get(world.my_url()).content.decode()
    assert reverse("reporting:overdue") not in reporter_page
