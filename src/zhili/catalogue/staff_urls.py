from django.urls import path

from zhili.catalogue import staff_views as views

app_name = "staff"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("items/", views.item_list, name="item_list"),
    path("items/new", views.item_new, name="item_new"),
    path("items/<str:impl_code>/", views.item_detail, name="item_detail"),
    path("items/<str:impl_code>/edit", views.item_edit, name="item_edit"),
    path("items/<str:impl_code>/compare", views.item_compare, name="item_compare"),
    path("items/<str:impl_code>/draft/start", views.item_draft_start, name="item_draft_start"),
    path(
        "items/<str:impl_code>/draft/discard", views.item_draft_discard, name="item_draft_discard"
    ),
    path("items/<str:impl_code>/publish", views.item_publish, name="item_publish"),
    path("checks/", views.checks_report, name="checks"),
    path("checks/report.csv", views.checks_csv, name="checks_csv"),
    path("io/", views.io_page, name="io"),
    path("io/import", views.io_import, name="io_import"),
    path("io/imports/<int:pk>/file", views.io_import_file, name="io_import_file"),
    path("io/export", views.io_export, name="io_export"),
    path("io/template.xlsx", views.io_template, name="io_template"),
]
