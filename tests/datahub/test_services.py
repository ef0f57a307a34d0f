"""吴昊 keeps 村人口: its catalogue entry, uploads, versions; who sees which dataset."""

from __future__ import annotations

import hashlib
from typing import Any

import pyarrow.parquet as pq
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import County
from tests.datahub.conftest import DONGSHAN, FIELDS, XIWU, csv_bytes
from zhili.accounts.models import Role, User
from zhili.audit.models import AuditEntry
from zhili.datahub import storage
from zhili.datahub.models import Dataset, Upload
from zhili.datahub.selectors import dataset_rows, datasets_visible_to, version_diff
from zhili.datahub.services import (
    DatasetInvalid,
    IdempotencyConflict,
    PublishRefused,
    Replayed,
    dataset_create,
    dataset_update,
    rows_push,
    upload_discard,
    upload_publish,
    upload_receive,
)
from zhili.divisions.models import Department


def upload(dataset: Dataset, actor: User, *rows: str, name: str = "村人口.csv") -> Upload:
    return upload_receive(
        dataset=dataset, file=SimpleUploadedFile(name, csv_bytes(*rows)), actor=actor
    )


def rows_of(dataset: Dataset, version: int | None = None) -> list[tuple[Any, ...]]:
    return dataset_rows(dataset, version, limit=1000)[1]


def edit(dataset: Dataset, actor: User, **over: Any) -> Dataset:
    values: dict[str, Any] = {
        "name": dataset.name, "category": dataset.category, "department": dataset.department,
        "frequency": dataset.frequency, "sharing": dataset.sharing,
        "division_level": dataset.division_level, "table_schema": {"fields": FIELDS},
    }  # fmt: skip
    return dataset_update(dataset=dataset, actor=actor, **(values | over))


# ---- the catalogue ------------------------------------------------------------------


def test_it_creates_a_dataset_with_the_keys_first_and_records_it(population: Dataset) -> None:
    assert [f["name"] for f in population.fields()][:2] == ["division_code", "period"]
    assert population.table_schema["primaryKey"] == ["division_code", "period"]
    entry = AuditEntry.objects.get(action="dataset.create")
    assert entry.object_id == "CUNRENKOU" and entry.actor_name == "吴昊"


def test_it_names_every_problem_of_a_new_dataset(wuhao: User, tjj: Department) -> None:
    with pytest.raises(DatasetInvalid) as caught:
        dataset_create(
            actor=wuhao, code="人口/2025", name=" ", category="人口", department=tjj,
            frequency="weekly", sharing="open", division_level="village",
            table_schema={"fields": [{"name": "x", "type": "geopoint"}]},
        )  # fmt: skip
    assert set(caught.value.errors) == {"code", "name", "frequency"}


def test_it_refuses_a_schema_that_is_not_valid(wuhao: User, tjj: Department) -> None:
    with pytest.raises(DatasetInvalid) as caught:
        dataset_create(
            actor=wuhao, code="BAD", name="坏", category="人口", department=tjj,
            frequency="monthly", sharing="open", division_level="village",
            table_schema={"fields": [{"name": "x", "type": "integer",
                                      "constraints": {"minimum": 9, "maximum": 1}}]},
        )  # fmt: skip
    assert caught.value.errors["table_schema"] == ["第1个字段“x”：最小值9大于最大值1"]


@pytest.mark.parametrize("who", ["zhangwei", "zhaomin", "sunli", "wangfang"])
def test_it_lets_only_the_departments_stewards_create(
    county: County, tjj: Department, who: str
) -> None:
    with pytest.raises(PermissionDenied):
        dataset_create(
            actor=getattr(county, who), code="X1", name="甲", category="人口", department=tjj,
            frequency="monthly", sharing="open", division_level="village",
            table_schema={"fields": FIELDS},
        )  # fmt: skip


def test_it_lets_an_administrator_keep_any_department_s_dataset(
    county: County, population: Dataset
) -> None:
    changed = edit(population, county.admin, name="村常住人口")
    assert changed.name == "村常住人口"


def test_it_keeps_a_steward_to_their_own_departments(county: County, population: Dataset) -> None:
    other = User.objects.create_user("zheng", display_name="郑华", role=Role.DATA_STEWARD)
    other.departments.set([county.zrzy])
    with pytest.raises(PermissionDenied):
        edit(population, other, name="偷改")
    with pytest.raises(PermissionDenied):
        upload(population, other, f"{DONGSHAN},2025-01,1,1,1")


def test_it_adds_fields_after_publication_but_never_changes_their_kind(
    wuhao: User, population: Dataset
) -> None:
    upload_publish(upload=upload(population, wuhao, f"{DONGSHAN},2025-01,1200,400,30"), actor=wuhao)
    with pytest.raises(DatasetInvalid) as caught:
        edit(population, wuhao, table_schema={"fields": [{**FIELDS[0], "type": "number"}]},
             frequency="yearly")  # fmt: skip
    assert caught.value.errors["table_schema"] == [
        "已发布数据后不能修改更新频率",
        "已发布数据后不能修改字段“population”的类型",
        "已发布数据后不能删除或改名字段“households”（可以新增字段）",
        "已发布数据后不能删除或改名字段“migrant_workers”（可以新增字段）",
    ]
    more = [*FIELDS, {"name": "elderly", "title": "60岁以上人口", "type": "integer"}]
    population = edit(population, wuhao, table_schema={"fields": more})
    upload_publish(
        upload=upload_receive(
            dataset=population,
            file=SimpleUploadedFile(
                "二月.csv",
                csv_bytes(f"{DONGSHAN},2025-02,1210,401,31,300",
                          header="区划代码,统计期,常住人口,户数,外出务工人数,60岁以上人口"),
            ),
            actor=wuhao,
        ),
        actor=wuhao,
    )  # fmt: skip
    assert rows_of(population) == [
        (DONGSHAN, "2025-01", 1200, 400, 30, None),
        (DONGSHAN, "2025-02", 1210, 401, 31, 300),
    ]


# ---- uploads and versions ------------------------------------------------------------


def test_it_stores_the_raw_file_unchanged_with_its_checksum(
    wuhao: User, population: Dataset
) -> None:
    content = csv_bytes(f"{DONGSHAN},2025-01,1200,400,30", encoding="gbk")
    received = upload_receive(
        dataset=population, file=SimpleUploadedFile("一月 数据.csv", content), actor=wuhao
    )
    stored = storage.absolute(received.file.name).read_bytes()
    assert stored == content
    assert received.sha256 == hashlib.sha256(content).hexdigest()
    assert (received.size, received.filename, received.source) == (
        len(content),
        "一月 数据.csv",
        "file",
    )
    assert received.status == Upload.VALIDATED and received.message == "共1行，全部通过校验"


def test_it_publishes_nothing_until_told_then_only_the_valid_rows(
    wuhao: User, population: Dataset, django_capture_on_commit_callbacks: Any
) -> None:
    received = upload(
        population, wuhao,
        f"{DONGSHAN},2025-01,1200,400,30", f"{XIWU},2025-01,-3,260,12",
    )  # fmt: skip
    assert (received.total_rows, received.valid_rows, received.error_count) == (2, 1, 1)
    assert received.errors[0]["message"] == "第3行 C列“常住人口”：值“-3”小于最小值0"
    assert received.message == "共2行，1行通过校验，1行有错误（共1处）"
    with pytest.raises(PublishRefused) as refused:
        upload_publish(upload=received, actor=wuhao)
    assert str(refused.value) == "有1处错误（1行）：请修正后重新上传，或选择仅发布通过校验的1行"
    population.refresh_from_db()
    assert population.current is None and not population.versions.exists()

    with django_capture_on_commit_callbacks(execute=True):
        version = upload_publish(upload=received, actor=wuhao, accept_partial=True)
    assert (version.number, version.row_count, version.rejected_count) == (1, 1, 1)
    assert rows_of(population) == [(DONGSHAN, "2025-01", 1200, 400, 30)]
    received.refresh_from_db()
    assert received.status == Upload.PUBLISHED
    assert not storage.absolute(received.staged_path).exists()
    assert storage.absolute(received.errors_path).exists()  # the rejected rows stay listed
    with pytest.raises(PublishRefused):
        upload_publish(upload=received, actor=wuhao, accept_partial=True)


def test_it_adds_a_month_to_the_history_and_replaces_a_month_sent_again(
    wuhao: User, population: Dataset
) -> None:
    january = [f"{DONGSHAN},2025-01,1200,400,30", f"{XIWU},2025-01,800,260,12"]
    upload_publish(upload=upload(population, wuhao, *january), actor=wuhao)
    upload_publish(upload=upload(population, wuhao, f"{DONGSHAN},2025-02,1210,401,31"), actor=wuhao)
    assert rows_of(population) == [
        (DONGSHAN, "2025-01", 1200, 400, 30),
        (XIWU, "2025-01", 800, 260, 12),
        (DONGSHAN, "2025-02", 1210, 401, 31),
    ]
    third = upload_publish(
        upload=upload(population, wuhao, f"{XIWU},2025-01,805,261,13"), actor=wuhao
    )
    assert (third.number, third.row_count, third.period_min, third.period_max) == (
        3, 3, "2025-01", "2025-02",
    )  # fmt: skip
    assert (XIWU, "2025-01", 805, 261, 13) in rows_of(population)
    # Every version is kept, and readable as it was.
    assert rows_of(population, 1) == [
        (DONGSHAN, "2025-01", 1200, 400, 30),
        (XIWU, "2025-01", 800, 260, 12),
    ]
    assert version_diff(population, 1, 3) == {
        "added": 1,
        "removed": 0,
        "changed": 1,
        "unchanged": 1,
    }


def test_it_replaces_every_row_when_asked(wuhao: User, population: Dataset) -> None:
    upload_publish(upload=upload(population, wuhao, f"{DONGSHAN},2025-01,1200,400,30"), actor=wuhao)
    upload_publish(
        upload=upload(population, wuhao, f"{XIWU},2025-02,800,260,12"), actor=wuhao, replace=True
    )
    assert rows_of(population) == [(XIWU, "2025-02", 800, 260, 12)]
    assert population.versions.count() == 2


def test_it_filters_a_version_s_rows(wuhao: User, population: Dataset) -> None:
    upload_publish(
        upload=upload(
            population, wuhao,
            f"{DONGSHAN},2025-01,1200,400,30", f"{XIWU},2025-01,800,260,12",
            f"{DONGSHAN},2025-02,1210,401,31",
        ),
        actor=wuhao,
    )  # fmt: skip
    columns, rows, total = dataset_rows(population, filters={"division_code": DONGSHAN}, limit=1)
    assert columns == ["division_code", "period", "population", "households", "migrant_workers"]
    assert (rows, total) == ([(DONGSHAN, "2025-01", 1200, 400, 30)], 2)
    with pytest.raises(KeyError):
        dataset_rows(population, filters={"nope": 1})


def test_it_keeps_a_discarded_upload_s_raw_file(
    wuhao: User, population: Dataset, django_capture_on_commit_callbacks: Any
) -> None:
    received = upload(population, wuhao, f"{DONGSHAN},2025-01,-1,400,30")
    staged = storage.absolute(received.staged_path)
    with django_capture_on_commit_callbacks(execute=True):
        discarded = upload_discard(upload=received, actor=wuhao)
    assert discarded.status == Upload.DISCARDED
    assert storage.absolute(discarded.file.name).exists() and not staged.exists()
    with pytest.raises(PublishRefused):
        upload_publish(upload=discarded, actor=wuhao, accept_partial=True)


def test_it_marks_an_unreadable_file_failed_and_keeps_it(wuhao: User, population: Dataset) -> None:
    received = upload_receive(
        dataset=population,
        file=SimpleUploadedFile("旧表.xls", b"\xd0\xcf\x11\xe0 old"),
        actor=wuhao,
    )
    assert received.status == Upload.FAILED
    assert received.message.startswith("无法打开Excel文件")
    assert storage.absolute(received.file.name).read_bytes() == b"\xd0\xcf\x11\xe0 old"


def test_it_writes_the_published_file_with_the_version_s_types(
    wuhao: User, population: Dataset
) -> None:
    version = upload_publish(
        upload=upload(population, wuhao, f"{DONGSHAN},2025-01,1200,,30"), actor=wuhao
    )
    schema = pq.read_schema(storage.absolute(version.path))
    assert [str(t) for t in schema.types] == ["string", "string", "int64", "int64", "int64"]


# ---- pushed rows ------------------------------------------------------------------------


def test_it_publishes_pushed_rows_when_clean_and_answers_a_replay(
    wuhao: User, population: Dataset
) -> None:
    rows = [{"division_code": DONGSHAN, "period": "2025-01", "常住人口": 1200}]
    pushed = rows_push(dataset=population, rows=rows, actor=wuhao, idempotency_key="k-1")
    assert (pushed.status, pushed.source, pushed.filename) == (
        Upload.PUBLISHED,
        "api",
        "api-k-1.json",
    )
    with pytest.raises(Replayed) as replay:
        rows_push(dataset=population, rows=rows, actor=wuhao, idempotency_key="k-1")
    assert replay.value.upload.pk == pushed.pk
    with pytest.raises(IdempotencyConflict):
        rows_push(dataset=population, rows=[*rows, *rows], actor=wuhao, idempotency_key="k-1")
    assert population.versions.count() == 1


def test_it_holds_pushed_rows_with_errors_unless_told(wuhao: User, population: Dataset) -> None:
    rows = [
        {"division_code": DONGSHAN, "period": "2025-01", "population": 1200},
        {"division_code": XIWU, "period": "2025-01", "population": -1},
    ]
    held = rows_push(dataset=population, rows=rows, actor=wuhao)
    assert held.status == Upload.VALIDATED and held.error_count == 1
    partial = rows_push(dataset=population, rows=rows, actor=wuhao, accept_partial=True)
    assert partial.status == Upload.PUBLISHED
    assert rows_of(population) == [(DONGSHAN, "2025-01", 1200, None, None)]


# ---- who sees what ----------------------------------------------------------------------


@pytest.fixture
def three(wuhao: User, tjj: Department, population: Dataset) -> dict[str, Dataset]:
    def make(code: str, sharing: str) -> Dataset:
        return dataset_create(
            actor=wuhao, code=code, name=code, category="人口", department=tjj,
            frequency="yearly", sharing=sharing, division_level="town",
            table_schema={"fields": FIELDS},
        )  # fmt: skip

    return {
        "open": make("OPEN1", "open"),
        "shared": population,
        "restricted": make("SECRET", "restricted"),
    }


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        (None, {"open"}),
        ("wangfang", {"open"}),
        ("zhangwei", {"open", "shared"}),
        ("wuhao", {"open", "shared", "restricted"}),
        ("sunli", {"open", "shared", "restricted"}),
        ("admin", {"open", "shared", "restricted"}),
    ],
)
def test_it_shows_each_person_the_datasets_their_sharing_level_allows(
    county: County, wuhao: User, three: dict[str, Dataset], who: str | None, sees: set[str]
) -> None:
    from django.contrib.auth.models import AnonymousUser

    user: Any = (
        AnonymousUser() if who is None else (wuhao if who == "wuhao" else getattr(county, who))
    )
    visible = set(datasets_visible_to(user).values_list("code", flat=True))
    assert visible == {three[s].code for s in sees}
