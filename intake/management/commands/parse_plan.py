"""`python manage.py parse_plan FILE [--json]`: what the intake reads from a plan document, nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from intake.document import IntakeInputError, read_upload
from intake.draft import PlanDraft, parse_text, to_contract
from intake.units import COOPERATING, LEAD, RESPONSIBLE


class Command(BaseCommand):
    help = (
        "读取规划文件（.txt/.docx/.pdf），打印识别出的章节、任务、承担单位和量化目标；"
        "--json 输出机器可读结果。不写入数据库。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="规划文件路径（.txt、.docx、.pdf）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出（字段见 issue 18 的约定）")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            document = read_upload(path.read_bytes(), path.name)
        except IntakeInputError as exc:
            raise CommandError(str(exc)) from exc
        draft = parse_text(document.text, name=path.name, kind=document.kind)
        if options["json"]:
            self.stdout.write(json.dumps(to_contract(draft), ensure_ascii=False, indent=2))
            return
        self._print(draft)

    def _print(self, draft: PlanDraft) -> None:
        w = self.stdout.write
        w(f"标题：{draft.title or '（未识别）'}")
        w(
            f"文号：{draft.doc_number or '—'}　印发：{draft.issuer or '—'}　日期：{draft.issue_date or '—'}　"
            f"年度：{draft.start_year or '?'}–{draft.end_year or '?'}"
        )
        for where, message in draft.all_warnings():
            w(f"⚠ {where + '：' if where else ''}{message}")
        w(f"\n章节 {len(draft.sections)} 个：")
        for section in draft.sections:
            w(f"{'  ' * section.key.count('.')}{section.number}{section.title}")
        w(f"\n任务 {len(draft.tasks)} 项：")
        for task in draft.tasks:
            roles = "；".join(
                f"{label}：{'、'.join(task.names(role))}"
                for role, label in ((LEAD, "牵头"), (RESPONSIBLE, "责任"), (COOPERATING, "配合"))
                if task.names(role)
            )
            w(f"{task.number or '·'} [{task.section or '—'}] {task.text[:40]}… {roles or '（未列单位）'}")
        w(f"\n量化目标 {len(draft.targets)} 项：")
        for g in draft.targets:
            value = "—" if g.value is None else f"{g.value}{'–' + str(g.value_max) if g.value_max is not None else ''}"
            in_task = draft.task(g.task) if g.task else None
            w(
                f"{g.name[:30]}：{value}{g.unit} {g.comparison} {g.kind} {g.year or ''}"
                f"{' 任务' + (in_task.number if in_task else '') if g.task else ''}"
            )
