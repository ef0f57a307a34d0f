"""Reading an upload into checked, typed rows: one DuckDB pass, nothing per row in Python.

Sources: a CSV file (UTF-8, or GBK/GB18030 as Chinese Excel saves it,
transcoded first), the first sheet of an ``.xlsx`` workbook (openpyxl), or
records pushed as JSON. The header must name every field of the schema, by
its name or its title; a header that does not fit stops the upload with one
error per column.

The CSV path lets DuckDB's reader parse the integer and number columns as
DOUBLE (as fast as ``read_csv`` itself), with ``store_rejects`` keeping the
records it cannot parse; those are checked again as text, every cell of
them, and never published. Excel and JSON rows go through the same compiled
checks as text (``ingest_checks``).

Kept rows are written to the staged file typed as ``versions.arrow_schema``:
Arrow IPC (Feather v2), which costs a fifth of Parquet's encoding and is read
back whole, once, when the upload is published as a Parquet version; every error goes to the errors CSV (UTF-8 with a
byte-order mark, Chinese headers) with its row, column, rule and message.
Row numbers are as a spreadsheet shows them: the header is row 1, so the
first data row is 2. Rows whose cells are all empty are skipped.
"""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.feather as feather

from zhili.datahub.ingest_checks import (
    ERROR_COLUMNS,
    Checker,
    Layout,
    Pass,
    RowMap,
    Spec,
    bad_rows,
    kept_rows,
    match_header,
    repeat_errors,
    repeats,
    report,
)
from zhili.datahub.ingest_sources import Read, Unreadable, read_records, read_xlsx
from zhili.datahub.schema import NUMERIC_TYPES, sql_string

__all__ = [
    "ERROR_COLUMNS",
    "Result",
    "Spec",
    "ingest_file",
    "ingest_records",
    "read_errors",
    "read_staged",
]

KEEP_ERRORS = 200
SNIFF_BYTES = 1 << 20
STAGED_COMPRESSION = "uncompressed"  # staged files live until published or discarded
REJECT_TEXTS = {
    "MISSING COLUMNS": "列数不足，应有{n}列",
    "TOO MANY COLUMNS": "列数过多，应有{n}列",
    "UNQUOTED VALUE": "引号不配对，无法读取本行",
    "INVALID STATE": "格式错误（引号或分隔符不配对），无法读取本行",
    "LINE SIZE OVER MAXIMUM": "本行过长，无法读取",
    "INVALID ENCODING": "含有无法识别的字符（文件应为UTF-8或GBK编码）",
}


@dataclass
class Result:
    total_rows: int = 0
    valid_rows: int = 0
    error_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # the first KEEP_ERRORS
    fatal: str = ""  # why nothing could be checked: an unreadable file, a wrong header
    encoding: str = ""
    sheet: str = ""


# ---- entry points ---------------------------------------------------------------------


def ingest_file(path: Path, filename: str, spec: Spec, *, staged: Path, errors_csv: Path) -> Result:
    """Check an uploaded file (``.xlsx`` by its content, anything else as CSV) and stage it."""
    try:
        if zipfile.is_zipfile(path):
            if not filename.lower().endswith((".xlsx", ".xlsm")):
                raise Unreadable("无法识别文件格式，请上传CSV或.xlsx文件")
            return _ingest_read(read_xlsx(path, spec), spec, staged, errors_csv)
        if filename.lower().endswith((".xls", ".xlsx", ".xlsm")):
            raise Unreadable("无法打开Excel文件，请确认是 .xlsx 格式（旧版 .xls 请另存为 .xlsx）")
        return _ingest_csv(path, spec, staged=staged, errors_csv=errors_csv)
    except Unreadable as exc:
        return _fatal(str(exc), [], errors_csv)


def ingest_records(records: Sequence[Any], spec: Spec, *, staged: Path, errors_csv: Path) -> Result:
    """Check records pushed through the API: a list of {field name or title: value}."""
    if not records:
        return _fatal("没有数据", [], errors_csv)
    return _ingest_read(read_records(records, spec), spec, staged, errors_csv)


def read_errors(path: Path, *, offset: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    """A page of an errors file written by an ingest, as dicts with the English keys."""
    columns = ", ".join(f"'{label}': 'VARCHAR'" for _, label in ERROR_COLUMNS)
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"SELECT * FROM read_csv({sql_string(path)}, header=true, auto_detect=false, "
            f"delim=',', quote='\"', escape='\"', columns={{{columns}}}) "
            f"LIMIT {int(limit)} OFFSET {int(offset)}"
        ).fetchall()
    finally:
        con.close()
    keys = [k for k, _ in ERROR_COLUMNS]
    out = [{k: v or "" for k, v in zip(keys, r, strict=True)} for r in rows]
    for e in out:
        e["row"] = int(e["row"] or 0)
    return out


# ---- the common end -------------------------------------------------------------------


def _stage(table: pa.Table, staged: Path) -> None:
    staged.parent.mkdir(parents=True, exist_ok=True)
    feather.write_feather(table, staged, compression=STAGED_COMPRESSION)


def read_staged(path: Path) -> pa.Table:
    """The rows an ingest kept, as it staged them."""
    return feather.read_table(path, memory_map=True)


def _finish(
    con: duckdb.DuckDBPyConnection,
    checker: Checker,
    done: Pass,
    row_numbers: Callable[[], RowMap],
    extra: Callable[[], list[dict[str, Any]]],
    staged: Path,
    errors_csv: Path,
    *,
    unread: int = 0,
) -> Result:
    """Stage the kept rows, then report; the row numbers may still be being worked out."""
    found, dropped = repeats(checker, done)
    table = kept_rows(done, dropped, checker.spec.arrow_schema)
    _stage(table, staged)
    row_of = row_numbers()
    bad, blank = bad_rows(checker, done, row_of)
    errors = extra() + repeat_errors(checker, found, row_of)
    count, first = report(con, checker, bad, errors, errors_csv, keep=KEEP_ERRORS)
    return Result(
        total_rows=done.total - blank + unread,
        valid_rows=table.num_rows,
        error_count=count,
        errors=first,
        sheet=checker.layout.sheet,
    )


def _fatal(message: str, errors: list[dict[str, Any]], errors_csv: Path, sheet: str = "") -> Result:
    con = duckdb.connect()
    try:
        count, first = report(con, None, None, errors, errors_csv, keep=KEEP_ERRORS)
    finally:
        con.close()
    return Result(error_count=count, errors=first, fatal=message, sheet=sheet)


def _header_fatal(layout: Layout, errors: list[dict[str, Any]], errors_csv: Path) -> Result | None:
    n = sum(1 for e in errors if e["rule"] == "header")
    if not n:
        return None
    message = f"表头与数据集的字段不符（{n}处），请按错误清单改正表头后重新上传"
    return _fatal(message, errors, errors_csv, sheet=layout.sheet)


def _ingest_read(read: Read, spec: Spec, staged: Path, errors_csv: Path) -> Result:
    """Rows read as text (Excel, JSON): columns c0…cn and ``_row``."""
    layout, errors, table = read
    stop = _header_fatal(layout, errors, errors_csv)
    if stop is not None:
        return stop
    con = duckdb.connect()
    try:
        checker = Checker(spec, layout, numeric_input=False)
        con.register("_src", table)
        done = checker.run(con, "_src", explicit_rows=True)
        rows = done.row_numbers()
        return _finish(con, checker, done, lambda: rows, lambda: errors, staged, errors_csv)
    finally:
        con.close()


# ---- CSV ------------------------------------------------------------------------------


def _sniff(path: Path) -> tuple[str, str]:
    """(encoding, decoded start of the file): UTF-8 unless the bytes say GB18030."""
    with path.open("rb") as f:
        head = f.read(SNIFF_BYTES)
    if not head.strip():
        raise Unreadable("文件是空的")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise Unreadable("文件是UTF-16编码，请另存为“CSV UTF-8（逗号分隔）”或GBK编码的CSV")
    final = len(head) < SNIFF_BYTES
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return encoding, codecs.getincrementaldecoder(encoding)().decode(head, final=final)
        except UnicodeDecodeError:
            continue
    raise Unreadable("无法识别文件的字符编码，请保存为UTF-8或GBK编码的CSV")


def _transcode(path: Path, to: Path, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as src, to.open("w", encoding="utf-8", newline="") as out:
        try:
            for chunk in iter(lambda: src.read(1 << 22), b""):
                out.write(decoder.decode(chunk))
            out.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError as exc:
            raise Unreadable("文件中有无法识别的字符，请保存为UTF-8或GBK编码的CSV") from exc


def _header_of(text: str) -> tuple[str, list[str]]:
    """(delimiter, header cells) from the decoded start of a CSV file."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", "\t", ";", "|")}
    delim = max(counts, key=lambda d: (counts[d], d == ","))
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=delim))
    except (StopIteration, csv.Error) as exc:
        raise Unreadable("无法读取表头（第1行）") from exc
    return delim, header


def _empty_lines(path: Path, records: int) -> np.ndarray:
    """Line numbers of empty lines, which DuckDB's reader skips without a trace.

    Looked for only when the file has more lines than records read, so a
    usual file costs one count of its newlines.
    """
    lines, last = 0, b""
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 24), b""):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last and last != b"\n":
        lines += 1
    if lines <= records:
        return np.zeros(0, dtype=np.int64)
    with path.open("rb") as f:
        empty = [n for n, line in enumerate(f, start=1) if not line.strip(b"\r\n")]
    return np.array(empty, dtype=np.int64)


def _row_mapper(skipped: np.ndarray, first: int) -> RowMap:
    """Ordinal of a record DuckDB returned → its line, given the lines it did not return.

    The k-th returned record is on the k-th line from ``first`` on that was
    not skipped; ``skipped[i] - first - i`` lines were returned before the
    i-th skipped one.
    """
    skipped = np.unique(skipped[skipped >= first])
    before = skipped - first - np.arange(len(skipped))

    def row_of(ordinals: np.ndarray) -> np.ndarray:
        return ordinals + first + np.searchsorted(before, ordinals, side="right")

    return row_of


def _ingest_csv(path: Path, spec: Spec, *, staged: Path, errors_csv: Path) -> Result:
    encoding, text = _sniff(path)
    with tempfile.TemporaryDirectory(prefix="zhili-ingest-") as tmp:
        work = Path(tmp)
        source = path
        if encoding != "utf-8-sig":
            source = work / "utf8.csv"
            _transcode(path, source, encoding)
        result = _csv_pass(source, text, spec, staged, errors_csv, work, retry=True)
        if result is None:
            # UTF-8 at the start, not further on: GBK whose first part is all ASCII.
            encoding, source = "gb18030", work / "utf8.csv"
            _transcode(path, source, encoding)
            result = _csv_pass(source, text, spec, staged, errors_csv, work, retry=False)
        assert result is not None
        result.encoding = "UTF-8" if encoding == "utf-8-sig" else "GBK/GB18030"
        return result


def _csv_pass(
    source: Path,
    text: str,
    spec: Spec,
    staged: Path,
    errors_csv: Path,
    work: Path,
    *,
    retry: bool,
) -> Result | None:
    """One pass over a UTF-8 CSV file; None when it turns out not to be UTF-8 after all."""
    delim, header = _header_of(text)
    layout, errors = match_header(header, spec.fields, kind="csv")
    stop = _header_fatal(layout, errors, errors_csv)
    if stop is not None:
        return stop
    checker = Checker(spec, layout, numeric_input=True)
    types = {f["name"]: f.get("type", "string") for f in spec.fields}
    columns = ", ".join(
        f"'c{i}': '{'DOUBLE' if types.get(n) in NUMERIC_TYPES else 'VARCHAR'}'"
        for i, n in enumerate(layout.field_at)
    )
    read = (
        f"read_csv({sql_string(source)}, header=true, auto_detect=false, "
        f"delim={sql_string(delim)}, quote='\"', escape='\"', columns={{{columns}}}, "
        "store_rejects=true, rejects_limit=0, null_padding=false)"
    )
    con = duckdb.connect()
    try:
        done = checker.run(con, read, explicit_rows=False)
        rejects = con.execute(
            "SELECT line, string_agg(DISTINCT CAST(error_type AS VARCHAR), ','), "
            "any_value(csv_line) FROM reject_errors GROUP BY line ORDER BY line"
        ).fetchall()
        if retry and any("INVALID ENCODING" in r[1] for r in rejects):
            return None
        lines = np.array([r[0] for r in rejects], dtype=np.int64)
        # Counting the file's lines overlaps staging: each mostly waits on memory or disk.
        with ThreadPoolExecutor(max_workers=1) as pool:
            empty = pool.submit(_empty_lines, source, 1 + done.total + len(rejects))
            return _finish(
                con,
                checker,
                done,
                lambda: _row_mapper(np.concatenate([lines, empty.result()]), 2),
                lambda: _rejected(checker, rejects, work, delim),
                staged,
                errors_csv,
                unread=len(rejects),
            )
    finally:
        con.close()


def _rejected(
    checker: Checker, rejects: list[tuple[Any, ...]], work: Path, delim: str
) -> list[dict[str, Any]]:
    """Errors for the records DuckDB's reader could not parse.

    A record it could not split is reported as a whole; one with a number it
    could not read is checked again as text, every cell of it.
    """
    layout = checker.layout
    width = len(layout.field_at)
    errors: list[dict[str, Any]] = []
    unparsed: list[tuple[int, str]] = []
    for line, kinds, csv_line in rejects:
        other = [k for k in kinds.split(",") if k != "CAST"]
        if other:
            rule = "columns" if "COLUMNS" in other[0] else "format"
            errors.append(
                layout.error(line, rule, REJECT_TEXTS.get(other[0], "无法读取本行").format(n=width))
            )
        else:
            unparsed.append((line, csv_line.strip("\r\n")))
    if not unparsed:
        return errors
    # The records as a small CSV of their own, read as text, with their line numbers.
    again = work / "rejected.csv"
    again.write_text("\n".join(t for _, t in unparsed) + "\n", encoding="utf-8")
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    con = duckdb.connect()
    try:
        table = con.sql(
            f"SELECT * FROM read_csv({sql_string(again)}, header=false, auto_detect=false, "
            f"delim={sql_string(delim)}, quote='\"', escape='\"', columns={{{columns}}})"
        ).to_arrow_table()
        assert table is not None
        lines = [line for line, _ in unparsed]
        table = table.append_column("_row", pa.array(lines, pa.int64()))
        text = Checker(checker.spec, layout, numeric_input=False)
        con.register("_again", table)
        done = text.run(con, "_again", explicit_rows=True)
        bad, _ = bad_rows(text, done, done.row_numbers())
        _, found = report(con, text, bad, [], None, keep=None)
    finally:
        con.close()
    errors += found
    # A number the reader refused that the text check accepts: still not published, so say why.
    explained = {e["row"] for e in found}
    for line in lines:
        if line not in explained:
            errors.append(layout.error(line, "type", "数值无法识别"))
    return errors
