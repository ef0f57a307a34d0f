"""Indicators of 清溪县 for the tests: two towns of three villages, two datasets, 24 months.

郑华 is the data steward of the natural resources bureau (自然资源局), which
publishes 村人口 (population by village and month); the market regulation
bureau (市场监管局) publishes 社保参保 (insured people, with a review status
per row), shared among departments. The numbers are made so that every
value can be worked out by hand: see ``population`` and ``insured``.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from zhili.accounts.models import Role, User
from zhili.datahub.models import Dataset, Indicator
from zhili.datahub.versions import version_publish
from zhili.divisions.models import Division

MONTHS = [f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13)]

# 东山镇 has 东山村, 西坞村 (from the base fixture) and 南岭村; 西湖镇 has 湖东村, 湖西村, 湖心村.
VILLAGES = {
    "330599101201": "330599101000",
    "330599101202": "330599101000",
    "330599101203": "330599101000",
    "330599102201": "330599102000",
    "330599102202": "330599102000",
    "330599102203": "330599102000",
}


def population(village: str, month: int) -> int:
    """户籍人口 of a village in the ``month``-th month (0-based): 1000 per village number, +2 a month."""
    return 1000 * (VILLAGES_ORDER.index(village) + 1) + 2 * month


def insured(village: str, month: int) -> int:
    return population(village, month) // 2 + 10 * month


def reviewed(village: str, month: int) -> str:
    """Every third month of 湖心村 is not yet reviewed (待审核)."""
    return "待审核" if village == "330599102203" and month % 3 == 0 else "已审核"


VILLAGES_ORDER = list(VILLAGES)


def schema(*fields: tuple[str, str]) -> dict[str, Any]:
    return {
        "fields": [
            {"name": "division_code", "type": "string"},
            {"name": "period", "type": "string"},
            *({"name": n, "type": t, "title": n} for n, t in fields),
        ],
        "primaryKey": ["division_code", "period"],
    }


class Data:
    """Handles to the indicator fixture set."""

    def __init__(self, county: Any) -> None:
        self.county = county
        self.nanling = Division.objects.create(
            code="330599101203", name="南岭村", level="village", parent=county.town
        )
        self.xihu = Division.objects.create(
            code="330599102000", name="西湖镇", level="town", parent=county.county
        )
        self.hudong, self.huxi, self.huxin = (
            Division.objects.create(code=code, name=name, level="village", parent=self.xihu)
            for code, name in [
                ("330599102201", "湖东村"),
                ("330599102202", "湖西村"),
                ("330599102203", "湖心村"),
            ]
        )
        self.zhenghua = User.objects.create_user(
            "zhenghua", password="pw-zhenghua", display_name="郑华", role=Role.DATA_STEWARD
        )
        self.zhenghua.departments.set([county.zrzy])
        self.pop = Dataset.objects.create(
            code="POP", name="村人口", category="人口", department=county.zrzy,
            frequency="monthly", sharing="shared", division_level="village",
            table_schema=schema(("户籍人口", "integer"), ("常住人口", "number")),
        )  # fmt: skip
        self.social = Dataset.objects.create(
            code="SOCIAL", name="社保参保", category="社会保障", department=county.scjg,
            frequency="monthly", sharing="shared", division_level="village",
            table_schema=schema(("参保人数", "integer"), ("审核状态", "string")),
        )  # fmt: skip
        self.publish_all()

    def publish_all(self) -> None:
        codes, periods, pop, resident, ins, status = [], [], [], [], [], []
        for v in VILLAGES:
            for i, p in enumerate(MONTHS):
                codes.append(v)
                periods.append(p)
                pop.append(population(v, i))
                resident.append(population(v, i) * 0.9 + (50 if i % 12 == 6 else 0))
                ins.append(insured(v, i))
                status.append(reviewed(v, i))
        version_publish(
            dataset=self.pop,
            table=pa.table(
                {"division_code": codes, "period": periods, "户籍人口": pop, "常住人口": resident}
            ),
        )
        version_publish(
            dataset=self.social,
            table=pa.table(
                {"division_code": codes, "period": periods, "参保人数": ins, "审核状态": status}
            ),
        )

    def coverage(self, **extra: Any) -> Indicator:
        """参保率: reviewed insured people per 100 registered residents, monthly."""
        return Indicator.objects.create(
            code="COVERAGE", name="参保率", unit="%", scale=100, decimals=1,
            numerator={
                "dataset": "SOCIAL", "field": "参保人数", "agg": "sum",
                "filters": [{"field": "审核状态", "op": "=", "value": "已审核"}],
            },
            denominator={"dataset": "POP", "field": "户籍人口", "agg": "sum"},
            owner=self.county.zrzy, **extra,
        )  # fmt: skip

    def residents(self, **extra: Any) -> Indicator:
        """季均常住人口: the average of a quarter's monthly figures, no denominator."""
        return Indicator.objects.create(
            code="RESIDENTS", name="季均常住人口", unit="人", decimals=0, frequency="quarterly",
            numerator={"dataset": "POP", "field": "常住人口", "agg": "avg"},
            owner=self.county.zrzy, **extra,
        )  # fmt: skip
