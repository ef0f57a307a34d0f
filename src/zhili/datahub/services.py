"""Writes of the dataset catalogue and of publishing data: one function per action.

Pages, the API, commands and jobs call these; none repeats their rules.

- ``dataset_create`` / ``dataset_update``: the catalogue entry and its Table Schema.
- ``upload_receive``: the raw file stored unchanged with its SHA-256 *before* it
  is read, then checked (``ingest``): errors to a CSV, valid rows staged.
- ``upload_publish``: a new version — refused while there are errors, unless the
  steward accepts publishing only the valid rows. A version holds the whole
  dataset: by default the upload's rows replace those of the same division and
  period, and the other rows of the previous version stay (a month's upload adds
  a month); ``replace=True`` publishes the upload's rows alone.
- ``upload_discard``; ``rows_push``: records pushed through the API, stored as a
  JSON upload and published when clean (or when ``accept_partial``).

Who may: a data steward for the datasets of their departments, an administrator
for all (``can_manage``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import QuerySet

from zhili.accounts.models import Role, User
from zhili.audit.services import audit_record
from zhili.datahub import storage
from zhili.datahub.ingest import Result, Spec, ingest_file, ingest_records, read_staged
from zhili.datahub.models import Dataset, DatasetVersion, Frequency, Sharing, Upload
from zhili.datahub.schema import KEY_FIELDS, SchemaInvalid, schema_normalise, sql_string
from zhili.datahub.versions import arrow_schema, version_publish
from zhili.divisions.models import Department, Division

CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{1,63}")
KEY_RE = re.compile(r"[A-Za-z0-9._:\-]{1,64}")
MAX_PUSH_ROWS = 100_000
LEVELS = {"village", "town", "county"}


class DatasetInvalid(ValueError):
    """Input that cannot be saved: ``errors`` maps a field to its Chinese messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("；".join(m for ms in errors.values() for m in ms))
        self.errors = errors


class PublishRefused(ValueError):
    """An upload that cannot be published as asked; the message says why and what to do."""


class IdempotencyConflict(ValueError):
    """An idempotency key already used for different rows."""


class Replayed(Exception):
    """The same push again under its idempotency key: the upload it made the first time."""

    def __init__(self, upload: Upload) -> None:
        super().__init__(upload.pk)
        self.upload = upload


# ---- who may ---------------------------------------------------------------------


def _is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == Role.ADMIN))


def steward_departments(user: Any) -> QuerySet[Department]:
    """The departments whose datasets the user keeps: a steward's own; an admin's, all."""
    if _is_admin(user):
        return Department.objects.all()
    if not user.is_authenticated or user.role != Role.DATA_STEWARD:
        return Department.objects.none()
    return user.departments.all()


def can_manage(user: Any, dataset: Dataset) -> bool:
    """Whether the user may edit the dataset and publish its data."""
    return steward_departments(user).filter(pk=dataset.department_id).exists()


def _require(user: Any, department: Department) -> None:
    if not steward_departments(user).filter(pk=department.pk).exists():
        raise PermissionDenied(f"您不是{department.name}的数据管理员，无权维护其数据集")


# ---- datasets ----------------------------------------------------------------------


def _clean(
    *,
    code: str,
    name: str,
    category: str,
    frequency: str,
    sharing: str,
    division_level: str,
    table_schema: Any,
    instance: Dataset | None = None,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    code, name, category = code.strip(), name.strip(), category.strip()
    if not CODE_RE.fullmatch(code):
        errors["code"] = ["编码须为2～64位字母、数字、下划线、点或连字符，以字母或数字开头"]
    elif Dataset.objects.filter(code=code).exclude(pk=instance.pk if instance else 0).exists():
        errors["code"] = [f"编码“{code}”已被其他数据集使用"]
    if not name:
        errors["name"] = ["请填写名称"]
    if not category:
        errors["category"] = ["请填写数据分类"]
    if frequency not in Frequency.values:
        errors["frequency"] = ["请选择更新频率"]
    if sharing not in Sharing.values:
        errors["sharing"] = ["请选择共享属性"]
    if division_level not in LEVELS:
        errors["division_level"] = ["请选择区划层级"]
    normalised: dict[str, Any] = {}
    if frequency in Frequency.values:
        try:
            normalised = schema_normalise(table_schema, frequency=frequency)
        except SchemaInvalid as exc:
            errors["table_schema"] = exc.problems
    if errors:
        raise DatasetInvalid(errors)
    return {"code": code, "name": name, "category": category, "table_schema": normalised}


def dataset_create(
    *,
    actor: User,
    code: str,
    name: str,
    category: str,
    department: Department,
    frequency: str,
    sharing: str,
    division_level: str,
    table_schema: Any,
    description: str = "",
    keywords: Sequence[str] = (),
    licence: str = "CC-BY-4.0",
) -> Dataset:
    """A new dataset of one of the actor's departments, its schema checked and normalised."""
    _require(actor, department)
    clean = _clean(
        code=code,
        name=name,
        category=category,
        frequency=frequency,
        sharing=sharing,
        division_level=division_level,
        table_schema=table_schema,
    )
    with transaction.atomic():
        dataset = Dataset.objects.create(
            **clean,
            department=department,
            description=description.strip(),
            keywords=[k.strip() for k in keywords if k.strip()],
            frequency=frequency,
            sharing=sharing,
            division_level=division_level,
            licence=licence.strip() or "CC-BY-4.0",
        )
        audit_record(
            action="dataset.create",
            actor=actor,
            object_type="dataset",
            object_id=dataset.code,
            summary=f"新建数据集“{dataset.name}”（{department.name}）",
            after={"fields": [f["name"] for f in dataset.value_fields()], "sharing": sharing},
        )
    return dataset


def _breaking(dataset: Dataset, new: dict[str, Any], frequency: str, level: str) -> list[str]:
    """Changes that published versions could not be read under: refused once data exists."""
    problems = []
    if frequency != dataset.frequency:
        problems.append("已发布数据后不能修改更新频率")
    if level != dataset.division_level:
        problems.append("已发布数据后不能修改区划层级")
    old = {f["name"]: f.get("type", "string") for f in dataset.value_fields()}
    now = {f["name"]: f.get("type", "string") for f in new["fields"] if f["name"] not in KEY_FIELDS}
    for name, ftype in old.items():
        if name not in now:
            problems.append(f"已发布数据后不能删除或改名字段“{name}”（可以新增字段）")
        elif now[name] != ftype:
            problems.append(f"已发布数据后不能修改字段“{name}”的类型")
    return problems


def dataset_update(
    *,
    dataset: Dataset,
    actor: User,
    name: str,
    category: str,
    department: Department,
    frequency: str,
    sharing: str,
    division_level: str,
    table_schema: Any,
    description: str = "",
    keywords: Sequence[str] = (),
    licence: str = "CC-BY-4.0",
) -> Dataset:
    """Change a dataset's entry; once published, fields may be added but not changed in kind."""
    _require(actor, dataset.department)
    _require(actor, department)
    clean = _clean(
        code=dataset.code,
        name=name,
        category=category,
        frequency=frequency,
        sharing=sharing,
        division_level=division_level,
        table_schema=table_schema,
        instance=dataset,
    )
    if dataset.current_id is not None:
        problems = _breaking(dataset, clean["table_schema"], frequency, division_level)
        if problems:
            raise DatasetInvalid({"table_schema": problems})
    before = {"sharing": dataset.sharing, "fields": [f["name"] for f in dataset.value_fields()]}
    with transaction.atomic():
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
        for key, value in {
            "name": clean["name"],
            "category": clean["category"],
            "department": department,
            "frequency": frequency,
            "sharing": sharing,
            "division_level": division_level,
            "table_schema": clean["table_schema"],
            "description": description.strip(),
            "keywords": [k.strip() for k in keywords if k.strip()],
            "licence": licence.strip() or "CC-BY-4.0",
        }.items():
            setattr(locked, key, value)
        locked.save()
        audit_record(
            action="dataset.update",
            actor=actor,
            object_type="dataset",
            object_id=locked.code,
            summary=f"修改数据集“{locked.name}”",
            before=before,
            after={"sharing": sharing, "fields": [f["name"] for f in locked.value_fields()]},
        )
    return locked


# ---- uploads -----------------------------------------------------------------------


def spec_for(dataset: Dataset) -> Spec:
    """What the dataset's rows are checked against, with the codes of its level's divisions."""
    codes = frozenset(
        Division.objects.filter(level=dataset.division_level).values_list("code", flat=True)
    )
    return Spec(
        fields=dataset.fields(),
        frequency=dataset.frequency,
        level=dataset.division_level,
        division_codes=codes,
        arrow_schema=arrow_schema(dataset),
    )


def _max_bytes() -> int:
    return int(getattr(settings, "ZHILI_DATAHUB_UPLOAD_MAX_MB", 1024)) * 2**20


def _work_paths(upload: Upload) -> tuple[str, str]:
    code = upload.dataset.code
    return (
        f"datahub/staging/{code}/u{upload.pk}.arrow",
        f"datahub/errors/{code}/u{upload.pk}.csv",
    )


def _summary(result: Result) -> str:
    if result.fatal:
        return result.fatal[:300]
    if not result.error_count:
        return f"共{result.total_rows}行，全部通过校验"
    rejected = result.total_rows - result.valid_rows
    return (
        f"共{result.total_rows}行，{result.valid_rows}行通过校验，"
        f"{rejected}行有错误（共{result.error_count}处）"
    )


def _store(
    *, dataset: Dataset, content: File[Any], filename: str, source: str, actor: User
) -> Upload:
    """The raw bytes stored unchanged and their checksum recorded, before anything reads them."""
    upload = Upload(
        dataset=dataset,
        filename=filename[:255],
        sha256="",
        size=0,
        source=source,
        uploaded_by=actor,
        status=Upload.FAILED,
        message="正在校验",
    )
    upload.file.save(Path(filename).name or "upload", content, save=False)
    path = storage.absolute(upload.file.name)
    upload.sha256 = storage.sha256_of(path)
    upload.size = path.stat().st_size
    with transaction.atomic():
        upload.save()
        audit_record(
            action="dataset.upload",
            actor=actor,
            object_type="dataset",
            object_id=dataset.code,
            summary=f"上传“{filename}”（{upload.size}字节）",
            after={"upload": upload.pk, "sha256": upload.sha256, "source": source},
        )
    return upload


def _check(upload: Upload, run: Any) -> Upload:
    """Run an ingest on a stored upload and record what it found."""
    staged, errors = _work_paths(upload)
    result: Result = run(staged=storage.absolute(staged), errors_csv=storage.absolute(errors))
    upload.total_rows = result.total_rows
    upload.valid_rows = result.valid_rows
    upload.error_count = result.error_count
    upload.errors = result.errors
    upload.errors_path = errors if result.error_count else ""
    upload.staged_path = "" if result.fatal else staged
    upload.status = Upload.FAILED if result.fatal else Upload.VALIDATED
    upload.message = _summary(result)
    upload.save(
        update_fields=[
            "total_rows", "valid_rows", "error_count", "errors", "errors_path",
            "staged_path", "status", "message",
        ]
    )  # fmt: skip
    return upload


def upload_receive(*, dataset: Dataset, file: File[Any], actor: User) -> Upload:
    """Store an uploaded CSV or Excel file unchanged, then check it; nothing is published."""
    _require(actor, dataset.department)
    size = getattr(file, "size", None)
    if size is not None and size > _max_bytes():
        raise PublishRefused(f"文件过大（上限{_max_bytes() // 2**20}MB），请分期上传")
    filename = Path(getattr(file, "name", "") or "upload.csv").name
    upload = _store(dataset=dataset, content=file, filename=filename, source="file", actor=actor)
    spec = spec_for(dataset)
    path = storage.absolute(upload.file.name)
    return _check(upload, lambda **out: ingest_file(path, filename, spec, **out))


def upload_publish(
    *,
    upload: Upload,
    actor: User,
    accept_partial: bool = False,
    replace: bool = False,
    note: str = "",
) -> DatasetVersion:
    """Publish a checked upload as the dataset's next version.

    With errors, only when ``accept_partial``: the valid rows are published,
    the rejected ones stay listed in the upload's errors.
    """
    dataset = upload.dataset
    _require(actor, dataset.department)
    with transaction.atomic():
        # The dataset locked first: two publishes merge one after the other, never from one base.
        locked = Dataset.objects.select_for_update().get(pk=dataset.pk)
        up = Upload.objects.select_for_update().get(pk=upload.pk)
        if up.status != Upload.VALIDATED:
            raise PublishRefused(f"该上传{up.get_status_display()}，不能发布")
        rejected = up.total_rows - up.valid_rows
        if up.error_count and not accept_partial:
            raise PublishRefused(
                f"有{up.error_count}处错误（{rejected}行）：请修正后重新上传，"
                f"或选择仅发布通过校验的{up.valid_rows}行"
            )
        if not up.valid_rows:
            raise PublishRefused("没有通过校验的行，无法发布")
        table = _merged(locked, storage.absolute(up.staged_path), replace=replace)
        version = version_publish(
            dataset=locked,
            table=table,
            actor=actor,
            upload=up,
            rejected=rejected,
            note=note or _note(up, replace),
        )
        up.status = Upload.PUBLISHED
        up.save(update_fields=["status"])
        audit_record(
            action="dataset.publish",
            actor=actor,
            object_type="dataset",
            object_id=locked.code,
            summary=f"发布“{locked.name}”第{version.number}版（{version.row_count}行）",
            after={
                "version": version.number,
                "upload": up.pk,
                "rows": up.valid_rows,
                "rejected": rejected,
                "replace": replace,
            },
        )
        staged = storage.absolute(up.staged_path)
        transaction.on_commit(lambda: staged.unlink(missing_ok=True))
    upload.status = Upload.PUBLISHED
    dataset.current = version
    return version


def _note(upload: Upload, replace: bool) -> str:
    how = "整体替换" if replace else "按区划和统计期更新"
    partial = (
        f"，{upload.total_rows - upload.valid_rows}行有错误未发布" if upload.error_count else ""
    )
    return f"{how}：{upload.filename}（{upload.valid_rows}行{partial}）"[:200]


def _merged(dataset: Dataset, staged: Path, *, replace: bool) -> pa.Table:
    """The new version's rows: the upload's, plus the previous version's other pairs."""
    schema = arrow_schema(dataset)
    new = read_staged(staged)
    if replace or dataset.current is None:
        return _sorted(new, schema)
    old = storage.absolute(dataset.current.path)
    have = set(pq.read_schema(old).names)
    columns = ", ".join(
        f'"{f.name}"' if f.name in have else f'NULL AS "{f.name}"' for f in schema
    )  # fields added since keep NULL in the rows before
    names = ", ".join(f'"{f.name}"' for f in schema)
    con = duckdb.connect()
    try:
        con.register("_new", new)
        merged = con.sql(
            f"SELECT {columns} FROM read_parquet({sql_string(old)}) o "
            "ANTI JOIN _new n USING (division_code, period) "
            f"UNION ALL SELECT {names} FROM _new ORDER BY period, division_code"
        ).to_arrow_table()
    finally:
        con.close()
    assert merged is not None
    return merged.cast(schema)


def _sorted(table: pa.Table, schema: pa.Schema) -> pa.Table:
    return (
        table.select(schema.names)
        .cast(schema)
        .sort_by([("period", "ascending"), ("division_code", "ascending")])
    )


def upload_discard(*, upload: Upload, actor: User) -> Upload:
    """Set a checked upload aside; its raw file and errors stay, its staged rows go."""
    _require(actor, upload.dataset.department)
    with transaction.atomic():
        up = Upload.objects.select_for_update().get(pk=upload.pk)
        if up.status not in (Upload.VALIDATED, Upload.FAILED):
            raise PublishRefused(f"该上传{up.get_status_display()}，不能放弃")
        staged = up.staged_path
        up.status, up.staged_path = Upload.DISCARDED, ""
        up.save(update_fields=["status", "staged_path"])
        audit_record(
            action="dataset.upload_discard",
            actor=actor,
            object_type="dataset",
            object_id=up.dataset.code,
            summary=f"放弃上传“{up.filename}”",
            after={"upload": up.pk},
        )
        if staged:
            transaction.on_commit(lambda: storage.absolute(staged).unlink(missing_ok=True))
    return up


# ---- the API's push ------------------------------------------------------------------


def _canonical(rows: Sequence[Any]) -> bytes:
    return json.dumps(
        list(rows), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode()


def rows_push(
    *,
    dataset: Dataset,
    rows: Sequence[Any],
    actor: User,
    accept_partial: bool = False,
    idempotency_key: str = "",
) -> Upload:
    """Records pushed through the API: stored as a JSON upload, checked, published if clean.

    With errors the upload waits, unpublished (or, with ``accept_partial``,
    its valid rows are published). A key used before for the same rows
    raises ``Replayed`` with that upload; for other rows, ``IdempotencyConflict``.
    """
    _require(actor, dataset.department)
    if not isinstance(rows, (list, tuple)):
        raise DatasetInvalid({"rows": ["rows 应为记录的列表"]})
    if len(rows) > MAX_PUSH_ROWS:
        raise DatasetInvalid({"rows": [f"一次最多推送{MAX_PUSH_ROWS}条，请分批推送"]})
    if idempotency_key and not KEY_RE.fullmatch(idempotency_key):
        raise DatasetInvalid({"Idempotency-Key": ["幂等键须为1～64位字母、数字或 ._:- 字符"]})
    body = _canonical(rows)
    name = f"api-{idempotency_key}.json" if idempotency_key else "api.json"
    if idempotency_key:
        with transaction.atomic():
            Dataset.objects.select_for_update().get(pk=dataset.pk)
            earlier = Upload.objects.filter(
                dataset=dataset, source="api", uploaded_by=actor, filename=name
            ).first()
            if earlier is not None:
                if earlier.sha256 != hashlib.sha256(body).hexdigest():
                    raise IdempotencyConflict(
                        "该幂等键已用于另一批内容不同的数据；新的推送请使用新的幂等键"
                    )
                raise Replayed(earlier)
            upload = _store(
                dataset=dataset, content=ContentFile(body), filename=name, source="api", actor=actor
            )
    else:
        upload = _store(
            dataset=dataset, content=ContentFile(body), filename=name, source="api", actor=actor
        )
    spec = spec_for(dataset)
    upload = _check(upload, lambda **out: ingest_records(list(rows), spec, **out))
    if (
        upload.status == Upload.VALIDATED
        and upload.valid_rows
        and (accept_partial or not upload.error_count)
    ):
        upload_publish(upload=upload, actor=actor, accept_partial=accept_partial)
        upload.refresh_from_db()
    return upload
