"""The intake pages: upload or paste → review tables → publish; 组织部 only; nothing written before 发布."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from indicators.models import Indicator
from plans.models import Department, Plan, Role, Task
from plans.roles import ADMIN, LEADER, REPORTER
from tests.conftest import make_user
from tests.intake.helpers import post_form, seed_text

pytestmark = pytest.mark.django_db

TEXT = (
    "自流井区2024年人才工作要点\n一、引才聚才\n"
    "1. 全年引进高层次人才20名以上。（牵头单位：区人社局；责任单位：区委组织部、各镇（街道）；协办单位：区大数据局）\n"
    "2. 10月底前建立人才驿站制度。（牵头单位：区委组织部）\n"
)


@pytest.fixture(autouse=True)
def drafts(settings, tmp_path):
    settings.INTAKE_DRAFT_DIR = tmp_path / "drafts"


@pytest.fixture
def root(seeded) -> Department:
    return Department.objects.get(name="自流井区", parent=None)


@pytest.fixture
def admin_client(client, root):
    client.force_login(make_user("zzb", ADMIN))
    return client


def start(client, root, **data):
    response = client.post(reverse("intake:start"), {"root": root.pk, **data})
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def test_admin_only_allowed_and_refused(client, root):
    for role in (REPORTER, LEADER):
        client.force_login(make_user(f"u-{role}", role, root))
        assert client.get(reverse("intake:start")).status_code == 403
        assert client.post(reverse("intake:start"), {"root": root.pk, "text": TEXT}).status_code == 403
    client.force_login(make_user("zzb", ADMIN))
    assert client.get(reverse("intake:start")).status_code == 200


def test_review_someone_elses_draft_is_refused(admin_client, client, root):
    url = start(admin_client, root, text=TEXT)
    client.force_login(make_user("zzb2", ADMIN))
    assert client.get(url).status_code == 404  # a token of another session is unknown here
    client.force_login(make_user("rep", REPORTER, root))
    assert client.get(url).status_code == 403


def test_paste_review_and_publish(admin_client, root):
    plans = Plan.objects.count()
    url = start(admin_client, root, text=TEXT)
    page = admin_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "审核规划草稿" in html
    assert html.index("请先核对") < html.index("基本信息")  # warnings first
    assert "区人力资源社会保障局（简称/全称）" in html and "区大数据局" in html
    assert "全年引进高层次人才20名以上。" in html  # each row beside its source
    assert Plan.objects.count() == plans  # nothing written before publishing
    data = post_form(page)
    data["code"] = "zlj-2024-points"
    response = admin_client.post(url, {**data, "action": "publish"})
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = Plan.objects.get(code="zlj-2024-points")
    assert (plan.start_year, plan.end_year, plan.kind) == (2024, 2024, "annual")
    task = Task.objects.get(plan=plan, number="1.")
    assert task.names_for(Role.LEAD) == ["区人社局"] and task.names_for(Role.COOPERATING) == ["区大数据局"]
    assert Department.objects.filter(parent=root, name="区大数据局").exists()
    assert Indicator.objects.get(plan=plan, unit="名").target == 20
    assert admin_client.get(url).status_code == 404  # the draft is gone once published


def test_edits_are_kept_and_bad_input_is_located(admin_client, root):
    url = start(admin_client, root, text=TEXT)
    data = post_form(admin_client.get(url))
    data["t-0-lead"] = "区委组织部"
    data["g-0-value"] = "很多"
    response = admin_client.post(url, {**data, "action": "save"})
    assert response.status_code == 400 and "修改未保存" in response.content.decode()
    data["g-0-value"] = "25"
    assert admin_client.post(url, {**data, "action": "save"}).status_code == 200
    again = post_form(admin_client.get(url))
    assert (again["t-0-lead"], again["g-0-value"]) == ("区委组织部", "25")
    data["code"] = "wuxing-14th"
    response = admin_client.post(url, {**data, "action": "publish"})
    assert response.status_code == 409 and "已被使用" in response.content.decode()


def test_upload_docx_and_refused_files(admin_client, root):
    import docx

    document = docx.Document()
    for line in TEXT.split("\n"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    out.seek(0)
    out.name = "要点.docx"
    url = start(admin_client, root, file=out)
    assert "要点.docx" in admin_client.get(url).content.decode()
    old = io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    old.name = "方案.doc"
    response = admin_client.post(reverse("intake:start"), {"root": root.pk, "file": old})
    assert response.status_code == 400 and "另存为" in response.content.decode()
    assert admin_client.post(reverse("intake:start"), {"root": root.pk}).status_code == 400


def test_review_page_query_count(admin_client, root, django_assert_num_queries):
    url = start(admin_client, root, text=seed_text("004"))
    # user, roles, the unit tree (3), groups: the same for any plan size; + the header's unread notifications (read
    # once, then kept in the cache until a notification changes)
    with django_assert_num_queries(7):
        assert admin_client.get(url).status_code == 200
