from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessment.escalation import run_escalation
from assessment.models import AssessmentScheme
from plans.models import ReportingPeriod


class Command(BaseCommand):
    help = "督办检查：对连续严重滞后的指标和逾期任务发出督办，已恢复的自动办结（可定时执行，可重复执行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", help="规划代码（默认全部规划）")
        parser.add_argument("--period", help="考核周期代码，如 2014H1（默认每个规划最近一次进行中的考核方案）")

    def handle(self, *args: Any, **options: Any) -> None:
        active = AssessmentScheme.objects.filter(status=AssessmentScheme.Status.ACTIVE).select_related("plan", "period")
        if options["plan"]:
            active = active.filter(plan__code=options["plan"])
        if options["period"]:
            try:
                code = ReportingPeriod.bounds(*ReportingPeriod.parse_code(options["period"]))[2]
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            selected = list(active.filter(period__code=code))
        else:
            # An older scheme would judge stale periods and reopen what a later period has already settled.
            latest: dict[int, AssessmentScheme] = {}
            for scheme in active.order_by("-period__end"):
                latest.setdefault(scheme.plan_id, scheme)
            selected = list(latest.values())
        if not selected:
            raise CommandError("没有符合条件的进行中考核方案。")
        for scheme in selected:
            report = run_escalation(user=None, scheme=scheme)
            self.stdout.write(f"{scheme.title}：新发督办{len(report.opened)}件，自动办结{len(report.closed)}件。")
