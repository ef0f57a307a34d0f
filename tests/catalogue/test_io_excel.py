"""The Excel template 赵敏 of 市场监管局 fills in, and what 智理 makes of it."""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.factories import item_doc
from zhili.catalogue import schema
from zhili.catalogue.imports import export_items, import_upload
from zhili.catalogue.io_excel import (
    NOT_XLSX,
    documents_workbook,
    export_workbook,
    read_workbook,
    template_markdown,
    template_workbook,
)
from zhili.catalogue.models import ItemVersion, ServiceItem

PARENT = item_doc()
CHILD = item_doc(
    impl_code=PARENT["impl_code"][:-3] + "002",
    name="个体工商户变更登记",
    node_kind="业务办理项",
    business_kind="变更",
    parent_impl_code=PARENT["impl_code"],
    is_free=False,
    fees=[{"name": "工本费", "standard": "10元/件", "basis": "浙价费〔2020〕1号", "waiver": ""}],
)


def edit(data: bytes, changes: dict[str, dict[str, Any]]) -> bytes:
    """The workbook with cells changed, by row and header: {"材料": {(3, "必要性"): "可选"}}."""
    wb = load_workbook(BytesIO(data))
    for sheet, cells in changes.items():
        ws = wb[sheet]
        headers = [c.value for c in ws[1]]
        for (row, label), value in cells.items():
            ws.cell(row=row, column=headers.index(label) + 1, value=value)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def cell_values(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    wb = load_workbook(BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def snapshot() -> list[Any]:
    return [
        list(ServiceItem.objects.values_list("impl_code", "current_id", "draft_id")),
        list(ItemVersion.objects.values_list("pk", "status", "document")),
    ]


def wipe_catalogue() -> None:
    """An empty catalogue with the same departments (bulk deletes skip the version guard)."""
    ServiceItem.objects.update(current=None, draft=None, parent=None)
    ItemVersion.objects.all().delete()
    ServiceItem.objects.all().delete()


def upload(data: bytes, actor: Any, *, publish: bool = True) -> Any:
    return import_upload(data=data, filename="目录.xlsx", actor=actor, publish=publish)


def test_it_writes_a_template_with_every_sheet_and_header():
    wb = load_workbook(BytesIO(template_workbook()))
    assert wb.sheetnames == ["事项", "情形", "材料", "依据", "环节", "收费", "地点", "说明"]
    assert [c.value for c in wb["事项"][1]] == [f.label for f in schema.ITEM_FIELDS]
    for part in schema.PARTS:
        ws = wb[part.sheet]
        assert [c.value for c in ws[1]] == ["实施编码", *(f.label for f in part.fields)]
        assert ws.freeze_panes == "B2"
    assert wb["事项"].freeze_panes == "D2"
    lists = {dv.formula1 for dv in wb["材料"].data_validations.dataValidation}
    assert '"必要,非必要,容缺后补"' in lists
    explained = {(r[0], r[2]): r for r in wb["说明"].iter_rows(values_only=True)}
    assert explained[("材料", "必要性")][5] == "必要、非必要、容缺后补"
    assert "A:本人办理" in explained[("情形", "选项")][6]
    empty = read_workbook(template_workbook())
    assert (empty.documents, empty.problems) == ([], [])


def test_it_imports_and_publishes_a_valid_workbook(county):
    # The child comes first in the file: its parent must still be published first.
    report = upload(documents_workbook([CHILD, PARENT]), county.zhaomin)
    assert report.ok, [str(p) for p in report.problems]
    assert (report.created, report.updated, report.published) == (2, 0, 2)
    child = ServiceItem.objects.get(impl_code=CHILD["impl_code"])
    assert child.parent.impl_code == PARENT["impl_code"]
    assert child.current.document == schema.normalize(CHILD)
    assert child.current.published_by == county.zhaomin


def test_it_reports_every_error_with_sheet_row_and_column_and_changes_nothing(
    published_item, county
):
    data = documents_workbook([item_doc(promised_days=2), CHILD])
    data = edit(
        data,
        {
            "材料": {(3, "必要性"): "可选"},
            "事项": {(3, "法定办结时限（工作日）"): "十五", (2, "事项类型"): "许可"},
            "环节": {(3, "时限（工作日）"): 1.5},
            "情形": {(6, "实施编码"): "NOPE", (6, "情形编号"): "S9", (6, "选项"): "A:是"},
        },
    )
    before = snapshot()
    report = upload(data, county.zhaomin)
    assert not report.ok
    assert sorted(str(p) for p in report.problems) == sorted(
        [
            "材料 第3行 F列（必要性）：“可选”不是可选值（可选：必要、非必要、容缺后补）",
            "事项 第3行 N列（法定办结时限（工作日））：“十五”不是整数，请填写阿拉伯数字，如 15",
            "事项 第2行 G列（事项类型）：“许可”不是可选值（可选："
            + "、".join(schema.ITEM_TYPES)
            + "）",
            "环节 第3行 D列（时限（工作日））：“1.5”不是整数",
            "情形 第6行 A列（实施编码）：实施编码“NOPE”不在“事项”表中",
        ]
    )
    assert {p.document for p in report.problems} == {0, 1, None}  # None: 情形 of no item
    assert snapshot() == before
    assert report.summary() == "导入未执行：发现5个问题，目录未作任何修改"


def test_it_reads_cells_the_way_officers_type_them():
    data = documents_workbook([item_doc()])
    data = edit(
        data,
        {
            "事项": {
                (2, "服务对象"): "自然人、法人",
                (2, "支持的办理方式"): "网上预约;物流快递\n掌上办",
                (2, "法定办结时限（工作日）"): "15",
                (2, "承诺办结时限（工作日）"): 3.0,
                (2, "俗称与关键词"): "开个小店、个体户执照；个体户",
            },
            "情形": {(2, "选项"): "A：经营者本人、B : 委托他人代办"},
            "材料": {(4, "适用情形"): "S1 ＝ B"},
        },
    )
    wb = load_workbook(BytesIO(data))
    wb["材料"].insert_rows(3)  # a blank row between two materials
    wb["材料"]["C3"] = "   "
    out = BytesIO()
    wb.save(out)
    parsed = read_workbook(out.getvalue())
    assert parsed.problems == []
    (doc,) = parsed.documents
    doc = schema.normalize(doc)
    assert doc["service_objects"] == ["自然人", "法人"]
    assert doc["supports"] == ["网上预约", "物流快递", "掌上办"]
    assert (doc["statutory_days"], doc["promised_days"]) == (15, 3)
    assert doc["keywords"] == ["开个小店、个体户执照", "个体户"]
    assert doc["situations"][0]["options"] == ["A:经营者本人", "B:委托他人代办"]
    assert [m["code"] for m in doc["materials"]] == ["M1", "M2", "M3", "M4"]
    assert doc["materials"][2]["when"] == ["S1=B"]
    assert parsed.sources.part_rows[0]["materials"] == [2, 4, 5, 6]


def test_it_round_trips_the_catalogue_through_excel(county):
    upload(documents_workbook([PARENT, CHILD]), county.zhaomin)
    first = export_workbook(export_items())
    wipe_catalogue()
    report = upload(first, county.admin)
    assert report.ok and report.published == 2
    second = export_workbook(export_items())
    assert cell_values(second) == cell_values(first)
    docs = [i.current.document for i in export_items()]
    assert docs == [schema.normalize(PARENT), schema.normalize(CHILD)]


def _zip_of_text() -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "不是表格")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的"),
        (b"\x00garbage\xff" * 40, NOT_XLSX),
        (_zip_of_text(), NOT_XLSX),
        (b"PK\x03\x04" + b"\x00" * 60, NOT_XLSX),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "这是旧版 Excel（.xls）文件"),
    ],
    ids=["empty", "garbage", "zip-of-text", "broken-zip", "xls"],
)
def test_it_says_a_file_is_not_a_workbook(db, data, message):
    report = upload(data, None)
    (problem,) = report.problems
    assert str(problem).startswith(message)
    assert ServiceItem.objects.count() == 0


def test_it_reports_unknown_sheets_missing_headers_and_duplicate_codes(county):
    wb = load_workbook(BytesIO(documents_workbook([item_doc()])))
    wb.create_sheet("材料清单")["A1"] = "身份证"
    wb["材料"]["C1"] = None  # 材料名称 header deleted
    wb["事项"].append([c.value for c in wb["事项"][2]])
    wb["事项"]["AB1"] = "备注"
    wb["事项"]["AB2"] = "请尽快"
    del wb["收费"]
    out = BytesIO()
    wb.save(out)
    report = upload(out.getvalue(), county.zhaomin)
    impl = PARENT["impl_code"]
    assert sorted(str(p) for p in report.problems) == sorted(
        [
            "材料清单：不认识的工作表“材料清单”（应为：事项、情形、材料、依据、环节、收费、地点、说明）",
            "收费：缺少工作表“收费”（没有内容时保留表头即可）",
            "材料 第1行（材料名称）：缺少必填列（第1行应为表头）",
            f"事项 第3行 A列（实施编码）：实施编码“{impl}”与第2行重复",
        ]
    )
    assert [str(w) for w in report.warnings] == [
        "事项 第1行 AB列（备注）：不认识的列“备注”，该列内容未导入"
    ]


def test_it_keeps_text_that_looks_like_a_formula_as_text():
    doc = item_doc(result_sample='=HYPERLINK("http://example.com")')
    data = documents_workbook([doc])
    ws = load_workbook(BytesIO(data))["事项"]
    headers = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=headers.index("审批结果样本") + 1)
    assert cell.data_type == "s"
    (read,) = read_workbook(data).documents
    assert read["result_sample"] == doc["result_sample"]


def test_it_documents_every_column():
    docs = Path(__file__).resolve().parents[2] / "docs" / "catalogue-template.md"
    assert template_markdown() in docs.read_text(encoding="utf-8"), (
        "docs/catalogue-template.md is stale: regenerate its column reference with "
        "`zhili catalogue_template --markdown`"
    )


def test_it_runs_no_checks_on_an_item_with_a_cell_it_could_not_read(county):
    # Left out, 到办事现场次数 would read as 0 and GF005 would blame a zero-visit item.
    doc = item_doc(online_depth="二级（表格下载）", supports=[], visits=1, visits_reason="核验原件")
    data = edit(documents_workbook([doc]), {"事项": {(2, "到办事现场次数"): "一次"}})
    report = upload(data, county.zhaomin, publish=False)
    assert [str(p) for p in report.problems] == [
        "事项 第2行 T列（到办事现场次数）：“一次”不是整数，请填写阿拉伯数字，如 15"
    ]
    assert report.warnings == []
