"""The working-day calendar page of the back office (工作日历): any staff may read, admins enter."""

from __future__ import annotations

from typing import Any

import chinese_calendar
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from zhili.web.staff import StaffRequest, staff_only
from zhili.workdays import calendar, selectors, services
from zhili.workdays.forms import NoticeForm
from zhili.workdays.services import NoticeError, Problem

FIRST_LISTED_YEAR = 2020


staff_view = staff_only("工作日历仅供工作人员使用。")


def _initial(year: int) -> dict[str, Any]:
    """The form filled with what is known of ``year``, to correct and enter again."""
    entered = selectors.year_coverage([year])[0].entered
    return {
        "year": year,
        "source": entered.source if entered else "",
        "notice": services.format_notice(selectors.year_days(year)),
    }


@staff_view
@require_http_methods(["GET", "POST"])
def calendar_page(request: StaffRequest) -> HttpResponse:
    can_enter = services.can_enter_calendar(request.user)
    problems: list[Problem] = []
    if request.method == "POST":
        if not can_enter:
            raise PermissionDenied("只有系统管理员可以录入法定节假日安排。")
        form = NoticeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                days = services.parse_notice(data["notice"], data["year"])
                entered = services.calendar_year_enter(
                    year=data["year"], days=days, source=data["source"], actor=request.user
                )
            except NoticeError as exc:
                problems = exc.problems
            else:
                holidays = sum(1 for _, working, _ in days if not working)
                messages.success(
                    request,
                    f"已录入{entered.year}年的法定节假日安排：放假{holidays}天，"
                    f"调休上班{len(days) - holidays}天。",
                )
                return redirect("workdays:calendar")
    else:
        year = request.GET.get("year", "")
        if year.isdigit() and services.FIRST_YEAR <= int(year) <= services.LAST_YEAR:
            form = NoticeForm(initial=_initial(int(year)))
        else:
            form = NoticeForm()
    this_year = timezone.localdate().year
    library = calendar.library_years()
    return render(
        request,
        "workdays/calendar.html",
        {
            "years": selectors.year_overview(FIRST_LISTED_YEAR, this_year + 2),
            "library_first": min(library),
            "library_last": max(library),
            "library_version": chinese_calendar.__version__,
            "can_enter": can_enter,
            "form": form,
            "problems": problems,
        },
    )
