"""管理员 enters a year's holiday notice; 张伟 the clerk may not."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from zhili.accounts.models import User
from zhili.workdays.calendar import is_working_day, library_days
from zhili.workdays.models import CalendarYear, DayOverride
from zhili.workdays.selectors import year_days
from zhili.workdays.services import (
    NoticeError,
    calendar_year_enter,
    format_notice,
    parse_notice,
)

D = date.fromisoformat


def test_it_reads_a_notice(notice_2027: str) -> None:
    days = parse_notice(notice_2027, 2027)
    assert days[0] == (D("2027-01-01"), False, "元旦")
    assert (D("2027-09-26"), True, "国庆节调休") in days
    assert [d for d, working, _ in days if not working][1:] == [
        date(2027, 10, i) for i in range(1, 8)
    ]
    assert len(days) == 10


def test_it_reads_full_width_text_and_spaced_ranges() -> None:
    text = "２０２７－１０－０１ ～ ２０２７－１０－０３　国庆节　放假\n2027/9/26 国庆节调休 上班\n"
    assert parse_notice(text, 2027) == [
        (D("2027-09-26"), True, "国庆节调休"),
        (D("2027-10-01"), False, "国庆节"),
        (D("2027-10-02"), False, "国庆节"),
        (D("2027-10-03"), False, "国庆节"),
    ]


def test_it_lists_every_problem_with_its_line() -> None:
    text = "\n".join(
        [
            "# 2027年",  # 1: a comment
            "2027-10-01~2027-10-07 国庆节 休",  # 2
            "2027-13-01 国庆节 休",  # 3
            "2026-12-31 元旦 休",  # 4
            "2027-10-05 国庆节 假",  # 5
            "2027-10-09 班",  # 6
            "2027-10-07~2027-10-01 国庆节 休",  # 7
            "十月一日 国庆节 休",  # 8
            "2027-10-06~2027-10-08 国庆节 休",  # 9
        ]
    )
    with pytest.raises(NoticeError) as caught:
        parse_notice(text, 2027)
    assert [str(p) for p in caught.value.problems] == [
        "第3行：日期“2027-13-01”无效",
        "第4行：日期“2026-12-31”不在2027年内；跨年的日期请在其所属年份录入",
        "第5行：行末应为“休”或“班”，而不是“假”",
        "第6行：缺少名称，如“国庆节”或“国庆节调休”",
        "第7行：结束日期“2027-10-01”早于开始日期“2027-10-07”",
        "第8行：无法识别“十月一日 国庆节 休”，应为“2027-10-01~2027-10-07 国庆节 休”"
        "或“2027-09-26 国庆节调休 班”",
        "第9行：2027-10-06、2027-10-07已在第2行出现",
    ]
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith("第3行：日期“2027-13-01”无效\n第4行")


def test_it_refuses_an_empty_notice() -> None:
    with pytest.raises(NoticeError, match="没有任何日期"):
        parse_notice("# 只有注释\n\n", 2027)


def test_it_writes_a_notice_it_can_read_back() -> None:
    days = library_days(2026)
    text = format_notice(days)
    assert "2026-02-15~2026-02-23 春节 休\n" in text
    assert "2026-02-14 春节调休上班 班\n" in text
    assert "2026-09-20 国庆节调休上班 班\n" in text
    assert parse_notice(text, 2026) == days


def test_it_enters_a_year_for_the_admin(county: Any, notice_2027: str) -> None:
    entered = calendar_year_enter(
        year=2027,
        days=parse_notice(notice_2027, 2027),
        source=" 国办发明电〔2026〕X号 ",
        actor=county.admin,
    )
    assert (entered.year, entered.source, entered.entered_by) == (
        2027,
        "国办发明电〔2026〕X号",
        county.admin,
    )
    assert DayOverride.objects.filter(year=2027).count() == 10
    assert year_days(2027) == parse_notice(notice_2027, 2027)


def test_it_replaces_the_days_of_a_year_entered_again(county: Any, notice_2027: str) -> None:
    calendar_year_enter(
        year=2027, days=parse_notice(notice_2027, 2027), source="第一次", actor=county.admin
    )
    assert not is_working_day(D("2027-10-04"))
    calendar_year_enter(
        year=2027,
        days=[(D("2027-10-01"), False, "国庆节")],
        source="更正",
        actor=county.admin,
    )
    assert list(DayOverride.objects.values_list("date", flat=True)) == [D("2027-10-01")]
    assert CalendarYear.objects.get().source == "更正"
    assert is_working_day(D("2027-10-04"))


def test_it_lets_a_superuser_and_the_command_line_enter(db: Any) -> None:
    root = User.objects.create_superuser("root", password="pw-root")
    days = [(D("2027-10-01"), False, "国庆节")]
    assert calendar_year_enter(year=2027, days=days, source="x", actor=root).entered_by == root
    assert calendar_year_enter(year=2028, days=[(D("2028-10-02"), False, "国庆节")],
                               source="x", actor=None).entered_by is None  # fmt: skip


def test_it_refuses_the_clerk(county: Any, notice_2027: str) -> None:
    with pytest.raises(PermissionDenied):
        calendar_year_enter(
            year=2027,
            days=parse_notice(notice_2027, 2027),
            source="x",
            actor=county.zhangwei,
        )
    assert not CalendarYear.objects.exists() and not DayOverride.objects.exists()


def test_it_refuses_days_outside_the_year_and_other_slips(county: Any) -> None:
    with pytest.raises(NoticeError) as caught:
        calendar_year_enter(
            year=2027,
            days=[
                (D("2026-12-31"), False, "元旦"),
                (D("2027-10-01"), False, "国庆节"),
                (D("2027-10-01"), False, "国庆节"),
                (D("2027-10-02"), False, " "),
            ],
            source="",
            actor=county.admin,
        )
    assert [str(p) for p in caught.value.problems] == [
        "请填写依据，如“国办发明电〔2026〕X号”",
        "2026-12-31不在2027年内",
        "2027-10-01重复",
        "2027-10-02缺少名称",
    ]
    assert not CalendarYear.objects.exists()


def test_it_refuses_a_year_without_a_holiday(county: Any) -> None:
    for days in ([], [(D("2027-09-26"), True, "国庆节调休")]):
        with pytest.raises(NoticeError, match="没有任何放假日期"):
            calendar_year_enter(year=2027, days=days, source="x", actor=county.admin)
    with pytest.raises(NoticeError, match="年份应在2000至2099之间"):
        calendar_year_enter(year=1999, days=[], source="x", actor=county.admin)
