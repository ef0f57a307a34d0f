"""Writes to the catalogue: one function per business action."""

from __future__ import annotations

import copy
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhili.accounts.models import User
from zhili.catalogue import schema
from zhili.catalogue.checks import Finding, check_document
from zhili.catalogue.models import ItemVersion, ServiceItem
from zhili.divisions.models import Department


class DocumentInvalid(ValueError):
    def __init__(self, problems: list[schema.Problem]):
        self.problems = problems
        super().__init__("；".join(f"{p.where()}：{p.message}" for p in problems))


class PublishBlocked(ValueError):
    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("；".join(f"[{f.code}] {f.message}" for f in findings))


class PermissionDenied(PermissionError):
    pass


def document_problems(
    document: dict[str, Any], *, departments: dict[str, Department] | None = None
) -> list[schema.Problem]:
    """Structural problems plus references the database must resolve."""
    problems = schema.validate_document(document)
    codes = departments if departments is not None else _department_map()
    for key in ("department", "entrusted_department"):
        value = document.get(key)
        if value and value not in codes:
            problems.append(schema.Problem(key, f"部门编码“{value}”不存在"))
    return problems


def _department_map() -> dict[str, Department]:
    return {d.code: d for d in Department.objects.all()}


def _ensure_may_edit(actor: User | None, department: Department) -> None:
    if actor is not None and not actor.can_edit_department_items(department.pk):
        raise PermissionDenied(f"{actor} 无权维护 {department.name} 的事项")


@transaction.atomic
def item_draft_save(
    *,
    document: dict[str, Any],
    actor: User | None,
    item: ServiceItem | None = None,
    note: str = "",
    departments: dict[str, Department] | None = None,
) -> ItemVersion:
    """Create or update the draft of an item (a new item when none has the impl code).

    ``departments`` (code → Department) spares a bulk caller one query per item.
    """
    if departments is None:
        departments = _department_map()
    problems = document_problems(document, departments=departments)
    if problems:
        raise DocumentInvalid(problems)
    doc = schema.normalize(document)
    dept = departments[doc["department"]]
    _ensure_may_edit(actor, dept)
    if item is None:
        item = ServiceItem.objects.filter(impl_code=doc["impl_code"]).first()
    if item is None:
        item = ServiceItem.objects.create(
            impl_code=doc["impl_code"],
            basic_code=doc["basic_code"],
            name=doc["name"],
            department=dept,
        )
    else:
        _ensure_may_edit(actor, item.department)
        if doc["impl_code"] != item.impl_code:
            raise DocumentInvalid([schema.Problem("impl_code", "实施编码发布后不能修改")])
    draft = item.draft
    if draft is None:
        number = (
            item.versions.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        draft = ItemVersion(item=item, number=number, created_by=actor)
    draft.document = doc
    draft.note = note
    draft.save()
    if item.draft_id != draft.pk:
        item.draft = draft
        item.save(update_fields=["draft"])
    return draft


@transaction.atomic
def item_draft_start(*, item: ServiceItem, actor: User | None) -> ItemVersion:
    """Open a draft from the current version (or return the open one)."""
    _ensure_may_edit(actor, item.department)
    if item.draft is not None:
        return item.draft
    if item.current is None:
        raise ValueError("item has neither a draft nor a published version")
    return item_draft_save(document=copy.deepcopy(item.current.document), actor=actor, item=item)


@transaction.atomic
def item_draft_discard(*, item: ServiceItem, actor: User | None) -> None:
    _ensure_may_edit(actor, item.department)
    draft = item.draft
    if draft is None:
        return
    item.draft = None
    item.save(update_fields=["draft"])
    draft.delete()


@transaction.atomic
def item_publish(
    *,
    item: ServiceItem,
    actor: User | None,
    note: str = "",
) -> ItemVersion:
    """Freeze the draft into an immutable version; errors of the checks block it.

    The caller's ``item`` is refreshed, so it shows the new current version.
    """
    caller_item = item
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    _ensure_may_edit(actor, item.department)
    draft = item.draft
    if draft is None:
        raise ValueError(f"{item} has no draft to publish")
    blocking = [f for f in check_document(draft.document) if f.is_error]
    if blocking:
        raise PublishBlocked(blocking)
    doc = draft.document
    parent = None
    if doc["parent_impl_code"]:
        parent = ServiceItem.objects.filter(impl_code=doc["parent_impl_code"]).first()
        if parent is None:
            raise DocumentInvalid(
                [schema.Problem("parent_impl_code", f"上级事项“{doc['parent_impl_code']}”不存在")]
            )
    draft.status = ItemVersion.PUBLISHED
    draft.published_by = actor
    draft.published_at = timezone.now()
    if note:
        draft.note = note
    # The draft row becomes the published version: this is its last write.
    ItemVersion.objects.filter(pk=draft.pk).update(
        status=draft.status,
        published_by=actor,
        published_at=draft.published_at,
        note=draft.note,
    )
    item.current = draft
    item.draft = None
    item.name = doc["name"]
    item.basic_code = doc["basic_code"]
    if item.department.code != doc["department"]:
        item.department = Department.objects.get(code=doc["department"])
    item.parent = parent
    item.save(update_fields=["current", "draft", "name", "basic_code", "department", "parent"])
    caller_item.refresh_from_db()
    return draft
