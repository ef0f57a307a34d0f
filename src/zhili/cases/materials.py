"""申请材料: uploads checked by content, stored once per applicant, e-licences offered instead.

Which e-licence may stand in for a material depends on its trust level:

- A (issued by the department) and B (checked by a clerk): used directly;
- C (uploaded by the applicant): accepted, but the original is checked at the window;
- D (self-declared): only where the material is not required (非必要) or is filled in online.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from zhili.cases.models import Applicant, CaseMaterial, ELicence, StoredFile

# Content types a material may have, by what the bytes are (not the file name).
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPG",
    "image/png": "PNG",
}
ALLOWED_LABEL = "、".join(ALLOWED_TYPES.values())


class MaterialsInvalid(ValueError):
    """What is wrong with which material: {material code: Chinese message}."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(f"{k}：{v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class MaterialInput:
    """How the applicant (or the clerk) provides one material."""

    code: str
    upload: UploadedFile | None = None
    file_id: int | None = None  # a file this applicant stored before
    elicence_id: int | None = None
    paper: bool = False  # the clerk received the paper original at the window
    promise_by: date | None = None  # 容缺受理: the date the applicant promises to bring it


@dataclass
class CheckedFile:
    name: str
    mime: str
    content: bytes
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        self.sha256 = hashlib.sha256(self.content).hexdigest()


def check_upload(upload: UploadedFile) -> CheckedFile:
    """The file's bytes, if they are an allowed type within the size limit; else ValueError."""
    limit = settings.ZHILI_UPLOAD_MAX_MB * 1024 * 1024
    size = upload.size or 0
    if size == 0:
        raise ValueError("文件是空的")
    if size > limit:
        raise ValueError(
            f"文件大小 {size / 1048576:.1f} MB，超过 {settings.ZHILI_UPLOAD_MAX_MB} MB 的上限"
        )
    content = upload.read()
    kind = filetype.guess(content)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        found = kind.mime if kind else "无法识别的内容"
        raise ValueError(f"文件内容不是 {ALLOWED_LABEL}（检测到：{found}），请上传扫描件或照片")
    return CheckedFile(name=upload.name or "材料", mime=kind.mime, content=content)


def store_file(*, applicant: Applicant, checked: CheckedFile, material_name: str) -> StoredFile:
    """Store once per applicant: the same bytes again return the stored file."""
    existing = StoredFile.objects.filter(applicant=applicant, sha256=checked.sha256).first()
    if existing is not None:
        return existing
    stored = StoredFile(
        applicant=applicant,
        sha256=checked.sha256,
        original_name=checked.name[:255],
        mime=checked.mime,
        size=len(checked.content),
        material_name=material_name,
    )
    ext = ALLOWED_TYPES[checked.mime].lower()
    stored.file.save(f"{checked.sha256[:16]}.{ext}", ContentFile(checked.content), save=False)
    try:
        with transaction.atomic():
            stored.save()
    except IntegrityError:
        stored.file.delete(save=False)
        return StoredFile.objects.get(applicant=applicant, sha256=checked.sha256)
    return stored


def elicence_may_replace(
    licence: ELicence, material: dict[str, Any], *, today: date
) -> tuple[bool, bool, str]:
    """(may replace, original must be checked, why not) for an e-licence and a material."""
    wanted = (material.get("elicence") or "").strip()
    if not wanted or licence.kind != wanted:
        return False, False, f"该材料不能用“{licence.kind}”替代"
    if not licence.is_valid(today):
        return False, False, "电子证照已注销或已过期"
    if licence.trust in {"A", "B"}:
        return True, False, ""
    if licence.trust == "C":
        return True, True, ""
    if material.get("necessity") != "必要" or material.get("source") == "在线填报":
        return True, False, ""
    return False, False, "D级（自行声明）证照不能替代必要材料"


def offers(
    applicant: Applicant | None, materials: list[dict[str, Any]], *, today: date
) -> dict[str, list[ELicence]]:
    """The applicant's e-licences that may stand in for each material (免提交)."""
    if applicant is None:
        return {}
    kinds = {m["elicence"] for m in materials if m.get("elicence")}
    if not kinds:
        return {}
    licences = list(
        ELicence.objects.filter(holder=applicant, kind__in=kinds, revoked_at__isnull=True)
    )
    out: dict[str, list[ELicence]] = {}
    for m in materials:
        usable = [lic for lic in licences if elicence_may_replace(lic, m, today=today)[0]]
        if usable:
            out[m["code"]] = usable
    return out


def resolve(
    *,
    applicant: Applicant,
    materials: list[dict[str, Any]],
    inputs: dict[str, MaterialInput],
    today: date,
    at_window: bool,
) -> list[CaseMaterial]:
    """Unsaved CaseMaterial rows for every applicable material; raises MaterialsInvalid.

    Required materials (必要) must be provided; 容缺后补 ones may be promised
    with a date; optional ones may be left out.
    """
    errors: dict[str, str] = {}
    rows: list[CaseMaterial] = []
    known = _Known.of(applicant, inputs)
    unknown = set(inputs) - {m["code"] for m in materials}
    for code in sorted(unknown):
        errors[code] = "本事项在所选情形下不需要此材料"
    for m in materials:
        code, necessity = m["code"], m.get("necessity", "必要")
        given = inputs.get(code)
        row = CaseMaterial(code=code, name=m["name"], necessity=necessity)
        try:
            if given is None or not _provided(given):
                if necessity == "非必要":
                    continue
                if necessity == "容缺后补":
                    raise ValueError("此为容缺材料：请上传，或填写承诺补交日期")
                raise ValueError("必要材料，请上传或选择电子证照")
            _fill(
                row,
                given,
                applicant=applicant,
                known=known,
                material=m,
                today=today,
                at_window=at_window,
            )
        except ValueError as exc:
            errors[code] = str(exc)
            continue
        rows.append(row)
    if errors:
        raise MaterialsInvalid(errors)
    return rows


def _provided(given: MaterialInput) -> bool:
    return bool(
        given.upload or given.file_id or given.elicence_id or given.paper or given.promise_by
    )


@dataclass
class _Known:
    """The applicant's e-licences and stored files the inputs name, read in two queries."""

    licences: dict[int, ELicence]
    files: dict[int, StoredFile]

    @classmethod
    def of(cls, applicant: Applicant, inputs: dict[str, MaterialInput]) -> _Known:
        lic_ids = [i.elicence_id for i in inputs.values() if i.elicence_id]
        file_ids = [i.file_id for i in inputs.values() if i.file_id and not i.elicence_id]
        licences = ELicence.objects.filter(pk__in=lic_ids, holder=applicant) if lic_ids else []
        files = StoredFile.objects.filter(pk__in=file_ids, applicant=applicant) if file_ids else []
        return cls({x.pk: x for x in licences}, {x.pk: x for x in files})


def _fill(
    row: CaseMaterial,
    given: MaterialInput,
    *,
    applicant: Applicant,
    known: _Known,
    material: dict[str, Any],
    today: date,
    at_window: bool,
) -> None:
    if given.elicence_id:
        licence = known.licences.get(given.elicence_id)
        if licence is None:
            raise ValueError("所选电子证照不属于申请人")
        ok, needs_check, why = elicence_may_replace(licence, material, today=today)
        if not ok:
            raise ValueError(why)
        row.via, row.elicence, row.needs_check = CaseMaterial.ELICENCE, licence, needs_check
    elif given.upload is not None:
        checked = check_upload(given.upload)
        row.via = CaseMaterial.UPLOAD
        row.file = store_file(applicant=applicant, checked=checked, material_name=row.name)
    elif given.file_id:
        stored = known.files.get(given.file_id)
        if stored is None:
            raise ValueError("所选的已交材料不属于申请人")
        row.via, row.file = CaseMaterial.REUSED, stored
    elif given.paper:
        if not at_window:
            raise ValueError("只有窗口或代办点工作人员可以登记纸质材料")
        row.via = CaseMaterial.PAPER
    elif given.promise_by:
        if row.necessity != "容缺后补":
            raise ValueError("该材料不在容缺受理范围内，不能承诺后补")
        if given.promise_by <= today:
            raise ValueError("承诺补交日期应晚于今天")
        row.via, row.promised_by = CaseMaterial.PROMISED, given.promise_by
