"""The admin site and forms speak the reader's language: section titles, model names and the site's header in
Chinese in Chinese and in English in English, no two models with the same English name, and Chinese form labels
ending in a full-width colon (an ASCII one in English)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("admin-lang", "a@example.com", "pw"))
    return client


def english(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    return client


def sections(html: str) -> list[str]:
    return re.findall(r'class="section" title="[^"]*">([^<]+)</a>', html)


def models_in(html: str, section: str) -> list[str]:
    block = html.split(f">{section}</a>")[1].split("</table>")[0]
    return re.findall(r'<th scope="row"[^>]*>\s*<a [^>]*>([^<]+)</a>', block)


def test_admin_index_in_chinese(superuser_client):
    html = superuser_client.get("/admin/").content.decode()
    assert set(sections(html)) >= {"规划与单位", "指标与填报", "考核", "登录保护", "后台任务", "认证和授权"}
    for english_word in ("Axes", "Tasks Database Backend", "Access attempts", "Task Results", "Model name"):
        assert english_word not in html, english_word
    assert "登录尝试" in html and "后台任务结果" in html and "数据管理" in html
    assert "章节" in models_in(html, "规划与单位")


def test_admin_index_in_english(superuser_client):
    html = english(superuser_client).get("/admin/").content.decode()
    assert set(sections(html)) >= {
        "Plans and units",
        "Indicators and reporting",
        "Assessment",
        "Login protection",
        "Background tasks",
    }
    assert "Talent plan target management" in html and "人才规划目标管理" not in html
    names = [name for section in sections(html) for name in models_in(html, section)]
    assert len(names) == len(set(names)), sorted(names)  # 单位 and 所属单位 were both "Unit"
    assert {"Unit", "Unit membership"} <= set(names)
    assert not re.search(r"[\u4e00-\u9fff]", "".join(sections(html) + names))


def test_form_labels_end_with_a_full_width_colon_in_chinese_only(superuser_client):
    html = superuser_client.get("/admin/plans/department/add/").content.decode()
    assert re.search(r"单位名称：</label>", html)
    assert not re.search(r"单位名称:</label>", html)
    html = english(superuser_client).get("/admin/plans/department/add/").content.decode()
    assert re.search(r"Unit name:</label>", html)
