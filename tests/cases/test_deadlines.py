"""时限 on the official calendar: 2025's National Day holiday (10月1日至8日放假，
9月28日（周日）、10月11日（周六）上班), the clock stopped for 补正, and the sweep."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from tests.cases.conftest import apply_online
from tests.conftest import County
from zhili.cases import deadlines
from zhili.cases.models import Applicant, Case, Warning
from zhili.catalogue.models import ServiceItem
from zhili.workdays.calendar import CalendarNotCovered


def at(d: date) -> datetime:
    return timezone.make_aware(datetime(d.year, d.month, d.day, 10, 0))


@pytest.fixture
def case(county: County, licence_item: ServiceItem, wangfang: Applicant) -> Case:
    c = apply_online(county, licence_item, wangfang)
    c.promised_days, c.statutory_days = 5, 20
    return c


def test_it_skips_the_holiday_and_counts_the_make_up_saturday(case: Case) -> None:
    deadlines.clock_start(case, today=date(2025, 9, 30))  # accepted on Tuesday, not counted
    # Working days: 10-09, 10-10, 10-11 (调休 Saturday), 10-13, 10-14.
    assert case.due_promised == date(2025, 10, 14)
    assert case.warn_on == date(2025, 10, 13)  # 80% of 5 = 4 working days spent
    assert case.due_statutory == date(2025, 11, 4)


def test_it_stops_the_clock_while_the_applicant_corrects(case: Case) -> None:
    deadlines.clock_start(case, today=date(2025, 9, 30))
    deadlines.clock_stop(case, now=at(date(2025, 10, 10)))
    assert case.days_used == 2  # 10-09 and 10-10
    deadlines.clock_restart(case, today=date(2025, 10, 20))  # resubmitted a week later
    assert case.due_promised == date(2025, 10, 23)  # three days left: 21, 22, 23
    assert case.clock_stopped_at is None


def test_it_refuses_to_guess_a_year_nobody_entered(case: Case) -> None:
    with pytest.raises(CalendarNotCovered) as exc:
        deadlines.clock_start(case, today=date(2031, 3, 3))
    assert "2031" in str(exc.value)


def _running(case: Case, accepted: date) -> Case:
    deadlines.clock_start(case, today=accepted)
    case.status = "in_progress"
    case.save()
    return case


def test_it_sweeps_yellow_then_red_then_past_statutory(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    c = apply_online(county, licence_item, wangfang)
    c.promised_days, c.statutory_days = 5, 6
    _running(c, date(2025, 9, 30))  # yellow 10-13, red 10-14, statutory 10-15
    assert deadlines.sweep(today=date(2025, 10, 10)).yellow == 0
    r = deadlines.sweep(today=date(2025, 10, 13))
    assert (r.yellow, r.red, r.by_department[county.scjg.pk]) == (1, 0, 1)
    assert deadlines.sweep(today=date(2025, 10, 13)).yellow == 0  # nothing new, nobody told twice
    assert deadlines.sweep(today=date(2025, 10, 14)).red == 1
    c.refresh_from_db()
    assert c.warning == Warning.RED and not c.past_statutory
    assert deadlines.sweep(today=date(2025, 10, 16)).past_statutory == 1
    c.refresh_from_db()
    assert c.past_statutory


def test_it_leaves_a_stopped_clock_alone(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    c = apply_online(county, licence_item, wangfang)
    c.promised_days, c.statutory_days = 5, 20
    _running(c, date(2025, 9, 30))
    deadlines.clock_stop(c, now=at(date(2025, 10, 9)))
    c.save()
    r = deadlines.sweep(today=date(2025, 10, 30))
    assert (r.yellow, r.red, r.past_statutory) == (0, 0, 0)


def test_it_counts_days_left_in_working_days(case: Case) -> None:
    deadlines.clock_start(case, today=date(2025, 9, 30))
    case.status = "in_progress"
    assert deadlines.days_left(case, date(2025, 10, 9)) == 4  # 10, 11 (Saturday), 13, 14
    assert deadlines.days_left(case, date(2025, 10, 14)) == 0
    assert deadlines.days_left(case, date(2025, 10, 16)) == -2


def test_it_replans_running_clocks_when_a_holiday_notice_is_entered(
    county: County, licence_item: ServiceItem, wangfang: Applicant
) -> None:
    from zhili.cases.tasks import deadlines_recompute
    from zhili.workdays.services import calendar_year_enter

    c = apply_online(county, licence_item, wangfang)
    c.promised_days, c.statutory_days = 5, 20
    _running(c, date(2025, 9, 30))
    assert c.due_promised == date(2025, 10, 14)
    # Say the notice had made 10-13 a holiday: every date after it moves one working day.
    calendar_year_enter(
        year=2025, days=[(date(2025, 10, d), False, "国庆节") for d in range(1, 9)]
        + [(date(2025, 10, 13), False, "假设的补休"), (date(2025, 9, 28), True, "调休"),
           (date(2025, 10, 11), True, "调休"), (date(2025, 1, 1), False, "元旦")],
        source="测试", actor=county.admin,
    )  # fmt: skip
    assert deadlines_recompute() == 1
    c.refresh_from_db()
    assert c.due_promised == date(2025, 10, 15)
