"""The same indicator definitions give the same values on DuckDB and on Spark.

Spark runs in local mode in this process (``engines/pyspark``); the test is
skipped, saying why, where Java or pyspark is missing.
"""

from __future__ import annotations

import math
import shutil
from typing import Any

import pyarrow as pa
import pytest

from tests.datahub.indicator_fixtures import Data
from zhili.conf import ConfigError
from zhili.datahub import engines
from zhili.datahub.indicators import indicator_compute


@pytest.fixture
def data(county: Any) -> Data:
    return Data(county)


def _spark_or_skip() -> None:
    if shutil.which("java") is None:
        pytest.skip("PySpark 需要 Java 17：本机没有 java，跳过分布式引擎的对比")
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.skip("pyspark 是开发依赖，未安装：跳过分布式引擎的对比")


def _values(table: pa.Table) -> dict[tuple[str, str], tuple[Any, Any, Any]]:
    rows = table.to_pylist()
    return {
        (r["division_code"], r["period"]): (r["numerator"], r["denominator"], r["value"])
        for r in rows
    }


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)


def test_it_loads_the_configured_engine(settings: Any) -> None:
    settings.ZHILI_ANALYTICS_ENGINE = "duckdb"
    assert engines.load().__name__ == "zhili.datahub.engines.duckdb"
    assert engines.available() == ["duckdb", "pyspark"]


def test_it_refuses_an_engine_with_no_folder(settings: Any) -> None:
    settings.ZHILI_ANALYTICS_ENGINE = "trino"
    with pytest.raises(ConfigError, match=r"ZHILI_ANALYTICS_ENGINE='trino'.*duckdb, pyspark"):
        engines.load()


def test_it_gives_the_same_values_on_duckdb_and_spark(data: Data) -> None:
    _spark_or_skip()
    for indicator in (data.coverage(), data.residents()):
        on_duckdb = indicator_compute(indicator, engine="duckdb")
        on_spark = indicator_compute(indicator, engine="pyspark")
        assert on_duckdb.schema == on_spark.schema
        duck, spark = _values(on_duckdb), _values(on_spark)
        assert duck.keys() == spark.keys()
        levels = {(r["level"]) for r in on_duckdb.to_pylist()}
        assert levels == {"village", "town", "county"}
        differ = [
            (key, duck[key], spark[key])
            for key in duck
            if not all(_same(a, b) for a, b in zip(duck[key], spark[key], strict=True))
        ]
        assert differ == [], f"{indicator.code}: {differ[:5]}"
    # Every village-month, town-month and county-month of the coverage; every quarter of residents.
    assert len(duck) == 8 * 9
