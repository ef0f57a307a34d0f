from __future__ import annotations

from collections.abc import Iterator

import pytest

from zhili.workdays import calendar


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    # A rolled-back test sends no signals: never let one test's snapshot serve the next.
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def notice_2027() -> str:
    """A made-up 2027 notice (the real one is not in chinesecalendar 1.11): test data only."""
    return """\
# 测试用的2027年安排（虚构，仅供测试）
2027-01-01 元旦 休
2027-10-01~2027-10-07 国庆节 休
2027-09-26 国庆节调休 班
2027-10-09 国庆节调休 班
"""
