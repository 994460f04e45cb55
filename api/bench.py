"""What `manage.py bench` measures of the API (benchmarks/runner.py, item api_verdicts)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from api import tokens


@dataclass
class Walk:
    pages: list[str] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    rows: int = 0
    error: str = ""


def reader(user: User) -> Client:
    """A test client holding a fresh all-units read token of `user` (call inside a rolled-back transaction)."""
    key = tokens.create_token(by=None, user=user, name="bench", scope="read", unit=None, days=1).key
    client = Client(raise_request_exception=True, HTTP_AUTHORIZATION=f"Bearer {key}")
    client.get("/api/v1/periods/?page_size=1")  # the token's first use is recorded (one write) before any page
    return client


def walk_verdicts(client: Client, plan_code: str, period_code: str, page_size: int) -> Walk:
    """Every page of one plan's verdicts in one period, as a client syncing the plan reads them."""
    walk = Walk()
    url: str | None = f"/api/v1/verdicts/?plan={plan_code}&period={period_code}&page_size={page_size}"
    while url:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        if response.status_code != 200:
            walk.error = f"HTTP {response.status_code} {url}"
            return walk
        body = response.json()
        walk.pages.append(url)
        walk.queries.append(len(ctx.captured_queries))
        walk.rows += len(body["results"])
        url = body["next"]
    return walk
