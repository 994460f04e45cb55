"""Dashboards at province scale: long lists are cut worst first with the rest on demand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.test_dashboard import add_indicator, add_value, client_leader, leader, world  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
D = Decimal


def test_department_page_lists_the_worst_items_first_and_the_rest_on_demand(world, client_leader, monkeypatch):
    from plans import views

    org = world["org"]
    extra = add_indicator(world["plan"], "青年人才数", lead=org, order=5, baseline=D(10), baseline_year=2020,
                          target=D(20), target_year=2025)
    add_value(extra, world["p2023"], org, "19")  # ahead of its path: on track, after the lagging 人才资源总量
    monkeypatch.setattr(views, "DEPARTMENT_ITEM_LIMIT", 1)
    url = reverse("dashboard:department", args=[org.pk]) + "?period=2023Y"
    html = client_leader.get(url).content.decode()
    assert "人才资源总量" in html and "青年人才数" not in html
    assert "另有1项指标未显示" in html and "all=1#indicators" in html
    full = client_leader.get(url + "&all=1").content.decode()
    assert "青年人才数" in full and "未显示" not in full
