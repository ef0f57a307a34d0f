"""``api_token USERNAME``: the API token of a user, created on first use.

The key alone goes to standard output, so scripts can read it:
``TOKEN=$(zhili api_token wangfang)``; clients send ``Authorization: Token <key>``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rest_framework.authtoken.models import Token

from zhili.accounts.models import User
from zhili.audit.services import audit_record


class Command(BaseCommand):
    help = "显示用户的接口令牌（没有则新建）；--reset 换发新令牌，--delete 吊销。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="用户名")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--reset", action="store_true", help="吊销旧令牌并换发新令牌。")
        group.add_argument("--delete", action="store_true", help="吊销令牌，不再换发。")

    def handle(self, *args: Any, username: str, reset: bool, delete: bool, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户名为“{username}”的用户。")
        if not user.is_active:
            raise CommandError(f"用户“{username}”已停用，不能使用接口。")
        with transaction.atomic():
            if delete or reset:
                n, _ = Token.objects.filter(user=user).delete()
                if n:
                    self._audit(user, "api_token.revoke", "吊销接口令牌")
                if delete:
                    self.stderr.write("已吊销。" if n else "该用户没有令牌。")
                    return
            token, created = Token.objects.get_or_create(user=user)
            if created:
                self._audit(user, "api_token.create", "签发接口令牌")
        if created:
            self.stderr.write(f"已为 {user}（{username}）签发新令牌：")
        self.stdout.write(token.key)

    def _audit(self, user: User, action: str, summary: str) -> None:
        audit_record(
            action=action,
            actor=None,
            object_type="user",
            object_id=user.username,
            summary=f"{summary}：{user}",
        )
