"""Case actions: one function each, called alike by pages, the API, the CLI and jobs.

Each action is atomic; notifications go out after commit. Two people acting
on the same case at once cannot both succeed: every change of the workflow
bumps ``Case.workflow_rev`` with a compare-and-set UPDATE, and a task is
closed only if it is still open.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from zhili.accounts import pii
from zhili.accounts.models import Role, User
from zhili.audit.services import audit_record
from zhili.cases import deadlines, workflow
from zhili.cases.materials import MaterialInput, MaterialsInvalid, resolve
from zhili.cases.models import (
    IN_PERSON_CHANNELS,
    Applicant,
    Case,
    CaseMaterial,
    CaseStatus,
    Channel,
    ELicence,
    ItemWorkflow,
    Outcome,
    Task,
    Visit,
)
from zhili.cases.selectors import own_applicant
from zhili.catalogue import schema
from zhili.catalogue.models import ItemVersion, ServiceItem
from zhili.catalogue.selectors import village_by_code
from zhili.divisions.models import Department, Division, ServicePoint
from zhili.notify.services import notify

STAFF_CHANNELS = {Channel.WINDOW, Channel.VILLAGE_POINT}
SELF_CHANNELS = {Channel.ONLINE, Channel.MOBILE, Channel.KIOSK, Channel.API}


class CaseInvalid(ValueError):
    """Input that cannot make or move a case: {field: Chinese message}."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors


class Conflict(RuntimeError):
    """Someone else acted on this case or task first."""


# -- applicants -------------------------------------------------------------

# Who files at a hall window (窗口受理): the clerks, and an administrator standing in.
WINDOW_ROLES = {Role.CLERK, Role.ADMIN}
# The keys of an applicant's identity in CaseInvalid errors; callers rename them.
IDENTITY_FIELDS = ("applicant", "kind", "id_number", "name", "phone", "village")
NAME_MISMATCH = "姓名与证件号码不符"


def may_file_at_window(user: User) -> bool:
    return user.role in WINDOW_ROLES


def _clean_identity(kind: str, id_number: str, name: str, phone: str) -> tuple[str, str, str]:
    """The identity normalised to the standards (GB 11643, GB 32100); CaseInvalid by field."""
    errors: dict[str, str] = {}
    try:
        if kind == Applicant.PERSON:
            id_number = pii.validate_resident_id(id_number)
        elif kind == Applicant.ENTERPRISE:
            id_number = pii.validate_credit_code(id_number)
        else:
            errors["kind"] = "申请人类型应为自然人或法人"
    except ValidationError as exc:
        errors["id_number"] = "；".join(exc.messages)
    if not name.strip():
        errors["name"] = "请填写申请人姓名或名称"
    if phone:
        try:
            phone = pii.validate_phone(phone)
        except ValidationError as exc:
            errors["phone"] = "；".join(exc.messages)
    if errors:
        raise CaseInvalid(errors)
    return id_number, name.strip(), phone


def _find_applicant(kind: str, id_number: str) -> Applicant | None:
    # Every configured key: while a new index key is rolled out, old rows carry the old index.
    return Applicant.objects.filter(
        kind=kind, id_index__in=pii.blind_indexes(kind, id_number)
    ).first()


def applicant_get_or_create(
    *,
    kind: str,
    id_number: str,
    name: str,
    phone: str = "",
    user: User | None = None,
    division: Division | None = None,
) -> Applicant:
    """The applicant with this identity number, created on first use; validates to the standards.

    ``user`` is linked only to a record created here: an existing record is
    never linked, nor moved from one account to another. The phone and the
    village of a record that belongs to another account are left as they are.
    Who may file for whom is ``applicant_for_filing``.
    """
    id_number, name, phone = _clean_identity(kind, id_number, name, phone)
    found = _find_applicant(kind, id_number)
    if found is None:
        index = pii.blind_index(kind, id_number)
        try:
            with transaction.atomic():
                return Applicant.objects.create(
                    kind=kind,
                    name=name,
                    id_enc=pii.encrypt(id_number),
                    id_index=index,
                    id_masked=pii.mask_id(id_number),
                    phone_enc=pii.encrypt(phone) if phone else "",
                    phone_masked=pii.mask_phone(phone) if phone else "",
                    user=user,
                    division=division,
                )
        except IntegrityError:  # filed at the same moment by someone else
            found = Applicant.objects.get(kind=kind, id_index=index)
    if found.user_id is not None and (user is None or found.user_id != user.pk):
        return found  # another account's record: theirs to keep up to date
    changed = []
    if division is not None and found.division_id != division.pk:
        found.division = division
        changed.append("division")
    if phone and pii.mask_phone(phone) != found.phone_masked:
        found.phone_enc, found.phone_masked = pii.encrypt(phone), pii.mask_phone(phone)
        changed += ["phone_enc", "phone_masked"]
    if changed:
        found.save(update_fields=changed)
    return found


def applicant_for_filing(
    *,
    actor: User,
    kind: str,
    id_number: str,
    name: str,
    phone: str = "",
    village_code: str = "",
    field_names: dict[str, str] | None = None,
) -> Applicant:
    """Whom ``actor`` files (or uploads) for: the one rule for pages, the API and the window.

    - A citizen or an enterprise files for themself. A record that exists is
      never claimed through self-service: a number typed in is not proof of
      identity. An account holds one person's identity.
    - A village agent files for the villagers of their villages, and cannot
      move a villager of another village into theirs.
    - A clerk at the window files for whoever stands there, identity checked
      in person: found or created, never linked to an account.
    Agents and clerks must type the name the number was registered with.
    Errors are keyed by ``IDENTITY_FIELDS``, renamed through ``field_names``.
    """
    names = {f: f for f in IDENTITY_FIELDS} | (field_names or {})
    try:
        return _applicant_for(actor, kind, id_number, name, phone, village_code.strip())
    except CaseInvalid as exc:
        raise CaseInvalid({names.get(k, k): v for k, v in exc.errors.items()}) from exc


def _applicant_for(
    actor: User, kind: str, id_number: str, name: str, phone: str, village_code: str
) -> Applicant:
    agent, window = actor.role == Role.VILLAGE_AGENT, may_file_at_window(actor)
    if actor.works_in_back_office and not (agent or window):
        raise PermissionDenied("只有申请人本人、村代办员和窗口人员可以提交申请")
    if not id_number.strip():
        if agent or window:
            raise CaseInvalid({"id_number": f"请填写{'村民' if agent else '申请人'}的证件号码"})
        if kind not in {Applicant.PERSON, Applicant.ENTERPRISE}:
            raise CaseInvalid({"kind": "申请人类型应为自然人或法人"})
        own = own_applicant(actor, kind)
        if own is None:
            raise CaseInvalid({"applicant": "首次申请请填写申请人的证件号码和姓名"})
        return own
    id_number, name, phone = _clean_identity(kind, id_number, name, phone)
    found = _find_applicant(kind, id_number)
    if agent:
        return _for_villager(actor, found, kind, id_number, name, phone, village_code)
    if window:
        _check_name(found, name)
        # A village only where none is recorded: a clerk does not move villagers either.
        village = _village(village_code) if found is None or found.division_id is None else None
        return applicant_get_or_create(
            kind=kind, id_number=id_number, name=name, phone=phone, division=village
        )
    if found is not None and found.user_id != actor.pk:
        raise PermissionDenied("只能以本人身份申请：该证件号码已有登记，请到窗口核验身份后关联账号")
    if found is None and kind == Applicant.PERSON:
        if Applicant.objects.filter(user=actor, kind=kind).exists():
            raise PermissionDenied("只能以本人身份申请：您的账号已登记了本人的身份证号")
    applicant = applicant_get_or_create(
        kind=kind, id_number=id_number, name=name, phone=phone, user=actor,
        division=_village(village_code),
    )  # fmt: skip
    if applicant.user_id != actor.pk:  # registered by someone else a moment ago
        raise PermissionDenied("只能以本人身份申请：该证件号码已有登记，请到窗口核验身份后关联账号")
    return applicant


def _for_villager(
    agent: User,
    found: Applicant | None,
    kind: str,
    id_number: str,
    name: str,
    phone: str,
    village_code: str,
) -> Applicant:
    villages = list(agent.divisions.all())
    if found is not None and found.division_id is not None:
        if found.division_id not in {v.pk for v in villages}:
            raise PermissionDenied("村代办员只能为本村村民代办")
        _check_name(found, name)
        return applicant_get_or_create(kind=kind, id_number=id_number, name=name, phone=phone)
    if found is not None and found.user_id is not None:
        # Their own account's record: only they may say where they live.
        raise PermissionDenied(
            "该申请人已注册账号但未登记所在村，村代办员不能代办；请本人网上申请或到窗口办理"
        )
    _check_name(found, name)
    if village_code:
        village = next((v for v in villages if v.code == village_code), None)
        if village is None:
            raise CaseInvalid({"village": f"您不服务区划代码为“{village_code}”的村"})
    elif len(villages) == 1:
        village = villages[0]
    else:
        raise CaseInvalid({"village": "请选择村民所在的村（12位区划代码）"})
    applicant = applicant_get_or_create(
        kind=kind, id_number=id_number, name=name, phone=phone, division=village
    )
    if applicant.division_id != village.pk:  # registered elsewhere a moment ago
        raise PermissionDenied("村代办员只能为本村村民代办")
    return applicant


def _check_name(found: Applicant | None, name: str) -> None:
    """The name typed by an agent or a clerk must be the one the number was registered with."""
    if found is not None and "".join(found.name.split()) != "".join(name.split()):
        raise CaseInvalid({"name": NAME_MISMATCH})


def _village(code: str) -> Division | None:
    if not code:
        return None
    village = village_by_code(code)
    if village is None:
        raise CaseInvalid({"village": f"没有区划代码为“{code}”的村（社区）"})
    return village


def applicant_read_identity(
    *, applicant: Applicant, actor: User, reason: str, request: HttpRequest | None = None
) -> str:
    """The identity number in full, for staff with a stated reason; the reading is audited."""
    if actor.role not in {Role.CLERK, Role.REVIEWER, Role.LEADER, Role.ADMIN}:
        raise PermissionDenied("只有窗口、审批和督查人员可以查看完整证件号码")
    if len(reason.strip()) < 4:
        raise CaseInvalid({"reason": "查看完整证件号码须填写理由（至少4个字）"})
    audit_record(
        action="applicant.read_identity",
        actor=actor,
        object_type="applicant",
        object_id=str(applicant.pk),
        summary=f"查看申请人{applicant.name}的完整证件号码",
        reason=reason.strip(),
        request=request,
    )
    return applicant.id_number()


# -- filing ----------------------------------------------------------------


def _check_answers(document: dict[str, Any], answers: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for s in document.get("situations", []):
        codes = {schema.parse_option(o)[0] for o in s.get("options", [])}
        given = answers.get(s["code"])
        if given is None or given == "":
            errors[f"answers.{s['code']}"] = f"请回答“{s['question']}”"
        elif given not in codes:
            errors[f"answers.{s['code']}"] = f"“{given}”不是“{s['question']}”的选项"
    known = {s["code"] for s in document.get("situations", [])}
    for code in set(answers) - known:
        errors[f"answers.{code}"] = f"本事项没有编号为“{code}”的情形"
    return errors


def check_channel(*, version: ItemVersion, actor: User, channel: str, applicant: Applicant) -> None:
    """Who may file through which channel; raises PermissionDenied or CaseInvalid."""
    doc = version.document
    if channel not in Channel.values:
        raise CaseInvalid({"channel": f"未知的办理渠道“{channel}”"})
    if channel in SELF_CHANNELS:
        if actor.works_in_back_office:
            raise PermissionDenied("工作人员请通过窗口或代办渠道为群众申请")
        if applicant.user_id not in (None, actor.pk):
            raise PermissionDenied("只能以本人身份申请")
        if (
            channel != Channel.KIOSK
            and doc.get("online_depth") not in schema.ONLINE_DEPTHS_APPLY_ONLINE
        ):
            raise CaseInvalid({"channel": "本事项暂不支持网上申请，请到窗口或村代办点办理"})
    elif channel == Channel.VILLAGE_POINT:
        if actor.role != Role.VILLAGE_AGENT:
            raise PermissionDenied("只有村代办员可以通过村级代办渠道申请")
        if (
            applicant.division_id is None
            or not actor.divisions.filter(pk=applicant.division_id).exists()
        ):
            raise PermissionDenied("村代办员只能为本村村民代办")
        if "村级代办" not in doc.get("supports", []):
            raise CaseInvalid({"channel": "本事项不支持村级代办"})
    elif channel == Channel.WINDOW:
        if not may_file_at_window(actor):
            raise PermissionDenied("只有窗口人员可以登记窗口申请")


def _bpmn_for(item: ServiceItem) -> str:
    own = ItemWorkflow.objects.filter(item=item, active=True).values_list("bpmn", flat=True).first()
    return own or workflow.standard_bpmn()


def _new_number(now: datetime, county_code: str) -> str:
    return f"{county_code}{timezone.localtime(now):%y%m%d}{secrets.randbelow(10**10):010d}"


def case_submit(
    *,
    item: ServiceItem,
    actor: User,
    channel: str,
    applicant: Applicant,
    answers: dict[str, str],
    materials: dict[str, MaterialInput] | None = None,
    form_data: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    service_point: ServicePoint | None = None,
    bundle_application: Any = None,
    request: HttpRequest | None = None,
) -> tuple[Case, bool]:
    """File a case under the item's current version. Returns (case, created).

    The same idempotency key from the same person returns the case already
    filed instead of a second one (double clicks, network retries).
    """
    from django.conf import settings

    if idempotency_key:
        found = Case.objects.filter(filed_by=actor, idempotency_key=idempotency_key).first()
        if found is not None:
            return found, False
    if item.current_id is None:
        raise CaseInvalid({"item": "该事项尚未发布，不能申请"})
    version = item.current
    assert version is not None
    check_channel(version=version, actor=actor, channel=channel, applicant=applicant)
    doc = version.document
    answers = {k: str(v) for k, v in (answers or {}).items()}
    errors = _check_answers(doc, answers)
    now = timezone.now()
    today = timezone.localdate(now)
    rows: list[CaseMaterial] = []
    try:
        rows = resolve(
            applicant=applicant,
            materials=schema.materials_for(doc, answers),
            inputs=materials or {},
            today=today,
            at_window=channel in STAFF_CHANNELS,
        )
    except MaterialsInvalid as exc:
        errors.update({f"materials.{k}": v for k, v in exc.errors.items()})
    if errors:
        raise CaseInvalid(errors)
    xml = _bpmn_for(item)
    try:
        with transaction.atomic():
            wf = workflow.start(xml)
            case = Case.objects.create(
                number=_new_number(now, settings.ZHILI_COUNTY_CODE),
                item=item,
                version=version,
                department_id=item.department_id,
                bundle_application=bundle_application,
                channel=channel,
                applicant=applicant,
                filed_by=actor,
                division_id=applicant.division_id,
                service_point=service_point,
                answers=answers,
                form_data=form_data or {},
                status=CaseStatus.SUBMITTED,
                idempotency_key=idempotency_key or None,
                process_id=workflow.parse(xml)[0],
                workflow_state=workflow.dump(wf),
                promised_days=int(doc.get("promised_days") or 0),
                statutory_days=int(doc.get("statutory_days") or 0),
                held_for_materials=any(r.via == CaseMaterial.PROMISED for r in rows),
                materials_saved=sum(1 for r in rows if r.via == CaseMaterial.ELICENCE),
                submitted_at=now,
            )
            for r in rows:
                r.case = case
            CaseMaterial.objects.bulk_create(rows)
            _sync_tasks(case, wf, new_case=True)
            if channel in IN_PERSON_CHANNELS:
                Visit.objects.create(
                    case=case, channel=channel, service_point=service_point,
                    purpose="提交申请", recorded_by=actor,
                )  # fmt: skip
            _notify_applicant(
                case,
                "case.submitted",
                "申请已提交",
                f"您的“{item.name}”申请已提交，办件编号{case.number}。",
            )
            # Last: the audit chain's lock is then held only until the commit.
            audit_record(
                action="case.submit",
                actor=actor,
                object_type="case",
                object_id=case.number,
                summary=f"提交{item.name}申请（{case.get_channel_display()}）",
                after={
                    "status": case.status,
                    "materials": len(rows),
                    "saved": case.materials_saved,
                },
                channel=channel,
                request=request,
            )
    except IntegrityError:
        if not idempotency_key:
            raise
        return Case.objects.get(filed_by=actor, idempotency_key=idempotency_key), False
    return case, True


# -- the work queue ----------------------------------------------------------


def _department_for(case: Case, code: str) -> int:
    if not code:
        return case.department_id
    dept = Department.objects.filter(code=code).values_list("pk", flat=True).first()
    if dept is None:
        raise workflow.WorkflowInvalid([f"流程指向不存在的部门“{code}”"])
    return dept


def _sync_tasks(case: Case, wf: Any, *, new_case: bool = False) -> None:
    """Open a Task for each ready user task; cancel the ones the engine no longer offers."""
    ready = {t.id: t for t in workflow.ready_user_tasks(wf)}
    known = (
        set()
        if new_case
        else set(Task.objects.filter(case=case).values_list("spiff_id", flat=True))
    )
    new = []
    for spiff_id, t in ready.items():
        if spiff_id in known:
            continue
        owner = workflow.lane_owner(getattr(t.task_spec, "lane", None))
        new.append(
            Task(
                case=case,
                spiff_id=spiff_id,
                activity=t.task_spec.bpmn_id,
                name=t.task_spec.bpmn_name or t.task_spec.bpmn_id,
                role=owner.role,
                department_id=None
                if owner.role == "applicant"
                else _department_for(case, owner.department_code),
            )
        )
    Task.objects.bulk_create(new)
    Task.objects.filter(case=case, state=Task.OPEN).exclude(spiff_id__in=list(ready)).update(
        state=Task.CANCELLED
    )
    names = [t.task_spec.bpmn_name or t.task_spec.bpmn_id for t in ready.values()]
    case.stage = "、".join(sorted(names))[:32]


def can_act(user: User, task: Task) -> bool:
    """Whether this person may claim or complete this task."""
    if task.state != Task.OPEN:
        return False
    if task.role == "applicant":
        case = task.case
        return user.pk in {case.filed_by_id, case.applicant.user_id}
    if user.role != task.role and not (task.role == "clerk" and user.role == Role.REVIEWER):
        return False
    return (
        task.department_id is not None and user.departments.filter(pk=task.department_id).exists()
    )


def task_claim(*, task: Task, actor: User) -> Task:
    """认领: the task is the actor's until completed; a second claimer is refused."""
    if not can_act(actor, task):
        raise PermissionDenied("您不能办理此任务")
    with transaction.atomic():
        n = Task.objects.filter(pk=task.pk, state=Task.OPEN, claimed_by__isnull=True).update(
            claimed_by=actor, claimed_at=timezone.now()
        )
        if n == 0:
            task.refresh_from_db()
            if task.claimed_by_id != actor.pk:
                raise Conflict(f"该任务已由{task.claimed_by or '他人'}认领或办理")
        task.refresh_from_db()
    return task


def task_complete(
    *,
    task: Task,
    actor: User,
    action: str,
    comment: str = "",
    channel: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Complete a task with one of its actions, and run the process to its next wait."""
    if not can_act(actor, task):
        raise PermissionDenied("您不能办理此任务")
    if task.claimed_by_id not in (None, actor.pk):
        raise Conflict(f"该任务已由{task.claimed_by}认领")
    allowed = dict(workflow.actions_for(task.activity))
    if action not in allowed:
        raise CaseInvalid({"action": f"“{task.name}”环节不能执行“{action}”"})
    if action in workflow.REASON_REQUIRED and not comment.strip():
        raise CaseInvalid({"comment": f"{allowed[action]}须写明理由"})
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_related("item", "version", "applicant", "department").get(
            pk=task.case_id
        )
        if task.activity == "decide" and action == "approve" and case.held_for_materials:
            raise CaseInvalid({"action": "容缺材料尚未补齐，暂不能作出准予决定"})
        rev = case.workflow_rev
        before = {"status": case.status, "stage": case.stage}
        wf = workflow.load(case.workflow_state)
        done_before = workflow.completed_ids(wf)
        workflow.complete(wf, task.spiff_id, action=action, data={"comment": comment})
        closed = Task.objects.filter(pk=task.pk, state=Task.OPEN).update(
            state=Task.DONE, completed_by=actor, completed_at=now, action=action, comment=comment,
            claimed_by=actor, claimed_at=task.claimed_at or now,
        )  # fmt: skip
        if closed == 0:
            raise Conflict("该任务已被他人办理")
        _apply(case, task=task, action=action, comment=comment, now=now)
        if workflow.CONCLUDE in workflow.completed_ids(wf) - done_before:
            _conclude(case, now=now)
        if wf.is_completed() and case.delivered_at is None and case.status == CaseStatus.CONCLUDED:
            case.delivered_at = now
        case.workflow_state = workflow.dump(wf)
        case.wake_at = now if workflow.is_waiting(wf) else None
        _sync_tasks(case, wf)
        _save(case, rev)
        _after_action(case, task=task, action=action, comment=comment)
        audit_record(
            action=f"case.{task.activity}.{action}",
            actor=actor,
            object_type="case",
            object_id=case.number,
            summary=f"{task.name}：{allowed[action]}",
            before=before,
            after={"status": case.status, "stage": case.stage, "comment": comment},
            channel=channel,
            request=request,
        )
    return case


def timers_refresh(*, case_id: int) -> int:
    """Let a process held by a timer go on when its time has come; 1 if it moved."""
    now = timezone.now()
    with transaction.atomic():
        case = Case.objects.select_related("item", "version", "applicant", "department").get(
            pk=case_id
        )
        rev = case.workflow_rev
        wf = workflow.load(case.workflow_state)
        ready_before = {t.id for t in workflow.ready_user_tasks(wf)}
        done_before = workflow.completed_ids(wf)
        workflow.refresh(wf)
        if workflow.CONCLUDE in workflow.completed_ids(wf) - done_before:
            _conclude(case, now=now)
        moved = {t.id for t in workflow.ready_user_tasks(wf)} != ready_before
        case.workflow_state = workflow.dump(wf)
        case.wake_at = now + timedelta(minutes=5) if workflow.is_waiting(wf) else None
        _sync_tasks(case, wf)
        _save(case, rev)
    return int(moved)


def _save(case: Case, rev: int) -> None:
    """Compare-and-set: write only if nobody changed the workflow since we read it."""
    fields = {
        f.attname: getattr(case, f.attname)
        for f in Case._meta.concrete_fields
        if f.attname not in {"id", "workflow_rev", "created_at"}
    }
    fields["updated_at"] = timezone.now()
    n = Case.objects.filter(pk=case.pk, workflow_rev=rev).update(workflow_rev=rev + 1, **fields)
    if n == 0:
        raise Conflict("办件已被他人处理，请刷新后重试")
    case.workflow_rev = rev + 1


def _apply(case: Case, *, task: Task, action: str, comment: str, now: datetime) -> None:
    today = timezone.localdate(now)
    activity = task.activity
    if action == "correct":
        case.status = CaseStatus.CORRECTING
        deadlines.clock_stop(case, now=now)
    elif activity == "correct" and action == "resubmit":
        case.status = CaseStatus.IN_PROGRESS if case.accepted_at else CaseStatus.SUBMITTED
        deadlines.clock_restart(case, today=today)
    elif activity == "accept" and action == "accept":
        case.status = CaseStatus.IN_PROGRESS
        case.accepted_at = now
        deadlines.clock_start(case, today=today)
    elif activity == "accept" and action == "refuse":
        case.outcome, case.outcome_reason = Outcome.NOT_ACCEPTED, comment
    elif activity == "decide":
        case.outcome = Outcome.APPROVED if action == "approve" else Outcome.REFUSED
        case.outcome_reason = comment
    elif activity == "deliver":
        case.delivered_at = now


def _conclude(case: Case, *, now: datetime) -> None:
    """办结: the clock stops for good, and a licence is issued when the result is one."""
    case.concluded_at = now
    if case.outcome == Outcome.NOT_ACCEPTED:
        case.status = CaseStatus.NOT_ACCEPTED
    else:
        case.status = CaseStatus.CONCLUDED
        if not case.outcome:
            case.outcome = Outcome.APPROVED
    if case.outcome == Outcome.APPROVED and case.version.document.get("result_type") == "证照":
        elicence_issue(case=case, today=timezone.localdate(now))


def elicence_issue(*, case: Case, today: date) -> ELicence:
    """电子证照: issued by the deciding department, trust level A, into the library."""
    doc = case.version.document
    kind = (doc.get("result_name") or case.item.name).strip()
    number = f"{case.department.code}-{today:%Y}-{case.number[-10:]}"
    licence, _ = ELicence.objects.get_or_create(
        number=number,
        defaults={
            "kind": kind,
            "holder": case.applicant,
            "issuer": case.department,
            "case": case,
            "trust": "A",
            "issued_on": today,
            "verify_code": secrets.token_hex(6).upper(),
            "data": {
                "持证者": case.applicant.name,
                "事项": case.item.name,
                "办件编号": case.number,
            },
        },
    )
    return licence


def _notify_applicant(case: Case, kind: str, title: str, body: str) -> None:
    """The applicant hears by inbox and SMS; the village agent who filed hears too."""
    applicant = case.applicant
    link = f"/cases/{case.ref}/"
    phone = applicant.phone()
    if applicant.user_id is not None or phone:
        notify(user=applicant.user, phone=phone, kind=kind, title=title, body=body, link=link)
    if case.channel == Channel.VILLAGE_POINT and case.filed_by_id != applicant.user_id:
        notify(user=case.filed_by, kind=kind, title=f"{title}（代办）", body=body, link=link)


def _after_action(case: Case, *, task: Task, action: str, comment: str) -> None:
    name = case.item.name
    if action == "correct":
        _notify_applicant(case, "case.correct", "请补正材料", f"“{name}”需要补正：{comment}")
    elif task.activity == "accept" and action == "accept":
        _notify_applicant(
            case,
            "case.accepted",
            "申请已受理",
            f"“{name}”已受理，承诺{case.promised_days}个工作日内办结（{case.due_promised}前）。",
        )
    elif case.status == CaseStatus.NOT_ACCEPTED and task.activity == "accept":
        _notify_applicant(case, "case.not_accepted", "申请不予受理", f"“{name}”不予受理：{comment}")
    elif task.activity == "decide":
        verdict = "准予" if action == "approve" else "不予许可"
        _notify_applicant(
            case,
            "case.decided",
            f"办件已办结（{verdict}）",
            f"“{name}”已办结：{verdict}。{comment}",
        )


# -- visits and 容缺 ---------------------------------------------------------


def _department_staff(user: User, case: Case) -> bool:
    """A clerk or reviewer of the case's department (or an administrator)."""
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    return user.role in {Role.CLERK, Role.REVIEWER} and (
        user.departments.filter(pk=case.department_id).exists()
    )


def visit_channels(user: User, case: Case) -> list[str]:
    """Where ``user`` may record that the applicant came in person: the case's department at
    its window, the village agent at the service point of the case's village."""
    out: list[str] = []
    if _department_staff(user, case):
        out.append(Channel.WINDOW)
    if (
        user.role == Role.VILLAGE_AGENT
        and case.division_id is not None
        and user.divisions.filter(pk=case.division_id).exists()
    ):
        out.append(Channel.VILLAGE_POINT)
    return out


def may_supply(user: User, case: Case) -> bool:
    """补交容缺材料: the applicant's own account, whoever filed the case, or its department."""
    return user.pk in {case.applicant.user_id, case.filed_by_id} or _department_staff(user, case)


def visit_record(
    *,
    case: Case,
    actor: User,
    channel: str,
    purpose: str,
    service_point: ServicePoint | None = None,
) -> Visit:
    """The applicant came in person (to correct, to collect …): counted in visits per case."""
    if channel not in IN_PERSON_CHANNELS:
        raise CaseInvalid({"channel": "只有到窗口、自助终端或代办点才记为跑动"})
    allowed = visit_channels(actor, case)
    if channel not in allowed:
        if not allowed:
            raise PermissionDenied("只有本部门工作人员或本村代办员可以登记到场记录")
        where = "、".join(Channel(c).label for c in allowed)
        raise PermissionDenied(f"您只能登记在{where}的到场记录")
    visit = Visit.objects.create(
        case=case, channel=channel, purpose=purpose, service_point=service_point, recorded_by=actor
    )
    audit_record(
        action="case.visit", actor=actor, object_type="case", object_id=case.number,
        summary=f"到场：{purpose}", channel=channel,
    )  # fmt: skip
    return visit


def material_supply(
    *, case: Case, code: str, actor: User, upload: Any = None, paper: bool = False
) -> CaseMaterial:
    """补交容缺材料; once none is outstanding the case may be decided.

    Raises ``CaseMaterial.DoesNotExist`` when the case has no material ``code``.
    """
    from zhili.cases.materials import check_upload, store_file

    if not may_supply(actor, case):
        raise PermissionDenied("只有申请人、代办人或本部门工作人员可以补交材料")
    with transaction.atomic():
        row = CaseMaterial.objects.select_for_update().get(case=case, code=code)
        if not row.is_outstanding():
            raise CaseInvalid({f"materials.{code}": "该材料无需补交"})
        if upload is not None:
            try:
                checked = check_upload(upload)
            except ValueError as exc:
                raise CaseInvalid({f"materials.{code}": str(exc)}) from exc
            row.file = store_file(applicant=case.applicant, checked=checked, material_name=row.name)
        elif not (paper and actor.works_in_back_office):
            raise CaseInvalid({f"materials.{code}": "请上传材料"})
        row.received_at = timezone.now()
        row.save(update_fields=["file", "received_at"])
        outstanding = CaseMaterial.objects.filter(
            case=case, via=CaseMaterial.PROMISED, received_at__isnull=True
        ).exists()
        Case.objects.filter(pk=case.pk).update(held_for_materials=outstanding)
        case.held_for_materials = outstanding
        audit_record(
            action="case.material_supply", actor=actor, object_type="case",
            object_id=case.number, summary=f"补交容缺材料“{row.name}”",
        )  # fmt: skip
    return row
