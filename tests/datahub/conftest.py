"""The statistics bureau of 清溪县 and its village population dataset, for the ingest tests.

吴昊 is the data steward of 统计局 (TJJ). 统计局 owns 村人口 (code ``CUNRENKOU``): a
village-level monthly dataset with 常住人口 (integer ≥ 0, required), 户数 (integer ≥ 0)
and 外出务工人数 (integer), over the base fixture's villages 东山村 and 西坞村. It is
shared among departments.
"""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from tests.conftest import County
from zhili.accounts.models import Role, User
from zhili.datahub.models import Dataset
from zhili.datahub.services import dataset_create
from zhili.divisions.models import Department

DONGSHAN, XIWU = "330599101201", "330599101202"
HEADER = "区划代码,统计期,常住人口,户数,外出务工人数"
FIELDS = [
    {"name": "population", "title": "常住人口", "type": "integer", "unit": "人",
     "constraints": {"required": True, "minimum": 0}},
    {"name": "households", "title": "户数", "type": "integer", "unit": "户",
     "constraints": {"minimum": 0}},
    {"name": "migrant_workers", "title": "外出务工人数", "type": "integer", "unit": "人"},
]  # fmt: skip


@pytest.fixture
def tjj(county: County) -> Department:
    return Department.objects.create(
        code="TJJ", name="清溪县统计局", short_name="统计局", division=county.county, order=5
    )


@pytest.fixture
def wuhao(tjj: Department) -> User:
    """吴昊, the data steward of 统计局."""
    user = User.objects.create_user(
        "wuhao", password="pw-wuhao", display_name="吴昊", role=Role.DATA_STEWARD
    )
    user.departments.set([tjj])
    return user


@pytest.fixture
def wuhao_token(wuhao: User) -> str:
    return Token.objects.create(user=wuhao).key


@pytest.fixture
def population(wuhao: User, tjj: Department) -> Dataset:
    """村人口, monthly by village, published by 统计局."""
    return dataset_create(
        actor=wuhao,
        code="CUNRENKOU",
        name="村人口",
        category="人口与户籍",
        department=tjj,
        frequency="monthly",
        sharing="shared",
        division_level="village",
        table_schema={"fields": FIELDS},
        description="各行政村每月常住人口、户数和外出务工人数",
    )


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode(encoding)
