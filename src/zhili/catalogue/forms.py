"""Forms of the staff back office; the item editor is built from ``schema``'s declarations.

The editor only turns what was typed into a document (text to integers,
lines to lists). Whether the document is right is for
``schema.validate_document`` and the services to say, so a rule is written
once; their problems are put back next to the field or table row they name.

Rows of a part (情形, 材料 …) are posted as ``<part>-<rowid>-<field>``, and
``<part>-row`` lists the row ids in the order the rows stand on the page.
Row ids are only names: adding, removing or moving a row in the browser
never renumbers anything, and the posted order is the document's order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict

from zhili.catalogue import schema
from zhili.catalogue.staff_selectors import STATUSES
from zhili.divisions.models import Department

ROW_ID = re.compile(r"^\d{1,6}$")
TEMPLATE_ROW = "__row__"
REQUIRED = {"required": "必填"}


class LinesField(forms.CharField):
    """A list of strings typed one per line."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


def _department_label(d: Department) -> str:
    return f"{d.name}（{d.code}）"


def form_field(f: schema.Field) -> forms.Field:
    """The form field of a declared element. Only ``int`` is checked here: a blank
    number cannot be told from 0 once converted."""
    common: dict[str, Any] = {"label": f.label, "help_text": f.help, "required": False}
    if f.kind == "str":
        return forms.CharField(**common)
    if f.kind == "text":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if f.kind == "int":
        common["required"] = f.required
        return forms.IntegerField(error_messages=REQUIRED, **common)
    if f.kind == "bool":
        return forms.BooleanField(**common)
    if f.kind == "choice":
        choices = [("", "请选择"), *((c, c) for c in f.choices)]
        return forms.ChoiceField(choices=choices, **common)
    if f.kind == "choices":
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in f.choices], widget=forms.CheckboxSelectMultiple, **common
        )
    if f.kind == "list":
        common["help_text"] = f.help or "每行一项"
        return LinesField(**common)
    raise ValueError(f"unknown field kind {f.kind}")


def _empty(f: forms.Field) -> Any:
    if isinstance(f, LinesField | forms.MultipleChoiceField):
        return []
    if isinstance(f, forms.IntegerField):
        return 0
    if isinstance(f, forms.BooleanField):
        return False
    return ""


def _converted(form: forms.Form) -> dict[str, Any]:
    """What converted, with an empty value for blanks and for what did not convert."""
    out = {}
    for name, f in form.fields.items():
        value = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
        out[name] = _empty(f) if value is None else value
    return out


class ItemFieldsForm(forms.Form):
    """The item's own elements (schema.ITEM_FIELDS)."""

    def __init__(
        self,
        *args: Any,
        departments: list[Department],
        all_departments: list[Department],
        locked_impl_code: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for f in schema.ITEM_FIELDS:
            self.fields[f.key] = form_field(f)
        dept = self.fields["department"]
        self.fields["department"] = forms.ChoiceField(
            label=dept.label,
            help_text="只能选择您负责的部门",
            required=False,
            choices=[("", "请选择"), *((d.code, _department_label(d)) for d in departments)],
        )
        self.fields["entrusted_department"] = forms.ChoiceField(
            label=self.fields["entrusted_department"].label,
            required=False,
            choices=[("", "无"), *((d.code, _department_label(d)) for d in all_departments)],
        )
        if locked_impl_code:
            # Disabled: Django ignores what is posted and keeps this value.
            self.initial["impl_code"] = locked_impl_code
            self.fields["impl_code"].disabled = True
            self.fields["impl_code"].help_text = "实施编码创建后不能修改"


class PartRowForm(forms.Form):
    """One row of a part: a material, a situation, a step …"""

    def __init__(self, *args: Any, part: schema.Part, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.part = part
        for f in part.fields:
            self.fields[f.key] = form_field(f)
        # Table headers carry the labels; each cell names itself for screen readers.
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("aria-label", field.label)
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("size", 10)
            if name == "copies" or name == "days":
                field.widget.attrs["class"] = "input-narrow"

    def is_blank(self) -> bool:
        """Nothing typed in: the row is left out of the document."""
        for name in self.fields:
            value = self[name].data
            if isinstance(value, str):
                value = value.strip()
            if value not in (None, "", [], False):
                return False
        return True


@dataclass
class Row:
    id: str
    form: PartRowForm

    @property
    def anchor(self) -> str:
        return f"row-{self.form.prefix}"

    @property
    def cells(self) -> list[tuple[schema.Field, forms.BoundField]]:
        return [(f, self.form[f.key]) for f in self.form.part.fields]


class PartRows:
    """The rows of one part, bound to a POST or built from a document."""

    def __init__(
        self,
        part: schema.Part,
        *,
        data: QueryDict | None = None,
        rows: list[dict[str, Any]] | None = None,
    ) -> None:
        self.part = part
        self.data = data
        if data is not None:
            ids: list[str] = []
            for rid in data.getlist(f"{part.key}-row"):
                if ROW_ID.match(rid) and rid not in ids:
                    ids.append(rid)
            self.rows = [Row(rid, self._form(rid)) for rid in ids]
        else:
            self.rows = [
                Row(str(i), self._form(str(i), initial=row)) for i, row in enumerate(rows or [])
            ]
        self.kept: list[Row] = []
        self.problems: list[schema.Problem] = []

    @property
    def key(self) -> str:
        return self.part.key

    @property
    def label(self) -> str:
        return self.part.label

    def headers(self) -> list[schema.Field]:
        return self.part.fields

    def _form(self, rid: str, initial: dict[str, Any] | None = None) -> PartRowForm:
        return PartRowForm(
            self.data, initial=initial, part=self.part, prefix=f"{self.part.key}-{rid}"
        )

    def template_row(self) -> Row:
        """An unbound blank row the browser copies when a row is added."""
        return Row(TEMPLATE_ROW, PartRowForm(part=self.part, prefix=f"{self.key}-{TEMPLATE_ROW}"))

    def apply(self, rid: str, action: str) -> None:
        """Add, remove or move a row, as the page script does, for browsers without scripts."""
        ids = [r.id for r in self.rows]
        if action == "add":
            new = str(max((int(i) for i in ids), default=-1) + 1)
            self.rows.append(Row(new, self._form(new)))
            return
        if rid not in ids:
            return
        i = ids.index(rid)
        if action == "remove":
            del self.rows[i]
        elif action == "up" and i > 0:
            self.rows[i - 1], self.rows[i] = self.rows[i], self.rows[i - 1]
        elif action == "down" and i < len(self.rows) - 1:
            self.rows[i + 1], self.rows[i] = self.rows[i], self.rows[i + 1]

    def convert(self) -> tuple[list[dict[str, Any]], bool]:
        """The rows typed in, blank ones dropped; and whether all of them converted."""
        self.kept = [r for r in self.rows if not r.form.is_blank()]
        # Blank rows are gone from the page too, so “第N条” counts what the user sees.
        self.rows = list(self.kept)
        ok = all([r.form.is_valid() for r in self.kept])
        return [_converted(r.form) for r in self.kept], ok


class ItemEditor:
    """The whole item: its fields and the rows of each part."""

    def __init__(
        self,
        *,
        data: QueryDict | None = None,
        document: dict[str, Any] | None = None,
        note: str = "",
        departments: list[Department],
        all_departments: list[Department],
        locked_impl_code: str = "",
    ) -> None:
        doc = schema.normalize(document or {})
        self.fields = ItemFieldsForm(
            data,
            initial={f.key: doc[f.key] for f in schema.ITEM_FIELDS},
            departments=departments,
            all_departments=all_departments,
            locked_impl_code=locked_impl_code,
        )
        self.parts = [PartRows(p, data=data, rows=doc[p.key]) for p in schema.PARTS]
        self.note = (data.get("note", "") if data is not None else note)[:200]
        self.problems: list[tuple[schema.Problem, str]] = []  # (problem, anchor)

    def field_rows(self) -> list[tuple[schema.Field, forms.BoundField]]:
        return [(f, self.fields[f.key]) for f in schema.ITEM_FIELDS]

    def apply_op(self, op: str) -> bool:
        """``<part>:add`` or ``<part>:<rowid>:up|down|remove``; False for anything else."""
        bits = op.split(":")
        parts = {p.key: p for p in self.parts}
        if len(bits) == 2 and bits[0] in parts and bits[1] == "add":
            parts[bits[0]].apply("", "add")
            return True
        if len(bits) == 3 and bits[0] in parts and bits[2] in {"up", "down", "remove"}:
            parts[bits[0]].apply(bits[1], bits[2])
            return True
        return False

    def convert(self) -> tuple[dict[str, Any], bool]:
        """The document typed in, and whether every value converted (numbers are numbers)."""
        ok = self.fields.is_valid()
        doc = _converted(self.fields)
        for part in self.parts:
            rows, rows_ok = part.convert()
            doc[part.key] = rows
            ok = ok and rows_ok
        if not ok:
            self._collect_form_errors()
        return doc, ok

    def _collect_form_errors(self) -> None:
        for name, errors in self.fields.errors.items():
            for message in errors:
                self.problems.append((schema.Problem(name, str(message)), f"f-{name}"))
        for part in self.parts:
            for i, row in enumerate(part.kept):
                for name, errors in row.form.errors.items():
                    for message in errors:
                        problem = schema.Problem(name, str(message), part.key, i)
                        self.problems.append((problem, row.anchor))

    def add_problems(self, problems: list[schema.Problem]) -> None:
        """Put each problem next to its field or row, unless that spot already has one."""
        parts = {p.key: p for p in self.parts}
        for p in problems:
            if not p.part and p.field in self.fields.fields:
                if p.field in self.fields.errors:
                    continue
                self.fields.add_error(p.field, p.message)
                self.problems.append((p, f"f-{p.field}"))
            elif p.part in parts and 0 <= p.index < len(parts[p.part].kept):
                row = parts[p.part].kept[p.index]
                if p.field in row.form.fields:
                    if p.field in row.form.errors:
                        continue
                    row.form.add_error(p.field, p.message)
                self.problems.append((p, row.anchor))
            else:
                # A whole part, or a spot the form has no place for: shown at the top.
                self.problems.append((p, f"part-{p.part or p.field}"))

    def problem_list(self) -> list[dict[str, str]]:
        return [
            {"where": _where(p), "message": p.message, "anchor": anchor}
            for p, anchor in self.problems
        ]


def _where(p: schema.Problem) -> str:
    if p.part and p.part not in schema.PART_BY_KEY:
        return p.part
    if not p.part and p.field in schema.PART_BY_KEY:
        return schema.PART_BY_KEY[p.field].label
    return p.where()


def new_document(*, department: Department | None) -> dict[str, Any]:
    """A blank item, with the choices most county items share already made."""
    doc = schema.empty_document()
    doc.update(node_kind="主项", exercise_level="县级", processing_kind="承诺件", is_free=True)
    if department is not None:
        doc["department"] = department.code
    return doc


class PublishForm(forms.Form):
    note = forms.CharField(label="修订说明", max_length=200, required=False)


class DepartmentFilterForm(forms.Form):
    department = forms.ModelChoiceField(
        label="部门",
        queryset=Department.objects.none(),
        required=False,
        empty_label="全部部门",
        to_field_name="code",
    )

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class ItemFilterForm(DepartmentFilterForm):
    q = forms.CharField(label="名称或编码", required=False)
    status = forms.ChoiceField(label="状态", choices=[("", "全部"), *STATUSES], required=False)
    has_errors = forms.BooleanField(label="只看有错误的", required=False)

    field_order = ["q", "department", "status", "has_errors"]


EXPORT_FORMATS = [("xlsx", "Excel（.xlsx）"), ("json", "JSON")]
MAX_UPLOAD_MB = 20


class ExportForm(DepartmentFilterForm):
    format = forms.ChoiceField(label="格式", choices=EXPORT_FORMATS, initial="xlsx", required=False)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="文件",
        help_text="按模板填写的 Excel（.xlsx）或导出的 JSON 文件",
        error_messages={"required": "请选择要导入的文件"},
    )
    publish = forms.BooleanField(
        label="检查通过后直接发布", required=False, help_text="不勾选则只保存为草稿"
    )
    note = forms.CharField(label="修订说明", max_length=200, required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(f"文件超过 {MAX_UPLOAD_MB} MB，请按部门分批导入")
        return upload
