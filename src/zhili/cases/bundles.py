"""一件事一次办: one application files the linked cases of every item of a bundle.

The applicant answers each item's situations and hands in the bundle's
materials once: a material that several items ask for under the same name
(the rule of ``zhili.catalogue.selectors.bundle_materials``) is one entry of
the checklist, posted under its shared key and given to each item under that
item's own material code. Either every case is filed or none is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest

from zhili.accounts.models import User
from zhili.audit.services import audit_record
from zhili.cases import services
from zhili.cases.materials import MaterialInput, check_upload, store_file
from zhili.cases.models import Applicant, BundleApplication, Case, CaseMaterial, Channel
from zhili.cases.services import CaseInvalid
from zhili.catalogue import selectors as catalogue_selectors
from zhili.catalogue.models import Bundle, ServiceItem
from zhili.catalogue.selectors import MaterialRow, _material_key
from zhili.divisions.models import ServicePoint

# The strictest wins when items disagree: 必要 before 容缺后补 before 非必要.
_STRICTNESS = {"必要": 0, "容缺后补": 1, "非必要": 2}


@dataclass
class BundleMaterialEntry:
    """One material of the bundle's form, and the items' own codes for it."""

    key: str  # the shared key the form posts it under
    name: str
    necessity: str  # the strictest of the items that need it
    row: MaterialRow  # how the first item describes it (forms, source, e-licence …)
    codes: list[tuple[str, str]] = field(default_factory=list)  # (impl_code, material code)
    items: list[ServiceItem] = field(default_factory=list)

    def error_fields(self) -> list[str]:
        """The ``CaseInvalid`` fields that belong next to this entry on the form."""
        return [f"items.{impl}.materials.{code}" for impl, code in self.codes]


def material_key(name: str) -> str:
    """The shared key of a material: its name without spaces, as the catalogue merges them."""
    return _material_key(name)


def bundle_materials(
    bundle: Bundle,
    answers: dict[str, dict[str, str]],
    items: list[ServiceItem] | None = None,
) -> list[BundleMaterialEntry]:
    """The merged checklist for these answers ({impl_code: {situation: option}}), in the bundle's order."""
    merged: dict[str, BundleMaterialEntry] = {}
    for item in items if items is not None else catalogue_selectors.bundle_items(bundle):
        assert item.current is not None
        given = answers.get(item.impl_code) or {}
        for row in catalogue_selectors.material_rows(item.current.document, given):
            key = material_key(row.name)
            if not key:
                continue
            entry = merged.get(key)
            if entry is None:
                entry = merged[key] = BundleMaterialEntry(key, row.name, row.necessity, row)
            elif _STRICTNESS.get(row.necessity, 0) < _STRICTNESS.get(entry.necessity, 0):
                entry.necessity = row.necessity
            entry.codes.append((item.impl_code, row.code))
            if item not in entry.items:
                entry.items.append(item)
    return list(merged.values())


def _case_key(key: str, impl_code: str) -> str:
    # Case.idempotency_key holds 64 characters: a client's key (up to 64) and an
    # implementation code (33) do not fit side by side, so the pair is hashed.
    digest = hashlib.sha256(f"{key}:{impl_code}".encode()).hexdigest()[:40]
    return f"bundle:{digest}"


def bundle_submit(
    *,
    bundle: Bundle,
    actor: User,
    channel: str,
    applicant: Applicant,
    answers: dict[str, dict[str, str]],
    materials: dict[str, MaterialInput],
    idempotency_key: str,
    service_point: ServicePoint | None = None,
    request: HttpRequest | None = None,
) -> BundleApplication:
    """File one case per item of the bundle, all or none; a retried key returns the first filing.

    ``materials`` is keyed by the checklist's shared keys (``bundle_materials``).
    Errors name the item they belong to: ``items.<impl_code>.materials.M1``,
    ``items.<impl_code>.answers.S1``; a material the bundle does not need is
    ``materials.<key>``.
    """
    key = (idempotency_key or "").strip()
    if not key or len(key) > 64:
        raise CaseInvalid({"idempotency_key": "缺少或过长的幂等键（1至64个字符）"})
    found = BundleApplication.objects.filter(filed_by=actor, idempotency_key=key).first()
    if found is not None:
        return found
    if channel not in Channel.values:
        raise CaseInvalid({"channel": f"未知的办理渠道“{channel}”"})
    items = catalogue_selectors.bundle_items(bundle)
    if not items:
        raise CaseInvalid({"bundle": "该一件事暂无可办理的事项"})
    answers = answers or {}
    materials = materials or {}
    errors: dict[str, str] = {}
    impl_codes = {item.impl_code for item in items}
    for impl in answers:
        if impl not in impl_codes:
            errors[f"items.{impl}"] = "本一件事不包含此事项"
    checklist = bundle_materials(bundle, answers, items=items)
    by_key = {entry.key: entry for entry in checklist}
    for k in materials:
        if k not in by_key:
            errors[f"materials.{k}"] = "所选情形下本一件事不需要此材料"
    # Who may file through this channel, before anything is stored.
    for item in items:
        assert item.current is not None
        try:
            services.check_channel(
                version=item.current, actor=actor, channel=channel, applicant=applicant
            )
        except CaseInvalid as exc:
            errors.update(_prefixed(item, exc.errors))
    if errors:
        raise CaseInvalid(errors)

    inputs, uploaded, upload_errors = _store_uploads(applicant, materials, by_key)
    try:
        with transaction.atomic():
            app = BundleApplication.objects.create(
                bundle=bundle, applicant=applicant, filed_by=actor, channel=channel,
                idempotency_key=key,
            )  # fmt: skip
            cases = _file_cases(
                app=app, items=items, checklist=checklist, inputs=inputs, answers=answers,
                upload_errors=upload_errors, actor=actor, channel=channel, applicant=applicant,
                key=key, service_point=service_point, request=request,
            )  # fmt: skip
            _mark_uploads(cases, checklist, uploaded)
            audit_record(
                action="bundle.submit",
                actor=actor,
                object_type="bundle_application",
                object_id=str(app.ref),
                summary=f"提交一件事“{bundle.name}”申请，生成{len(cases)}个办件",
                after={"bundle": bundle.code, "cases": [c.number for c in cases]},
                channel=channel,
                request=request,
            )
    except IntegrityError:
        # The same key submitted twice at once: the first filing stands.
        found = BundleApplication.objects.filter(filed_by=actor, idempotency_key=key).first()
        if found is None:
            raise
        return found
    return app


def _prefixed(item: ServiceItem, errors: dict[str, str]) -> dict[str, str]:
    return {f"items.{item.impl_code}.{k}": v for k, v in errors.items()}


def _store_uploads(
    applicant: Applicant,
    materials: dict[str, MaterialInput],
    by_key: dict[str, BundleMaterialEntry],
) -> tuple[dict[str, MaterialInput], set[str], dict[str, str]]:
    """Check and store each uploaded file once, outside the transaction (slow I/O).

    An upload becomes a stored file that every item's case points to. If the
    filing then fails, the file stays with the applicant to be reused, as a
    single case's uploads do. Returns (inputs, keys uploaded, {key: error}).
    """
    inputs: dict[str, MaterialInput] = {}
    uploaded: set[str] = set()
    upload_errors: dict[str, str] = {}
    for k, given in materials.items():
        if given.upload is None:
            inputs[k] = given
            continue
        try:
            checked = check_upload(given.upload)
        except ValueError as exc:
            upload_errors[k] = str(exc)
            continue
        stored = store_file(applicant=applicant, checked=checked, material_name=by_key[k].name)
        inputs[k] = replace(given, upload=None, file_id=stored.pk)
        uploaded.add(k)
    return inputs, uploaded, upload_errors


def _file_cases(
    *,
    app: BundleApplication,
    items: list[ServiceItem],
    checklist: list[BundleMaterialEntry],
    inputs: dict[str, MaterialInput],
    answers: dict[str, dict[str, str]],
    upload_errors: dict[str, str],
    actor: User,
    channel: str,
    applicant: Applicant,
    key: str,
    service_point: ServicePoint | None,
    request: HttpRequest | None,
) -> list[Case]:
    """One case per item; every item's errors are collected before the whole is refused."""
    errors: dict[str, str] = {}
    cases: list[Case] = []
    for item in items:
        impl = item.impl_code
        item_inputs: dict[str, MaterialInput] = {}
        failed: dict[str, str] = {}
        for entry in checklist:
            for owner, code in entry.codes:
                if owner != impl:
                    continue
                if entry.key in upload_errors:
                    failed[code] = upload_errors[entry.key]
                elif entry.key in inputs:
                    item_inputs[code] = replace(inputs[entry.key], code=code)
        try:
            case, _ = services.case_submit(
                item=item,
                actor=actor,
                channel=channel,
                applicant=applicant,
                answers=answers.get(impl) or {},
                materials=item_inputs,
                idempotency_key=_case_key(key, impl),
                service_point=service_point,
                bundle_application=app,
                request=request,
            )
        except CaseInvalid as exc:
            errors.update(_prefixed(item, exc.errors))
        else:
            cases.append(case)
        # The file's own fault, not “missing”, is what the applicant needs to read.
        errors.update(_prefixed(item, {f"materials.{c}": m for c, m in failed.items()}))
    if errors:
        raise CaseInvalid(errors)
    return cases


def _mark_uploads(
    cases: list[Case], checklist: list[BundleMaterialEntry], uploaded: set[str]
) -> None:
    # Handed over as a stored file so it is stored once, but uploaded in this
    # application: record it as an upload, not as reuse of an earlier file.
    by_impl = {c.item.impl_code: c for c in cases}
    match = Q(pk__in=[])
    for entry in checklist:
        if entry.key not in uploaded:
            continue
        for impl, code in entry.codes:
            if impl in by_impl:
                match |= Q(case=by_impl[impl], code=code)
    CaseMaterial.objects.filter(match, via=CaseMaterial.REUSED).update(via=CaseMaterial.UPLOAD)


def bundle_cases(app: BundleApplication) -> list[Case]:
    """The linked cases of one application, in the bundle's order of items."""
    order: dict[Any, int] = {
        item.pk: i for i, item in enumerate(catalogue_selectors.bundle_items(app.bundle))
    }
    cases = list(app.cases.select_related("item"))
    return sorted(cases, key=lambda c: order.get(c.item_id, len(order)))
