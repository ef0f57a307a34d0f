"""CKAN's ``datastore_search`` and the CSV download: a version's Parquet file, read with DuckDB.

Field names from a caller are checked against the file's columns before they reach SQL
(and are then quoted); values are always bound as parameters. ``_id`` is the row's
position in the immutable file (1-based), so it is stable for a version like CKAN's.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import duckdb
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from django.urls import reverse

from zhili.datahub import storage
from zhili.datahub.ckan_call import Call, Invalid, NotFound, ckan_action, version_of
from zhili.datahub.models import Dataset, DatasetVersion

# DuckDB column type → the PostgreSQL type name CKAN's DataStore reports.
CKAN_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "int8",
    "INTEGER": "int4",
    "DOUBLE": "numeric",
    "BOOLEAN": "bool",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
}
TYPE_WORDS = {"int8": "整数", "int4": "整数", "numeric": "数值", "bool": "布尔值", "date": "日期"}
SORT_RE = re.compile(r'^\s*(?:"([^"]+)"|(\S+))(?:\s+(asc|desc))?\s*$', re.IGNORECASE)
CSV_BATCH_ROWS = 65_536
DATASTORE_ROWS, DATASTORE_ROWS_MAX = 100, 32000  # ckan.datastore.search.rows_default / rows_max


class QueryInvalid(Exception):
    """A parameter the caller must change; ``key`` is the parameter, as CKAN names it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


@dataclass(frozen=True)
class Column:
    id: str
    duck: str  # DuckDB type
    label: str = ""
    unit: str = ""

    @property
    def ckan_type(self) -> str:
        return "int" if self.id == "_id" else CKAN_TYPES.get(self.duck, "text")

    def as_field(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "type": self.ckan_type}
        if self.label or self.unit:
            out["info"] = {"label": self.label, "notes": self.unit}
        return out


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _path(version: DatasetVersion) -> str:
    return str(storage.absolute(version.path))


def columns(dataset: Dataset, version: DatasetVersion, con: Any) -> list[Column]:
    """``_id`` then the file's columns, labelled from the dataset's Table Schema."""
    described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [_path(version)]).fetchall()
    schema = {f["name"]: f for f in dataset.fields()}
    keys = {"division_code": "区划代码", "period": "期别"}
    out = [Column("_id", "BIGINT")]
    for name, duck, *_ in described:
        f = schema.get(name, {})
        out.append(Column(name, str(duck), f.get("title") or keys.get(name, ""), f.get("unit", "")))
    return out


def _typed(column: Column, value: Any) -> Any:
    """A filter value as the column's type, or QueryInvalid naming the field."""
    kind = column.ckan_type
    try:
        if kind in ("int", "int8", "int4"):
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            return int(value)
        if kind == "numeric":
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text not in ("true", "false", "1", "0"):
                raise ValueError
            return text in ("true", "1")
        if kind == "date":
            return date.fromisoformat(str(value))
    except (TypeError, ValueError) as exc:
        word = TYPE_WORDS.get(kind, kind)
        raise QueryInvalid("filters", f"字段“{column.id}”应为{word}，收到“{value}”") from exc
    return value if isinstance(value, str) else str(value)


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _names(raw: Any, key: str) -> list[str]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        return [p.strip() for p in raw.split(",") if p.strip()]
    if isinstance(raw, list) and all(isinstance(p, str) for p in raw):
        return [p.strip() for p in raw if p.strip()]
    raise QueryInvalid(key, "应为以逗号分隔的字段名或字段名列表")


@dataclass
class Page:
    fields: list[dict[str, Any]]
    records: list[Any]
    total: int | None


def search(
    *,
    dataset: Dataset,
    version: DatasetVersion,
    filters: dict[str, Any] | None = None,
    q: str | dict[str, Any] | None = None,
    fields: Any = None,
    sort: Any = None,
    limit: int = 100,
    offset: int = 0,
    distinct: bool = False,
    include_total: bool = True,
    lists: bool = False,
) -> Page:
    """One page of a version's rows, filtered, searched and sorted as CKAN's DataStore does."""
    con = duckdb.connect()
    cols = columns(dataset, version, con)
    by_id = {c.id: c for c in cols}

    def known(name: str, key: str) -> Column:
        if name not in by_id:
            raise QueryInvalid(key, f"字段“{name}”不存在")
        return by_id[name]

    chosen = [known(n, "fields") for n in _names(fields, "fields")] or cols
    where: list[str] = []
    params: list[Any] = []
    for name, value in (filters or {}).items():
        col = known(name, "filters")
        values = value if isinstance(value, list) else [value]
        if not values:
            where.append("FALSE")
            continue
        where.append(f"{_quote(col.id)} IN ({', '.join('?' * len(values))})")
        params += [_typed(col, v) for v in values]
    if isinstance(q, dict):
        for name, text in q.items():
            col = known(name, "q")
            where.append(f"contains(lower(CAST({_quote(col.id)} AS VARCHAR)), lower(?))")
            params.append(str(text))
    elif q:
        # Every word somewhere in the row, like CKAN's plain full-text query.
        anywhere = " OR ".join(
            f"contains(lower(CAST({_quote(c.id)} AS VARCHAR)), lower(?))" for c in cols[1:]
        )
        for word in str(q).split():
            where.append(f"({anywhere})")
            params += [word] * (len(cols) - 1)
    order = []
    for clause in _names(sort, "sort"):
        m = SORT_RE.match(clause)
        if m is None:
            raise QueryInvalid("sort", f"排序“{clause}”应为“字段名 asc”或“字段名 desc”")
        col = known(m.group(1) or m.group(2), "sort")
        order.append(f"{_quote(col.id)} {(m.group(3) or 'asc').upper()}")
    if not order and not distinct:
        order = ["_id"]

    source = (
        "(SELECT file_row_number + 1 AS _id, * EXCLUDE (file_row_number) "
        "FROM read_parquet(?, file_row_number = true)) AS t"
    )
    select = ("DISTINCT " if distinct else "") + ", ".join(_quote(c.id) for c in chosen)
    filtered = f"SELECT {select} FROM {source}" + (f" WHERE {' AND '.join(where)}" if where else "")
    page_sql = filtered + (f" ORDER BY {', '.join(order)}" if order else "") + " LIMIT ? OFFSET ?"
    args = [_path(version), *params]
    try:
        cursor = con.execute(page_sql, [*args, limit, offset])
        rows = cursor.fetchall()
        total = None
        if include_total:
            counted = con.execute(f"SELECT count(*) FROM ({filtered})", args).fetchone()
            total = int(counted[0]) if counted else 0
    except duckdb.Error as exc:  # e.g. DISTINCT with a sort on a column not selected
        raise QueryInvalid("sort" if order else "fields", f"查询无法执行：{exc}") from exc
    names = [c.id for c in chosen]
    clean = [[_json_safe(v) for v in row] for row in rows]
    records: list[Any] = clean if lists else [dict(zip(names, r, strict=True)) for r in clean]
    return Page(fields=[c.as_field() for c in chosen], records=records, total=total)


def csv_chunks(version: DatasetVersion) -> Iterator[bytes]:
    """The version's rows as UTF-8 CSV with a header, a batch at a time (no whole file in memory)."""
    source = pq.ParquetFile(_path(version))
    sink = io.BytesIO()
    with pa_csv.CSVWriter(sink, source.schema_arrow) as writer:
        for batch in source.iter_batches(batch_size=CSV_BATCH_ROWS):
            writer.write_batch(batch)
            yield sink.getvalue()
            sink.seek(0)
            sink.truncate()
    if sink.getvalue():  # the header alone, for a version without rows
        yield sink.getvalue()


# ---- the action ----


@ckan_action
def datastore_search(call: Call) -> dict[str, Any]:
    """Rows of a resource: resource_id, filters (JSON), q, fields, sort, limit, offset, distinct, version."""
    rid = call.text("resource_id") or call.text("id")
    if not rid:
        raise Invalid("resource_id", "Missing value")
    dataset = call.visible().filter(code=rid).first()
    if dataset is None:
        raise NotFound(f'Resource "{rid}" was not found.')
    version = version_of(dataset, call.params.get("version"))
    limit = call.integer("limit", DATASTORE_ROWS, maximum=DATASTORE_ROWS_MAX)
    offset = call.integer("offset", 0)
    filters = call.json("filters") or {}
    if not isinstance(filters, dict):
        raise Invalid("filters", 'filters 应为 JSON 对象，如 {"period": "2025-03"}')
    q = call.json("q")
    records_format = call.text("records_format", "objects")
    if records_format not in ("objects", "lists"):
        raise Invalid("records_format", "records_format 只支持 objects 或 lists")
    include_total = call.boolean("include_total", True)
    try:
        page = search(
            dataset=dataset,
            version=version,
            filters=filters,
            q=q if isinstance(q, dict) else call.text("q"),
            fields=call.json("fields"),
            sort=call.json("sort"),
            limit=limit,
            offset=offset,
            distinct=call.boolean("distinct", False),
            include_total=include_total,
            lists=records_format == "lists",
        )
    except QueryInvalid as exc:
        raise Invalid(exc.key, exc.message) from exc
    result: dict[str, Any] = {
        "resource_id": dataset.code,
        "fields": page.fields,
        "records": page.records,
        "records_format": records_format,
        "include_total": include_total,
        "limit": limit,
        "offset": offset,
        "_links": _links(call, limit, offset),
    }
    for key in ("filters", "q", "sort", "fields", "distinct", "version"):
        if call.params.get(key) not in (None, ""):
            result.setdefault(key, call.json(key))
    if page.total is not None:
        result.update(total=page.total, total_was_estimated=False)
    return result


def _links(call: Call, limit: int, offset: int) -> dict[str, str]:
    """start and next (and prev), like CKAN: this call's parameters with another offset."""
    args = {
        k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
        for k, v in call.params.items()
        if k != "offset"
    }
    path = reverse("ckan:action", args=["datastore_search"])
    links = {
        "start": f"{path}?{urlencode(args)}",
        "next": f"{path}?{urlencode({**args, 'offset': offset + limit})}",
    }
    if offset - limit > 0:
        links["prev"] = f"{path}?{urlencode({**args, 'offset': offset - limit})}"
    return links
