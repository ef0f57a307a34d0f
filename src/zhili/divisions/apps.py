from django.apps import AppConfig


class DivisionsConfig(AppConfig):
    name = "zhili.divisions"
    verbose_name = "行政区划与部门"
