"""Automatic reports (数据报告): the archive, downloads, 专报 and subscriptions; mounted at /reports/."""

from django.urls import path

from zhili.datahub import report_views as views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/report.html", views.report_html, name="html"),
    path("<int:pk>/report.pdf", views.report_pdf, name="pdf"),
    path("<int:pk>/report.xlsx", views.report_xlsx, name="xlsx"),
    path("generate/", views.report_order, name="generate"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("unsubscribe/", views.unsubscribe, name="unsubscribe"),
]
