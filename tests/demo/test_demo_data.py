"""load_demo_data: demo users for every role, every invented figure flagged as demo, safe to re-run."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from indicators.models import IndicatorValue, TaskProgress
from plans.models import Department
from plans.roles import ADMIN, LEADER, REPORTER

pytestmark = pytest.mark.django_db


def test_demo_data_is_labelled_and_idempotent(seeded):
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert "演示账号" in out.getvalue()
    first = IndicatorValue.objects.count()
    assert IndicatorValue.objects.filter(is_demo=True).count() > 100
    # The only non-demo values are the ones the documents print (表1 完成情况).
    real = IndicatorValue.objects.filter(is_demo=False)
    assert set(real.values_list("indicator__plan__code", flat=True)) == {"wuxing-13th"}
    assert all("演示" in name for name in Department.objects.filter(is_demo=True).values_list("name", flat=True))
    assert TaskProgress.objects.filter(is_demo=False).count() == 0
    call_command("load_demo_data", stdout=StringIO())
    assert IndicatorValue.objects.count() == first


@pytest.mark.parametrize(
    "username,password,role",
    [
        ("zzb_admin", "demo-zzb-2025", ADMIN),
        ("leader", "demo-leader-2025", LEADER),
        ("wx_reporter", "demo-report-2025", REPORTER),
    ],
)
def test_demo_logins_work(seeded, username, password, role):
    call_command("load_demo_data", stdout=StringIO())
    client = Client()
    assert client.login(username=username, password=password)
    from django.contrib.auth.models import User

    assert User.objects.get(username=username).groups.filter(name=role).exists()


def test_chinese_by_default_even_for_english_browsers(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    response = client.get("/accounts/login/")
    assert 'lang="zh-hans"' in response.content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert 'lang="en"' in client.get("/accounts/login/").content.decode()


def test_error_pages_are_chinese(db, settings):
    settings.DEBUG = False
    client = Client()
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_plan_report_rejects_an_impossible_period_in_chinese(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="季度的序号应为 1–4"):
        call_command("plan_report", "--period", "2025Q9", stdout=StringIO())
