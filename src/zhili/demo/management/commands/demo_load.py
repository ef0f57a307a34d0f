from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhili.demo.load import demo_load


class Command(BaseCommand):
    help = "Load the demo county 清溪县 (载入示范县); does nothing when it is already loaded."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="load even though the database already holds other divisions",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = demo_load(force=options["force"])
        if options["verbosity"] == 0:
            return
        if not result["created"]:
            self.stdout.write(f"{result['message']} (demo county not loaded: nothing to do)")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{result['message']} (demo county loaded in {result['seconds']} s): "
                f"{result['towns']} 乡镇街道 towns, {result['villages']} 村社区 villages, "
                f"{result['departments']} 部门 departments, {result['service_points']} 服务网点 "
                f"service points, {result['themes']} 主题 themes, {result['items']} 事项 items, "
                f"{result['bundles']} 一件事 bundles, {result['users']} 用户 users, "
                f"{result['cases']} 办件 cases ({result['concluded']} concluded, "
                f"{result['late']} late), {result['ratings']} 评价 ratings, "
                f"{result['datasets']} 数据集 datasets, {result['indicators']} 指标 indicators"
            )
        )
