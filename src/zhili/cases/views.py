"""Applicant and village-agent pages, mounted at /cases/ (``urls.py``), by what they hold:

- ``views_apply``: the apply form with the material checklist the situation
  answers call for, and its drafts; the hall window files through it too;
- ``views_case``: the applicant's cases, a case on its timeline, 补正, 补交,
  rating, the result and e-licences;
- ``views_agent``: a village agent's home and filing for a villager.

Every case page looks the case up through ``case_for`` (404 for anyone it
is not visible to); every write is one service call. Forms work as plain
HTML; htmx only refreshes the checklist when an answer changes. This module
holds what the pages share.
"""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from zhili.accounts.models import User
from zhili.cases.models import Case, CaseStatus
from zhili.cases.selectors import case_for
from zhili.catalogue.models import ServiceItem
from zhili.divisions.models import Division

CONCLUDED = {CaseStatus.CONCLUDED, CaseStatus.NOT_ACCEPTED}


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "cases/forbidden.html", {"message": message}, status=403)


def published_item(impl_code: str) -> ServiceItem:
    item = get_object_or_404(
        ServiceItem.objects.select_related("current", "department"), impl_code=impl_code
    )
    if item.current is None:
        raise Http404("该事项尚未发布")
    return item


def case_or_404(user: User, ref: UUID) -> Case:
    case = case_for(user, str(ref))
    if case is None or case.status == CaseStatus.DRAFT:
        raise Http404("没有找到这个办件")
    return case


def agent_villages(user: User) -> list[Division]:
    return list(user.divisions.filter(level="village").order_by("code"))
