"""Supervision (电子监察): overdue, yellow and bad-rating boards for the county; and the
rectification of bad ratings (差评整改) by the department that was rated."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from zhili.accounts.models import Role, User
from zhili.cases import selectors
from zhili.cases.models import OPEN_STATUSES, Case, Rating, Rectification, Warning
from zhili.cases.services import CaseInvalid, Conflict
from zhili.cases.staff_forms import CallbackForm, RespondForm
from zhili.cases.staff_views import (
    PAGE_SIZE,
    QUEUE_ROLES,
    StaffRequest,
    days_left,
    query_without_page,
    staff_page,
    staff_view,
)

BOARD_SIZE = 100

# ---- supervision (电子监察) ----


def _by_department(cases: QuerySet[Case]) -> list[dict[str, Any]]:
    rows = (
        cases.values("department__name", "department__short_name")
        .annotate(
            red=Count("id", filter=Q(warning=Warning.RED)),
            late=Count("id", filter=Q(past_statutory=True)),
            yellow=Count("id", filter=Q(warning=Warning.YELLOW)),
        )
        .filter(Q(red__gt=0) | Q(late__gt=0) | Q(yellow__gt=0))
        .order_by("-late", "-red", "-yellow", "department__name")
    )
    return list(rows)


def _rectifications_by_department(
    rects: QuerySet[Rectification], today: date
) -> list[dict[str, Any]]:
    overdue = Q(overdue=True) | (Q(due_on__lt=today) & ~Q(state=Rectification.DONE))
    rows = (
        rects.values("department__name", "department__short_name")
        .annotate(
            total=Count("id"),
            open=Count("id", filter=Q(state=Rectification.OPEN)),
            called_back=Count("id", filter=Q(state=Rectification.CALLED_BACK)),
            done=Count("id", filter=Q(state=Rectification.DONE)),
            overdue=Count("id", filter=overdue),
        )
        .order_by("-overdue", "-open", "department__name")
    )
    return list(rows)


@staff_view
@require_GET
def supervise(request: StaffRequest) -> HttpResponse:
    user = request.user
    if not user.is_county_wide:
        raise PermissionDenied("电子监察仅供领导和系统管理员查看。")
    today = timezone.localdate()
    visible = selectors.cases_visible_to(user)
    running = visible.filter(status__in=OPEN_STATUSES)
    overdue = running.filter(Q(warning=Warning.RED) | Q(past_statutory=True)).order_by(
        "-past_statutory", "due_promised", "id"
    )
    yellow = running.filter(warning=Warning.YELLOW).order_by("due_promised", "id")
    bad = (
        Rating.objects.filter(level__lte=2, case__in=visible)
        .select_related("case", "case__item", "case__department", "rectification")
        .order_by("-created_at")
    )
    rects = selectors.rectifications_visible_to(user)
    late_rects = rects.filter(
        Q(overdue=True) | (Q(due_on__lt=today) & ~Q(state=Rectification.DONE))
    ).select_related("rating__case__item")
    return staff_page(
        request,
        "cases/staff/supervise.html",
        {
            "today": today,
            "departments": _by_department(running),
            "overdue_count": overdue.count(),
            "overdue": [(c, days_left(c, today)) for c in overdue[:BOARD_SIZE]],
            "yellow_count": yellow.count(),
            "yellow": [(c, days_left(c, today)) for c in yellow[:BOARD_SIZE]],
            "bad_count": bad.count(),
            "bad": bad[:BOARD_SIZE],
            "rect_departments": _rectifications_by_department(rects, today),
            "late_rects": late_rects[:BOARD_SIZE],
            "board_size": BOARD_SIZE,
        },
    )


# ---- rectification of bad ratings (差评整改) ----


def _may_rectify(user: User, rect: Rectification) -> bool:
    """Whether to offer the forms; ``ratings`` decides on the POST."""
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    return user.role in QUEUE_ROLES and user.departments.filter(pk=rect.department_id).exists()


def _ratings_services() -> Any:
    """The rectification services, imported when first needed."""
    try:
        from zhili.cases import ratings
    except ImportError:
        return None
    return ratings


@staff_view
@require_GET
def rectifications(request: StaffRequest) -> HttpResponse:
    user = request.user
    if not (user.is_county_wide or user.role in QUEUE_ROLES):
        raise PermissionDenied("差评整改仅供部门工作人员和领导查看。")
    rects = selectors.rectifications_visible_to(user).select_related(
        "rating__case__item", "handled_by"
    )
    state = request.GET.get("state", "")
    if state in dict(Rectification.STATES):
        rects = rects.filter(state=state)
    page = Paginator(rects.order_by("state", "due_on", "id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return staff_page(
        request,
        "cases/staff/rectifications.html",
        {
            "page": page,
            "state": state,
            "states": Rectification.STATES,
            "today": timezone.localdate(),
            "query": query_without_page(request),
        },
    )


RECTIFY_OPS: dict[str, tuple[type[forms.Form], str, str]] = {
    # op: (form, the state it starts from, what to say when done)
    "callback": (CallbackForm, Rectification.OPEN, "回访已记录。"),
    "respond": (RespondForm, Rectification.CALLED_BACK, "整改情况已答复，申请人可再评价一次。"),
}


def _rectify(request: StaffRequest, rect: Rectification, op: str, form: forms.Form) -> bool:
    """Call the service for ``op``; False with the errors put on ``form``."""
    ratings = _ratings_services()
    if ratings is None:
        form.add_error(None, "整改功能尚未启用，请联系系统管理员。")
        return False
    try:
        if op == "callback":
            ratings.rectification_callback(
                rectification=rect, actor=request.user, note=form.cleaned_data["note"],
                request=request,
            )  # fmt: skip
        else:
            ratings.rectification_respond(
                rectification=rect, actor=request.user, response=form.cleaned_data["response"],
                request=request,
            )  # fmt: skip
    except CaseInvalid as exc:
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return False
    return True


@staff_view
@require_http_methods(["GET", "POST"])
def rectification(request: StaffRequest, pk: int) -> HttpResponse:
    user = request.user
    rect = (
        selectors.rectifications_visible_to(user)
        .select_related("rating__case__item", "rating__case__applicant", "handled_by")
        .filter(pk=pk)
        .first()
    )
    if rect is None:
        raise Http404("没有这个整改任务，或不在您的范围内")
    forms_by_op: dict[str, forms.Form] = {"callback": CallbackForm(), "respond": RespondForm()}
    status = 200
    if request.method == "POST":
        op = request.POST.get("op", "")
        if op not in RECTIFY_OPS:
            raise Http404("未知操作")
        form_class, from_state, done = RECTIFY_OPS[op]
        if rect.state not in {from_state, Rectification.OPEN}:
            # A retried POST, or a colleague was quicker: say where things stand.
            messages.info(request, f"该整改已是“{rect.get_state_display()}”状态。")
            return redirect("staff_cases:rectification", pk=rect.pk)
        form = forms_by_op[op] = form_class(request.POST)
        try:
            ok = form.is_valid() and _rectify(request, rect, op, form)
        except Conflict as exc:
            messages.error(request, str(exc))
            return redirect("staff_cases:rectification", pk=rect.pk)
        if ok:
            messages.success(request, done)
            return redirect("staff_cases:rectification", pk=rect.pk)
        status = 400
    return staff_page(
        request,
        "cases/staff/rectification.html",
        {
            "rect": rect,
            "rating": rect.rating,
            "case": rect.rating.case,
            "may_act": _may_rectify(user, rect),
            "callback_form": forms_by_op["callback"],
            "respond_form": forms_by_op["respond"],
            "today": timezone.localdate(),
        },
        status=status,
    )
