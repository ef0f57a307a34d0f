"""The village agent's pages: her home (find an item, drafts, her villages' cases) and
filing for a villager (the apply form, ``views_apply``, in agent mode)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from zhili.accounts.models import Role, User
from zhili.cases.models import Case, CaseStatus
from zhili.cases.selectors import applicant_tasks, cases_visible_to
from zhili.cases.views import agent_villages, forbidden, published_item
from zhili.cases.views_apply import AGENT, file_application


def _agent_only(request: HttpRequest) -> HttpResponse | None:
    user: User = request.user  # type: ignore[assignment]
    if user.role != Role.VILLAGE_AGENT:
        return forbidden(request, "此页面供村代办员使用。")
    return None


@login_required
def agent_home(request: HttpRequest) -> HttpResponse:
    if (denied := _agent_only(request)) is not None:
        return denied
    from zhili.catalogue.search import search_items

    user: User = request.user  # type: ignore[assignment]
    q = request.GET.get("q", "").strip()[:100]
    hits = search_items(q, channel="就近办", limit=20).hits if q else []
    context = {
        "villages": agent_villages(user),
        "cases": cases_visible_to(user).exclude(status=CaseStatus.DRAFT)[:200],
        "drafts": Case.objects.filter(filed_by=user, status=CaseStatus.DRAFT).select_related(
            "item", "applicant"
        ),
        "tasks": applicant_tasks(user),
        "q": q,
        "hits": hits,
        "today": timezone.localdate(),
    }
    return render(request, "cases/agent_home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def agent_file(request: HttpRequest, impl_code: str) -> HttpResponse:
    if (denied := _agent_only(request)) is not None:
        return denied
    return file_application(request, published_item(impl_code), mode=AGENT)
