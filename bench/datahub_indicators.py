"""Indicators at county and province scale: the map's query, refreshes, and plain pandas as baseline.

    .venv/bin/python bench/datahub_indicators.py [--db sqlite,postgres] [--queries 1000]
                                                  [--indicators 10] [--writes 3] [--skip-province]

For each database (SQLite in a fresh file; PostgreSQL in a fresh database
``zhili_bench_indicators`` on 127.0.0.1, user ``postgres``), in a process of its own:

1. County scale: a county of 10 towns and 137 villages, one dataset of 60 months
   (published with ``versions.version_publish``), one ratio indicator with a filter
   (insured people whose row is reviewed ÷ registered people × 100). Times its refresh
   (compute on DuckDB through Ibis, then the write of its 8,880 values), then 1,000 map
   queries as the map endpoint runs them through the ORM (``map_selectors.map_values``
   for the village level and a random period; and the bare IndicatorValue query):
   p50/p95 ms.
2. Province scale: 100 counties × 10 towns × 20 villages = 20,000 villages and 280
   datasets of 60 months (1.2 M rows each; 336 M values in all). The Parquet files are
   generated with DuckDB ``COPY (SELECT …) TO`` only for the datasets the timed
   indicators read (the generation time per dataset is printed, so the full 280 can be
   estimated). Times ``--indicators`` refreshes of mixed formulas (ratio with filter
   across two datasets, sums, quarterly averages, yearly counts, extremes): compute only
   for all, compute + write of the 1.27 M values for the first ``--writes``.
3. The same ratio indicator computed with plain pandas (``read_parquet`` + ``groupby`` +
   ``merge``, every level) at both scales, checked equal, and the time ratio
   pandas / Ibis-on-DuckDB (7 runs each, taken in turns; the roll-up map given to both).

Times are the best of their runs (other work on the machine only ever adds to a time); the
baseline also prints the medians. The load average is printed before each database.

Everything is deleted at the end (the SQLite file, the PostgreSQL database and the
Parquet files) unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "zhili_bench_indicators"
MONTHS = [f"{2021 + i // 12}-{i % 12 + 1:02d}" for i in range(60)]
COUNTY = "330599"


# ---- setup ----


def django_setup(db: str, home: Path) -> None:
    os.environ["ZHILI_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhili.settings")
    # Small BLAS calls in statsmodels and scipy are slower with threads; see docs/indicators.md.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if db == "postgres":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f"drop database if exists {PG_DB}")
            c.execute(f"create database {PG_DB}")
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{home / 'var' / 'bench.sqlite3'}"
    (home / "var").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def divisions_make(counties: list[str], towns: int, villages: int | list[int]) -> int:
    """Counties of ``towns`` towns of ``villages`` villages each (or a count per town)."""
    from zhili.divisions.models import Division

    made = 0
    county_rows = Division.objects.bulk_create(
        Division(code=f"{c}000000", name=f"县{c}", level="county") for c in counties
    )
    town_rows = Division.objects.bulk_create(
        Division(
            code=f"{c.code[:6]}{101 + t:03d}000", name=f"镇{c.code[:6]}{t}", level="town", parent=c
        )
        for c in county_rows
        for t in range(towns)
    )
    per_town = villages if isinstance(villages, list) else [villages] * len(town_rows)
    batch = [
        Division(
            code=f"{t.code[:9]}{201 + v:03d}", name=f"村{t.code[:9]}{v}", level="village", parent=t
        )
        for t, n in zip(town_rows, per_town * (len(town_rows) // len(per_town)), strict=True)
        for v in range(n)
    ]
    Division.objects.bulk_create(batch, batch_size=5000)
    made += len(batch)
    return made


def department() -> Any:
    from zhili.divisions.models import Department, Division

    county = Division.objects.filter(level="county").order_by("code").first()
    return Department.objects.create(code="BENCH", name="基准测试局", division=county)


def dataset_make(code: str, dept: Any, fields: list[tuple[str, str]]) -> Any:
    from zhili.datahub.models import Dataset

    return Dataset.objects.create(
        code=code, name=f"数据集{code}", category="基准", department=dept, frequency="monthly",
        sharing="shared", division_level="village",
        table_schema={
            "fields": [
                {"name": "division_code", "type": "string"},
                {"name": "period", "type": "string"},
                *({"name": n, "type": t} for n, t in fields),
            ],
            "primaryKey": ["division_code", "period"],
        },
    )  # fmt: skip


def timed(fn: Callable[[], Any], runs: int = 1) -> tuple[float, Any]:
    """The best seconds of ``runs`` calls (other work on the machine only ever adds), and
    the last result."""
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def side_by_side(
    a: Callable[[], Any], b: Callable[[], Any], runs: int = 7
) -> tuple[list[float], Any, list[float], Any]:
    """Seconds of ``runs`` calls of each, taken in turns so that both meet the same load."""
    ta: list[float] = []
    tb: list[float] = []
    ra = rb = None
    for _ in range(runs):
        for fn, times in ((a, ta), (b, tb)):
            t = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t)
            if fn is a:
                ra = result
            else:
                rb = result
    return ta, ra, tb, rb


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# ---- pandas, the baseline ----


def pandas_ratio(
    num_path: Path, den_path: Path, divisions: Any, *, num: str, den: str, scale: float
) -> Any:
    """sum(num where status = 已审核) / sum(den) × scale per village-month, town and county."""
    import pandas as pd

    same = num_path == den_path
    n = pd.read_parquet(
        num_path, columns=["division_code", "period", num, "status", *([den] if same else [])]
    )
    n["_x"] = n[num].where(n["status"] == "已审核", 0.0)
    a = n.groupby(["division_code", "period"], as_index=False).agg(numerator=("_x", "sum"))
    if same:
        d = n
    else:
        d = pd.read_parquet(den_path, columns=["division_code", "period", den])
    b = d.groupby(["division_code", "period"], as_index=False)[den].sum()
    b = b.rename(columns={den: "denominator"})
    rows = a.merge(b, on=["division_code", "period"], how="outer")
    rows = rows.merge(
        divisions[divisions["level"] == "village"], left_on="division_code", right_on="code"
    )
    out = [
        rows.assign(level="village")[
            ["division_code", "level", "period", "numerator", "denominator"]
        ]
    ]
    complete = rows.dropna(subset=["numerator", "denominator"])
    for upper in ("town", "county"):
        g = complete.groupby([upper, "period"], as_index=False)[["numerator", "denominator"]].sum()
        out.append(g.rename(columns={upper: "division_code"}).assign(level=upper))
    result = pd.concat(out, ignore_index=True)
    result["value"] = (
        result["numerator"] / result["denominator"].where(result["denominator"] != 0) * scale
    )
    return result


def baseline(ibis_t: list[float], pandas_t: list[float]) -> dict[str, float]:
    return {
        "ibis_best": min(ibis_t),
        "ibis_median": statistics.median(ibis_t),
        "pandas_best": min(pandas_t),
        "pandas_median": statistics.median(pandas_t),
        "ratio_best": min(pandas_t) / min(ibis_t),
        "ratio_median": statistics.median(pandas_t) / statistics.median(ibis_t),
    }


def baseline_line(r: dict[str, Any], unit: float, label: str) -> str:
    u = "ms" if unit == 1000 else "s"
    f = ".0f" if unit == 1000 else ".2f"
    return (
        f"  pandas baseline{label}: best {r['pandas_best'] * unit:{f}} {u} vs Ibis/DuckDB "
        f"{r['ibis_best'] * unit:{f}} {u} → pandas/ibis = {r['ratio_best']:.2f} "
        f"(medians {r['pandas_median'] * unit:{f}} / {r['ibis_median'] * unit:{f}} {u} → "
        f"{r['ratio_median']:.2f}; values differing: {r['pandas_differ']})"
    )


def wide_map() -> Any:
    """Every division with its town and county, as a DataFrame: pandas' roll-up map."""
    import pandas as pd

    from zhili.divisions.models import Division

    rows = Division.objects.values_list("code", "level", "parent__code", "parent__parent__code")
    return pd.DataFrame(
        [
            (
                code,
                level,
                parent if level == "village" else None,
                grand if level == "village" else parent,
            )
            for code, level, parent, grand in rows
        ],
        columns=["code", "level", "town", "county"],
    )


def check_equal(ibis_table: Any, frame: Any) -> int:
    """How many values differ between the two computations (0 expected)."""
    import math

    ours = {(r["division_code"], r["period"]): r["value"] for r in ibis_table.to_pylist()}
    theirs = dict(
        zip(zip(frame["division_code"], frame["period"], strict=True), frame["value"], strict=True)
    )
    differ = sum(
        1
        for k, v in ours.items()
        if not (
            (v is None and (theirs.get(k) is None or math.isnan(theirs[k])))
            or (
                v is not None
                and theirs.get(k) is not None
                and math.isclose(v, theirs[k], rel_tol=1e-9)
            )
        )
    )
    return differ + abs(len(ours) - len(theirs))


# ---- 1. county scale ----


def county_scale(queries: int) -> dict[str, Any]:
    import numpy as np
    import pyarrow as pa

    from zhili.datahub import storage
    from zhili.datahub.formulas import divisions_arrow
    from zhili.datahub.indicators import indicator_compute, values_replace
    from zhili.datahub.models import Indicator, IndicatorValue
    from zhili.datahub.versions import version_publish
    from zhili.divisions.models import Division

    per_town = [14, 14, 14, 14, 14, 14, 14, 13, 13, 13]  # 137 villages in 10 towns
    divisions_make([COUNTY], 10, per_town)
    dept = department()
    ds = dataset_make(
        "B_POP", dept, [("people", "integer"), ("insured", "integer"), ("status", "string")]
    )
    villages = list(Division.objects.filter(level="village").values_list("code", flat=True))
    rng = np.random.default_rng(1)
    n = len(villages) * len(MONTHS)
    people = rng.integers(800, 5000, n)
    table = pa.table(
        {
            "division_code": [v for v in villages for _ in MONTHS],
            "period": [p for _ in villages for p in MONTHS],
            "people": people,
            "insured": (people * rng.uniform(0.6, 0.98, n)).astype("int64"),
            "status": np.where(rng.random(n) < 0.9, "已审核", "待审核"),
        }
    )
    version_publish(dataset=ds, table=table)
    indicator = Indicator.objects.create(
        code="B_COVERAGE", name="参保率", unit="%", scale=100, owner=dept,
        numerator={"dataset": "B_POP", "field": "insured", "agg": "sum",
                   "filters": [{"field": "status", "op": "=", "value": "已审核"}]},
        denominator={"dataset": "B_POP", "field": "people", "agg": "sum"},
    )  # fmt: skip
    divisions = divisions_arrow()
    compute_s, result = timed(lambda: indicator_compute(indicator, divisions=divisions), runs=5)
    write_s, rows = timed(lambda: values_replace(indicator, result), runs=3)
    refresh_s = compute_s + write_s

    from zhili.datahub import map_selectors

    rng_periods = np.random.default_rng(2)
    picks = [MONTHS[i] for i in rng_periods.integers(0, len(MONTHS), queries)]
    endpoint, bare = [], []
    map_selectors.map_values(indicator=indicator, level="village", period=picks[0])  # warm
    for p in picks:
        t = time.perf_counter()
        payload = map_selectors.map_values(indicator=indicator, level="village", period=p)
        endpoint.append((time.perf_counter() - t) * 1000)
        assert len(payload["values"]) == len(villages)
    for p in picks:
        t = time.perf_counter()
        got = list(
            IndicatorValue.objects.filter(
                indicator=indicator, level="village", period=p
            ).values_list("division_code", "value")
        )
        bare.append((time.perf_counter() - t) * 1000)
        assert len(got) == len(villages)

    # pandas, the baseline
    import pandas as pd

    path = storage.absolute(ds.current.path)
    frame_divs = wide_map()
    ibis_t, result, pandas_t, frame = side_by_side(
        lambda: indicator_compute(indicator, divisions=divisions),
        lambda: pandas_ratio(path, path, frame_divs, num="insured", den="people", scale=100),
    )
    return {
        "villages": len(villages),
        "values": rows,
        "compute_s": compute_s,
        "write_s": write_s,
        "refresh_s": refresh_s,
        "map_p50_ms": pct(endpoint, 0.5),
        "map_p95_ms": pct(endpoint, 0.95),
        "query_p50_ms": pct(bare, 0.5),
        "query_p95_ms": pct(bare, 0.95),
        "queries": queries,
        **baseline(ibis_t, pandas_t),
        "pandas_differ": check_equal(result, frame),
        "pandas_version": pd.__version__,
    }


# ---- 2. province scale ----


def reset() -> None:
    """Remove what the county scale made, so the province starts from an empty catalogue."""
    from zhili.datahub import storage
    from zhili.datahub.models import Dataset, DatasetVersion, Indicator, IndicatorValue
    from zhili.divisions.models import Department, Division

    IndicatorValue.objects.all().delete()
    Indicator.objects.all().delete()
    Dataset.objects.update(current=None)
    DatasetVersion.objects.all().delete()
    Dataset.objects.all().delete()
    Department.objects.all().delete()
    for level in ("village", "town", "county"):
        Division.objects.filter(level=level).delete()
    shutil.rmtree(storage.root(), ignore_errors=True)


PROVINCE_COUNTIES = [f"33{c // 10 + 1:02d}{c % 10 + 1:02d}" for c in range(100)]


def generate(con: Any, dataset: Any, seed: int) -> tuple[float, int]:
    """Write a dataset's 60 months for every village with DuckDB; record it as its version 1."""
    from zhili.datahub import storage
    from zhili.datahub.models import Dataset, DatasetVersion

    rel = storage.version_relpath(dataset.code, 1)
    path = storage.absolute(rel)
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    con.execute(
        f"""
        COPY (
          SELECT v.code AS division_code,
                 strftime(DATE '2021-01-01' + to_months(m.m::INTEGER), '%Y-%m') AS period,
                 round(100 + (hash(v.code, {seed}) % 900) + 0.5 * m.m
                       + 15 * sin(2 * pi() * m.m / 12) + (hash(v.code, m.m, {seed}) % 100) / 10.0, 2) AS a,
                 round(1000 + (hash(v.code, {seed} + 1) % 4000) + m.m, 0) AS b,
                 CASE WHEN hash(v.code, m.m, {seed} + 2) % 10 = 0 THEN '待审核' ELSE '已审核' END AS status
          FROM villages v CROSS JOIN range(60) m(m)
          ORDER BY division_code, period
        ) TO '{path}' (FORMAT parquet, COMPRESSION zstd)
        """
    )
    seconds = time.perf_counter() - started
    rows = 20000 * 60
    version = DatasetVersion.objects.create(
        dataset=dataset, number=1, path=rel, sha256=storage.sha256_of(path), row_count=rows,
        period_min=MONTHS[0], period_max=MONTHS[-1], note="bench",
    )  # fmt: skip
    Dataset.objects.filter(pk=dataset.pk).update(current=version)
    dataset.current = version
    return seconds, path.stat().st_size


def province_indicators(dept: Any, datasets: list[Any], n: int) -> list[Any]:
    from zhili.datahub.models import Indicator

    reviewed = [{"field": "status", "op": "=", "value": "已审核"}]
    kinds: list[tuple[str, dict[str, Any], dict[str, Any] | None, str, float]] = []
    for k in range(n):
        x, y = datasets[2 * k].code, datasets[2 * k + 1].code
        kinds.append(
            [
                ("ratio with filter, two datasets", {"dataset": x, "field": "a", "agg": "sum", "filters": reviewed},
                 {"dataset": y, "field": "b", "agg": "sum"}, "monthly", 100.0),
                ("sum", {"dataset": x, "field": "a", "agg": "sum"}, None, "monthly", 1.0),
                ("quarterly average", {"dataset": x, "field": "a", "agg": "avg"}, None, "quarterly", 1.0),
                ("yearly count with filter",
                 {"dataset": x, "field": "a", "agg": "count", "filters": [{"field": "a", "op": ">", "value": 600}]},
                 None, "yearly", 1.0),
                ("maximum", {"dataset": y, "field": "b", "agg": "max"}, None, "monthly", 1.0),
                ("ratio of averages, one dataset", {"dataset": x, "field": "a", "agg": "avg"},
                 {"dataset": x, "field": "b", "agg": "avg"}, "monthly", 1000.0),
            ][k % 6]
        )  # fmt: skip
    return [
        Indicator.objects.create(
            code=f"P{k:02d}",
            name=kind,
            numerator=num,
            denominator=den,
            frequency=freq,
            scale=scale,
            owner=dept,
        )
        for k, (kind, num, den, freq, scale) in enumerate(kinds)
    ]


def province_scale(n_indicators: int, writes: int) -> dict[str, Any]:
    import duckdb
    import pyarrow as pa

    from zhili.datahub import storage
    from zhili.datahub.formulas import divisions_arrow
    from zhili.datahub.indicators import indicator_compute, values_replace
    from zhili.datahub.models import IndicatorValue

    reset()
    started = time.perf_counter()
    made = divisions_make(PROVINCE_COUNTIES, 10, 20)
    dept = department()
    datasets = [
        dataset_make(f"D{k:03d}", dept, [("a", "number"), ("b", "number"), ("status", "string")])
        for k in range(280)
    ]
    setup_s = time.perf_counter() - started
    divisions = divisions_arrow()
    con = duckdb.connect()
    villages = divisions.filter(pa.compute.equal(divisions["target_level"], "village")).select(
        ["code"]
    )
    con.register("villages", villages)
    needed = 2 * n_indicators
    gen = [generate(con, datasets[k], seed=k) for k in range(needed)]
    indicators = province_indicators(dept, datasets, n_indicators)
    runs = []
    for k, indicator in enumerate(indicators):
        compute_s, result = timed(
            lambda i=indicator: indicator_compute(i, divisions=divisions), runs=3
        )
        entry = {
            "code": indicator.code,
            "kind": indicator.name,
            "values": result.num_rows,
            "compute_s": compute_s,
        }
        if k < writes:
            first_s, _ = timed(lambda i=indicator, r=result: values_replace(i, r))
            # The steady state: a refresh deletes the previous values and writes the new ones.
            write_s, _ = timed(lambda i=indicator, r=result: values_replace(i, r))
            entry["first_write_s"] = first_s
            entry["write_s"] = write_s
            entry["refresh_s"] = compute_s + write_s
        runs.append(entry)
    # the pandas baseline, on the ratio with a filter across two datasets
    ratio = indicators[0]
    x, y = (storage.absolute(datasets[i].current.path) for i in (0, 1))
    frame_divs = wide_map()
    ibis_t, result, pandas_t, frame = side_by_side(
        lambda: indicator_compute(ratio, divisions=divisions),
        lambda: pandas_ratio(x, y, frame_divs, num="a", den="b", scale=100),
    )
    stored = IndicatorValue.objects.count()
    return {
        "villages": made,
        "datasets": len(datasets),
        "setup_s": setup_s,
        "generated": len(gen),
        "generate_s_per_dataset": statistics.median(s for s, _ in gen),
        "mb_per_dataset": statistics.median(b for _, b in gen) / 1e6,
        "indicators": runs,
        "stored_values": stored,
        **baseline(ibis_t, pandas_t),
        "pandas_differ": check_equal(result, frame),
    }


# ---- driving ----


def inner(args: argparse.Namespace) -> None:
    home = Path(args.home)
    django_setup(args.inner, home)
    import duckdb
    import ibis

    out: dict[str, Any] = {"db": args.inner, "ibis": ibis.__version__, "duckdb": duckdb.__version__}
    out["county"] = county_scale(args.queries)
    if not args.skip_province:
        out["province"] = province_scale(args.indicators, args.writes)
    print("RESULT " + json.dumps(out, ensure_ascii=False))


def report(r: dict[str, Any]) -> None:
    c = r["county"]
    print(
        f"\n== {r['db']} (ibis {r['ibis']}, duckdb {r['duckdb']}, pandas {c['pandas_version']}) =="
    )
    print(
        f"county scale: {c['villages']} villages × 60 months, one ratio indicator with a filter "
        f"({c['values']:,} values)"
    )
    print(
        f"  refresh {c['refresh_s'] * 1000:.0f} ms = compute {c['compute_s'] * 1000:.0f} ms "
        f"+ write {c['write_s'] * 1000:.0f} ms"
    )
    print(
        f"  map query ({c['queries']}×, map_selectors.map_values, village level): "
        f"p50 {c['map_p50_ms']:.2f} ms, p95 {c['map_p95_ms']:.2f} ms  (target p95 < 100 ms)"
    )
    print(
        f"  bare IndicatorValue query: p50 {c['query_p50_ms']:.2f} ms, p95 {c['query_p95_ms']:.2f} ms"
    )
    print(baseline_line(c, 1000, ""))
    p = r.get("province")
    if not p:
        return
    print(
        f"province scale: {p['villages']:,} villages, {p['datasets']} datasets × 60 months "
        f"(catalogue and divisions made in {p['setup_s']:.1f} s)"
    )
    print(
        f"  Parquet generated for {p['generated']} datasets with DuckDB COPY: "
        f"{p['generate_s_per_dataset']:.2f} s and {p['mb_per_dataset']:.1f} MB per dataset "
        f"(all 280: ≈ {280 * p['generate_s_per_dataset'] / 60:.1f} min, "
        f"{280 * p['mb_per_dataset'] / 1000:.1f} GB)"
    )
    print(
        f"  {'indicator':<36}{'values':>11}{'compute s':>11}{'1st write s':>13}"
        f"{'replace s':>11}{'refresh s':>11}"
    )
    for e in p["indicators"]:
        first = f"{e['first_write_s']:.2f}" if "write_s" in e else "—"
        w = f"{e['write_s']:.2f}" if "write_s" in e else "—"
        t = f"{e['refresh_s']:.2f}" if "refresh_s" in e else "—"
        print(
            f"  {e['code'] + ' ' + e['kind']:<36}{e['values']:>11,}{e['compute_s']:>11.2f}"
            f"{first:>13}{w:>11}{t:>11}"
        )
    comp = [e["compute_s"] for e in p["indicators"]]
    per_million = [e["write_s"] / e["values"] * 1e6 for e in p["indicators"] if "write_s" in e]
    print(
        f"  compute per indicator: median {statistics.median(comp):.2f} s, "
        f"max {max(comp):.2f} s (best of 3 each)"
    )
    if per_million:
        monthly = [e for e in p["indicators"] if "write_s" in e and e["values"] > 1_000_000]
        print(
            f"  replace (delete + insert) per million values: {statistics.median(per_million):.1f} s"
            + (
                f"; a monthly indicator's refresh (1.27 M values) ≈ "
                f"{statistics.median(e['refresh_s'] for e in monthly):.1f} s"
                if monthly
                else ""
            )
        )
    print(f"  IndicatorValue rows stored at the end: {p['stored_values']:,}")
    print(baseline_line(p, 1, " (ratio with filter, two datasets)"))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--indicators", type=int, default=10)
    parser.add_argument("--writes", type=int, default=3)
    parser.add_argument("--skip-province", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args)
        return
    print(f"cpus {os.cpu_count()}, load {os.getloadavg()[0]:.2f}")
    for db in args.db.split(","):
        print(f"[{db}: started at load {os.getloadavg()[0]:.2f}]", flush=True)
        home = Path(tempfile.mkdtemp(prefix=f"zhili_bench_ind_{db}_"))
        cmd = [sys.executable, __file__, "--inner", db, "--home", str(home), "--queries", str(args.queries),
               "--indicators", str(args.indicators), "--writes", str(args.writes)]  # fmt: skip
        if args.skip_province:
            cmd.append("--skip-province")
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
            if proc.returncode or line is None:
                print(proc.stdout[-3000:], proc.stderr[-6000:], sep="\n")
                raise SystemExit(f"{db}: the bench failed")
            report(json.loads(line[len("RESULT ") :]))
        finally:
            if not args.keep:
                shutil.rmtree(home, ignore_errors=True)
                if db == "postgres":
                    import psycopg

                    with psycopg.connect(PG_ADMIN, autocommit=True) as c:
                        c.execute(f"drop database if exists {PG_DB}")


if __name__ == "__main__":
    main()
