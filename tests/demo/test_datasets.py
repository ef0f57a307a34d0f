"""The demo county's datasets: 282 categories from 58 departments, five years, faults planted on purpose.

Most checks read the generated tables (no database); the loading tests put the
county's divisions and departments in the database, publish everything with
``datasets_load`` and check the Parquet files with DuckDB against each
dataset's own Table Schema.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from typing import Any

import duckdb
import pyarrow.compute as pc
import pytest

from zhili.accounts.pii import blind_index
from zhili.datahub import storage
from zhili.datahub.models import ConsistencyRule, Dataset, Indicator
from zhili.demo import generate
from zhili.demo.datasets import (
    DATASETS,
    PLANTED_ANOMALIES,
    PLANTED_INCONSISTENCIES,
    POPULATION_RULE,
)
from zhili.demo.datasets_load import (
    Grid,
    datasets_load,
    generate_tables,
    last_complete_month,
    parquet_bytes,
)
from zhili.demo.indicators import INDICATORS
from zhili.demo.kiosk_data import (
    KIOSK_DATASETS,
    MEDICAL_INSURANCE,
    REAL_ESTATE,
    SOCIAL_INSURANCE,
    wangfang_id_number,
)
from zhili.divisions.models import Department, Division

END = "2026-10"
SQL_TYPES = {"integer": "BIGINT", "number": "DOUBLE", "string": "VARCHAR", "boolean": "BOOLEAN",
             "date": "DATE"}  # fmt: skip


@pytest.fixture(scope="module")
def divisions() -> list[dict[str, Any]]:
    return generate.county_divisions()


@pytest.fixture(scope="module")
def generated(divisions: list[dict[str, Any]]) -> Any:
    villages = [(d["code"], d["parent_code"]) for d in divisions if d["level"] == "village"]
    result = generate_tables(seed=generate.DEFAULT_SEED, end_period=END, villages=villages)
    rows = sum(t.num_rows for t in result.tables.values())
    print(
        f"\ngenerate_tables: {len(result.tables)} datasets, {rows} rows in {result.seconds:.2f} s"
    )
    return result


def _county_in_db(divisions: list[dict[str, Any]]) -> None:
    """The demo county's divisions and 58 departments, as ``zhili.demo.load`` writes them."""
    by_code: dict[str, Division] = {}
    for level in ("county", "town", "village"):
        rows = Division.objects.bulk_create(
            Division(code=d["code"], name=d["name"], level=d["level"],
                     parent=by_code.get(d["parent_code"] or ""), boundary=d["boundary"])
            for d in divisions if d["level"] == level
        )  # fmt: skip
        by_code.update({r.code: r for r in rows})
    Department.objects.bulk_create(
        Department(code=d["code"], name=d["name"], short_name=d["short_name"],
                   division=by_code[d["division_code"]], order=d["order"])
        for d in generate.departments()
    )  # fmt: skip


@pytest.fixture
def loaded(db: Any, divisions: list[dict[str, Any]]) -> dict[str, Any]:
    _county_in_db(divisions)
    started = time.perf_counter()
    result = datasets_load(seed=generate.DEFAULT_SEED, end_period=END)
    seconds = time.perf_counter() - started
    size = parquet_bytes()
    print(
        f"\ndatasets_load: {result['datasets']} datasets + {result['kiosk_datasets']} kiosk tables, "
        f"{result['dataset_rows'] + result['kiosk_rows']} rows in {seconds:.2f} s "
        f"(generate {result['generate_seconds']} s); Parquet {size / 1e6:.1f} MB"
    )
    return result


# ---- the catalogue ----


def test_it_has_at_least_280_datasets_and_every_department_owns_one() -> None:
    assert len(DATASETS) >= 280
    assert len({d.code for d in DATASETS}) == len(DATASETS)
    assert len({d.name for d in DATASETS}) == len(DATASETS)
    owners = Counter(d.department for d in DATASETS)
    departments = [d["code"] for d in generate.departments()]
    assert len(departments) == 58
    assert [code for code in departments if not owners[code]] == []
    assert set(owners) <= set(departments)


def test_it_declares_units_constraints_and_sensitive_datasets_as_restricted() -> None:
    for d in DATASETS:
        names = [f.name for f in d.fields]
        assert len(set(names)) == len(names), d.code
        for f in d.fields:
            if f.per.startswith("@"):
                assert f.per[1:] in names[: names.index(f.name)], (d.code, f.name)
            if f.type in {"integer", "number"} and f.kind != "level":
                assert f.unit and f.schema()["constraints"]["minimum"] == 0, (d.code, f.name)
    sharing = {d.code: d.sharing for d in DATASETS}
    assert sharing["mzj_dibao"] == sharing["cl_disabled_people"] == "restricted"
    assert Counter(sharing.values())["restricted"] < len(DATASETS) / 10
    levels = Counter(d.level for d in DATASETS)
    assert levels["village"] > levels["town"] > 0
    assert set(Counter(d.frequency for d in DATASETS)) == {"monthly", "quarterly", "yearly"}


def test_it_defines_indicators_that_check_against_the_datasets() -> None:
    from zhili.datahub.formulas import formula_check

    datasets = {
        d.code: Dataset(
            code=d.code,
            name=d.name,
            frequency=d.frequency,
            division_level=d.level,
            table_schema=d.table_schema(),
        )
        for d in DATASETS
    }
    assert 38 <= len(INDICATORS) <= 50
    assert sum(i.key for i in INDICATORS) == 8
    for i in INDICATORS:
        _, problems = formula_check(
            i.numerator, i.denominator, frequency=i.frequency, datasets=datasets
        )
        assert problems == [], (i.code, problems)


# ---- the generated values ----


def test_it_makes_five_years_ending_at_the_last_complete_month(generated: Any) -> None:
    import datetime as dt

    assert last_complete_month(dt.date(2026, 11, 25)) == "2026-10"
    assert last_complete_month(dt.date(2027, 1, 3)) == "2026-12"
    expected = {
        "monthly": ("2021-11", "2026-10", 60),
        "quarterly": ("2021Q4", "2026Q3", 20),
        "yearly": ("2021", "2025", 5),
    }
    for d in DATASETS:
        table = generated.tables[d.code]
        periods = sorted(set(table.column("period").to_pylist()))
        first, last, count = expected[d.frequency]
        assert (periods[0], periods[-1], len(periods)) == (first, last, count), d.code
        units = 10 if d.level == "town" else len(set(table.column("division_code").to_pylist()))
        assert table.num_rows == units * count, d.code
    assert Grid.ending("2025-12").periods("yearly")[0][-1] == "2025"


def test_it_plants_the_anomalies_where_the_list_says(generated: Any) -> None:
    assert len(generated.anomalies) == len(PLANTED_ANOMALIES) >= 5
    for a in generated.anomalies:
        table = generated.tables[a["dataset"]]
        rows = table.filter(pc.equal(table["division_code"], a["division_code"])).to_pydict()
        series = dict(zip(rows["period"], rows[a["field"]], strict=True))
        value = series.pop(a["period"])
        usual = statistics.median(series.values())
        if a["factor"] == 0:
            assert value == 0 and usual > 0, a
        elif a["factor"] > 1:
            assert value > 0.6 * a["factor"] * usual and value > max(series.values()), a
        else:
            assert value < 0.3 * usual and value < min(v for v in series.values() if v), a


def test_it_keeps_the_two_population_counts_within_one_percent_but_one(generated: Any) -> None:
    (left, lf), (right, rf) = POPULATION_RULE.left, POPULATION_RULE.right
    con = duckdb.connect()
    con.register("l", generated.tables[left])
    con.register("r", generated.tables[right])
    rows = con.execute(
        f"SELECT l.division_code, l.period, abs(l.{lf} - r.{rf}) / l.{lf} AS gap "
        f"FROM l JOIN r USING (division_code, period)"
    ).fetchall()
    assert len(rows) == 137 * 5
    off = {(code, period) for code, period, gap in rows if gap > POPULATION_RULE.tolerance}
    planted = {(c["division_code"], c["period"]) for c in generated.inconsistencies}
    assert len(planted) == len(PLANTED_INCONSISTENCIES) == 1
    assert off == planted
    assert max(gap for *_, gap in rows if (_[0], _[1]) in planted) > 0.05


def test_it_draws_the_same_quantity_alike_in_two_departments_datasets(generated: Any) -> None:
    con = duckdb.connect()
    for name, table in generated.tables.items():
        con.register(name, table)
    for left, right, field in [
        ("tjj_population", "mzj_elderly", "aged_60"),
        ("tjj_population", "jxj_broadband", "households"),
        ("tjj_labour", "rsj_rural_labour", "labour"),
        ("zrzy_land_use", "lyj_forest_resources", "forest"),
    ]:
        other = "forest_area" if field == "forest" else field
        period = (
            "r.period = l.period || 'Q4'" if right == "rsj_rural_labour" else "r.period = l.period"
        )
        worst = con.execute(
            f"SELECT max(abs(l.{field} - r.{other}) / l.{field}), count(*) FROM {left} l "
            f"JOIN {right} r ON r.division_code = l.division_code AND {period} "
            f"WHERE l.{field} >= 100"
        ).fetchone()
        assert worst is not None and worst[1] >= 100 * 4 and worst[0] < 0.02, (left, right, worst)


def test_it_generates_the_same_tables_for_the_same_seed_and_fast(
    generated: Any, divisions: list[dict[str, Any]]
) -> None:
    villages = [(d["code"], d["parent_code"]) for d in divisions if d["level"] == "village"]
    again = generate_tables(
        seed=generate.DEFAULT_SEED, end_period=END, villages=villages,
        specs=[d for d in DATASETS if d.code in {"wglt_visitors", "tjj_population"}],
    )  # fmt: skip
    for code, table in again.tables.items():
        assert table.equals(generated.tables[code])
    assert generated.seconds < 10


# ---- loading into the database ----


def _violations(con: duckdb.DuckDBPyConnection, path: str, schema: dict[str, Any]) -> list[str]:
    """Every way the file breaks its own Table Schema: types, required, bounds, enums, patterns, key."""
    problems = []
    types = dict(
        con.execute(f"SELECT column_name, column_type FROM (DESCRIBE '{path}')").fetchall()
    )
    fields = schema["fields"]
    if list(types) != [f["name"] for f in fields]:
        return [f"columns {list(types)}"]
    checks = []
    for f in fields:
        name, c = f'"{f["name"]}"', f.get("constraints", {})
        if types[f["name"]] != SQL_TYPES[f["type"]]:
            problems.append(f"{f['name']} is {types[f['name']]}, not {f['type']}")
        if c.get("required"):
            checks.append(f"count(*) FILTER ({name} IS NULL)")
        if "minimum" in c:
            checks.append(f"count(*) FILTER ({name} < {c['minimum']})")
        if "maximum" in c:
            checks.append(f"count(*) FILTER ({name} > {c['maximum']})")
        if "enum" in c:
            values = ", ".join("'" + v + "'" for v in c["enum"])
            checks.append(f"count(*) FILTER ({name} NOT IN ({values}))")
        if "pattern" in c:
            checks.append(f"count(*) FILTER (NOT regexp_full_match({name}, '{c['pattern']}'))")
    key = ", ".join(f'"{k}"' for k in schema["primaryKey"])
    checks.append(f"count(*) - count(DISTINCT ({key}))")
    counts = con.execute(f"SELECT {', '.join(checks)} FROM '{path}'").fetchone()
    assert counts is not None
    problems += [check for check, n in zip(checks, counts, strict=True) if n]
    return problems


def test_it_publishes_every_dataset_with_rows_valid_against_its_own_schema(
    loaded: dict[str, Any],
) -> None:
    assert loaded["datasets"] == len(DATASETS)
    assert loaded["kiosk_datasets"] == 3
    con = duckdb.connect()
    datasets = Dataset.objects.select_related("current")
    assert datasets.count() == len(DATASETS) + 3
    rows = 0
    for d in datasets:
        assert d.current is not None and d.current.number == 1, d.code
        path = str(storage.absolute(d.current.path))
        assert _violations(con, path, d.table_schema) == [], d.code
        rows += d.current.row_count
    assert rows == loaded["dataset_rows"] + loaded["kiosk_rows"]
    owners = set(Dataset.objects.values_list("department__code", flat=True))
    assert owners == set(Department.objects.values_list("code", flat=True))


def test_it_creates_the_indicators_and_the_population_rule(loaded: dict[str, Any]) -> None:
    assert loaded["indicators"] == len(INDICATORS) == Indicator.objects.count()
    assert Indicator.objects.filter(key=True).count() == 8
    per_capita = Indicator.objects.get(code="collective_income_per_capita")
    assert per_capita.datasets() == ["nync_collective_income", "tjj_population"]
    assert per_capita.owner is not None and per_capita.owner.code == "NYNC"
    rule = ConsistencyRule.objects.get()
    assert (rule.left_dataset.code, rule.right_dataset.code) == ("tjj_population", "gaj_households")
    assert rule.tolerance == 0.01
    assert loaded["planted_inconsistencies"][0]["division_code"] == "330599101203"
    assert len(loaded["planted_anomalies"]) == len(PLANTED_ANOMALIES)
    assert datasets_load(end_period=END)["datasets"] == 0  # a second load changes nothing


def test_it_keeps_kiosk_records_keyed_by_the_blind_index_only(loaded: dict[str, Any]) -> None:
    kiosk = {d.code: d for d in Dataset.objects.filter(code__in=KIOSK_DATASETS)}
    assert {d.sharing for d in kiosk.values()} == {"restricted"}
    assert {c: d.department.code for c, d in kiosk.items()} == KIOSK_DATASETS
    assert loaded["kiosk_residents"] >= 200
    wangfang = blind_index("person", wangfang_id_number(county_code="330599"))
    con = duckdb.connect()
    mine = {}
    for code, d in kiosk.items():
        assert d.current is not None
        path = storage.absolute(d.current.path)
        mine[code] = con.sql(
            f"SELECT * FROM '{path}' WHERE person_key = '{wangfang}' ORDER BY period"
        ).to_arrow_table()
        text = path.read_bytes()
        assert wangfang_id_number(county_code="330599").encode() not in text
        assert "王芳".encode() not in text
    payments = mine[SOCIAL_INSURANCE]
    assert set(payments["period"].to_pylist()) >= {"2021-11", END}
    assert set(payments["division_code"].to_pylist()) == {"330599101201"}  # 东山村
    assert mine[MEDICAL_INSURANCE].num_rows == 5
    assert mine[REAL_ESTATE]["mortgage"].to_pylist() == ["抵押"]
