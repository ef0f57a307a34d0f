"""The applicant's side of a case after filing: the list of their cases, a case on its
timeline, 补正, 补交 of a 容缺 material, rating, the printed result and e-licences.

Who may see a case is ``case_for``; who may send a correction, supply a
material or rate is the service's to say (its refusal is the 403 page).
"""

from __future__ import annotations

from datetime import datetime
from types import ModuleType
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhili.accounts import pii
from zhili.accounts.models import Role, User
from zhili.cases import drafts, forms, services, workflow
from zhili.cases.models import (
    BAD_RATINGS,
    Applicant,
    Case,
    CaseMaterial,
    CaseStatus,
    Channel,
    ELicence,
    Outcome,
    RatingLevel,
    Task,
)
from zhili.cases.selectors import (
    applicant_tasks,
    case_for,
    cases_visible_to,
    elicences_of,
    form_fields,
)
from zhili.cases.views import CONCLUDED, case_or_404, forbidden
from zhili.catalogue import schema
from zhili.workdays.calendar import CalendarNotCovered


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.role == Role.VILLAGE_AGENT:
        return redirect("cases:agent_home")
    own = Q(applicant__user=user) | Q(filed_by=user)
    context = {
        "cases": cases_visible_to(user).filter(own).exclude(status=CaseStatus.DRAFT)[:200],
        "drafts": Case.objects.filter(filed_by=user, status=CaseStatus.DRAFT).select_related(
            "item"
        ),
        "tasks": applicant_tasks(user),
        "today": timezone.localdate(),
    }
    return render(request, "cases/mine.html", context)


def _label(activity: str, action: str) -> str:
    return dict(workflow.actions_for(activity)).get(action, action)


def step_title(name: str, action_label: str) -> str:
    """A done step as one phrase, its name said once: 受理 → 已受理, 审查 → 审查通过,
    送达 → 已送达, 决定 → 决定：准予."""
    if action_label == name:
        return f"已{name}"
    if name in action_label:
        return action_label
    return f"{name}：{action_label}"


def timeline(case: Case) -> list[dict[str, Any]]:
    """What happened to the case, oldest first, and what it waits for now."""
    events: list[dict[str, Any]] = []

    def add(at: datetime | None, title: str, detail: str = "", kind: str = "") -> None:
        if at is not None:
            events.append({"at": at, "title": title, "detail": detail, "kind": kind})

    add(case.submitted_at, "提交申请", f"通过{case.get_channel_display()}提交", "submit")
    tasks = list(case.tasks.select_related("department").order_by("created_at", "id"))
    for t in tasks:
        if t.state == Task.DONE:
            who = (
                "申请人"
                if t.role == "applicant"
                else (t.department.short_name or t.department.name if t.department else "")
            )
            kind = (
                "correct" if t.action == "correct" else ("refuse" if t.action == "refuse" else "")
            )
            add(t.completed_at, step_title(t.name, _label(t.activity, t.action)), t.comment, kind)
            if who:
                events[-1]["who"] = who
    for m in case.materials.filter(via=CaseMaterial.PROMISED, received_at__isnull=False):
        add(m.received_at, f"补交容缺材料：{m.name}")
    if case.concluded_at:
        # 准予 was said by the decision just above; a refusal is said again, as the result.
        refused = case.outcome and case.outcome != Outcome.APPROVED
        title = f"已办结：{case.get_outcome_display()}" if refused else "已办结"
        add(case.concluded_at, title, "", "conclude")
    if case.delivered_at and not any(
        t.activity == "deliver" and t.state == Task.DONE for t in tasks
    ):
        add(case.delivered_at, "结果已送达")
    for r in case.ratings.filter(visit__isnull=True):
        add(r.created_at, f"评价：{r.get_level_display()}", "、".join(r.tags))
    events.sort(key=lambda e: e["at"])
    for t in tasks:
        if t.state == Task.OPEN:
            waiting = "等待您补正材料" if t.role == "applicant" else "正在办理"
            events.append(
                {"at": None, "title": f"{t.name}（{waiting}）", "detail": "", "kind": "open"}
            )
    return events


def _rating_module() -> ModuleType | None:
    try:
        from zhili.cases import ratings
    except ImportError:
        return None
    return ratings


def _rating_state(user: User, case: Case) -> dict[str, Any]:
    """The case's ratings with the department's responses, and whether to offer the form now."""
    module = _rating_module()
    if module is None:
        return {"available": False, "history": [], "can_rate": False}
    next_round = module.rating_next_round(case) if case.status in CONCLUDED else None
    # Only the applicant's own account rates (ratings.py); staff and agents see the history.
    own = user.pk == case.applicant.user_id and not user.works_in_back_office
    return {
        "available": True,
        "history": module.ratings_of(case),
        "can_rate": own and next_round is not None,
        "second_round": next_round == 2,
        "good_tags": list(getattr(module, "GOOD_TAGS", module.RATING_TAGS)),
        "bad_tags": list(getattr(module, "BAD_TAGS", [])),
        "tags": list(module.RATING_TAGS),
        # For the form to show only the tags a level may carry (ratings.py checks them).
        "bad_levels": sorted(int(level) for level in BAD_RATINGS),
        "bad_tags_below": int(RatingLevel.SATISFIED),
    }


def _correction(user: User, case: Case) -> dict[str, Any] | None:
    task = case.tasks.filter(state=Task.OPEN, role="applicant").first()
    if task is None or not services.can_act(user, task):
        return None
    asked = case.tasks.filter(state=Task.DONE, action="correct").order_by("-completed_at").first()
    comment = asked.comment if asked else ""
    rows = [
        {"code": m["code"], "name": m["name"], "named": m["name"] in comment}
        for m in schema.materials_for(case.document(), case.answers)
    ]
    rows.sort(key=lambda r: not r["named"])
    return {"task": task, "comment": comment, "rows": rows}


def _detail(
    request: HttpRequest,
    case: Case,
    *,
    errors: dict[str, str] | None = None,
    scope: str = "",
    status: int = 200,
    rating_form: Any = None,
) -> HttpResponse:
    """The case page; ``errors`` belong to the form named by ``scope`` (correct, supply, rating)."""
    user: User = request.user  # type: ignore[assignment]
    today = timezone.localdate()
    try:
        days_left = case.days_left(today)
    except CalendarNotCovered:  # a year nobody entered: show the date, not a count
        days_left = None
    side = user.pk in {case.filed_by_id, case.applicant.user_id}  # or whoever filed for them
    can_supply = case.is_open() and services.may_supply(user, case)
    state = _rating_state(user, case)
    materials = list(case.materials.select_related("file", "elicence"))
    if scope == "supply":
        for m in materials:
            m.supply_error = (errors or {}).get(f"materials.{m.code}", "")  # type: ignore[attr-defined]
    context = {
        "case": case,
        "timeline": timeline(case),
        "materials": materials,
        "days_left": days_left,
        "days_late": -days_left if days_left is not None and days_left < 0 else 0,
        "applicant_side": side,
        "correction": _correction(user, case),
        "can_supply": can_supply,
        "paper_allowed": can_supply and user.works_in_back_office,
        "form_fields": form_fields(case),
        "elicences": list(case.elicences.filter(revoked_at__isnull=True)),
        "errors": errors or {},
        "scope": scope,
        "rating": state,
        "rating_form": rating_form or forms.RatingForm(tags=state.get("tags", [])),
        "concluded": case.status in CONCLUDED,
    }
    return render(request, "cases/detail.html", context, status=status)


@login_required
def detail(request: HttpRequest, ref: UUID) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    found = case_for(user, str(ref))
    if found is not None and found.status == CaseStatus.DRAFT and found.filed_by_id == user.pk:
        name = "cases:agent_file" if found.channel == Channel.VILLAGE_POINT else "cases:apply"
        return redirect(reverse(name, args=[found.item.impl_code]) + f"?draft={found.ref}")
    return _detail(request, case_or_404(user, ref))


def _channel_of(user: User) -> str:
    return Channel.VILLAGE_POINT if user.role == Role.VILLAGE_AGENT else Channel.ONLINE


@login_required
@require_POST
def correct(request: HttpRequest, ref: UUID) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = case_or_404(user, ref)
    codes = [m["code"] for m in schema.materials_for(case.document(), case.answers)]
    try:
        drafts.case_correct(
            case=case, actor=user, uploads=forms.correction_uploads(request.FILES, codes),
            note=request.POST.get("note", "")[:500], channel=_channel_of(user), request=request,
        )  # fmt: skip
    except services.CaseInvalid as exc:
        return _detail(request, case, errors=exc.errors, scope="correct", status=400)
    except services.Conflict as exc:
        messages.info(request, str(exc))
        return redirect("cases:detail", ref=case.ref)
    except PermissionDenied as exc:
        return forbidden(request, str(exc) or "您不能为该办件提交补正材料。")
    messages.success(request, "补正材料已提交，办件继续办理。")
    return redirect("cases:detail", ref=case.ref)


@login_required
@require_POST
def supply(request: HttpRequest, ref: UUID, code: str) -> HttpResponse:
    """补交容缺材料."""
    user: User = request.user  # type: ignore[assignment]
    case = case_or_404(user, ref)
    upload = request.FILES.get(f"materials.{code}.file")
    paper = request.POST.get(f"materials.{code}") == "paper"
    try:
        services.material_supply(case=case, code=code, actor=user, upload=upload, paper=paper)
    except CaseMaterial.DoesNotExist:
        raise Http404("本办件没有这项材料") from None
    except services.CaseInvalid as exc:
        return _detail(request, case, errors=exc.errors, scope="supply", status=400)
    except PermissionDenied as exc:
        return forbidden(request, str(exc))
    messages.success(request, "材料已补交。")
    return redirect("cases:detail", ref=case.ref)


@login_required
@require_POST
def rate(request: HttpRequest, ref: UUID) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = case_or_404(user, ref)
    module = _rating_module()
    if module is None:
        return render(
            request,
            "cases/forbidden.html",
            {"message": "评价功能暂未开放，请稍后再试。"},
            status=503,
        )
    form = forms.RatingForm(request.POST, tags=list(module.RATING_TAGS))
    if not form.is_valid():
        errors = {f"rating.{k}": "；".join(str(e) for e in v) for k, v in form.errors.items()}
        return _detail(request, case, errors=errors, scope="rating", status=400, rating_form=form)
    try:
        module.rating_submit(
            case=case, actor=user, level=form.cleaned_data["level"],
            tags=form.cleaned_data["tags"], reason=form.cleaned_data["reason"],
        )  # fmt: skip
    except services.CaseInvalid as exc:
        errors = {f"rating.{k}": v for k, v in exc.errors.items()}
        return _detail(request, case, errors=errors, scope="rating", status=400, rating_form=form)
    except PermissionDenied as exc:
        return forbidden(request, str(exc) or "只有申请人本人可以评价。")
    messages.success(request, "感谢您的评价！", extra_tags="rating")
    return redirect(reverse("cases:detail", args=[case.ref]) + "#rating")


# -- results and e-licences ---------------------------------------------------


def _holder(licence: ELicence, viewer: User | None = None) -> str:
    """The holder's name: a person's is masked except to the holder herself."""
    holder = licence.holder
    if holder.kind == Applicant.ENTERPRISE:
        return holder.name
    if viewer is not None and viewer.pk is not None and viewer.pk == holder.user_id:
        return holder.name
    return pii.mask_name(holder.name)


def _verify_address(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("cases:verify"))


@login_required
def result(request: HttpRequest, ref: UUID) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = case_or_404(user, ref)
    licence = (
        case.elicences.select_related("issuer", "holder").filter(revoked_at__isnull=True).first()
    )
    context = {
        "case": case,
        "licence": licence,
        "holder": _holder(licence, user) if licence else "",
        "verify_address": _verify_address(request),
        "refused": case.outcome in {Outcome.REFUSED, Outcome.NOT_ACCEPTED},
        "concluded": case.status in CONCLUDED,
    }
    return render(request, "cases/result.html", context)


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone checks a printed certificate by its verification code; no sign-in."""
    form = forms.VerifyForm(request.GET if "code" in request.GET else None)
    licence = None
    if form.is_bound and form.is_valid():
        licence = (
            ELicence.objects.select_related("issuer", "holder")
            .filter(verify_code=form.cleaned_data["code"])
            .first()
        )
    context = {
        "form": form,
        "searched": form.is_bound and form.is_valid(),
        "licence": licence,
        "holder": _holder(licence) if licence else "",
        "valid": licence.is_valid(timezone.localdate()) if licence else False,
    }
    return render(request, "cases/verify.html", context)


@login_required
def elicences(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    licences = elicences_of(user).select_related("issuer", "case")
    return render(request, "cases/elicences.html", {"licences": licences})
