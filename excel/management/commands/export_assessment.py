"""python manage.py export_assessment --plan CODE|all --period 2025Q4 --output FILE.xlsx"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from excel.export import write_assessment
from excel.report_data import ReportError, gather_report, plans_for, resolve_period


class Command(BaseCommand):
    help = "导出考核报表（Excel）：封面汇总、指标完成情况、重点任务进展、单位情况。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", required=True, help="规划代码，或 all 表示全部（不含草稿）")
        parser.add_argument("--period", required=True, help="周期代码，如 2025Q4、2025H1、2025Y、2025M03")
        parser.add_argument("--output", required=True, help="输出文件路径（.xlsx）")
        parser.add_argument("--prepared-by", default="", help="制表单位（留空则留下划线供手填）")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        if output.suffix.lower() != ".xlsx":
            raise CommandError("输出文件应以 .xlsx 结尾。")
        if not output.parent.exists():
            raise CommandError(f"目录 {output.parent} 不存在。")
        started = time.perf_counter()
        try:
            plans = plans_for(options["plan"], resolve_period(options["period"]).end)
            report = gather_report(plans, options["period"], prepared_by=options["prepared_by"])
        except ReportError as exc:
            raise CommandError(str(exc)) from exc
        write_assessment(report, output)
        elapsed = time.perf_counter() - started
        indicators = sum(len(s.indicators) for s in report.sections)
        tasks = sum(len(s.tasks) for s in report.sections)
        self.stdout.write(
            self.style.SUCCESS(
                f"已导出 {output}：规划{len(report.sections)}个，指标行{indicators}行，任务{tasks}项，"
                f"单位{len(report.units)}个；{report.period.label}，用时 {elapsed:.2f} 秒。"
            )
        )
