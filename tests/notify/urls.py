"""The project's URLs with the inbox mounted where the root urlconf will mount it."""

from django.urls import include, path

urlpatterns = [
    path("inbox/", include("zhili.notify.urls")),
    path("", include("zhili.urls")),
]
