"""The applicant's side of a case besides filing it: drafts, and materials sent in for 补正.

A draft is a ``Case`` with status ``draft``: no workflow, no number the
public sees, no deadline. It keeps the situation answers and how each
material is to be provided; files attached to a draft are stored at once
(``StoredFile``) so a phone upload is never lost, and the submitted case
reuses them. Submitting files the real case through ``case_submit`` and
then deletes the draft, so a draft never becomes half a case.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from zhili.accounts.models import User
from zhili.audit.services import audit_record
from zhili.cases.materials import MaterialInput, check_upload, store_file
from zhili.cases.models import Applicant, Case, CaseMaterial, CaseStatus, ELicence, StoredFile, Task
from zhili.cases.services import (
    CaseInvalid,
    Conflict,
    can_act,
    case_submit,
    check_channel,
    task_complete,
)
from zhili.catalogue import schema
from zhili.catalogue.models import ServiceItem

__all__ = [
    "case_correct",
    "case_draft_save",
    "case_draft_submit",
    "draft_of",
]


def _known_answers(document: dict[str, Any], answers: dict[str, str]) -> dict[str, str]:
    """Only the answers that are options of this item's questions: a draft may be half done."""
    out = {}
    for s in document.get("situations", []):
        codes = {schema.parse_option(o)[0] for o in s.get("options", [])}
        given = str(answers.get(s["code"], ""))
        if given in codes:
            out[s["code"]] = given
    return out


def _draft_materials(
    *, applicant: Applicant, document: dict[str, Any], materials: dict[str, MaterialInput]
) -> dict[str, dict[str, Any]]:
    """How each material will be provided, with uploads stored now; raises CaseInvalid."""
    names = {m["code"]: m["name"] for m in document.get("materials", [])}
    errors: dict[str, str] = {}
    out: dict[str, dict[str, Any]] = {}
    for code, given in materials.items():
        if code not in names:
            errors[f"materials.{code}"] = "本事项没有这项材料"
            continue
        if given.upload is not None:
            try:
                checked = check_upload(given.upload)
            except ValueError as exc:
                errors[f"materials.{code}"] = str(exc)
                continue
            stored = store_file(applicant=applicant, checked=checked, material_name=names[code])
            out[code] = {"file_id": stored.pk}
        elif (
            given.file_id
            and StoredFile.objects.filter(pk=given.file_id, applicant=applicant).exists()
        ):
            out[code] = {"file_id": given.file_id}
        elif (
            given.elicence_id
            and ELicence.objects.filter(pk=given.elicence_id, holder=applicant).exists()
        ):
            out[code] = {"elicence_id": given.elicence_id}
        elif given.promise_by:
            out[code] = {"promise_by": given.promise_by.isoformat()}
        elif given.paper:
            out[code] = {"paper": True}
    if errors:
        raise CaseInvalid(errors)
    return out


def draft_of(*, actor: User, ref: str, item: ServiceItem | None = None) -> Case | None:
    """The actor's own draft with this access code (for this item), or None."""
    qs = Case.objects.select_related("applicant", "item").filter(
        filed_by=actor, status=CaseStatus.DRAFT
    )
    if item is not None:
        qs = qs.filter(item=item)
    try:
        return qs.filter(ref=ref).first()
    except (ValueError, ValidationError):  # not a UUID
        return None


def case_draft_save(
    *,
    item: ServiceItem,
    actor: User,
    channel: str,
    applicant: Applicant,
    answers: dict[str, str],
    materials: dict[str, MaterialInput] | None = None,
    draft: Case | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """保存草稿: create or update the actor's draft; uploads are stored, nothing is filed."""
    version = item.current
    if version is None:
        raise CaseInvalid({"item": "该事项尚未发布，不能申请"})
    check_channel(version=version, actor=actor, channel=channel, applicant=applicant)
    if draft is not None and (
        draft.filed_by_id != actor.pk
        or draft.status != CaseStatus.DRAFT
        or draft.item_id != item.pk
    ):
        raise PermissionDenied("这不是您的草稿")
    doc = version.document
    saved = _draft_materials(applicant=applicant, document=doc, materials=materials or {})
    fields = {
        "version": version,
        "department_id": item.department_id,
        "channel": channel,
        "applicant": applicant,
        "division_id": applicant.division_id,
        "answers": _known_answers(doc, answers),
        "form_data": {"draft": {"materials": saved}},
    }
    with transaction.atomic():
        if draft is None:
            draft = Case.objects.create(
                number=f"DRAFT-{secrets.token_hex(10)}",
                item=item,
                filed_by=actor,
                status=CaseStatus.DRAFT,
                **fields,
            )
        else:
            for name, value in fields.items():
                setattr(draft, name, value)
            draft.save(update_fields=[*(f.removesuffix("_id") for f in fields), "updated_at"])
        audit_record(
            action="case.draft_save",
            actor=actor,
            object_type="case",
            object_id=str(draft.ref),
            summary=f"保存{item.name}申请草稿",
            channel=channel,
            request=request,
        )
    return draft


def case_draft_submit(
    *,
    draft: Case | None,
    item: ServiceItem,
    actor: User,
    channel: str,
    applicant: Applicant,
    answers: dict[str, str],
    materials: dict[str, MaterialInput],
    idempotency_key: str | None,
    service_point: Any = None,
    request: HttpRequest | None = None,
) -> tuple[Case, bool]:
    """File the case (``case_submit``), then drop the draft it was written in."""
    case, created = case_submit(
        item=item,
        actor=actor,
        channel=channel,
        applicant=applicant,
        answers=answers,
        materials=materials,
        idempotency_key=idempotency_key,
        service_point=service_point,
        request=request,
    )
    if draft is not None and draft.filed_by_id == actor.pk:
        Case.objects.filter(pk=draft.pk, status=CaseStatus.DRAFT).delete()
    return case, created


# -- 补正 --------------------------------------------------------------------


def case_correct(
    *,
    case: Case,
    actor: User,
    uploads: dict[str, UploadedFile],
    note: str = "",
    channel: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """提交补正材料: replace the named materials with new uploads and resubmit.

    Files are checked and stored before the transaction (slow I/O); the
    material rows and the workflow move together or not at all. A second
    submission finds no open correction task and is refused (``Conflict``).
    """
    task = Task.objects.filter(case=case, state=Task.OPEN, role="applicant").first()
    if task is None:
        raise Conflict("补正材料已经提交，无需重复提交")
    if not can_act(actor, task):
        raise PermissionDenied("只有申请人或代办人可以提交补正材料")
    if not uploads:
        raise CaseInvalid({"materials": "请至少上传一份补正材料"})
    applicable = {m["code"]: m for m in schema.materials_for(case.document(), case.answers)}
    errors: dict[str, str] = {}
    checked = {}
    for code, upload in uploads.items():
        if code not in applicable:
            errors[f"materials.{code}"] = "本办件没有这项材料"
            continue
        try:
            checked[code] = check_upload(upload)
        except ValueError as exc:
            errors[f"materials.{code}"] = str(exc)
    if errors:
        raise CaseInvalid(errors)
    stored = {
        code: store_file(
            applicant=case.applicant, checked=c, material_name=applicable[code]["name"]
        )
        for code, c in checked.items()
    }
    now = timezone.now()
    with transaction.atomic():
        for code, file in stored.items():
            m = applicable[code]
            row = CaseMaterial.objects.select_for_update().filter(case=case, code=code).first()
            if row is None:
                row = CaseMaterial(
                    case=case, code=code, name=m["name"], necessity=m.get("necessity", "必要")
                )
            if not row.is_outstanding():
                # A 容缺 material keeps its promise on record; anything else is now an upload.
                row.via, row.elicence, row.needs_check = CaseMaterial.UPLOAD, None, False
            row.file, row.received_at = file, now
            row.save()
        rows = CaseMaterial.objects.filter(case=case)
        Case.objects.filter(pk=case.pk).update(
            held_for_materials=rows.filter(
                via=CaseMaterial.PROMISED, received_at__isnull=True
            ).exists(),
            materials_saved=rows.filter(via=CaseMaterial.ELICENCE).count(),
        )
        audit_record(
            action="case.correct",
            actor=actor,
            object_type="case",
            object_id=case.number,
            summary="提交补正材料：" + "、".join(applicable[c]["name"] for c in stored),
            channel=channel,
            request=request,
        )
        return task_complete(
            task=task,
            actor=actor,
            action="resubmit",
            comment=note.strip(),
            channel=channel,
            request=request,
        )
