"""An item's own workflow (BPMN): its catalogue officer uploads, resets and downloads it;
the example processes are offered as starting points."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_http_methods

from zhili.cases import workflow
from zhili.cases.models import ItemWorkflow
from zhili.cases.staff_forms import WorkflowUploadForm
from zhili.cases.staff_views import StaffRequest, staff_page, staff_view
from zhili.catalogue.models import ServiceItem

EXAMPLES_DIR = workflow.BPMN_DIR / "examples"
EXAMPLES = {"parallel_review": "并联审批（两个部门同时审查）", "site_inspection": "现场勘验及公示"}

# ---- an item's own workflow (BPMN) ----


@dataclass
class Step:
    name: str
    activity: str
    owner: str


def _steps(xml: str) -> list[Step]:
    """The user tasks of a process and who owns each, as the queue will route them."""
    _, spec, subprocesses = workflow.parse(xml)
    steps = []
    for s in [spec, *subprocesses.values()]:
        for t in s.task_specs.values():
            if not getattr(t, "manual", False):
                continue
            owner = workflow.lane_owner(getattr(t, "lane", None))
            role = {"clerk": "窗口人员", "reviewer": "审批人员", "applicant": "申请人"}.get(
                owner.role, owner.role
            )
            where = f"（{owner.department_code}）" if owner.department_code else ""
            if owner.role != "applicant" and not where:
                where = "（本事项部门）"
            steps.append(Step(t.bpmn_name or t.bpmn_id, t.bpmn_id, role + where))
    return steps


def _workflow_item(request: StaffRequest, impl_code: str) -> ServiceItem:
    item = get_object_or_404(ServiceItem.objects.select_related("department"), impl_code=impl_code)
    if not request.user.can_edit_department_items(item.department_id):
        raise PermissionDenied(f"只有{item.department.name}的事项管理员可以设置该事项的办理流程。")
    return item


@staff_view
@require_http_methods(["GET", "POST"])
def workflow_page(request: StaffRequest, impl_code: str) -> HttpResponse:
    from zhili.cases.workflows_admin import item_workflow_reset, item_workflow_set

    item = _workflow_item(request, impl_code)
    form = WorkflowUploadForm()
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if request.POST.get("op") == "reset":
            if item_workflow_reset(item=item, actor=request.user, request=request):
                messages.success(request, "已恢复标准流程，之后提交的办件按标准流程办理。")
            return redirect("staff_cases:workflow", impl_code=item.impl_code)
        form = WorkflowUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                saved = item_workflow_set(
                    item=item, xml=form.cleaned_data["file"], actor=request.user, request=request
                )
            except workflow.WorkflowInvalid as exc:
                problems = exc.problems
            else:
                messages.success(
                    request,
                    f"流程“{saved.process_id}”已启用，之后提交的办件按新流程办理；已提交的办件不受影响。",
                )
                return redirect("staff_cases:workflow", impl_code=item.impl_code)
        status = 400
    active = ItemWorkflow.objects.filter(item=item, active=True).first()
    return staff_page(
        request,
        "cases/staff/workflow.html",
        {
            "item": item,
            "active": active,
            "history": ItemWorkflow.objects.filter(item=item).select_related("uploaded_by")[:20],
            "steps": _steps(active.bpmn if active else workflow.standard_bpmn()),
            "form": form,
            "problems": problems,
            "examples": EXAMPLES,
        },
        status=status,
    )


def _bpmn_response(xml: str, filename: str) -> HttpResponse:
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_view
@require_GET
def workflow_bpmn(request: StaffRequest, impl_code: str) -> HttpResponse:
    item = _workflow_item(request, impl_code)
    active = ItemWorkflow.objects.filter(item=item, active=True).first()
    if active is None:
        return _bpmn_response(workflow.standard_bpmn(), "standard.bpmn")
    return _bpmn_response(active.bpmn, f"{active.process_id}.bpmn")


@staff_view
@require_GET
def workflow_example(request: StaffRequest, name: str) -> HttpResponse:
    if name not in EXAMPLES and name != workflow.STANDARD_PROCESS:
        raise Http404("没有这个示例流程")
    folder = workflow.BPMN_DIR if name == workflow.STANDARD_PROCESS else EXAMPLES_DIR
    return _bpmn_response(Path(folder, f"{name}.bpmn").read_text(encoding="utf-8"), f"{name}.bpmn")
