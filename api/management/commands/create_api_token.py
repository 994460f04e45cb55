"""Make an API token from the command line (the operator's, like createsuperuser); the key is printed once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from api import tokens
from api.models import ApiToken
from plans.models import Department


class Command(BaseCommand):
    help = "创建接口令牌（只显示一次，请立即保存）。读写令牌须指定单位，且账号须为该单位的填报员。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="令牌所属账号（用户名）")
        parser.add_argument(
            "--scope", required=True, choices=ApiToken.Scope.values, help="read（只读）或 write（读写）"
        )
        parser.add_argument(
            "--unit", help="单位 id、名称或简称；读写令牌必填，只读令牌为空表示所有单位（仅组织部、领导）"
        )
        parser.add_argument("--days", type=int, default=None, help="有效天数（默认见 API_TOKEN_DEFAULT_DAYS）")
        parser.add_argument("--name", default="", help="用途，如“人社局数据平台”（默认“命令行创建”）")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"账号“{options['user']}”不存在。")
        unit = self._unit(options["unit"]) if options["unit"] else None
        try:
            made = tokens.create_token(
                by=None,
                user=user,
                name=options["name"] or "命令行创建",
                scope=options["scope"],
                unit=unit,
                days=options["days"],
            )
        except tokens.TokenError as exc:
            raise CommandError(" ".join(exc.errors.values())) from None
        token = made.token
        self.stderr.write(
            f"已创建令牌“{token.name}”：账号 {user.get_username()}，"
            f"{token.get_scope_display()}，单位 {token.unit.name if token.unit else '所有单位'}，"
            f"有效至 {token.expires_at:%Y-%m-%d %H:%M}。以下令牌只显示这一次："
        )
        self.stdout.write(made.key)

    @staticmethod
    def _unit(text: str) -> Department:
        text = text.strip()
        if text.isdigit():
            found = list(Department.objects.filter(pk=int(text)))
        else:
            found = list(Department.objects.filter(Q(name=text) | Q(short_name=text)))
        if not found:
            raise CommandError(f"单位“{text}”不存在。")
        if len(found) > 1:
            listed = "、".join(f"{d.pk}（{d.parent.name + ' ' if d.parent else ''}{d.name}）" for d in found)
            raise CommandError(f"名为“{text}”的单位有多个，请用 id 指定：{listed}")
        return found[0]
