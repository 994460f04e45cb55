from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from demo.assessment import PLAN_CODE, load_demo_assessment
from plans.models import Plan


class Command(BaseCommand):
    help = "载入“人才强镇”演示考核（2013年度、2014年上半年；均标注“演示数据”，可重复执行）。需先执行 load_demo_data。"

    def handle(self, *args: Any, **options: Any) -> None:
        if not Plan.objects.filter(code=PLAN_CODE).exists():
            raise CommandError("请先执行 python manage.py load_seed_plans 与 load_demo_data。")
        try:
            counts = load_demo_assessment()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"演示考核已就绪（演示数据）：新建考核方案{counts['schemes']}个，新发督办{counts['notices_opened']}件，"
                f"自动办结{counts['notices_closed']}件。"
            )
        )
        self.stdout.write("查看：http://127.0.0.1:8000/assessment/")
