"""``audit_verify``: walk the audit chain; exit status 1 when it is broken."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhili.audit.selectors import audit_verify


class Command(BaseCommand):
    help = "校验审计日志的哈希链：发现被修改或删除的记录时以状态 1 退出。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="每批读取的记录数（默认 5000）。"
        )
        parser.add_argument("--progress", action="store_true", help="每批之后显示已校验条数。")

    def handle(self, *args: Any, batch_size: int, progress: bool, **options: Any) -> None:
        def report(checked: int) -> None:
            self.stderr.write(f"已校验 {checked} 条……")

        result = audit_verify(batch_size=batch_size, progress=report if progress else None)
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"注意：{warning}"))
        if result.ok:
            self.stdout.write(self.style.SUCCESS(result.message))
            if result.last_id is not None:
                self.stdout.write(f"最新记录 #{result.last_id}，哈希 {result.last_hash}")
            return
        self.stderr.write(self.style.ERROR(result.message))
        self.stderr.write(f"此前已校验通过 {result.checked} 条记录。")
        sys.exit(1)
