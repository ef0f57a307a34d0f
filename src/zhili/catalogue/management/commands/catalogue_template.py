"""zhili catalogue_template -o FILE: the empty Excel template departments fill in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhili.catalogue.io_excel import template_markdown, template_workbook


class Command(BaseCommand):
    help = "生成空白的事项目录 Excel 模板（含下拉选项和“说明”表）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", help="输出的 .xlsx 文件")
        parser.add_argument(
            "--markdown",
            action="store_true",
            help="改为输出各列说明（Markdown），即 docs/catalogue-template.md 的列说明部分",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["markdown"]:
            self.stdout.write(template_markdown(), ending="")
            return
        if not options["output"]:
            raise CommandError("请用 -o 指定输出文件，如 -o 事项目录模板.xlsx")
        Path(options["output"]).write_bytes(template_workbook())
        self.stderr.write(f"模板已写入 {options['output']}")
