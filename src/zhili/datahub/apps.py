from django.apps import AppConfig


class DatahubConfig(AppConfig):
    name = "zhili.datahub"
    verbose_name = "数据中台"
