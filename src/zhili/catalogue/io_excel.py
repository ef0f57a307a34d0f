"""The Excel workbook departments fill in: template, export and reader.

Sheets and columns come from ``zhili.catalogue.schema``: the 事项 sheet holds
``ITEM_FIELDS``, and each ``Part`` has its own sheet whose column A is the
实施编码 of the item a row belongs to. Headers are the fields' Chinese labels;
the reader finds columns by label, so their order does not matter.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from zhili.catalogue import schema
from zhili.catalogue.checks import ERROR, WARNING
from zhili.catalogue.imports import ImportProblem, Parsed, file_problem
from zhili.catalogue.models import ServiceItem
from zhili.catalogue.schema import Field, Part

ITEM_SHEET = "事项"
HELP_SHEET = "说明"
KEY = schema.FIELD_BY_KEY["impl_code"]  # column A of every part sheet

# sheet name -> (the part it holds, or None for 事项; its columns in order)
SHEETS: dict[str, tuple[Part | None, list[Field]]] = {ITEM_SHEET: (None, schema.ITEM_FIELDS)}
SHEETS.update({p.sheet: (p, [KEY, *p.fields]) for p in schema.PARTS})

KIND_WORDS = {
    "str": "文字",
    "text": "长文字，可换行",
    "int": "整数",
    "bool": "是 / 否",
    "choice": "单选（下拉选择）",
    "choices": "多选，用“；”分隔",
    "list": "多项，用“；”分隔",
}
TRUE, FALSE = "是", "否"
LIST_JOIN = "；"

_CHOICES_SPLIT = re.compile(r"[;；、,，\r\n]+")
_LIST_SPLIT = re.compile(r"[;；\r\n]+")
# An entry that starts with a code: A:本人办理, S1=B, P_JYCY. Free text may hold 、
# ("A:父母、配偶"), so 、 separates entries only where the next one starts so.
_CODE_START = re.compile(r"\s*[A-Za-z0-9_]+\s*(?:[:：=＝].*)?", re.S)
_INT = re.compile(r"[+-]?\d+(?:\.0*)?")


# ---------------------------------------------------------------- writing


def export_workbook(items: Iterable[ServiceItem]) -> bytes:
    """The current published versions of ``items`` as a workbook, by 实施编码."""
    docs = [i.current.document for i in items if i.current is not None]
    return documents_workbook(sorted(docs, key=lambda d: d["impl_code"]))


def template_workbook() -> bytes:
    """The empty template: every sheet with its header, dropdowns and the 说明 sheet."""
    return documents_workbook([])


def documents_workbook(documents: Iterable[dict[str, Any]]) -> bytes:
    wb = Workbook()
    sheets: dict[str, Worksheet] = {}
    for n, (name, (_part, fields)) in enumerate(SHEETS.items()):
        ws = wb.active if n == 0 else wb.create_sheet()
        assert ws is not None
        ws.title = name
        _prepare(ws, fields, item_sheet=name == ITEM_SHEET)
        sheets[name] = ws
    for raw in documents:
        doc = schema.normalize(raw)
        _append(sheets[ITEM_SHEET], [_cell(f, doc[f.key]) for f in schema.ITEM_FIELDS])
        for part in schema.PARTS:
            for row in doc[part.key]:
                cells = [doc["impl_code"], *(_cell(f, row[f.key]) for f in part.fields)]
                _append(sheets[part.sheet], cells)
    _help_sheet(wb.create_sheet(HELP_SHEET))
    wb.properties.creator = "智理"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _cell(f: Field, value: Any) -> Any:
    if f.kind == "bool":
        return TRUE if value else FALSE
    if f.kind == "int":
        return value
    if f.kind in {"choices", "list"}:
        value = LIST_JOIN.join(value)
    # openpyxl refuses control characters; they cannot be typed into a cell anyway.
    return ILLEGAL_CHARACTERS_RE.sub("", value) or None


def _append(ws: Worksheet, values: list[Any]) -> None:
    ws.append(values)
    for col, value in enumerate(values, 1):
        # Text such as "=合计" is text: never let it become a formula.
        if isinstance(value, str) and value.startswith("="):
            ws.cell(row=ws._current_row, column=col).data_type = "s"


HEADER_FONT = Font(bold=True)
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")


def _prepare(ws: Worksheet, fields: list[Field], *, item_sheet: bool) -> None:
    ws.append([f.label for f in fields])
    for col, f in enumerate(fields, 1):
        letter = get_column_letter(col)
        head = ws.cell(row=1, column=col)
        head.font = HEADER_FONT
        head.fill = REQUIRED_FILL if f.required else OPTIONAL_FILL
        head.alignment = WRAP
        dim = ws.column_dimensions[letter]
        dim.width = _width(f)
        if f.kind not in {"int"}:
            # Typed codes such as 000112233001 keep their leading zeros.
            dim.number_format = "@"
        dv = _validation(f)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}1048576")
    # 事项: keep code and name in view while scrolling right; parts: the item's code.
    ws.freeze_panes = "D2" if item_sheet else "B2"


def _width(f: Field) -> float:
    if f.kind == "text":
        return 40
    if f.kind in {"choices", "list"} or f.key in {"impl_code", "name"}:
        return 30
    return max(10, min(30, len(f.label) * 2 + 2))


def _validation(f: Field) -> DataValidation | None:
    if f.kind == "bool":
        options = [TRUE, FALSE]
    elif f.kind in {"choice", "choices"}:
        options = f.choices
    else:
        return None
    formula = '"' + ",".join(options) + '"'
    if len(formula) > 255:  # Excel's limit for an inline list
        return None
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    if f.kind == "choices":
        # Several values are typed as 自然人；法人, which a list rule would refuse.
        dv.showErrorMessage = False
        dv.promptTitle = f.label[:32]
        dv.prompt = f"可多选，用“；”分隔：{'、'.join(options)}"[:255]
        dv.showInputMessage = True
    else:
        dv.showErrorMessage = True
        dv.errorTitle = f.label[:32]
        dv.error = f"请从下拉列表中选择：{'、'.join(options)}"[:255]
    return dv


HELP_HEADER = ["工作表", "列", "列名", "必填", "填写方式", "可选值", "说明"]


def help_rows() -> list[list[str]]:
    """One row per column of every sheet: what the 说明 sheet and the docs show."""
    rows = []
    for name, (part, fields) in SHEETS.items():
        for col, f in enumerate(fields, 1):
            note = f.help
            if part is not None and f is KEY:
                note = "该行所属事项的实施编码，须与“事项”表中的一致"
            rows.append(
                [
                    name,
                    get_column_letter(col),
                    f.label,
                    "是" if f.required else "",
                    KIND_WORDS[f.kind],
                    "、".join([TRUE, FALSE] if f.kind == "bool" else f.choices),
                    note,
                ]
            )
    return rows


NOTES = [
    "每张表第1行是表头，请勿修改列名；列的顺序可以调整。",
    "“材料”“情形”“依据”“环节”“收费”“地点”各表每行第一列填所属事项的实施编码。",
    "空行会被忽略。整个文件校验通过才会导入，有任何错误则一项都不导入，并列出每个错误的位置。",
    "多个值用“；”分隔（也接受“;”、换行和“、”）；情形选项写作“编号:文字”，如 A:本人办理。",
]


def _help_sheet(ws: Worksheet) -> None:
    ws.append(HELP_HEADER)
    for cell in ws[1]:
        cell.font = HEADER_FONT
    for row in help_rows():
        ws.append(row)
    ws.append([])
    for note in NOTES:
        ws.append([note])
    for letter, width in zip("ABCDEFG", [8, 5, 24, 6, 18, 40, 50], strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"


def template_markdown() -> str:
    """The column reference of docs/catalogue-template.md, from the declarations."""
    out = []
    for name in SHEETS:
        out += [f"### {name}", "", "| 列 | 列名 | 必填 | 填写方式 | 可选值 | 说明 |"]
        out.append("| --- | --- | --- | --- | --- | --- |")
        for row in help_rows():
            if row[0] == name:
                out.append("| " + " | ".join(c.replace("|", "\\|") for c in row[1:]) + " |")
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------- reading


@dataclass
class SheetSources:
    """Where each document came from in the workbook."""

    item_rows: list[int] = field(default_factory=list)
    part_rows: list[dict[str, list[int]]] = field(default_factory=list)
    # sheet -> field key -> 0-based column index, as the file has them
    columns: dict[str, dict[str, int]] = field(default_factory=dict)

    def name(self, index: int) -> str:
        return f"{ITEM_SHEET} 第{self.item_rows[index]}行"

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
        sheet, line, fields = ITEM_SHEET, self.item_rows[index], schema.ITEM_FIELDS
        if part and row >= 0:
            p = schema.PART_BY_KEY[part]
            sheet, line, fields = p.sheet, self.part_rows[index][part][row], p.fields
        letter = label = ""
        if field:
            f = next((f for f in fields if f.key == field), None)
            label = f.label if f else field
            col = self.columns.get(sheet, {}).get(field)
            letter = get_column_letter(col + 1) if col is not None else ""
        return ImportProblem(sheet, line, letter, label, message, "", rule, severity, index)


NOT_XLSX = "文件不是 Excel 工作簿（.xlsx），请用“事项目录模板”填写后上传"


def read_workbook(data: bytes) -> Parsed:
    """Documents from a filled-in workbook, or the problems that stop it being read."""
    sources = SheetSources()
    if not data:
        return Parsed([], sources, [file_problem("文件是空的")])
    if data[:4] == b"\xd0\xcf\x11\xe0":
        return Parsed(
            [],
            sources,
            [file_problem("这是旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 后上传")],
        )
    if not zipfile.is_zipfile(BytesIO(data)):
        return Parsed([], sources, [file_problem(NOT_XLSX)])
    try:
        wb = load_workbook(BytesIO(data), read_only=True, data_only=True)
        try:
            names = list(wb.sheetnames)
            rows = {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
        finally:
            wb.close()
    except Exception:  # any damage in an uploaded zip means the same to the officer
        return Parsed([], sources, [file_problem(NOT_XLSX)])
    return _Reader(sources).read(names, rows)


class _Reader:
    def __init__(self, sources: SheetSources):
        self.sources = sources
        self.problems: list[ImportProblem] = []
        self.documents: list[dict[str, Any]] = []

    def error(
        self,
        sheet: str,
        row: int | None,
        col: int | None,
        label: str,
        message: str,
        doc: int | None = None,
    ) -> None:
        letter = get_column_letter(col + 1) if col is not None else ""
        self.problems.append(ImportProblem(sheet, row, letter, label, message, document=doc))

    def warn(self, sheet: str, row: int | None, col: int | None, label: str, msg: str) -> None:
        letter = get_column_letter(col + 1) if col is not None else ""
        self.problems.append(ImportProblem(sheet, row, letter, label, msg, severity=WARNING))

    def read(self, names: list[str], rows: dict[str, list[tuple[Any, ...]]]) -> Parsed:
        known = "、".join([*SHEETS, HELP_SHEET])
        for name in names:
            if name in SHEETS or name == HELP_SHEET:
                continue
            if any(not _blank(v) for r in rows.get(name, []) for v in r):
                self.error(name, None, None, "", f"不认识的工作表“{name}”（应为：{known}）")
            else:
                self.warn(name, None, None, "", f"空白工作表“{name}”已忽略")
        for name in SHEETS:
            if name not in rows:
                self.error(name, None, None, "", f"缺少工作表“{name}”（没有内容时保留表头即可）")
        if ITEM_SHEET in rows:
            self._items(rows[ITEM_SHEET])
            by_code = {
                d["impl_code"]: i for i, d in enumerate(self.documents) if d.get("impl_code")
            }
            for part in schema.PARTS:
                if part.sheet in rows:
                    self._part(part, rows[part.sheet], by_code)
        return Parsed(self.documents, self.sources, self.problems)

    def _header(
        self, sheet: str, fields: list[Field], rows: list[tuple[Any, ...]]
    ) -> dict[str, int]:
        by_label = {f.label: f for f in fields}
        cols: dict[str, int] = {}
        header = rows[0] if rows else ()
        for col, raw in enumerate(header):
            label = "" if raw is None else str(raw).strip().lstrip("*＊").strip()
            if not label:
                continue
            f = by_label.get(label)
            if f is None:
                if any(len(r) > col and not _blank(r[col]) for r in rows[1:]):
                    self.warn(sheet, 1, col, label, f"不认识的列“{label}”，该列内容未导入")
            elif f.key in cols:
                self.error(sheet, 1, col, label, f"列“{label}”重复")
            else:
                cols[f.key] = col
        for f in fields:
            if f.key not in cols:
                if f.required:
                    self.error(sheet, 1, None, f.label, "缺少必填列（第1行应为表头）")
                else:
                    self.warn(sheet, 1, None, f.label, "缺少这一列，按空白导入")
        self.sources.columns[sheet] = cols
        return cols

    def _values(
        self, sheet: str, line: int, row: tuple[Any, ...], fields: list[Field],
        cols: dict[str, int], part: Part | None, doc: int | None,
    ) -> dict[str, Any]:  # fmt: skip
        out: dict[str, Any] = {}
        for f in fields:
            col = cols.get(f.key)
            raw = row[col] if col is not None and col < len(row) else None
            value, message = _read_cell(f, raw, part)
            if message:
                self.error(sheet, line, col, f.label, message, doc)
            elif value is not None:
                out[f.key] = value
        return out

    def _items(self, rows: list[tuple[Any, ...]]) -> None:
        cols = self._header(ITEM_SHEET, schema.ITEM_FIELDS, rows)
        seen: dict[str, int] = {}
        for line, row in enumerate(rows[1:], start=2):
            if all(_blank(v) for v in row):
                continue
            code = _key(row, cols)
            if code in seen:
                message = f"实施编码“{code}”与第{seen[code]}行重复"
                self.error(ITEM_SHEET, line, cols[KEY.key], KEY.label, message)
                continue
            if code:
                seen[code] = line
            index = len(self.documents)
            doc = self._values(ITEM_SHEET, line, row, schema.ITEM_FIELDS, cols, None, index)
            self.documents.append({**doc, **{p.key: [] for p in schema.PARTS}})
            self.sources.item_rows.append(line)
            self.sources.part_rows.append({p.key: [] for p in schema.PARTS})

    def _part(self, part: Part, rows: list[tuple[Any, ...]], by_code: dict[str, int]) -> None:
        cols = self._header(part.sheet, SHEETS[part.sheet][1], rows)
        if KEY.key not in cols:
            return
        for line, row in enumerate(rows[1:], start=2):
            if all(_blank(v) for v in row):
                continue
            code = _key(row, cols)
            index = by_code.get(code)
            values = self._values(part.sheet, line, row, part.fields, cols, part, index)
            col = cols[KEY.key]
            if not code:
                self.error(part.sheet, line, col, KEY.label, "必填（该行所属事项的实施编码）")
            elif index is None:
                message = f"实施编码“{code}”不在“{ITEM_SHEET}”表中"
                self.error(part.sheet, line, col, KEY.label, message)
            else:
                self.documents[index][part.key].append(values)
                self.sources.part_rows[index][part.key].append(line)


def _key(row: tuple[Any, ...], cols: dict[str, int]) -> str:
    """The 实施编码 of a row, read before its other cells to know whose row it is."""
    col = cols.get(KEY.key)
    raw = row[col] if col is not None and col < len(row) else None
    return "" if _blank(raw) else _text(raw)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_cell(f: Field, raw: Any, part: Part | None) -> tuple[Any, str | None]:
    """The document value of a cell, or a message saying why it cannot be one.

    A blank cell gives None (the field's empty value) unless it must be filled.
    """
    if _blank(raw):
        if f.required and f.kind in {"int", "bool"}:
            return None, "必填"
        return None, None
    if f.kind == "int":
        return _read_int(raw)
    if f.kind == "bool":
        if raw is True or raw in (TRUE, "TRUE", 1):
            return True, None
        if raw is False or raw in (FALSE, "FALSE", 0):
            return False, None
        return None, f"“{_show(raw)}”应填“{TRUE}”或“{FALSE}”"
    text = _text(raw)
    if f.kind == "choices":
        return [v.strip() for v in _CHOICES_SPLIT.split(text) if v.strip()], None
    if f.kind == "list":
        entries = _split_list(text)
        if part is not None and (part.key, f.key) == ("situations", "options"):
            entries = [_option(e) for e in entries]
        if part is not None and (part.key, f.key) == ("materials", "when"):
            entries = [re.sub(r"\s*[=＝]\s*", "=", e) for e in entries]
        return entries, None
    return text, None


def _read_int(raw: Any) -> tuple[int | None, str | None]:
    if isinstance(raw, bool):
        return None, f"“{_show(raw)}”不是整数"
    if isinstance(raw, int):
        return raw, None
    if isinstance(raw, float):
        return (int(raw), None) if raw.is_integer() else (None, f"“{_show(raw)}”不是整数")
    text = str(raw).strip()
    if _INT.fullmatch(text):
        return int(float(text)), None
    try:
        float(text)
    except ValueError:
        return None, f"“{text}”不是整数，请填写阿拉伯数字，如 15"
    return None, f"“{text}”不是整数"


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime | date):
        return raw.isoformat()
    return str(raw).strip()


def _show(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _split_list(text: str) -> list[str]:
    out: list[str] = []
    for chunk in _LIST_SPLIT.split(text):
        pieces = chunk.split("、")
        if len(pieces) > 1 and _CODE_START.fullmatch(pieces[0]):
            merged: list[str] = []
            for piece in pieces:
                if merged and not _CODE_START.fullmatch(piece):
                    merged[-1] += "、" + piece
                else:
                    merged.append(piece)
            pieces = merged
        else:
            pieces = [chunk]
        out += [p.strip() for p in pieces if p.strip()]
    return out


def _option(text: str) -> str:
    """A:本人办理 from A：本人办理 or "A : 本人办理"."""
    m = re.match(r"\s*([^:：]*?)\s*[:：]\s*(.*)", text, re.S)
    return f"{m.group(1)}:{m.group(2).strip()}" if m else text
