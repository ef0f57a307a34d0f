"""Who may open or post to each page of the catalogue back office: role × endpoint.

The item is 赵敏's 个体工商户设立登记 of 市场监管局, published, with a draft open.
刘强 keeps 自然资源局's items; 张伟 (hall clerk) and 孙丽 (leader) serve the whole
county and may read its items; 李娜 serves 东山村, where no department sits.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.catalogue.test_staff_pages import form_data
from tests.factories import item_doc
from zhili.catalogue.imports import import_upload
from zhili.catalogue.io_json import export_json
from zhili.catalogue.models import ServiceItem
from zhili.catalogue.services import item_draft_start

ROLES = ["anonymous", "wangfang", "zhangwei", "lina", "sunli", "zhaomin", "liuqiang", "admin"]
NEW_CODE = item_doc()["impl_code"][:-3] + "009"


def _upload(item: ServiceItem) -> dict[str, Any]:
    f = io.BytesIO(export_json([item]).encode())
    f.name = "items.json"
    return {"file": f, "note": ""}


Body = Callable[[ServiceItem], dict[str, Any]]
R, W = 200, 302  # a page read; a write that redirects to what it wrote
# name: (method, path, body, {role: status}); 403 is the refusal page, 302 for
# anonymous is the login redirect (checked below).
TABLE: dict[str, tuple[str, str, Body | None, dict[str, int]]] = {
    "dashboard": ("get", "/staff/", None,
        dict(wangfang=403, zhangwei=R, lina=R, sunli=R, zhaomin=R, liuqiang=R, admin=R)),
    "item_list": ("get", "/staff/items/", None,
        dict(wangfang=403, zhangwei=R, lina=R, sunli=R, zhaomin=R, liuqiang=R, admin=R)),
    "item_new": ("get", "/staff/items/new", None,
        dict(wangfang=403, zhangwei=403, lina=403, sunli=403, zhaomin=R, liuqiang=R, admin=R)),
    # 刘强 may create items, but only for 自然资源局: the form says so (200, no item).
    "item_new_post": ("post", "/staff/items/new",
        lambda item: form_data(item_doc(impl_code=NEW_CODE)),
        dict(wangfang=403, zhangwei=403, lina=403, sunli=403, zhaomin=W, liuqiang=R, admin=W)),
    "item_detail": ("get", "/staff/items/{code}/", None,
        dict(wangfang=403, zhangwei=R, lina=403, sunli=R, zhaomin=R, liuqiang=403, admin=R)),
    "item_edit": ("get", "/staff/items/{code}/edit", None,
        dict(wangfang=403, zhangwei=403, lina=403, sunli=403, zhaomin=R, liuqiang=403, admin=R)),
    "item_edit_post": ("post", "/staff/items/{code}/edit",
        lambda item: form_data(item_doc(promised_days=2)),
        dict(wangfang=403, zhangwei=403, lina=403, sunli=403, zhaomin=W, liuqiang=403, admin=W)),
    "item_compare": ("get", "/staff/items/{code}/compare?a=1&b=draft", None,
        dict(wangfang=403, zhangwei=R, lina=403, sunli=R, zhaomin=R, liuqiang=403, admin=R)),
    "item_draft_start": ("post", "/staff/items/{code}/draft/start", lambda item: {},
        dict(wangfang=403, zhangwei=403, lina=403, sunli=403, zhaomin=W, liuqiang=403, admin=W)),
    "item_draft_discard": ("post", "/staff/items/{code}/draft/discard", lambda item: {},
        dict(wangfang=403, zhangwei=403, lina=403, sunli=403, zhaomin=W, liuqiang=403, admin=W)),
    "item_publish": ("post", "/staff/items/{code}/publish", lambda item: {"note": "表格测试"},
        dict(wangfang=403, zhangwei=403, lina=403, sunli=403, zhaomin=W, liuqiang=403, admin=W)),
    "checks": ("get", "/staff/checks/", None,
        dict(wangfang=403, zhangwei=R, lina=R, sunli=R, zhaomin=R, liuqiang=R, admin=R)),
    "checks_csv": ("get", "/staff/checks/report.csv", None,
        dict(wangfang=403, zhangwei=R, lina=R, sunli=R, zhaomin=R, liuqiang=R, admin=R)),
    "io": ("get", "/staff/io/", None,
        dict(wangfang=403, zhangwei=R, lina=R, sunli=R, zhaomin=R, liuqiang=R, admin=R)),
    # 刘强's import of 市场监管局's item is refused item by item, in the report (200).
    "io_import": ("post", "/staff/io/import", _upload,
        dict(wangfang=403, zhangwei=403, lina=403, sunli=403, zhaomin=R, liuqiang=R, admin=R)),
    # The raw file of 赵敏's import: hers and the administrator's to read; 404 for the rest.
    "io_import_file": ("get", "/staff/io/imports/{import_id}/file", None,
        dict(wangfang=403, zhangwei=404, lina=404, sunli=404, zhaomin=R, liuqiang=404, admin=R)),
    "io_export": ("get", "/staff/io/export?format=xlsx", None,
        dict(wangfang=403, zhangwei=R, lina=R, sunli=R, zhaomin=R, liuqiang=R, admin=R)),
    "io_template": ("get", "/staff/io/template.xlsx", None,
        dict(wangfang=403, zhangwei=R, lina=R, sunli=R, zhaomin=R, liuqiang=R, admin=R)),
}  # fmt: skip

CASES = [pytest.param(name, role, id=f"{name}-{role}") for name in TABLE for role in ROLES]


@pytest.fixture
def item(published_item: ServiceItem, county: Any) -> ServiceItem:
    item_draft_start(item=published_item, actor=county.zhaomin)
    published_item.refresh_from_db()
    return published_item


@pytest.fixture
def import_id(item: ServiceItem, county: Any) -> int:
    """赵敏 re-imported her department's export once."""
    data = export_json([item]).encode()
    report = import_upload(
        data=data, filename="市场监管局.json", actor=county.zhaomin, publish=False
    )
    assert report.record_id is not None
    return report.record_id


def _client(county: Any, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(county, role))
    return client


@pytest.mark.parametrize(("name", "role"), CASES)
def test_it_answers_each_role_as_the_table_says(county, item, import_id, name, role):
    method, path, body, expected = TABLE[name]
    url = path.format(code=item.impl_code, import_id=import_id)
    client = _client(county, role)
    if method == "get":
        response = client.get(url)
    else:
        assert body is not None
        response = client.post(url, body(item))
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=/staff/")
        return
    assert response.status_code == expected[role], response.content.decode()[:2000]
    if expected[role] == 403:
        assert "无权访问" in response.content.decode()


def test_the_table_covers_every_staff_url():
    from zhili.catalogue import staff_urls

    names = {p.name for p in staff_urls.urlpatterns}
    covered = {name.removesuffix("_post") for name in TABLE}
    assert names == covered


def test_it_writes_nothing_when_refused(county, item):
    before = list(item.versions.values_list("pk", "status", "number"))
    for role in ["wangfang", "zhangwei", "sunli", "liuqiang"]:
        client = _client(county, role)
        client.post(f"/staff/items/{item.impl_code}/publish", {"note": "x"})
        client.post(f"/staff/items/{item.impl_code}/draft/discard")
        client.post(f"/staff/items/{item.impl_code}/edit", form_data(item_doc(promised_days=2)))
    assert list(item.versions.values_list("pk", "status", "number")) == before
    item.refresh_from_db()
    assert item.draft.document["promised_days"] == 3


def test_it_refuses_a_post_without_a_csrf_token(county, item):
    client = Client(enforce_csrf_checks=True)
    client.force_login(county.zhaomin)
    url = f"/staff/items/{item.impl_code}/publish"
    assert client.post(url, {"note": "没有令牌"}).status_code == 403
    item.refresh_from_db()
    assert item.draft is not None

    client.get(f"/staff/items/{item.impl_code}/")
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"note": "有令牌", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.draft is None and item.current.note == "有令牌"
