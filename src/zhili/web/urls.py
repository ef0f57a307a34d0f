from django.http import HttpRequest, HttpResponse
from django.urls import path


def healthz(request: HttpRequest) -> HttpResponse:
    """The trivial endpoint: liveness, and the benchmark's ceiling."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("healthz", healthz, name="healthz")]
