"""A small county for the one map: two towns of three square villages, four indicators.

东山镇 (东山村, 西坞村, 南岙村) lies north of 西山镇 (上林村, 下林村, 竹园村); each
village is a 0.05° square. Indicator values are written directly, village, town
and county, for 24 months (2024-01 … 2025-12), as ``indicator_refresh`` would:

- 常住人口 (人, key) from an open dataset of 自然资源局;
- 村集体经济收入 (万元, key) from a dataset shared among departments by 市场监管局,
  with 西坞村's December 2025 planted three times too high;
- 低保人口占比 (%, lower is better) over a restricted dataset of 自然资源局;
- 森林覆盖率 (%, yearly 2023–2025) from an open dataset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from tests.conftest import County
from zhili.datahub.models import Dataset, Indicator, IndicatorValue
from zhili.divisions.models import Division

MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]
YEARS = ["2023", "2024", "2025"]
SIDE = 0.05
WEST, SOUTH = 119.9, 30.5


def square(col: float, row: float, width: float = 1, height: float = 1) -> dict[str, Any]:
    x0, y0 = WEST + col * SIDE, SOUTH + row * SIDE
    x1, y1 = x0 + width * SIDE, y0 + height * SIDE
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Polygon", "coordinates": [[[round(x, 5), round(y, 5)] for x, y in ring]]}


@dataclass
class MapWorld:
    county: County
    towns: dict[str, Division]
    villages: dict[str, Division]
    indicators: dict[str, Indicator]
    datasets: dict[str, Dataset]


def _divisions(county: County) -> tuple[dict[str, Division], dict[str, Division]]:
    county.county.boundary = square(0, 0, 3, 2)
    county.county.save(update_fields=["boundary"])
    county.town.boundary = square(0, 1, 3, 1)
    county.town.save(update_fields=["boundary"])
    west_hill = Division.objects.create(
        code="330599102000", name="西山镇", level="town", parent=county.county,
        boundary=square(0, 0, 3, 1),
    )  # fmt: skip
    towns = {"东山镇": county.town, "西山镇": west_hill}
    villages = {"东山村": county.village, "西坞村": county.other_village}
    for n, v in enumerate(villages.values()):
        v.boundary = square(n, 1)
        v.save(update_fields=["boundary"])
    for name, code, town, col, row in [
        ("南岙村", "330599101203", county.town, 2, 1),
        ("上林村", "330599102201", west_hill, 0, 0),
        ("下林村", "330599102202", west_hill, 1, 0),
        ("竹园村", "330599102203", west_hill, 2, 0),
    ]:
        villages[name] = Division.objects.create(
            code=code, name=name, level="village", parent=town, boundary=square(col, row),
            centroid_lon=WEST + (col + 0.5) * SIDE, centroid_lat=SOUTH + (row + 0.5) * SIDE,
        )  # fmt: skip
    return towns, villages


def _dataset(code: str, name: str, department: Any, sharing: str, field: str, **kw: Any) -> Dataset:
    return Dataset.objects.create(
        code=code, name=name, category=kw.pop("category", "农业农村"), department=department,
        frequency=kw.pop("frequency", "monthly"), sharing=sharing, division_level="village",
        table_schema={
            "fields": [
                {"name": "division_code", "type": "string"},
                {"name": "period", "type": "string"},
                {"name": field, "type": "number"},
            ],
            "primaryKey": ["division_code", "period"],
        },
        **kw,
    )  # fmt: skip


def _indicator(code: str, name: str, num: tuple[str, str], **kw: Any) -> Indicator:
    den = kw.pop("den", None)
    return Indicator.objects.create(
        code=code, name=name, numerator={"dataset": num[0], "field": num[1], "agg": "sum"},
        denominator={"dataset": den[0], "field": den[1], "agg": "sum"} if den else None,
        computed_at=timezone.now(), **kw,
    )  # fmt: skip


def _village_series(n: int) -> dict[str, dict[str, tuple[float, float | None]]]:
    """Per indicator, per period: (numerator, denominator) of the n-th village."""
    out: dict[str, dict[str, tuple[float, float | None]]] = {
        "CZRK": {}, "JTSR": {}, "DBZB": {}, "SLFG": {}
    }  # fmt: skip
    for t, p in enumerate(MONTHS):
        people = 1200 + 350 * n + 4 * t
        season = (1.4 if p[5:] in ("10", "11", "12") else 1.0) + 0.05 * (t % 3)
        out["CZRK"][p] = (people, None)
        out["JTSR"][p] = (round((18 + 6 * n + 0.3 * t) * season, 2), None)
        out["DBZB"][p] = (round(people * (0.045 - 0.005 * n - 0.0004 * t), 1), people)
    for y, year in enumerate(YEARS):
        out["SLFG"][year] = (30 + 8 * n + y, 100)
    return out


def _values(world: MapWorld) -> None:
    rows: list[IndicatorValue] = []
    totals: dict[tuple[str, str, str], list[float]] = {}
    scale = {"DBZB": 100.0, "SLFG": 100.0}
    for n, village in enumerate(world.villages.values()):
        series = _village_series(n)
        if village.name == "西坞村":  # the planted anomaly
            num, _ = series["JTSR"]["2025-12"]
            series["JTSR"]["2025-12"] = (num * 3, None)
        for code, by_period in series.items():
            for period, (num, den) in by_period.items():
                for unit in (village.code, village.parent.code, world.county.county.code):  # type: ignore[union-attr]
                    acc = totals.setdefault((code, unit, period), [0.0, 0.0])
                    acc[0] += num
                    acc[1] += den or 0
    levels = {d.code: d.level for d in Division.objects.all()}
    for (code, unit, period), (num, den) in totals.items():
        value = num / den * scale[code] if den else num
        rows.append(
            IndicatorValue(
                indicator=world.indicators[code],
                division_code=unit,
                level=levels[unit],
                period=period,
                value=value,
                numerator=num,
                denominator=den or None,
            )
        )
    IndicatorValue.objects.bulk_create(rows)


def build_map_world(county: County) -> MapWorld:
    towns, villages = _divisions(county)
    datasets = {
        "RKJC": _dataset("RKJC", "人口基础信息", county.zrzy, "open", "people", category="人口"),
        "JTJJ": _dataset("JTJJ", "村级集体经济收支", county.scjg, "shared", "income"),
        "DBJZ": _dataset("DBJZ", "低保救助对象", county.zrzy, "restricted", "dibao"),
        "LDFG": _dataset("LDFG", "林地资源年报", county.zrzy, "open", "forest", frequency="yearly"),
    }
    indicators = {
        "CZRK": _indicator(
            "CZRK", "常住人口", ("RKJC", "people"), category="人口", unit="人", decimals=0, key=True
        ),
        "JTSR": _indicator(
            "JTSR", "村集体经济收入", ("JTJJ", "income"), category="经济", unit="万元", key=True
        ),
        "DBZB": _indicator(
            "DBZB",
            "低保人口占比",
            ("DBJZ", "dibao"),
            den=("RKJC", "people"),
            category="民生",
            unit="%",
            direction="down",
            decimals=2,
            scale=100,
        ),
        "SLFG": _indicator(
            "SLFG",
            "森林覆盖率",
            ("LDFG", "forest"),
            den=("LDFG", "area"),
            category="生态",
            unit="%",
            frequency="yearly",
            scale=100,
        ),
    }
    world = MapWorld(county, towns, villages, indicators, datasets)
    _values(world)
    return world
