"""Applicant and village-agent pages, mounted at /cases/."""

from django.urls import URLPattern, path

from zhili.cases import views

app_name = "cases"
urlpatterns: list[URLPattern] = [
    path("mine/", views.mine, name="mine"),
    path("apply/<str:impl_code>/", views.apply, name="apply"),
    path("apply/<str:impl_code>/checklist", views.checklist, name="checklist"),
    path("verify/", views.verify, name="verify"),
    path("elicences/", views.elicences, name="elicences"),
    path("agent/", views.agent_home, name="agent_home"),
    path("agent/file/<str:impl_code>/", views.agent_file, name="agent_file"),
    path("<uuid:ref>/", views.detail, name="detail"),
    path("<uuid:ref>/result", views.result, name="result"),
    path("<uuid:ref>/correct", views.correct, name="correct"),
    path("<uuid:ref>/supply/<str:code>", views.supply, name="supply"),
    path("<uuid:ref>/rate", views.rate, name="rate"),
]
