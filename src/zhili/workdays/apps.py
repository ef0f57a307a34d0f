from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "zhili.workdays"
    verbose_name = "工作日历"
