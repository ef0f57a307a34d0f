"""The audit page of the back office (/staff/audit/): administrators and leaders only."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from zhili.audit.forms import AuditFilterForm
from zhili.audit.selectors import (
    VerifyResult,
    audit_entries,
    audit_rows,
    audit_verify,
    can_read_audit,
)
from zhili.audit.services import audit_record
from zhili.web.staff import StaffRequest, staff_only

PAGE_SIZE = 50


AuditRequest = StaffRequest
audit_view = staff_only("审计日志仅供系统管理员和领导查阅。", allowed=can_read_audit)


def _list_page(request: AuditRequest, verify: VerifyResult | None = None) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    entries: Any = []  # an invalid filter shows nothing, not everything
    if form.is_valid():
        entries = audit_entries(**form.cleaned_data)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": audit_rows(page.object_list),
        "query": query.urlencode(),
        "verify": verify,
    }
    return render(request, "audit/entry_list.html", context)


@audit_view
@require_GET
def entry_list(request: AuditRequest) -> HttpResponse:
    return _list_page(request)


@audit_view
@require_POST
def verify(request: AuditRequest) -> HttpResponse:
    result = audit_verify()
    # Who checked, and what they found, is itself part of the record.
    audit_record(
        action="audit.verify",
        actor=request.user,
        object_type="audit",
        object_id="chain",
        summary=result.message,
        request=request,
    )
    if request.headers.get("HX-Request"):
        return render(request, "audit/_verify_result.html", {"verify": result})
    return _list_page(request, verify=result)
