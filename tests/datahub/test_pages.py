"""The stewards' pages: 吴昊 defines 村人口, uploads a month with an error, reads the errors, publishes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import County
from tests.datahub.conftest import DONGSHAN, XIWU, csv_bytes
from zhili.accounts.models import User
from zhili.datahub.models import Dataset, Upload
from zhili.datahub.services import upload_publish, upload_receive

BASE = "/staff/data/"


def client_for(user: User, **kw: Any) -> Client:
    client = Client(**kw)
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


def post_upload(client: Client, dataset: Dataset, content: bytes, name: str = "一月.csv") -> Any:
    return client.post(f"{BASE}{dataset.code}/upload/", {"file": SimpleUploadedFile(name, content)})


def test_it_lists_the_datasets_a_member_of_staff_may_see(
    county: County, population: Dataset
) -> None:
    page = client_for(county.zhangwei).get(BASE)
    assert page.status_code == 200
    assert "村人口" in text(page) and "部门间共享" in text(page)
    assert "新建数据集" not in text(page)
    none = client_for(county.zhangwei).get(BASE, {"sharing": "open"})
    assert "村人口" not in text(none)
    by_department = client_for(county.zhangwei).get(
        BASE, {"department": "TJJ", "category": "人口与户籍"}
    )
    assert "村人口" in text(by_department)


def test_it_shows_the_schema_in_chinese_with_versions_as_of_each(
    wuhao: User, population: Dataset
) -> None:
    for rows in ([f"{DONGSHAN},2025-01,1200,400,30"], [f"{DONGSHAN},2025-01,1250,400,30"]):
        received = upload_receive(
            dataset=population, file=SimpleUploadedFile("m.csv", csv_bytes(*rows)), actor=wuhao
        )
        upload_publish(upload=received, actor=wuhao)
    client = client_for(wuhao)
    page = text(client.get(f"{BASE}CUNRENKOU/"))
    assert "常住人口" in page and "整数" in page and "≥ 0" in page and "必填" in page
    assert "第2版" in page and "当前" in page and "1250" in page
    old = text(client.get(f"{BASE}CUNRENKOU/", {"version": 1}))
    assert "历史版本" in old and "1200" in old and "1250" not in old.split("rows-title")[-1]
    assert client.get(f"{BASE}CUNRENKOU/", {"version": 9}).status_code == 404
    csv = client.get(f"{BASE}CUNRENKOU/v1.csv")
    assert b"".join(csv.streaming_content).decode().splitlines() == [
        "区划代码,统计期,常住人口,户数,外出务工人数",
        f"{DONGSHAN},2025-01,1200,400,30",
    ]


def test_it_uploads_lists_every_error_and_publishes_only_when_told(
    wuhao: User, population: Dataset
) -> None:
    client = client_for(wuhao)
    rows = [f"{DONGSHAN},2025-01,1200,400,30"] + [
        f"{XIWU},{y}-01,-1,1,1" for y in range(2000, 2060)
    ]
    answer = post_upload(client, population, csv_bytes(*rows))
    upload = Upload.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"{BASE}uploads/{upload.pk}/"
    page = text(client.get(f"{BASE}uploads/{upload.pk}/"))
    assert "第3行 C列“常住人口”：值“-1”小于最小值0" in page
    assert "修正后重新上传" in page
    assert "仅发布通过校验的1行（60行错误将保留在错误清单中）" in page
    assert "第 1/2 页" in page
    second = text(client.get(f"{BASE}uploads/{upload.pk}/", {"page": 2}))
    assert "第62行 C列“常住人口”：值“-1”小于最小值0" in second
    errors = client.get(f"{BASE}uploads/{upload.pk}/errors.csv")
    assert len(b"".join(errors.streaming_content).decode("utf-8-sig").splitlines()) == 61
    raw = client.get(f"{BASE}uploads/{upload.pk}/raw")
    assert b"".join(raw.streaming_content) == csv_bytes(*rows)

    refused = client.post(f"{BASE}uploads/{upload.pk}/publish", follow=True)
    assert "有60处错误（60行）" in text(refused)
    population.refresh_from_db()
    assert population.current is None
    done = client.post(f"{BASE}uploads/{upload.pk}/publish", {"accept_partial": "1"}, follow=True)
    assert "已发布第1版，共1行。" in text(done)
    population.refresh_from_db()
    assert population.current is not None and population.current.rejected_count == 60


def test_it_says_what_is_wrong_with_a_header(wuhao: User, population: Dataset) -> None:
    client = client_for(wuhao)
    post_upload(
        client, population, csv_bytes(f"{DONGSHAN},2025-01,1", header="区划代码,统计期,人口")
    )
    upload = Upload.objects.get()
    page = text(client.get(f"{BASE}uploads/{upload.pk}/"))
    assert upload.status == Upload.FAILED
    assert "第1行 C列“人口”：不是本数据集的列" in page
    assert "仅发布" not in page and "修正后重新上传" in page


def test_it_creates_a_dataset_from_the_table_editor(county: County, wuhao: User, tjj: Any) -> None:
    client = client_for(wuhao)
    assert client.get(f"{BASE}new/").status_code == 200
    form = {
        "code": "JIANKANG", "name": "村卫生室", "category": "卫生健康", "department": tjj.pk,
        "frequency": "quarterly", "sharing": "open", "division_level": "village",
        "licence": "CC-BY-4.0", "keywords": "卫生、健康", "description": "",
        "mode": "table",
        "f-name": ["doctors", "grade", ""], "f-title": ["村医人数", "等级", ""],
        "f-type": ["integer", "string", "integer"], "f-unit": ["人", "", ""],
        "f-required": ["1", "", ""], "f-min": ["0", "", ""], "f-max": ["", "", ""],
        "f-enum": ["", "甲、乙", ""], "f-pattern": ["", "", ""], "f-maxlen": ["", "1", ""],
    }  # fmt: skip
    answer = client.post(f"{BASE}new/", form)
    assert answer.status_code == 302
    dataset = Dataset.objects.get(code="JIANKANG")
    assert dataset.value_fields() == [
        {"name": "doctors", "type": "integer", "title": "村医人数", "unit": "人",
         "constraints": {"required": True, "minimum": 0}},
        {"name": "grade", "type": "string", "title": "等级",
         "constraints": {"enum": ["甲", "乙"], "maxLength": 1}},
    ]  # fmt: skip
    assert dataset.keywords == ["卫生", "健康"]


def test_it_takes_a_schema_as_json_and_names_its_problems(wuhao: User, tjj: Any) -> None:
    client = client_for(wuhao)
    form = {
        "code": "J2", "name": "甲", "category": "人口", "department": tjj.pk,
        "frequency": "monthly", "sharing": "open", "division_level": "village",
        "licence": "CC-BY-4.0", "mode": "json",
        "schema_json": json.dumps([{"name": "x", "type": "integer", "constraints": {"minimum": "零"}}]),
    }  # fmt: skip
    answer = client.post(f"{BASE}new/", form)
    assert answer.status_code == 400
    assert "第1个字段“x”：“最小值”应为数字" in text(answer)
    form["schema_json"] = json.dumps({"fields": [{"name": "x", "type": "integer"}]})
    assert client.post(f"{BASE}new/", form).status_code == 302


def test_it_edits_a_dataset_keeping_its_code(wuhao: User, population: Dataset) -> None:
    client = client_for(wuhao)
    page = text(client.get(f"{BASE}CUNRENKOU/edit/"))
    assert 'value="population"' in page and "常住人口" in page
    form = {
        "code": "CHANGED", "name": "村人口月报", "category": "人口与户籍",
        "department": population.department_id, "frequency": "monthly", "sharing": "restricted",
        "division_level": "village", "licence": "CC-BY-4.0", "mode": "json",
        "schema_json": json.dumps(population.value_fields()),
    }  # fmt: skip
    assert client.post(f"{BASE}CUNRENKOU/edit/", form).status_code == 302
    population.refresh_from_db()
    assert (population.code, population.name, population.sharing) == (
        "CUNRENKOU", "村人口月报", "restricted",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("who", "list_", "detail", "upload", "new"),
    [
        ("wuhao", 200, 200, 200, 200),
        ("admin", 200, 200, 200, 200),
        ("sunli", 200, 200, 403, 403),
        ("zhangwei", 200, 200, 403, 403),
        ("zhaomin", 200, 200, 403, 403),
        ("wangfang", 403, 403, 403, 403),
    ],
)
def test_it_lets_each_role_do_what_it_may(
    county: County, wuhao: User, population: Dataset,
    who: str, list_: int, detail: int, upload: int, new: int,
) -> None:  # fmt: skip
    client = client_for(wuhao if who == "wuhao" else getattr(county, who))
    assert client.get(BASE).status_code == list_
    assert client.get(f"{BASE}CUNRENKOU/").status_code == detail
    assert client.get(f"{BASE}CUNRENKOU/upload/").status_code == upload
    assert client.get(f"{BASE}new/").status_code == new


def test_it_hides_a_restricted_dataset_and_its_uploads_from_other_departments(
    county: County, wuhao: User, population: Dataset
) -> None:
    population.sharing = "restricted"
    population.save()
    received = upload_receive(
        dataset=population,
        file=SimpleUploadedFile("m.csv", csv_bytes(f"{DONGSHAN},2025-01,1,1,1")),
        actor=wuhao,
    )
    clerk = client_for(county.zhangwei)
    assert clerk.get(f"{BASE}CUNRENKOU/").status_code == 404
    assert clerk.get(f"{BASE}uploads/{received.pk}/").status_code == 404
    assert clerk.get(f"{BASE}uploads/{received.pk}/raw").status_code == 404
    assert client_for(county.sunli).get(f"{BASE}uploads/{received.pk}/").status_code == 200
    leader = client_for(county.sunli).post(f"{BASE}uploads/{received.pk}/publish")
    assert leader.status_code == 403


def test_it_sends_anonymous_visitors_to_sign_in(population: Dataset) -> None:
    answer = Client().get(f"{BASE}CUNRENKOU/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_it_refuses_a_post_without_its_csrf_token(wuhao: User, population: Dataset) -> None:
    client = client_for(wuhao, enforce_csrf_checks=True)
    answer = post_upload(client, population, csv_bytes(f"{DONGSHAN},2025-01,1,1,1"))
    assert answer.status_code == 403
    assert not Upload.objects.exists()


def test_it_discards_an_upload(wuhao: User, population: Dataset) -> None:
    client = client_for(wuhao)
    post_upload(client, population, csv_bytes(f"{DONGSHAN},2025-01,-1,1,1"))
    upload = Upload.objects.get()
    done = client.post(f"{BASE}uploads/{upload.pk}/discard", follow=True)
    assert "已放弃上传“一月.csv”，原始文件仍保留。" in text(done)
    upload.refresh_from_db()
    assert upload.status == Upload.DISCARDED
