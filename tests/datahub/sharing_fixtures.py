"""Datasets of 清溪县 for the sharing (CKAN, DCAT) and data-quality tests.

吴静 is the data steward of the natural resources bureau (自然资源局, ZRZY). Three datasets
cover 东山村 (330599101201) and 西坞村 (330599101202), month by month:

- RKJC 人口基础信息 (自然资源局, open): 常住人口 and 户数, 2025-01 … 2025-06; 西坞村's 户数
  of 2025-02 is empty (23 of 24 cells filled). Published from an upload of 13 rows of which
  12 were valid (validity 12/13).
- JTJJ 村集体经济 (市场监管局, shared among departments): 常住人口 and 集体收入, 2025-01 …
  2025-06, the same population as RKJC except 西坞村 in 2025-03, planted 10% too high.
- DBJZ 低保救助 (自然资源局, restricted): 低保人数 and 户籍人口, 2025-01, 2025-03 and
  2025-04 (2025-02 never came), pushed without an upload.

Two consistency rules: 常住人口 of RKJC and JTJJ within 2% (one of 12 pairs disagrees),
and RKJC's 常住人口 against DBJZ's 户籍人口 within 5% (all agree). On ``TODAY`` (15 July
2025) the last complete month is 2025-06: RKJC and JTJJ are on time, DBJZ two months late.

Who may read what: anybody RKJC; every member of staff JTJJ too; DBJZ only 自然资源局's
staff (吴静), leaders (孙丽) and administrators.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pyarrow as pa
from rest_framework.authtoken.models import Token

from zhili.accounts.models import Role, User
from zhili.datahub.models import ConsistencyRule, Dataset, Upload
from zhili.datahub.versions import version_publish

TODAY = date(2025, 7, 15)
MONTHS = [f"2025-{m:02d}" for m in range(1, 7)]
DONGSHAN, XIWU = "330599101201", "330599101202"
VILLAGES = [DONGSHAN, XIWU]


def people(village: str, month: int) -> int:
    """常住人口 of a village in the ``month``-th month (0-based)."""
    return (1200 if village == DONGSHAN else 800) + 5 * month


def schema(*fields: tuple[str, str, str]) -> dict[str, Any]:
    return {
        "fields": [
            {"name": "division_code", "type": "string", "title": "区划代码"},
            {"name": "period", "type": "string", "title": "期别"},
            *({"name": n, "type": t, "title": title, "unit": "人"} for n, t, title in fields),
        ],
        "primaryKey": ["division_code", "period"],
    }


class Sharing:
    """Handles to the sharing fixture set."""

    def __init__(self, county: Any) -> None:
        self.county = county
        self.wujing = User.objects.create_user(
            "wujing", password="pw-wujing", display_name="吴静", role=Role.DATA_STEWARD
        )
        self.wujing.departments.set([county.zrzy])
        self.open = Dataset.objects.create(
            code="RKJC", name="人口基础信息", category="人口", department=county.zrzy,
            description="各行政村按月的常住人口与户数。", keywords=["人口", "户籍"],
            frequency="monthly", sharing="open", division_level="village",
            table_schema=schema(("population", "integer", "常住人口"), ("households", "integer", "户数")),
        )  # fmt: skip
        self.shared = Dataset.objects.create(
            code="JTJJ", name="村集体经济", category="经济", department=county.scjg,
            description="村集体经济收入与常住人口。", keywords=["集体经济"],
            frequency="monthly", sharing="shared", division_level="village",
            table_schema=schema(("population", "integer", "常住人口"), ("income", "number", "集体收入")),
        )  # fmt: skip
        self.restricted = Dataset.objects.create(
            code="DBJZ", name="低保救助", category="民生", department=county.zrzy,
            description="低保对象人数（受限）。", keywords=["低保"],
            frequency="monthly", sharing="restricted", division_level="village",
            table_schema=schema(("dibao", "integer", "低保人数"), ("registered", "integer", "户籍人口")),
        )  # fmt: skip
        self.publish()
        self.population_rule = ConsistencyRule.objects.create(
            name="常住人口：人口基础信息与村集体经济",
            left_dataset=self.open, left_field="population",
            right_dataset=self.shared, right_field="population", tolerance=0.02,
        )  # fmt: skip
        self.registered_rule = ConsistencyRule.objects.create(
            name="人口：人口基础信息与低保救助",
            left_dataset=self.open, left_field="population",
            right_dataset=self.restricted, right_field="registered", tolerance=0.05,
        )  # fmt: skip

    def publish(self) -> None:
        rows = [(v, i, p) for v in VILLAGES for i, p in enumerate(MONTHS)]
        upload = Upload.objects.create(
            dataset=self.open, file="datahub/uploads/2025/07/rkjc.csv", filename="rkjc.csv",
            sha256="0" * 64, size=400, status=Upload.PUBLISHED, total_rows=13, valid_rows=12,
            error_count=1,
        )  # fmt: skip
        version_publish(
            dataset=self.open,
            upload=upload,
            rejected=1,
            table=pa.table(
                {
                    "division_code": [v for v, _, _ in rows],
                    "period": [p for _, _, p in rows],
                    "population": [people(v, i) for v, i, _ in rows],
                    "households": [
                        None if (v, p) == (XIWU, "2025-02") else people(v, i) // 3
                        for v, i, p in rows
                    ],
                }
            ),
        )
        version_publish(
            dataset=self.shared,
            table=pa.table(
                {
                    "division_code": [v for v, _, _ in rows],
                    "period": [p for _, _, p in rows],
                    "population": [
                        round(people(v, i) * 1.1) if (v, p) == (XIWU, "2025-03") else people(v, i)
                        for v, i, p in rows
                    ],
                    "income": [12.5 + i for _, i, _ in rows],
                }
            ),
        )
        months = [(i, p) for i, p in enumerate(MONTHS) if p in ("2025-01", "2025-03", "2025-04")]
        version_publish(
            dataset=self.restricted,
            table=pa.table(
                {
                    "division_code": [v for v in VILLAGES for _ in months],
                    "period": [p for _ in VILLAGES for _, p in months],
                    "dibao": [30 + i for _ in VILLAGES for i, _ in months],
                    "registered": [people(v, i) + 10 for v in VILLAGES for i, _ in months],
                }
            ),
        )

    def token(self, user: User) -> str:
        return Token.objects.get_or_create(user=user)[0].key

    def readers(self) -> dict[str, User | None]:
        """The people of the who-sees-what tables, by role."""
        c = self.county
        return {
            "anonymous": None,
            "citizen": c.wangfang,
            "clerk": c.zhangwei,
            "steward": self.wujing,
            "leader": c.sunli,
        }


# Who reads which dataset: the expectation every who-sees-what table checks.
READS = {
    "anonymous": {"RKJC"},
    "citizen": {"RKJC"},
    "clerk": {"RKJC", "JTJJ"},
    "steward": {"RKJC", "JTJJ", "DBJZ"},
    "leader": {"RKJC", "JTJJ", "DBJZ"},
}
