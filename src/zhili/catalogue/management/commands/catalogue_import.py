"""zhili catalogue_import FILE [--publish] [--as USERNAME]."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhili.accounts.models import User
from zhili.catalogue.imports import import_upload


class Command(BaseCommand):
    help = (
        "导入事项目录（.xlsx 模板或 .json）。整个文件校验通过才写入，否则列出每个问题、"
        "不作任何修改并以非零状态退出。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=".xlsx 或 .json 文件")
        parser.add_argument("--publish", action="store_true", help="导入后立即发布为新版本")
        parser.add_argument(
            "--as",
            dest="username",
            help="以该用户身份导入（检查其维护权限、记为版本作者）；不写则以系统身份导入",
        )
        parser.add_argument("--note", default="", help="修订说明")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取 {path}：{exc.strerror}") from exc
        actor = None
        if options["username"]:
            actor = User.objects.filter(username=options["username"]).first()
            if actor is None:
                raise CommandError(f"用户“{options['username']}”不存在")
        report = import_upload(
            data=data,
            filename=path.name,
            actor=actor,
            publish=options["publish"],
            note=options["note"],
        )
        for problem in report.problems:
            self.stderr.write(f"错误  {problem}")
        for warning in report.warnings:
            self.stderr.write(f"提示  {warning}")
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
