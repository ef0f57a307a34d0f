"""Reads of the dataset catalogue and of the data: who sees which dataset, rows as of a version.

Sharing levels (共享属性): ``open`` datasets are for everyone, anonymous visitors
included; ``shared`` ones for every member of staff; ``restricted`` ones for
county-wide roles (leaders, administrators) and the owning department's staff.
"""

from __future__ import annotations

from typing import Any

import duckdb
from django.db.models import Q, QuerySet

from zhili.datahub import access, storage
from zhili.datahub.ingest import read_errors
from zhili.datahub.models import Dataset, DatasetVersion, Upload
from zhili.datahub.schema import sql_string
from zhili.datahub.services import can_manage

# One rule for the catalogue pages, the map, CKAN and the reports (zhili.datahub.access).
datasets_visible_to = access.datasets_visible_to
can_view = access.can_read


def can_see_uploads(user: Any, dataset: Dataset) -> bool:
    """Raw uploads and their errors: the owning department's stewards and county-wide roles."""
    return bool(user.is_authenticated and (user.is_county_wide or can_manage(user, dataset)))


def dataset_list(
    user: Any,
    *,
    department: Any = None,
    category: str = "",
    sharing: str = "",
    q: str = "",
) -> QuerySet[Dataset]:
    datasets = datasets_visible_to(user)
    if department is not None:
        datasets = datasets.filter(department=department)
    if category:
        datasets = datasets.filter(category=category)
    if sharing:
        datasets = datasets.filter(sharing=sharing)
    if q.strip():
        term = q.strip()
        datasets = datasets.filter(
            Q(name__icontains=term) | Q(code__icontains=term) | Q(description__icontains=term)
        )
    return datasets.order_by("department__order", "code")


def categories(user: Any) -> list[str]:
    found = datasets_visible_to(user).values_list("category", flat=True).distinct()
    return sorted(set(found))


def version_of(dataset: Dataset, number: int | None) -> DatasetVersion | None:
    """A version by its number, or the current one."""
    if number is None:
        return dataset.current
    return dataset.versions.filter(number=number).first()


def dataset_rows(
    dataset: Dataset,
    version: DatasetVersion | int | None = None,
    *,
    filters: dict[str, Any] | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[str], list[tuple[Any, ...]], int]:
    """(columns, rows, total) of the dataset as of a version (default: the current one).

    ``filters`` maps a column to a value, or to a list of values; a column the
    version does not have raises ``KeyError``.
    """
    found = version if isinstance(version, DatasetVersion) else version_of(dataset, version)
    if found is None:
        return [], [], 0
    path = sql_string(storage.absolute(found.path))
    con = duckdb.connect()
    try:
        columns = [
            r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({path})").fetchall()
        ]
        where, params = [], []
        for column, value in (filters or {}).items():
            if column not in columns:
                raise KeyError(column)
            values = list(value) if isinstance(value, (list, tuple, set)) else [value]
            where.append(f'"{column}" IN ({", ".join("?" for _ in values)})')
            params += values
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        total = con.execute(
            f"SELECT count(*) FROM read_parquet({path}){clause}", params
        ).fetchall()[0][0]
        rows = con.execute(
            f"SELECT * FROM read_parquet({path}){clause} ORDER BY period, division_code "
            f"LIMIT {int(limit)} OFFSET {int(offset)}",
            params,
        ).fetchall()
    finally:
        con.close()
    return columns, rows, int(total)


def version_diff(dataset: Dataset, older: int, newer: int) -> dict[str, int]:
    """How two versions differ, by (division, period): rows added, removed, changed, unchanged."""
    a, b = version_of(dataset, older), version_of(dataset, newer)
    if a is None or b is None:
        raise KeyError("version")
    pa_, pb = sql_string(storage.absolute(a.path)), sql_string(storage.absolute(b.path))
    con = duckdb.connect()
    try:
        common = [
            r[0]
            for r in con.execute(
                f"SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet({pa_})) "
                f"WHERE column_name IN (SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet({pb})))"
            ).fetchall()
        ]
        values = [c for c in common if c not in ("division_code", "period")]
        same = " AND ".join(f'o."{c}" IS NOT DISTINCT FROM n."{c}"' for c in values) or "TRUE"
        added, removed, changed, unchanged = con.execute(
            "SELECT count(*) FILTER (WHERE o.division_code IS NULL), "
            "count(*) FILTER (WHERE n.division_code IS NULL), "
            f"count(*) FILTER (WHERE o.division_code IS NOT NULL AND n.division_code IS NOT NULL AND NOT ({same})), "
            f"count(*) FILTER (WHERE o.division_code IS NOT NULL AND n.division_code IS NOT NULL AND ({same})) "
            f"FROM read_parquet({pa_}) o FULL OUTER JOIN read_parquet({pb}) n "
            "ON o.division_code = n.division_code AND o.period = n.period"
        ).fetchall()[0]
    finally:
        con.close()
    return {"added": added, "removed": removed, "changed": changed, "unchanged": unchanged}


def upload_errors(upload: Upload, *, offset: int = 0, limit: int = 50) -> list[dict[str, Any]]:
    """A page of an upload's errors: from its full errors file, else the first ones kept."""
    if upload.errors_path:
        path = storage.absolute(upload.errors_path)
        if path.exists():
            return read_errors(path, offset=offset, limit=limit)
    return list(upload.errors[offset : offset + limit])
