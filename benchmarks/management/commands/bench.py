"""Measure pages, Excel export, bulk import and the engine on a generated data set; print a table, write JSON."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from benchmarks import runner, scale
from benchmarks.management.commands.generate_scale_data import shape_from_options
from ops.startup import settle_collector

COLUMNS = ("name", "cold_ms", "median_ms", "p95_ms", "queries", "peak_mb", "floor_ms", "ratio")


def table(rows: list[dict[str, Any]]) -> str:
    header = [*COLUMNS, "budget"]
    lines = [header]
    for row in rows:
        if row.get("error"):
            lines.append([row["name"], *[""] * (len(header) - 2), f"{row['error']}: {row.get('note', '')}"])
            continue
        budget = ""
        if "within_budget" in row:
            budget = ("ok " if row["within_budget"] else "MISSED ") + ", ".join(
                f"{k}≤{v:g}" for k, v in row["budget"].items()
            )
        if "per_second" in row:
            budget = f"{row['per_second']:,} evaluations/s"
        lines.append([str(row["name"])] + ["" if row.get(c) is None else f"{row[c]:g}" for c in COLUMNS[1:]] + [budget])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for n, line in enumerate(lines):
        out.append(
            "  ".join(
                cell.ljust(widths[i]) if i == 0 or i == len(header) - 1 else cell.rjust(widths[i])
                for i, cell in enumerate(line)
            ).rstrip()
        )
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


class Command(BaseCommand):
    help = (
        "性能基准：总览/规划/指标/单位/填报/审核页面、Excel 考核报表导出、1 万条实际值导入（预览与写入，事务回滚）、"
        "评估引擎。输出中位数、p95、查询数、峰值内存及与最低 SQL 开销的比值。缺少压测数据时先自动生成。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--preset", choices=sorted(scale.PRESETS), default=None, help="默认 district")
        parser.add_argument("--units", type=int)
        parser.add_argument("--plans", type=int)
        parser.add_argument("--indicators", type=int)
        parser.add_argument("--years", type=int)
        parser.add_argument("--seed", type=int)
        parser.add_argument("--repeat", type=int, default=5, help="每项计时次数（另有预热、计查询、计内存各一次）")
        parser.add_argument("--json", type=Path, help="结果写入该 JSON 文件")
        parser.add_argument("--only", help="只测这些项，逗号分隔（如 overview,reporting,import_apply）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["repeat"] < 1:
            raise CommandError("--repeat 至少为 1。")
        log = self.stdout.write
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            log("数据库尚未迁移，先执行 migrate。")
            call_command("migrate", interactive=False, verbosity=0)
        shape = shape_from_options(options)
        bench_set = scale.find(shape)
        if bench_set is None:
            log(f"未找到压测数据集“{shape.tag}”，先生成（generate_scale_data），约{shape.expected_values:,}条实际值……")
            scale.generate(shape, log=log)
            bench_set = scale.find(shape)
            if bench_set is None:  # pragma: no cover
                raise CommandError("压测数据生成后仍未找到，请检查数据库。")
        database = runner.database_label()
        log(f"基准：数据集“{shape.tag}”，数据库 {database}，每项 {options['repeat']} 次。")
        only = {n.strip() for n in options["only"].split(",")} if options.get("only") else None
        settle_collector()  # pages measured as an application server serves them (its start-up does the same)
        started = time.monotonic()
        load_start = round(os.getloadavg()[0], 2)
        requests = logging.getLogger("talentplan.request")
        quiet = requests.disabled
        requests.disabled = True  # one line per measured request would bury the table
        try:
            results = runner.Bench(bench_set, repeat=options["repeat"], log=log, only=only).run()
        finally:
            requests.disabled = quiet
        rows = [r.as_json() for r in results]
        log("")
        log(table(rows))
        log(
            f"\n用时 {time.monotonic() - started:.0f} 秒；"
            f"1 分钟负载 {load_start} → {os.getloadavg()[0]:.2f}（{os.cpu_count()} 核）。"
            "预算按 province 数据集、PostgreSQL 给出。"
        )
        payload = {
            "preset": shape.tag,
            "database": database,
            "repeat": options["repeat"],
            "cpus": os.cpu_count(),
            "load_avg_1m": {"start": load_start, "end": round(os.getloadavg()[0], 2)},
            "results": rows,
        }
        if options.get("json"):
            options["json"].parent.mkdir(parents=True, exist_ok=True)
            options["json"].write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
            log(f"已写入 {options['json']}")
        # Timing never fails the command (CI runs it as a smoke test); an error in a measured path does.
        failed = [r["name"] for r in rows if r.get("error") and r["error"] not in ("not available", "skipped")]
        if failed:
            details = "；".join(f"{r['name']}（{r['error']}）" for r in rows if r["name"] in failed)
            raise CommandError(f"以下测量项出错：{details}")
