"""The back-office case page: everything needed to decide, and what staff do there —
claim, act on a task, read the full identity number with a reason, record a visit,
receive a promised paper material, open an uploaded material."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhili.audit.services import audit_record
from zhili.cases import selectors, services, workflow
from zhili.cases.models import Case, CaseMaterial, Task
from zhili.cases.services import CaseInvalid, Conflict
from zhili.cases.staff_forms import ActForm, IdentityForm, SupplyForm, TaskForm, VisitForm
from zhili.cases.staff_views import StaffRequest, case_of, days_left, staff_page, staff_view
from zhili.catalogue import schema

CONFLICT_MESSAGE = "该任务已被他人处理，请查看最新办理情况。"

# ---- the case page ----


@dataclass
class OpenTask:
    task: Task
    can_act: bool
    actions: list[tuple[str, str]]
    form: ActForm

    @property
    def needs_reason(self) -> bool:
        """Whether one of its actions must be explained (不予受理、不予许可、补正)."""
        return any(value in workflow.REASON_REQUIRED for value, _ in self.actions)


@dataclass
class Step:
    """One line of the case's timeline; ``at`` None for a step still open (listed last)."""

    at: datetime | None
    state: str  # done | open | cancelled
    title: str
    facts: list[str]
    comment: str = ""


def _answers(case: Case) -> list[tuple[str, str]]:
    """(question, the label of the option chosen): the option codes are the catalogue's."""
    out = []
    for s in case.version.document.get("situations", []):
        given = case.answers.get(s["code"], "")
        labels = dict(schema.parse_option(o) for o in s.get("options", []))
        out.append((s["question"], labels.get(given, given) or "—"))
    return out


def _when(at: datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else ""


def _timeline(case: Case, tasks: list[Task], labels: dict[int, str]) -> list[Step]:
    """What happened to the case in the order it happened, then the steps open now."""
    done: list[Step] = [
        Step(
            case.submitted_at,
            "done",
            "提交申请",
            [_when(case.submitted_at), f"{case.filed_by}（{case.get_channel_display()}）"],
        )
    ]
    open_now: list[Step] = []
    for t in tasks:
        if t.state == Task.DONE:
            facts = [labels[t.pk], str(t.completed_by or ""), _when(t.completed_at)]
            done.append(Step(t.completed_at, "done", t.name, [f for f in facts if f], t.comment))
        elif t.state == Task.OPEN:
            claimed = f"（{t.claimed_by} 已认领）" if t.claimed_by else ""
            facts = [f"办理中{claimed}", f"自{_when(t.created_at)}"]
            open_now.append(Step(None, "open", t.name, facts, t.comment))
        else:
            done.append(Step(t.completed_at or t.created_at, "cancelled", t.name, ["已取消"]))
    if case.concluded_at:
        done.append(
            Step(case.concluded_at, "done", "办结", [_when(case.concluded_at)], case.outcome_reason)
        )
    # A 送达 step already says when the result was delivered.
    if case.delivered_at and not any(t.activity == "deliver" for t in tasks):
        done.append(Step(case.delivered_at, "done", "送达", [_when(case.delivered_at)]))
    done.sort(key=lambda s: s.at or case.created_at)  # stable: ties keep the order above
    return done + open_now


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
    left = days_left(case, timezone.localdate())
    visit_channels = services.visit_channels(user, case)
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
        "timeline": _timeline(case, tasks, labels),
        "process_name": selectors.process_name(case),
        "open_tasks": open_tasks,
        "ratings": ratings,
        "days_left": left,
        # Promised limit minus what is left: the days spent before a stop and since.
        "days_used": None if left is None else case.promised_days - left,
        "form_fields": selectors.form_fields(case),
        "may_supply": services.may_supply(user, case),
        "may_record_visit": bool(visit_channels),
        "can_edit_workflow": user.can_edit_department_items(case.item.department_id),
        "identity_form": identity or IdentityForm(),
        "visit_form": visit
        or VisitForm(
            initial={"token": uuid.uuid4(), "channel": visit_channels[0] if visit_channels else ""},
            offered=visit_channels,
        ),
        "conflict": conflict,
    }
    response = staff_page(request, "cases/staff/detail.html", context, status=status)
    if full_id:
        response["Cache-Control"] = "no-store"
    return response


@staff_view
@require_GET
def detail(request: StaffRequest, ref: uuid.UUID) -> HttpResponse:
    return _detail(request, case_of(request, ref))


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
    case = case_of(request, ref)
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
    case = case_of(request, ref)
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
    case = case_of(request, ref)
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
    case = case_of(request, ref)
    form = VisitForm(request.POST, offered=services.visit_channels(request.user, case))
    if not form.is_valid():
        return _detail(request, case, status=400, visit=form)
    # The form's token lets a double click or a retried POST record one visit, not two.
    token = f"zhili:cases:visit:{form.cleaned_data['token']}"
    if not cache.add(token, case.pk, 24 * 3600):
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
        cache.delete(token)
        for field, message in exc.errors.items():
            form.add_error(field if field in form.fields else None, message)
        return _detail(request, case, status=400, visit=form)
    except PermissionDenied:
        cache.delete(token)  # refused: the same form may be sent again by someone who may
        raise
    messages.success(request, f"已登记到场：{form.cleaned_data['purpose']}。")
    return redirect("staff_cases:detail", ref=case.ref)


@staff_view
@require_POST
def supply(request: StaffRequest, ref: uuid.UUID) -> HttpResponse:
    case = case_of(request, ref)
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
    case = case_of(request, ref)
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
