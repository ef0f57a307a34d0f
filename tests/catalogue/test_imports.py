"""The shared apply step: all or nothing, permissions, checks, and the commands."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.factories import item_doc
from zhili.catalogue import imports
from zhili.catalogue.checks import Finding
from zhili.catalogue.imports import catalogue_import, export_items, import_upload
from zhili.catalogue.io_excel import documents_workbook, export_workbook, read_workbook
from zhili.catalogue.io_json import documents_json
from zhili.catalogue.models import ItemVersion, ServiceItem
from zhili.catalogue.services import PublishBlocked

NEW_CODE = item_doc()["impl_code"][:-3] + "002"


def snapshot() -> list[Any]:
    return [
        list(ServiceItem.objects.values_list("impl_code", "current_id", "draft_id")),
        list(ItemVersion.objects.values_list("pk", "status", "document")),
    ]


def import_excel(docs: list[dict[str, Any]], actor: Any, *, publish: bool = True) -> Any:
    return import_upload(
        data=documents_workbook(docs), filename="目录.xlsx", actor=actor, publish=publish
    )


def new_item(**overrides: Any) -> dict[str, Any]:
    return item_doc(impl_code=NEW_CODE, name="食品经营许可（仅销售预包装食品）备案", **overrides)


def test_it_rolls_everything_back_when_a_publish_is_blocked(published_item, county):
    before = snapshot()
    report = import_excel([item_doc(promised_days=2), new_item(promised_days=20)], county.zhaomin)
    assert [str(p) for p in report.problems] == [
        "事项 第3行：[GF001] 承诺办结时限20个工作日超过法定时限15个工作日"
    ]
    assert snapshot() == before


def test_it_undoes_the_writes_already_made_when_publishing_fails_midway(county, monkeypatch):
    publish = imports.item_publish

    def publish_or_block(*, item: ServiceItem, **kwargs: Any) -> ItemVersion:
        if item.impl_code == NEW_CODE:
            raise PublishBlocked([Finding("GF099", "error", "假设的规则不通过")])
        return publish(item=item, **kwargs)

    monkeypatch.setattr(imports, "item_publish", publish_or_block)
    report = import_excel([item_doc(), new_item()], county.zhaomin)
    assert [str(p) for p in report.problems] == ["事项 第3行：[GF099] 假设的规则不通过"]
    assert (ServiceItem.objects.count(), ItemVersion.objects.count()) == (0, 0)


def test_it_reports_a_permission_problem_on_its_row(published_item, county):
    zrzy_item = item_doc(
        impl_code="11330599MB0000002X000445566001001",
        basic_code="000445566001",
        name="不动产首次登记",
        department="ZRZY",
    )
    before = snapshot()
    report = import_excel([zrzy_item, item_doc(promised_days=2), new_item()], county.liuqiang)
    assert [str(p) for p in report.problems] == [
        "事项 第3行 I列（实施主体编码）：该事项属于清溪县市场监督管理局，刘强无权维护",
        "事项 第4行 I列（实施主体编码）：刘强无权维护清溪县市场监督管理局的事项",
    ]
    assert snapshot() == before


def test_it_changes_nothing_when_an_export_is_imported_again(published_item, county):
    data = export_workbook(export_items())
    before = snapshot()
    for actor in (county.zhaomin, county.liuqiang):  # 刘强 may re-import rows he did not touch
        report = import_upload(data=data, filename="目录.xlsx", actor=actor, publish=True)
        assert report.ok
        assert (report.unchanged, report.updated, report.published) == (1, 0, 0)
    assert snapshot() == before


def test_it_publishes_a_changed_item_as_its_next_version(published_item, county):
    report = import_excel([item_doc(promised_days=2)], county.zhaomin, publish=True)
    assert (report.created, report.updated, report.published) == (0, 1, 1)
    assert report.summary() == "导入完成：新增0项，更新1项，未变0项，发布1项"
    published_item.refresh_from_db()
    assert published_item.current.number == 2
    assert published_item.current.document["promised_days"] == 2


def test_it_saves_drafts_and_lists_what_must_be_fixed_before_publishing(county):
    doc = item_doc(promised_days=20, consult_phone="12345")
    report = import_excel([doc], county.zhaomin, publish=False)
    assert report.ok and (report.created, report.published) == (1, 0)
    assert [str(w) for w in report.warnings] == [
        "事项 第2行：[GF001] 承诺办结时限20个工作日超过法定时限15个工作日（发布前须改正）",
        "事项 第2行：[GF007] 咨询电话与监督投诉电话均为12345，投诉应有独立渠道",
    ]
    item = ServiceItem.objects.get()
    assert item.current is None and item.draft.document["promised_days"] == 20


def test_it_refuses_parents_that_are_nowhere_or_go_round(county):
    a = new_item(node_kind="子项", parent_impl_code=item_doc()["impl_code"])
    report = import_excel([a], county.zhaomin)
    assert [str(p) for p in report.problems] == [
        f"事项 第2行 E列（上级事项实施编码）：上级事项“{item_doc()['impl_code']}”"
        "既不在本次导入中，也不在事项库中"
    ]
    b = item_doc(node_kind="子项", parent_impl_code=NEW_CODE)
    report = import_excel([a, b], county.zhaomin)
    assert len(report.problems) == 1
    assert "上级事项形成循环" in str(report.problems[0])


def test_it_points_at_json_paths_without_sources(county):
    report = catalogue_import(
        documents=[item_doc(item_type="许可")], actor=county.zhaomin, publish=True
    )
    assert [p.path for p in report.problems] == ["items[0].item_type"]


def test_it_tells_the_parsed_rows_apart(county):
    parsed = read_workbook(documents_workbook([item_doc(), new_item()]))
    report = catalogue_import(
        documents=parsed.documents,
        actor=county.zhaomin,
        publish=True,
        source_rows=parsed.sources,
        problems=parsed.problems,
    )
    assert report.ok and report.created == 2


def test_it_imports_and_exports_from_the_command_line(published_item, county, tmp_path, capsys):
    out = tmp_path / "目录.json"
    call_command("catalogue_export", "--format", "json", "-o", str(out), "--department", "SCJG")
    body = json.loads(out.read_text(encoding="utf-8"))
    assert [d["impl_code"] for d in body["items"]] == [published_item.impl_code]

    call_command("catalogue_template", "-o", str(tmp_path / "模板.xlsx"))
    assert read_workbook((tmp_path / "模板.xlsx").read_bytes()).problems == []

    changed = tmp_path / "改.json"
    changed.write_text(documents_json([item_doc(promised_days=1)]), encoding="utf-8")
    call_command("catalogue_import", str(changed), "--publish", "--as", "zhaomin")
    assert "更新1项" in capsys.readouterr().out

    bad = tmp_path / "坏.json"
    bad.write_text(documents_json([item_doc(promised_days=1, visits=-1)]), encoding="utf-8")
    with pytest.raises(CommandError, match="导入未执行"):
        call_command("catalogue_import", str(bad), "--as", "liuqiang")
    assert "items[0].visits：不能为负数" in capsys.readouterr().err
    published_item.refresh_from_db()
    assert published_item.current.number == 2


def test_it_keeps_the_raw_file_of_every_import_even_a_failed_one(county):
    import hashlib

    from zhili.catalogue.models import ImportRecord

    data = documents_workbook([new_item(item_type="许可")])
    report = import_upload(
        data=data, filename="市场监管局事项.xlsx", actor=county.zhaomin, publish=True
    )
    assert not report.ok
    record = ImportRecord.objects.get(pk=report.record_id)
    assert record.ok is False and record.actor == county.zhaomin
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    with record.file.open("rb") as f:
        assert f.read() == data
    assert any("事项类型" in p for p in record.problems)
