"""The CKAN-compatible read API; mounted at /api/ like CKAN's own.

Actions answer at /api/3/action/<name> and, as on any CKAN site, at /api/action/<name>
(where ckanapi and older clients call); downloads at /api/3/download/<code>.csv|parquet.
"""

from django.urls import path

from zhili.datahub import ckan

app_name = "ckan"

urlpatterns = [
    path("3/", ckan.api_root, name="root"),
    path("3/action/<str:name>", ckan.action, name="action"),
    path("action/<str:name>", ckan.action, name="action_unversioned"),
    path("3/download/<str:code>.csv", ckan.download_csv, name="download_csv"),
    path("3/download/<str:code>.parquet", ckan.download_parquet, name="download_parquet"),
]
