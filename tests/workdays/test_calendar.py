"""Working days and deadlines on the official calendar.

The 2025 and 2026 dates are those of the State Council's holiday notices for
those years, as chinesecalendar 1.11 ships them.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from typing import Any

import chinese_calendar
import pytest
from django.utils import timezone

from zhili.workdays import calendar
from zhili.workdays.calendar import (
    CalendarNotCovered,
    Source,
    WorkCalendar,
    add_working_days,
    current_calendar,
    is_working_day,
    working_days_between,
)
from zhili.workdays.models import DayOverride
from zhili.workdays.services import calendar_year_enter, parse_notice

pytestmark = pytest.mark.django_db

D = date.fromisoformat
UNCOVERED = max(calendar.library_years()) + 1  # 2027 with chinesecalendar 1.11


def days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def test_it_knows_which_years_chinesecalendar_covers() -> None:
    assert calendar.library_years() == frozenset(range(2004, 2027))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(UNCOVERED, 1, 4))


def test_it_rests_on_the_2026_spring_festival_and_works_its_make_up_saturdays() -> None:
    # 春节：2月15日至23日放假调休，共9天；2月14日（周六）、2月28日（周六）上班。
    for d in (D("2026-02-16"), D("2026-02-20"), D("2026-02-23")):  # weekdays off
        assert d.weekday() < 5 and not is_working_day(d)
    for d in (D("2026-02-14"), D("2026-02-28")):
        assert d.weekday() == 5 and is_working_day(d)
    assert is_working_day(D("2026-02-13")) and is_working_day(D("2026-02-24"))
    assert not is_working_day(D("2026-02-21"))  # a Saturday that is not made up


def test_it_rests_on_the_2025_spring_festival_and_works_its_make_up_days() -> None:
    # 春节：1月28日至2月4日放假调休，共8天；1月26日（周日）、2月8日（周六）上班。
    assert is_working_day(D("2025-01-26")) and is_working_day(D("2025-02-08"))
    assert not any(is_working_day(D("2025-01-28") + timedelta(days=i)) for i in range(8))
    assert add_working_days(D("2025-01-27"), 1) == D("2025-02-05")


def test_it_does_not_count_the_start_day() -> None:
    # 民法典 第201条: the period starts on the next day.
    monday = D("2026-03-02")
    assert add_working_days(monday, 1) == D("2026-03-03")
    assert add_working_days(monday, 0) == monday
    assert working_days_between(monday, monday) == 0
    assert working_days_between(monday, D("2026-03-03")) == 1
    assert working_days_between(D("2026-03-06"), monday) == 0  # end before start


def test_it_counts_a_licence_deadline_across_mid_autumn_and_national_day_2026() -> None:
    # Accepted Friday 18 September 2026; 行政许可法 第42条: decided within 20 working days.
    # Working: 9/20 (Sunday, 调休), 9/21–24, 9/28–30, 10/8–9, 10/10 (Saturday, 调休), 10/12–16, 10/19–22.
    accepted = D("2026-09-18")
    assert add_working_days(accepted, 1) == D("2026-09-20")
    assert add_working_days(accepted, 20) == D("2026-10-22")
    assert working_days_between(accepted, D("2026-10-22")) == 20
    assert working_days_between(D("2025-09-26"), D("2025-10-12")) == 6  # 2025's 8-day holiday


def test_it_lands_on_a_make_up_sunday_across_the_new_year() -> None:
    # 2026 元旦：1月1日至3日放假，1月4日（周日）上班。
    assert add_working_days(D("2025-12-31"), 1) == D("2026-01-04")
    assert working_days_between(D("2025-12-30"), D("2026-01-05")) == 3


def test_it_counts_backwards_for_negative_n() -> None:
    assert add_working_days(D("2026-02-24"), -1) == D("2026-02-14")
    assert add_working_days(D("2026-02-22"), -1) == D("2026-02-14")
    assert add_working_days(D("2026-03-02"), -1) == D("2026-02-28")  # the make-up Saturday
    assert add_working_days(D("2026-03-02"), -2) == D("2026-02-27")


def test_it_refuses_a_year_nobody_entered() -> None:
    with pytest.raises(CalendarNotCovered) as caught:
        is_working_day(date(UNCOVERED, 1, 4))
    assert caught.value.year == UNCOVERED
    assert str(caught.value) == (
        f"{UNCOVERED}年的法定节假日安排尚未录入，请系统管理员按国务院办公厅通知录入后再计算时限。"
    )
    with pytest.raises(CalendarNotCovered):
        add_working_days(date(UNCOVERED, 3, 1), 1)
    with pytest.raises(CalendarNotCovered):
        is_working_day(date(2003, 12, 31))


def test_it_refuses_a_deadline_that_runs_into_a_year_nobody_entered() -> None:
    assert add_working_days(D("2026-12-30"), 1) == D("2026-12-31")
    with pytest.raises(CalendarNotCovered) as caught:
        add_working_days(D("2026-12-30"), 2)
    assert caught.value.year == UNCOVERED
    with pytest.raises(CalendarNotCovered):
        working_days_between(D("2026-12-01"), D("2027-01-04"))


def test_it_counts_an_entered_year(notice_2027: str) -> None:
    calendar_year_enter(
        year=2027, days=parse_notice(notice_2027, 2027), source="测试通知", actor=None
    )
    assert add_working_days(D("2026-12-30"), 2) == D("2027-01-04")  # 1 January off
    assert is_working_day(D("2027-01-04"))  # a plain Monday
    assert not is_working_day(D("2027-01-09"))  # a plain Saturday
    assert is_working_day(D("2027-09-26")) and is_working_day(D("2027-10-09"))  # 调休
    assert not is_working_day(D("2027-10-04"))  # a Monday of 国庆节
    assert add_working_days(D("2027-09-30"), 1) == D("2027-10-08")
    with pytest.raises(CalendarNotCovered) as caught:
        add_working_days(D("2027-12-30"), 3)
    assert caught.value.year == 2028


def test_it_takes_an_entered_year_as_the_whole_truth_even_where_chinesecalendar_knows_it() -> None:
    calendar_year_enter(
        year=2026,
        days=[(D("2026-10-01"), False, "国庆节")],
        source="测试",
        actor=None,
    )
    assert is_working_day(D("2026-02-16"))  # chinesecalendar's 春节 no longer applies
    assert not is_working_day(D("2026-02-14"))  # nor its make-up Saturday
    assert current_calendar().sources[2026] is Source.ADMIN


def test_it_lets_overrides_win_over_chinesecalendar() -> None:
    DayOverride.objects.create(date=D("2026-06-01"), is_working=False, name="测试放假")
    DayOverride.objects.create(date=D("2026-06-06"), is_working=True, name="测试上班")
    DayOverride.objects.create(date=D("2026-02-16"), is_working=True, name="测试更正")
    assert not is_working_day(D("2026-06-01"))
    assert is_working_day(D("2026-06-06"))
    assert is_working_day(D("2026-02-16"))
    assert add_working_days(D("2026-05-29"), 1) == D("2026-06-02")
    assert DayOverride.objects.get(date=D("2026-06-06")).year == 2026


def test_it_lets_overrides_win_in_an_entered_year(notice_2027: str) -> None:
    calendar_year_enter(year=2027, days=parse_notice(notice_2027, 2027), source="测试", actor=None)
    DayOverride.objects.create(date=D("2027-01-09"), is_working=True, name="补充调休")
    DayOverride.objects.filter(date=D("2027-10-04")).update(is_working=True)
    calendar.invalidate()  # update() sends no signal
    assert is_working_day(D("2027-01-09")) and is_working_day(D("2027-10-04"))


def test_it_does_not_cover_a_year_by_a_stray_override() -> None:
    DayOverride.objects.create(date=date(UNCOVERED, 1, 1), is_working=False, name="元旦")
    with pytest.raises(CalendarNotCovered):
        is_working_day(date(UNCOVERED, 1, 4))


@pytest.mark.parametrize("year", [2025, 2026])
def test_it_agrees_with_chinesecalendar_and_itself_over_a_whole_year(year: int) -> None:
    snapshot = WorkCalendar.from_database(2024, 2027)
    days = days_of(year)
    for d in days:
        assert snapshot.is_working_day(d) == is_working_day(d) == chinese_calendar.is_workday(d), d
    working = [d for d in days if chinese_calendar.is_workday(d)]
    for n in (1, 5, 20):
        starts = [d for d in days if d < date(year, 11, 1)]
        expected = [next_working(d, n) for d in starts]
        assert [snapshot.add(d, n) for d in starts] == expected
        assert [add_working_days(d, n) for d in starts] == expected
        assert snapshot.add_many(starts, [n] * len(starts)) == expected
        assert snapshot.add_many(starts, [-n] * len(starts)) == [
            next_working(d, -n) for d in starts
        ]
    for d in days[:-40]:
        end = d + timedelta(days=40)
        count = sum(1 for w in working if d < w <= end)
        assert snapshot.between(d, end) == working_days_between(d, end) == count


def next_working(d: date, n: int) -> date:
    """The plain way: step a day at a time, asking chinesecalendar."""
    step = timedelta(days=1 if n > 0 else -1)
    left = abs(n)
    while left:
        d += step
        left -= chinese_calendar.is_workday(d)
    return d


def test_it_refuses_beyond_the_span_a_snapshot_was_built_for() -> None:
    snapshot = WorkCalendar.from_database(2025, 2025)
    assert snapshot.add(D("2025-12-30"), 1) == D("2025-12-31")
    with pytest.raises(CalendarNotCovered) as caught:
        snapshot.add(D("2025-12-30"), 2)
    assert caught.value.year == 2026
    with pytest.raises(CalendarNotCovered) as caught:
        snapshot.add(D("2025-01-02"), -2)
    assert caught.value.year == 2024
    with pytest.raises(CalendarNotCovered):
        snapshot.add_many([D("2025-06-02"), D("2025-12-30")], [1, 2])


def test_it_refuses_across_a_gap_between_covered_years() -> None:
    snapshot = WorkCalendar(sources={2030: Source.ADMIN, 2032: Source.ADMIN}, overrides={})
    assert snapshot.is_working_day(D("2032-01-01"))  # a Thursday, nothing entered
    with pytest.raises(CalendarNotCovered) as caught:
        snapshot.add(D("2030-12-31"), 1)
    assert caught.value.year == 2031
    with pytest.raises(CalendarNotCovered) as caught:
        snapshot.add(D("2032-01-01"), -1)
    assert caught.value.year == 2031
    with pytest.raises(CalendarNotCovered) as caught:
        snapshot.between(D("2030-12-01"), D("2032-01-05"))
    assert caught.value.year == 2031
    with pytest.raises(CalendarNotCovered):
        snapshot.is_working_day(D("2031-06-02"))


def test_it_refuses_a_datetime() -> None:
    with pytest.raises(TypeError):
        is_working_day(datetime(2026, 3, 2, 9, 0))  # type: ignore[arg-type]


def test_it_keeps_one_snapshot_until_the_calendar_changes() -> None:
    first = current_calendar()
    assert current_calendar() is first
    DayOverride.objects.create(date=D("2026-06-01"), is_working=False, name="测试")
    second = current_calendar()
    assert second is not first and not second.is_working_day(D("2026-06-01"))


def test_it_sees_a_change_made_by_another_process(monkeypatch: Any) -> None:
    override = DayOverride.objects.create(date=D("2026-06-01"), is_working=False, name="测试")
    assert not is_working_day(D("2026-06-01"))
    # Another process edits the row: no signal reaches this one.
    DayOverride.objects.filter(pk=override.pk).update(is_working=True, updated_at=timezone.now())
    assert not is_working_day(D("2026-06-01"))  # within REFRESH_SECONDS: not asked yet
    monkeypatch.setattr(calendar, "REFRESH_SECONDS", 0.0)
    assert is_working_day(D("2026-06-01"))
    DayOverride.objects.filter(pk=override.pk).delete()
    assert is_working_day(D("2026-06-01"))  # a plain Monday of 2026 in chinesecalendar


def test_it_adds_a_million_deadlines_in_well_under_a_few_seconds() -> None:
    snapshot = current_calendar()
    first = D("2025-01-01")
    starts = [first + timedelta(days=i % 600) for i in range(1_000_000)]
    ns = [1 + i % 30 for i in range(1_000_000)]
    began = time.perf_counter()
    ends = snapshot.add_many(starts, ns)
    elapsed = time.perf_counter() - began
    assert len(ends) == 1_000_000 and ends[0] == D("2025-01-02")
    assert elapsed < 3.0, elapsed
