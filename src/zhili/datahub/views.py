"""The data stewards' pages (/staff/data/): the catalogue, a dataset, uploads and their errors.

Thin views over ``services`` (writes) and ``selectors`` (reads). A dataset a
user may not see answers 404, so codes cannot be probed; an action they may not
take answers the 403 page with the reason.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import duckdb
from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhili.accounts.models import User
from zhili.datahub import selectors, services, storage
from zhili.datahub.models import Dataset, Frequency, Sharing, Upload
from zhili.datahub.schema import (
    KEY_FIELDS,
    LEVEL_LABELS,
    NUMERIC_TYPES,
    PERIOD_FORMATS,
    TYPE_LABELS,
    VALUE_TYPES,
    display_name,
    field_rows,
    sql_string,
)
from zhili.divisions.models import Department

PAGE_SIZE = 50
View = Callable[..., HttpResponseBase]


class StaffRequest(HttpRequest):
    user: User


def _forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "staff/403.html", {"message": message}, status=403)


def staff_page(view: View) -> View:
    """Signed-in staff only; a refusal of the services becomes the 403 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.works_in_back_office:
            return _forbidden(request, "数据中台仅供工作人员使用。")
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return _forbidden(request, str(exc) or "您无权进行此操作。")

    return wrapper


def _dataset(request: StaffRequest, code: str) -> Dataset:
    dataset = get_object_or_404(Dataset.objects.select_related("department", "current"), code=code)
    if not selectors.can_view(request.user, dataset):
        raise Http404("没有这个数据集")
    return dataset


def _upload(request: StaffRequest, pk: int) -> Upload:
    upload = get_object_or_404(Upload.objects.select_related("dataset__department"), pk=pk)
    if not selectors.can_see_uploads(request.user, upload.dataset):
        raise Http404("没有这个上传")
    return upload


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


# ---- the catalogue -----------------------------------------------------------------


@staff_page
@require_GET
def dataset_list(request: StaffRequest) -> HttpResponse:
    user = request.user
    departments = Department.objects.filter(
        pk__in=selectors.datasets_visible_to(user).values("department")
    )
    department = departments.filter(code=request.GET.get("department", "")).first()
    category = request.GET.get("category", "")
    sharing = request.GET.get("sharing", "")
    q = request.GET.get("q", "")
    datasets = selectors.dataset_list(
        user,
        department=department,
        category=category,
        sharing=sharing if sharing in Sharing.values else "",
        q=q,
    )
    page = Paginator(datasets, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "datahub/dataset_list.html",
        {
            "page": page,
            "departments": departments,
            "categories": selectors.categories(user),
            "sharings": Sharing.choices,
            "chosen": {"department": request.GET.get("department", ""), "category": category,
                       "sharing": sharing, "q": q},
            "query": query.urlencode(),
            "can_create": services.steward_departments(user).exists(),
        },
    )  # fmt: skip


@staff_page
@require_GET
def dataset_detail(request: StaffRequest, code: str) -> HttpResponse:
    dataset = _dataset(request, code)
    number = _int(request.GET.get("version"))
    version = selectors.version_of(dataset, number)
    if number is not None and version is None:
        raise Http404("没有这个版本")
    filters = {}
    division = request.GET.get("division", "").strip()
    period = request.GET.get("period", "").strip()
    if division:
        filters["division_code"] = division
    if period:
        filters["period"] = period
    page_number = _int(request.GET.get("page")) or 1
    columns, rows, total = selectors.dataset_rows(
        dataset,
        version,
        filters=filters,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    titles = {f["name"]: display_name(f) for f in dataset.fields()}
    query = request.GET.copy()
    query.pop("page", None)
    see_uploads = selectors.can_see_uploads(request.user, dataset)
    return render(
        request,
        "datahub/dataset_detail.html",
        {
            "dataset": dataset,
            "fields": field_rows(dataset.table_schema),
            "period_format": PERIOD_FORMATS[dataset.frequency],
            "level_label": LEVEL_LABELS.get(dataset.division_level, ""),
            "versions": dataset.versions.select_related("published_by", "upload").order_by(
                "-number"
            ),
            "version": version,
            "columns": [titles.get(c, c) for c in columns],
            "rows": rows,
            "total": total,
            "page_number": page_number,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "filters": {"division": division, "period": period},
            "query": query.urlencode(),
            "uploads": dataset.uploads.select_related("uploaded_by")[:20] if see_uploads else [],
            "see_uploads": see_uploads,
            "can_manage": services.can_manage(request.user, dataset),
        },
    )


@staff_page
@require_GET
def version_csv(request: StaffRequest, code: str, number: int) -> FileResponse:
    """A version's rows as CSV with the fields' titles as header: what an upload may hold."""
    dataset = _dataset(request, code)
    version = selectors.version_of(dataset, number)
    if version is None:
        raise Http404("没有这个版本")
    titles = {f["name"]: display_name(f) for f in dataset.fields()}
    source = sql_string(storage.absolute(version.path))
    con = duckdb.connect()
    try:
        names = [
            r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({source})").fetchall()
        ]
        select = ", ".join(f'"{n}" AS "{titles.get(n, n)}"' for n in names)
        with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as tmp:
            path = Path(tmp.name)
        con.execute(
            f"COPY (SELECT {select} FROM read_parquet({source})) TO {sql_string(path)} (HEADER)"
        )
    finally:
        con.close()
    handle = path.open("rb")
    path.unlink()  # the open handle keeps the bytes until the response is sent
    return FileResponse(handle, as_attachment=True, filename=f"{dataset.code}-v{number}.csv")


# ---- create and edit ---------------------------------------------------------------


class DatasetForm(forms.Form):
    code = forms.CharField(
        label="数据集编码", max_length=64, help_text="字母、数字、下划线，如 CUNRENKOU"
    )
    name = forms.CharField(label="名称", max_length=128)
    category = forms.CharField(label="数据分类", max_length=64)
    department = forms.ModelChoiceField(label="所属部门", queryset=Department.objects.none())
    frequency = forms.ChoiceField(label="更新频率", choices=Frequency.choices)
    sharing = forms.ChoiceField(label="共享属性", choices=Sharing.choices)
    division_level = forms.ChoiceField(label="区划层级", choices=list(LEVEL_LABELS.items()))
    licence = forms.CharField(label="许可协议", max_length=64, initial="CC-BY-4.0")
    keywords = forms.CharField(label="关键词", required=False, help_text="用逗号或顿号分隔")
    description = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, departments: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        if editing:
            self.fields["code"].disabled = True


def _keywords(text: str) -> list[str]:
    return [k for k in re.split(r"[,，、;；\s]+", text) if k]


def _number(text: str) -> Any:
    try:
        value = float(text)
    except ValueError:
        return text  # kept as typed: the schema check names it
    return int(value) if value.is_integer() else value


def fields_from_table(post: Any) -> list[dict[str, Any]]:
    """The schema editor's rows as Table Schema fields; empty rows are skipped."""
    cols = {k: post.getlist(f"f-{k}") for k in
            ("name", "title", "type", "unit", "required", "min", "max", "enum", "pattern", "maxlen")}  # fmt: skip
    fields = []
    for i, name in enumerate(cols["name"]):

        def cell(key: str, i: int = i) -> str:
            values = cols[key]
            return values[i].strip() if i < len(values) else ""

        if not name.strip() and not cell("title"):
            continue
        ftype = cell("type") or "string"
        f: dict[str, Any] = {"name": name.strip(), "type": ftype}
        for key in ("title", "unit"):
            if cell(key):
                f[key] = cell(key)
        c: dict[str, Any] = {}
        if cell("required") == "1":
            c["required"] = True
        for key, out in (("min", "minimum"), ("max", "maximum")):
            if cell(key):
                c[out] = cell(key) if ftype == "date" else _number(cell(key))
        if cell("enum"):
            items = [v for v in re.split(r"[,，、]", cell("enum")) if v.strip()]
            c["enum"] = [_number(v.strip()) if ftype in NUMERIC_TYPES else v.strip() for v in items]
        if cell("pattern"):
            c["pattern"] = cell("pattern")
        if cell("maxlen"):
            c["maxLength"] = _number(cell("maxlen"))
        if c:
            f["constraints"] = c
        fields.append(f)
    return fields


def _editor_rows(fields: list[dict[str, Any]], blank: int = 3) -> list[dict[str, Any]]:
    rows = []
    for f in fields:
        c = f.get("constraints", {})
        rows.append({
            "name": f["name"], "title": f.get("title", ""), "type": f.get("type", "string"),
            "unit": f.get("unit", ""), "required": bool(c.get("required")),
            "min": c.get("minimum", ""), "max": c.get("maximum", ""),
            "enum": "、".join(str(v) for v in c.get("enum", [])),
            "pattern": c.get("pattern", ""), "maxlen": c.get("maxLength", ""),
        })  # fmt: skip
    return rows + [{"type": "integer"} for _ in range(blank)]


def _schema_input(request: StaffRequest) -> tuple[Any, list[dict[str, Any]], str]:
    """(descriptor, editor rows, JSON text) from the posted editor, in the mode chosen."""
    text = request.POST.get("schema_json", "").strip()
    if request.POST.get("mode") == "json":
        try:
            parsed = json.loads(text) if text else {"fields": []}
        except json.JSONDecodeError:
            return text, _editor_rows([]), text
        descriptor = {"fields": parsed} if isinstance(parsed, list) else parsed
        fields = descriptor.get("fields", []) if isinstance(descriptor, dict) else []
        rows = _editor_rows([f for f in fields if isinstance(f, dict) and "name" in f])
        return descriptor, rows, text
    fields = fields_from_table(request.POST)
    return (
        {"fields": fields},
        _editor_rows(fields),
        json.dumps(fields, ensure_ascii=False, indent=2),
    )


def _editor(
    request: StaffRequest,
    form: DatasetForm,
    *,
    dataset: Dataset | None,
    rows: list[dict[str, Any]],
    text: str,
    problems: list[str] = (),  # type: ignore[assignment]
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "datahub/dataset_form.html",
        {
            "form": form,
            "dataset": dataset,
            "rows": rows,
            "schema_json": text,
            "mode": request.POST.get("mode", "table"),
            "problems": problems,
            "types": [(t, TYPE_LABELS[t]) for t in VALUE_TYPES],
        },
        status=status,
    )


def _save(request: StaffRequest, dataset: Dataset | None) -> HttpResponse:
    departments = services.steward_departments(request.user)
    form = DatasetForm(
        request.POST,
        departments=departments,
        editing=dataset is not None,
        initial={"code": dataset.code} if dataset else None,
    )
    descriptor, rows, text = _schema_input(request)
    if not form.is_valid():
        return _editor(request, form, dataset=dataset, rows=rows, text=text, status=400)
    data = form.cleaned_data
    common = {
        "actor": request.user,
        "name": data["name"],
        "category": data["category"],
        "department": data["department"],
        "frequency": data["frequency"],
        "sharing": data["sharing"],
        "division_level": data["division_level"],
        "table_schema": descriptor,
        "description": data["description"],
        "keywords": _keywords(data["keywords"]),
        "licence": data["licence"],
    }
    try:
        if dataset is None:
            saved = services.dataset_create(code=data["code"], **common)
        else:
            saved = services.dataset_update(dataset=dataset, **common)
    except services.DatasetInvalid as exc:
        problems = exc.errors.pop("table_schema", [])
        for field, msgs in exc.errors.items():
            for m in msgs:
                form.add_error(field if field in form.fields else None, m)
        return _editor(
            request, form, dataset=dataset, rows=rows, text=text, problems=problems, status=400
        )
    messages.success(request, f"已保存数据集“{saved.name}”。")
    return redirect("datahub:dataset_detail", code=saved.code)


@staff_page
@require_http_methods(["GET", "POST"])
def dataset_new(request: StaffRequest) -> HttpResponse:
    departments = services.steward_departments(request.user)
    if not departments.exists():
        raise PermissionDenied("只有数据管理员和系统管理员可以新建数据集。")
    if request.method == "POST":
        return _save(request, None)
    form = DatasetForm(departments=departments, initial={"frequency": "monthly", "sharing": "shared",
                                                         "division_level": "village"})  # fmt: skip
    return _editor(request, form, dataset=None, rows=_editor_rows([], blank=5), text="")


@staff_page
@require_http_methods(["GET", "POST"])
def dataset_edit(request: StaffRequest, code: str) -> HttpResponse:
    dataset = _dataset(request, code)
    if not services.can_manage(request.user, dataset):
        raise PermissionDenied(f"您不是{dataset.department.name}的数据管理员，无权修改此数据集。")
    if request.method == "POST":
        return _save(request, dataset)
    form = DatasetForm(
        departments=services.steward_departments(request.user),
        editing=True,
        initial={
            "code": dataset.code, "name": dataset.name, "category": dataset.category,
            "department": dataset.department, "frequency": dataset.frequency,
            "sharing": dataset.sharing, "division_level": dataset.division_level,
            "licence": dataset.licence, "keywords": "、".join(dataset.keywords),
            "description": dataset.description,
        },
    )  # fmt: skip
    fields = dataset.value_fields()
    text = json.dumps(fields, ensure_ascii=False, indent=2)
    return _editor(request, form, dataset=dataset, rows=_editor_rows(fields), text=text)


# ---- uploads -----------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label="数据文件", help_text="CSV（UTF-8或GBK编码）或Excel（.xlsx，读第一个工作表）"
    )


@staff_page
@require_http_methods(["GET", "POST"])
def upload_new(request: StaffRequest, code: str) -> HttpResponse:
    dataset = _dataset(request, code)
    if not services.can_manage(request.user, dataset):
        raise PermissionDenied(f"您不是{dataset.department.name}的数据管理员，无权上传数据。")
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = services.upload_receive(
                dataset=dataset, file=form.cleaned_data["file"], actor=request.user
            )
        except services.PublishRefused as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("datahub:upload_detail", pk=upload.pk)
    header = [display_name(f) for f in dataset.fields()]
    return render(
        request,
        "datahub/upload_form.html",
        {
            "dataset": dataset,
            "form": form,
            "header": header,
            "fields": field_rows(dataset.table_schema),
            "period_format": PERIOD_FORMATS[dataset.frequency],
            "level_label": LEVEL_LABELS.get(dataset.division_level, ""),
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_page
@require_GET
def upload_detail(request: StaffRequest, pk: int) -> HttpResponse:
    upload = _upload(request, pk)
    dataset = upload.dataset
    paginator = Paginator(range(upload.error_count), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    offset = (page.number - 1) * PAGE_SIZE
    errors = (
        selectors.upload_errors(upload, offset=offset, limit=PAGE_SIZE)
        if upload.error_count
        else []
    )
    return render(
        request,
        "datahub/upload_detail.html",
        {
            "upload": upload,
            "dataset": dataset,
            "errors": errors,
            "page": page,
            "rejected": upload.total_rows - upload.valid_rows,
            "can_manage": services.can_manage(request.user, dataset),
            "next_version": (dataset.current.number + 1) if dataset.current else 1,
            "key_fields": KEY_FIELDS,
        },
    )


@staff_page
@require_POST
def upload_publish(request: StaffRequest, pk: int) -> HttpResponse:
    upload = _upload(request, pk)
    try:
        version = services.upload_publish(
            upload=upload,
            actor=request.user,
            accept_partial=request.POST.get("accept_partial") == "1",
            replace=request.POST.get("replace") == "1",
        )
    except services.PublishRefused as exc:
        messages.error(request, str(exc))
        return redirect("datahub:upload_detail", pk=upload.pk)
    messages.success(request, f"已发布第{version.number}版，共{version.row_count}行。")
    return redirect(reverse("datahub:dataset_detail", args=[upload.dataset.code]))


@staff_page
@require_POST
def upload_discard(request: StaffRequest, pk: int) -> HttpResponse:
    upload = _upload(request, pk)
    try:
        services.upload_discard(upload=upload, actor=request.user)
    except services.PublishRefused as exc:
        messages.error(request, str(exc))
        return redirect("datahub:upload_detail", pk=upload.pk)
    messages.success(request, f"已放弃上传“{upload.filename}”，原始文件仍保留。")
    return redirect("datahub:dataset_detail", code=upload.dataset.code)


@staff_page
@require_GET
def upload_errors_csv(request: StaffRequest, pk: int) -> FileResponse:
    upload = _upload(request, pk)
    if not upload.errors_path:
        raise Http404("没有错误清单")
    path = storage.absolute(upload.errors_path)
    if not path.exists():
        raise Http404("错误清单文件不存在")
    name = f"{upload.dataset.code}-上传{upload.pk}-错误清单.csv"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


@staff_page
@require_GET
def upload_raw(request: StaffRequest, pk: int) -> FileResponse:
    """The file exactly as it was uploaded."""
    upload = _upload(request, pk)
    return FileResponse(upload.file.open("rb"), as_attachment=True, filename=upload.filename)
