from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "zhili.catalogue"
    verbose_name = "事项库"
