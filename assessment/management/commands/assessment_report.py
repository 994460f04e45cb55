from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessment.models import AssessmentScheme
from assessment.selectors import scheme_results
from plans.models import ReportingPeriod


class Command(BaseCommand):
    help = "输出考核结果：总分、名次、组内名次、一票否决与逐项得分说明（--json 为机器可读格式，小数为字符串）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", required=True, help="规划代码，如 wujiang-town-3yr")
        parser.add_argument("--period", required=True, help="考核周期代码，如 2014H1、2013Y")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            kind, year, index = ReportingPeriod.parse_code(options["period"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        code = ReportingPeriod.bounds(kind, year, index)[2]
        scheme = (
            AssessmentScheme.objects.select_related("plan", "period")
            .filter(plan__code=options["plan"], period__code=code)
            .first()
        )
        if scheme is None:
            raise CommandError(f"规划“{options['plan']}”没有 {code} 的考核方案。")
        result = scheme_results(scheme)
        payload = [
            {
                "unit": row.unit.name,
                "group": row.group,
                "score": str(row.score),
                "rank": row.rank,
                "group_rank": row.group_rank,
                "vetoed": row.vetoed,
                "items": [
                    {
                        "name": line.name,
                        "kind": line.kind.value,
                        "points": str(line.points),
                        "max": str(line.max),
                        "explanation": line.explanation,
                    }
                    for line in row.lines
                ],
            }
            for row in result.rows
        ]
        if options["json"]:
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{scheme.title}（{scheme.plan.code} {code}）")
        for row in payload:
            veto = "  一票否决" if row["vetoed"] else ""
            self.stdout.write(
                f"  {row['rank']:>2}. {row['unit']}（{row['group']}第{row['group_rank']}名）{row['score']}分{veto}"
            )
