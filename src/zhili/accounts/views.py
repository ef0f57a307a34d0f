"""Where a person lands after signing in: their own place, by role."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from zhili.accounts.models import Role


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role == Role.VILLAGE_AGENT:  # type: ignore[union-attr]
        return redirect("cases:agent_home")
    if user.works_in_back_office:  # type: ignore[union-attr]
        return redirect("staff:dashboard")
    return redirect("cases:mine")
