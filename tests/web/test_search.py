"""The search page: finding an item by name, initials, synonyms and filters."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.factories import SCJG_CREDIT
from tests.web.conftest import Catalogue, publish

pytestmark = pytest.mark.django_db


def _search(client: Any, **params: Any) -> str:
    r = client.get(reverse("search"), params)
    assert r.status_code == 200
    return r.content.decode()


def test_it_finds_an_item_by_name(client: Any, catalogue: Catalogue) -> None:
    html = _search(client, q="个体工商户")
    assert "<title>“个体工商户”的搜索结果 · 智理</title>" in html
    assert "共找到 <strong>1</strong> 个事项" in html
    assert reverse("item", args=[catalogue.shop.impl_code]) in html
    assert "清溪县市场监督管理局" in html
    assert '<li class="badge badge--channel">就近办</li>' in html


def test_it_finds_an_item_by_initials(client: Any, catalogue: Catalogue) -> None:
    assert "个体工商户设立登记" in _search(client, q="gtgsh")
    html = _search(client, q="bdc")
    assert "不动产登记（经营场所）" in html
    assert "个体工商户设立登记" not in html


def test_it_says_which_synonym_it_searched(client: Any, catalogue: Catalogue) -> None:
    html = _search(client, q="个体户")
    assert "已按“个体工商户”搜索" in html
    assert "个体工商户设立登记" in html


def test_it_filters_by_department(client: Any, catalogue: Catalogue) -> None:
    html = _search(client, q="登记", department="ZRZY")
    assert "不动产登记（经营场所）" in html
    assert "个体工商户设立登记" not in html
    assert '<option value="ZRZY" selected>' in html


def test_it_filters_by_channel_and_service_object(client: Any, catalogue: Catalogue) -> None:
    html = _search(client, q="登记", channel="就近办")
    assert "个体工商户设立登记" in html and "不动产登记（经营场所）" not in html
    html = _search(client, object="法人")
    assert "不动产登记（经营场所）" in html and "个体工商户设立登记" not in html
    assert 'name="object" value="法人" checked' in html


def test_it_lists_a_theme_without_a_query(client: Any, catalogue: Catalogue) -> None:
    html = _search(client, theme="P_JYCY")
    assert "个体工商户设立登记" in html and "不动产登记（经营场所）" not in html


def test_it_returns_only_the_results_to_htmx(client: Any, catalogue: Catalogue) -> None:
    r = client.get(reverse("search"), {"q": "gtgsh"}, headers={"HX-Request": "true"})
    html = r.content.decode()
    assert "个体工商户设立登记" in html
    assert "<html" not in html and 'id="search-form"' not in html
    assert "HX-Request" in r["Vary"]


def test_it_returns_the_whole_page_on_history_restore(client: Any, catalogue: Catalogue) -> None:
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    html = client.get(reverse("search"), {"q": "gtgsh"}, headers=headers).content.decode()
    assert "<html" in html


def test_it_helps_when_nothing_is_found(client: Any, catalogue: Catalogue) -> None:
    html = _search(client, q="宇宙飞船驾驶证")
    assert "没有找到与“宇宙飞船驾驶证”相关的事项" in html
    assert "12345" in html
    assert "大家常办" in html  # popular items to start from instead


def test_it_invites_a_search_when_nothing_was_asked(client: Any, catalogue: Catalogue) -> None:
    html = _search(client)
    assert "请输入要办的事" in html


def test_it_pages_through_many_results(client: Any, county: Any, catalogue: Catalogue) -> None:
    for n in range(3, 26):
        basic = f"0001122330{n:02d}"
        publish(
            county, impl_code=f"{SCJG_CREDIT}{basic}001", basic_code=basic,
            name=f"个体工商户变更登记{n}号",
        )  # fmt: skip
    first = _search(client, q="个体工商户")
    assert "共找到 <strong>24</strong> 个事项，第 1/2 页" in first
    assert 'href="?q=%E4%B8%AA%E4%BD%93%E5%B7%A5%E5%95%86%E6%88%B7&amp;page=2"' in first
    second = _search(client, q="个体工商户", page=2)
    assert "第 2/2 页" in second and second.count('class="hit"') == 4


def test_it_shows_the_last_page_for_a_page_past_the_end(client: Any, catalogue: Catalogue) -> None:
    html = _search(client, q="登记", page=99)
    assert "共找到 <strong>2</strong> 个事项" in html
    assert "个体工商户设立登记" in html
