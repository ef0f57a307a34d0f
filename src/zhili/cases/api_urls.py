"""The REST API, mounted at /api/: version 1 under /api/v1/, its OpenAPI schema at /api/schema/."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from zhili.cases import api_cases, api_items, api_materials

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/items/", api_items.ItemListView.as_view(), name="item-list"),
    path("v1/items/<str:impl_code>/", api_items.ItemDetailView.as_view(), name="item-detail"),
    path(
        "v1/items/<str:impl_code>/checklist",
        api_items.ChecklistView.as_view(),
        name="item-checklist",
    ),
    path("v1/cases/", api_cases.CaseListView.as_view(), name="case-list"),
    path("v1/cases/<uuid:ref>/", api_cases.CaseDetailView.as_view(), name="case-detail"),
    path("v1/cases/<uuid:ref>/timeline", api_cases.TimelineView.as_view(), name="case-timeline"),
    path(
        "v1/cases/<uuid:ref>/tasks/<uuid:task_id>/complete",
        api_cases.TaskCompleteView.as_view(),
        name="task-complete",
    ),
    path("v1/materials/", api_materials.MaterialListView.as_view(), name="material-list"),
    path("v1/elicences/", api_materials.ELicenceListView.as_view(), name="elicence-list"),
    path("v1/elicences/verify", api_materials.VerifyView.as_view(), name="elicence-verify"),
]
