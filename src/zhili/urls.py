from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from zhili.accounts import views as accounts_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/landing/", accounts_views.landing, name="landing"),
    path("staff/cases/", include("zhili.cases.staff_urls")),
    path("staff/calendar/", include("zhili.workdays.urls")),
    path("staff/audit/", include("zhili.audit.urls")),
    path("staff/indicators/", include("zhili.datahub.indicator_urls")),
    path("staff/quality/", include("zhili.datahub.quality_urls")),
    path("staff/data/", include("zhili.datahub.urls")),
    path("staff/", include("zhili.catalogue.staff_urls")),
    path("cases/", include("zhili.cases.urls")),
    path("inbox/", include("zhili.notify.urls")),
    path("map/", include("zhili.datahub.map_urls")),
    path("reports/", include("zhili.datahub.report_urls")),
    path("api/", include("zhili.cases.api_urls")),
    path("api/v1/", include("zhili.datahub.api")),
    # CKAN's action API, at /api/action/ and /api/3/action/ like CKAN itself.
    path("api/", include("zhili.datahub.ckan_urls")),
    path("", include("zhili.datahub.dcat_urls")),
    path("", include("zhili.web.urls")),
]
