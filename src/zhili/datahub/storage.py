"""Where dataset versions live: one immutable Parquet file per published version.

Layout: ``<MEDIA_ROOT>/datahub/data/<dataset code>/v<number:04d>.parquet`` with
the columns ``division_code`` (12-digit code), ``period`` (``2025-03``,
``2025Q1`` or ``2025``) and then the schema's value fields in schema order,
typed from the Table Schema (integer → BIGINT, number → DOUBLE, string →
VARCHAR, boolean → BOOLEAN, date → DATE). Readers (DuckDB, Ibis, Spark,
pandas) open the files directly; nothing rewrites a published file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.conf import settings

KEY_COLUMNS = ["division_code", "period"]
SQL_TYPES = {
    "integer": "BIGINT",
    "number": "DOUBLE",
    "string": "VARCHAR",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "year": "INTEGER",
}


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "datahub"


def version_relpath(dataset_code: str, number: int) -> str:
    return f"datahub/data/{dataset_code}/v{number:04d}.parquet"


def absolute(relpath: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relpath


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
