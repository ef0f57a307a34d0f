from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "zhili.demo"
    verbose_name = "示范县数据"
