"""窗口受理登记 (窗口兜底): a clerk files for whoever stands at the hall window.

The clerk picks the item, checks the applicant's identity document in
person, asks the situation questions, and takes each material as paper, a
scan, or an e-licence the applicant holds; the case is filed through the
window channel from the clerk's hall, with the visit recorded. The form is
the applicant's own (``views_apply.ApplyPage`` in window mode); after it,
the staff case page, where the clerk can accept at once.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.views.decorators.http import require_GET, require_http_methods

from zhili.cases import selectors, services
from zhili.cases.staff_views import StaffRequest, staff_page, staff_view
from zhili.cases.views import published_item
from zhili.cases.views_apply import (
    WINDOW,
    applicant_from_token,
    checklist_partial,
    file_application,
)

MAX_QUERY = 100


def _check_window(request: StaffRequest) -> None:
    if not services.may_file_at_window(request.user):
        raise PermissionDenied("窗口受理登记仅供窗口人员使用。")


@staff_view
@require_GET
def window(request: StaffRequest) -> HttpResponse:
    """Pick the item: search by name (words, pinyin, initials), or the department's own."""
    from zhili.catalogue.search import search_items

    _check_window(request)
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    hits = search_items(q, limit=30).hits if q else []
    return staff_page(
        request,
        "cases/staff/window.html",
        {"q": q, "hits": hits, "items": [] if q else selectors.window_items(request.user)},
    )


@staff_view
@require_http_methods(["GET", "POST"])
def window_file(request: StaffRequest, impl_code: str) -> HttpResponse:
    item = published_item(impl_code)
    _check_window(request)
    return file_application(request, item, mode=WINDOW)


@staff_view
@require_GET
def window_checklist(request: StaffRequest, impl_code: str) -> HttpResponse:
    """The checklist for the answers so far (htmx), with the identified applicant's e-licences."""
    item = published_item(impl_code)
    _check_window(request)
    applicant = applicant_from_token(request.user, request.GET.get("applicant_token", ""))
    return checklist_partial(request, item, applicant=applicant, paper_allowed=True)
