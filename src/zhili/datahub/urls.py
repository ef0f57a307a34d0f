"""The stewards' dataset pages, mounted at /staff/data/."""

from django.urls import path

from zhili.datahub import views

app_name = "datahub"
urlpatterns = [
    path("", views.dataset_list, name="dataset_list"),
    path("new/", views.dataset_new, name="dataset_new"),
    path("uploads/<int:pk>/", views.upload_detail, name="upload_detail"),
    path("uploads/<int:pk>/errors.csv", views.upload_errors_csv, name="upload_errors_csv"),
    path("uploads/<int:pk>/raw", views.upload_raw, name="upload_raw"),
    path("uploads/<int:pk>/publish", views.upload_publish, name="upload_publish"),
    path("uploads/<int:pk>/discard", views.upload_discard, name="upload_discard"),
    path("<str:code>/", views.dataset_detail, name="dataset_detail"),
    path("<str:code>/edit/", views.dataset_edit, name="dataset_edit"),
    path("<str:code>/upload/", views.upload_new, name="upload_new"),
    path("<str:code>/v<int:number>.csv", views.version_csv, name="version_csv"),
]
