"""Working days on the official calendar, and the deadlines counted on them.

行政许可法 第82条: the time limits of administrative licensing are counted in
working days, statutory holidays excluded. 民法典 第201条: the day a period
starts on is not counted. So ``add_working_days(start, 1)`` is the first
working day after ``start``.

A year is covered when chinesecalendar ships its State Council notice or an
administrator has entered it (``CalendarYear``). Any other year raises
``CalendarNotCovered``: a deadline is never guessed from weekdays alone.

- chinesecalendar year: the library's holidays and make-up days, then the
  ``DayOverride`` rows of that year on top (corrections).
- entered year: Monday to Friday, then the ``DayOverride`` rows (the notice).

Every computation runs on a ``WorkCalendar`` snapshot. ``current_calendar()``
keeps one per process; it is rebuilt when this process saves or deletes a
calendar row (signals), and otherwise when a cheap signature of the tables
(asked at most every ``REFRESH_SECONDS``) shows that another process did.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import Any

import chinese_calendar
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from zhili.workdays.models import CalendarYear, DayOverride

#: How stale a snapshot may be when another process changed the calendar.
REFRESH_SECONDS = 5.0

#: A day of a notice: (date, is_working, name).
Day = tuple[date, bool, str]


class CalendarNotCovered(Exception):
    """The official holiday arrangements of ``year`` are not known."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"{year}年的法定节假日安排尚未录入，请系统管理员按国务院办公厅通知录入后再计算时限。"
        )


class Source(StrEnum):
    """Where a year's holidays come from."""

    LIBRARY = "chinesecalendar"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return "chinesecalendar" if self is Source.LIBRARY else "管理员录入"


def _library_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@cache
def library_years() -> frozenset[int]:
    """The years chinesecalendar answers for (it raises NotImplementedError outside them)."""
    years = sorted({d.year for d in chinese_calendar.holidays})
    return frozenset(y for y in range(years[0] - 1, years[-1] + 2) if _library_covers(y))


def _library_working(d: date) -> bool:
    # chinese_calendar.is_workday's rule, without its range check on every call
    # (it scans all its dates each time: too slow to build a snapshot with).
    return d in chinese_calendar.workdays or (
        d.weekday() < 5 and d not in chinese_calendar.holidays
    )


def library_days(year: int) -> list[Day]:
    """chinesecalendar's holidays and make-up working days of ``year``, as notice days."""
    names = {h.value: h.chinese for h in chinese_calendar.Holiday}
    days: list[Day] = [
        (d, False, names.get(v, v)) for d, v in chinese_calendar.holidays.items() if d.year == year
    ]
    days += [
        (d, True, f"{names.get(v, v)}调休上班")
        for d, v in chinese_calendar.workdays.items()
        if d.year == year
    ]
    return sorted(days)


class WorkCalendar:
    """An immutable snapshot of the working days of a span of years.

    Day ``i`` of the span (``date.toordinal() - base``) carries the number of
    working days up to and including it, so adding and counting working days
    are two list lookups. Days of uncovered years inside the span are never
    working days, and every answer that would pass through one raises
    ``CalendarNotCovered``: each covered day knows the first and last day of
    the run of covered days it sits in.
    """

    __slots__ = (
        "_base",
        "_day_ords",
        "_days",
        "_first_year",
        "_last_year",
        "_run_end",
        "_run_start",
        "_size",
        "_sources",
        "_upto",
        "_working",
    )

    def __init__(
        self,
        *,
        sources: Mapping[int, Source],
        overrides: Mapping[date, bool],
        first_year: int | None = None,
        last_year: int | None = None,
    ) -> None:
        """``sources``: the covered years; ``overrides``: day → is_working, on top of them."""
        first = first_year if first_year is not None else min(sources, default=2000)
        last = last_year if last_year is not None else max(sources, default=first - 1)
        self._first_year = first
        self._last_year = last
        self._sources = MappingProxyType({y: s for y, s in sources.items() if first <= y <= last})
        self._base = date(first, 1, 1).toordinal()
        size = max(0, date(last, 12, 31).toordinal() - self._base + 1) if last >= first else 0
        self._size = size

        working: list[bool] = []
        covered: list[bool] = []
        upto: list[int] = []
        days: list[date] = []
        count = 0
        d = date(first, 1, 1)
        one = timedelta(days=1)
        for _ in range(size):
            source = self._sources.get(d.year)
            if source is None:
                w = False
            elif d in overrides:
                w = overrides[d]
            elif source is Source.LIBRARY:
                w = _library_working(d)
            else:
                w = d.weekday() < 5
            if w:
                count += 1
                days.append(d)
            working.append(w)
            covered.append(source is not None)
            upto.append(count)
            d += one

        run_start = [-1] * size
        run_end = [-1] * size
        start = -1
        for i in range(size):
            if covered[i]:
                start = i if start < 0 else start
                run_start[i] = self._base + start
            else:
                start = -1
        end = -1
        for i in range(size - 1, -1, -1):
            if covered[i]:
                end = i if end < 0 else end
                run_end[i] = self._base + end
            else:
                end = -1

        self._working = tuple(working)
        self._upto = tuple(upto)
        self._days = tuple(days)
        self._day_ords = tuple(x.toordinal() for x in days)
        self._run_start = tuple(run_start)
        self._run_end = tuple(run_end)

    @classmethod
    def from_database(
        cls, first_year: int | None = None, last_year: int | None = None
    ) -> WorkCalendar:
        """The calendar as chinesecalendar and the entered rows now say (all covered years by default)."""
        sources: dict[int, Source] = dict.fromkeys(library_years(), Source.LIBRARY)
        sources.update(
            dict.fromkeys(CalendarYear.objects.values_list("year", flat=True), Source.ADMIN)
        )
        rows = DayOverride.objects.all()
        if first_year is not None:
            rows = rows.filter(year__gte=first_year)
        if last_year is not None:
            rows = rows.filter(year__lte=last_year)
        overrides = dict(rows.values_list("date", "is_working"))
        return cls(sources=sources, overrides=overrides, first_year=first_year, last_year=last_year)

    def __repr__(self) -> str:
        return (
            f"<WorkCalendar {self._first_year}–{self._last_year}, {len(self._days)} working days>"
        )

    @property
    def first_year(self) -> int:
        return self._first_year

    @property
    def last_year(self) -> int:
        return self._last_year

    @property
    def sources(self) -> Mapping[int, Source]:
        """The covered years of the span and where their holidays come from."""
        return self._sources

    def covers(self, year: int) -> bool:
        return year in self._sources

    def _index(self, d: date) -> int:
        if isinstance(d, datetime):
            # A UTC instant can fall on another day in China: the caller must say which day.
            raise TypeError(
                "工作日计算需要日期（date），请先用 timezone.localdate() 换算为本地日期"
            )
        i = d.toordinal() - self._base
        if i < 0 or i >= self._size or self._run_end[i] < 0:
            raise CalendarNotCovered(d.year)
        return i

    def is_working_day(self, d: date) -> bool:
        return self._working[self._index(d)]

    def add(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (before it if ``n`` < 0); ``start`` itself is not counted."""
        i = self._index(start)
        if n > 0:
            k = self._upto[i] + n - 1
            if k >= len(self._day_ords) or self._day_ords[k] > self._run_end[i]:
                raise CalendarNotCovered(date.fromordinal(self._run_end[i] + 1).year)
        elif n < 0:
            k = self._upto[i] - self._working[i] + n
            if k < 0 or self._day_ords[k] < self._run_start[i]:
                raise CalendarNotCovered(date.fromordinal(self._run_start[i] - 1).year)
        else:
            return start
        return self._days[k]

    def between(self, start: date, end: date) -> int:
        """The number of working days in (start, end]; 0 when ``end`` is not after ``start``."""
        if end <= start:
            return 0
        i = self._index(start)
        e = end.toordinal()
        if e > self._run_end[i]:
            raise CalendarNotCovered(date.fromordinal(self._run_end[i] + 1).year)
        return self._upto[e - self._base] - self._upto[i]

    def add_many(self, starts: Sequence[date], ns: Sequence[int]) -> list[date]:
        """``[self.add(s, n) for s, n in zip(starts, ns)]`` in one loop (a million in about 0.3 s)."""
        if len(starts) != len(ns):
            raise ValueError(f"starts 与 ns 的长度不同：{len(starts)} ≠ {len(ns)}")
        base, size = self._base, self._size
        upto, working, day_ords, days = self._upto, self._working, self._day_ords, self._days
        run_start, run_end = self._run_start, self._run_end
        total = len(day_ords)
        out: list[date] = []
        append = out.append
        for start, n in zip(starts, ns, strict=True):
            i = start.toordinal() - base
            if i < 0 or i >= size or run_end[i] < 0 or isinstance(start, datetime):
                self._index(start)  # raises the right error
            if n > 0:
                k = upto[i] + n - 1
                if k < total and day_ords[k] <= run_end[i]:
                    append(days[k])
                    continue
            elif n == 0:
                append(start)
                continue
            else:
                k = upto[i] - working[i] + n
                if k >= 0 and day_ords[k] >= run_start[i]:
                    append(days[k])
                    continue
            append(self.add(start, n))  # raises CalendarNotCovered
        return out


# ---- the snapshot of this process ----


@dataclass(frozen=True)
class _Cached:
    calendar: WorkCalendar
    version: int
    signature: tuple[Any, ...]
    checked_at: float


_lock = threading.Lock()
_versions = itertools.count(1)
_version = next(_versions)
_cached: _Cached | None = None


def _signature() -> tuple[Any, ...]:
    """Two aggregate queries. Any insert, delete or edit of a row changes one of the values."""
    years = CalendarYear.objects.aggregate(n=Count("id"), years=Sum("year"), at=Max("entered_at"))
    days = DayOverride.objects.aggregate(n=Count("id"), top=Max("id"), at=Max("updated_at"))
    return (years["n"], years["years"], years["at"], days["n"], days["top"], days["at"])


def invalidate() -> None:
    """Build the snapshot again on the next computation (after a write, and between tests)."""
    global _version
    _version = next(_versions)


def current_calendar() -> WorkCalendar:
    """This process's snapshot of every covered year."""
    global _cached
    cached, version = _cached, _version
    if (
        cached is not None
        and cached.version == version
        and time.monotonic() - cached.checked_at < REFRESH_SECONDS
    ):
        return cached.calendar
    with _lock:
        cached, version = _cached, _version
        if (
            cached is not None
            and cached.version == version
            and time.monotonic() - cached.checked_at < REFRESH_SECONDS
        ):
            return cached.calendar
        # The signature is taken before the rows are read: a write in between
        # makes the next check rebuild, never keeps a stale snapshot.
        signature = _signature()
        if cached is not None and cached.version == version and cached.signature == signature:
            calendar = cached.calendar
        else:
            calendar = WorkCalendar.from_database()
        _cached = _Cached(calendar, version, signature, time.monotonic())
        return calendar


@receiver(post_save, sender=CalendarYear)
@receiver(post_delete, sender=CalendarYear)
@receiver(post_save, sender=DayOverride)
@receiver(post_delete, sender=DayOverride)
def _calendar_changed(sender: type, using: str = "default", **kwargs: Any) -> None:
    invalidate()
    # Again at commit: another thread may have rebuilt from the old rows meanwhile.
    transaction.on_commit(invalidate, using=using)


# ---- the free functions ----


def is_working_day(d: date) -> bool:
    """Whether ``d`` is a working day on the official calendar."""
    return current_calendar().is_working_day(d)


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start``, which is not counted; ``start`` if ``n`` is 0."""
    return current_calendar().add(start, n)


def working_days_between(start: date, end: date) -> int:
    """The number of working days in (start, end]; 0 when ``end`` is not after ``start``."""
    return current_calendar().between(start, end)
