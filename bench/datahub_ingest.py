"""Dataset ingest (validation and staging) of a large CSV, against DuckDB's own ``read_csv``.

    .venv/bin/python bench/datahub_ingest.py [--rows 10000000] [--repeat 3] [--dir /tmp/zhili-bench]

Writes (once per size, with DuckDB's COPY) a village × month CSV of ``--rows`` rows in the shape
of the test dataset 村人口 (区划代码, 统计期, 常住人口, 户数, 外出务工人数; one village per 120
months, so 10 million rows are 83,334 villages over ten years) with a few planted errors of each
kind: a negative count, a fraction and a word where an integer belongs, an unknown village, a
month 13, a row that repeats another's village and month, a row with a cell missing. Then, one
after the other and ``--repeat`` times, on an idle machine:

- the ceilings: DuckDB's ``read_csv`` of the same file (types sniffed, bad rows skipped) loaded
  into a table (``CREATE TABLE AS``), and scanned for ``count(*), sum(常住人口)``;
- ``zhili.datahub.ingest.ingest_file``: header matched to the schema, every cell checked against
  its type and constraints, villages against the known codes, months against the frequency,
  repeats of (village, month) found, valid rows written to the staged (Arrow IPC) file typed as the
  version will be, every error written with its row, column and rule in Chinese to the errors CSV.

Prints rows per second of each (best and median of the runs), the ratio of ours to each ceiling
(target: at least 0.5 of ``read_csv``), and checks that every planted error was found.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")

import django  # noqa: E402

django.setup()

import duckdb  # noqa: E402

from zhili.datahub.ingest import Spec, ingest_file  # noqa: E402
from zhili.datahub.models import Dataset  # noqa: E402
from zhili.datahub.schema import schema_normalise  # noqa: E402
from zhili.datahub.versions import arrow_schema  # noqa: E402

MONTHS = 120
FIELDS = [
    {"name": "population", "title": "常住人口", "type": "integer", "unit": "人",
     "constraints": {"required": True, "minimum": 0}},
    {"name": "households", "title": "户数", "type": "integer", "constraints": {"minimum": 0}},
    {"name": "migrant_workers", "title": "外出务工人数", "type": "integer"},
]  # fmt: skip
# Planted errors: (every n-th row, the SQL that spoils it). Rows are numbered from 0.
PLANTED = {
    "minimum": (100_003, "'-3'"),
    "type_fraction": (100_019, "'1.5'"),
    "type_word": (100_043, "'abc'"),
}


def village_code(i: str) -> str:
    return f"'33' || lpad(CAST({i} AS VARCHAR), 10, '0')"


def generate(path: Path, rows: int) -> int:
    """The CSV; returns how many errors were planted (each is one error in the report)."""
    villages = -(-rows // MONTHS)
    con = duckdb.connect()
    v = "(i // 120)"
    month = "(i % 120)"
    period = f"CAST(2015 + {month} // 12 AS VARCHAR) || '-' || lpad(CAST({month} % 12 + 1 AS VARCHAR), 2, '0')"
    pop = "CAST(800 + hash(i) % 4000 AS VARCHAR)"
    pop_bad = (
        "CASE "
        + " ".join(f"WHEN i % {n} = {n - 1} THEN {sql}" for n, sql in PLANTED.values())
        + f" ELSE {pop} END"
    )
    code = f"CASE WHEN i % 250013 = 250012 THEN '339999999999' ELSE {village_code(v)} END"
    period_bad = f"CASE WHEN i % 250027 = 250026 THEN '2025-13' ELSE {period} END"
    con.execute(
        f"""COPY (
            SELECT {code} AS "区划代码", {period_bad} AS "统计期", {pop_bad} AS "常住人口",
                   CAST(300 + hash(i + 1) % 900 AS VARCHAR) AS "户数",
                   CAST(hash(i + 2) % 400 AS VARCHAR) AS "外出务工人数"
            FROM range({rows}) t(i)
        ) TO '{path}' (HEADER, DELIMITER ',', QUOTE '')"""
    )
    # A repeated row and a row with a missing cell, at the end.
    with path.open("a", encoding="utf-8") as f:
        f.write(f"{33 * 10**10},2015-01,1000,300,10\n")  # village 0, month 0 again
        f.write(f"{33 * 10**10 + 1},2015-02,1000,300\n")
    planted = sum(rows // n for n, _ in PLANTED.values())
    planted += rows // 250013 + rows // 250027
    planted += 2 + 1  # the repeat is reported on both rows; the short row once
    con.close()
    del villages
    return planted


def spec_for(rows: int) -> Spec:
    schema = schema_normalise({"fields": FIELDS}, frequency="monthly")
    dataset = Dataset(code="bench", table_schema=schema, frequency="monthly")
    villages = -(-rows // MONTHS)
    codes = [f"33{i:010d}" for i in range(villages)]
    return Spec(
        fields=schema["fields"],
        frequency="monthly",
        level="village",
        division_codes=codes,
        arrow_schema=arrow_schema(dataset),
    )


def wait_idle(quiet: float = 1.0, at_most: float = 60.0) -> float:
    give_up = time.monotonic() + at_most
    while os.getloadavg()[0] > quiet and time.monotonic() < give_up:
        time.sleep(2)
    return os.getloadavg()[0]


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of all this process's threads)."""
    start, used = time.perf_counter(), cpu()
    fn()
    return time.perf_counter() - start, cpu() - used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/zhili-bench"))
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    path = args.dir / f"village_month_{args.rows}.csv"
    started = time.perf_counter()
    planted = generate(path, args.rows)
    print(
        f"file: {path} ({path.stat().st_size / 2**20:.0f} MiB, {args.rows:,} rows + 2, "
        f"{planted} planted errors), written in {time.perf_counter() - started:.1f} s"
    )
    spec = spec_for(args.rows)
    staged, errors_csv = args.dir / "staged.arrow", args.dir / "errors.csv"
    src = f"read_csv('{path}', ignore_errors=true)"

    def ctas() -> None:
        con = duckdb.connect()
        con.execute(f"CREATE TABLE t AS SELECT * FROM {src}")
        con.close()

    def scan() -> None:
        con = duckdb.connect()
        con.execute(f'SELECT count(*), sum("常住人口") FROM {src}').fetchall()
        con.close()

    found: list[int] = []

    def ours() -> None:
        result = ingest_file(path, path.name, spec, staged=staged, errors_csv=errors_csv)
        found.append(result.error_count)
        if result.fatal:
            raise SystemExit(result.fatal)

    names = ["read_csv → table", "read_csv count/sum", "ingest"]
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    loads = []
    ours()  # imports and caches warmed once, as in a running server
    for _ in range(args.repeat):
        loads.append(wait_idle())
        for name, fn in zip(names, (ctas, scan, ours), strict=True):
            runs[name].append(timed(fn))
    rows = args.rows + 2
    print(f"load average before runs: {', '.join(f'{x:.2f}' for x in loads)} (2 cores)")
    print(
        f"{'':20} {'best s':>7} {'median s':>9} {'rows/s best':>13} {'rows/s median':>14} "
        f"{'CPU s':>6} {'rows/CPU-s':>11}"
    )
    for name in names:
        wall = [w for w, _ in runs[name]]
        used = min(c for _, c in runs[name])
        best, med = min(wall), statistics.median(wall)
        print(
            f"{name:20} {best:7.2f} {med:9.2f} {rows / best:13,.0f} {rows / med:14,.0f} "
            f"{used:6.2f} {rows / used:11,.0f}"
        )
    ours_wall = [w for w, _ in runs["ingest"]]
    ours_cpu = min(c for _, c in runs["ingest"])
    for name in names[:2]:
        wall = [w for w, _ in runs[name]]
        best = min(wall) / min(ours_wall)
        med = statistics.median(wall) / statistics.median(ours_wall)
        by_cpu = min(c for _, c in runs[name]) / ours_cpu
        print(
            f"ingest ÷ {name}: {best:.2f} best, {med:.2f} median, {by_cpu:.2f} by CPU time"
            "   (target ≥ 0.5)"
        )
    print(f"errors reported: {found[-1]} (planted {planted})")
    if found[-1] != planted:
        raise SystemExit("the errors reported are not the errors planted")


if __name__ == "__main__":
    main()
