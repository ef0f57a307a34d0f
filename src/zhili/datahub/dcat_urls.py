"""The DCAT (JSON-LD) catalogue; mounted at the site root: /catalog.jsonld, /catalog/<code>.jsonld."""

from django.urls import path

from zhili.datahub import dcat

app_name = "dcat"

urlpatterns = [
    path("catalog.jsonld", dcat.catalog, name="catalog"),
    path("catalog/<str:code>.jsonld", dcat.dataset, name="dataset"),
]
