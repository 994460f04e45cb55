from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from indicators.evaluation.calendar import Calendar
from indicators.evaluation.explain import display_for, explain, status_label
from indicators.evaluation.rollups import rollup_json
from indicators.evaluation.selectors import plan_results, plans_queryset, viewed_label
from indicators.formatting import dec_str
from plans.models import ReportingPeriod, Role

_s = dec_str


class Command(BaseCommand):
    help = "输出规划、指标评估结果与任务（--json 为机器可读格式）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        parser.add_argument("--plan", help="规划代码（默认全部）")
        parser.add_argument("--period", help="周期代码，如 2025Q4（默认为最近已截止的周期）")
        parser.add_argument(
            "--units", action="store_true", help="每个指标另列汇总（rollup：汇总方式、汇总值、计入与缺报单位）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        calendar = Calendar.load()
        self.with_rollup = bool(options.get("units"))
        period = self._period(options["period"], calendar)
        as_of = period.end if period is not None else timezone.localdate()
        period_code = period.code if period is not None else None
        plans = plans_queryset([options["plan"]] if options["plan"] else None)
        if options["plan"] and not plans.exists():
            codes = ", ".join(plans_queryset().values_list("code", flat=True))
            raise CommandError(f"规划代码“{options['plan']}”不存在。可用代码：{codes}")
        results = plan_results(plans, as_of=as_of, tasks=True, calendar=calendar)
        payload = []
        for result in results:
            self.viewed = viewed_label(str(period.label), as_of, result.plan) if period is not None else ""
            payload.append(self._plan(result, period_code, as_of))
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

    @staticmethod
    def _period(code: str | None, calendar: Calendar) -> ReportingPeriod | None:
        if not code:
            return calendar.default_period()
        try:
            kind, year, index = ReportingPeriod.parse_code(code)
            ReportingPeriod.bounds(kind, year, index)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        period = next((p for p in calendar.periods if (p.kind, p.year, p.index) == (kind, year, index)), None)
        if period is None:
            known = "、".join(p.code for p in calendar.periods[:12])
            raise CommandError(f"周期“{code}”尚未建立，可用周期（最近12个）：{known or '无'}。")
        return period

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
            "phase": result.phase.value,
            "provisional": result.provisional,
            "verdicts_as_of": result.stored_as_of.isoformat() if result.stored_as_of else None,
            "recalculating": result.recalculation is not None,
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
        ind = row.indicator
        display = display_for(ind)
        return {
            "id": ind.pk,
            "group": ind.group,
            "number": ind.number,
            "name": ind.name,
            "unit": ind.unit,
            "figure_unit": ind.figure_unit,
            "kind": ind.kind,
            "comparison": ind.comparison,
            "baseline_year": ind.baseline_year,
            "baseline": _s(ind.baseline),
            "target_year": ind.target_year,
            "target": _s(ind.target),
            "target_upper": _s(ind.target_upper),
            "basis": ind.reporting_basis,
            "basis_label": ind.basis_label,
            **self._verdict(row.evaluation, row.basis, display),
            "lead": row.lead,
            "responsible": row.responsible,
            "cooperating": row.cooperating,
            "per_unit": ind.per_unit,
            "units": [
                {"unit_id": u.department.pk, "unit": u.department.name, **self._verdict(u.evaluation, u.basis, display)}
                for u in row.units
            ],
            "source": ind.source,
            **({"rollup": self._rollup(row.evaluation)} if self.with_rollup else {}),
        }

    @staticmethod
    def _rollup(ev: Any) -> dict[str, Any] | None:
        """The line's roll-up across its units (method, value, units counted and missing); None where it has none."""
        return rollup_json(ev.outcome().evaluation if hasattr(ev, "outcome") else ev)

    def _verdict(self, ev: Any, figure_basis: str, display: Any) -> dict[str, Any]:
        """An indicator's line or one unit's under a per-unit indicator: the same fields, the same sentence."""
        gap_to_expected = _s(ev.gap_to_expected)
        return {
            "target_judged": _s(ev.target),
            "actual": _s(ev.actual),
            "actual_period": ev.actual_label or None,
            "stale": bool(ev.stale),
            "figure_basis": figure_basis or None,
            "provisional": bool(ev.provisional),
            "final": bool(ev.final),
            "completion": _s(ev.completion),
            "expected": _s(ev.expected),
            "expected_progress": _s(ev.expected_progress),
            "progress": _s(ev.progress),
            "gap": gap_to_expected,
            "gap_to_expected": gap_to_expected,
            "gap_to_target": _s(ev.gap_to_target),
            "growth_rate": _s(ev.growth_rate),
            "status": ev.status.value,
            "status_label": status_label(ev.status),
            "reasons": [r.code for r in ev.reasons],
            "explanation": explain(ev, display, viewed=self.viewed),
        }
