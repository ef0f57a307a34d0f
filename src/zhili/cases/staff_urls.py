"""Back-office case pages, mounted at /staff/cases/."""

from django.urls import path

from zhili.cases import staff_views as views

app_name = "staff_cases"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("queue/batch/", views.batch, name="batch"),
    path("list/", views.case_list, name="case_list"),
    path("supervise/", views.supervise, name="supervise"),
    path("rectifications/", views.rectifications, name="rectifications"),
    path("rectifications/<int:pk>/", views.rectification, name="rectification"),
    path("workflows/examples/<slug:name>.bpmn", views.workflow_example, name="workflow_example"),
    path("workflows/<str:impl_code>/", views.workflow_page, name="workflow"),
    path("workflows/<str:impl_code>/bpmn", views.workflow_bpmn, name="workflow_bpmn"),
    path("file/<uuid:ref>/<str:code>", views.material_file, name="file"),
    path("<uuid:ref>/", views.detail, name="detail"),
    path("<uuid:ref>/claim", views.claim, name="claim"),
    path("<uuid:ref>/act", views.act, name="act"),
    path("<uuid:ref>/identity", views.read_identity, name="read_identity"),
    path("<uuid:ref>/visit", views.visit, name="visit"),
    path("<uuid:ref>/supply", views.supply, name="supply"),
]
