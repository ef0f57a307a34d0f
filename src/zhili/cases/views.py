"""Applicant and village-agent pages, mounted at /cases/.

Apply (with the material checklist the situation answers call for), keep a
draft, follow a case on its timeline, send materials for 补正, print the
result, rate; a village agent files for the villagers of their villages.
Every case page looks the case up through ``case_for`` (404 for anyone it
is not visible to); every write is one service call. Forms work as plain
HTML; htmx only refreshes the checklist when an answer changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from types import ModuleType
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhili.accounts import pii
from zhili.accounts.models import Role, User
from zhili.cases import drafts, forms, services, workflow
from zhili.cases.models import (
    Applicant,
    Case,
    CaseMaterial,
    CaseStatus,
    Channel,
    ELicence,
    Outcome,
    StoredFile,
    Task,
)
from zhili.cases.selectors import applicant_tasks, case_for, cases_visible_to, elicences_of
from zhili.catalogue import schema
from zhili.catalogue.models import ServiceItem
from zhili.catalogue.selectors import villages_by_town
from zhili.divisions.models import Division, ServicePoint
from zhili.workdays.calendar import CalendarNotCovered

CONCLUDED = {CaseStatus.CONCLUDED, CaseStatus.NOT_ACCEPTED}
TOKEN_SALT = "zhili.cases.agent-applicant"
TOKEN_MAX_AGE = 12 * 3600  # one working day at the village point


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "cases/forbidden.html", {"message": message}, status=403)


def _published_item(impl_code: str) -> ServiceItem:
    item = get_object_or_404(
        ServiceItem.objects.select_related("current", "department"), impl_code=impl_code
    )
    if item.current is None:
        raise Http404("该事项尚未发布")
    return item


def _case_or_404(user: User, ref: UUID) -> Case:
    case = case_for(user, str(ref))
    if case is None or case.status == CaseStatus.DRAFT:
        raise Http404("没有找到这个办件")
    return case


def _is_applicant_side(user: User, case: Case) -> bool:
    """The applicant's account, or whoever filed for them (a village agent)."""
    return user.pk in {case.filed_by_id, case.applicant.user_id}


# -- applying ----------------------------------------------------------------


def _own_applicant(user: User) -> Applicant | None:
    kind = Applicant.ENTERPRISE if user.role == Role.ENTERPRISE else Applicant.PERSON
    return Applicant.objects.filter(user=user, kind=kind).order_by("created_at").first()


def _agent_villages(user: User) -> list[Division]:
    return list(user.divisions.filter(level="village").order_by("code"))


def _applicant_token(agent: User, applicant: Applicant) -> str:
    return signing.dumps(applicant.pk, salt=f"{TOKEN_SALT}.{agent.pk}")


def _applicant_from_token(agent: User, token: str) -> Applicant | None:
    """The villager this agent identified earlier in this form (the number is never sent back)."""
    if not token:
        return None
    try:
        pk = signing.loads(token, salt=f"{TOKEN_SALT}.{agent.pk}", max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    villages = [v.pk for v in _agent_villages(agent)]
    return Applicant.objects.filter(pk=pk, division_id__in=villages).first()


@dataclass
class Filled:
    """What the form holds so far, shown again after an error or from a draft."""

    answers: dict[str, str]
    given: forms.Choices
    key: str
    draft: Case | None = None


class ApplyPage:
    """One apply form: a citizen or enterprise online, or a village agent for a villager."""

    def __init__(self, request: HttpRequest, item: ServiceItem, *, agent: bool) -> None:
        self.request = request
        self.user: User = request.user  # type: ignore[assignment]
        self.item = item
        assert item.current is not None
        self.doc = item.current.document
        self.agent = agent
        self.channel = Channel.VILLAGE_POINT if agent else Channel.ONLINE
        self.kind = Applicant.ENTERPRISE if self.user.role == Role.ENTERPRISE else Applicant.PERSON
        if agent:
            self.villages = _agent_villages(self.user)
            self.village_groups: list[tuple[Division | None, list[Division]]] = [
                (None, self.villages)
            ]
        else:
            self.village_groups = list(villages_by_town())
            self.villages = [v for _, vs in self.village_groups for v in vs]

    def identity_form(self, data: Any = None) -> forms.IdentityForm:
        return forms.IdentityForm(
            data, kind=self.kind, villages=self.villages, village_required=self.agent
        )

    def applicant(self) -> tuple[Applicant | None, dict[str, str]]:
        """Who applies, from the account, the agent's earlier step, or the identity fields."""
        data = self.request.POST
        if not self.agent:
            own = _own_applicant(self.user)
            if own is not None:
                return own, {}
        elif not forms.is_filled(data, "id_number"):
            found = _applicant_from_token(self.user, data.get("applicant_token", ""))
            if found is not None:
                return found, {}
        if not forms.is_filled(data, "id_number", "name"):
            who = "村民的" if self.agent else ""
            label = "统一社会信用代码" if self.kind == Applicant.ENTERPRISE else "身份证号"
            return None, {"id_number": f"请填写{who}{label}"}
        form = self.identity_form(data)
        if not form.is_valid():
            return None, form.error_dict()
        try:
            found = services.applicant_get_or_create(
                kind=self.kind,
                id_number=form.cleaned_data["id_number"],
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                user=None if self.agent else self.user,
                division=form.chosen_village(),
            )
        except services.CaseInvalid as exc:
            return None, exc.errors
        return found, {}

    def render(
        self,
        filled: Filled,
        *,
        applicant: Applicant | None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        errors = errors or {}
        answers, given = filled.answers, filled.given
        rows = forms.checklist(
            document=self.doc,
            answers=answers,
            applicant=applicant,
            today=timezone.localdate(),
            paper_allowed=self.agent,
            given=given,
            errors=errors,
        )
        context = {
            "page": self,
            "item": self.item,
            "doc": self.doc,
            "questions": forms.questions(self.doc, answers, errors),
            "rows": rows,
            "applicant": applicant,
            "applicant_token": _applicant_token(self.user, applicant)
            if self.agent and applicant
            else "",
            "identity": self.identity_form(),
            "key": filled.key,
            "draft": filled.draft,
            "errors": errors,
            "summary": _summary(errors, rows, self.doc),
            "files_dropped": bool(self.request.FILES) and bool(errors),
            "blocked": self.channel_problem(applicant),
        }
        return render(self.request, "cases/apply.html", context, status=status)

    def channel_problem(self, applicant: Applicant | None) -> str:
        """Why this person cannot file this item through this channel, said before they fill it in."""
        assert self.item.current is not None
        probe = applicant or Applicant(
            kind=self.kind, division=self.villages[0] if self.agent and self.villages else None
        )  # unsaved: only to ask check_channel before the applicant is known
        try:
            services.check_channel(
                version=self.item.current, actor=self.user, channel=self.channel, applicant=probe
            )
        except services.CaseInvalid as exc:
            return "；".join(exc.errors.values())
        except PermissionDenied as exc:
            return str(exc)
        return ""

    def service_point(self, applicant: Applicant) -> ServicePoint | None:
        if not self.agent or applicant.division_id is None:
            return None
        return ServicePoint.objects.filter(
            kind="village_point", division_id=applicant.division_id
        ).first()


def _summary(
    errors: dict[str, str], rows: list[forms.MaterialRow], doc: dict[str, Any]
) -> list[tuple[str, str]]:
    """(anchor, sentence) for the list of problems at the top of the form."""
    names = {r.field: f"材料“{r.name}”" for r in rows}
    names |= {f"answers.{s['code']}": f"问题“{s['question']}”" for s in doc.get("situations", [])}
    names |= {
        "id_number": "证件号码",
        "name": "姓名/名称",
        "phone": "手机号",
        "village": "所在村（社区）",
    }
    out = []
    for key, message in errors.items():
        label = names.get(key)
        out.append(("f-" + key.replace(".", "-"), f"{label}：{message}" if label else message))
    return out


def _kept_uploads(
    applicant: Applicant, inputs: dict[str, Any], errors: dict[str, str]
) -> dict[str, str]:
    """Files of a failed attempt that were fine and stored: chosen again, not uploaded again."""
    kept = {}
    for code, given in inputs.items():
        if given.upload is None or f"materials.{code}" in errors:
            continue
        given.upload.seek(0)
        sha = hashlib.sha256(given.upload.read()).hexdigest()
        stored = (
            StoredFile.objects.filter(applicant=applicant, sha256=sha)
            .values_list("pk", flat=True)
            .first()
        )
        if stored is not None:
            kept[code] = f"file:{stored}"
    return kept


def _apply(request: HttpRequest, item: ServiceItem, *, agent: bool) -> HttpResponse:
    page = ApplyPage(request, item, agent=agent)
    user = page.user
    if request.method == "GET":
        draft = drafts.draft_of(actor=user, ref=request.GET.get("draft", ""), item=item)
        if draft is not None:
            filled = Filled(
                dict(draft.answers), forms.Choices.from_draft(draft), forms.new_key(), draft
            )
            return page.render(filled, applicant=draft.applicant)
        applicant = None if agent else _own_applicant(user)
        answers = forms.parse_answers(page.doc, request.GET, bare=True)
        return page.render(Filled(answers, forms.Choices(), forms.new_key()), applicant=applicant)

    data = request.POST
    do = data.get("do", "submit")
    answers = forms.parse_answers(page.doc, data)
    given = forms.Choices.from_post(data)
    key = forms.clean_key(data.get("key")) or forms.new_key()
    draft = drafts.draft_of(actor=user, ref=data.get("draft", ""), item=item)
    applicant, errors = page.applicant()
    filled = Filled(answers, given, key, draft)
    if do == "refresh":
        quiet = not forms.is_filled(data, "id_number", "name")
        return page.render(applicant=applicant, errors={} if quiet else errors, filled=filled)
    if applicant is None:
        return page.render(applicant=None, errors=errors, status=400, filled=filled)
    inputs, errors = forms.material_inputs(
        document=page.doc, answers=answers, data=data, files=request.FILES
    )
    if errors:
        return page.render(applicant=applicant, errors=errors, status=400, filled=filled)
    try:
        if do == "draft":
            draft = drafts.case_draft_save(
                item=item, actor=user, channel=page.channel, applicant=applicant,
                answers=answers, materials=inputs, draft=draft, request=request,
            )  # fmt: skip
            messages.success(request, "草稿已保存，可随时回来继续填写。")
            url = reverse("cases:agent_file" if agent else "cases:apply", args=[item.impl_code])
            return redirect(f"{url}?draft={draft.ref}")
        case, created = drafts.case_draft_submit(
            draft=draft, item=item, actor=user, channel=page.channel, applicant=applicant,
            answers=answers, materials=inputs, idempotency_key=key,
            service_point=page.service_point(applicant), request=request,
        )  # fmt: skip
    except services.CaseInvalid as exc:
        given.choices |= _kept_uploads(applicant, inputs, exc.errors)
        return page.render(applicant=applicant, errors=exc.errors, status=400, filled=filled)
    except PermissionDenied as exc:
        return page.render(
            applicant=applicant, errors={"__all__": str(exc)}, status=403, filled=filled
        )
    if created:
        messages.success(request, f"申请已提交，办件编号 {case.number}。")
    return redirect("cases:detail", ref=case.ref)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, impl_code: str) -> HttpResponse:
    item = _published_item(impl_code)
    user: User = request.user  # type: ignore[assignment]
    if user.role == Role.VILLAGE_AGENT:
        return redirect("cases:agent_file", impl_code=impl_code)
    if user.works_in_back_office:
        return _forbidden(request, "工作人员请在工作台通过窗口渠道为群众登记申请。")
    return _apply(request, item, agent=False)


@login_required
@require_GET
def checklist(request: HttpRequest, impl_code: str) -> HttpResponse:
    """The material checklist for the answers so far (htmx, when an answer changes)."""
    item = _published_item(impl_code)
    user: User = request.user  # type: ignore[assignment]
    assert item.current is not None
    agent = user.role == Role.VILLAGE_AGENT
    if agent:
        applicant = _applicant_from_token(user, request.GET.get("applicant_token", ""))
    elif user.works_in_back_office:
        return _forbidden(request, "工作人员请在工作台办理。")
    else:
        applicant = _own_applicant(user)
    doc = item.current.document
    rows = forms.checklist(
        document=doc,
        answers=forms.parse_answers(doc, request.GET),
        applicant=applicant,
        today=timezone.localdate(),
        paper_allowed=agent,
        given=forms.Choices.from_post(request.GET),
    )
    return render(request, "cases/_checklist.html", {"rows": rows, "item": item})


# -- the applicant's cases -----------------------------------------------------


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
            add(t.completed_at, f"{t.name}：{_label(t.activity, t.action)}", t.comment, kind)
            if who:
                events[-1]["who"] = who
    for m in case.materials.filter(via=CaseMaterial.PROMISED, received_at__isnull=False):
        add(m.received_at, f"补交容缺材料：{m.name}")
    if case.concluded_at:
        add(case.concluded_at, f"办结：{case.get_outcome_display()}", "", "conclude")
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
    side = _is_applicant_side(user, case)
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
        "can_supply": side and case.is_open(),
        "paper_allowed": side and user.works_in_back_office,
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
    return _detail(request, _case_or_404(user, ref))


def _channel_of(user: User) -> str:
    return Channel.VILLAGE_POINT if user.role == Role.VILLAGE_AGENT else Channel.ONLINE


@login_required
@require_POST
def correct(request: HttpRequest, ref: UUID) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = _case_or_404(user, ref)
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
        return _forbidden(request, str(exc) or "您不能为该办件提交补正材料。")
    messages.success(request, "补正材料已提交，办件继续办理。")
    return redirect("cases:detail", ref=case.ref)


@login_required
@require_POST
def supply(request: HttpRequest, ref: UUID, code: str) -> HttpResponse:
    """补交容缺材料."""
    user: User = request.user  # type: ignore[assignment]
    case = _case_or_404(user, ref)
    if not _is_applicant_side(user, case):
        return _forbidden(request, "只有申请人或代办人可以补交材料。")
    upload = request.FILES.get(f"materials.{code}.file")
    paper = request.POST.get(f"materials.{code}") == "paper"
    try:
        services.material_supply(case=case, code=code, actor=user, upload=upload, paper=paper)
    except CaseMaterial.DoesNotExist:
        raise Http404("本办件没有这项材料") from None
    except services.CaseInvalid as exc:
        return _detail(request, case, errors=exc.errors, scope="supply", status=400)
    messages.success(request, "材料已补交。")
    return redirect("cases:detail", ref=case.ref)


@login_required
@require_POST
def rate(request: HttpRequest, ref: UUID) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = _case_or_404(user, ref)
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
        return _forbidden(request, str(exc) or "只有申请人本人可以评价。")
    messages.success(request, "感谢您的评价！")
    return redirect("cases:detail", ref=case.ref)


# -- results and e-licences ---------------------------------------------------


def _holder(licence: ELicence) -> str:
    holder = licence.holder
    return holder.name if holder.kind == Applicant.ENTERPRISE else pii.mask_name(holder.name)


def _verify_url(request: HttpRequest, licence: ELicence) -> str:
    return request.build_absolute_uri(reverse("cases:verify")) + f"?code={licence.verify_code}"


@login_required
def result(request: HttpRequest, ref: UUID) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = _case_or_404(user, ref)
    licence = (
        case.elicences.select_related("issuer", "holder").filter(revoked_at__isnull=True).first()
    )
    context = {
        "case": case,
        "licence": licence,
        "holder": _holder(licence) if licence else "",
        "verify_url": _verify_url(request, licence) if licence else "",
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


# -- village agents ------------------------------------------------------------


def _agent_only(request: HttpRequest) -> HttpResponse | None:
    user: User = request.user  # type: ignore[assignment]
    if user.role != Role.VILLAGE_AGENT:
        return _forbidden(request, "此页面供村代办员使用。")
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
        "villages": _agent_villages(user),
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
    return _apply(request, _published_item(impl_code), agent=True)
