"""The project's URLs with the calendar page mounted at /staff/calendar/ (the staff
templates link to every back-office page, so the rest of the project is kept)."""

from django.urls import include, path

from zhili.urls import urlpatterns as project

urlpatterns = [path("staff/calendar/", include("zhili.workdays.urls")), *project]
