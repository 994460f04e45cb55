"""Tokens: made by 组织部 on a page or by the command, shown once, stored hashed, scoped, expiring, revocable, last use
recorded; throttled per token; refusals as JSON in the request's language."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone

from api.models import ApiToken
from tests.api.helpers import Api, make_token, token_of
from tests.worlds.reporting import World, world  # noqa: F401  (fixtures, used by name)

pytestmark = pytest.mark.django_db


def _command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_command_makes_a_write_token_shown_once_and_stored_hashed(world: World) -> None:
    key, note = _command("--user", world.rep_a.username, "--scope", "write", "--unit", str(world.a.pk), "--days", "7")
    assert key.startswith("tp_") and "以下令牌只显示这一次" in note
    token = ApiToken.objects.get()
    assert (token.scope, token.unit, token.user) == ("write", world.a, world.rep_a)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in token.key_hash
    assert dt.timedelta(days=6) < token.expires_at - timezone.now() <= dt.timedelta(days=7)
    assert Api(key).get("/api/v1/units/").status_code == 200
    by_name, _note = _command("--user", world.rep_a.username, "--scope", "read", "--unit", "甲局")
    assert token_of(by_name).unit == world.a


@pytest.mark.parametrize(
    "args, message",
    [
        (["--scope", "write"], "读写令牌必须指定单位"),
        (["--scope", "write", "--unit", "乙局"], "不是“乙局”的填报员"),
        (["--scope", "read"], "只能读取本单位的数据，请指定单位"),
        (["--scope", "read", "--unit", "丙局"], "单位“丙局”不存在"),
        (["--scope", "read", "--unit", "甲局", "--days", "0"], "有效天数应在 1–"),
    ],
)
def test_command_refuses_what_the_account_may_not_hold(world: World, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        _command("--user", world.rep_a.username, *args)
    assert not ApiToken.objects.exists()


def test_leader_may_hold_a_read_token_for_every_unit_but_no_write_token(world: World) -> None:
    key, _note = _command("--user", world.leader.username, "--scope", "read")
    assert token_of(key).unit is None
    with pytest.raises(CommandError, match="不是“甲局”的填报员"):
        _command("--user", world.leader.username, "--scope", "write", "--unit", "甲局")


def test_token_page_is_for_zzb_only(world: World) -> None:
    assert world.client(world.admin).get("/api/tokens/").status_code == 200
    for user in (world.rep_a, world.leader):
        assert world.client(user).get("/api/tokens/").status_code == 403
        response = world.client(user).post("/api/tokens/", {"name": "x", "user": user.pk, "scope": "read", "days": 5})
        assert response.status_code == 403
    assert world.client(None).get("/api/tokens/").status_code == 302  # to the login page
    assert not ApiToken.objects.exists()


def test_zzb_makes_a_token_on_the_page_sees_it_once_and_revokes_it(world: World) -> None:
    client = world.client(world.admin)
    response = client.post(
        "/api/tokens/",
        {"name": "人社局数据平台", "user": world.rep_a.pk, "scope": "write", "unit": world.a.pk, "days": 30},
    )
    assert response.status_code == 200
    html = response.content.decode()
    token = ApiToken.objects.get()
    key = html.split('id="new-token">')[1].split("<")[0]
    assert key.startswith(f"tp_{token.prefix}_") and "离开本页后将无法再次查看" in html
    assert (token.created_by, token.scope, token.unit) == (world.admin, "write", world.a)
    listing = client.get("/api/tokens/").content.decode()
    assert key not in listing and token.display_prefix in listing and "从未使用" in listing
    assert Api(key).get("/api/v1/periods/").status_code == 200
    assert "从未使用" not in client.get("/api/tokens/").content.decode()  # last use recorded
    refused = world.client(world.rep_a).post(f"/api/tokens/{token.pk}/revoke/")
    assert refused.status_code == 403
    assert client.post(f"/api/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == world.admin and token.revoked_at is not None
    response = Api(key).get("/api/v1/periods/")
    assert response.status_code == 401 and response.json()["code"] == "authentication_failed"
    assert "已于" in response.json()["message"] and "被吊销" in response.json()["message"]


def test_page_refuses_a_write_token_for_a_unit_the_account_does_not_report_for(world: World) -> None:
    response = world.client(world.admin).post(
        "/api/tokens/", {"name": "x", "user": world.rep_a.pk, "scope": "write", "unit": world.b.pk, "days": 30}
    )
    assert response.status_code == 200 and "不是“乙局”的填报员" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_last_use_time_and_address_are_recorded(world: World) -> None:
    key = make_token(world.leader)
    Api(key).get("/api/v1/units/")
    token = token_of(key)
    assert token.last_used_at is not None and token.last_used_ip == "127.0.0.1"


@pytest.mark.parametrize("header", ["Bearer tp_00000000_nothing", "Bearer nonsense", "Bearer", "Token a b"])
def test_unknown_or_malformed_tokens_are_401(world: World, header: str) -> None:
    api = Api()
    api.headers["Authorization"] = header
    response = api.get("/api/v1/units/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_no_credentials_is_401_in_chinese_by_default_and_english_on_request(world: World) -> None:
    response = Api().get("/api/v1/units/")
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "fields": {},
        "message": "需要身份认证：请在 Authorization 请求头中提供“Bearer 令牌”。",
    }
    english = Api(language="en").get("/api/v1/units/")
    assert english.json()["message"] == "Authentication required: send “Bearer <token>” in the Authorization header."


def test_expired_token_is_401_with_the_date(world: World) -> None:
    key = make_token(world.leader)
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = Api(key).get("/api/v1/units/")
    assert response.status_code == 401 and "过期" in response.json()["message"]


def test_token_of_a_disabled_account_is_401(world: World) -> None:
    key = make_token(world.leader)
    world.leader.is_active = False
    world.leader.save()
    assert Api(key).get("/api/v1/units/").status_code == 401


def test_session_of_the_app_reads_the_api(world: World) -> None:
    api = Api(client=world.client(world.leader))
    assert api.get("/api/v1/plans/").status_code == 200


@override_settings(
    REST_FRAMEWORK={
        **__import__("django.conf").conf.settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_read": "3/min", "api_write": "2/min"},
    }
)
def test_throttling_is_per_token(world: World) -> None:
    from django.core.cache import cache

    cache.clear()
    first, second = Api(make_token(world.leader)), Api(make_token(world.leader))
    assert [first.get("/api/v1/periods/").status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get("/api/v1/periods/")
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert int(refused.headers["Retry-After"]) > 0 and "请求过于频繁" in refused.json()["message"]
    assert second.get("/api/v1/periods/").status_code == 200  # another token has its own allowance
    cache.clear()


def test_token_page_query_count_is_pinned(world: World, django_assert_max_num_queries) -> None:
    for n in range(6):
        make_token(world.leader, name=f"平台{n}")
    client = world.client(world.admin)
    client.get("/api/tokens/")
    with django_assert_max_num_queries(12) as captured:
        assert client.get("/api/tokens/").status_code == 200
    queries = len(captured.captured_queries)
    make_token(world.rep_a, "write", world.a)
    with django_assert_max_num_queries(queries):
        client.get("/api/tokens/")


def test_the_request_log_names_the_tokens_user(world: World, caplog) -> None:
    import logging

    with caplog.at_level(logging.INFO, logger="talentplan.request"):
        Api(make_token(world.leader)).get("/api/v1/periods/")
    assert f"user={world.leader.username}" in caplog.text


@override_settings(API_TOKEN_REFUSALS=3, API_TOKEN_REFUSAL_SECONDS=600)
def test_an_address_guessing_keys_waits_before_any_key_is_checked(world: World) -> None:
    """Three refused keys from one address: the fourth request waits (429, in Chinese), even with a valid key, while
    another address is still served."""
    from django.core.cache import cache

    cache.clear()
    good = make_token(world.leader)
    wrong = Api("tp_abcdefgh_" + "x" * 40)
    assert [wrong.get("/api/v1/units/").status_code for _ in range(3)] == [401, 401, 401]
    refused = Api(good).get("/api/v1/units/")
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_refusals"
    assert "多次验证失败" in refused.json()["message"] and int(refused.headers["Retry-After"]) == 600
    elsewhere = Api(good, client=Client(REMOTE_ADDR="10.1.2.3")).get("/api/v1/units/")
    assert elsewhere.status_code == 200
    cache.clear()


def test_a_valid_key_is_served_after_fewer_refusals_than_the_limit(world: World) -> None:
    from django.core.cache import cache

    cache.clear()
    wrong = Api("tp_abcdefgh_" + "x" * 40)
    assert wrong.get("/api/v1/units/").status_code == 401
    assert Api(make_token(world.leader)).get("/api/v1/units/").status_code == 200
    cache.clear()
