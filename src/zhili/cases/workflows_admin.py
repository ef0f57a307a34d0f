"""An item's own BPMN process (``ItemWorkflow``): uploaded by the item's catalogue officer.

Cases already filed keep the process they started with (their state is
serialized on the case); the new process applies to cases filed from now on.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from zhili.accounts.models import User
from zhili.audit.services import audit_record
from zhili.cases import workflow
from zhili.cases.models import ItemWorkflow
from zhili.catalogue.models import ServiceItem
from zhili.divisions.models import Department

MAX_BPMN_BYTES = 1024 * 1024


def item_workflow_set(
    *, item: ServiceItem, xml: str, actor: User, request: HttpRequest | None = None
) -> ItemWorkflow:
    """Make ``xml`` the item's active process; raises WorkflowInvalid or PermissionDenied.

    Uploading the process that is already active changes nothing (a retried
    upload is not a new version).
    """
    if not actor.can_edit_department_items(item.department_id):
        raise PermissionDenied(f"只有{item.department.name}的事项管理员可以设置该事项的办理流程")
    if len(xml.encode("utf-8")) > MAX_BPMN_BYTES:
        raise workflow.WorkflowInvalid(["流程文件超过 1 MB，请检查是否上传了正确的文件"])
    codes = set(Department.objects.values_list("code", flat=True))
    process_id = workflow.validate(xml, department_codes=codes)
    with transaction.atomic():
        current = ItemWorkflow.objects.select_for_update().filter(item=item, active=True).first()
        if current is not None and current.bpmn == xml:
            return current
        if current is not None:
            current.active = False
            current.save(update_fields=["active"])
        created = ItemWorkflow.objects.create(
            item=item, process_id=process_id, bpmn=xml, active=True, uploaded_by=actor
        )
        audit_record(
            action="item.workflow_set",
            actor=actor,
            object_type="service_item",
            object_id=item.impl_code,
            summary=f"设置“{item.name}”的办理流程（{process_id}）",
            before={"process_id": current.process_id if current else workflow.STANDARD_PROCESS},
            after={"process_id": process_id, "workflow": created.pk},
            request=request,
        )
    return created


def item_workflow_reset(
    *, item: ServiceItem, actor: User, request: HttpRequest | None = None
) -> bool:
    """Back to the standard template for new cases; False if the item had no own process."""
    if not actor.can_edit_department_items(item.department_id):
        raise PermissionDenied(f"只有{item.department.name}的事项管理员可以设置该事项的办理流程")
    with transaction.atomic():
        current = ItemWorkflow.objects.select_for_update().filter(item=item, active=True).first()
        if current is None:
            return False
        current.active = False
        current.save(update_fields=["active"])
        audit_record(
            action="item.workflow_reset",
            actor=actor,
            object_type="service_item",
            object_id=item.impl_code,
            summary=f"“{item.name}”恢复使用标准办理流程",
            before={"process_id": current.process_id},
            after={"process_id": workflow.STANDARD_PROCESS},
            request=request,
        )
    return True
