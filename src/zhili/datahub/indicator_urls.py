"""Indicator pages of the back office; mounted at /staff/indicators/."""

from django.urls import path

from zhili.datahub import indicator_views as views

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("new/", views.indicator_create, name="create"),
    path("check/", views.indicator_check, name="check"),
    path("<str:code>/", views.indicator_detail, name="detail"),
    path("<str:code>/edit/", views.indicator_edit, name="edit"),
    path("<str:code>/refresh/", views.indicator_refresh, name="refresh"),
]
