"""Remind units to report: N days before a period's deadline (N per period, default 3) and every day after it while
the period is open. Run it daily (cron or a systemd timer, README). The same reminder never reaches the same person
twice in a day, so a second run sends nothing new.

    python manage.py send_reminders [--dry-run] [--json] [--period 2025Q4] [--today 2025-12-28]
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from reporting.reminders import ReminderPlan, Sent, scheduled_plans, send_plan


class Command(BaseCommand):
    help = "发送填报提醒（临近截止、逾期未报），并向组织部汇总未设置填报员的单位。--dry-run 只列出将提醒谁、为什么。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只列出，不发送。")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出。")
        parser.add_argument("--period", action="append", help="只看这些周期（代码，如 2025Q4）；默认所有填报中的周期。")
        parser.add_argument("--today", help="按这一天计算（YYYY-MM-DD），默认今天。")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"--today 应为 YYYY-MM-DD，而不是 {options['today']!r}") from None
        plans = scheduled_plans(today=today, codes=options["period"])
        totals = Sent()
        if not options["dry_run"]:
            for plan in plans:
                with transaction.atomic():
                    sent = send_plan(plan=plan)
                totals.notifications += sent.notifications
                totals.people += sent.people
                totals.units += sent.units
                totals.repeated += sent.repeated
        if options["json"]:
            self.stdout.write(
                json.dumps(_as_json(plans, today, options["dry_run"], totals), ensure_ascii=False, indent=2)
            )
            return
        for plan in plans:
            self.stdout.write(f"{plan.period.label}（{plan.period.code}）：{plan.reason_text()}")
            for unit in plan.units:
                names = "、".join(r.user.username + ("（今天已提醒）" if r.sent_today else "") for r in unit.recipients)
                self.stdout.write(f"  {unit.department.name}：{unit.outstanding} 项未报送 → {names}")
            if plan.without_reporter:
                self.stdout.write(
                    f"  未设置填报员（{len(plan.without_reporter)} 个单位）："
                    + "、".join(d.name for d in plan.without_reporter)
                )
        if options["dry_run"]:
            self.stdout.write("（演练：未发送任何提醒）")
        else:
            self.stdout.write(
                f"已发送 {totals.notifications} 条提醒（{totals.units} 个单位、{totals.people} 人）；"
                f"{totals.repeated} 条今天已发过，未重复发送。"
            )


def _as_json(plans: list[ReminderPlan], today: dt.date, dry_run: bool, totals: Sent) -> dict[str, Any]:
    return {
        "today": today.isoformat(),
        "dry_run": dry_run,
        "sent": {
            "notifications": totals.notifications,
            "people": totals.people,
            "units": totals.units,
            "repeated": totals.repeated,
        },
        "periods": [
            {
                "period": plan.period.code,
                "label": str(plan.period.label),
                "deadline": plan.period.deadline.isoformat() if plan.period.deadline else None,
                "remind_days": plan.period.remind_days,
                "why": plan.why,
                "why_text": plan.reason_text(),
                "reminds_today": plan.sendable,
                "starts_on": plan.starts_on.isoformat() if plan.starts_on else None,
                "units": [
                    {
                        "unit": unit.department.name,
                        "unit_id": unit.department.pk,
                        "outstanding": unit.outstanding,
                        "missing": unit.missing,
                        "draft": unit.draft,
                        "returned": unit.returned,
                        "title": unit.message.title,
                        "recipients": [
                            {
                                "username": r.user.username,
                                "name": r.user.get_full_name(),
                                "email": r.user.email,
                                "sent_today": r.sent_today,
                            }
                            for r in unit.recipients
                        ],
                    }
                    for unit in plan.units
                ],
                "units_without_reporter": [{"unit": d.name, "unit_id": d.pk} for d in plan.without_reporter],
            }
            for plan in plans
        ],
    }
