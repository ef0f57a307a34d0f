"""zhili catalogue_export --format xlsx|json -o FILE [--department CODE]."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhili.catalogue.imports import export_items
from zhili.catalogue.io_excel import export_workbook
from zhili.catalogue.io_json import export_json
from zhili.divisions.models import Department


class Command(BaseCommand):
    help = "导出已发布的事项目录（Excel 模板格式或 JSON）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["xlsx", "json"], help="默认按文件后缀判断")
        parser.add_argument(
            "-o", "--output", required=True, help="输出文件；JSON 可用 - 输出到屏幕"
        )
        parser.add_argument(
            "--department", action="append", metavar="CODE", help="只导出该部门的事项，可重复"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output: str = options["output"]
        fmt = options["format"] or ("json" if output.endswith(".json") or output == "-" else "xlsx")
        codes = options["department"]
        if codes:
            known = set(Department.objects.filter(code__in=codes).values_list("code", flat=True))
            missing = [c for c in codes if c not in known]
            if missing:
                raise CommandError(f"部门编码不存在：{'、'.join(missing)}")
        items = list(export_items(department_codes=codes))
        if fmt == "json":
            text = export_json(items)
            if output == "-":
                self.stdout.write(text, ending="")
                return
            Path(output).write_text(text, encoding="utf-8")
        else:
            if output == "-":
                raise CommandError("Excel 不能输出到屏幕，请用 -o 指定文件")
            Path(output).write_bytes(export_workbook(items))
        self.stderr.write(f"已导出{len(items)}个事项到 {output}")
