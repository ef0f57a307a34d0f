"""A dataset's Table Schema (Frictionless): checked, shown in Chinese, compiled to DuckDB SQL.

Every dataset's schema holds the two key fields first (``division_code``,
``period``, the primary key, fixed by the system) and then the measured
fields a steward declares. ``schema_normalise`` is the one gate a
descriptor passes before it is stored; ``compile_checks`` turns the fields
and their constraints into SQL expressions that ``ingest`` evaluates over a
whole file at once.

Each compiled field gives two expressions over its input column: ``out``,
the value to keep (DOUBLE for integers and numbers, the text otherwise), and
``err``, the code of the first rule the cell breaks or NULL. One cell gets
at most one error, as in ``frictionless.validate``: a missing value is only
checked for ``required``, a value of the wrong type for nothing else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from frictionless import FrictionlessException, Schema

KEY_FIELDS = ("division_code", "period")
VALUE_TYPES = ("integer", "number", "string", "boolean", "date", "year")
NUMERIC_TYPES = ("integer", "number")

TYPE_LABELS = {
    "integer": "整数",
    "number": "数值",
    "string": "文本",
    "boolean": "是/否",
    "date": "日期",
    "year": "年份",
}
TYPE_HINTS = {
    "integer": "整数",
    "number": "数字",
    "string": "文本",
    "boolean": "是/否（true/false、1/0、是/否）",
    "date": "日期（如2025-03-01）",
    "year": "四位年份（如2025）",
}
CONSTRAINT_LABELS = {
    "required": "必填",
    "minimum": "最小值",
    "maximum": "最大值",
    "enum": "可选值",
    "pattern": "格式",
    "minLength": "最短长度",
    "maxLength": "最长长度",
    "unique": "不得重复",
}
RULE_LABELS = {
    **CONSTRAINT_LABELS,
    "type": "类型",
    "division": "区划代码",
    "period": "统计期格式",
    "primaryKey": "区划与统计期重复",
    "header": "表头",
    "columns": "列数",
    "format": "文件格式",
}
LEVEL_LABELS = {"village": "行政村", "town": "乡镇", "county": "县"}
# Constraints each type may carry: Table Schema v1's table (its v2 adds bounds that exclude).
SUPPORTED = {
    "integer": {"required", "minimum", "maximum", "enum", "unique"},
    "number": {"required", "minimum", "maximum", "enum", "unique"},
    "string": {"required", "pattern", "enum", "minLength", "maxLength", "unique"},
    "boolean": {"required", "enum"},
    "date": {"required", "minimum", "maximum", "enum", "unique"},
    "year": {"required", "minimum", "maximum", "enum", "unique"},
}


@dataclass(frozen=True)
class PeriodFormat:
    label: str
    example: str
    regex: str


PERIOD_FORMATS = {
    "monthly": PeriodFormat("按月", "2025-03", r"[0-9]{4}-(0[1-9]|1[0-2])"),
    "quarterly": PeriodFormat("按季", "2025Q1", r"[0-9]{4}Q[1-4]"),
    "yearly": PeriodFormat("按年", "2025", r"[0-9]{4}"),
}
_NAME_RE = re.compile(r"[^\W\d]\w{0,62}")
TRUE_VALUES = ("true", "1", "是", "yes", "y", "t")
FALSE_VALUES = ("false", "0", "否", "no", "n", "f")
MAX_EXACT_INTEGER = 9007199254740991  # 2**53 - 1: integers are read as DOUBLE, exact up to here


class SchemaInvalid(ValueError):
    """A descriptor that cannot be stored; ``problems`` says why, in Chinese, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


# ---- the key fields ----------------------------------------------------------


def key_fields(frequency: str) -> list[dict[str, Any]]:
    """The two fields every dataset's rows are keyed by, as the system defines them."""
    fmt = PERIOD_FORMATS[frequency]
    return [
        {
            "name": "division_code",
            "type": "string",
            "title": "区划代码",
            "description": "12位统计用区划代码",
            "constraints": {"required": True, "pattern": r"[0-9]{12}"},
        },
        {
            "name": "period",
            "type": "string",
            "title": "统计期",
            "description": f"{fmt.label}，格式如{fmt.example}",
            "constraints": {"required": True, "pattern": fmt.regex},
        },
    ]


# ---- checking a descriptor ---------------------------------------------------


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _constraint_problems(label: str, ftype: str, constraints: Any) -> list[str]:
    if not isinstance(constraints, dict):
        return [f"{label}：约束（constraints）应为对象"]
    out = []
    for key, value in constraints.items():
        name = CONSTRAINT_LABELS.get(key, key)
        if key not in SUPPORTED.get(ftype, set()):
            out.append(f"{label}：{TYPE_LABELS.get(ftype, ftype)}字段不支持约束“{name}”（{key}）")
        elif key in ("required", "unique") and not isinstance(value, bool):
            out.append(f"{label}：“{name}”应为 true 或 false")
        elif key in ("minLength", "maxLength") and (
            not isinstance(value, int) or isinstance(value, bool) or value < 0
        ):
            out.append(f"{label}：“{name}”应为非负整数")
        elif key in ("minimum", "maximum"):
            if ftype == "date":
                if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                    out.append(f"{label}：“{name}”应为日期，如2025-01-01")
            elif not _number(value):
                out.append(f"{label}：“{name}”应为数字")
            elif ftype in ("integer", "year") and value != int(value):
                out.append(f"{label}：“{name}”应为整数")
        elif key == "enum":
            if not isinstance(value, list) or not value:
                out.append(f"{label}：“{name}”应为非空列表")
            elif ftype in (*NUMERIC_TYPES, "year") and not all(_number(v) for v in value):
                out.append(f"{label}：“{name}”的每一项都应为数字")
            elif ftype == "boolean" and not all(isinstance(v, bool) for v in value):
                out.append(f"{label}：“{name}”的每一项都应为 true 或 false")
            elif ftype in ("string", "date") and not all(isinstance(v, str) for v in value):
                out.append(f"{label}：“{name}”的每一项都应为文本")
        elif key == "pattern":
            try:
                re.compile(str(value))
            except re.error as exc:
                out.append(f"{label}：“{name}”不是有效的正则表达式（{exc}）")
    low, high = constraints.get("minimum"), constraints.get("maximum")
    if _number(low) and _number(high) and low > high:  # type: ignore[operator]
        out.append(f"{label}：最小值{low}大于最大值{high}")
    lo_len, hi_len = constraints.get("minLength"), constraints.get("maxLength")
    if isinstance(lo_len, int) and isinstance(hi_len, int) and lo_len > hi_len:
        out.append(f"{label}：最短长度{lo_len}大于最长长度{hi_len}")
    return out


def schema_problems(descriptor: Any) -> list[str]:
    """What is wrong with a descriptor's value fields, in Chinese; empty when it can be stored."""
    if not isinstance(descriptor, dict):
        return ['表结构应为 JSON 对象，形如 {"fields": [...]}']
    fields = descriptor.get("fields")
    if not isinstance(fields, list):
        return ["表结构缺少字段列表（fields）"]
    problems: list[str] = []
    values = [f for f in fields if not (isinstance(f, dict) and f.get("name") in KEY_FIELDS)]
    if not values:
        problems.append("至少需要一个数据字段（区划代码和统计期之外）")
    seen: dict[str, int] = {}
    titles: dict[str, int] = {}
    for i, f in enumerate(values, start=1):
        if not isinstance(f, dict):
            problems.append(f"第{i}个字段应为对象")
            continue
        name = f.get("name")
        label = f"第{i}个字段“{name or ''}”"
        if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
            problems.append(f"{label}：字段名须以字母或汉字开头，只含字母、汉字、数字和下划线")
            continue
        if name in seen:
            problems.append(f"{label}：字段名与第{seen[name]}个字段重复")
        seen.setdefault(name, i)
        title = f.get("title")
        if title is not None and not isinstance(title, str):
            problems.append(f"{label}：标题（title）应为文本")
        elif title:
            if title in titles:
                problems.append(f"{label}：标题“{title}”与第{titles[title]}个字段重复")
            titles.setdefault(title, i)
        ftype = f.get("type", "string")
        if ftype not in VALUE_TYPES:
            allowed = "、".join(f"{t}（{TYPE_LABELS[t]}）" for t in VALUE_TYPES)
            problems.append(f"{label}：不支持类型“{ftype}”，可选：{allowed}")
            continue
        problems += _constraint_problems(label, ftype, f.get("constraints", {}))
    if problems:
        return problems
    # The standard's own checks, on what we would store.
    try:
        Schema.from_descriptor({"fields": [_frictionless_field(f) for f in fields]})
    except FrictionlessException as exc:
        problems.append(f"表结构不符合 Table Schema 规范：{exc.error.message}")
    return problems


def _frictionless_field(f: dict[str, Any]) -> dict[str, Any]:
    keep = ("name", "type", "title", "description", "constraints", "format")
    return {k: v for k, v in f.items() if k in keep}


def schema_normalise(descriptor: Any, *, frequency: str) -> dict[str, Any]:
    """The descriptor to store: the key fields first, then the value fields, and the primary key.

    Raises ``SchemaInvalid`` with every problem found.
    """
    if isinstance(descriptor, str):
        try:
            descriptor = json.loads(descriptor)
        except json.JSONDecodeError as exc:
            raise SchemaInvalid(
                [f"表结构不是有效的 JSON：第{exc.lineno}行第{exc.colno}列"]
            ) from exc
    if frequency not in PERIOD_FORMATS:
        raise SchemaInvalid([f"不支持的更新频率“{frequency}”"])
    problems = schema_problems(descriptor)
    if problems:
        raise SchemaInvalid(problems)
    values = []
    for f in descriptor["fields"]:
        if f["name"] in KEY_FIELDS:
            continue
        clean: dict[str, Any] = {"name": f["name"], "type": f.get("type", "string")}
        for key in ("title", "unit", "description"):
            if f.get(key):
                clean[key] = str(f[key]).strip()
        if f.get("constraints"):
            clean["constraints"] = dict(f["constraints"])
        values.append(clean)
    return {
        "fields": key_fields(frequency) + values,
        "primaryKey": list(KEY_FIELDS),
        "missingValues": [""],
    }


# ---- showing a schema --------------------------------------------------------


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def constraint_labels(f: dict[str, Any]) -> list[str]:
    """A field's constraints as short Chinese phrases: 必填, ≥ 0, 可选值：A、B …"""
    c = f.get("constraints", {})
    out = []
    if c.get("required"):
        out.append("必填")
    if "minimum" in c:
        out.append(f"≥ {_fmt(c['minimum'])}")
    if "maximum" in c:
        out.append(f"≤ {_fmt(c['maximum'])}")
    if "enum" in c:
        out.append("可选值：" + "、".join(_fmt(v) for v in c["enum"]))
    if "pattern" in c:
        out.append(f"格式：{c['pattern']}")
    if "minLength" in c:
        out.append(f"至少{c['minLength']}个字")
    if "maxLength" in c:
        out.append(f"至多{c['maxLength']}个字")
    if c.get("unique"):
        out.append("不得重复")
    return out


def field_rows(table_schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Each field for a page: name, title, type label, unit, constraint phrases, whether a key."""
    return [
        {
            "name": f["name"],
            "title": f.get("title", ""),
            "type": f.get("type", "string"),
            "type_label": TYPE_LABELS.get(f.get("type", "string"), f.get("type", "")),
            "unit": f.get("unit", ""),
            "description": f.get("description", ""),
            # The keys' patterns are the system's: their description says it in words.
            "constraints": ["必填"] if f["name"] in KEY_FIELDS else constraint_labels(f),
            "key": f["name"] in KEY_FIELDS,
        }
        for f in table_schema.get("fields", [])
    ]


def display_name(f: dict[str, Any]) -> str:
    return str(f.get("title") or f["name"])


def header_aliases(f: dict[str, Any]) -> set[str]:
    """What a file's header may say for this field: its name, its title, the title with the unit."""
    names = {f["name"], f["name"].lower()}
    title = f.get("title")
    if title:
        names.add(title)
        unit = f.get("unit")
        if unit:
            names |= {f"{title}（{unit}）", f"{title}({unit})"}
    return names


# ---- compiling to SQL ----------------------------------------------------------


def sql_string(value: Any) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _sql_literal(value: Any, ftype: str) -> str:
    if ftype == "date":
        return f"DATE {sql_string(value)}"
    if ftype in ("string",):
        return sql_string(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return repr(float(value)) if ftype == "number" else str(int(value))


@dataclass(frozen=True)
class Rule:
    """One way a cell can be wrong; ``code`` is what the SQL returns for it."""

    code: int
    field: str  # field name
    rule: str  # required, type, minimum … as in Frictionless, plus division and period
    text: str  # the message after “值“…””, e.g. 小于最小值0; {value} is the cell


@dataclass
class CompiledField:
    name: str
    ftype: str
    out: str  # SQL: the value to keep (DOUBLE for numeric types, else typed)
    err: str  # SQL: the code of the rule broken, or NULL
    raw: str | None  # SQL: the cell as text for messages, when ``out`` is not already that


@dataclass
class Compiled:
    fields: list[CompiledField]
    rules: dict[int, Rule] = field(default_factory=dict)
    # Fields checked per distinct value by the caller, not in SQL: field → (rule code, test).
    lookups: dict[str, tuple[int, Callable[[str], bool]]] = field(default_factory=dict)


class _Codes:
    def __init__(self) -> None:
        self.rules: dict[int, Rule] = {}

    def add(self, field_name: str, rule: str, text: str) -> int:
        code = len(self.rules) + 1
        self.rules[code] = Rule(code, field_name, rule, text)
        return code


def _wrong_type(ftype: str, value: str, *, parsed: bool) -> str:
    """SQL true when a present cell is not of its type; ``value`` is the parsed value.

    Numbers arrive as DOUBLE (parsed by the reader, or TRY_CAST: NULL when
    unreadable): an integer must be whole and exact in a double, a number
    finite. (DuckDB holds NaN equal to itself, so the bound tests NaN too.)
    A cell the reader ``parsed`` is a number already.
    """
    unread = "" if parsed else f"{value} IS NULL OR "
    if ftype == "integer":
        whole = f"abs({value}) <= {MAX_EXACT_INTEGER} AND {value} = trunc({value})"
        return f"{unread}NOT ({whole})"
    if ftype == "number":
        return f"{unread}NOT isfinite({value})"
    return f"({value}) IS NULL"


def _typed(ftype: str, col: str) -> str:
    """SQL for the typed value of a text cell (numbers: the DOUBLE already read)."""
    if ftype in NUMERIC_TYPES:
        return col
    if ftype == "boolean":
        t = ", ".join(sql_string(v) for v in TRUE_VALUES)
        f = ", ".join(sql_string(v) for v in FALSE_VALUES)
        low = f"lower(trim({col}))"
        return f"CASE WHEN {low} IN ({t}) THEN TRUE WHEN {low} IN ({f}) THEN FALSE END"
    if ftype == "date":
        return f"TRY_STRPTIME(trim({col}), '%Y-%m-%d')::DATE"
    if ftype == "year":
        return (
            f"CASE WHEN regexp_full_match(trim({col}), '[0-9]{{4}}') "
            f"THEN TRY_CAST(trim({col}) AS INTEGER) END"
        )
    return col


def compile_checks(
    fields: list[dict[str, Any]],
    columns: dict[str, str],
    *,
    frequency: str,
    level: str,
    divisions: Collection[str],
    numeric_input: bool,
) -> Compiled:
    """SQL per field over its input column (``columns`` maps field name → SQL column).

    With ``numeric_input`` the integer and number columns arrive as DOUBLE
    (DuckDB's CSV reader parsed them); otherwise every column is text.
    ``division_code`` (one of ``divisions``, the codes of the dataset's
    level) and ``period`` are tested per distinct value by the caller
    (``Compiled.lookups``): a file holds few of each.
    """
    codes = _Codes()
    out: list[CompiledField] = []
    lookups: dict[str, tuple[int, Callable[[str], bool]]] = {}
    fmt = PERIOD_FORMATS[frequency]
    for f in fields:
        name, ftype = f["name"], f.get("type", "string")
        col = columns[name]
        c = f.get("constraints", {})
        raw: str | None = None
        value = col
        if ftype in NUMERIC_TYPES and not numeric_input:
            value, raw = f"TRY_CAST({col} AS DOUBLE)", col
        elif ftype not in (*NUMERIC_TYPES, "string"):
            raw = col
        t = _typed(ftype, value)
        cases: list[str] = []
        if c.get("required"):
            cases.append(f"WHEN {col} IS NULL THEN {codes.add(name, 'required', '必填，不能为空')}")
        else:
            cases.append(f"WHEN {col} IS NULL THEN NULL")
        if name == "period":
            # Few distinct periods in a file: each is tested once, in Python.
            text = f"统计期“{{value}}”格式不对，{fmt.label}数据应写作“{fmt.example}”"
            lookups[name] = (codes.add(name, "period", text), _matcher(fmt.regex))
        elif name == "division_code":
            text = f"区划代码“{{value}}”不是本地已登记的{LEVEL_LABELS.get(level, level)}"
            lookups[name] = (codes.add(name, "division", text), divisions.__contains__)
        else:
            if ftype != "string":
                wrong = _wrong_type(ftype, t, parsed=numeric_input and ftype in NUMERIC_TYPES)
                text = f"值“{{value}}”不是{TYPE_HINTS[ftype]}"
                cases.append(f"WHEN {wrong} THEN {codes.add(name, 'type', text)}")
            # Past the type's test the value is of the type: constraints use it as is.
            cases += _constraint_cases(codes, name, ftype, t, c)
        err = f"(CASE {' '.join(cases)} END)::USMALLINT"
        keep = value if ftype in NUMERIC_TYPES else t
        out.append(CompiledField(name=name, ftype=ftype, out=keep, err=err, raw=raw))
    return Compiled(fields=out, rules=codes.rules, lookups=lookups)


def _matcher(regex: str) -> Callable[[str], bool]:
    pattern = re.compile(regex)
    return lambda value: pattern.fullmatch(value) is not None


def _constraint_cases(codes: _Codes, name: str, ftype: str, t: str, c: dict[str, Any]) -> list[str]:
    cases = []
    ops = [("minimum", "<", "小于最小值"), ("maximum", ">", "大于最大值")]
    for key, op, words in ops:
        if key in c:
            lit = _sql_literal(c[key], ftype)
            text = f"值“{{value}}”{words}{_fmt(c[key])}"
            cases.append(f"WHEN ({t}) {op} {lit} THEN {codes.add(name, key, text)}")
    if "enum" in c:
        lits = ", ".join(_sql_literal(v, ftype) for v in c["enum"])
        allowed = "、".join(_fmt(v) for v in c["enum"])
        text = f"值“{{value}}”不在可选值（{allowed}）之中"
        cases.append(f"WHEN ({t}) NOT IN ({lits}) THEN {codes.add(name, 'enum', text)}")
    if "pattern" in c:
        text = f"值“{{value}}”不符合格式要求（{c['pattern']}）"
        cases.append(
            f"WHEN NOT regexp_full_match({t}, {sql_string(c['pattern'])}) "
            f"THEN {codes.add(name, 'pattern', text)}"
        )
    if "minLength" in c:
        text = f"值“{{value}}”少于{c['minLength']}个字"
        cases.append(
            f"WHEN length({t}) < {int(c['minLength'])} THEN {codes.add(name, 'minLength', text)}"
        )
    if "maxLength" in c:
        text = f"值“{{value}}”超过{c['maxLength']}个字"
        cases.append(
            f"WHEN length({t}) > {int(c['maxLength'])} THEN {codes.add(name, 'maxLength', text)}"
        )
    return cases


def unique_groups(fields: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """The column groups whose values may not repeat: the primary key, then unique fields."""
    groups: list[tuple[str, ...]] = [KEY_FIELDS]
    for f in fields:
        if f["name"] not in KEY_FIELDS and f.get("constraints", {}).get("unique"):
            groups.append((f["name"],))
    return groups
