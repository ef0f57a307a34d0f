"""Entering a year's State Council holiday notice, and reading one from plain text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from zhili.accounts.models import Role, User
from zhili.jobs import enqueue
from zhili.workdays import calendar
from zhili.workdays.calendar import Day
from zhili.workdays.models import CalendarYear, DayOverride

FIRST_YEAR, LAST_YEAR = 2000, 2099
MAX_RANGE_DAYS = 31  # the longest holiday so far is 9 days (春节 2026); more is a typo
NAME_MAX = DayOverride._meta.get_field("name").max_length or 32
SOURCE_MAX = CalendarYear._meta.get_field("source").max_length or 200

HOLIDAY_WORDS = {"休", "放假", "休息"}
WORKING_WORDS = {"班", "上班"}
_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_RANGE = re.compile(r"(?<=\d)\s*[~至—–]\s*(?=\d)")  # after NFKC, ～ is ~
EXAMPLE = "“2027-10-01~2027-10-07 国庆节 休”或“2027-09-26 国庆节调休 班”"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a notice; ``line`` is 1-based, None for the notice as a whole."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"第{self.line}行：{self.message}" if self.line is not None else self.message


class NoticeError(ValueError):
    """A notice that cannot be entered; lists every problem, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def can_enter_calendar(user: User | None) -> bool:
    """Only system administrators enter holiday notices (None: the command line)."""
    return user is None or user.is_superuser or user.role == Role.ADMIN


# ---- the notice as text ----


def _parse_date(text: str) -> date | None:
    m = _DATE.fullmatch(text)
    if m is None:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def parse_notice(text: str, year: int) -> list[Day]:
    """Read lines like ``2027-10-01~2027-10-07 国庆节 休`` and ``2027-09-26 国庆节调休 班``.

    Blank lines and lines starting with ``#`` are skipped; full-width digits,
    spaces and ``～`` are read as their ASCII forms. Returns the days sorted by
    date, or raises ``NoticeError`` with every problem and its line number.
    """
    days: dict[date, tuple[int, Day]] = {}
    problems: list[Problem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = unicodedata.normalize("NFKC", raw).strip()
        if not line or line.startswith("#"):
            continue
        tokens = _RANGE.sub("~", line).split()
        if len(tokens) < 2 or not _DATE.match(tokens[0]):
            problems.append(Problem(number, f"无法识别“{line}”，应为{EXAMPLE}"))
            continue
        parts = tokens[0].split("~")
        if len(parts) > 2:
            problems.append(Problem(number, f"“{tokens[0]}”只能有一个起止范围"))
            continue
        found: list[Problem] = []
        dates: list[date] = []
        for part in parts:
            d = _parse_date(part)
            if d is None:
                found.append(Problem(number, f"日期“{part}”无效"))
            elif d.year != year:
                found.append(
                    Problem(number, f"日期“{part}”不在{year}年内；跨年的日期请在其所属年份录入")
                )
            else:
                dates.append(d)
        kind = tokens[-1]
        name = " ".join(tokens[1:-1])
        if kind not in HOLIDAY_WORDS | WORKING_WORDS:
            found.append(Problem(number, f"行末应为“休”或“班”，而不是“{kind}”"))
        elif not name:
            found.append(Problem(number, "缺少名称，如“国庆节”或“国庆节调休”"))
        elif len(name) > NAME_MAX:
            found.append(Problem(number, f"名称“{name}”超过{NAME_MAX}字"))
        if not found:
            first, last = dates[0], dates[-1]
            if last < first:
                found.append(Problem(number, f"结束日期“{parts[1]}”早于开始日期“{parts[0]}”"))
            elif (last - first).days + 1 > MAX_RANGE_DAYS:
                found.append(Problem(number, f"日期范围超过{MAX_RANGE_DAYS}天，请检查"))
        if found:
            problems += found
            continue
        is_working = kind in WORKING_WORDS
        repeated: dict[int, list[str]] = {}
        d = first
        while d <= last:
            if d in days:
                repeated.setdefault(days[d][0], []).append(f"{d:%Y-%m-%d}")
            else:
                days[d] = (number, (d, is_working, name))
            d += timedelta(days=1)
        for earlier, texts in repeated.items():
            problems.append(Problem(number, f"{'、'.join(texts)}已在第{earlier}行出现"))
    if not problems and not days:
        problems.append(Problem(None, f"没有任何日期；每行一项，如{EXAMPLE}"))
    if problems:
        raise NoticeError(problems)
    return sorted(day for _, day in days.values())


def format_notice(days: Iterable[Day]) -> str:
    """The lines ``parse_notice`` reads back: runs of consecutive days of one name become ranges."""
    lines: list[str] = []
    run: list[Day] = []

    def flush() -> None:
        if run:
            first, last = run[0][0], run[-1][0]
            dates = f"{first:%Y-%m-%d}" if first == last else f"{first:%Y-%m-%d}~{last:%Y-%m-%d}"
            lines.append(f"{dates} {run[0][2]} {'班' if run[0][1] else '休'}")
            run.clear()

    for day in sorted(days):
        if run and (day[0] != run[-1][0] + timedelta(days=1) or day[1:] != run[-1][1:]):
            flush()
        run.append(day)
    flush()
    return "\n".join(lines) + ("\n" if lines else "")


# ---- the business action ----


def _check(year: int, days: Sequence[Day], source: str) -> list[Problem]:
    problems: list[Problem] = []
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return [Problem(None, f"年份应在{FIRST_YEAR}至{LAST_YEAR}之间，而不是{year}")]
    if not source.strip():
        problems.append(Problem(None, "请填写依据，如“国办发明电〔2026〕X号”"))
    elif len(source.strip()) > SOURCE_MAX:
        problems.append(Problem(None, f"依据不能超过{SOURCE_MAX}字"))
    seen: set[date] = set()
    for d, _is_working, name in days:
        if d.year != year:
            problems.append(Problem(None, f"{d:%Y-%m-%d}不在{year}年内"))
        if d in seen:
            problems.append(Problem(None, f"{d:%Y-%m-%d}重复"))
        seen.add(d)
        if not name.strip():
            problems.append(Problem(None, f"{d:%Y-%m-%d}缺少名称"))
        elif len(name.strip()) > NAME_MAX:
            problems.append(Problem(None, f"{d:%Y-%m-%d}的名称超过{NAME_MAX}字"))
    if all(is_working for _, is_working, _ in days):
        problems.append(Problem(None, f"{year}年没有任何放假日期，请检查通知内容"))
    return problems


def calendar_year_enter(
    *, year: int, days: list[Day], source: str, actor: User | None
) -> CalendarYear:
    """Enter ``year``'s holiday notice: its holidays and make-up working days replace any before.

    From then on the year is worked out from these days alone (Monday to Friday,
    minus the holidays, plus the make-up days), even where chinesecalendar knows it.
    ``actor`` None is the command line.
    """
    if not can_enter_calendar(actor):
        raise PermissionDenied("只有系统管理员可以录入法定节假日安排。")
    problems = _check(year, days, source)
    if problems:
        raise NoticeError(problems)
    with transaction.atomic():
        entered, _ = CalendarYear.objects.update_or_create(
            year=year,
            defaults={"source": source.strip(), "entered_by": actor, "entered_at": timezone.now()},
        )
        DayOverride.objects.filter(year=year).delete()
        DayOverride.objects.bulk_create(
            DayOverride(date=d, is_working=w, name=name.strip(), year=year)
            for d, w, name in sorted(days)
        )
        # bulk_create sends no signals; the snapshot of every thread must go.
        calendar.invalidate()
        transaction.on_commit(calendar.invalidate)
        # Deadlines already planned may now fall on other days (the worker re-plans them).
        enqueue("zhili.cases.tasks.deadlines_recompute")
    return entered
