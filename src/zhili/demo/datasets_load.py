"""Generating the demo datasets (vectorised, no loop per value) and publishing them.

``generate_tables`` is pure: villages in, one Arrow table per dataset out, the
same for the same seed and end period. Every value of a field is made at
once on a grid of villages × months (``numpy``): a level per village drawn
around the recipe's rate, its trend, the month's season and noise; quarters
and years are then summed (flows), taken at their end (stocks) or averaged
(levels). ``datasets_load`` writes the catalogue into the database and
publishes every table as version 1 with ``version_publish``.

Five years end at ``end_period`` (by default the last complete month): 60
months, the last 20 complete quarters, the last 5 complete years.
"""

from __future__ import annotations

import datetime as dt
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from django.db import transaction
from django.utils import timezone

from zhili.datahub.models import ConsistencyRule, Dataset, DatasetVersion
from zhili.datahub.versions import version_publish
from zhili.demo.datasets import (
    DATASETS,
    PLANTED_ANOMALIES,
    PLANTED_INCONSISTENCIES,
    POPULATION_RULE,
    SEASONS,
    VILLAGE_FLOORS,
    DatasetSpec,
    FieldSpec,
)
from zhili.demo.generate import DEFAULT_SEED

YEARS = 5
MEAN_MONTH_DAYS = 365.25 / 12
PER_PERIOD = {"monthly": 1, "quarterly": 3, "yearly": 12}
FREQUENCY_LABELS = {"monthly": "按月", "quarterly": "按季", "yearly": "按年"}
LEVEL_LABELS = {"village": "行政村（社区）", "town": "乡镇（街道）"}
# Some optional fields are left empty now and then, as real reports are.
MISSING_SHARE = 0.02


def last_complete_month(today: dt.date | None = None) -> str:
    """The month before ``today``'s (``2026-10`` on 2026-11-25)."""
    today = today or timezone.localdate()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"


@dataclass(frozen=True)
class Grid:
    """The months the values are made on: January of the first full year to the end period."""

    first_year: int
    months: int
    month_of_year: np.ndarray  # 0 = January
    days: np.ndarray
    years: np.ndarray  # years since the first month
    end: str

    @classmethod
    def ending(cls, end_period: str) -> Grid:
        year, month = int(end_period[:4]), int(end_period[5:7])
        last_year = year if month == 12 else year - 1
        first_year = last_year - YEARS + 1
        count = (year - first_year) * 12 + month
        index = np.arange(count)
        month_of_year = index % 12
        years_ = first_year + index // 12
        # Days in each month: the first of the next month minus the first of this one.
        starts = (years_ - 1970) * 12 + month_of_year
        firsts = np.array(starts, dtype="datetime64[M]")
        days = ((firsts + 1).astype("datetime64[D]") - firsts.astype("datetime64[D]")).astype(float)
        return cls(first_year, count, month_of_year, days, index / 12.0, end_period)

    def label(self, index: int) -> str:
        return f"{self.first_year + index // 12}-{index % 12 + 1:02d}"

    def periods(self, frequency: str) -> tuple[list[str], int, int]:
        """The period labels of ``frequency``, the grid index they start at, months per period."""
        if frequency == "monthly":
            start = self.months - 12 * YEARS
            return [self.label(i) for i in range(start, self.months)], start, 1
        if frequency == "quarterly":
            end = self.months - self.months % 3  # the last complete quarter
            start = end - 12 * YEARS
            labels = [
                f"{self.first_year + i // 12}Q{i % 12 // 3 + 1}" for i in range(start, end, 3)
            ]
            return labels, start, 3
        return [str(self.first_year + y) for y in range(YEARS)], 0, 12

    def month_index(self, months_before_end: int) -> int:
        return self.months - 1 - months_before_end


@dataclass(frozen=True)
class Units:
    """The rows of a dataset: division codes and the weights their values scale with."""

    codes: list[str]
    scales: dict[str, np.ndarray]  # each (units, months) or (units, 1)


@dataclass
class Generated:
    tables: dict[str, pa.Table]
    anomalies: list[dict[str, Any]]
    inconsistencies: list[dict[str, Any]]
    seconds: float


def _normal(rng: np.random.Generator, size: Any) -> np.ndarray:
    """Standard normal draws cut at ±3: a demo value is never absurd by accident."""
    return np.clip(rng.standard_normal(size), -3.0, 3.0)


def _season(name: str, grid: Grid) -> np.ndarray:
    profile = np.asarray(SEASONS[name], dtype=float)
    return (profile / profile.mean())[grid.month_of_year]


def village_scales(seed: int, codes: Sequence[str], grid: Grid) -> dict[str, np.ndarray]:
    """What each village's values scale with: people, households, land, tourism, industry.

    社区 (numbered below 200) are larger, urban and growing; 行政村 have the
    land, the forests, the greenhouses and (two in five) the tourists.
    """
    rng = np.random.default_rng([seed, 4099])
    n = len(codes)
    community = np.array([int(c[9:]) < 200 for c in codes], dtype=bool)
    draws = {k: _normal(rng, n) for k in ("pop", "size", "farm", "forest", "tour", "gh", "ind")}
    draws.update({k: _normal(rng, n) for k in ("area", "trend")})
    uniform = {k: rng.random(n) for k in ("size", "farm", "forest", "tourist", "gh", "small")}

    pop0 = np.where(
        community, 4200 * np.exp(0.35 * draws["pop"]), 2300 * np.exp(0.38 * draws["pop"])
    )
    pop0 = np.clip(pop0, 600, 12000)
    size = np.where(community, 2.6, 2.5 + 0.6 * uniform["size"])
    tourist = (uniform["tourist"] < 0.4) & ~community
    weights = {
        "farm": np.where(community, pop0 * 0.08 * uniform["farm"], pop0 * (0.5 + uniform["farm"])),
        "forest": np.where(community, 80 * uniform["forest"], 3000 * np.exp(0.9 * draws["forest"])),
        "tour": np.where(
            tourist, np.exp(0.7 * draws["tour"]), 0.02 + 0.08 * uniform["small"] * (1 + community)
        ),
        "gh": np.where(~community & (uniform["gh"] < 0.35), 120 * np.exp(0.7 * draws["gh"]), 0.0),
        "ind": np.where(
            community, 2 * np.exp(0.6 * draws["ind"]), 0.5 * np.exp(0.8 * draws["ind"])
        ),
        "area": np.where(
            community, 1.8 * np.exp(0.4 * draws["area"]), 6 * np.exp(0.45 * draws["area"])
        ),
    }
    floors = dict(VILLAGE_FLOORS)
    for anomaly in PLANTED_ANOMALIES:
        for key, value in anomaly.ensure:
            floors.setdefault(anomaly.village, {})[key] = value
    position = {c[6:]: i for i, c in enumerate(codes)}
    for suffix, wants in floors.items():
        if suffix in position:
            for key, value in wants.items():
                weights[key][position[suffix]] = max(weights[key][position[suffix]], value)
    # 社区 grow with the county seat; villages shrink a little, tourist villages less so.
    trend = np.where(community, 1.5 + draws["trend"], -0.6 + 0.8 * draws["trend"]) + 0.6 * tourist
    pop = pop0[:, None] * (1 + trend[:, None] / 100) ** grid.years[None, :]
    scales = {key: value[:, None] for key, value in weights.items()}
    scales["pop"] = pop
    scales["hh"] = pop / size[:, None]
    scales["one"] = np.ones((n, 1))
    return scales


def _field_grid(
    spec: FieldSpec,
    seed: int,
    rng: np.random.Generator,
    units: Units,
    grid: Grid,
    done: dict[str, np.ndarray],
    per_period: int,
) -> np.ndarray:
    n, m = len(units.codes), grid.months
    if spec.kind == "flag":
        u = rng.random(n)
        chance = spec.rate + spec.trend / 100 * grid.years
        return (u[:, None] < chance[None, :]).astype(float)
    if spec.kind == "choice":
        cumulative = np.cumsum(np.asarray(spec.weights, dtype=float))
        cumulative /= cumulative[-1]
        score = rng.random(n)[:, None] - spec.trend / 100 * grid.years[None, :]
        score = np.clip(score + spec.noise * _normal(rng, (n, m)), 0.0, 1 - 1e-9)
        index = np.searchsorted(cumulative, score, side="right")
        return np.minimum(index, len(spec.choices) - 1).astype(float)
    if spec.kind == "level":
        base = spec.rate + spec.spread * _normal(rng, n)
        slope = spec.trend * (1 + 0.3 * _normal(rng, n)) if spec.spread else np.full(n, spec.trend)
        value = (base[:, None] + slope[:, None] * grid.years[None, :]) * _season(spec.season, grid)
        value = value + spec.noise * _normal(rng, (n, m))
        lo, hi = spec.bounds
        return np.clip(value, lo, hi)
    share = spec.per.startswith("@")
    base = done[spec.per[1:]] if share else units.scales[spec.per]
    rate = spec.rate if share or spec.kind == "stock" else spec.rate / per_period
    # A linked field draws its villages' level and trend from the link's own stream.
    draws = np.random.default_rng([seed, zlib.crc32(spec.link.encode())]) if spec.link else rng
    level_ = rate * np.exp(spec.spread * _normal(draws, n))
    trend_sd = 0.4 * abs(spec.trend) + 0.5 if spec.spread else 0.0
    trend = spec.trend + trend_sd * _normal(draws, n)
    ratio = level_[:, None] * (1 + trend[:, None] / 100) ** grid.years[None, :]
    if spec.season != "flat":
        ratio = ratio * _season(spec.season, grid)
    if spec.cap and share and spec.rate >= 0.5:
        # A completion rate (resolved of reported, insured of eligible): the noise is in the part
        # not done, so rates near 100% vary a little instead of piling up at exactly 100%.
        missing = 1 - np.minimum(ratio, 0.995)
        if spec.noise:
            missing = missing * np.exp(spec.noise * _normal(rng, (n, m)))
        return base * np.clip(1 - missing, 0.0, 1.0)
    value = base * ratio
    if spec.days:
        value = value * grid.days
    elif spec.kind == "flow" and not share:
        value = value * (grid.days / MEAN_MONTH_DAYS)
    if spec.noise:
        value = value * np.exp(spec.noise * _normal(rng, (n, m)))
    if spec.cap:
        value = np.minimum(value, base)
    return np.maximum(value, 0.0)


def _aggregate(values: np.ndarray, kind: str, start: int, size: int, count: int) -> np.ndarray:
    block = values[:, start : start + size * count].reshape(values.shape[0], count, size)
    if kind == "flow":
        return block.sum(axis=2)
    if kind == "level":
        return block.mean(axis=2)
    return block[:, :, -1]


def _column(spec: FieldSpec, values: np.ndarray) -> pa.Array:
    flat = values.ravel()
    if spec.kind == "flag":
        return pa.array(flat > 0.5, pa.bool_())
    if spec.kind == "choice":
        return pa.array(np.asarray(spec.choices, dtype=object)).take(flat.astype(np.int64))
    if spec.type == "integer":
        return pa.array(np.rint(flat).astype(np.int64))
    return pa.array(np.round(flat, spec.decimals))


def dataset_table(
    spec: DatasetSpec,
    *,
    seed: int,
    units: Units,
    grid: Grid,
    anomalies: Sequence[tuple[str, str, int, float]] = (),
    adjustments: Sequence[tuple[str, str, int, float]] = (),
) -> pa.Table:
    """One dataset's rows: division_code, period, then its fields in schema order.

    ``anomalies`` are (field, division code, grid month, factor) applied to the
    monthly values; ``adjustments`` (field, division code, period index,
    factor) to the published ones. Codes not among the units are ignored.
    """
    rng = np.random.default_rng([seed, zlib.crc32(spec.code.encode())])
    labels, start, size = grid.periods(spec.frequency)
    per_period = PER_PERIOD[spec.frequency]
    done: dict[str, np.ndarray] = {}
    for f in spec.fields:
        done[f.name] = _field_grid(f, seed, rng, units, grid, done, per_period)
    position = {code: i for i, code in enumerate(units.codes)}
    for name, code, month, factor in anomalies:
        if code in position:
            done[name][position[code], month] *= factor
    n, count = len(units.codes), len(labels)
    rows = np.repeat(np.arange(n), count)
    columns: dict[str, pa.Array] = {
        "division_code": pa.array(units.codes, pa.string()).take(rows),
        "period": pa.array(labels, pa.string()).take(np.tile(np.arange(count), n)),
    }
    for f in spec.fields:
        values = _aggregate(done[f.name], f.kind, start, size, count)
        for name, code, period, factor in adjustments:
            if name == f.name and code in position:
                values[position[code], period] *= factor
        column = _column(f, values)
        if not f.required:
            missing = rng.random(column.length()) < MISSING_SHARE
            column = pa.array(column.to_numpy(zero_copy_only=False), mask=missing)
        columns[f.name] = column
    return pa.table(columns)


def generate_tables(
    *,
    seed: int = DEFAULT_SEED,
    end_period: str,
    villages: Sequence[tuple[str, str]],
    specs: Sequence[DatasetSpec] | None = None,
) -> Generated:
    """Every dataset's table for ``villages`` ((code, town code) pairs, any number of them)."""
    started = time.perf_counter()
    specs = DATASETS if specs is None else specs
    grid = Grid.ending(end_period)
    codes = [code for code, _ in villages]
    scales = village_scales(seed, codes, grid)
    town_codes = sorted({town for _, town in villages})
    member = np.zeros((len(town_codes), len(codes)))
    member[[town_codes.index(t) for _, t in villages], np.arange(len(codes))] = 1.0
    town_scales = {
        k: member @ np.broadcast_to(v, (len(codes), v.shape[1])) for k, v in scales.items()
    }
    town_scales["one"] = np.ones((len(town_codes), 1))
    everywhere = Units(codes, scales)
    by_town = Units(town_codes, town_scales)
    county = codes[0][:6] if codes else ""
    position = {c: i for i, c in enumerate(codes)}

    wanted = {spec.code for spec in specs}
    planted: list[dict[str, Any]] = []
    anomalies: dict[str, list[tuple[str, str, int, float]]] = {}
    for a in PLANTED_ANOMALIES:
        code = county + a.village
        if code in position and a.dataset in wanted:
            month = grid.month_index(a.months_before_end)
            anomalies.setdefault(a.dataset, []).append((a.field, code, month, a.factor))
            planted.append(
                {"dataset": a.dataset, "field": a.field, "division_code": code,
                 "period": grid.label(month), "factor": a.factor, "kind": a.kind, "note": a.note}
            )  # fmt: skip
    inconsistent: list[dict[str, Any]] = []
    adjustments: dict[str, list[tuple[str, str, int, float]]] = {}
    for c in PLANTED_INCONSISTENCIES:
        code = county + c.village
        if code in position and c.dataset in wanted:
            period = YEARS - 1 - c.years_before_end
            adjustments.setdefault(c.dataset, []).append((c.field, code, period, c.factor))
            inconsistent.append(
                {"dataset": c.dataset, "field": c.field, "division_code": code,
                 "period": str(grid.first_year + period), "factor": c.factor, "note": c.note}
            )  # fmt: skip

    tables: dict[str, pa.Table] = {}
    for spec in specs:
        if spec.level == "town":
            units = by_town
        elif spec.town:
            # A town government's dataset has the rows of its own villages only.
            keep = [i for i, c in enumerate(codes) if c[6:9] == spec.town]
            if not keep:
                continue
            units = Units([codes[i] for i in keep], {k: v[keep] for k, v in scales.items()})
        else:
            units = everywhere
        tables[spec.code] = dataset_table(
            spec, seed=seed, units=units, grid=grid,
            anomalies=anomalies.get(spec.code, ()), adjustments=adjustments.get(spec.code, ()),
        )  # fmt: skip
    return Generated(tables, planted, inconsistent, time.perf_counter() - started)


def _description(spec: DatasetSpec, department_name: str) -> str:
    if spec.description:
        return spec.description
    fields = "、".join(f.title for f in spec.fields)
    return (
        f"{department_name}{FREQUENCY_LABELS[spec.frequency]}报送的各{LEVEL_LABELS[spec.level]}"
        f"{spec.name}数据：{fields}。"
    )


def datasets_load(
    *, seed: int = DEFAULT_SEED, end_period: str | None = None, actor: Any = None
) -> dict[str, Any]:
    """The demo county's datasets, published, with their indicators and the kiosk tables.

    Reads the villages and departments already in the database (the demo
    county of ``zhili.demo.load``); a dataset whose department is missing is
    skipped. Does nothing when the demo datasets are already there.
    """
    from zhili.demo.indicators import indicators_load
    from zhili.demo.kiosk_data import kiosk_load
    from zhili.divisions.models import Department, Division

    started = time.perf_counter()
    end = end_period or last_complete_month()
    if Dataset.objects.filter(code=DATASETS[0].code).exists():
        return {"datasets": 0, "datasets_message": "示范数据集已载入，未做任何改动"}
    villages = list(
        Division.objects.filter(level="village")
        .order_by("code")
        .values_list("code", "parent__code")
    )
    departments = {d.code: d for d in Department.objects.all()}
    specs = [s for s in DATASETS if s.department in departments]
    generated = generate_tables(seed=seed, end_period=end, villages=villages, specs=specs)
    with transaction.atomic():
        rows = Dataset.objects.bulk_create(
            Dataset(
                code=s.code, name=s.name, category=s.category, department=departments[s.department],
                description=_description(s, departments[s.department].name),
                keywords=[s.category, *(f.title for f in s.fields)], frequency=s.frequency,
                sharing=s.sharing, division_level=s.level, table_schema=s.table_schema(),
            )
            for s in specs
            if s.code in generated.tables
        )  # fmt: skip
        versions = [
            version_publish(
                dataset=row, table=generated.tables[row.code], actor=actor, note="示范数据"
            )
            for row in rows
        ]
        rules = _consistency_rules({row.code: row for row in rows})
    published = time.perf_counter()
    indicators = indicators_load()
    kiosk = kiosk_load(seed=seed, end_period=end, actor=actor)
    return {
        "datasets": len(rows),
        "dataset_rows": sum(v.row_count for v in versions),
        "end_period": end,
        "planted_anomalies": generated.anomalies,
        "planted_inconsistencies": generated.inconsistencies,
        "consistency_rules": rules,
        "indicators": indicators,
        **kiosk,
        "generate_seconds": round(generated.seconds, 2),
        "publish_seconds": round(published - started - generated.seconds, 2),
        "datasets_seconds": round(time.perf_counter() - started, 2),
    }


def _consistency_rules(datasets: dict[str, Dataset]) -> int:
    (left, left_field), (right, right_field) = POPULATION_RULE.left, POPULATION_RULE.right
    if left not in datasets or right not in datasets:
        return 0
    ConsistencyRule.objects.create(
        name=POPULATION_RULE.name,
        left_dataset=datasets[left],
        left_field=left_field,
        right_dataset=datasets[right],
        right_field=right_field,
        tolerance=POPULATION_RULE.tolerance,
    )
    return 1


def parquet_bytes() -> int:
    """The disk size of every published version's file."""
    from zhili.datahub.storage import absolute

    return sum(
        absolute(p).stat().st_size for p in DatasetVersion.objects.values_list("path", flat=True)
    )
