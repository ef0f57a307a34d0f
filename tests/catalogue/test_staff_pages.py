"""The catalogue back office, as 赵敏 (市场监管局) and 刘强 (自然资源局) use it."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from typing import Any

from django.test import Client
from openpyxl import load_workbook

from tests.factories import item_doc
from zhili.catalogue import schema
from zhili.catalogue.models import ServiceItem
from zhili.catalogue.services import item_draft_save, item_draft_start

CODE_2 = item_doc()["impl_code"][:-3] + "002"


def form_data(doc: dict[str, Any], *, note: str = "", **extra: Any) -> dict[str, Any]:
    """What a browser posts for ``doc`` from the editor: rows named 0, 1, 2 …"""
    data: dict[str, Any] = {"note": note}

    def put(name: str, f: schema.Field, value: Any) -> None:
        if f.kind == "bool":
            if value:
                data[name] = "on"
        elif f.kind == "choices":
            data[name] = list(value)
        elif f.kind == "list":
            data[name] = "\n".join(value)
        else:
            data[name] = "" if value is None else str(value)

    for f in schema.ITEM_FIELDS:
        put(f.key, f, doc[f.key])
    for part in schema.PARTS:
        rows = doc[part.key]
        data[f"{part.key}-row"] = [str(i) for i in range(len(rows))]
        for i, row in enumerate(rows):
            for f in part.fields:
                put(f"{part.key}-{i}-{f.key}", f, row[f.key])
    data.update(extra)
    return data


class _ById(HTMLParser):
    """The text inside the element with a given id."""

    VOID = frozenset({"input", "br", "img", "meta", "link", "hr", "source", "col", "wbr"})

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target
        self.depth = 0
        self.text: list[str] = []
        self.values: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if self.depth == 0 and a.get("id") == self.target:
            self.depth = 1 if tag not in self.VOID else 0
            return
        if self.depth:
            if tag == "input" and a.get("value") is not None:
                self.values.append(a["value"] or "")
            if tag not in self.VOID:
                self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in self.VOID:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)


def inside(html: bytes | str, element_id: str) -> tuple[str, list[str]]:
    """(text, input values) of the element with ``element_id``."""
    parser = _ById(element_id)
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return "".join(parser.text), parser.values


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ---- 赵敏's story ----


def test_it_lets_zhaomin_fix_a_field_publish_twice_and_compare(county):
    zhaomin = signed_in(county.zhaomin)
    doc = item_doc()
    page = zhaomin.get("/staff/items/new")
    assert page.status_code == 200 and "新建事项" in page.content.decode()

    # A negative statutory limit: the message is Chinese and sits in that field's box.
    response = zhaomin.post(
        "/staff/items/new", form_data(doc, statutory_days="-1", conditions="我刚打的字")
    )
    assert response.status_code == 200
    text, values = inside(response.content, "f-statutory_days")
    assert "不能为负数" in text and values == ["-1"]
    assert "“法定办结时限（工作日）”" in response.content.decode()
    assert "我刚打的字" in inside(response.content, "f-conditions")[0]
    assert not ServiceItem.objects.exists()

    response = zhaomin.post("/staff/items/new", form_data(doc, note="首次录入"))
    assert response.status_code == 302
    item = ServiceItem.objects.get()
    assert response["Location"] == f"/staff/items/{item.impl_code}/edit"
    assert item.draft.document == schema.normalize(doc)

    response = zhaomin.post(f"/staff/items/{item.impl_code}/publish", {"note": "首次发布"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.current.number == 1 and item.current.note == "首次发布"

    assert zhaomin.post(f"/staff/items/{item.impl_code}/draft/start").status_code == 302
    edit = zhaomin.get(f"/staff/items/{item.impl_code}/edit")
    assert "草稿第2版" in edit.content.decode()
    response = zhaomin.post(
        f"/staff/items/{item.impl_code}/edit", form_data(doc, promised_days="1", note="压缩时限")
    )
    assert response.status_code == 302
    response = zhaomin.post(f"/staff/items/{item.impl_code}/publish", {"note": ""})
    item.refresh_from_db()
    assert item.current.number == 2 and item.current.note == "压缩时限"

    page = zhaomin.get(f"/staff/items/{item.impl_code}/compare?a=1&b=2").content.decode()
    assert "变更位置" in page and "原内容" in page and "新内容" in page
    assert "承诺办结时限（工作日）" in page
    assert '<tr class="diff diff--changed">' in page
    detail = zhaomin.get(f"/staff/items/{item.impl_code}/").content.decode()
    assert "压缩时限" in detail and "首次发布" in detail and "赵敏" in detail


def test_it_shows_a_material_row_error_in_that_row_and_keeps_the_rows(county):
    zhaomin = signed_in(county.zhaomin)
    doc = item_doc()
    data = form_data(doc)
    data["materials-1-necessity"] = ""
    data["materials-3-name"] = "改过的名字"
    response = zhaomin.post("/staff/items/new", data)
    assert response.status_code == 200
    row, _ = inside(response.content, "row-materials-1")
    assert "必填" in row
    assert "申请材料第2条“必要性”" in response.content.decode()
    _, values = inside(response.content, "row-materials-3")
    assert "改过的名字" in values


def test_it_shows_the_check_findings_beside_the_form(county, published_item):
    zhaomin = signed_in(county.zhaomin)
    item_draft_start(item=published_item, actor=county.zhaomin)
    published_item.refresh_from_db()
    item_draft_save(document=item_doc(promised_days=20), actor=county.zhaomin, item=published_item)
    page = zhaomin.get(f"/staff/items/{published_item.impl_code}/edit").content.decode()
    assert "GF001" in page and "承诺时限超过法定时限" in page and "错误" in page


def test_it_refuses_to_publish_a_draft_with_errors_and_says_why(county):
    zhaomin = signed_in(county.zhaomin)
    draft = item_draft_save(document=item_doc(promised_days=20), actor=county.zhaomin)
    response = zhaomin.post(f"/staff/items/{draft.item.impl_code}/publish", {"note": "试试"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "未能发布" in page and "GF001" in page
    draft.item.refresh_from_db()
    assert draft.item.current is None


def test_it_compares_the_draft_with_the_current_version(county, published_item):
    zhaomin = signed_in(county.zhaomin)
    item_draft_start(item=published_item, actor=county.zhaomin)
    published_item.refresh_from_db()
    doc = item_doc()
    del doc["materials"][3]
    item_draft_save(document=doc, actor=county.zhaomin, item=published_item)
    page = zhaomin.get(f"/staff/items/{published_item.impl_code}/compare").content.decode()
    assert "草稿（第2版）" in page
    assert '<tr class="diff diff--removed">' in page and "房屋租赁合同" in page


def test_it_says_404_for_a_version_that_does_not_exist(county, published_item):
    zhaomin = signed_in(county.zhaomin)
    url = f"/staff/items/{published_item.impl_code}/compare?a=1&b=7"
    assert zhaomin.get(url).status_code == 404


def test_it_discards_a_draft_and_keeps_the_published_version(county, published_item):
    zhaomin = signed_in(county.zhaomin)
    zhaomin.post(f"/staff/items/{published_item.impl_code}/draft/start")
    response = zhaomin.post(f"/staff/items/{published_item.impl_code}/draft/discard")
    assert response.status_code == 302
    published_item.refresh_from_db()
    assert published_item.draft is None and published_item.current.number == 1


def test_it_refuses_a_new_item_with_a_code_already_taken(county, published_item):
    zhaomin = signed_in(county.zhaomin)
    response = zhaomin.post("/staff/items/new", form_data(item_doc(name="另一个")))
    assert response.status_code == 200
    assert "已有事项使用这个实施编码" in inside(response.content, "f-impl_code")[0]
    published_item.refresh_from_db()
    assert published_item.draft is None


def test_it_keeps_the_impl_code_of_an_existing_item(county, published_item):
    zhaomin = signed_in(county.zhaomin)
    data = form_data(item_doc(), impl_code="SOMETHING-ELSE")
    response = zhaomin.post(f"/staff/items/{published_item.impl_code}/edit", data)
    assert response.status_code == 302
    published_item.refresh_from_db()
    assert published_item.draft.document["impl_code"] == published_item.impl_code


# ---- rows without scripts ----


def test_it_moves_a_row_up_without_javascript_and_saves_nothing(county, published_item):
    zhaomin = signed_in(county.zhaomin)
    url = f"/staff/items/{published_item.impl_code}/edit"
    response = zhaomin.post(url, form_data(item_doc(), _op="steps:2:up"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index('name="steps-row" value="2"') < page.index('name="steps-row" value="1"')
    published_item.refresh_from_db()
    assert published_item.draft is None


def test_it_saves_rows_in_the_order_they_are_posted(county, published_item):
    zhaomin = signed_in(county.zhaomin)
    data = form_data(item_doc())
    data["steps-row"] = ["2", "0", "1"]
    response = zhaomin.post(f"/staff/items/{published_item.impl_code}/edit", data)
    assert response.status_code == 302
    published_item.refresh_from_db()
    steps = [s["name"] for s in published_item.draft.document["steps"]]
    assert steps == ["决定", "受理", "审查"]


def test_it_adds_and_removes_rows_without_javascript(county, published_item):
    zhaomin = signed_in(county.zhaomin)
    url = f"/staff/items/{published_item.impl_code}/edit"
    page = zhaomin.post(url, form_data(item_doc(), _op="fees:add")).content.decode()
    assert 'name="fees-row" value="0"' in page and 'name="fees-0-name"' in page
    page = zhaomin.post(url, form_data(item_doc(), _op="places:0:remove")).content.decode()
    assert 'name="places-row" value="0"' not in page


def test_it_leaves_out_rows_left_blank(county, published_item):
    zhaomin = signed_in(county.zhaomin)
    data = form_data(item_doc())
    data["fees-row"] = ["0"]
    data["fees-0-name"] = "  "
    response = zhaomin.post(f"/staff/items/{published_item.impl_code}/edit", data)
    assert response.status_code == 302
    published_item.refresh_from_db()
    assert published_item.draft.document["fees"] == []


# ---- 刘强 and jurisdiction ----


def test_it_keeps_liuqiang_out_of_zhaomins_items(county, published_item):
    liuqiang = signed_in(county.liuqiang)
    response = liuqiang.get(f"/staff/items/{published_item.impl_code}/edit")
    assert response.status_code == 403
    assert "无权" in response.content.decode()
    listing = liuqiang.get("/staff/items/").content.decode()
    assert published_item.name not in listing
    assert published_item.name in signed_in(county.zhaomin).get("/staff/items/").content.decode()


def test_it_offers_an_officer_only_their_own_departments(county):
    page = signed_in(county.liuqiang).get("/staff/items/new").content.decode()
    department_box, _ = inside(page, "f-department")
    assert "自然资源" in department_box and "市场监督" not in department_box


def test_it_lets_the_leader_read_but_not_edit(county, published_item):
    sunli = signed_in(county.sunli)
    page = sunli.get(f"/staff/items/{published_item.impl_code}/").content.decode()
    assert "开始修订" not in page and "只有清溪县市场监督管理局的事项管理员" in page


# ---- the list, the dashboard, the report ----


def test_it_filters_the_list_by_status_errors_and_name(county, published_item):
    item_draft_save(
        document=item_doc(impl_code=CODE_2, name="个体工商户注销登记", promised_days=20),
        actor=county.zhaomin,
    )
    zhaomin = signed_in(county.zhaomin)

    def names(query: str) -> set[str]:
        page = zhaomin.get("/staff/items/?" + query).content.decode()
        return {n for n in ("个体工商户设立登记", "个体工商户注销登记") if n in page}

    assert names("") == {"个体工商户设立登记", "个体工商户注销登记"}
    assert names("status=published") == {"个体工商户设立登记"}
    assert names("status=never") == {"个体工商户注销登记"}
    assert names("has_errors=on") == {"个体工商户注销登记"}
    assert names("q=注销") == {"个体工商户注销登记"}
    assert names(f"q={CODE_2[-6:]}") == {"个体工商户注销登记"}
    assert names("department=ZRZY") == set()


def test_it_counts_items_drafts_and_defects_on_the_dashboard(county, published_item):
    item_draft_save(
        document=item_doc(impl_code=CODE_2, name="个体工商户注销登记", promised_days=20),
        actor=county.zhaomin,
    )
    response = signed_in(county.zhaomin).get("/staff/")
    departments, total = response.context["departments"], response.context["total"]
    assert [d.department.code for d in departments] == ["SCJG"]
    assert (total.items, total.published, total.drafts, total.with_errors) == (2, 1, 1, 1)


def test_it_reports_defects_by_rule_and_downloads_them(county, published_item):
    item_draft_save(
        document=item_doc(impl_code=CODE_2, name="个体工商户注销登记", promised_days=20),
        actor=county.zhaomin,
    )
    zhaomin = signed_in(county.zhaomin)
    page = zhaomin.get("/staff/checks/").content.decode()
    assert "清溪县市场监督管理局" in page and "GF001" in page and "个体工商户注销登记" in page
    (report,) = zhaomin.get("/staff/checks/").context["reports"]
    assert [(g.rule.code, g.items) for g in report.groups] == [("GF001", 1)]

    response = zhaomin.get("/staff/checks/report.csv?department=SCJG")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("部门,规则编号")
    assert "GF001" in text and CODE_2 in text


# ---- import and export ----


def test_it_exports_a_workbook_that_imports_back_unchanged(county, published_item):
    zhaomin = signed_in(county.zhaomin)
    response = zhaomin.get("/staff/io/export?format=xlsx&department=SCJG")
    assert response.status_code == 200
    upload = io.BytesIO(response.content)
    upload.name = "scjg.xlsx"
    response = zhaomin.post("/staff/io/import", {"file": upload, "note": ""})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.ok and report.unchanged == 1
    assert "导入完成" in response.content.decode()


def test_it_shows_every_import_problem_with_sheet_row_and_column(county, published_item):
    zhaomin = signed_in(county.zhaomin)
    workbook = load_workbook(io.BytesIO(zhaomin.get("/staff/io/export").content))
    sheet = workbook["材料"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=3, column=header.index("必要性") + 1, value="可选")
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    out.name = "broken.xlsx"
    response = zhaomin.post("/staff/io/import", {"file": out, "publish": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "导入未执行" in page
    assert "<td>材料</td>" in page and "必要性" in page and "“可选”不是可选值" in page


def test_it_exports_json_of_the_departments_in_scope(county, published_item):
    response = signed_in(county.liuqiang).get("/staff/io/export?format=json")
    assert response.status_code == 200
    assert '"items": []' in response.content.decode()
    response = signed_in(county.zhaomin).get("/staff/io/export?format=json")
    assert published_item.impl_code in response.content.decode()


def test_it_refuses_liuqiang_an_import_of_zhaomins_items(county, published_item):
    zhaomin, liuqiang = signed_in(county.zhaomin), signed_in(county.liuqiang)
    exported = zhaomin.get("/staff/io/export?format=json").content.decode()
    upload = io.BytesIO(exported.replace('"promised_days": 3', '"promised_days": 2').encode())
    upload.name = "scjg.json"
    response = liuqiang.post("/staff/io/import", {"file": upload})
    report = response.context["report"]
    assert not report.ok
    assert "无权维护" in response.content.decode()
    published_item.refresh_from_db()
    assert published_item.draft is None


def test_it_asks_for_a_file_to_import(county):
    response = signed_in(county.zhaomin).post("/staff/io/import", {"note": "空"})
    assert response.status_code == 200
    assert "请选择要导入的文件" in response.content.decode()


def test_it_starts_over_from_the_codes_when_a_first_draft_was_discarded(county):
    zhaomin = signed_in(county.zhaomin)
    draft = item_draft_save(document=item_doc(), actor=county.zhaomin)
    code = draft.item.impl_code
    assert zhaomin.post(f"/staff/items/{code}/draft/discard").status_code == 302
    assert zhaomin.get(f"/staff/items/{code}/").status_code == 200
    _, values = inside(zhaomin.get(f"/staff/items/{code}/edit").content, "f-impl_code")
    assert values == [code]


def test_it_says_when_there_is_nothing_to_compare(county, published_item):
    page = signed_in(county.zhaomin).get(f"/staff/items/{published_item.impl_code}/compare")
    assert page.status_code == 200 and "还没有可比较的版本" in page.content.decode()


def test_it_lists_zhaomins_imports_and_gives_back_the_raw_file(client, county, published_item):
    from zhili.catalogue.imports import import_upload
    from zhili.catalogue.io_json import export_json

    data = export_json([published_item]).encode()
    report = import_upload(
        data=data, filename="市场监管局.json", actor=county.zhaomin, publish=False
    )
    client.force_login(county.zhaomin)
    page = client.get("/staff/io/").content.decode()
    assert "导入记录" in page and "市场监管局.json" in page
    raw = client.get(f"/staff/io/imports/{report.record_id}/file")
    assert b"".join(raw.streaming_content) == data
