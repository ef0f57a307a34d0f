"""Applicant and village-agent pages, mounted at /cases/."""

from django.urls import URLPattern, path

from zhili.cases import views_agent, views_apply, views_case

app_name = "cases"
urlpatterns: list[URLPattern] = [
    path("mine/", views_case.mine, name="mine"),
    path("apply/<str:impl_code>/", views_apply.apply, name="apply"),
    path("apply/<str:impl_code>/checklist", views_apply.checklist, name="checklist"),
    path("verify/", views_case.verify, name="verify"),
    path("elicences/", views_case.elicences, name="elicences"),
    path("agent/", views_agent.agent_home, name="agent_home"),
    path("agent/file/<str:impl_code>/", views_agent.agent_file, name="agent_file"),
    path("<uuid:ref>/", views_case.detail, name="detail"),
    path("<uuid:ref>/result", views_case.result, name="result"),
    path("<uuid:ref>/correct", views_case.correct, name="correct"),
    path("<uuid:ref>/supply/<str:code>", views_case.supply, name="supply"),
    path("<uuid:ref>/rate", views_case.rate, name="rate"),
]
