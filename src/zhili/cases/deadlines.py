"""时限 and 电子监察: working-day deadlines, the stopped clock, and the warning sweep.

行政许可法 第82条: limits are counted in working days and the day of
acceptance is not counted. While the applicant corrects materials (补正) the
clock stops; it restarts, again not counting that day, when they resubmit.

Warnings: yellow once 80% of the promised limit is spent, red at the promised
limit, and a separate flag once the statutory limit is passed. The dates at
which each happens are stored on the case when the clock (re)starts, so the
sweep is one indexed UPDATE of the cases whose colour changes.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import models, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from zhili.cases.models import OPEN_STATUSES, Case, Warning
from zhili.workdays.calendar import WorkCalendar, current_calendar

YELLOW_SHARE = 0.8


def warn_after(promised_days: int) -> int:
    """Working days after which the yellow light comes on (80% of the promised limit)."""
    return math.ceil(promised_days * YELLOW_SHARE)


def _plan(case: Case, cal: WorkCalendar) -> None:
    assert case.clock_from is not None
    start, used = case.clock_from, case.days_used
    case.due_promised = cal.add(start, max(case.promised_days - used, 0))
    case.due_statutory = cal.add(start, max(case.statutory_days - used, 0))
    case.warn_on = cal.add(start, max(warn_after(case.promised_days) - used, 0))


def clock_start(case: Case, *, today: date, cal: WorkCalendar | None = None) -> None:
    """受理: the clock starts; raises CalendarNotCovered for an unentered year."""
    case.clock_from = today
    case.days_used = 0
    case.clock_stopped_at = None
    _plan(case, cal or current_calendar())


def clock_stop(case: Case, *, now: datetime, cal: WorkCalendar | None = None) -> None:
    """补正: the days spent so far are kept and the clock stops."""
    if case.clock_from is None or case.clock_stopped_at is not None:
        return
    cal = cal or current_calendar()
    case.days_used += cal.between(case.clock_from, timezone.localdate(now))
    case.clock_stopped_at = now


def clock_restart(case: Case, *, today: date, cal: WorkCalendar | None = None) -> None:
    """补正材料提交: the clock runs again from today (not counted)."""
    if case.clock_from is None:
        return
    case.clock_from = today
    case.clock_stopped_at = None
    _plan(case, cal or current_calendar())
    case.warning = classify(case, today)
    case.past_statutory = case.due_statutory is not None and today > case.due_statutory


def classify(case: Case, today: date) -> str:
    if case.due_promised is None or case.warn_on is None:
        return Warning.NONE
    if today >= case.due_promised:
        return Warning.RED
    if today >= case.warn_on:
        return Warning.YELLOW
    return Warning.NONE


def days_left(case: Case, today: date) -> int | None:
    if case.due_promised is None or not case.is_open():
        return None
    cal = current_calendar()
    if case.clock_stopped_at is not None:
        return case.promised_days - case.days_used
    if today <= case.due_promised:
        return cal.between(today, case.due_promised)
    return -cal.between(case.due_promised, today)


@dataclass
class SweepResult:
    yellow: int = 0
    red: int = 0
    past_statutory: int = 0
    # department id -> number of cases that changed colour, for the digests
    by_department: Counter[int] = field(default_factory=Counter)
    red_case_ids: list[int] = field(default_factory=list)


def sweep(*, today: date, collect_ids: bool = True) -> SweepResult:
    """Move every running case to the colour its dates say, in one UPDATE.

    Only cases whose colour changes are written, so a second sweep on the same
    day changes nothing and notifies nobody.
    """
    running = Q(status__in=OPEN_STATUSES, clock_stopped_at__isnull=True)
    to_red = running & Q(due_promised__lte=today) & ~Q(warning=Warning.RED)
    to_yellow = running & Q(warn_on__lte=today, due_promised__gt=today, warning=Warning.NONE)
    to_late = running & Q(due_statutory__lt=today, past_statutory=False)
    result = SweepResult()
    with transaction.atomic():
        counts = Case.objects.aggregate(
            red=Count("id", filter=to_red),
            yellow=Count("id", filter=to_yellow),
            late=Count("id", filter=to_late),
        )
        result.red, result.yellow, result.past_statutory = (
            counts["red"], counts["yellow"], counts["late"],
        )  # fmt: skip
        if collect_ids:
            for dept_id, n in _count_by_department(to_red | to_yellow | to_late):
                result.by_department[dept_id] = n
            result.red_case_ids = list(
                Case.objects.filter(to_red).values_list("id", flat=True)[:10_000]
            )
        # One UPDATE: a case that turns red and passes the statutory limit the
        # same day is written once, not twice.
        Case.objects.filter(to_red | to_yellow | to_late).update(
            warning=models.Case(
                models.When(due_promised__lte=today, then=models.Value(Warning.RED)),
                models.When(warn_on__lte=today, then=models.Value(Warning.YELLOW)),
                default=F("warning"),
            ),
            past_statutory=models.Case(
                models.When(due_statutory__lt=today, then=models.Value(True)),
                default=F("past_statutory"),
            ),
        )
    return result


def _count_by_department(q: Q) -> list[tuple[int, int]]:
    rows = Case.objects.filter(q).values("department_id").annotate(n=Count("id"))
    return [(r["department_id"], r["n"]) for r in rows]


def recompute_all(*, batch: int = 5000) -> int:
    """Re-plan every running clock on the current calendar; returns how many dates changed.

    Run when an administrator enters or corrects a year's holidays: cases
    accepted earlier were planned on what was known then.
    """
    cal = current_calendar()
    running = Case.objects.filter(
        status__in=OPEN_STATUSES, clock_stopped_at__isnull=True, clock_from__isnull=False
    )
    rows = list(
        running.values_list(
            "id", "clock_from", "days_used", "promised_days", "statutory_days",
            "due_promised", "due_statutory", "warn_on",
        )
    )  # fmt: skip
    starts: list[date] = [r[1] for r in rows if r[1] is not None]
    promised = cal.add_many(starts, [max(r[3] - r[2], 0) for r in rows])
    statutory = cal.add_many(starts, [max(r[4] - r[2], 0) for r in rows])
    warn = cal.add_many(starts, [max(warn_after(r[3]) - r[2], 0) for r in rows])
    changed = [
        Case(id=r[0], due_promised=p, due_statutory=s, warn_on=w)
        for r, p, s, w in zip(rows, promised, statutory, warn, strict=True)
        if (p, s, w) != (r[5], r[6], r[7])
    ]
    with transaction.atomic():
        Case.objects.bulk_update(
            changed, ["due_promised", "due_statutory", "warn_on"], batch_size=batch
        )
    return len(changed)
