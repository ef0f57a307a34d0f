"""The shared apply step of a catalogue import, and where its problems point.

The Excel and JSON readers turn a file into item documents plus a ``Sources``
that knows where each value came from (sheet, row and column, or JSON path).
``catalogue_import`` validates every document, then applies all of them or
none: one problem anywhere means nothing is written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet

from zhili.accounts.models import User
from zhili.catalogue import schema
from zhili.catalogue.checks import ERROR, WARNING, check_document
from zhili.catalogue.models import ImportRecord, ServiceItem
from zhili.catalogue.services import (
    DocumentInvalid,
    PermissionDenied,
    PublishBlocked,
    document_problems,
    item_draft_save,
    item_publish,
)
from zhili.divisions.models import Department


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with an import file, and the cell or JSON path it is in.

    ``str()`` gives the sentence shown to the officer, e.g.
    ``材料 第12行 F列（必要性）：“可选”不是可选值（可选：必要、非必要、容缺后补）``.
    """

    sheet: str
    row: int | None
    column_letter: str
    column_label: str
    message: str
    path: str = ""  # JSON path, e.g. items[3].materials[1].necessity
    rule: str = ""  # 规范化检查 rule code when the problem is a check finding
    severity: str = ERROR  # an error fails the import; a warning is only reported
    document: int | None = None  # index of the document (item) it belongs to, if any

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def where(self) -> str:
        if not self.sheet:
            return self.path
        out = self.sheet
        if self.row:
            out += f" 第{self.row}行"
        if self.column_letter:
            out += f" {self.column_letter}列"
        if self.column_label:
            out += f"（{self.column_label}）"
        return out

    def __str__(self) -> str:
        text = f"[{self.rule}] {self.message}" if self.rule else self.message
        where = self.where()
        return f"{where}：{text}" if where else text

    def covers(self, other: ImportProblem) -> bool:
        """Whether ``other`` only repeats this problem: the same cell, a cell of a
        column this problem says is missing, or a JSON value inside this one."""
        if self.sheet and self.row == 1 and self.column_label and not self.column_letter:
            return (other.sheet, other.column_label) == (self.sheet, self.column_label)
        if self.path and other.path.startswith(self.path + "."):
            return True
        return (other.sheet, other.row, other.column_letter, other.path) == (
            self.sheet,
            self.row,
            self.column_letter,
            self.path,
        )


def file_problem(message: str, *, row: int | None = None) -> ImportProblem:
    """A problem with the file as a whole (not an xlsx, bad JSON syntax …)."""
    return ImportProblem("", row, "", "", message)


class Sources(Protocol):
    """Where the documents of an import came from, to point problems at them."""

    def name(self, index: int) -> str:
        """The place of document ``index`` in words: 事项 第3行, items[2]."""
        ...

    def problem(
        self,
        index: int,
        message: str,
        *,
        field: str = "",
        part: str = "",
        row: int = -1,
        rule: str = "",
        severity: str = ERROR,
    ) -> ImportProblem:
        """A problem in document ``index``: its ``field``, or row ``row`` of ``part``."""
        ...


@dataclass
class PathSources:
    """Positions as JSON paths: items[3].materials[1].necessity.

    ``indexes[i]`` is the position in the file of document ``i`` when the reader
    left some entries out (an entry that is not an object, say).
    """

    indexes: list[int] | None = None

    def name(self, index: int) -> str:
        n = self.indexes[index] if self.indexes is not None else index
        return f"items[{n}]"

    def problem(
        self,
        index: int,
        message: str,
        *,
        field: str = "",
        part: str = "",
        row: int = -1,
        rule: str = "",
        severity: str = ERROR,
    ) -> ImportProblem:
        path = self.name(index)
        if part:
            path += f".{part}[{row}]" if row >= 0 else f".{part}"
        if field and field != part:
            path += f".{field}"
        return ImportProblem("", None, "", "", message, path, rule, severity, index)


@dataclass
class Parsed:
    """What a reader made of a file: documents, their sources, and read problems."""

    documents: list[dict[str, Any]]
    sources: Sources
    problems: list[ImportProblem] = field(default_factory=list)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)
    record_id: int | None = None  # the ImportRecord that keeps the raw file

    @property
    def ok(self) -> bool:
        """True when the import was applied; False when nothing was written."""
        return not self.problems

    def summary(self) -> str:
        if not self.ok:
            return f"导入未执行：发现{len(self.problems)}个问题，目录未作任何修改"
        text = (
            f"导入完成：新增{self.created}项，更新{self.updated}项，"
            f"未变{self.unchanged}项，发布{self.published}项"
        )
        return text + (f"；另有{len(self.warnings)}条提示" if self.warnings else "")


class _Rollback(Exception):
    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problems")


@dataclass
class _Plan:
    index: int
    doc: dict[str, Any]
    item: ServiceItem | None


def catalogue_import(
    *,
    documents: Sequence[dict[str, Any]],
    actor: User | None,
    publish: bool,
    source_rows: Sources | None = None,
    problems: Sequence[ImportProblem] = (),
    note: str = "",
) -> ImportReport:
    """Validate every document, then save all of them as drafts (and publish) or none.

    ``problems`` are what the reader already found in the file: their errors
    fail the import, but validation still runs so the officer sees every error
    at once. Documents identical to the published version are left alone, so
    re-importing an export writes nothing. ``actor=None`` is the system (CLI
    without ``--as``) and may edit every department.
    """
    sources: Sources = source_rows if source_rows is not None else PathSources()
    warnings = [p for p in problems if not p.is_error]
    read_errors = [p for p in problems if p.is_error]
    try:
        with transaction.atomic():
            run = _Run(
                actor=actor, publish=publish, sources=sources, read_errors=read_errors, note=note
            )
            report = run.run(documents)
    except _Rollback as exc:
        report = ImportReport(problems=exc.problems)
    report.warnings = warnings + report.warnings
    return report


class _Run:
    """One import: judge every document, then write all of them or raise _Rollback."""

    def __init__(
        self,
        *,
        actor: User | None,
        publish: bool,
        sources: Sources,
        read_errors: list[ImportProblem],
        note: str,
    ):
        self.actor, self.publish, self.sources, self.note = actor, publish, sources, note
        self.report = ImportReport()
        self.errors = list(read_errors)
        # A cell the reader could not read gets one message, not a second from validation.
        self.read_errors = read_errors
        self.unreadable = {p.document for p in read_errors if p.document is not None}
        self.departments = {d.code: d for d in Department.objects.all()}
        self.rights = _EditRights(actor)
        self.first: dict[str, int] = {}  # impl code -> index of its document
        self.plans: list[_Plan] = []

    def run(self, documents: Sequence[dict[str, Any]]) -> ImportReport:
        codes = [d.get("impl_code") for d in documents]
        existing = _items_by_code([c for c in codes if isinstance(c, str) and c])
        for i, raw in enumerate(documents):
            self._judge(i, raw, existing)
        ordered, order_problems = _parents_first(
            self.plans, self.first, self.sources, check_existing=self.publish
        )
        if self.publish:
            self.errors += order_problems
        if self.errors:
            raise _Rollback(self.errors)
        self._write(ordered)
        return self.report

    def _judge(self, i: int, raw: dict[str, Any], existing: dict[str, ServiceItem]) -> None:
        sources = self.sources
        found = [
            sources.problem(i, p.message, field=p.field, part=p.part, row=p.index)
            for p in document_problems(raw, departments=self.departments)
        ]
        code = raw.get("impl_code")
        if isinstance(code, str) and code:
            if code in self.first:
                where = sources.name(self.first[code])
                message = f"实施编码“{code}”重复（{where}已有）"
                found.append(sources.problem(i, message, field="impl_code"))
            else:
                self.first[code] = i
        self.errors += [p for p in found if not any(r.covers(p) for r in self.read_errors)]
        if found or i in self.unreadable:
            # Checks on a document with a value left out would report what is not there.
            return
        doc = schema.normalize(raw)
        item = existing.get(doc["impl_code"])
        # Unchanged before permission: an officer may re-import a whole-county
        # export in which only their own department's rows changed.
        if item is not None and item.current is not None and item.current.document == doc:
            self.report.unchanged += 1
            if item.draft is not None and item.draft.document != doc:
                message = "与已发布版本相同，未导入；该事项另有未发布的草稿，草稿保留未动"
                self.report.warnings.append(sources.problem(i, message, severity=WARNING))
            return
        denied = self.rights.problem(doc, item, self.departments)
        if denied:
            self.errors.append(sources.problem(i, denied, field="department"))
            return
        if not self.publish and item is not None and item.draft and item.draft.document == doc:
            self.report.unchanged += 1
            return
        for finding in check_document(doc):
            if finding.is_error and self.publish:
                self.errors.append(sources.problem(i, finding.message, rule=finding.code))
            else:
                message = finding.message + ("（发布前须改正）" if finding.is_error else "")
                self.report.warnings.append(
                    sources.problem(i, message, rule=finding.code, severity=WARNING)
                )
        self.plans.append(_Plan(i, doc, item))

    def _write(self, ordered: list[_Plan]) -> None:
        """Save every draft, then publish parents before children; any failure undoes all."""
        failures: list[ImportProblem] = []
        for plan in ordered:
            try:
                version = item_draft_save(
                    document=plan.doc,
                    actor=self.actor,
                    item=plan.item,
                    note=self.note,
                    departments=self.departments,
                )
            except (DocumentInvalid, PermissionDenied) as exc:
                failures.append(self.sources.problem(plan.index, str(exc)))
                continue
            if plan.item is None:
                self.report.created += 1
            else:
                self.report.updated += 1
            plan.item = version.item
        if self.publish and not failures:
            for plan in ordered:
                assert plan.item is not None
                try:
                    item_publish(item=plan.item, actor=self.actor, note=self.note)
                except PublishBlocked as exc:
                    failures += [
                        self.sources.problem(plan.index, f.message, rule=f.code)
                        for f in exc.findings
                    ]
                except (DocumentInvalid, PermissionDenied, ValueError) as exc:
                    failures.append(self.sources.problem(plan.index, str(exc)))
                else:
                    self.report.published += 1
        if failures:
            raise _Rollback(failures)


def _items_by_code(codes: list[str]) -> dict[str, ServiceItem]:
    out: dict[str, ServiceItem] = {}
    # Chunked: SQLite limits the number of parameters of one query.
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        qs = ServiceItem.objects.filter(impl_code__in=chunk).select_related(
            "current", "draft", "department"
        )
        out.update({item.impl_code: item for item in qs})
    return out


class _EditRights:
    """The actor's right to edit each department's items, asked once per department."""

    def __init__(self, actor: User | None):
        self.actor = actor
        self.known: dict[int, bool] = {}

    def _may(self, department: Department) -> bool:
        if self.actor is None:
            return True
        if department.pk not in self.known:
            self.known[department.pk] = self.actor.can_edit_department_items(department.pk)
        return self.known[department.pk]

    def problem(
        self, doc: dict[str, Any], item: ServiceItem | None, departments: dict[str, Department]
    ) -> str | None:
        if item is not None and not self._may(item.department):
            return f"该事项属于{item.department.name}，{self.actor}无权维护"
        target = departments[doc["department"]]
        if not self._may(target):
            return f"{self.actor}无权维护{target.name}的事项"
        return None


def _parents_first(
    plans: list[_Plan], codes: dict[str, int], sources: Sources, *, check_existing: bool
) -> tuple[list[_Plan], list[ImportProblem]]:
    """Plans ordered so that a parent is saved and published before its children."""
    problems: list[ImportProblem] = []
    by_code = {p.doc["impl_code"]: p for p in plans}
    if check_existing:
        wanted = {
            p.doc["parent_impl_code"]
            for p in plans
            if p.doc["parent_impl_code"] and p.doc["parent_impl_code"] not in codes
        }
        known = set(
            ServiceItem.objects.filter(impl_code__in=sorted(wanted)).values_list(
                "impl_code", flat=True
            )
        )
        for p in plans:
            parent = p.doc["parent_impl_code"]
            if parent == p.doc["impl_code"]:
                problems.append(
                    sources.problem(p.index, "上级事项不能是本事项", field="parent_impl_code")
                )
            elif parent and parent not in codes and parent not in known:
                problems.append(
                    sources.problem(
                        p.index,
                        f"上级事项“{parent}”既不在本次导入中，也不在事项库中",
                        field="parent_impl_code",
                    )
                )
    ordered: list[_Plan] = []
    state: dict[str, str] = {}
    for plan in plans:
        chain: list[_Plan] = []
        node: _Plan | None = plan
        while node is not None and state.get(node.doc["impl_code"]) is None:
            state[node.doc["impl_code"]] = "visiting"
            chain.append(node)
            parent = node.doc["parent_impl_code"]
            node = by_code.get(parent) if parent != node.doc["impl_code"] else None
        if node is not None and state[node.doc["impl_code"]] == "visiting":
            loop = " → ".join(n.doc["impl_code"] for n in chain)
            problems.append(
                sources.problem(node.index, f"上级事项形成循环：{loop}", field="parent_impl_code")
            )
        for n in reversed(chain):
            state[n.doc["impl_code"]] = "done"
            ordered.append(n)
    return ordered, problems


def export_items(*, department_codes: Iterable[str] | None = None) -> QuerySet[ServiceItem]:
    """The published items to export, with their current versions, by 实施编码."""
    qs = ServiceItem.objects.filter(current__isnull=False).select_related("current")
    if department_codes is not None:
        qs = qs.filter(department__code__in=list(department_codes))
    return qs.order_by("impl_code")


def read_upload(data: bytes, filename: str = "") -> Parsed:
    """Read an uploaded file as Excel or JSON, by its name or else its first bytes."""
    # The readers import this module, so they are imported here.
    from zhili.catalogue.io_excel import read_workbook
    from zhili.catalogue.io_json import read_json

    name = filename.lower()
    if name.endswith(".json"):
        return read_json(data)
    if name.endswith((".xlsx", ".xlsm", ".xls")) or data[:2] == b"PK":
        return read_workbook(data)
    if data.lstrip()[:1] in (b"{", b"["):
        return read_json(data)
    return read_workbook(data)


def import_upload(
    *, data: bytes, filename: str, actor: User | None, publish: bool, note: str = ""
) -> ImportReport:
    """Read a file and apply it: what the back-office upload page and the CLI call.

    The raw file is kept first, outside the import's transaction, so a failed
    import leaves its evidence too.
    """
    record = ImportRecord(
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        actor=actor,
        publish=publish,
    )
    record.file.save(Path(filename).name or "upload", ContentFile(data), save=False)
    record.save()
    parsed = read_upload(data, filename)
    report = catalogue_import(
        documents=parsed.documents,
        actor=actor,
        publish=publish,
        source_rows=parsed.sources,
        problems=parsed.problems,
        note=note,
    )
    record.ok = report.ok
    record.summary = report.summary()[:300]
    record.problems = [str(p) for p in report.problems + report.warnings]
    record.save(update_fields=["ok", "summary", "problems"])
    report.record_id = record.pk
    return report
