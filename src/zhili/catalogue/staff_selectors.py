"""Reads for the staff back office: jurisdiction, item lists, defects, comparisons.

Jurisdiction (DESIGN.md, "every query a staff member makes is scoped to the
divisions and departments they serve"): admins and leaders see every
department; everyone else sees the departments they belong to and the
departments seated in a division they serve or below it. Editing is narrower
and is decided by ``User.can_edit_department_items`` alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from zhili.accounts.models import Role, User
from zhili.catalogue import schema
from zhili.catalogue.checks import RULES, Finding, Rule, check_document
from zhili.catalogue.diff import Change, diff_documents
from zhili.catalogue.models import ImportRecord, ItemVersion, ServiceItem
from zhili.divisions.models import Department

STATUS_PUBLISHED = "published"
STATUS_DRAFT = "draft"
STATUS_NEVER = "never"
STATUSES = [
    (STATUS_PUBLISHED, "已发布"),
    (STATUS_DRAFT, "有草稿"),
    (STATUS_NEVER, "从未发布"),
]
RULE_BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
SEVERITY_LABELS = {"error": "错误", "warning": "提示"}


# ---- who sees what ----


def departments_visible_to(user: User) -> QuerySet[Department]:
    if user.is_county_wide:
        return Department.objects.all()
    division_ids = list(user.divisions.values_list("pk", flat=True))
    # The tree is county → town → village: two parent hops reach every level.
    return Department.objects.filter(
        Q(staff=user)
        | Q(division__in=division_ids)
        | Q(division__parent__in=division_ids)
        | Q(division__parent__parent__in=division_ids)
    ).distinct()


def imports_visible_to(user: User) -> QuerySet[ImportRecord]:
    """Import records and their raw files: an officer sees their own, an admin all."""
    records = ImportRecord.objects.select_related("actor")
    if user.is_superuser or user.role == Role.ADMIN:
        return records
    return records.filter(actor=user)


def items_visible_to(user: User) -> QuerySet[ServiceItem]:
    items = ServiceItem.objects.select_related("department", "current", "draft")
    if user.is_county_wide:
        return items
    return items.filter(department__in=departments_visible_to(user))


def can_view_item(user: User, item: ServiceItem) -> bool:
    return (
        user.is_county_wide or departments_visible_to(user).filter(pk=item.department_id).exists()
    )


# ---- findings ----


def working_version(item: ServiceItem) -> ItemVersion | None:
    """What the officers work on: the draft when one is open, else the current version."""
    return item.draft or item.current


@dataclass
class ItemRow:
    item: ServiceItem
    version: ItemVersion | None
    findings: list[Finding]

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if not f.is_error)


def item_row(item: ServiceItem) -> ItemRow:
    version = working_version(item)
    findings = check_document(version.document) if version is not None else []
    return ItemRow(item, version, findings)


def item_rows(items: Iterable[ServiceItem]) -> list[ItemRow]:
    return [item_row(item) for item in items]


def findings_view(findings: list[Finding]) -> list[dict[str, Any]]:
    """Findings with their rule's title and a Chinese severity, errors first."""
    out = [
        {
            "code": f.code,
            "severity": f.severity,
            "severity_label": SEVERITY_LABELS.get(f.severity, f.severity),
            "title": RULE_BY_CODE[f.code].title if f.code in RULE_BY_CODE else "",
            "message": f.message,
        }
        for f in findings
    ]
    out.sort(key=lambda f: (f["severity"] != "error", f["code"]))
    return out


# ---- the item list ----


def item_list(
    *,
    user: User,
    department: Department | None = None,
    status: str = "",
    has_errors: bool = False,
    q: str = "",
) -> QuerySet[ServiceItem] | list[ServiceItem]:
    items = items_visible_to(user).order_by("department__order", "department__code", "impl_code")
    if department is not None:
        items = items.filter(department=department)
    if status == STATUS_PUBLISHED:
        items = items.filter(current__isnull=False)
    elif status == STATUS_DRAFT:
        items = items.filter(draft__isnull=False)
    elif status == STATUS_NEVER:
        items = items.filter(current__isnull=True)
    q = q.strip()
    if q:
        items = items.filter(
            Q(name__icontains=q) | Q(impl_code__icontains=q) | Q(basic_code__icontains=q)
        )
    if has_errors:
        # Findings are computed, not stored: this filter checks every item in scope.
        return [r.item for r in item_rows(items) if r.errors]
    return items


# ---- the dashboard ----


@dataclass
class DepartmentSummary:
    department: Department
    items: int = 0
    published: int = 0
    drafts: int = 0
    never_published: int = 0
    with_errors: int = 0
    errors: int = 0
    warnings: int = 0

    def add(self, row: ItemRow) -> None:
        self.items += 1
        self.published += row.item.current_id is not None
        self.drafts += row.item.draft_id is not None
        self.never_published += row.item.current_id is None
        self.with_errors += row.errors > 0
        self.errors += row.errors
        self.warnings += row.warnings


def dashboard(user: User) -> tuple[list[DepartmentSummary], DepartmentSummary]:
    """One summary per department in scope that has items, and their total."""
    by_dept: dict[int, DepartmentSummary] = {}
    total = DepartmentSummary(Department(name="合计"))
    items = items_visible_to(user).order_by("department__order", "department__code")
    for row in item_rows(items):
        dept = row.item.department
        by_dept.setdefault(dept.pk, DepartmentSummary(dept)).add(row)
        total.add(row)
    return list(by_dept.values()), total


# ---- the defect report (规范化检查报告) ----


@dataclass
class RuleGroup:
    rule: Rule
    rows: list[tuple[ItemRow, list[Finding]]] = field(default_factory=list)

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.rule.severity, self.rule.severity)

    @property
    def items(self) -> int:
        return len(self.rows)

    @property
    def findings(self) -> int:
        return sum(len(fs) for _, fs in self.rows)


@dataclass
class DepartmentReport:
    department: Department
    checked: int = 0
    with_findings: int = 0
    groups: list[RuleGroup] = field(default_factory=list)


def defect_report(*, user: User, department: Department | None = None) -> list[DepartmentReport]:
    """For each department in scope: its items with findings, grouped by rule code."""
    departments = departments_visible_to(user).order_by("order", "code")
    if department is not None:
        departments = departments.filter(pk=department.pk)
    reports = {d.pk: DepartmentReport(d) for d in departments}
    groups: dict[int, dict[str, RuleGroup]] = defaultdict(dict)
    items = items_visible_to(user).filter(department__in=list(reports)).order_by("impl_code")
    for row in item_rows(items):
        report = reports[row.item.department_id]
        report.checked += 1
        report.with_findings += bool(row.findings)
        by_code: dict[str, list[Finding]] = defaultdict(list)
        for f in row.findings:
            by_code[f.code].append(f)
        for code, findings in by_code.items():
            group = groups[report.department.pk].setdefault(code, RuleGroup(RULE_BY_CODE[code]))
            group.rows.append((row, findings))
    for pk, report in reports.items():
        report.groups = sorted(groups[pk].values(), key=lambda g: g.rule.code)
    return [r for r in reports.values() if r.checked]


def defect_report_rows(reports: list[DepartmentReport]) -> Iterable[list[str]]:
    """The report flattened for a spreadsheet: one line per finding."""
    yield ["部门", "规则编号", "严重程度", "规则", "事项名称", "实施编码", "检查版本", "问题说明"]
    for report in reports:
        for group in report.groups:
            for row, findings in group.rows:
                version = row.version
                label = version_label(version) if version is not None else ""
                for f in findings:
                    yield [
                        report.department.name,
                        group.rule.code,
                        group.severity_label,
                        group.rule.title,
                        row.item.name,
                        row.item.impl_code,
                        label,
                        f.message,
                    ]


# ---- versions and comparison ----


def version_label(version: ItemVersion) -> str:
    if version.status == ItemVersion.DRAFT:
        return f"草稿（第{version.number}版）"
    return f"第{version.number}版"


def version_history(item: ServiceItem) -> list[ItemVersion]:
    return list(item.versions.select_related("published_by", "created_by").order_by("-number"))


def version_by_key(item: ServiceItem, key: str) -> ItemVersion | None:
    """``draft``, ``current`` or a version number; None when there is no such version."""
    if key == "draft":
        return item.draft
    if key == "current":
        return item.current
    if key.isdigit():
        return item.versions.filter(number=int(key)).first()
    return None


def compare_defaults(item: ServiceItem) -> tuple[str, str]:
    """Draft against current when a draft is open; else the last two published versions."""
    if item.draft is not None:
        base = str(item.current.number) if item.current is not None else str(item.draft.number)
        return base, "draft"
    if item.current is not None and item.current.number > 1:
        return str(item.current.number - 1), str(item.current.number)
    return "", ""


def compare(old: ItemVersion, new: ItemVersion) -> list[Change]:
    return diff_documents(old.document, new.document)


# ---- a document, read-only ----


def _show(f: schema.Field, value: Any) -> str:
    if f.kind == "bool":
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) if f.kind == "choices" else "\n".join(value)
    return "" if value is None else str(value)


def document_display(document: dict[str, Any]) -> dict[str, Any]:
    """The document as labelled text, in declared order, for a read-only view."""
    doc = schema.normalize(document)
    return {
        "fields": [
            {"key": f.key, "label": f.label, "kind": f.kind, "value": _show(f, doc[f.key])}
            for f in schema.ITEM_FIELDS
        ],
        "parts": [
            {
                "key": p.key,
                "label": p.label,
                "headers": [f.label for f in p.fields],
                "rows": [[_show(f, row[f.key]) for f in p.fields] for row in doc[p.key]],
            }
            for p in schema.PARTS
        ],
    }
