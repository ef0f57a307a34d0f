"""The catalogue as JSON: ``{"format": "zhili-catalogue", "version": 1, "items": [...]}``.

Each entry of ``items`` is an item document as declared in
``zhili.catalogue.schema``. Problems point at JSON paths such as
``items[3].materials[1].necessity`` (indexes count from 0).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from zhili.catalogue import schema
from zhili.catalogue.imports import ImportProblem, Parsed, PathSources, file_problem
from zhili.catalogue.models import ServiceItem
from zhili.catalogue.schema import Field

FORMAT = "zhili-catalogue"
VERSION = 1

# The json module's messages, for the ones officers and integrators meet most.
SYNTAX_WORDS = {
    "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting value": "缺少值（或多了逗号）",
    "Expecting property name enclosed in double quotes": "属性名应使用双引号（或多了逗号）",
    "Unterminated string starting at": "字符串缺少结尾的引号",
    "Invalid control character at": "字符串中有控制字符（换行应写作 \\n）",
    "Extra data": "JSON 结束后还有多余内容",
    "Invalid \\escape": "无效的转义字符",
}
TYPE_WORDS = {
    "str": "应为字符串",
    "text": "应为字符串",
    "choice": "应为字符串",
    "int": "应为整数",
    "bool": "应为 true 或 false",
    "choices": "应为字符串数组",
    "list": "应为字符串数组",
}


def export_json(items: Iterable[ServiceItem]) -> str:
    """The current published versions of ``items``, as deterministic UTF-8 JSON text."""
    return documents_json(i.current.document for i in items if i.current is not None)


def documents_json(documents: Iterable[dict[str, Any]]) -> str:
    # Items by 实施编码; keys in declared order, as schema.normalize gives them.
    docs = sorted((schema.normalize(d) for d in documents), key=lambda d: d["impl_code"])
    body = {"format": FORMAT, "version": VERSION, "items": docs}
    return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def read_json(data: bytes | str) -> Parsed:
    """Documents from a JSON export, or every problem with its line or JSON path."""
    sources = PathSources(indexes=[])
    if isinstance(data, bytes):
        if not data.strip():
            return Parsed([], sources, [file_problem("文件是空的")])
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            msg = f"文件不是 UTF-8 编码的文本（第{exc.start + 1}个字节无法解码）"
            return Parsed([], sources, [file_problem(msg)])
    else:
        text = data.removeprefix("\ufeff")
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        words = next((v for k, v in SYNTAX_WORDS.items() if exc.msg.startswith(k)), exc.msg)
        msg = f"JSON 语法错误（第{exc.lineno}行第{exc.colno}列）：{words}"
        return Parsed([], sources, [file_problem(msg, row=exc.lineno)])
    except RecursionError:
        return Parsed([], sources, [file_problem("JSON 嵌套过深")])
    return _Reader(sources).read(body)


def _problem(path: str, message: str, document: int | None = None) -> ImportProblem:
    return ImportProblem("", None, "", "", message, path, document=document)


class _Reader:
    """Checks the shape and the value types, so validation sees well-typed documents.

    A value of the wrong type is reported here and replaced by the field's
    empty value; the import fails either way, and validation then reports
    the document's other problems too.
    """

    def __init__(self, sources: PathSources):
        self.sources = sources
        self.problems: list[ImportProblem] = []
        self.index = 0  # of the document being read

    def read(self, body: Any) -> Parsed:
        documents: list[dict[str, Any]] = []
        if not isinstance(body, dict):
            self.problems.append(_problem("", '应为 JSON 对象：{"format": …, "items": […]}'))
        elif body.get("format") != FORMAT:
            self.problems.append(_problem("format", f"应为“{FORMAT}”，这不是智理事项目录文件"))
        elif body.get("version") != VERSION:
            found = json.dumps(body.get("version"), ensure_ascii=False)
            self.problems.append(_problem("version", f"不支持的版本 {found}（支持：{VERSION}）"))
        elif not isinstance(body.get("items"), list):
            self.problems.append(_problem("items", "应为数组"))
        else:
            for n, entry in enumerate(body["items"]):
                if not isinstance(entry, dict):
                    self.problems.append(_problem(f"items[{n}]", "应为对象"))
                    continue
                assert self.sources.indexes is not None
                self.sources.indexes.append(n)
                documents.append(self._document(f"items[{n}]", entry, len(documents)))
        return Parsed(documents, self.sources, self.problems)

    def _document(self, path: str, entry: dict[str, Any], index: int) -> dict[str, Any]:
        self.index = index
        doc = self._fields(path, entry, schema.ITEM_FIELDS, {p.key for p in schema.PARTS})
        for part in schema.PARTS:
            rows = entry.get(part.key)
            doc[part.key] = []
            if rows is None:
                continue
            if not isinstance(rows, list):
                self.problems.append(_problem(f"{path}.{part.key}", "应为数组", index))
                continue
            for i, row in enumerate(rows):
                where = f"{path}.{part.key}[{i}]"
                if isinstance(row, dict):
                    doc[part.key].append(self._fields(where, row, part.fields, set()))
                else:
                    self.problems.append(_problem(where, "应为对象", index))
                    doc[part.key].append({})
        return doc

    def _fields(
        self, path: str, entry: dict[str, Any], fields: list[Field], parts: set[str]
    ) -> dict[str, Any]:
        declared = {f.key for f in fields} | parts
        for key in entry:
            if key not in declared:
                self.problems.append(_problem(f"{path}.{key}", "不认识的字段", self.index))
        out: dict[str, Any] = {}
        for f in fields:
            value = entry.get(f.key)
            if value is None:
                if f.required and f.kind in {"int", "bool"}:
                    self.problems.append(_problem(f"{path}.{f.key}", "缺少必填字段", self.index))
                continue
            if _typed(f, value):
                out[f.key] = value
            else:
                self.problems.append(_problem(f"{path}.{f.key}", TYPE_WORDS[f.kind], self.index))
        return out


def _typed(f: Field, value: Any) -> bool:
    if f.kind in {"str", "text", "choice"}:
        return isinstance(value, str)
    if f.kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if f.kind == "bool":
        return isinstance(value, bool)
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
