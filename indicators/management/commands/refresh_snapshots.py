"""python manage.py refresh_snapshots [--period 2025Q4] [--prune] [--keep-after 2024-01-01]

Evaluates every active plan's indicators at a period's end and stores the verdicts, so that the first leader to open
the overview after a bulk load (or a plan-wide change) does not wait for it. Pages refresh stale verdicts themselves;
this only moves the wait out of office hours. `--prune` deletes verdicts that can never be current again.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from indicators import snapshots
from indicators.dashboard_selectors import choose_period
from indicators.selectors import evaluate_plans, plans_queryset
from plans.models import Plan


class Command(BaseCommand):
    help = "预先计算并保存各实施中规划的指标评估结果（评估快照）；--prune 删除已过期的快照。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="周期代码，如 2025Q4；默认为最近有数据的周期")
        parser.add_argument("--prune", action="store_true", help="删除已失效的快照")
        parser.add_argument("--keep-after", type=dt.date.fromisoformat,
                            help="同时删除评估日期早于此日的快照（YYYY-MM-DD）")

    def handle(self, *args: Any, **options: Any) -> None:
        choice = choose_period(options.get("period"))
        if choice.unknown_code:
            raise CommandError(f"周期“{choice.unknown_code}”不存在。")
        started = time.perf_counter()
        plans = list(plans_queryset().filter(status=Plan.Status.ACTIVE))
        results = evaluate_plans(plans, as_of=choice.as_of, include_tasks=False)
        indicators = sum(len(r.indicators) for r in results)
        self.stdout.write(self.style.SUCCESS(
            f"已评估{len(plans)}个规划的{indicators}个指标（评估日期 {choice.as_of}），"
            f"用时{time.perf_counter() - started:.1f}秒。"))
        if options["prune"] or options.get("keep_after"):
            deleted = snapshots.prune(keep_after=options.get("keep_after"))
            self.stdout.write(f"已删除{deleted}条过期快照。")
