"""The catalogue as JSON, for the province's platform and other integrations."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.factories import item_doc
from zhili.catalogue.imports import export_items, import_upload
from zhili.catalogue.io_json import documents_json, export_json, read_json
from zhili.catalogue.models import ItemVersion, ServiceItem


def upload(text: str | bytes, actor: Any, *, publish: bool = True) -> Any:
    data = text.encode() if isinstance(text, str) else text
    return import_upload(data=data, filename="目录.json", actor=actor, publish=publish)


def child_doc(parent: dict[str, Any]) -> dict[str, Any]:
    return item_doc(
        impl_code=parent["impl_code"][:-3] + "002",
        name="个体工商户变更登记",
        node_kind="业务办理项",
        business_kind="变更",
        parent_impl_code=parent["impl_code"],
    )


def test_it_exports_deterministic_readable_json(published_item):
    text = export_json(export_items())
    body = json.loads(text)
    assert (body["format"], body["version"]) == ("zhili-catalogue", 1)
    assert [d["impl_code"] for d in body["items"]] == [published_item.impl_code]
    assert "个体工商户设立登记" in text
    assert list(body["items"][0])[:3] == ["impl_code", "basic_code", "name"]


def test_it_round_trips_the_catalogue_through_json(county):
    parent = item_doc()
    assert upload(documents_json([child_doc(parent), parent]), county.zhaomin).ok
    first = export_json(export_items())
    ServiceItem.objects.update(current=None, draft=None, parent=None)
    ItemVersion.objects.all().delete()
    ServiceItem.objects.all().delete()
    report = upload(first, county.admin)
    assert report.ok and report.published == 2
    assert export_json(export_items()).encode() == first.encode()


def test_it_reports_a_syntax_error_with_line_and_column(db):
    text = '{\n  "format": "zhili-catalogue"\n  "version": 1\n}'
    (problem,) = upload(text, None).problems
    assert str(problem) == "JSON 语法错误（第3行第3列）：缺少逗号"
    assert problem.row == 3


def test_it_points_at_the_json_path_of_each_wrong_value(county):
    bad = item_doc(statutory_days="15", materail=[])
    bad["materials"][1]["necessity"] = "可选"
    bad["steps"][0] = "受理"
    body = {"format": "zhili-catalogue", "version": 1, "items": [item_doc(), bad, "个体户"]}
    report = upload(json.dumps(body, ensure_ascii=False), county.zhaomin)
    assert sorted(str(p) for p in report.problems) == sorted(
        [
            "items[1].statutory_days：应为整数",
            "items[1].materail：不认识的字段",
            "items[1].materials[1].necessity：“可选”不是可选值（可选：必要、非必要、容缺后补）",
            "items[1].steps[0]：应为对象",
            "items[1].impl_code：实施编码“11330599MB0000001U000112233001001”重复（items[0]已有）",
            "items[2]：应为对象",
        ]
    )
    assert ServiceItem.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的"),
        (b"\xff\xfe{}", "文件不是 UTF-8 编码的文本（第1个字节无法解码）"),
        (
            b'{"format": "ckan", "items": []}',
            "format：应为“zhili-catalogue”，这不是智理事项目录文件",
        ),
        (
            b'{"format": "zhili-catalogue", "version": 2, "items": []}',
            "version：不支持的版本 2（支持：1）",
        ),
        (b"[1, 2]", '应为 JSON 对象：{"format": …, "items": […]}'),
    ],
    ids=["empty", "not-utf8", "other-format", "future-version", "array"],
)
def test_it_refuses_a_file_that_is_not_a_zhili_catalogue(db, data, message):
    (problem,) = upload(data, None).problems
    assert str(problem) == message


def test_it_reads_what_it_writes():
    docs = [item_doc()]
    parsed = read_json(documents_json(docs))
    assert parsed.problems == []
    assert parsed.documents == docs
