"""The load test's virtual users: a logged-in session that browses as 领导 or 填报员 and saves figures through the
reporting form, and the deadline rush's single submission. `benchmarks.loadtest` starts the server, logs the users
in, runs them and reports.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from benchmarks.loadhttp import REQUEST_TIMEOUT, Form, Response, http, parse_forms

# --- virtual users --------------------------------------------------------------------------------------------------


@dataclass
class Sample:
    label: str
    status: int  # 0: no response (timeout / connection error)
    ms: float
    error: str = ""


@dataclass
class Targets:
    overview: str
    plans: list[str]
    indicators: list[str]
    departments: list[str]
    reporting: str
    login: str


class VirtualUser:
    def __init__(
        self,
        port: int,
        username: str,
        password: str,
        role: str,
        targets: Targets,
        rng: random.Random,
        think: float,
        submit_share: float = 0.0,
    ) -> None:
        self.port, self.username, self.password, self.role = port, username, password, role
        self.t, self.rng, self.think, self.submit_share = targets, rng, think, submit_share
        self.cookies: dict[str, str] = {}
        self.reporting_html = ""

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        h = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        return {**h, **(extra or {})}

    def _keep_cookies(self, response: Response) -> None:
        for raw in response.headers.get("set-cookie", []):
            name, _, rest = raw.partition("=")
            value = rest.split(";", 1)[0]
            if value in ('""', ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    async def call(
        self,
        label: str,
        method: str,
        path: str,
        body: dict[str, str] | list | None = None,
        samples: list[Sample] | None = None,
    ) -> Response | None:
        extra = {}
        data = b""
        if body is not None:
            data = urlencode(body).encode()
            extra = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
            }
        started = time.perf_counter()
        try:
            response = await asyncio.wait_for(
                http(self.port, method, path, self._headers(extra), data), REQUEST_TIMEOUT
            )
        except (TimeoutError, ConnectionError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            if samples is not None:
                samples.append(Sample(label, 0, (time.perf_counter() - started) * 1000, type(exc).__name__))
            return None
        ms = (time.perf_counter() - started) * 1000
        self._keep_cookies(response)
        if samples is not None:
            samples.append(
                Sample(label, response.status, ms, f"HTTP {response.status}" if response.status >= 400 else "")
            )
        return response

    async def login(self) -> tuple[bool, float]:
        started = time.perf_counter()
        page = await self.call("login", "GET", self.t.login)
        if page is None or page.status != 200:
            return False, 0.0
        token = next((v for f in parse_forms(page.text) for k, v in f.fields if k == "csrfmiddlewaretoken"), "")
        done = await self.call(
            "login",
            "POST",
            self.t.login,
            {"csrfmiddlewaretoken": token, "username": self.username, "password": self.password},
        )
        ok = done is not None and done.status == 302 and "sessionid" in self.cookies
        return ok, (time.perf_counter() - started) * 1000

    async def browse(self, deadline: float, samples: list[Sample], budget: list[int]) -> None:
        # Users arrive spread over one think time, not all in the same millisecond: a synchronized first request
        # of every user is a burst no office produces, and it would queue behind itself for seconds.
        await asyncio.sleep(self.think * self.rng.uniform(0, 1.5))
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            await self.step(samples)
            await asyncio.sleep(self.think * self.rng.uniform(0.5, 1.5))

    async def step(self, samples: list[Sample]) -> None:
        r = self.rng.random()
        if self.role == "reporter" and r < 0.4:
            response = await self.call("reporting", "GET", self.t.reporting, samples=samples)
            if response is not None and response.status == 200:
                self.reporting_html = response.text
            return
        if self.role == "reporter" and r < 0.6:
            await self.save_figure(samples)
            return
        await self.dashboard(samples)

    async def dashboard(self, samples: list[Sample]) -> None:
        r = self.rng.random()
        if r < 0.3 or not (self.t.plans and self.t.indicators and self.t.departments):
            await self.call("overview", "GET", self.t.overview, samples=samples)
        elif r < 0.6:
            await self.call("plan", "GET", self.rng.choice(self.t.plans), samples=samples)
        elif r < 0.8:
            await self.call("indicator", "GET", self.rng.choice(self.t.indicators), samples=samples)
        else:
            await self.call("department", "GET", self.rng.choice(self.t.departments), samples=samples)

    async def save_figure(self, samples: list[Sample]) -> None:
        """Post one value form of the reporting page back, as the browser would (draft save, same figure)."""
        if not self.reporting_html:
            response = await self.call("reporting", "GET", self.t.reporting, samples=samples)
            if response is None or response.status != 200:
                return
            self.reporting_html = response.text
        forms = [
            f
            for f in parse_forms(self.reporting_html)
            if f.method == "post" and "value" in f.action and "save" in f.action
        ]
        if not forms:
            samples.append(Sample("save", -1, 0.0, "no value form on the reporting page"))
            return
        form = self.rng.choice(forms)
        fields = dict(form.fields)
        for name in form.text_names:
            if "value" in name:
                fields[name] = _nudged(fields.get(name, ""))
        for name in fields:
            if name.endswith("note") and not fields[name]:
                fields[name] = "压测：负载测试保存"
        fields.setdefault("csrfmiddlewaretoken", self.cookies.get("csrftoken", ""))
        # 保存并报送 for a share of the saves: a submitted figure is counted, so it changes verdicts and moves the
        # data version (every cached dashboard body is built again); a draft changes neither.
        label = "save"
        if self.rng.random() < self.submit_share:
            fields["submit"], label = "", "submit"
        response = await self.call(label, "POST", form.action or self.t.reporting, list(fields.items()), samples)
        if response is not None and response.status in (301, 302, 303):
            self.reporting_html = ""  # the page changed; fetch it again before the next save
        elif response is not None and response.status == 200:
            # Refused (the form comes back with its message): the browser now shows that page, and its forms are
            # the ones the next save posts — not the old page's again.
            self.reporting_html = response.text


@dataclass
class Submission:
    """One 保存并报送 the server accepted (302): the figure's key and the value sent."""

    indicator: int
    department: int
    period: int
    basis: str
    value: str
    username: str


def value_forms(html: str) -> list[Form]:
    return [f for f in parse_forms(html) if f.method == "post" and "value" in f.action and "save" in f.action]


async def unit_items(user: VirtualUser, pages: int = 50) -> list[tuple[str, int]]:
    """(indicator id, page) of every figure form on the unit's reporting pages, before the rush (not measured)."""
    items: list[tuple[str, int]] = []
    for page in range(1, pages + 1):
        response = await user.call("setup", "GET", f"{user.t.reporting}?page={page}")
        if response is None or response.status != 200:
            break
        found = [dict(f.fields).get("indicator", "") for f in value_forms(response.text)]
        new = [(ind, page) for ind in found if ind and (ind, page) not in items and ind not in {i for i, _ in items}]
        if not new:
            break
        items.extend(new)
    return items


async def rush(
    user: VirtualUser,
    arrive_after: float,
    item: tuple[str, int] | None,
    samples: list[Sample],
    accepted: list[Submission],
    refused: list[str],
) -> None:
    """Arrive, open 我的填报, submit the figure this virtual user was given (distinct per virtual user of a unit;
    the page holding it is opened next when it is not on the first)."""
    await asyncio.sleep(arrive_after)
    response = await user.call("reporting", "GET", user.t.reporting, samples=samples)
    if response is None or response.status != 200:
        return
    if item is None:
        samples.append(Sample("submit", -1, 0.0, "no figure left for this virtual user"))
        return
    indicator, _page = item
    form = _form_for(response.text, indicator)
    if form is None:  # on a later page: the page that holds an item is opened by its anchor, as a link would
        response = await user.call("reporting", "GET", f"{user.t.reporting}?item=v{indicator}", samples=samples)
        form = _form_for(response.text, indicator) if response is not None and response.status == 200 else None
    if form is None:
        samples.append(Sample("submit", -1, 0.0, "the given figure's form was not on its page"))
        return
    fields = dict(form.fields)
    value = fields.get("value", "").strip()
    value = value if value in ("0", "1") else _nudged(value)  # a 定性 figure stays 0 or 1
    fields["value"] = value
    if not fields.get("note", "").strip():
        fields["note"] = "压测：截止日前报送"  # also explains a jump from last period's figure
    fields["submit"] = ""
    fields.setdefault("csrfmiddlewaretoken", user.cookies.get("csrftoken", ""))
    response = await user.call("submit", "POST", form.action, list(fields.items()), samples)
    if response is None:
        return
    if response.status in (301, 302, 303):
        accepted.append(
            Submission(
                int(fields["indicator"]),
                int(fields["department"]),
                int(fields["period"]),
                fields["basis"],
                value,
                user.username,
            )
        )
    elif response.status == 200:
        refused.append(_first_error(response.text))


def _form_for(html: str, indicator: str) -> Form | None:
    return next((f for f in value_forms(html) if dict(f.fields).get("indicator") == indicator), None)


def _first_error(html: str) -> str:
    start = html.find('class="errorlist')
    if start < 0:
        return "refused without a message"
    text = html[html.find(">", start) + 1 :]
    return " ".join(text.split("<", 1)[0].split())[:120] or "refused"


def _nudged(text: str) -> str:
    """The figure changed by +1 % at the precision it was shown with (a real edit, within the ±50 % check); "1" when
    empty."""
    try:
        value = Decimal(text.replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return "1"
    exponent = value.as_tuple().exponent
    quantum = Decimal(1).scaleb(exponent if isinstance(exponent, int) and exponent < 0 else 0)
    nudged = (value * Decimal("1.01")).quantize(quantum)
    return str(nudged if nudged != value else value + quantum)
