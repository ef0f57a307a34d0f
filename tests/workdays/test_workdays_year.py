"""The ``workdays_year`` command: enter a year from a file, or list what is covered."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from zhili.workdays import calendar
from zhili.workdays.models import CalendarYear

pytestmark = pytest.mark.django_db
UNCOVERED = max(calendar.library_years()) + 1


def run(*args: str) -> str:
    out = StringIO()
    call_command("workdays_year", *args, stdout=out)
    return out.getvalue()


def test_it_enters_a_year_from_a_file(tmp_path: Path, notice_2027: str) -> None:
    notice = tmp_path / "2027.txt"
    notice.write_text(notice_2027, encoding="utf-8-sig")  # as Windows Notepad saves it
    out = run("2027", "--file", str(notice), "--source", "国办发明电〔2026〕X号")
    assert out == "已录入2027年（国办发明电〔2026〕X号）：放假8天，调休上班2天。\n"
    entered = CalendarYear.objects.get(year=2027)
    assert entered.entered_by is None
    assert calendar.add_working_days(date(2027, 9, 30), 1) == date(2027, 10, 8)


def test_it_lists_every_problem_and_changes_nothing(tmp_path: Path) -> None:
    notice = tmp_path / "2027.txt"
    notice.write_text("2027-10-01~2027-10-07 国庆节 休\n2027-02-30 春节 休\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        run("2027", "--file", str(notice), "--source", "x")
    assert "有 1 处问题，未作任何修改" in str(caught.value)
    assert "第2行：日期“2027-02-30”无效" in str(caught.value)
    assert not CalendarYear.objects.exists()


def test_it_asks_for_what_it_needs(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="需要年份"):
        run("2027")
    with pytest.raises(CommandError, match="无法读取"):
        run("2027", "--file", str(tmp_path / "missing.txt"), "--source", "x")


def test_it_tells_which_years_are_covered(notice_2027: Any, tmp_path: Path) -> None:
    notice = tmp_path / "2027.txt"
    notice.write_text(notice_2027, encoding="utf-8")
    before = run("--status")
    assert "chinesecalendar 1.11.0：2004–2026年" in before
    assert "2026  chinesecalendar\n" in before
    assert f"{UNCOVERED}  未覆盖\n" in before
    run(str(UNCOVERED), "--file", str(notice), "--source", "测试通知")
    assert f"{UNCOVERED}  管理员录入  测试通知  放假8天 调休上班2天\n" in run("--status")
