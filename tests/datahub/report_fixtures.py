"""Indicator values for the report tests, written directly (no datasets computed).

Two towns of three villages each, 24 months (2023-04 … 2025-03) of two
indicators: 常住人口 (people, summed up the tree, better up) grows by a fixed
number a month in each village; 人均生活垃圾产生量 (kg per person, a ratio,
better down) falls by a fixed amount a month. The numbers are chosen so the
report of 2025-03 has round, known figures:

=======  ==================================  ==========================
village  常住人口 2025-03 / 2025-02 / 2024-03  垃圾（公斤）same three months
=======  ==================================  ==========================
东山村    1,230 / 1,220 / 1,110                25.4 / 25.6 / 27.8
西坞村      915 /   910 /   855                22.7 / 22.8 / 23.9
南岭村    1,660 / 1,640 / 1,420                28.5 / 29.0 / 34.5
青山村      646 /   644 /   622                17.7 / 17.8 / 18.9
石桥村    1,084 / 1,076 /   988                28.1 / 28.4 / 31.7
竹林村      792 /   788 /   744                25.7 / 25.8 / 26.9
=======  ==================================  ==========================

Towns and the county: population summed, garbage the mean of the villages.

This module is also a URLconf: the tests mount the report pages at /reports/
on top of the project's URLs when the project does not mount them yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zhili.datahub.models import Dataset, Indicator, IndicatorValue
from zhili.divisions.models import Division

PERIOD = "2025-03"
MONTHS = [f"{2023 + (3 + i) // 12}-{(3 + i) % 12 + 1:02d}" for i in range(24)]  # 2023-04 … 2025-03
POP_BASE = [1000, 800, 1200, 600, 900, 700]
POP_GROWTH = [10, 5, 20, 2, 8, 4]
GARBAGE_BASE = [30.0, 25.0, 40.0, 20.0, 35.0, 28.0]
GARBAGE_FALL = [0.2, 0.1, 0.5, 0.1, 0.3, 0.1]
SCHEMA = {
    "fields": [
        {"name": "division_code", "type": "string"},
        {"name": "period", "type": "string"},
        {"name": "population", "type": "integer", "title": "常住人口", "unit": "人"},
        {"name": "garbage", "type": "number", "title": "生活垃圾", "unit": "公斤"},
    ],
    "primaryKey": ["division_code", "period"],
}


@dataclass
class ReportCounty:
    county: Any  # the conftest County
    towns: list[Division]
    villages: list[Division]
    pop: Indicator
    garbage: Indicator

    @property
    def dongshan(self) -> Division:
        return self.villages[0]


def pop_value(village: int, t: int) -> float:
    return float(POP_BASE[village] + POP_GROWTH[village] * t)


def garbage_value(village: int, t: int) -> float:
    return round(GARBAGE_BASE[village] - GARBAGE_FALL[village] * t, 4)


def make_report_county(county: Any) -> ReportCounty:
    town2 = Division.objects.create(
        code="330599102000", name="青山镇", level="town", parent=county.county
    )
    villages = [
        county.village,
        county.other_village,
        Division.objects.create(
            code="330599101203", name="南岭村", level="village", parent=county.town
        ),
        Division.objects.create(code="330599102201", name="青山村", level="village", parent=town2),
        Division.objects.create(code="330599102202", name="石桥村", level="village", parent=town2),
        Division.objects.create(code="330599102203", name="竹林村", level="village", parent=town2),
    ]
    towns = [county.town, town2]
    Dataset.objects.create(
        code="hh_monthly", name="人口与垃圾月报", category="人口", department=county.scjg,
        frequency="monthly", sharing="shared", division_level="village", table_schema=SCHEMA,
    )  # fmt: skip
    pop = Indicator.objects.create(
        code="pop", name="常住人口", category="人口", unit="人", direction="up", decimals=0,
        numerator={"dataset": "hh_monthly", "field": "population", "agg": "sum"}, key=True,
    )  # fmt: skip
    garbage = Indicator.objects.create(
        code="garbage_pc", name="人均生活垃圾产生量", category="环境", unit="公斤",
        direction="down", decimals=1, key=True,
        numerator={"dataset": "hh_monthly", "field": "garbage", "agg": "sum"},
        denominator={"dataset": "hh_monthly", "field": "population", "agg": "sum"},
    )  # fmt: skip
    rows: list[IndicatorValue] = []
    for t, period in enumerate(MONTHS):
        pops = [pop_value(v, t) for v in range(6)]
        garbages = [garbage_value(v, t) for v in range(6)]
        for v, village in enumerate(villages):
            rows.append(_row(pop, village, period, pops[v]))
            rows.append(_row(garbage, village, period, garbages[v]))
        for i, town in enumerate(towns):
            members = range(i * 3, i * 3 + 3)
            rows.append(_row(pop, town, period, sum(pops[v] for v in members)))
            rows.append(_row(garbage, town, period, sum(garbages[v] for v in members) / 3))
        rows.append(_row(pop, county.county, period, sum(pops)))
        rows.append(_row(garbage, county.county, period, sum(garbages) / 6))
    IndicatorValue.objects.bulk_create(rows)
    return ReportCounty(county, towns, villages, pop, garbage)


def _row(indicator: Indicator, division: Division, period: str, value: float) -> IndicatorValue:
    return IndicatorValue(
        indicator=indicator,
        division_code=division.code,
        level=division.level,
        period=period,
        value=value,
    )
