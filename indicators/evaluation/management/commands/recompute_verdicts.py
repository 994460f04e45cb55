"""python manage.py recompute_verdicts [--plan CODE ...]

Evaluates every indicator of the plans (all by default) at every date of their reporting calendar and stores the
verdicts. Writes keep verdicts current by themselves; this is for after a bulk load outside the app's services or
a change of the engine's rules.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from indicators.evaluation import services
from plans.models import Plan


class Command(BaseCommand):
    help = "重新计算各规划全部指标在各评估日期的评估结果。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", action="append", help="规划代码，可重复；默认全部规划")

    def handle(self, *args: Any, **options: Any) -> None:
        plans = Plan.objects.order_by("pk")
        if options["plan"]:
            plans = plans.filter(code__in=options["plan"])
            missing = set(options["plan"]) - set(plans.values_list("code", flat=True))
            if missing:
                raise CommandError(f"规划代码不存在：{'、'.join(sorted(missing))}")
        started = time.perf_counter()
        written = services.recompute(plans.values_list("pk", flat=True))
        elapsed = time.perf_counter() - started
        self.stdout.write(f"已计算 {plans.count()} 个规划的评估结果 {written} 条，用时 {elapsed:.1f} 秒。")
