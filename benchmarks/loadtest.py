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
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.loadserver import (
    BASE_DIR,
    PLAIN_STATIC,
    free_port,
    server_cpu_seconds,
    start_gunicorn,
    stop_gunicorn,
    wait_ready,
)
from benchmarks.loadusers import Sample, Submission, Targets, VirtualUser, rush, unit_items

if TYPE_CHECKING:  # the models load only once Django is set up, inside main
    from benchmarks.scale_sets import BenchSet

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
        # Saves answered with the page and a message (a jump without a note, someone saved first): a page built
        # afresh each, so the share of them changes what a run measures
        "saves_refused": sum(1 for s in samples if s.label in ("save", "submit") and s.status == 200),
    }


async def _log_in(users: list[VirtualUser], workers: int) -> list[tuple[bool, float]]:
    """Everyone logged in, a few at a time (password hashing is deliberately slow); not in the measured window."""
    gate = asyncio.Semaphore(max(2, workers * 2))

    async def login(u: VirtualUser) -> tuple[bool, float]:
        async with gate:
            return await u.login()

    return list(await asyncio.gather(*(login(u) for u in users)))


async def _rush_plan(
    active: list[VirtualUser], rng: random.Random, seconds: float
) -> list[tuple[VirtualUser, float, Any]]:
    """When each reporter submits, and what: every virtual user of a unit's account gets a figure of its own, found
    before the window opens."""
    first_of: dict[str, VirtualUser] = {}
    for u in active:
        first_of.setdefault(u.username, u)
    items = dict(zip(first_of, await asyncio.gather(*(unit_items(u) for u in first_of.values()))))
    plan: list[tuple[VirtualUser, float, Any]] = []
    slots: Counter[str] = Counter()
    for u in active:
        mine = items[u.username]
        plan.append((u, rng.uniform(0, seconds), mine[slots[u.username]] if slots[u.username] < len(mine) else None))
        slots[u.username] += 1
    return plan


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
    started = time.monotonic()
    logins = await _log_in(users, args.workers)
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
        plan = await _rush_plan(active, rng, args.seconds)
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
    args = _arguments(argv)
    bench_set = _bench_set(args.preset)
    from django.db import connection
    from django.utils import timezone

    from benchmarks import scale

    tag = bench_set.tag
    targets = _targets(bench_set)
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
    _report(args, result, started_at, tag=tag, log_path=log_path)
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
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
    return args


def _bench_set(preset: str) -> BenchSet:
    """Django set up, the database migrated, and the generated data set of the preset (generated when missing)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentplan.settings")
    os.environ.setdefault("STATICFILES_BACKEND", PLAIN_STATIC)
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from benchmarks import scale

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        print("数据库尚未迁移，先执行 migrate。")
        call_command("migrate", interactive=False, verbosity=0)
    if preset not in scale.PRESETS:
        raise SystemExit(f"--preset must be one of {', '.join(scale.PRESETS)}")
    shape = scale.PRESETS[preset]
    bench_set = scale.find(shape)
    if bench_set is None:
        print(f"未找到压测数据集“{shape.tag}”，先生成……")
        scale.generate(shape)
        bench_set = scale.find(shape)
    if bench_set is None:
        raise SystemExit(f"压测数据集“{shape.tag}”生成后仍未找到。")
    return bench_set


def _targets(bench_set: BenchSet) -> Targets:
    """The pages the simulated users open."""
    from django.urls import reverse

    from indicators.models import Indicator

    indicator_ids = list(
        Indicator.objects.filter(plan__in=bench_set.plans).order_by("?").values_list("pk", flat=True)[:30]
    )
    return Targets(
        overview=reverse("dashboard:overview"),
        plans=[reverse("dashboard:plan", args=[p.code]) for p in bench_set.plans],
        indicators=[reverse("dashboard:indicator", args=[pk]) for pk in indicator_ids],
        departments=[reverse("dashboard:department", args=[c.pk]) for c in bench_set.counties[:20]],
        reporting=reverse("reporting:my"),
        login=reverse("login"),
    )


def _report(args: argparse.Namespace, result: dict[str, Any], started_at: Any, *, tag: str, log_path: Path) -> None:
    from django.db import connection

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
        f"吞吐 {o['throughput_rps']} 请求/秒；错误 {o['errors']} 个；"
        f"报送成功 {result.get('submissions_landed', 0)} 项，保存被拒 {result.get('saves_refused', 0)} 次"
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
