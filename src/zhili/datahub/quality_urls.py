"""The data-quality board of the back office; mounted at /staff/quality/."""

from django.urls import path

from zhili.datahub import quality_views as views

app_name = "quality"

urlpatterns = [
    path("", views.board, name="board"),
    path("<str:code>/", views.dataset, name="dataset"),
]
