"""数据质量: how complete, valid, timely and consistent each dataset is.

Every score lies between 0 and 1 (None where it does not apply):

- completeness (完整性): the share of non-null value cells (every field but the keys) in the
  current version;
- validity (有效性): valid rows / total rows of the upload the current version was published
  from; a version pushed without an upload counts its rejected rows (1.0 when none);
- timeliness (及时性): 1 when the latest period reaches the last complete period of the declared
  frequency as of today, losing 1/``LATE_TO_ZERO`` per period late, never below 0; a dataset
  never published scores 0;
- consistency (一致性): over the ``ConsistencyRule``s the dataset is in, the share of
  (division, period) pairs present in both datasets whose relative difference is within the
  rule's tolerance;
- overall: the mean of the scores that apply.

The immutable Parquet files are read with DuckDB and the results cached by the files'
checksums, so a new version is scored afresh and nothing is stored in the database. The board
of a person, and who sees what on it, is ``quality_board``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from zhili.datahub import storage
from zhili.datahub.models import ConsistencyRule, Dataset, DatasetVersion
from zhili.divisions.models import Division

MONTHS_PER_PERIOD = {"monthly": 1, "quarterly": 3, "yearly": 12}
# Periods late at which timeliness reaches 0: half a year of months, a year of quarters, two years.
LATE_TO_ZERO = {"monthly": 6, "quarterly": 4, "yearly": 2}
WORST = 20  # mismatches kept per rule
GAPS = 200  # (period, division) holes kept per version
CACHE_SECONDS = 7 * 24 * 3600
CACHE_PREFIX = "datahub:quality:v1"
GOOD, FAIR = 0.9, 0.7

PERIOD_RE = {
    "monthly": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
    "quarterly": re.compile(r"^(\d{4})Q([1-4])$"),
    "yearly": re.compile(r"^(\d{4})$"),
}


def today() -> date:
    return timezone.localdate()


def grade(score: float | None) -> str:
    """good | fair | poor | none: the colour of a score on the board."""
    if score is None:
        return "none"
    return "good" if score >= GOOD else "fair" if score >= FAIR else "poor"


# ---- periods ----


def period_frequency(period: str) -> str | None:
    return next((f for f, rx in PERIOD_RE.items() if rx.match(period)), None)


def period_index(period: str, frequency: str) -> int | None:
    """The period's position in its frequency (months, quarters or years since year 0)."""
    m = PERIOD_RE[frequency].match(period)
    if m is None:
        return None
    year = int(m.group(1))
    if frequency == "monthly":
        return year * 12 + int(m.group(2)) - 1
    if frequency == "quarterly":
        return year * 4 + int(m.group(2)) - 1
    return year


def period_at(index: int, frequency: str) -> str:
    if frequency == "monthly":
        return f"{index // 12}-{index % 12 + 1:02d}"
    if frequency == "quarterly":
        return f"{index // 4}Q{index % 4 + 1}"
    return str(index)


def last_month(period: str) -> int | None:
    """The last month a period covers, as an index, whatever its kind: 2025Q1 → March 2025."""
    kind = period_frequency(period)
    if kind is None:
        return None
    index = period_index(period, kind)
    assert index is not None
    return (index + 1) * MONTHS_PER_PERIOD[kind] - 1


def expected_period(frequency: str, on: date) -> str:
    """The last complete period on that day: last month, last quarter or last year."""
    if frequency == "monthly":
        return period_at(on.year * 12 + on.month - 2, frequency)
    if frequency == "quarterly":
        return period_at(on.year * 4 + (on.month - 1) // 3 - 1, frequency)
    return str(on.year - 1)


def periods_late(latest: str, frequency: str, on: date) -> int | None:
    have, want = last_month(latest), last_month(expected_period(frequency, on))
    if have is None or want is None:
        return None
    step = MONTHS_PER_PERIOD[frequency]
    return max(0, -((have - want) // step))


def timeliness_score(late: int | None, frequency: str) -> float | None:
    if late is None:
        return None
    return max(0.0, 1.0 - late / LATE_TO_ZERO[frequency])


# ---- what a version's file holds (cached by checksum) ----


def _connect() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _quote(name: str) -> str:
    """A column name as a DuckDB identifier; names come from the file or the schema, never a form."""
    return '"' + name.replace('"', '""') + '"'


def version_facts(version: DatasetVersion, con: Any = None) -> dict[str, Any]:
    """Rows, non-null cells per value column, divisions per period and the (period, division) holes."""
    key = f"{CACHE_PREFIX}:file:{version.sha256}"
    facts = cache.get(key)
    if facts is not None:
        return dict(facts)
    con = con or _connect()
    path = str(storage.absolute(version.path))
    columns = [
        d[0] for d in con.execute("SELECT * FROM read_parquet(?) LIMIT 0", [path]).description
    ]
    values = [c for c in columns if c not in storage.KEY_COLUMNS]
    counts = ", ".join(["count(*)", *(f"count({_quote(c)})" for c in values)])
    row = con.execute(f"SELECT {counts} FROM read_parquet(?)", [path]).fetchone()
    assert row is not None
    periods = dict(
        con.execute(
            "SELECT period, count(DISTINCT division_code) FROM read_parquet(?) GROUP BY period",
            [path],
        ).fetchall()
    )
    holes = con.execute(
        """
        WITH t AS (SELECT division_code, period FROM read_parquet(?))
        SELECT p.period, d.division_code
        FROM (SELECT DISTINCT period FROM t) p, (SELECT DISTINCT division_code FROM t) d
        WHERE NOT EXISTS (
            SELECT 1 FROM t WHERE t.period = p.period AND t.division_code = d.division_code)
        ORDER BY p.period, d.division_code LIMIT ?
        """,
        [path, GAPS],
    ).fetchall()
    divisions = con.execute(
        "SELECT count(DISTINCT division_code) FROM read_parquet(?)", [path]
    ).fetchone()
    facts = {
        "rows": row[0],
        "non_null": dict(zip(values, row[1:], strict=True)),
        "periods": periods,
        "divisions": divisions[0] if divisions else 0,
        "holes": [tuple(h) for h in holes],
    }
    cache.set(key, facts, CACHE_SECONDS)
    return dict(facts)


# ---- consistency ----


@dataclass(frozen=True)
class Mismatch:
    division_code: str
    division_name: str
    period: str
    left: float
    right: float
    difference: float  # relative: |l − r| / max(|l|, |r|)

    @property
    def percent(self) -> str:
        return f"{self.difference * 100:.1f}%"


@dataclass
class RuleCheck:
    rule: ConsistencyRule
    pairs: int = 0
    agreeing: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    problem: str = ""  # why it could not be checked

    @property
    def score(self) -> float | None:
        return self.agreeing / self.pairs if self.pairs else None

    @property
    def disagreeing(self) -> int:
        return self.pairs - self.agreeing

    @property
    def left_title(self) -> str:
        return field_title(self.rule.left_dataset, self.rule.left_field)

    @property
    def right_title(self) -> str:
        return field_title(self.rule.right_dataset, self.rule.right_field)

    @property
    def tolerance_text(self) -> str:
        return f"{self.rule.tolerance * 100:g}%"


def field_title(dataset: Dataset, name: str) -> str:
    return next((f.get("title") or name for f in dataset.fields() if f["name"] == name), name)


def _numeric_field(dataset: Dataset, name: str) -> bool:
    return any(
        f["name"] == name and f.get("type") in ("integer", "number") for f in dataset.value_fields()
    )


def rule_check(rule: ConsistencyRule, con: Any = None) -> RuleCheck:
    """Compare the two datasets' current versions pair by pair (division, period)."""
    left, right = rule.left_dataset, rule.right_dataset
    for ds, name in ((left, rule.left_field), (right, rule.right_field)):
        if not _numeric_field(ds, name):
            return RuleCheck(rule, problem=f"数据集“{ds.name}”没有数值字段“{name}”")
        if ds.current is None:
            return RuleCheck(rule, problem=f"数据集“{ds.name}”尚未发布数据")
    assert left.current is not None and right.current is not None
    spec = f"{rule.left_field}\x00{rule.right_field}\x00{rule.tolerance!r}"
    key = ":".join(
        [
            CACHE_PREFIX,
            "rule",
            left.current.sha256,
            right.current.sha256,
            hashlib.sha256(spec.encode()).hexdigest()[:16],
        ]
    )
    found = cache.get(key)
    if found is None:
        try:
            found = _compare(rule, left.current, right.current, con or _connect())
        except duckdb.Error as exc:  # a missing file, a field the file does not hold
            return RuleCheck(rule, problem=f"无法比较：{exc}")
        cache.set(key, found, CACHE_SECONDS)
    pairs, agreeing, worst = found
    names = dict(
        Division.objects.filter(code__in={w[0] for w in worst}).values_list("code", "name")
    )
    return RuleCheck(
        rule,
        pairs=pairs,
        agreeing=agreeing,
        mismatches=[Mismatch(w[0], names.get(w[0], w[0]), *w[1:]) for w in worst],
        problem="" if pairs else "两个数据集没有相同区划、相同期别的数值可以比较",
    )


def _compare(
    rule: ConsistencyRule, lv: DatasetVersion, rv: DatasetVersion, con: Any
) -> tuple[int, int, list[tuple[Any, ...]]]:
    diff = f"""
        WITH l AS (SELECT division_code, period, CAST({_quote(rule.left_field)} AS DOUBLE) AS v
                   FROM read_parquet(?)),
             r AS (SELECT division_code, period, CAST({_quote(rule.right_field)} AS DOUBLE) AS v
                   FROM read_parquet(?)),
             d AS (SELECT l.division_code, l.period, l.v AS lv, r.v AS rv,
                          CASE WHEN greatest(abs(l.v), abs(r.v)) = 0 THEN 0
                               ELSE abs(l.v - r.v) / greatest(abs(l.v), abs(r.v)) END AS rel
                   FROM l JOIN r USING (division_code, period)
                   WHERE l.v IS NOT NULL AND r.v IS NOT NULL)
    """
    paths = [str(storage.absolute(lv.path)), str(storage.absolute(rv.path))]
    # A hair of slack so that a difference of exactly the tolerance is not lost to rounding.
    tolerance = rule.tolerance + 1e-12
    counts = con.execute(
        diff + "SELECT count(*), count(*) FILTER (WHERE rel <= ?) FROM d", [*paths, tolerance]
    ).fetchone()
    worst = con.execute(
        diff + "SELECT * FROM d WHERE rel > ? ORDER BY rel DESC, division_code, period LIMIT ?",
        [*paths, tolerance, WORST],
    ).fetchall()
    return int(counts[0]), int(counts[1]), [tuple(w) for w in worst]


# ---- one dataset ----


@dataclass
class FieldFill:
    name: str
    title: str
    filled: int
    rows: int

    @property
    def share(self) -> float | None:
        return self.filled / self.rows if self.rows else None


@dataclass
class DatasetQuality:
    dataset: Dataset
    version: DatasetVersion | None
    completeness: float | None = None
    validity: float | None = None
    timeliness: float | None = None
    consistency: float | None = None
    rows: int = 0
    fields: list[FieldFill] = field(default_factory=list)
    valid_rows: int = 0
    total_rows: int = 0
    validity_source: str = ""
    latest_period: str = ""
    expected_period: str = ""
    periods_late: int | None = None
    missing_periods: list[str] = field(default_factory=list)
    holes: list[tuple[str, str]] = field(default_factory=list)  # (period, division) absent
    rules: list[RuleCheck] = field(default_factory=list)
    problem: str = ""  # why the version could not be read

    @property
    def overall(self) -> float | None:
        scores = [
            s
            for s in (self.completeness, self.validity, self.timeliness, self.consistency)
            if s is not None
        ]
        return sum(scores) / len(scores) if scores else None

    @property
    def invalid_rows(self) -> int:
        return self.total_rows - self.valid_rows

    @property
    def empty_cells(self) -> int:
        return sum(f.rows - f.filled for f in self.fields)


def _missing_periods(first: str, expected: str, present: set[str], frequency: str) -> list[str]:
    a, b = period_index(first, frequency), period_index(expected, frequency)
    if a is None or b is None:
        return []
    return [p for i in range(a, b + 1) if (p := period_at(i, frequency)) not in present]


def dataset_quality(
    dataset: Dataset,
    *,
    on: date | None = None,
    rules: list[RuleCheck] | None = None,
    con: Any = None,
) -> DatasetQuality:
    """The four scores of a dataset's current version; ``rules`` default to all that name it."""
    on = on or today()
    version = dataset.current
    q = DatasetQuality(dataset=dataset, version=version)
    q.expected_period = expected_period(dataset.frequency, on)
    if rules is None:
        con = con or _connect()
        rules = [rule_check(r, con) for r in rules_of(dataset)]
    q.rules = rules
    checked = [r for r in rules if r.pairs]
    if checked:
        q.consistency = sum(r.agreeing for r in checked) / sum(r.pairs for r in checked)
    if version is None:
        q.timeliness = 0.0
        return q
    try:
        facts = version_facts(version, con)
    except duckdb.Error as exc:
        q.problem = f"第{version.number}版的数据文件无法读取：{exc}"
        return q
    q.rows = facts["rows"]
    titles = {f["name"]: f.get("title") or f["name"] for f in dataset.value_fields()}
    q.fields = [FieldFill(n, titles.get(n, n), c, q.rows) for n, c in facts["non_null"].items()]
    cells = q.rows * len(q.fields)
    q.completeness = sum(f.filled for f in q.fields) / cells if cells else None
    upload = version.upload
    if upload is not None and upload.total_rows:
        q.valid_rows, q.total_rows = upload.valid_rows, upload.total_rows
        q.validity_source = f"上传“{upload.filename}”"
    else:
        q.valid_rows, q.total_rows = version.row_count, version.row_count + version.rejected_count
        q.validity_source = "接口推送" if upload is not None else "直接发布"
    q.validity = q.valid_rows / q.total_rows if q.total_rows else None
    q.latest_period = version.period_max
    q.periods_late = periods_late(version.period_max, dataset.frequency, on) if q.rows else None
    q.timeliness = timeliness_score(q.periods_late, dataset.frequency) if q.rows else 0.0
    if version.period_min:
        q.missing_periods = _missing_periods(
            version.period_min, q.expected_period, set(facts["periods"]), dataset.frequency
        )
    # Holes mean something only where a row is a (division, period) cell, not a record of people.
    keys = dataset.table_schema.get("primaryKey") or storage.KEY_COLUMNS
    if set(keys) <= set(storage.KEY_COLUMNS):
        q.holes = list(facts["holes"])
    return q


def rules_of(dataset: Dataset) -> list[ConsistencyRule]:
    return list(
        ConsistencyRule.objects.filter(Q(left_dataset=dataset) | Q(right_dataset=dataset))
        .select_related("left_dataset__current", "right_dataset__current")
        .order_by("name", "pk")
    )
