from django.http import HttpRequest, HttpResponse
from django.urls import path

from zhili.web import views


def healthz(request: HttpRequest) -> HttpResponse:
    """The trivial endpoint: liveness, and the benchmark's ceiling."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", views.home, name="home"),
    path("search", views.search_page, name="search"),
    path("search/suggest", views.suggest, name="search_suggest"),
    path("items/<str:impl_code>/", views.item, name="item"),
    path("items/<str:impl_code>/materials", views.item_materials, name="item_materials"),
    path("items/<str:impl_code>/points", views.item_points, name="item_points"),
    path("bundles/<str:code>/", views.bundle, name="bundle"),
    path("themes/<str:code>/", views.theme, name="theme"),
]
