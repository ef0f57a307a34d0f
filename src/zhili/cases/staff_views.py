"""Back-office case pages (/staff/cases/), by what they hold:

- here: what they share, the work queue with batch actions, and the list of cases;
- ``staff_views_case``: a case page to decide on, and its actions;
- ``staff_views_window``: filing at the hall window (窗口受理登记);
- ``staff_views_supervise``: the supervision boards and rectification of bad ratings;
- ``staff_views_workflow``: an item's own workflow (BPMN).

Views parse input, call one service, render. Who sees which case is
``selectors.cases_visible_to``; who may act on a task is ``services.can_act``.
A case outside the user's jurisdiction is a 404, never a 403 that would say
it exists.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhili.accounts.models import Role, User
from zhili.cases import deadlines, selectors, services
from zhili.cases.models import Case, Task
from zhili.cases.services import CaseInvalid, Conflict
from zhili.cases.staff_forms import BatchForm, CaseFilterForm, QueueFilterForm
from zhili.catalogue.models import ServiceItem
from zhili.web.staff import StaffRequest, staff_only
from zhili.workdays.calendar import CalendarNotCovered

PAGE_SIZE = 50
QUEUE_ROLES = {Role.CLERK, Role.REVIEWER}
BATCH_SESSION_KEY = "staff_cases.batch"


staff_view = staff_only("办件管理仅供工作人员使用。")


def staff_page(
    request: StaffRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context["can_create"] = request.user.editable_departments().exists()
    return render(request, template, context, status=status)


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def days_left(case: Case, today: date) -> int | None:
    try:
        return deadlines.days_left(case, today)
    except CalendarNotCovered:
        return None  # shown as “—”; the calendar page says which year is missing


def case_of(request: StaffRequest, ref: uuid.UUID) -> Case:
    case = selectors.case_for(request.user, str(ref))
    if case is None:
        raise Http404("没有这个办件，或不在您的办理范围内")
    return case


# ---- the work queue ----


@dataclass
class QueueRow:
    task: Task
    case: Case
    days_left: int | None


def _check_queue_role(user: User) -> None:
    if user.role not in QUEUE_ROLES:
        raise PermissionDenied("待办仅供窗口人员和审批人员使用；办件请在“办件”中查看。")


@staff_view
@require_GET
def queue(request: StaffRequest) -> HttpResponse:
    user = request.user
    _check_queue_role(user)
    tasks = selectors.work_queue(user)
    stages = sorted(set(tasks.values_list("name", flat=True)))
    form = QueueFilterForm(request.GET, stages=stages)
    shown = form.filter(tasks, user_id=user.pk) if form.is_valid() else tasks.none()
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [QueueRow(t, t.case, days_left(t.case, today)) for t in page]
    return staff_page(
        request,
        "cases/staff/queue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query_without_page(request),
            "batch": request.session.pop(BATCH_SESSION_KEY, None),
            "batch_ops": BatchForm.OPS,
            "may_file_at_window": services.may_file_at_window(user),
        },
    )


def _batch_one(request: StaffRequest, op: str, task: Task | None) -> tuple[str, bool]:
    """Claim or accept one ticked task; (what happened, done)."""
    user = request.user
    if task is None:
        return "未找到（已不在您的办理范围内）", False
    if task.state != Task.OPEN:
        if task.completed_by_id == user.pk:
            return "您已办理过", True
        return "已被他人办理", False
    try:
        if op == "claim":
            services.task_claim(task=task, actor=user)
            return "已认领", True
        if task.activity != "accept":
            return f"当前环节为“{task.name}”，不能批量受理", False
        services.task_complete(task=task, actor=user, action="accept", request=request)
        return "已受理", True
    except Conflict:
        return ("已被他人认领" if op == "claim" else "已被他人办理"), False
    except CaseInvalid as exc:
        return "；".join(exc.errors.values()), False
    except PermissionDenied as exc:
        return str(exc) or "无权办理", False


@staff_view
@require_POST
def batch(request: StaffRequest) -> HttpResponse:
    _check_queue_role(request.user)
    form = BatchForm(request.POST)
    target = reverse("staff_cases:queue") + (
        f"?{request.POST['next_query']}" if request.POST.get("next_query") else ""
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        return redirect(target)
    op, ids = form.cleaned_data["op"], form.cleaned_data["task"]
    found = {
        t.spiff_id: t
        for t in Task.objects.select_related("case", "case__item").filter(
            spiff_id__in=ids, case__in=selectors.cases_visible_to(request.user)
        )
    }
    rows = []
    for spiff_id in ids:
        task = found.get(spiff_id)
        outcome, done = _batch_one(request, op, task)
        rows.append(
            {
                "number": task.case.number if task else str(spiff_id)[:8],
                "ref": str(task.case.ref) if task else "",
                "item": task.case.item.name if task else "",
                "outcome": outcome,
                "done": done,
            }
        )
    counts = Counter(r["outcome"] for r in rows)
    summary = "，".join(f"{n}件{outcome}" for outcome, n in counts.items())
    label = dict(BatchForm.OPS)[op]
    request.session[BATCH_SESSION_KEY] = {"label": label, "summary": summary, "rows": rows}
    return redirect(target)


# ---- the list of all cases ----


@staff_view
@require_GET
def case_list(request: StaffRequest) -> HttpResponse:
    visible = selectors.cases_visible_to(request.user)
    items = ServiceItem.objects.filter(pk__in=visible.values("item")).order_by("name")
    form = CaseFilterForm(request.GET, items=items)
    cases = form.filter(visible) if form.is_valid() else visible.none()
    cases = cases.exclude(status="draft").order_by("-submitted_at", "-id")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(c, days_left(c, today)) for c in page]
    return staff_page(
        request,
        "cases/staff/case_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query_without_page(request),
            "may_file_at_window": services.may_file_at_window(request.user),
        },
    )
