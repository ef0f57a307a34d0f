"""The staff back office of the catalogue (事项管理): thin views over services and selectors."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhili.catalogue import services
from zhili.catalogue import staff_selectors as sel
from zhili.catalogue.checks import check_document
from zhili.catalogue.forms import (
    DepartmentFilterForm,
    ExportForm,
    ImportForm,
    ItemEditor,
    ItemFilterForm,
    PublishForm,
    new_document,
)
from zhili.catalogue.imports import export_items, import_upload
from zhili.catalogue.io_excel import export_workbook, template_workbook
from zhili.catalogue.io_json import export_json
from zhili.catalogue.models import ItemVersion, ServiceItem
from zhili.catalogue.schema import Problem
from zhili.divisions.models import Department
from zhili.web.staff import StaffRequest, staff_only

PAGE_SIZE = 50


staff_view = staff_only("事项管理仅供工作人员使用。", refusals=(services.PermissionDenied,))


def _page(request: StaffRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    context["can_create"] = request.user.editable_departments().exists()
    return render(request, template, context)


def _item(request: StaffRequest, impl_code: str, *, edit: bool = False) -> ServiceItem:
    item = get_object_or_404(
        ServiceItem.objects.select_related("department", "current", "draft"), impl_code=impl_code
    )
    user = request.user
    if not sel.can_view_item(user, item):
        raise PermissionDenied(f"您无权查看{item.department.name}的事项。")
    if edit and not user.can_edit_department_items(item.department_id):
        raise PermissionDenied(f"您无权维护{item.department.name}的事项。")
    return item


# ---- dashboard and list ----


@staff_view
@require_GET
def dashboard(request: StaffRequest) -> HttpResponse:
    departments, total = sel.dashboard(request.user)
    return _page(request, "staff/dashboard.html", {"departments": departments, "total": total})


@staff_view
@require_GET
def item_list(request: StaffRequest) -> HttpResponse:
    user = request.user
    form = ItemFilterForm(request.GET, departments=sel.departments_visible_to(user))
    items: Any = []  # a department out of scope is an invalid filter, not “all”
    if form.is_valid():
        items = sel.item_list(user=user, **form.cleaned_data)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _page(
        request,
        "staff/item_list.html",
        {
            "form": form,
            "page": page,
            "rows": sel.item_rows(page.object_list),
            "query": query.urlencode(),
        },
    )


# ---- the editor ----


def _editor(request: StaffRequest, item: ServiceItem | None) -> HttpResponse:
    user = request.user
    departments = list(user.editable_departments())
    if not departments:
        raise PermissionDenied("只有本部门的事项管理员和系统管理员可以编辑事项。")
    options: dict[str, Any] = {
        "departments": departments,
        "all_departments": list(Department.objects.all()),
        "locked_impl_code": item.impl_code if item is not None else "",
    }
    version = sel.working_version(item) if item is not None else None
    if request.method == "POST":
        editor = ItemEditor(data=request.POST, **options)
        op = request.POST.get("_op", "")
        if op and editor.apply_op(op):
            # A browser without scripts moved rows: show the form again, nothing saved.
            return _editor_page(request, item, editor, version)
        document, converted = editor.convert()
        if item is None and ServiceItem.objects.filter(impl_code=document["impl_code"]).exists():
            # item_draft_save would quietly open that item's draft instead of a new item.
            taken = Problem("impl_code", "已有事项使用这个实施编码，请在事项列表中打开它")
            editor.add_problems([taken])
        if converted and not editor.problems:
            try:
                draft = services.item_draft_save(
                    document=document,
                    actor=user,
                    item=item,
                    note=editor.note,
                )
            except services.DocumentInvalid as exc:
                editor.add_problems(exc.problems)
            else:
                messages.success(request, f"草稿（第{draft.number}版）已保存。")
                return redirect("staff:item_edit", impl_code=draft.item.impl_code)
        else:
            # Say everything at once: what did not convert, and what the schema thinks.
            editor.add_problems(services.document_problems(document))
        return _editor_page(request, item, editor, version)
    if item is None:
        document = new_document(department=departments[0])
    elif version is None:
        # Never published and its draft discarded: start again from the item's identity.
        document = new_document(department=item.department)
        document.update(impl_code=item.impl_code, basic_code=item.basic_code, name=item.name)
    else:
        document = version.document
    note = item.draft.note if item is not None and item.draft is not None else ""
    editor = ItemEditor(document=document, note=note, **options)
    return _editor_page(request, item, editor, version)


def _editor_page(
    request: StaffRequest,
    item: ServiceItem | None,
    editor: ItemEditor,
    version: ItemVersion | None,
) -> HttpResponse:
    findings = check_document(version.document) if version is not None else []
    caption = ""
    if version is not None:
        caption = f"{sel.version_label(version)}的检查结果"
        if request.method == "POST":
            caption = f"上次保存的{caption}；本次修改保存成功后重新检查。"
    return _page(
        request,
        "staff/item_edit.html",
        {
            "item": item,
            "editor": editor,
            "version": version,
            "findings": sel.findings_view(findings),
            "errors": sum(1 for f in findings if f.is_error),
            "warnings": sum(1 for f in findings if not f.is_error),
            "findings_caption": caption,
        },
    )


@staff_view
def item_new(request: StaffRequest) -> HttpResponse:
    return _editor(request, None)


@staff_view
def item_edit(request: StaffRequest, impl_code: str) -> HttpResponse:
    return _editor(request, _item(request, impl_code, edit=True))


# ---- the item, its versions, publishing ----


def _detail_context(request: StaffRequest, item: ServiceItem) -> dict[str, Any]:
    working = sel.working_version(item)
    findings = check_document(working.document) if working is not None else []
    return {
        "item": item,
        "working": working,
        "findings": sel.findings_view(findings),
        "errors": sum(1 for f in findings if f.is_error),
        "warnings": sum(1 for f in findings if not f.is_error),
        "findings_caption": f"{sel.version_label(working)}的检查结果" if working else "",
        "versions": sel.version_history(item),
        "can_edit": request.user.can_edit_department_items(item.department_id),
        "display": sel.document_display(working.document) if working is not None else None,
        "publish_form": PublishForm(initial={"note": item.draft.note if item.draft else ""}),
    }


@staff_view
@require_GET
def item_detail(request: StaffRequest, impl_code: str) -> HttpResponse:
    item = _item(request, impl_code)
    return _page(request, "staff/item_detail.html", _detail_context(request, item))


@staff_view
@require_POST
def item_draft_start(request: StaffRequest, impl_code: str) -> HttpResponse:
    item = _item(request, impl_code, edit=True)
    try:
        draft = services.item_draft_start(item=item, actor=request.user)
    except services.DocumentInvalid as exc:
        messages.error(request, f"无法从当前版本开始修订：{exc}")
        return redirect("staff:item_detail", impl_code=item.impl_code)
    except ValueError:
        return redirect("staff:item_edit", impl_code=item.impl_code)
    messages.success(request, f"已从当前版本开始修订，草稿为第{draft.number}版。")
    return redirect("staff:item_edit", impl_code=item.impl_code)


@staff_view
@require_POST
def item_draft_discard(request: StaffRequest, impl_code: str) -> HttpResponse:
    item = _item(request, impl_code, edit=True)
    had_draft = item.draft is not None
    services.item_draft_discard(item=item, actor=request.user)
    if had_draft:
        messages.success(request, "草稿已放弃，已发布的版本不受影响。")
    return redirect("staff:item_detail", impl_code=item.impl_code)


@staff_view
@require_POST
def item_publish(request: StaffRequest, impl_code: str) -> HttpResponse:
    item = _item(request, impl_code, edit=True)
    form = PublishForm(request.POST)
    context: dict[str, Any]
    if form.is_valid():
        try:
            version = services.item_publish(
                item=item,
                actor=request.user,
                note=form.cleaned_data["note"],
            )
        except services.PublishBlocked as exc:
            context = _detail_context(request, item)
            context["blocked"] = sel.findings_view(exc.findings)
        except services.DocumentInvalid as exc:
            context = _detail_context(request, item)
            context["invalid"] = [f"{p.where()}：{p.message}" for p in exc.problems]
        except ValueError:
            # A second click after the first one published: nothing left to publish.
            messages.info(request, "没有待发布的草稿。")
            return redirect("staff:item_detail", impl_code=item.impl_code)
        else:
            messages.success(request, f"已发布第{version.number}版。")
            return redirect("staff:item_detail", impl_code=item.impl_code)
    else:
        context = _detail_context(request, item)
    context["publish_form"] = form
    return _page(request, "staff/item_detail.html", context)


@staff_view
@require_GET
def item_compare(request: StaffRequest, impl_code: str) -> HttpResponse:
    item = _item(request, impl_code)
    default_a, default_b = sel.compare_defaults(item)
    key_a = request.GET.get("a") or default_a
    key_b = request.GET.get("b") or default_b
    old = sel.version_by_key(item, key_a) if key_a else None
    new = sel.version_by_key(item, key_b) if key_b else None
    if (key_a and old is None) or (key_b and new is None):
        raise Http404("没有这个版本")
    changes = sel.compare(old, new) if old is not None and new is not None else []
    return _page(
        request,
        "staff/item_compare.html",
        {
            "item": item,
            "old": old,
            "new": new,
            "old_label": sel.version_label(old) if old is not None else "",
            "new_label": sel.version_label(new) if new is not None else "",
            "changes": changes,
            "counts": Counter(c.kind for c in changes),
            "versions": sel.version_history(item),
        },
    )


# ---- the defect report ----


def _report(request: StaffRequest) -> tuple[DepartmentFilterForm, list[sel.DepartmentReport]]:
    user = request.user
    form = DepartmentFilterForm(request.GET, departments=sel.departments_visible_to(user))
    department = form.cleaned_data.get("department") if form.is_valid() else None
    return form, sel.defect_report(user=user, department=department)


@staff_view
@require_GET
def checks_report(request: StaffRequest) -> HttpResponse:
    form, reports = _report(request)
    return _page(
        request,
        "staff/checks.html",
        {"form": form, "reports": reports, "query": request.GET.urlencode()},
    )


@staff_view
@require_GET
def checks_csv(request: StaffRequest) -> HttpResponse:
    _, reports = _report(request)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(sel.defect_report_rows(reports))
    # The byte-order mark makes Excel read the file as UTF-8.
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="zhili-checks-{stamp}.csv"'
    return response


# ---- import and export ----

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(body: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _io_page(request: StaffRequest, **context: Any) -> HttpResponse:
    user = request.user
    context.setdefault(
        "export_form",
        ExportForm(departments=sel.departments_visible_to(user)),
    )
    context.setdefault("import_form", ImportForm())
    context["recent_imports"] = sel.imports_visible_to(user)[:10]
    return _page(request, "staff/io.html", context)


@staff_view
@require_GET
def io_page(request: StaffRequest) -> HttpResponse:
    return _io_page(request)


@staff_view
@require_POST
def io_import(request: StaffRequest) -> HttpResponse:
    if not request.user.editable_departments().exists():
        raise PermissionDenied("只有事项管理员和系统管理员可以导入事项。")
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _io_page(request, import_form=form)
    upload = form.cleaned_data["file"]
    report = import_upload(
        data=upload.read(),
        filename=upload.name,
        actor=request.user,
        publish=form.cleaned_data["publish"],
        note=form.cleaned_data["note"],
    )
    return _io_page(request, import_form=form, report=report, filename=upload.name)


@staff_view
@require_GET
def io_export(request: StaffRequest) -> HttpResponse:
    user = request.user
    visible = sel.departments_visible_to(user)
    form = ExportForm(request.GET, departments=visible)
    if not form.is_valid():
        return _io_page(request, export_form=form)
    department = form.cleaned_data["department"]
    codes = [department.code] if department else list(visible.values_list("code", flat=True))
    items = export_items(department_codes=codes)
    stamp = timezone.localtime().strftime("%Y%m%d")
    name = f"zhili-catalogue-{department.code if department else 'all'}-{stamp}"
    if form.cleaned_data["format"] == "json":
        return _attachment(export_json(items), "application/json; charset=utf-8", f"{name}.json")
    return _attachment(export_workbook(items), XLSX, f"{name}.xlsx")


@staff_view
@require_GET
def io_import_file(request: StaffRequest, pk: int) -> HttpResponseBase:
    """The raw file of an import, exactly as it was uploaded."""
    record = get_object_or_404(sel.imports_visible_to(request.user), pk=pk)
    return FileResponse(record.file.open("rb"), as_attachment=True, filename=record.filename)


@staff_view
@require_GET
def io_template(request: StaffRequest) -> HttpResponse:
    return _attachment(template_workbook(), XLSX, "zhili-catalogue-template.xlsx")
