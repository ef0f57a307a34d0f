"""The one map (一张图); mounted at /map/."""

from django.urls import path

from zhili.datahub import map_views as views

app_name = "onemap"

urlpatterns = [
    path("", views.map_page, name="map"),
    path("geo.json", views.geo_json, name="geo"),
    path("values.json", views.values_json, name="values"),
    path("profile/<str:division_code>", views.profile, name="profile"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/alerts", views.dashboard_alerts, name="dashboard_alerts"),
]
