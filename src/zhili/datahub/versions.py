"""Publishing a dataset version: write the Parquet file, then record it, once."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.db import transaction

from zhili.datahub import storage
from zhili.datahub.models import Dataset, DatasetVersion, Upload


def arrow_schema(dataset: Dataset) -> pa.Schema:
    """The Parquet columns of a dataset: the keys, then the value fields, typed from its schema."""
    types = {
        "integer": pa.int64(),
        "number": pa.float64(),
        "string": pa.string(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "year": pa.int32(),
    }
    cols = [pa.field("division_code", pa.string()), pa.field("period", pa.string())]
    for f in dataset.value_fields():
        cols.append(pa.field(f["name"], types.get(f.get("type", "string"), pa.string())))
    return pa.schema(cols)


def version_publish(
    *,
    dataset: Dataset,
    table: pa.Table,
    actor: Any = None,
    upload: Upload | None = None,
    rejected: int = 0,
    note: str = "",
) -> DatasetVersion:
    """Write ``table`` (already validated) as the dataset's next version and make it current.

    The file is written before the row that points at it, and never rewritten:
    a failure leaves at most an orphan file, never a version without data.
    """
    table = table.select([f.name for f in arrow_schema(dataset)]).cast(arrow_schema(dataset))
    with transaction.atomic():
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
        last = locked.versions.order_by("-number").values_list("number", flat=True).first() or 0
        number = last + 1
        rel = storage.version_relpath(dataset.code, number)
        path = storage.absolute(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path, compression="zstd")
        periods = table.column("period")
        version = DatasetVersion.objects.create(
            dataset=locked,
            number=number,
            upload=upload,
            path=rel,
            sha256=storage.sha256_of(path),
            row_count=table.num_rows,
            rejected_count=rejected,
            period_min=pc.min(periods).as_py() or "" if table.num_rows else "",
            period_max=pc.max(periods).as_py() or "" if table.num_rows else "",
            note=note,
            published_by=actor,
        )
        locked.current = version
        locked.save(update_fields=["current", "updated_at"])
        dataset.current = version
    return version
