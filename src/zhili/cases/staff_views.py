"""Back-office case pages (/staff/cases/): the work queue, a case page to decide on,
the supervision boards, rectification of bad ratings, and an item's own workflow.

Views parse input, call one service, render. Who sees which case is
``selectors.cases_visible_to``; who may act on a task is ``services.can_act``.
A case outside the user's jurisdiction is a 404, never a 403 that would say
it exists.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhili.accounts.models import Role, User
from zhili.audit.services import audit_record
from zhili.cases import deadlines, selectors, services, workflow
from zhili.cases.models import (
    OPEN_STATUSES,
    Case,
    CaseMaterial,
    ItemWorkflow,
    Rating,
    Rectification,
    Task,
    Warning,
)
from zhili.cases.services import CaseInvalid, Conflict
from zhili.cases.staff_forms import (
    ActForm,
    BatchForm,
    CallbackForm,
    CaseFilterForm,
    IdentityForm,
    QueueFilterForm,
    RespondForm,
    SupplyForm,
    TaskForm,
    VisitForm,
    WorkflowUploadForm,
)
from zhili.catalogue import schema
from zhili.catalogue.models import ServiceItem
from zhili.workdays.calendar import CalendarNotCovered

PAGE_SIZE = 50
BOARD_SIZE = 100
QUEUE_ROLES = {Role.CLERK, Role.REVIEWER}
BATCH_SESSION_KEY = "staff_cases.batch"
CONFLICT_MESSAGE = "该任务已被他人处理，请查看最新办理情况。"
EXAMPLES_DIR = workflow.BPMN_DIR / "examples"
EXAMPLES = {"parallel_review": "并联审批（两个部门同时审查）", "site_inspection": "现场勘验及公示"}
View = Callable[..., HttpResponseBase]


class StaffRequest(HttpRequest):
    """A request that ``staff_view`` let through: a signed-in member of staff."""

    user: User


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "staff/403.html", {"message": message}, status=403)


def staff_view(view: View) -> View:
    """Signed-in staff only; a refusal of the services becomes the 403 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.works_in_back_office:
            return forbidden(request, "办件管理仅供工作人员使用。")
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return forbidden(request, str(exc) or "您无权进行此操作。")

    return wrapper


def _page(
    request: StaffRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context["can_create"] = request.user.editable_departments().exists()
    return render(request, template, context, status=status)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _days_left(case: Case, today: date) -> int | None:
    try:
        return deadlines.days_left(case, today)
    except CalendarNotCovered:
        return None  # shown as “—”; the calendar page says which year is missing


def _case(request: StaffRequest, ref: uuid.UUID) -> Case:
    case = selectors.case_for(request.user, str(ref))
    if case is None:
        raise Http404("没有这个办件，或不在您的办理范围内")
    return case


def _may_handle(user: User, case: Case) -> bool:
    """Record visits and receive paper materials: the case's department, or an administrator."""
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    return user.role in QUEUE_ROLES and user.departments.filter(pk=case.department_id).exists()


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
    rows = [QueueRow(t, t.case, _days_left(t.case, today)) for t in page]
    return _page(
        request,
        "cases/staff/queue.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": _query_without_page(request),
            "batch": request.session.pop(BATCH_SESSION_KEY, None),
            "batch_ops": BatchForm.OPS,
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
    rows = [(c, _days_left(c, today)) for c in page]
    return _page(
        request,
        "cases/staff/case_list.html",
        {"form": form, "page": page, "rows": rows, "query": _query_without_page(request)},
    )


# ---- the case page ----


@dataclass
class OpenTask:
    task: Task
    can_act: bool
    actions: list[tuple[str, str]]
    form: ActForm


def _answers(case: Case) -> list[tuple[str, str]]:
    out = []
    for s in case.version.document.get("situations", []):
        given = case.answers.get(s["code"], "")
        labels = dict(schema.parse_option(o) for o in s.get("options", []))
        out.append(
            (s["question"], f"{given}：{labels[given]}" if given in labels else given or "—")
        )
    return out


def _detail(
    request: StaffRequest,
    case: Case,
    *,
    status: int = 200,
    act: ActForm | None = None,
    identity: IdentityForm | None = None,
    visit: VisitForm | None = None,
    full_id: str = "",
    conflict: str = "",
) -> HttpResponse:
    user = request.user
    tasks = list(
        case.tasks.select_related("department", "claimed_by", "completed_by").order_by(
            "created_at", "id"
        )
    )
    labels = {t.pk: dict(workflow.actions_for(t.activity)).get(t.action, t.action) for t in tasks}
    posted_task = act.data.get("task") if act is not None else None
    open_tasks = [
        OpenTask(
            task=t,
            can_act=services.can_act(user, t),
            actions=workflow.actions_for(t.activity),
            form=act if act is not None and posted_task == str(t.spiff_id) else ActForm(),
        )
        for t in tasks
        if t.state == Task.OPEN
    ]
    materials = list(case.materials.select_related("file", "elicence"))
    ratings = list(case.ratings.select_related("rectification").order_by("created_at"))
    left = _days_left(case, timezone.localdate())
    context = {
        "case": case,
        "applicant": case.applicant,
        "full_id": full_id,
        "answers": _answers(case),
        "materials": materials,
        "promises": [m for m in materials if m.via == CaseMaterial.PROMISED],
        "elicences_used": [m.elicence for m in materials if m.elicence is not None],
        "elicences_issued": list(case.elicences.all()),
        "visits": list(case.visits.select_related("recorded_by", "service_point")),
        "tasks": [(t, labels[t.pk]) for t in tasks],
        "open_tasks": open_tasks,
        "ratings": ratings,
        "days_left": left,
        # Promised limit minus what is left: the days spent before a stop and since.
        "days_used": None if left is None else case.promised_days - left,
        "may_handle": _may_handle(user, case),
        "can_edit_workflow": user.can_edit_department_items(case.item.department_id),
        "identity_form": identity or IdentityForm(),
        "visit_form": visit or VisitForm(initial={"token": uuid.uuid4()}),
        "conflict": conflict,
    }
    response = _page(request, "cases/staff/detail.html", context, status=status)
    if full_id:
        response["Cache-Control"] = "no-store"
    return response


@staff_view
@require_GET
def detail(request: StaffRequest, ref: uuid.UUID) -> HttpResponse:
    return _detail(request, _case(request, ref))


def _task(case: Case, form: TaskForm) -> Task:
    task = (
        Task.objects.select_related("case", "case__applicant", "claimed_by")
        .filter(case=case, spiff_id=form.cleaned_data["task"])
        .first()
    )
    if task is None:
        raise Http404("该办件没有这个任务")
    return task


def _conflict(request: StaffRequest, case: Case, message: str = CONFLICT_MESSAGE) -> HttpResponse:
    case.refresh_from_db()
    return _detail(request, case, status=409, conflict=message)


@staff_view
@require_POST
def claim(request: StaffRequest, ref: uuid.UUID) -> HttpResponse:
    case = _case(request, ref)
    form = TaskForm(request.POST)
    if not form.is_valid():
        messages.error(request, "任务无效，请刷新页面后重试。")
        return redirect("staff_cases:detail", ref=case.ref)
    task = _task(case, form)
    if task.state != Task.OPEN:
        return _conflict(request, case)
    try:
        services.task_claim(task=task, actor=request.user)
    except Conflict as exc:
        return _conflict(request, case, f"{exc}。")
    messages.success(request, f"已认领“{task.name}”任务。")
    return redirect("staff_cases:detail", ref=case.ref)


@staff_view
@require_POST
def act(request: StaffRequest, ref: uuid.UUID) -> HttpResponse:
    case = _case(request, ref)
    form = ActForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, act=form)
    task = _task(case, form)
    if task.state != Task.OPEN:
        if task.completed_by_id == request.user.pk:
            messages.info(request, f"您已办理过“{task.name}”，无需重复提交。")
            return redirect("staff_cases:detail", ref=case.ref)
        return _conflict(request, case)
    action = form.cleaned_data["action"]
    try:
        services.task_complete(
            task=task,
            actor=request.user,
            action=action,
            comment=form.cleaned_data["comment"],
            request=request,
        )
    except Conflict:
        return _conflict(request, case)
    except CaseInvalid as exc:
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return _detail(request, case, status=400, act=form)
    label = dict(workflow.actions_for(task.activity)).get(action, action)
    messages.success(request, f"“{task.name}”已办理：{label}。")
    return redirect("staff_cases:detail", ref=case.ref)


@staff_view
@require_POST
def read_identity(request: StaffRequest, ref: uuid.UUID) -> HttpResponse:
    case = _case(request, ref)
    form = IdentityForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, identity=form)
    try:
        full_id = services.applicant_read_identity(
            applicant=case.applicant,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except CaseInvalid as exc:
        form.add_error("reason", "；".join(exc.errors.values()))
        return _detail(request, case, status=400, identity=form)
    return _detail(request, case, full_id=full_id)


@staff_view
@require_POST
def visit(request: StaffRequest, ref: uuid.UUID) -> HttpResponse:
    case = _case(request, ref)
    if not _may_handle(request.user, case):
        raise PermissionDenied("只有本部门工作人员可以登记到场记录。")
    form = VisitForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, visit=form)
    # The form's token lets a double click or a retried POST record one visit, not two.
    if not cache.add(f"zhili:cases:visit:{form.cleaned_data['token']}", case.pk, 24 * 3600):
        messages.info(request, "该到场记录已保存。")
        return redirect("staff_cases:detail", ref=case.ref)
    try:
        services.visit_record(
            case=case,
            actor=request.user,
            channel=form.cleaned_data["channel"],
            purpose=form.cleaned_data["purpose"],
        )
    except CaseInvalid as exc:
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return _detail(request, case, status=400, visit=form)
    messages.success(request, f"已登记到场：{form.cleaned_data['purpose']}。")
    return redirect("staff_cases:detail", ref=case.ref)


@staff_view
@require_POST
def supply(request: StaffRequest, ref: uuid.UUID) -> HttpResponse:
    case = _case(request, ref)
    if not _may_handle(request.user, case):
        raise PermissionDenied("只有本部门工作人员可以登记收取容缺材料。")
    form = SupplyForm(request.POST)
    if not form.is_valid() or not case.materials.filter(code=form.cleaned_data["code"]).exists():
        raise Http404("该办件没有这项材料")
    try:
        row = services.material_supply(
            case=case, code=form.cleaned_data["code"], actor=request.user, paper=True
        )
    except CaseInvalid as exc:
        messages.info(request, "；".join(exc.errors.values()))
    else:
        messages.success(request, f"已收取容缺材料“{row.name}”的纸质件。")
    return redirect("staff_cases:detail", ref=case.ref)


@staff_view
@require_GET
def material_file(request: StaffRequest, ref: uuid.UUID, code: str) -> FileResponse:
    case = _case(request, ref)
    row = case.materials.select_related("file").filter(code=code, file__isnull=False).first()
    if row is None or row.file is None:
        raise Http404("该材料没有上传的文件")
    stored = row.file
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("文件已不在存储中") from exc
    # Materials hold identity documents: who opened which one is on the record.
    audit_record(
        action="case.material_view",
        actor=request.user,
        object_type="case",
        object_id=case.number,
        summary=f"查看材料“{row.name}”",
        request=request,
    )
    response = FileResponse(handle, content_type=stored.mime, filename=stored.original_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
    return _page(
        request,
        "cases/staff/supervise.html",
        {
            "today": today,
            "departments": _by_department(running),
            "overdue_count": overdue.count(),
            "overdue": [(c, _days_left(c, today)) for c in overdue[:BOARD_SIZE]],
            "yellow_count": yellow.count(),
            "yellow": [(c, _days_left(c, today)) for c in yellow[:BOARD_SIZE]],
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
    return _page(
        request,
        "cases/staff/rectifications.html",
        {
            "page": page,
            "state": state,
            "states": Rectification.STATES,
            "today": timezone.localdate(),
            "query": _query_without_page(request),
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
    return _page(
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


# ---- an item's own workflow (BPMN) ----


@dataclass
class Step:
    name: str
    activity: str
    owner: str


def _steps(xml: str) -> list[Step]:
    """The user tasks of a process and who owns each, as the queue will route them."""
    _, spec, subprocesses = workflow.parse(xml)
    steps = []
    for s in [spec, *subprocesses.values()]:
        for t in s.task_specs.values():
            if not getattr(t, "manual", False):
                continue
            owner = workflow.lane_owner(getattr(t, "lane", None))
            role = {"clerk": "窗口人员", "reviewer": "审批人员", "applicant": "申请人"}.get(
                owner.role, owner.role
            )
            where = f"（{owner.department_code}）" if owner.department_code else ""
            if owner.role != "applicant" and not where:
                where = "（本事项部门）"
            steps.append(Step(t.bpmn_name or t.bpmn_id, t.bpmn_id, role + where))
    return steps


def _workflow_item(request: StaffRequest, impl_code: str) -> ServiceItem:
    item = get_object_or_404(ServiceItem.objects.select_related("department"), impl_code=impl_code)
    if not request.user.can_edit_department_items(item.department_id):
        raise PermissionDenied(f"只有{item.department.name}的事项管理员可以设置该事项的办理流程。")
    return item


@staff_view
@require_http_methods(["GET", "POST"])
def workflow_page(request: StaffRequest, impl_code: str) -> HttpResponse:
    from zhili.cases.workflows_admin import item_workflow_reset, item_workflow_set

    item = _workflow_item(request, impl_code)
    form = WorkflowUploadForm()
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if request.POST.get("op") == "reset":
            if item_workflow_reset(item=item, actor=request.user, request=request):
                messages.success(request, "已恢复标准流程，之后提交的办件按标准流程办理。")
            return redirect("staff_cases:workflow", impl_code=item.impl_code)
        form = WorkflowUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                saved = item_workflow_set(
                    item=item, xml=form.cleaned_data["file"], actor=request.user, request=request
                )
            except workflow.WorkflowInvalid as exc:
                problems = exc.problems
            else:
                messages.success(
                    request,
                    f"流程“{saved.process_id}”已启用，之后提交的办件按新流程办理；已提交的办件不受影响。",
                )
                return redirect("staff_cases:workflow", impl_code=item.impl_code)
        status = 400
    active = ItemWorkflow.objects.filter(item=item, active=True).first()
    return _page(
        request,
        "cases/staff/workflow.html",
        {
            "item": item,
            "active": active,
            "history": ItemWorkflow.objects.filter(item=item).select_related("uploaded_by")[:20],
            "steps": _steps(active.bpmn if active else workflow.standard_bpmn()),
            "form": form,
            "problems": problems,
            "examples": EXAMPLES,
        },
        status=status,
    )


def _bpmn_response(xml: str, filename: str) -> HttpResponse:
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_view
@require_GET
def workflow_bpmn(request: StaffRequest, impl_code: str) -> HttpResponse:
    item = _workflow_item(request, impl_code)
    active = ItemWorkflow.objects.filter(item=item, active=True).first()
    if active is None:
        return _bpmn_response(workflow.standard_bpmn(), "standard.bpmn")
    return _bpmn_response(active.bpmn, f"{active.process_id}.bpmn")


@staff_view
@require_GET
def workflow_example(request: StaffRequest, name: str) -> HttpResponse:
    if name not in EXAMPLES and name != workflow.STANDARD_PROCESS:
        raise Http404("没有这个示例流程")
    folder = workflow.BPMN_DIR if name == workflow.STANDARD_PROCESS else EXAMPLES_DIR
    return _bpmn_response(Path(folder, f"{name}.bpmn").read_text(encoding="utf-8"), f"{name}.bpmn")
