"""python manage.py import_actuals FILE.xlsx --user USERNAME [--dry-run] [--submit]

The same path as the web upload: every row through services.save_values (permissions, period state, validation,
history), all or nothing. Exit status 1 with the list of problems when anything is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from excel.importer import run_import
from sheets.reader import max_bytes


class Command(BaseCommand):
    help = "从填报模板导入实际值（全部成功或全部不写入）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="填好的实际值填报模板（.xlsx）")
        parser.add_argument("--user", required=True, help="以该用户身份导入（须为填报员且属于相应单位）")
        parser.add_argument("--dry-run", action="store_true", help="只预览，不写入")
        parser.add_argument("--submit", action="store_true", help="导入后直接报送（默认保存为草稿）")
        parser.add_argument(
            "--confirm",
            action="store_true",
            help="确认预览中的疑问：有说明无实际值的行不导入，未填数据口径的按“预计”导入，疑似累计数确为本期新增",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件 {path} 不存在。")
        if path.stat().st_size > max_bytes():
            raise CommandError(
                f"文件大小 {path.stat().st_size / 1048576:.1f} MB 超过导入上限 {max_bytes() / 1048576:.1f} MB。"
            )
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"用户“{options['user']}”不存在。")
        preview = run_import(
            user=user,
            data=path.read_bytes(),
            filename=path.name,
            apply=not options["dry_run"],
            submit=options["submit"],
            confirmed=options["confirm"],
            answered=options["confirm"],
        )
        if preview.issues:
            for issue in preview.issues[:500]:
                self.stderr.write(issue.text)
            if len(preview.issues) > 500:
                self.stderr.write(f"……另有 {len(preview.issues) - 500} 个问题未列出。")
            raise CommandError(f"发现 {len(preview.issues)} 个问题，未写入任何数据。")
        asked = [*preview.questions, *preview.confirmations]
        for issue in asked:
            self.stdout.write(f"需确认：{issue.text}")
        if preview.waiting and not options["dry_run"]:
            raise CommandError(f"有 {len(asked)} 行需要确认，未写入任何数据；核对后加 --confirm 再导入，或更正文件。")
        counts = preview.counts
        verb = "预览（未写入）" if options["dry_run"] else "已导入"
        timing = "，".join(f"{k} {v:.2f}s" for k, v in preview.timings.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb}：新增 {counts['create']} 项，修改 {counts['update']} 项，未变 {counts['unchanged']} 项，"
                f"未填写跳过 {preview.blank_rows} 行。（{timing}）"
            )
        )
