from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "zhili.web"
    verbose_name = "门户与后台"
