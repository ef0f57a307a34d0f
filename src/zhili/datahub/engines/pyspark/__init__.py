"""PySpark: the distributed engine, for a province or a county that outgrows one machine.

``ZHILI_SPARK_MASTER`` (read from the Django settings, default ``local[2]``)
says where Spark runs: ``local[N]`` in this process (tests, a single large
machine), or ``spark://host:7077`` / ``yarn`` for a cluster. The dataset
files must then be on storage every executor can read (a shared MEDIA_ROOT,
HDFS or object storage). pyspark is imported only when this engine is
configured; it and Java 17 are needed only where it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ibis
from django.conf import settings

_session: Any = None


def session() -> Any:
    """The process's SparkSession, started at the first use (a JVM start: seconds)."""
    global _session
    if _session is None:
        from pyspark.sql import SparkSession

        master = getattr(settings, "ZHILI_SPARK_MASTER", "") or "local[2]"
        _session = (
            SparkSession.builder.master(master)
            .appName("zhili-indicators")
            .config("spark.ui.enabled", "false")
            # Indicator inputs are small per division and period: few shuffle partitions.
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
        _session.sparkContext.setLogLevel("ERROR")
    return _session


def connect() -> ibis.BaseBackend:
    return ibis.pyspark.connect(session())


def read_parquet(con: ibis.BaseBackend, paths: Sequence[str | Path], table_name: str) -> ibis.Table:
    frame = session().read.parquet(*[str(p) for p in paths])
    frame.createOrReplaceTempView(table_name)
    return con.table(table_name)
