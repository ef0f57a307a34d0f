"""Sources read as text before the checks: an Excel sheet, and records pushed as JSON.

Each gives a ``Layout`` (header → field), the header's errors, and an Arrow
table of text columns ``c0…cn`` with ``_row``, the row number to report.
"""

from __future__ import annotations

import itertools
import json
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from zhili.datahub.ingest_checks import Layout, Spec, match_header
from zhili.datahub.schema import header_aliases

HEADER_SEARCH_ROWS = 10  # a sheet may have a title or notes above its header


class Unreadable(Exception):
    """The file cannot be read at all; the message says why, in Chinese."""


Read = tuple[Layout, list[dict[str, Any]], pa.Table]


def cell_text(value: Any, *, period: str | None = None) -> str | None:
    """A spreadsheet or JSON value as the text a CSV would hold.

    Excel keeps 2025-03 typed into a cell as a date: a date in the period
    column is written back in the dataset's period format.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (datetime, date)):
        if period == "monthly":
            return f"{value.year:04d}-{value.month:02d}"
        if period == "quarterly":
            return f"{value.year:04d}Q{(value.month - 1) // 3 + 1}"
        if period == "yearly":
            return f"{value.year:04d}"
        return value.strftime("%Y-%m-%d")
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def text_table(columns: list[list[str | None]], rows: list[int]) -> pa.Table:
    data = {f"c{i}": pa.array(col, pa.string()) for i, col in enumerate(columns)}
    data["_row"] = pa.array(rows, pa.int64())
    return pa.table(data)


def read_xlsx(path: Path, spec: Spec) -> Read:
    """The first sheet: its header row (the first naming two fields), then its rows."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise Unreadable(
            "无法打开Excel文件，请确认是 .xlsx 格式（旧版 .xls 请另存为 .xlsx）"
        ) from exc
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        aliases = set().union(*(header_aliases(f) for f in spec.fields))
        top = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
        texts = [[cell_text(v) or "" for v in values] for values in top]
        fits = [n for n, t in enumerate(texts) if sum(1 for c in t if c in aliases) >= 2]
        filled = [n for n, t in enumerate(texts) if any(t)]
        if not filled:
            raise Unreadable(f"工作表“{sheet.title}”是空的")
        at = fits[0] if fits else filled[0]
        head, header_row = texts[at], at + 1
        while head and not head[-1]:
            head.pop()
        layout, errors = match_header(
            head, spec.fields, kind="excel", sheet=sheet.title, header_row=header_row
        )
        period_col = layout.field_at.index("period") if "period" in layout.field_at else -1
        width = len(head)
        columns: list[list[str | None]] = [[] for _ in range(width)]
        numbers: list[int] = []
        for number, values in enumerate(itertools.chain(top[at + 1 :], rows), header_row + 1):
            cells: list[str | None] = [
                cell_text(v, period=spec.frequency if i == period_col else None)
                for i, v in enumerate(values[:width])
            ]
            beyond = [v for v in values[width:] if v not in (None, "")]
            if all(c is None for c in cells) and not beyond:
                continue  # an empty row
            cells += [None] * (width - len(cells))
            if beyond:
                errors.append(
                    layout.error(number, "columns", f"表头之外的{len(beyond)}个单元格有内容")
                )
            for i, c in enumerate(cells):
                columns[i].append(c)
            numbers.append(number)
    finally:
        book.close()
    return layout, errors, text_table(columns, numbers)


def read_records(records: Sequence[Any], spec: Spec) -> Read:
    """Pushed records: keys are field names or titles; a field no record names is empty."""
    headers: list[str] = []
    position: dict[str, int] = {}
    for r in records:
        if isinstance(r, dict):
            for k in r:
                if k not in position:
                    position[k] = len(headers)
                    headers.append(str(k))
    layout, errors = match_header(headers, spec.fields, kind="json", header_row=0)
    for f in spec.fields:
        if f["name"] not in layout.field_at:
            layout.headers.append(f["name"])
            layout.field_at.append(f["name"])
    period_col = layout.field_at.index("period") if "period" in layout.field_at else -1
    columns: list[list[str | None]] = [[None] * len(records) for _ in layout.headers]
    for n, r in enumerate(records):
        if not isinstance(r, dict):
            errors.append(layout.error(n + 1, "format", "应为一个对象（{字段: 值}）"))
            continue
        for k, v in r.items():
            i = position[k]
            columns[i][n] = cell_text(v, period=spec.frequency if i == period_col else None)
    return layout, errors, text_table(columns, list(range(1, len(records) + 1)))
