"""Load test: N concurrent logged-in users against gunicorn on 127.0.0.1, standard library only.

    python -m benchmarks.loadtest --users 50 --seconds 30 --workers 2 [--preset district] [--think 1.0] \
        [--submit-share 0.25] [--json F]

Starts gunicorn itself (talentplan.wsgi, plain static storage, DEBUG off) on a free port against the database in
DATABASE_URL, makes sure the preset's scale data exists (generating it if missing), gives the set's `bench-…` users a
throw-away password for the run (made unusable again afterwards), logs every virtual user in through the login form
(CSRF cookie + token), then for `--seconds` lets them browse: 领导 read the dashboards; 填报员 open their reporting
page, save a figure through its form (with the CSRF token; a --submit-share of the saves press 保存并报送, the rest
save a draft) and read dashboards. Each user waits a random think time (0.5–1.5 × --think) between requests, the
first request after a random 0–1.5 × --think. Bounded: --seconds, --max-requests and a per-request timeout.

`--scenario rush` is the reporting deadline instead: 200 填报员 (default), logged in beforehand, arrive at random
moments over --seconds; each opens 我的填报 and presses 保存并报送 on one figure of its own (virtual users sharing a
unit's account take different items, paging on when the first page is used up). Afterwards every accepted submission
is checked in the database: the stored figure is the one sent (else "lost") and exactly one history entry was
written for it (more: "duplicated"). Reports 5xx, refused saves (a form answered with a message), lost and
duplicated figures, p95.

Reports throughput, p50/p95/p99 (overall and per page) and errors (HTTP ≥ 400, timeouts, connection errors).
Only HTML is requested (no static files). Saved figures land in the generated units (bench data; regenerate to reset).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from benchmarks.loadhttp import REQUEST_TIMEOUT, Form, Response, http, parse_forms
from benchmarks.loadserver import (
    BASE_DIR,
    PLAIN_STATIC,
    free_port,
    server_cpu_seconds,
    start_gunicorn,
    stop_gunicorn,
    wait_ready,
)

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


# --- orchestration ----------------------------------------------------------------------------------------------


def summarize(samples: list[Sample], seconds: float) -> dict[str, Any]:
    def stats(rows: list[Sample]) -> dict[str, Any]:
        ms = sorted(s.ms for s in rows if s.status > 0)
        pick = lambda q: round(ms[max(0, int(round(q / 100 * len(ms) + 0.5)) - 1)], 1) if ms else None
        return {
            "requests": len(rows),
            "p50_ms": pick(50),
            "p95_ms": pick(95),
            "p99_ms": pick(99),
            "mean_ms": round(statistics.fmean(ms), 1) if ms else None,
            "errors": sum(1 for s in rows if s.error),
        }

    real = [s for s in samples if s.status >= 0]
    by_label: dict[str, list[Sample]] = defaultdict(list)
    for s in real:
        by_label[s.label].append(s)
    overall = stats(real)
    overall["throughput_rps"] = round(len(real) / seconds, 1) if seconds else None
    return {
        "overall": overall,
        "pages": {label: stats(rows) for label, rows in sorted(by_label.items())},
        "errors": dict(Counter(f"{s.label}: {s.error}" for s in samples if s.error)),
        # 保存并报送 the server took (a redirect back to the page): the writes that moved verdicts and caches
        "submissions_landed": sum(1 for s in samples if s.label == "submit" and s.status in (301, 302, 303)),
    }


async def run_load(
    args: argparse.Namespace,
    targets: Targets,
    accounts: list[tuple[str, str]],
    password: str,
    port: int,
    server_pid: int,
) -> dict[str, Any]:
    rng = random.Random(args.seed)
    users = [
        VirtualUser(port, name, password, role, targets, random.Random(rng.random()), args.think, args.submit_share)
        for name, role in accounts
    ]
    # Log in a few at a time (password hashing is deliberately slow); not part of the measured window.
    gate = asyncio.Semaphore(max(2, args.workers * 2))

    async def login(u: VirtualUser) -> tuple[bool, float]:
        async with gate:
            return await u.login()

    started = time.monotonic()
    logins = await asyncio.gather(*(login(u) for u in users))
    login_seconds = time.monotonic() - started
    failed = [u.username for u, (ok, _) in zip(users, logins) if not ok]
    active = [u for u, (ok, _) in zip(users, logins) if ok]
    samples: list[Sample] = []
    budget = [args.max_requests]
    window_start = time.monotonic()
    client_cpu, server_cpu = time.process_time(), server_cpu_seconds(server_pid)
    deadline = window_start + args.seconds
    accepted: list[Submission] = []
    refused: list[str] = []
    if args.scenario == "rush":
        # Each virtual user of a unit's account is given a figure of its own, found before the window opens.
        first_of: dict[str, VirtualUser] = {}
        for u in active:
            first_of.setdefault(u.username, u)
        items = dict(zip(first_of, await asyncio.gather(*(unit_items(u) for u in first_of.values()))))
        plan: list[tuple[VirtualUser, float, Any]] = []
        slots: Counter[str] = Counter()
        for u in active:
            mine = items[u.username]
            plan.append(
                (u, rng.uniform(0, args.seconds), mine[slots[u.username]] if slots[u.username] < len(mine) else None)
            )
            slots[u.username] += 1
        window_start = time.monotonic()
        client_cpu, server_cpu = time.process_time(), server_cpu_seconds(server_pid)
        await asyncio.gather(*(rush(u, at, item, samples, accepted, refused) for u, at, item in plan))
    else:
        await asyncio.gather(*(u.browse(deadline, samples, budget) for u in active))
    window = time.monotonic() - window_start
    result = summarize(samples, window)
    result["status_5xx"] = sum(1 for s in samples if s.status >= 500)
    result["accepted"] = [s.__dict__ for s in accepted]
    result["refused"] = dict(Counter(refused))
    # Where the two cores went during the window: this client shares them with gunicorn and PostgreSQL.
    result["cpu_seconds"] = {
        "client": round(time.process_time() - client_cpu, 1),
        "gunicorn": round(server_cpu_seconds(server_pid) - server_cpu, 1),
    }
    result.update(
        {
            "users": len(users),
            "logged_in": len(active),
            "login_failures": failed,
            "login_seconds": round(login_seconds, 1),
            "login_p50_ms": round(statistics.median([ms for ok, ms in logins if ok]), 1) if active else None,
            "window_seconds": round(window, 1),
        }
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scenario",
        choices=["browse", "rush"],
        default="browse",
        help="browse: users read and save for --seconds; rush: the deadline, every reporter submits once",
    )
    parser.add_argument("--users", type=int, default=None, help="default 50 (browse) or 200 (rush)")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--preset", default="district")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time between a user's requests (s)")
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument(
        "--submit-share",
        type=float,
        default=0.25,
        help="share of the figure saves that are 保存并报送 (submitted) rather than drafts",
    )
    parser.add_argument("--leaders", type=float, default=0.2, help="share of users who are 领导 (the rest 填报员)")
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="random seed; a new one each run by default (a fixed one would pick the same figures "
        "again, already submitted and read-only, and stop submitting)",
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.users is None:
        args.users = 200 if args.scenario == "rush" else 50
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1, 2**31)
    if args.scenario == "rush":
        args.leaders = 0.0

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentplan.settings")
    os.environ.setdefault("STATICFILES_BACKEND", PLAIN_STATIC)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.urls import reverse
    from django.utils import timezone

    from benchmarks import scale
    from indicators.models import Indicator

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("数据库尚未迁移，先执行 migrate。")
        call_command("migrate", interactive=False, verbosity=0)
    if args.preset not in scale.PRESETS:
        parser.error(f"--preset must be one of {', '.join(scale.PRESETS)}")
    shape = scale.PRESETS[args.preset]
    bench_set = scale.find(shape)
    if bench_set is None:
        print(f"未找到压测数据集“{shape.tag}”，先生成……")
        scale.generate(shape)
        bench_set = scale.find(shape)
    if bench_set is None:
        raise SystemExit(f"压测数据集“{shape.tag}”生成后仍未找到。")
    tag = bench_set.tag
    indicator_ids = list(
        Indicator.objects.filter(plan__in=bench_set.plans).order_by("?").values_list("pk", flat=True)[:30]
    )
    targets = Targets(
        overview=reverse("dashboard:overview"),
        plans=[reverse("dashboard:plan", args=[p.code]) for p in bench_set.plans],
        indicators=[reverse("dashboard:indicator", args=[pk]) for pk in indicator_ids],
        departments=[reverse("dashboard:department", args=[c.pk]) for c in bench_set.counties[:20]],
        reporting=reverse("reporting:my"),
        login=reverse("login"),
    )
    n_leaders = round(args.users * args.leaders)
    accounts = [(scale.username(tag, "leader"), "leader") for _ in range(n_leaders)]
    accounts += [
        (scale.reporter_username(tag, i % len(bench_set.counties) + 1), "reporter")
        for i in range(args.users - n_leaders)
    ]
    password = scale.new_password()
    scale.set_password_for_bench_users(tag, password)
    connection.close()
    port = free_port()
    log_path = Path(tempfile.gettempdir()) / f"loadtest-gunicorn-{port}.log"
    proc = start_gunicorn(port, args.workers, log_path)
    print(
        f"gunicorn（{args.workers} 个 worker）127.0.0.1:{port}，数据集“{tag}”，"
        f"数据库 {connection.settings_dict['NAME']}；"
        f"{args.users} 个用户（领导 {n_leaders}），{args.seconds:g} 秒，思考时间 {args.think:g} 秒。"
    )
    started_at = timezone.now()
    try:
        asyncio.run(wait_ready(port, targets.login, proc))
        result = asyncio.run(run_load(args, targets, accounts, password, port, proc.pid))
    finally:
        stop_gunicorn(proc)
        scale.set_password_for_bench_users(tag, None)
    if args.scenario == "rush":
        result["check"] = check_submissions(result.pop("accepted"), started_at)
    else:
        result.pop("accepted", None)
    result.update(
        {
            "preset": tag,
            "database": f"{connection.vendor} {connection.settings_dict['NAME']}",
            "scenario": args.scenario,
            "workers": args.workers,
            "think_s": args.think,
            "submit_share": args.submit_share,
            "seed": args.seed,
            "cpus": os.cpu_count(),
            "load_avg_1m": round(os.getloadavg()[0], 2),
            "gunicorn_log": str(log_path),
        }
    )
    print_report(result)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"已写入 {args.json}")
    return 0


def check_submissions(accepted: list[dict[str, Any]], since: Any) -> dict[str, Any]:
    """Each accepted submission against the database: the figure sent is the one stored, written once."""
    from indicators.models import IndicatorValue

    by_key: dict[tuple[int, int, int, str], list[dict[str, Any]]] = defaultdict(list)
    for s in accepted:
        by_key[(s["indicator"], s["department"], s["period"], s["basis"])].append(s)
    lost, duplicated = [], []
    history = IndicatorValue.history.model.objects
    for (indicator, department, period, basis), sent in by_key.items():
        row = IndicatorValue.objects.filter(
            indicator_id=indicator, department_id=department, period_id=period, basis=basis
        ).first()
        if row is None or row.value is None or Decimal(sent[-1]["value"]) != row.value or row.status != "submitted":
            lost.append(
                {
                    "key": [indicator, department, period, basis],
                    "sent": [x["value"] for x in sent],
                    "stored": str(row.value) if row else None,
                }
            )
        written = history.filter(id=row.pk, history_date__gte=since).count() if row else 0
        if written > len(sent):
            duplicated.append({"key": [indicator, department, period, basis], "writes": written, "sent": len(sent)})
    return {
        "accepted": len(accepted),
        "distinct_items": len(by_key),
        "shared_items": sum(1 for v in by_key.values() if len(v) > 1),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "lost_detail": lost[:10],
        "duplicated_detail": duplicated[:10],
    }


def print_report(result: dict[str, Any]) -> None:
    o = result["overall"]
    print(
        f"\n登录 {result['logged_in']}/{result['users']} 个用户，用时 {result['login_seconds']} 秒"
        f"（中位 {result['login_p50_ms']} ms）；测量窗口 {result['window_seconds']} 秒。"
    )
    print(f"{'page':<12}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for label, s in [("ALL", o), *result["pages"].items()]:
        row = [s["requests"], s["p50_ms"], s["p95_ms"], s["p99_ms"], s["errors"]]
        print(f"{label:<12}" + "".join(f"{'' if v is None else v:>9}" for v in row[:4]) + f"{row[4]:>8}")
    print(
        f"吞吐 {o['throughput_rps']} 请求/秒；错误 {o['errors']} 个；报送成功 {result.get('submissions_landed', 0)} 项"
        f"（随机种子 {result.get('seed')}）。"
    )
    cpu = result.get("cpu_seconds")
    if cpu:
        print(
            f"窗口内 CPU：gunicorn {cpu['gunicorn']} 秒，压测客户端 {cpu['client']} 秒"
            f"（{os.cpu_count()} 核 × {result['window_seconds']} 秒）。"
        )
    for kind, n in result["errors"].items():
        print(f"  {kind} × {n}")
    if result["login_failures"]:
        print(f"  登录失败：{', '.join(result['login_failures'][:5])}")
    check = result.get("check")
    if check:
        print(
            f"截止日报送：接受 {check['accepted']} 项（{check['distinct_items']} 个不同指标项），"
            f"被拒 {sum(result['refused'].values())} 项，丢失 {check['lost']} 项，重复 {check['duplicated']} 项；"
            f"5xx {result['status_5xx']} 个。"
        )
        for reason, n in result["refused"].items():
            print(f"  被拒：{reason} × {n}")


if __name__ == "__main__":
    sys.exit(main())
