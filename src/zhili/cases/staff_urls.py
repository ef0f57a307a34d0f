"""Back-office case pages, mounted at /staff/cases/."""

from django.urls import path

from zhili.cases import (
    staff_views,
    staff_views_case,
    staff_views_supervise,
    staff_views_window,
    staff_views_workflow,
)

app_name = "staff_cases"
urlpatterns = [
    path("queue/", staff_views.queue, name="queue"),
    path("queue/batch/", staff_views.batch, name="batch"),
    path("list/", staff_views.case_list, name="case_list"),
    path("window/", staff_views_window.window, name="window"),
    path("window/<str:impl_code>/", staff_views_window.window_file, name="window_file"),
    path(
        "window/<str:impl_code>/checklist",
        staff_views_window.window_checklist,
        name="window_checklist",
    ),
    path("supervise/", staff_views_supervise.supervise, name="supervise"),
    path("rectifications/", staff_views_supervise.rectifications, name="rectifications"),
    path("rectifications/<int:pk>/", staff_views_supervise.rectification, name="rectification"),
    path(
        "workflows/examples/<slug:name>.bpmn",
        staff_views_workflow.workflow_example,
        name="workflow_example",
    ),
    path("workflows/<str:impl_code>/", staff_views_workflow.workflow_page, name="workflow"),
    path(
        "workflows/<str:impl_code>/bpmn", staff_views_workflow.workflow_bpmn, name="workflow_bpmn"
    ),
    path("file/<uuid:ref>/<str:code>", staff_views_case.material_file, name="file"),
    path("<uuid:ref>/", staff_views_case.detail, name="detail"),
    path("<uuid:ref>/claim", staff_views_case.claim, name="claim"),
    path("<uuid:ref>/act", staff_views_case.act, name="act"),
    path("<uuid:ref>/identity", staff_views_case.read_identity, name="read_identity"),
    path("<uuid:ref>/visit", staff_views_case.visit, name="visit"),
    path("<uuid:ref>/supply", staff_views_case.supply, name="supply"),
]
