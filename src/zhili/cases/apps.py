from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "zhili.cases"
    verbose_name = "办件"
