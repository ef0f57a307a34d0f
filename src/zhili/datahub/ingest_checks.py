"""The checking pass of an ingest, repeats of keys, and the error report (see ``ingest``).

``Checker.run`` streams the compiled SQL's result once: each batch's kept
rows are typed and held, the others held for the report, and a hash of each
row's key kept to find repeats. Division codes and periods are tested per
distinct value, in Python, with the answers cached: a file of ten million
rows holds a few thousand of each.
"""

from __future__ import annotations

import codecs
import shutil
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zhili.datahub.schema import (
    KEY_FIELDS,
    NUMERIC_TYPES,
    RULE_LABELS,
    Compiled,
    compile_checks,
    display_name,
    header_aliases,
    sql_string,
    unique_groups,
)

BATCH_ROWS = 1 << 17
ERROR_COLUMNS = [
    ("row", "行号"),
    ("sheet", "工作表"),
    ("column", "列"),
    ("header", "表头"),
    ("field", "字段"),
    ("rule", "规则"),
    ("rule_label", "规则说明"),
    ("value", "值"),
    ("message", "错误说明"),
]
RowMap = Callable[[np.ndarray], np.ndarray]


@dataclass
class Spec:
    """What rows are checked against: plain data, so benchmarks and jobs need no database."""

    fields: list[dict[str, Any]]
    frequency: str
    level: str
    division_codes: Collection[str]
    arrow_schema: pa.Schema


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: as a spreadsheet names its columns."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def letter_index(letter: str) -> int:
    n = 0
    for ch in letter:
        n = n * 26 + ord(ch) - 64
    return n - 1


# ---- where things are, and how errors say so --------------------------------------


@dataclass
class Layout:
    """The source's columns: their headers and the field each one holds."""

    headers: list[str]
    field_at: list[str]  # field name per source column ("" for none)
    kind: str  # csv | excel | json
    sheet: str = ""

    def index(self, name: str) -> int:
        return self.field_at.index(name)

    def place(self, row: str | int, col: int | None = None, header: str | None = None) -> str:
        """The start of a message: 第5行 C列“常住人口”： (or 第3条记录 字段“population”：)."""
        if header is None and col is not None and col < len(self.headers):
            header = self.headers[col]
        if self.kind == "json":
            record = f"第{row}条记录" if row != 0 else ""
            cell = f"字段“{header}”" if header else ""
            return f"{record}{' ' if record and cell else ''}{cell}："
        sheet = f"工作表“{self.sheet}”" if self.sheet else ""
        cell = f" {column_letter(col)}列" if col is not None else ""
        cell += f"“{header}”" if header else ""
        return f"{sheet}第{row}行{cell}："

    def error(
        self,
        row: int,
        rule: str,
        text: str,
        *,
        col: int | None = None,
        name: str = "",
        header: str | None = None,
        value: str = "",
    ) -> dict[str, Any]:
        """One error as the report holds it; ``text`` follows the place."""
        if col is None and name and name in self.field_at:
            col = self.index(name)
        if header is None and col is not None and col < len(self.headers):
            header = self.headers[col]
        if not name and col is not None and col < len(self.field_at):
            name = self.field_at[col]
        return {
            "row": row,
            "sheet": self.sheet,
            "column": column_letter(col) if col is not None and self.kind != "json" else "",
            "header": header or "",
            "field": name,
            "rule": rule,
            "rule_label": RULE_LABELS.get(rule, rule),
            "value": value,
            "message": self.place(row, col, header) + text,
        }


def match_header(
    headers: list[str],
    fields: list[dict[str, Any]],
    *,
    kind: str,
    sheet: str = "",
    header_row: int = 1,
) -> tuple[Layout, list[dict[str, Any]]]:
    """Map each column to a field by name or title; each column that does not fit is an error.

    A file must have a column for every field; pushed records must name the
    key fields, and a value field no record names is empty in all.
    """
    aliases: dict[str, str] = {}
    for f in fields:
        for alias in header_aliases(f):
            aliases.setdefault(alias, f["name"])
    clean = [h.strip() for h in headers]
    layout = Layout(headers=clean, field_at=[], kind=kind, sheet=sheet)
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    word = "字段" if kind == "json" else "列"
    for i, h in enumerate(clean):
        name = aliases.get(h) or aliases.get(h.lower()) or ""
        layout.field_at.append(name)
        if not h:
            errors.append(layout.error(header_row, "header", f"{word}名为空", col=i))
        elif not name:
            text = f"不是本数据集的{word}，请删除或核对名称"
            errors.append(layout.error(header_row, "header", text, col=i))
        elif name in seen:
            first = seen[name]
            where = f"“{clean[first]}”" if kind == "json" else f"{column_letter(first)}列"
            errors.append(layout.error(header_row, "header", f"与{where}重复", col=i))
            layout.field_at[i] = ""
        else:
            seen[name] = i
    for f in fields:
        if f["name"] not in seen and (kind != "json" or f["name"] in KEY_FIELDS):
            text = f"缺少{word}“{display_name(f)}”（字段 {f['name']}）"
            errors.append(layout.error(header_row, "header", text, name=f["name"], header=""))
    return layout, errors


# ---- the pass -------------------------------------------------------------------------


@dataclass
class Pass:
    """What one pass left: the kept rows typed, the others as read, and what finds repeats."""

    total: int = 0  # rows read, blank ones included: the range of ordinals
    starts: list[int] = field(default_factory=list)  # the first ordinal of each batch
    good: list[pa.Table | None] = field(default_factory=list)  # kept rows of each batch
    ok: list[np.ndarray | None] = field(default_factory=list)  # rows of each batch kept; None: all
    bad: list[pa.RecordBatch] = field(default_factory=list)  # the others, with _ord
    keys: list[list[pa.Array]] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)  # explicit row numbers, if any

    def kept_at(self, ordinals: np.ndarray) -> list[tuple[int, int] | None]:
        """For each ordinal, (batch, index among its kept rows), or None if not kept."""
        batches = np.searchsorted(np.array(self.starts), ordinals, side="right") - 1
        out: list[tuple[int, int] | None] = []
        for b, o in zip(batches.tolist(), ordinals.tolist(), strict=True):
            offset = o - self.starts[b]
            kept = self.ok[b]
            if kept is None:
                out.append((b, offset))
            else:
                out.append((b, int(np.count_nonzero(kept[:offset]))) if kept[offset] else None)
        return out

    def row_numbers(self) -> RowMap:
        rows = np.concatenate(self.rows) if self.rows else np.zeros(0, dtype=np.int64)
        return lambda ordinals: rows[ordinals]


class Checker:
    """The compiled checks for one layout, and the pass that applies them."""

    def __init__(self, spec: Spec, layout: Layout, *, numeric_input: bool) -> None:
        self.spec, self.layout = spec, layout
        present = {n for n in layout.field_at if n}
        self.fields = [f for f in spec.fields if f["name"] in present]
        columns = {n: f"c{i}" for i, n in enumerate(layout.field_at) if n}
        known = spec.division_codes
        self.compiled: Compiled = compile_checks(
            self.fields,
            columns,
            frequency=spec.frequency,
            level=spec.level,
            divisions=known if isinstance(known, (set, frozenset)) else frozenset(known),
            numeric_input=numeric_input,
        )
        self.groups = [g for g in unique_groups(self.fields) if all(n in present for n in g)]

    def sql(self, source: str, *, explicit_rows: bool) -> str:
        cols = []
        for cf in self.compiled.fields:
            i = self.layout.index(cf.name)
            cols += [f"{cf.out} AS v{i}", f"{cf.err} AS e{i}"]
            if cf.raw is not None:
                cols.append(f"{cf.raw} AS s{i}")
        for g, group in enumerate(self.groups):
            keyed = ", ".join(f"c{self.layout.index(n)}" for n in group)
            cols.append(f"hash({keyed}) AS k{g}")  # empty keys too: their values tell later
        if explicit_rows:
            cols.append("_row")
        errs = ", ".join(f"e{self.layout.index(cf.name)}" for cf in self.compiled.fields)
        return f"SELECT *, coalesce({errs}) IS NULL AS _ok FROM (SELECT {', '.join(cols)} FROM {source})"

    def typed(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Rows as the version's columns and types: exact for the kept ones.

        Unchecked casts, so that the batch is cast whole and then filtered: a
        kept integer is whole and within 2**53, so its double casts exactly.
        """
        arrays = []
        for f in self.spec.arrow_schema:
            col = batch.column(f"v{self.layout.index(f.name)}")
            arrays.append(col if col.type == f.type else pc.cast(col, f.type, safe=False))
        return pa.RecordBatch.from_arrays(arrays, schema=self.spec.arrow_schema)

    def run(self, con: duckdb.DuckDBPyConnection, source: str, *, explicit_rows: bool) -> Pass:
        """Stream every row once; the pass holds what became of each."""
        out = Pass(keys=[[] for _ in self.groups])
        answers: dict[str, dict[str, bool]] = {name: {} for name in self.compiled.lookups}
        sql = self.sql(source, explicit_rows=explicit_rows)
        for batch in con.sql(sql).to_arrow_reader(BATCH_ROWS):
            n = batch.num_rows
            ok = batch.column("_ok")
            for name, (code, test) in self.compiled.lookups.items():
                batch, ok = self._lookup(batch, ok, name, code, test, answers[name])
            out.starts.append(out.total)
            if pc.all(ok).as_py():
                out.good.append(pa.Table.from_batches([self.typed(batch)]))
                out.ok.append(None)
            else:
                ok_np = ok.to_numpy(zero_copy_only=False)
                out.good.append(_kept(self.typed(batch), ok_np) if ok_np.any() else None)
                out.ok.append(ok_np)
                ords = pa.array(np.arange(out.total, out.total + n, dtype=np.int64))
                out.bad.append(batch.append_column("_ord", ords).filter(pc.invert(ok)))
            for g in range(len(self.groups)):
                out.keys[g].append(batch.column(f"k{g}"))
            if explicit_rows:
                out.rows.append(batch.column("_row").to_numpy(zero_copy_only=False))
            out.total += n
        return out

    def _lookup(
        self,
        batch: pa.RecordBatch,
        ok: pa.Array,
        name: str,
        code: int,
        test: Callable[[str], bool],
        answers: dict[str, bool],
    ) -> tuple[pa.RecordBatch, pa.Array]:
        """Mark the cells whose value fails ``test``, testing each distinct value once."""
        i = self.layout.index(name)
        values = batch.column(f"v{i}")
        failing = []
        for value in pc.unique(values).to_pylist():
            if value is None:
                continue
            passed = answers.get(value)
            if passed is None:
                passed = answers[value] = test(value)
            if not passed:
                failing.append(value)
        if not failing:
            return batch, ok
        errs = batch.column(f"e{i}")
        hit = pc.and_(pc.is_in(values, value_set=pa.array(failing)), pc.is_null(errs))
        marked = pc.if_else(hit, pa.scalar(code, pa.uint16()), errs)
        batch = batch.set_column(batch.schema.get_field_index(f"e{i}"), f"e{i}", marked)
        return batch, pc.and_(ok, pc.invert(hit))

    def blank(self, bad: pa.Table) -> np.ndarray:
        """Rows of a file whose cells are all empty: a spreadsheet's leftovers, skipped."""
        if self.layout.kind == "json" or not bad.num_rows:
            return np.zeros(bad.num_rows, dtype=bool)
        empty = np.ones(bad.num_rows, dtype=bool)
        for cf in self.compiled.fields:
            i = self.layout.index(cf.name)
            col = bad.column(f"s{i}" if cf.raw is not None else f"v{i}")
            empty &= pc.is_null(col).to_numpy(zero_copy_only=False)
        return empty

    def value_sql(self, i: int) -> str:
        """The cell as text, for a message: as written, or the number read written back."""
        cf = next(cf for cf in self.compiled.fields if self.layout.index(cf.name) == i)
        if cf.raw is not None:
            return f"s{i}"
        if cf.ftype in NUMERIC_TYPES:
            v = f"v{i}"
            return (
                f"CASE WHEN {v} = trunc({v}) AND abs({v}) < 1e15 "
                f"THEN CAST(CAST({v} AS BIGINT) AS VARCHAR) ELSE CAST({v} AS VARCHAR) END"
            )
        return f"CAST(v{i} AS VARCHAR)"

    def message_templates(self) -> pa.Table:
        """Per rule code: where it is and what it says, with {row} and {value} left to fill."""
        out: dict[str, list[Any]] = {
            k: [] for k in ("code", "col", "column", "header", "field", "rule", "rule_label", "tpl")
        }
        for rule in self.compiled.rules.values():
            col = self.layout.index(rule.field)
            out["code"].append(rule.code)
            out["col"].append(col)
            out["column"].append(column_letter(col) if self.layout.kind != "json" else "")
            out["header"].append(self.layout.headers[col])
            out["field"].append(rule.field)
            out["rule"].append(rule.rule)
            out["rule_label"].append(RULE_LABELS.get(rule.rule, rule.rule))
            out["tpl"].append(self.layout.place("{row}", col) + rule.text)
        return pa.table(out)


# ---- repeats --------------------------------------------------------------------------


Repeat = tuple[tuple[str, ...], tuple[Any, ...], list[int]]  # group, its values, ordinals


def repeats(checker: Checker, done: Pass) -> tuple[list[Repeat], np.ndarray]:
    """Each key that repeats, with the ordinals of its rows; and all those ordinals.

    A hash per row, sorted, finds the candidates; their values decide.
    """
    found: list[Repeat] = []
    dup: set[int] = set()
    for g, group in enumerate(checker.groups):
        if not done.keys[g]:
            continue
        keys = pa.chunked_array(done.keys[g], pa.uint64()).combine_chunks().to_numpy()
        ordered = np.sort(keys)
        repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
        if not len(repeated):
            continue
        ordinals = np.flatnonzero(np.isin(keys, repeated))
        by_value: dict[tuple[Any, ...], list[int]] = {}
        for ordinal, value in zip(
            ordinals.tolist(), _values_at(checker, done, ordinals, group), strict=True
        ):
            by_value.setdefault(value, []).append(ordinal)
        for value, ords in by_value.items():
            if len(ords) < 2 or None in value:
                continue  # a hash collision, or an empty key (an error of its own)
            found.append((group, value, ords))
            dup.update(ords)
    return found, np.array(sorted(dup), dtype=np.int64)


def repeat_errors(checker: Checker, found: list[Repeat], row_of: RowMap) -> list[dict[str, Any]]:
    """One error on every row of each repeated key, naming the others."""
    errors = []
    for group, value, ords in found:
        rows = row_of(np.array(ords, dtype=np.int64)).tolist()
        for row in rows:
            errors.append(_repeat_error(checker.layout, group, value, row, rows))
    return errors


def _repeat_error(
    layout: Layout, group: tuple[str, ...], value: tuple[Any, ...], row: int, rows: list[int]
) -> dict[str, Any]:
    shown = [_text(v) for v in value]
    unit = "条" if layout.kind == "json" else "行"
    listed = "、".join(str(r) for r in rows[:10]) + ("等" if len(rows) > 10 else "")
    where = f"共{len(rows)}{unit}（第{listed}{unit}）"
    if group == KEY_FIELDS:
        text = f"区划代码“{shown[0]}”、统计期“{shown[1]}”的数据重复，{where}"
        error = layout.error(row, "primaryKey", text, name="division_code", value="、".join(shown))
        error["message"] = layout.place(row) + text
        return error
    return layout.error(
        row, "unique", f"值“{shown[0]}”重复，{where}", name=group[0], value=shown[0]
    )


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _values_at(
    checker: Checker, done: Pass, ordinals: np.ndarray, group: tuple[str, ...]
) -> list[tuple[Any, ...]]:
    """The group's values at these ordinals (few), from the kept rows or the others."""
    found: dict[int, tuple[Any, ...]] = {}
    for ordinal, at in zip(ordinals.tolist(), done.kept_at(ordinals), strict=True):
        if at is not None:
            batch = done.good[at[0]]
            assert batch is not None
            row = batch.slice(at[1], 1)
            found[ordinal] = tuple(row.column(n)[0].as_py() for n in group)
    if done.bad:
        bad = pa.Table.from_batches(done.bad)
        rows = bad.filter(pc.is_in(bad.column("_ord"), value_set=pa.array(ordinals)))
        cols = [rows.column(f"v{checker.layout.index(n)}").to_pylist() for n in group]
        for j, ordinal in enumerate(rows.column("_ord").to_pylist()):
            found[ordinal] = tuple(c[j] for c in cols)
    return [found[o] for o in ordinals.tolist()]


def kept_rows(done: Pass, dropped: np.ndarray, schema: pa.Schema) -> pa.Table:
    """The rows to stage: those the pass kept, less those at the dropped ordinals."""
    good = list(done.good)
    gone: dict[int, list[int]] = {}
    for at in done.kept_at(dropped) if len(dropped) else []:
        if at is not None:
            gone.setdefault(at[0], []).append(at[1])
    for b, index in gone.items():
        batch = good[b]
        assert batch is not None
        mask = np.ones(batch.num_rows, dtype=bool)
        mask[index] = False
        good[b] = batch.filter(pa.array(mask))
    return pa.concat_tables([schema.empty_table(), *(b for b in good if b is not None)])


def _kept(batch: pa.RecordBatch, ok: np.ndarray) -> pa.Table:
    """The kept rows of a batch: zero-copy slices between a few rows not kept, else a copy."""
    dropped = np.flatnonzero(~ok)
    if len(dropped) > 64:
        return pa.Table.from_batches([batch.filter(pa.array(ok))])
    slices, start = [], 0
    for stop in dropped.tolist():
        if stop > start:
            slices.append(batch.slice(start, stop - start))
        start = stop + 1
    if start < len(ok):
        slices.append(batch.slice(start))
    return pa.Table.from_batches(slices, schema=batch.schema)


# ---- the report -----------------------------------------------------------------------


def bad_rows(checker: Checker, done: Pass, row_of: RowMap) -> tuple[pa.Table | None, int]:
    """The rows not kept, with their row numbers, less blank ones; and how many were blank."""
    if not done.bad:
        return None, 0
    bad = pa.Table.from_batches(done.bad)
    blank = checker.blank(bad)
    if blank.any():
        bad = bad.filter(pa.array(~blank))
    rows = row_of(bad.column("_ord").to_numpy())
    if "_row" in bad.column_names:
        bad = bad.drop_columns(["_row"])
    return bad.append_column("_row", pa.array(rows, pa.int64())), int(blank.sum())


def _extra_table(errors: list[dict[str, Any]]) -> pa.Table:
    cols: dict[str, list[Any]] = {k: [e.get(k, "") for e in errors] for k, _ in ERROR_COLUMNS}
    cols["col"] = [letter_index(e.get("column") or "") for e in errors]
    types = {"row": pa.int64(), "col": pa.int64()}
    return pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in cols.items()})


def report(
    con: duckdb.DuckDBPyConnection,
    checker: Checker | None,
    bad: pa.Table | None,
    extra: list[dict[str, Any]],
    errors_csv: Path | None,
    *,
    keep: int | None,
) -> tuple[int, list[dict[str, Any]]]:
    """Every error in row and column order, written to ``errors_csv``: (count, the first ``keep``).

    The cells' errors become messages in SQL, from one template per rule.
    """
    names = ["row", "col", "sheet", "column", "header", "field", "rule", "rule_label"]
    quoted = ", ".join(f'"{c}"' for c in [*names, "value", "message"])
    parts = [f"SELECT {quoted} FROM _extra"]
    con.register("_extra", _extra_table(extra))
    if checker is not None and bad is not None and bad.num_rows:
        con.register("_bad", bad)
        con.register("_tpl", checker.message_templates())
        longs = []
        for cf in checker.compiled.fields:
            i = checker.layout.index(cf.name)
            longs.append(
                f"SELECT _row, e{i} AS code, {checker.value_sql(i)} AS value "
                f"FROM _bad WHERE e{i} IS NOT NULL"
            )
        parts.append(
            f'SELECT l._row, t.col, {sql_string(checker.layout.sheet)}, t."column", t.header, '
            "t.field, t.rule, t.rule_label, coalesce(l.value, ''), "
            "replace(replace(t.tpl, '{row}', CAST(l._row AS VARCHAR)), '{value}', "
            "coalesce(l.value, '')) "
            f"FROM ({' UNION ALL '.join(longs)}) l JOIN _tpl t ON t.code = l.code"
        )
    con.execute("DROP TABLE IF EXISTS _errors")
    con.execute(f'CREATE TEMP TABLE _errors AS {" UNION ALL ".join(parts)} ORDER BY "row", "col"')
    for name in ("_extra", "_bad", "_tpl"):
        if name == "_extra" or bad is not None:
            try:
                con.unregister(name)
            except Exception:  # not registered: no cells to report
                pass
    count = con.execute("SELECT count(*) FROM _errors").fetchall()[0][0]
    if errors_csv is not None:
        labels = ", ".join(f'"{k}" AS "{label}"' for k, label in ERROR_COLUMNS)
        errors_csv.parent.mkdir(parents=True, exist_ok=True)
        plain = errors_csv.with_suffix(".tmp")
        con.execute(f"COPY (SELECT {labels} FROM _errors) TO {sql_string(plain)} (HEADER)")
        # A byte-order mark, so that Excel opens the Chinese as UTF-8.
        with errors_csv.open("wb") as out, plain.open("rb") as src:
            out.write(codecs.BOM_UTF8)
            shutil.copyfileobj(src, out, 1 << 20)
        plain.unlink()
    keys = [k for k, _ in ERROR_COLUMNS]
    limit = "" if keep is None else f" LIMIT {int(keep)}"
    selected = ", ".join(f'"{k}"' for k in keys)
    first = con.execute(f"SELECT {selected} FROM _errors{limit}").fetchall()
    return count, [dict(zip(keys, r, strict=True)) for r in first]
