"""Login throttling (django-axes) on the site and admin logins, the Chinese message, and 组织部's unlock page."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from plans.roles import ADMIN, LEADER, REPORTER
from tests.conftest import make_user

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def fail(client, url: str, username: str, times: int) -> None:
    for _ in range(times):
        response = client.post(url, {"username": username, "password": "wrong-password"})
        assert response.status_code in (200, 429)


@pytest.mark.django_db
def test_wrong_passwords_lock_the_site_login_then_even_the_right_one_is_refused(client) -> None:
    make_user("victim", REPORTER)
    fail(client, LOGIN, "victim", settings.AXES_FAILURE_LIMIT - 1)
    response = client.post(LOGIN, {"username": "victim", "password": "wrong-password"})
    assert response.status_code == 429
    response = client.post(LOGIN, {"username": "victim", "password": "pw-victim"})
    assert response.status_code == 429
    text = response.content.decode()
    assert "连续 5 次密码错误" in text and "已暂时锁定" in text and "联系组织部管理员" in text
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_fewer_failures_than_the_limit_still_let_the_right_password_in(client) -> None:
    make_user("typo", REPORTER)
    fail(client, LOGIN, "typo", settings.AXES_FAILURE_LIMIT - 1)
    response = client.post(LOGIN, {"username": "typo", "password": "pw-typo"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="typo").exists()  # reset on success


@pytest.mark.django_db
def test_the_admin_login_is_throttled_too(client) -> None:
    make_user("staffer", ADMIN, is_staff=True)
    fail(client, ADMIN_LOGIN, "staffer", settings.AXES_FAILURE_LIMIT)
    response = client.post(ADMIN_LOGIN, {"username": "staffer", "password": "pw-staffer", "next": "/admin/"})
    assert response.status_code == 429
    assert "已暂时锁定" in response.content.decode()


@pytest.mark.django_db
def test_another_address_is_not_locked_out_by_someone_elses_guessing(client) -> None:
    make_user("shared", REPORTER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "shared", "password": "x"}, REMOTE_ADDR="10.9.9.9")
    response = client.post(LOGIN, {"username": "shared", "password": "pw-shared"}, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 302


@pytest.mark.django_db
def test_zzb_sees_locked_accounts_and_unlocks_one(client) -> None:
    make_user("victim2", REPORTER)
    admin = make_user("zzb", ADMIN)
    fail(client, LOGIN, "victim2", settings.AXES_FAILURE_LIMIT)
    client.force_login(admin)
    page = client.get("/ops/lockouts/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "victim2" in text and "已锁定" in text
    attempt = AccessAttempt.objects.get(username="victim2")
    response = client.post("/ops/lockouts/", {"attempt": attempt.pk}, follow=True)
    assert "已解除“victim2”的登录锁定" in response.content.decode()
    assert not AccessAttempt.objects.filter(username="victim2").exists()
    client.logout()
    assert client.post(LOGIN, {"username": "victim2", "password": "pw-victim2"}).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("role", [REPORTER, LEADER])
def test_others_may_neither_see_nor_unlock(client, role: str) -> None:
    make_user("victim3", REPORTER)
    fail(client, LOGIN, "victim3", settings.AXES_FAILURE_LIMIT)
    client.force_login(make_user("other", role))
    assert client.get("/ops/lockouts/").status_code == 403
    attempt = AccessAttempt.objects.get(username="victim3")
    assert client.post("/ops/lockouts/", {"attempt": attempt.pk}).status_code == 403
    assert AccessAttempt.objects.filter(username="victim3").exists()


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client) -> None:
    response = client.get("/ops/lockouts/")
    assert response.status_code == 302 and LOGIN in response["Location"]
