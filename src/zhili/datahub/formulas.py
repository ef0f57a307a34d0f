"""Indicator formulas: checking one against the datasets' schemas, and building its Ibis expression.

A formula part (the numerator, or the denominator) is
``{"dataset": code, "field": name, "agg": "sum"|"avg"|"count"|"max"|"min",
"filters": [{"field": name, "op": "="|"!="|">"|">="|"<"|"<="|"in", "value": …}]}``.
``indicator_expr`` turns an indicator into ONE Ibis expression that any
engine (``engines/``) runs: per division of the datasets' level and per
period of the indicator's frequency, the numerator, the denominator and
value = numerator / denominator × scale, then the same rolled up to the town
and the county.

Rolling up is a ratio of sums, never an average of ratios. Each part keeps,
per division, what its aggregation needs to be combined upwards: a sum for
``sum``, a count for ``count``, a sum and a count for ``avg`` (so a town's
average is the mean of all its villages' rows, not the mean of their means),
the extreme for ``max``/``min``. Only divisions and periods where both parts
are present are rolled up, so a village that reported its insured people but
not its population does not drag its town's rate down.

A coarser indicator than its data (a quarterly indicator over monthly data)
aggregates every row of the period, and only complete periods count: a
quarter with a missing month has no value rather than a partial one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from zhili.datahub.models import Dataset, Frequency, Indicator

AGGS = {"sum": "求和", "avg": "平均", "count": "计数", "max": "最大值", "min": "最小值"}
OPS = ["=", "!=", ">", ">=", "<", "<=", "in"]
NUMERIC = {"integer", "number"}
ORDERED = NUMERIC | {"date", "year"}
TYPE_LABELS = {
    "integer": "整数",
    "number": "数值",
    "string": "文本",
    "boolean": "是/否",
    "date": "日期",
    "year": "年份",
}
PART_LABELS = {"numerator": "分子", "denominator": "分母"}
LEVEL_LABELS = {"village": "行政村", "town": "乡镇", "county": "县"}
FREQUENCY_ORDER: dict[str, int] = {"monthly": 0, "quarterly": 1, "yearly": 2}
# How many source periods make one period of a coarser frequency.
PERIODS_IN = {("monthly", "quarterly"): 3, ("monthly", "yearly"): 12, ("quarterly", "yearly"): 4}

RESULT_SCHEMA = pa.schema(
    [
        pa.field("division_code", pa.string()),
        pa.field("level", pa.string()),
        pa.field("period", pa.string()),
        pa.field("numerator", pa.float64()),
        pa.field("denominator", pa.float64()),
        pa.field("value", pa.float64()),
    ]
)


class FormulaInvalid(ValueError):
    """A formula that cannot be computed; ``problems`` are Chinese sentences naming the part."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("；".join(self.problems))


@dataclass(frozen=True)
class Part:
    """A checked formula part, with filter values already typed."""

    role: str  # "numerator" | "denominator"
    dataset: Dataset
    field: str  # "" counts rows
    agg: str
    filters: tuple[tuple[str, str, Any], ...]

    @property
    def prefix(self) -> str:
        return "n" if self.role == "numerator" else "d"

    def as_json(self) -> dict[str, Any]:
        """The part as stored on the indicator: filter values typed, dates as ISO text."""

        def plain(v: Any) -> Any:
            return v.isoformat() if isinstance(v, dt.date) else v

        return {
            "dataset": self.dataset.code,
            "field": self.field,
            "agg": self.agg,
            "filters": [
                {
                    "field": name,
                    "op": op,
                    "value": [plain(x) for x in value] if op == "in" else plain(value),
                }
                for name, op, value in self.filters
            ],
        }


# ---- checking ----


def _typed(value: Any, kind: str, where: str, field: str) -> tuple[Any, str | None]:
    """The filter value as the field's type, or a problem saying why it is not one."""
    text = str(value).strip() if not isinstance(value, bool) else value
    try:
        if kind == "integer":
            number = float(text)
            if not number.is_integer():
                raise ValueError
            return int(number), None
        if kind in {"number"}:
            return float(text), None
        if kind == "year":
            return int(text), None
        if kind == "boolean":
            if isinstance(text, bool):
                return text, None
            truth = {"true": True, "是": True, "1": True, "false": False, "否": False, "0": False}
            return truth[str(text).lower()], None
        if kind == "date":
            return dt.date.fromisoformat(str(text)), None
    except (ValueError, KeyError, TypeError):
        label = TYPE_LABELS.get(kind, kind)
        return None, f"{where}字段“{field}”是{label}，“{value}”不是{label}"
    return str(value), None


def _values(raw: Any) -> list[Any]:
    """The values of an ``in`` filter: a list, or text separated by commas (either width)."""
    if isinstance(raw, list | tuple):
        return list(raw)
    return [v for v in re.split(r"[,，、]\s*", str(raw)) if v.strip()]


def _part_check(
    role: str,
    raw: Any,
    datasets: Mapping[str, Dataset],
    frequency: str,
) -> tuple[Part | None, list[str]]:
    label = PART_LABELS[role]
    if not isinstance(raw, Mapping):
        return None, [f"{label}：格式不对，应为数据集、字段和汇总方式"]
    code = str(raw.get("dataset") or "").strip()
    if not code:
        return None, [f"{label}：请选择数据集"]
    dataset = datasets.get(code)
    if dataset is None:
        return None, [f"{label}：没有编码为“{code}”的数据集"]
    problems: list[str] = []
    fields = {f["name"]: f for f in dataset.value_fields()}
    agg = str(raw.get("agg") or "").strip()
    if agg not in AGGS:
        choices = "、".join(AGGS.values())
        problems.append(f"{label}：汇总方式“{agg}”无效，应为{choices}之一")
    field = str(raw.get("field") or "").strip()
    if not field and agg != "count":
        problems.append(f"{label}：请选择数据集“{dataset.name}”的字段")
    elif field and field not in fields:
        problems.append(f"{label}：数据集“{dataset.name}”没有字段“{field}”")
    elif field and agg in AGGS and agg != "count":
        kind = fields[field].get("type", "string")
        if kind not in NUMERIC:
            problems.append(
                f"{label}：字段“{field}”是{TYPE_LABELS.get(kind, kind)}，不能{AGGS[agg]}；"
                "非数值字段只能计数"
            )
    if FREQUENCY_ORDER.get(dataset.frequency, 0) > FREQUENCY_ORDER.get(frequency, 0):
        problems.append(
            f"{label}：数据集“{dataset.name}”{Frequency(dataset.frequency).label}更新，"
            f"不能计算{Frequency(frequency).label}的指标"
        )
    filters: list[tuple[str, str, Any]] = []
    raw_filters = raw.get("filters") or []
    if not isinstance(raw_filters, list):
        raw_filters = []
        problems.append(f"{label}：筛选条件格式不对")
    for n, flt in enumerate(raw_filters, start=1):
        where = f"{label}：筛选条件第{n}行："
        if not isinstance(flt, Mapping):
            problems.append(f"{where}格式不对")
            continue
        name = str(flt.get("field") or "").strip()
        op = str(flt.get("op") or "").strip()
        if name not in fields:
            problems.append(f"{where}数据集“{dataset.name}”没有字段“{name}”")
            continue
        if op not in OPS:
            problems.append(f"{where}比较方式“{op}”无效，应为 {' '.join(OPS)} 之一")
            continue
        kind = fields[name].get("type", "string")
        if op in {">", ">=", "<", "<="} and kind not in ORDERED:
            problems.append(
                f"{where}字段“{name}”是{TYPE_LABELS.get(kind, kind)}，只能用 =、!=、in 比较"
            )
            continue
        raw_values = _values(flt.get("value")) if op == "in" else [flt.get("value")]
        if not raw_values or any(v is None or str(v).strip() == "" for v in raw_values):
            problems.append(f"{where}请填写比较的值")
            continue
        typed = [_typed(v, kind, where, name) for v in raw_values]
        errors = [e for _, e in typed if e]
        if errors:
            problems.extend(errors[:1])
            continue
        values = [v for v, _ in typed]
        filters.append((name, op, values if op == "in" else values[0]))
    if problems:
        return None, problems
    return Part(role, dataset, field, agg, tuple(filters)), []


def formula_check(
    numerator: Any,
    denominator: Any,
    *,
    frequency: str,
    datasets: Mapping[str, Dataset] | None = None,
) -> tuple[list[Part], list[str]]:
    """The checked parts of a formula, and what is wrong with it (nothing if the list is empty).

    ``datasets`` maps codes to datasets (read from the database if not given).
    A formula's parts must be keyed by the same division level, and no part
    may be updated less often than the indicator is computed.
    """
    raws = {"numerator": numerator, "denominator": denominator or None}
    if datasets is None:
        codes = [str(r.get("dataset")) for r in raws.values() if isinstance(r, Mapping)]
        datasets = {d.code: d for d in Dataset.objects.filter(code__in=codes)}
    if frequency not in FREQUENCY_ORDER:
        return [], [f"指标频度“{frequency}”无效"]
    parts: list[Part] = []
    problems: list[str] = []
    for role, raw in raws.items():
        if raw is None:
            continue
        part, errors = _part_check(role, raw, datasets, frequency)
        problems.extend(errors)
        if part is not None:
            parts.append(part)
    chosen = [
        datasets[str(raw.get("dataset"))]
        for raw in raws.values()
        if isinstance(raw, Mapping) and str(raw.get("dataset")) in datasets
    ]
    if len(chosen) == 2 and chosen[0].division_level != chosen[1].division_level:
        n, d = chosen
        problems.append(
            f"分母：数据集“{d.name}”按{LEVEL_LABELS.get(d.division_level, d.division_level)}填报，"
            f"分子的数据集“{n.name}”按{LEVEL_LABELS.get(n.division_level, n.division_level)}填报，"
            "层级须一致"
        )
    return parts, problems


def formula_text(part: Mapping[str, Any] | None, datasets: Mapping[str, Dataset]) -> str:
    """A formula part in words: 数据集“村人口”·参保人数·求和（筛选：户籍 = 本地）."""
    if not part:
        return "—"
    dataset = datasets.get(str(part.get("dataset")))
    name = dataset.name if dataset else str(part.get("dataset"))
    field = part.get("field") or "行数"
    text = f"数据集“{name}”·{field}·{AGGS.get(str(part.get('agg')), part.get('agg'))}"
    filters = part.get("filters") or []
    if filters:
        conds = "，".join(
            f"{f.get('field')} {f.get('op')} "
            + (
                "、".join(map(str, f["value"]))
                if isinstance(f.get("value"), list)
                else str(f.get("value"))
            )
            for f in filters
        )
        text += f"（筛选：{conds}）"
    return text


# ---- the expression ----


def period_expr(period: ir.StringValue, source: str, target: str) -> ir.StringValue:
    """A period of ``source`` frequency as the period of ``target`` frequency that holds it."""
    if source == target:
        return period
    year = period.substr(0, 4)
    if target == Frequency.YEARLY:
        return year
    month = period.substr(5, 2).cast("int32")
    quarter = ((month - 1) // 3 + 1).cast("int64").cast("string")
    return year + "Q" + quarter


def _condition(table: ir.Table, filters: Sequence[tuple[str, str, Any]]) -> ir.BooleanValue | None:
    cond: ir.BooleanValue | None = None
    for name, op, value in filters:
        col = table[name]
        if op == "in":
            c = col.isin(value)
        elif op == "=":
            c = col == value
        elif op == "!=":
            c = col != value
        elif op == ">":
            c = col > value
        elif op == ">=":
            c = col >= value
        elif op == "<":
            c = col < value
        else:
            c = col <= value
        cond = c if cond is None else cond & c
    return cond


def _part_aggs(table: ir.Table, part: Part) -> dict[str, ir.Scalar]:
    """What a division's rows give for one part: ``<p>_a`` and, for sum/avg, ``<p>_b`` (a count)."""
    cond = _condition(table, part.filters)
    p = part.prefix
    if part.agg == "count":
        count = table[part.field].count(where=cond) if part.field else table.count(where=cond)
        return {f"{p}_a": count.cast("float64")}
    col = table[part.field].cast("float64")
    if part.agg == "sum":
        total = col.sum(where=cond)  # NULL when every row is empty: unknown, not zero
        if part.filters:
            total = total.coalesce(0.0)  # rows reported, none matched: zero of them
        return {f"{p}_a": total}
    if part.agg == "avg":
        return {f"{p}_a": col.sum(where=cond), f"{p}_b": col.count(where=cond).cast("float64")}
    extreme = col.max(where=cond) if part.agg == "max" else col.min(where=cond)
    return {f"{p}_a": extreme}


def _rollup_aggs(table: ir.Table, part: Part) -> dict[str, ir.Scalar]:
    p = part.prefix
    a = table[f"{p}_a"]
    if part.agg == "avg":
        return {f"{p}_a": a.sum(), f"{p}_b": table[f"{p}_b"].sum()}
    if part.agg in {"sum", "count"}:
        return {f"{p}_a": a.sum()}
    return {f"{p}_a": a.max() if part.agg == "max" else a.min()}


def _part_value(table: ir.Table, part: Part) -> ir.FloatingValue:
    p = part.prefix
    a = table[f"{p}_a"]
    if part.agg == "avg":
        return a / table[f"{p}_b"].nullif(0.0)
    return a


def _finish(table: ir.Table, parts: Sequence[Part], scale: float) -> ir.Table:
    """Numerator, denominator and value of each row, in the result's columns."""
    num = _part_value(table, parts[0])
    if len(parts) > 1:
        den = _part_value(table, parts[1])
        value = num / den.nullif(0.0) * scale
    else:
        den = ibis.null("float64")
        value = num * scale
    return table.select(
        division_code=table["division_code"],
        level=table["level"],
        period=table["period"],
        numerator=num.cast("float64"),
        denominator=den.cast("float64"),
        value=value.cast("float64"),
    )


ROLLUP_SCHEMA = pa.schema(
    [
        ("code", pa.string()),
        ("code_level", pa.string()),
        ("target", pa.string()),
        ("target_level", pa.string()),
    ]
)


def divisions_arrow() -> pa.Table:
    """The roll-up map, from the Division table: each division, and each of the divisions its
    values count towards (itself, its town, its county), one row each."""
    from zhili.divisions.models import Division

    rows = Division.objects.values_list("code", "level", "parent__code", "parent__parent__code")
    out: dict[str, list[str]] = {name: [] for name in ROLLUP_SCHEMA.names}

    def add(code: str, level: str, target: str | None, target_level: str) -> None:
        if target:
            out["code"].append(code)
            out["code_level"].append(level)
            out["target"].append(target)
            out["target_level"].append(target_level)

    for code, level, parent, grandparent in rows:
        add(code, level, code, level)
        if level == "village":
            add(code, level, parent, "town")
            add(code, level, grandparent, "county")
        elif level == "town":
            add(code, level, parent, "county")
    return pa.table(out, schema=ROLLUP_SCHEMA)


def indicator_expr(
    indicator: Indicator,
    parts: Sequence[Part],
    tables: Mapping[str, ir.Table],
    divisions: ir.Table,
) -> ir.Table:
    """The indicator's values at every level as one Ibis expression.

    ``parts`` come from ``formula_check`` (numerator first); ``tables`` maps
    each dataset code to its rows opened on the engine; ``divisions`` is
    ``divisions_arrow()`` as a memtable on the same engine.

    Each dataset is read and aggregated once: the per-division rows are
    joined to the roll-up map (a village to itself, its town and its county)
    and aggregated once more by target division, so the levels come out of a
    single GROUP BY instead of three passes over the data.
    """
    target = indicator.frequency
    level = parts[0].dataset.division_level
    by_dataset: dict[str, list[Part]] = {}
    for part in parts:
        by_dataset.setdefault(part.dataset.code, []).append(part)
    grouped: list[ir.Table] = []
    for code, its_parts in by_dataset.items():
        t = tables[code]
        source = its_parts[0].dataset.frequency
        t = t.mutate(_period=period_expr(t.period, source, target))
        aggs: dict[str, Any] = {}
        for part in its_parts:
            aggs.update(_part_aggs(t, part))
        expected = PERIODS_IN.get((source, target))
        if expected:
            aggs["_n"] = t.period.nunique()
        g = t.group_by(division_code=t.division_code, period=t._period).aggregate(**aggs)
        if expected:
            g = g.filter(g._n == expected).drop("_n")
        grouped.append(g)
    rows = grouped[0]
    if len(grouped) > 1:
        other = grouped[1]
        rows = rows.join(other, ["division_code", "period"], how="outer")
        rows = rows.mutate(
            division_code=rows.division_code.coalesce(rows.division_code_right),
            period=rows.period.coalesce(rows.period_right),
        ).drop("division_code_right", "period_right")
    here = divisions.filter(divisions.code_level == level)
    rows = rows.join(here, rows.division_code == here.code)
    complete = ibis.literal(True)
    for part in parts:
        complete = complete & _part_value(rows, part).notnull()
    # A division's own row always counts; its parents only take complete pairs.
    rows = rows.filter((rows.target_level == level) | complete)
    aggs = {}
    for part in parts:
        aggs.update(_rollup_aggs(rows, part))
    up = rows.group_by(division_code=rows.target, level=rows.target_level, period=rows.period)
    return _finish(up.aggregate(**aggs), parts, float(indicator.scale))
