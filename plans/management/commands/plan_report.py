from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from indicators.formatting import dec_str
from indicators.selectors import evaluate_plans, plans_queryset
from plans.models import ReportingPeriod, Role


_s = dec_str


class Command(BaseCommand):
    help = "输出规划、指标评估结果与任务（--json 为机器可读格式）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        parser.add_argument("--plan", help="规划代码（默认全部）")
        parser.add_argument("--period", help="周期代码，如 2025Q4（默认今天）")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = timezone.localdate()
        period_code = None
        if options["period"]:
            try:
                kind, year, index = ReportingPeriod.parse_code(options["period"])
                _, as_of, period_code = ReportingPeriod.bounds(kind, year, index)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
        plans = plans_queryset([options["plan"]] if options["plan"] else None)
        if options["plan"] and not plans.exists():
            raise CommandError(f"规划代码“{options['plan']}”不存在。可用代码：{', '.join(plans_queryset().values_list('code', flat=True))}")
        results = evaluate_plans(plans, as_of=as_of)
        payload = [self._plan(r, period_code, as_of) for r in results]
        if options["json"]:
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        for plan in payload:
            self.stdout.write(f"{plan['code']}  {plan['title']}  {plan['start_year']}–{plan['end_year']}")
            for row in plan["indicators"]:
                self.stdout.write(
                    f"  {row['number'] or '-':>3} {row['name']}：目标{row['target'] or '——'}{row['unit']}，"
                    f"实际{row['actual'] or '—'}，{row['status_label']}"
                )

    def _plan(self, result: Any, period_code: str | None, as_of: dt.date) -> dict[str, Any]:
        plan = result.plan
        return {
            "code": plan.code,
            "title": plan.title,
            "doc_number": plan.doc_number,
            "issuer": plan.issuer.name,
            "start_year": plan.start_year,
            "end_year": plan.end_year,
            "as_of": as_of.isoformat(),
            "period": period_code,
            "indicators": [self._indicator(r) for r in result.indicators],
            "tasks": [
                {
                    "number": t.number,
                    "text": t.text,
                    "lead": t.names_for(Role.LEAD),
                    "responsible": t.names_for(Role.RESPONSIBLE),
                    "cooperating": t.names_for(Role.COOPERATING),
                    "lead_inferred": t.lead_inferred,
                    "status": None,
                }
                for t in result.tasks
            ],
        }

    def _indicator(self, row: Any) -> dict[str, Any]:
        ind, ev = row.indicator, row.evaluation
        return {
            "group": ind.group,
            "number": ind.number,
            "name": ind.name,
            "unit": ind.unit,
            "kind": ind.kind,
            "comparison": ind.comparison,
            "baseline_year": ind.baseline_year,
            "baseline": _s(ind.baseline),
            "target_year": ind.target_year,
            "target": _s(ind.target),
            "target_upper": _s(ind.target_upper),
            "actual": _s(ev.actual),
            "actual_period": ev.actual_label or None,
            "basis": row.basis or None,
            "completion": _s(ev.completion),
            "expected": _s(ev.expected),
            "progress": _s(ev.progress),
            "gap": _s(ev.gap),
            "status": ev.status.value,
            "status_label": ev.label,
            "explanation": ev.explanation,
            "lead": row.lead,
            "responsible": row.responsible,
            "per_unit": ind.per_unit,
            "source": ind.source,
        }
