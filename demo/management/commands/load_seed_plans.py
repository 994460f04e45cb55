from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.seeding import SEED_DIR, SeedError, load_all


class Command(BaseCommand):
    help = "载入 fixtures/seeds/ 中的五份真实规划（可重复执行，按规划代码就地更新）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=SEED_DIR, help="种子文件目录")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_all(options["dir"])
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已载入规划{len(report.plans)}个（{'、'.join(report.plans)}），指标{report.indicators}项，"
                f"任务{report.tasks}项，原文实际值{report.values}条。"
            )
        )
