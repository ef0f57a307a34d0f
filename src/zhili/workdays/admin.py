from __future__ import annotations

from django.contrib import admin

# Imported for its signal receivers: a change made here reaches this process's snapshot at once.
from zhili.workdays import calendar  # noqa: F401
from zhili.workdays.models import CalendarYear, DayOverride


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """Years are entered whole on the 工作日历 page (/staff/calendar/) or with ``workdays_year``."""

    list_display = ["year", "source", "entered_by", "entered_at"]
    readonly_fields = ["year", "entered_by", "entered_at"]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(DayOverride)
class DayOverrideAdmin(admin.ModelAdmin):
    """Single days: corrections on top of chinesecalendar, or of an entered year."""

    list_display = ["date", "name", "is_working", "year"]
    list_filter = ["year", "is_working"]
    search_fields = ["name"]
    date_hierarchy = "date"
