"""Reads about the calendar shared by the 工作日历 page and the ``workdays_year`` command."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from zhili.workdays.calendar import Day, Source, library_days, library_years
from zhili.workdays.models import CalendarYear, DayOverride


@dataclass(frozen=True)
class YearCoverage:
    """What the calendar knows about one year."""

    year: int
    source: Source | None
    in_library: bool
    entered: CalendarYear | None
    holidays: int  # DayOverride rows: holidays entered (or corrections)
    working: int  # DayOverride rows: make-up working days entered (or corrections)

    @property
    def label(self) -> str:
        return self.source.label if self.source is not None else "未覆盖"


def year_coverage(years: Iterable[int]) -> list[YearCoverage]:
    """Coverage of each of ``years``, read fresh from the database (two queries)."""
    wanted = sorted(set(years))
    entered = {
        c.year: c for c in CalendarYear.objects.filter(year__in=wanted).select_related("entered_by")
    }
    counts: dict[tuple[int, bool], int] = {
        (row["year"], row["is_working"]): row["n"]
        for row in DayOverride.objects.filter(year__in=wanted)
        .values("year", "is_working")
        .annotate(n=Count("id"))
        .order_by()
    }
    library = library_years()
    out = []
    for y in wanted:
        source = Source.ADMIN if y in entered else Source.LIBRARY if y in library else None
        out.append(
            YearCoverage(
                year=y,
                source=source,
                in_library=y in library,
                entered=entered.get(y),
                holidays=counts.get((y, False), 0),
                working=counts.get((y, True), 0),
            )
        )
    return out


def year_overview(first: int, last: int) -> list[YearCoverage]:
    """Each year from ``first`` to ``last``, and any year entered outside them."""
    entered = CalendarYear.objects.values_list("year", flat=True)
    return year_coverage({*range(first, last + 1), *entered})


def year_days(year: int) -> list[Day]:
    """The days of ``year`` as a notice: those entered, or chinesecalendar's with corrections."""
    entered: list[Day] = [
        (o.date, o.is_working, o.name)
        for o in DayOverride.objects.filter(year=year).order_by("date")
    ]
    if year not in library_years() or CalendarYear.objects.filter(year=year).exists():
        return entered
    merged = {d: (d, w, name) for d, w, name in library_days(year)}
    merged.update((d, (d, w, name)) for d, w, name in entered)
    return sorted(merged.values())
