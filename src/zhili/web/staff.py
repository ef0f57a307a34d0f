"""The back office's one gate: signed in, allowed in, and refusals shown as the 403 page.

Every back-office module (catalogue, cases, calendar, audit, indicators,
reports, data quality) builds its decorator here with its own message and,
where narrower than "works in the back office", its own rule.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from zhili.accounts.models import User

View = Callable[..., HttpResponseBase]


class StaffRequest(HttpRequest):
    """A request the gate let through: a signed-in member of staff."""

    user: User


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "staff/403.html", {"message": message}, status=403)


def _works_in_back_office(user: Any) -> bool:
    return bool(user.works_in_back_office)


def staff_only(
    message: str,
    *,
    allowed: Callable[[Any], bool] = _works_in_back_office,
    refusals: tuple[type[BaseException], ...] = (),
) -> Callable[[View], View]:
    """A decorator: anonymous visitors go to sign in; those ``allowed`` refuses get ``message``.

    A ``PermissionDenied`` (or one of ``refusals``) raised by the view or its
    services becomes the same 403 page with the service's own words.
    """
    caught: tuple[type[BaseException], ...] = (PermissionDenied, *refusals)

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                return forbidden(request, message)
            try:
                return view(request, *args, **kwargs)
            except caught as exc:
                return forbidden(request, str(exc) or "您无权进行此操作。")

        return wrapper

    return decorate
