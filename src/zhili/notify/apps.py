from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "zhili.notify"
    verbose_name = "消息通知"
