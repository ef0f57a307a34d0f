"""The official working-day calendar as administrators enter it.

chinesecalendar ships the State Council holiday notices (国务院办公厅关于部分节假日
安排的通知) for the years it knows; every other year must be entered here before
a deadline can fall in it. ``calendar.py`` reads these rows; ``services.py`` writes them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class CalendarYear(models.Model):
    """An administrator has entered this year's State Council holiday notice.

    For such a year the entry is the whole truth: Monday to Friday are working
    days except the holidays entered, plus the make-up working days (调休上班)
    entered, whatever chinesecalendar says.
    """

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("依据", max_length=200, help_text="如：国办发明电〔2026〕X号")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="录入人",
    )
    entered_at = models.DateTimeField("录入时间", default=timezone.now)

    class Meta:
        ordering = ["year"]
        verbose_name = "已录入的年度节假日安排"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.year}年（{self.source}）"


class DayOverride(models.Model):
    """One holiday or one make-up working day (调休上班) that overrides the base rule.

    In an entered year (``CalendarYear``) the overrides are the notice itself; in
    a chinesecalendar year they are corrections on top of the library.
    """

    date = models.DateField("日期", unique=True)
    is_working = models.BooleanField("上班", help_text="勾选为调休上班日，不勾选为放假日")
    name = models.CharField("名称", max_length=32, help_text="如：春节、春节调休上班")
    # Kept with the date so that a year's days are one indexed lookup on any database.
    year = models.PositiveSmallIntegerField("年份", db_index=True, editable=False)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = "节假日/调休日"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}（{'班' if self.is_working else '休'}）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.year = self.date.year
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "date" in update_fields:
            kwargs["update_fields"] = {*update_fields, "year"}
        super().save(*args, **kwargs)
