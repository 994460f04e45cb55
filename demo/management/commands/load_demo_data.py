from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from demo.plans import DEMO_USERS, load_demo
from plans.models import Plan


class Command(BaseCommand):
    help = "载入演示账号与演示数据（均标注“演示数据”，可重复执行）。需先执行 load_seed_plans。"

    def handle(self, *args: Any, **options: Any) -> None:
        if not Plan.objects.filter(code__in=["wuxing-14th", "wujiang-town-3yr"]).count() == 2:
            raise CommandError("请先执行 python manage.py load_seed_plans 载入种子规划。")
        counts = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据已就绪：新增演示实际值{counts['values']}条，任务进展{counts['progress']}条，演示镇{counts['towns']}个。"
            )
        )
        self.stdout.write("演示账号（仅限本地演示）：")
        for demo in DEMO_USERS:
            self.stdout.write(
                f"  {demo.username:<14} 密码 {demo.password:<18} {demo.role}  {' / '.join(demo.unit_path) or '—'}"
            )
        self.stdout.write("访问 http://127.0.0.1:8000/ 登录。")
