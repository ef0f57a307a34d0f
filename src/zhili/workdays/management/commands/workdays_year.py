"""zhili workdays_year YEAR --file NOTICE --source TEXT | zhili workdays_year --status."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import chinese_calendar
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zhili.workdays import calendar, selectors, services
from zhili.workdays.services import NoticeError


class Command(BaseCommand):
    help = (
        "按国务院办公厅通知录入某年的法定节假日和调休上班日（替换该年原有录入），"
        "或用 --status 查看各年份是否已覆盖。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", nargs="?", type=int, help="年份，如 2027")
        parser.add_argument(
            "--file",
            help="通知内容，每行一项，如“2027-10-01~2027-10-07 国庆节 休”“2027-09-26 国庆节调休 班”；- 为标准输入",
        )
        parser.add_argument("--source", help="依据（通知文号），如“国办发明电〔2026〕X号”")
        parser.add_argument("--status", action="store_true", help="列出各年份的覆盖情况")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["status"]:
            self._status()
            return
        year, file, source = options["year"], options["file"], options["source"]
        if year is None or not file or not source:
            raise CommandError("需要年份、--file 和 --source；或用 --status 查看覆盖情况")
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取 {file}：{exc}") from exc
        try:
            days = services.parse_notice(text, year)
            entered = services.calendar_year_enter(year=year, days=days, source=source, actor=None)
        except NoticeError as exc:
            raise CommandError(
                f"{file} 有 {len(exc.problems)} 处问题，未作任何修改：\n{exc}"
            ) from exc
        holidays = sum(1 for _, working, _ in days if not working)
        self.stdout.write(
            f"已录入{entered.year}年（{entered.source}）：放假{holidays}天，"
            f"调休上班{len(days) - holidays}天。"
        )

    def _status(self) -> None:
        library = calendar.library_years()
        self.stdout.write(
            f"chinesecalendar {chinese_calendar.__version__}：{min(library)}–{max(library)}年"
        )
        this_year = timezone.localdate().year
        for y in selectors.year_overview(min(library), this_year + 2):
            line = f"{y.year}  {y.label}"
            if y.entered is not None:
                line += f"  {y.entered.source}  放假{y.holidays}天 调休上班{y.working}天"
            elif y.holidays or y.working:
                line += f"  另有修正：放假{y.holidays}天 调休上班{y.working}天"
            self.stdout.write(line)
