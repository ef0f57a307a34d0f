"""The REST API, mounted at /api/: version 1 under /api/v1/, its OpenAPI schema at /api/schema/."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from zhili.cases import api

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/items/", api.ItemListView.as_view(), name="item-list"),
    path("v1/items/<str:impl_code>/", api.ItemDetailView.as_view(), name="item-detail"),
    path("v1/items/<str:impl_code>/checklist", api.ChecklistView.as_view(), name="item-checklist"),
    path("v1/cases/", api.CaseListView.as_view(), name="case-list"),
    path("v1/cases/<uuid:ref>/", api.CaseDetailView.as_view(), name="case-detail"),
    path("v1/cases/<uuid:ref>/timeline", api.TimelineView.as_view(), name="case-timeline"),
    path(
        "v1/cases/<uuid:ref>/tasks/<uuid:task_id>/complete",
        api.TaskCompleteView.as_view(),
        name="task-complete",
    ),
    path("v1/materials/", api.MaterialListView.as_view(), name="material-list"),
    path("v1/elicences/", api.ELicenceListView.as_view(), name="elicence-list"),
    path("v1/elicences/verify", api.VerifyView.as_view(), name="elicence-verify"),
]
