"""The apply form, one for every way in: a citizen or an enterprise for themself (online,
on a phone, at a kiosk), a village agent for a villager, a clerk at the hall window for
whoever stands there (``staff_views_window``).

The form asks who applies (once for a citizen; each time for an agent or a
clerk, whose earlier identification is carried in a signed token, never as
the number), the situation questions, and how each material is provided.
Whom a case may be filed for is ``services.applicant_for_filing``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from zhili.accounts.models import Role, User
from zhili.cases import drafts, forms, services
from zhili.cases.models import Applicant, Case, Channel, StoredFile
from zhili.cases.selectors import hall_of, own_applicant
from zhili.cases.views import agent_villages, forbidden, published_item
from zhili.catalogue.models import ServiceItem
from zhili.catalogue.selectors import villages_by_town
from zhili.divisions.models import Division, ServicePoint
from zhili.web.templatetags.zhili_web import kiosk_mode

ONLINE, AGENT, WINDOW = "online", "agent", "window"
TOKEN_SALT = "zhili.cases.agent-applicant"
TOKEN_MAX_AGE = 12 * 3600  # one working day at the village point or the window


def applicant_token(actor: User, applicant: Applicant) -> str:
    return signing.dumps(applicant.pk, salt=f"{TOKEN_SALT}.{actor.pk}")


def applicant_from_token(actor: User, token: str) -> Applicant | None:
    """The applicant this agent or clerk identified earlier in this form (the number is
    never sent back); an agent's only while they are a villager of her villages."""
    if not token:
        return None
    try:
        pk = signing.loads(token, salt=f"{TOKEN_SALT}.{actor.pk}", max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    found = Applicant.objects.filter(pk=pk)
    if actor.role == Role.VILLAGE_AGENT:
        found = found.filter(division_id__in=[v.pk for v in agent_villages(actor)])
    elif not services.may_file_at_window(actor):
        return None
    return found.first()


@dataclass
class Filled:
    """What the form holds so far, shown again after an error or from a draft."""

    answers: dict[str, str]
    given: forms.Choices
    key: str
    draft: Case | None = None


class ApplyPage:
    """One apply form; ``mode`` says who fills it in: ONLINE, AGENT or WINDOW."""

    def __init__(self, request: HttpRequest, item: ServiceItem, *, mode: str) -> None:
        self.request = request
        self.user: User = request.user  # type: ignore[assignment]
        self.item = item
        assert item.current is not None
        self.doc = item.current.document
        self.mode = mode
        self.online, self.agent, self.window = mode == ONLINE, mode == AGENT, mode == WINDOW
        self.channel, self.channel_error = self._channel()
        self.kind = Applicant.ENTERPRISE if self.user.role == Role.ENTERPRISE else Applicant.PERSON
        if self.window and request.POST.get("kind") == Applicant.ENTERPRISE:
            self.kind = Applicant.ENTERPRISE
        if self.agent:
            self.villages = agent_villages(self.user)
            self.village_groups: list[tuple[Division | None, list[Division]]] = [
                (None, self.villages)
            ]
        else:
            self.village_groups = list(villages_by_town())
            self.villages = [v for _, vs in self.village_groups for v in vs]

    def _channel(self) -> tuple[str, str]:
        """(channel, what is wrong with the one the form said)."""
        if self.agent:
            return Channel.VILLAGE_POINT, ""
        if self.window:
            return Channel.WINDOW, ""
        if self.request.method == "POST":
            return forms.client_channel(self.request.POST.get("channel"))
        # The site's kiosk mode (?kiosk=1, kept by a cookie) files as the kiosk it is.
        return (Channel.KIOSK if kiosk_mode({"request": self.request}) else Channel.ONLINE), ""

    @property
    def for_someone_else(self) -> bool:
        return not self.online

    @property
    def drafts_allowed(self) -> bool:
        # At the window the applicant is standing there: the case is filed at once.
        return not self.window

    def url(self) -> str:
        name = {
            ONLINE: "cases:apply",
            AGENT: "cases:agent_file",
            WINDOW: "staff_cases:window_file",
        }[self.mode]
        return reverse(name, args=[self.item.impl_code])

    def checklist_url(self) -> str:
        name = "staff_cases:window_checklist" if self.window else "cases:checklist"
        return reverse(name, args=[self.item.impl_code])

    def case_url(self, case: Case) -> str:
        name = "staff_cases:detail" if self.window else "cases:detail"
        return reverse(name, args=[case.ref])

    def identity_form(self, data: Any = None) -> forms.IdentityForm:
        return forms.IdentityForm(
            data,
            kind=self.kind,
            villages=self.villages,
            village_required=self.agent,
            choose_kind=self.window,
        )

    def applicant(self) -> tuple[Applicant | None, dict[str, str], int]:
        """Who applies, with the errors and the status to answer them with."""
        data = self.request.POST
        if not forms.is_filled(data, "id_number", "name"):
            if self.online:
                return self._for_filing(id_number="", name="", phone="", village="")
            found = applicant_from_token(self.user, data.get("applicant_token", ""))
            if found is not None:
                self.kind = found.kind
                return found, {}, 200
            who = "村民的" if self.agent else ("申请人的" if self.window else "")
            label = (
                "证件号码"
                if self.window
                else ("统一社会信用代码" if self.kind == Applicant.ENTERPRISE else "身份证号")
            )
            return None, {"id_number": f"请填写{who}{label}"}, 400
        form = self.identity_form(data)
        if not form.is_valid():
            return None, form.error_dict(), 400
        if self.window:
            self.kind = form.cleaned_data["kind"]
        return self._for_filing(
            id_number=form.cleaned_data["id_number"],
            name=form.cleaned_data["name"],
            phone=form.cleaned_data["phone"],
            village=form.cleaned_data["village"] or "",
        )

    def _for_filing(
        self, *, id_number: str, name: str, phone: str, village: str
    ) -> tuple[Applicant | None, dict[str, str], int]:
        try:
            found = services.applicant_for_filing(
                actor=self.user, kind=self.kind, id_number=id_number, name=name, phone=phone,
                village_code=village, field_names={"applicant": "id_number"},
            )  # fmt: skip
        except services.CaseInvalid as exc:
            return None, exc.errors, 400
        except PermissionDenied as exc:
            return None, {"id_number": str(exc)}, 403
        return found, {}, 200

    def render(
        self,
        filled: Filled,
        *,
        applicant: Applicant | None,
        errors: dict[str, str] | None = None,
        status: int = 200,
        files_kept: bool = False,
    ) -> HttpResponse:
        errors = errors or {}
        answers, given = filled.answers, filled.given
        rows = forms.checklist(
            document=self.doc,
            answers=answers,
            applicant=applicant,
            today=timezone.localdate(),
            paper_allowed=self.for_someone_else,
            given=given,
            errors=errors,
        )
        context = {
            "page": self,
            "item": self.item,
            "doc": self.doc,
            "questions": forms.questions(self.doc, answers, errors),
            "rows": rows,
            "elicences_chosen": elicences_chosen(rows),
            "for_someone_else": self.for_someone_else,
            "applicant": applicant,
            "applicant_token": applicant_token(self.user, applicant)
            if self.for_someone_else and applicant
            else "",
            "identity": self.identity_form(),
            "key": filled.key,
            "draft": filled.draft,
            "errors": errors,
            "summary": _summary(errors, rows, self.doc),
            "files_dropped": bool(self.request.FILES) and bool(errors),
            "files_kept": files_kept,
            "blocked": self.channel_problem(applicant),
        }
        template = "cases/staff/window_file.html" if self.window else "cases/apply.html"
        return render(self.request, template, context, status=status)

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
        if self.window:
            return hall_of(self.user)
        if not self.agent or applicant.division_id is None:
            return None
        return ServicePoint.objects.filter(
            kind="village_point", division_id=applicant.division_id
        ).first()

    def filed_message(self, case: Case) -> str:
        if self.window:
            return f"窗口申请已登记，办件编号 {case.number}。核对材料后可直接受理。"
        return f"申请已提交，办件编号 {case.number}。"


def elicences_chosen(rows: list[forms.MaterialRow]) -> list[str]:
    """The kinds of the e-licences chosen instead of uploads (preselected when offered), for
    the note at the top of the form: the choice itself sits far down a phone's screen."""
    kinds = []
    for r in rows:
        if r.choice.startswith("elicence:"):
            chosen = next((lic for lic in r.offers if f"elicence:{lic.pk}" == r.choice), None)
            kinds.append(chosen.kind if chosen is not None else r.elicence_kind or r.name)
    return kinds


def _summary(
    errors: dict[str, str], rows: list[forms.MaterialRow], doc: dict[str, Any]
) -> list[tuple[str, str]]:
    """(anchor, sentence) for the list of problems at the top of the form."""
    names = {r.field: f"材料“{r.name}”" for r in rows}
    names |= {f"answers.{s['code']}": f"问题“{s['question']}”" for s in doc.get("situations", [])}
    names |= {
        "kind": "申请人类型",
        "id_number": "证件号码",
        "name": "姓名/名称",
        "phone": "手机号",
        "village": "所在村（社区）",
        "channel": "办理渠道",
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


def file_application(request: HttpRequest, item: ServiceItem, *, mode: str) -> HttpResponse:
    """Show the apply form (GET), or save a draft or file the case (POST)."""
    page = ApplyPage(request, item, mode=mode)
    user = page.user
    if request.method == "GET":
        draft = None
        if page.drafts_allowed:
            draft = drafts.draft_of(actor=user, ref=request.GET.get("draft", ""), item=item)
        if draft is not None:
            filled = Filled(
                dict(draft.answers), forms.Choices.from_draft(draft), forms.new_key(), draft
            )
            return page.render(filled, applicant=draft.applicant)
        applicant = own_applicant(user) if page.online else None
        answers = forms.parse_answers(page.doc, request.GET, bare=True)
        return page.render(Filled(answers, forms.Choices(), forms.new_key()), applicant=applicant)

    data = request.POST
    do = data.get("do", "submit")
    answers = forms.parse_answers(page.doc, data)
    given = forms.Choices.from_post(data)
    key = forms.clean_key(data.get("key")) or forms.new_key()
    draft = None
    if page.drafts_allowed:
        draft = drafts.draft_of(actor=user, ref=data.get("draft", ""), item=item)
    applicant, errors, status = page.applicant()
    filled = Filled(answers, given, key, draft)
    if do == "refresh":
        quiet = not forms.is_filled(data, "id_number", "name")
        return page.render(filled, applicant=applicant, errors={} if quiet else errors)
    if page.channel_error:
        errors, status = {**errors, "channel": page.channel_error}, 400
    if errors:
        return page.render(filled, applicant=applicant, errors=errors, status=status)
    assert applicant is not None
    inputs, errors = forms.material_inputs(
        document=page.doc, answers=answers, data=data, files=request.FILES
    )
    if errors:
        return page.render(filled, applicant=applicant, errors=errors, status=400)
    try:
        if do == "draft" and page.drafts_allowed:
            draft = drafts.case_draft_save(
                item=item, actor=user, channel=page.channel, applicant=applicant,
                answers=answers, materials=inputs, draft=draft, request=request,
            )  # fmt: skip
            messages.success(request, "草稿已保存，可随时回来继续填写。")
            return redirect(f"{page.url()}?draft={draft.ref}")
        case, created = drafts.case_draft_submit(
            draft=draft, item=item, actor=user, channel=page.channel, applicant=applicant,
            answers=answers, materials=inputs, idempotency_key=key,
            service_point=page.service_point(applicant), request=request,
        )  # fmt: skip
    except services.CaseInvalid as exc:
        kept = _kept_uploads(applicant, inputs, exc.errors)
        given.choices |= kept
        return page.render(
            filled, applicant=applicant, errors=exc.errors, status=400, files_kept=bool(kept)
        )
    except PermissionDenied as exc:
        return page.render(filled, applicant=applicant, errors={"__all__": str(exc)}, status=403)
    if created:
        messages.success(request, page.filed_message(case))
    return redirect(page.case_url(case))


def checklist_partial(
    request: HttpRequest, item: ServiceItem, *, applicant: Applicant | None, paper_allowed: bool
) -> HttpResponse:
    """The material checklist for the answers so far (htmx, when an answer changes)."""
    assert item.current is not None
    doc = item.current.document
    rows = forms.checklist(
        document=doc,
        answers=forms.parse_answers(doc, request.GET),
        applicant=applicant,
        today=timezone.localdate(),
        paper_allowed=paper_allowed,
        given=forms.Choices.from_post(request.GET),
    )
    context = {
        "rows": rows,
        "item": item,
        "elicences_chosen": elicences_chosen(rows),
        "for_someone_else": paper_allowed,  # agents and clerks, who file for someone else
        "oob": True,  # the note at the top of the form follows the checklist
    }
    return render(request, "cases/_checklist.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, impl_code: str) -> HttpResponse:
    item = published_item(impl_code)
    user: User = request.user  # type: ignore[assignment]
    if user.role == Role.VILLAGE_AGENT:
        return redirect("cases:agent_file", impl_code=impl_code)
    if user.works_in_back_office:
        return forbidden(request, "工作人员请在工作台通过窗口渠道为群众登记申请。")
    return file_application(request, item, mode=ONLINE)


@login_required
@require_GET
def checklist(request: HttpRequest, impl_code: str) -> HttpResponse:
    item = published_item(impl_code)
    user: User = request.user  # type: ignore[assignment]
    agent = user.role == Role.VILLAGE_AGENT
    if agent:
        applicant = applicant_from_token(user, request.GET.get("applicant_token", ""))
    elif user.works_in_back_office:
        return forbidden(request, "工作人员请在工作台办理。")
    else:
        applicant = own_applicant(user)
    return checklist_partial(request, item, applicant=applicant, paper_allowed=agent)
