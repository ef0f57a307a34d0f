"""The home page: the first thing 王芳 sees on her phone or at the kiosk."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.web.conftest import Catalogue

pytestmark = pytest.mark.django_db


def test_it_renders_themes_bundles_and_popular_items(client: Any, catalogue: Catalogue) -> None:
    r = client.get(reverse("home"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "<title>清溪县政务服务网 · 首页 · 智理</title>" in html
    assert 'lang="zh-CN"' in html and 'name="viewport"' in html
    assert "个人办事" in html and "法人办事" in html
    assert f'href="{reverse("theme", args=["P_JYCY"])}">就业创业' in html
    assert f'href="{reverse("theme", args=["L_ZCBG"])}">准营变更' in html
    assert f'href="{reverse("bundle", args=["B_KD"])}"' in html
    # Popular first: 不动产登记 is handled more often than 个体工商户设立登记.
    popular = html[html.index('id="popular-title"') :]
    assert popular.index("不动产登记（经营场所）") < popular.index("个体工商户设立登记")


def test_it_loads_assets_from_this_server_only(client: Any, county: Any) -> None:
    html = client.get(reverse("home")).content.decode()
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "/static/vendor/noto-sans-sc/400.css" in html
    assert "/static/web/zhili.css" in html
    assert "https://" not in html.split("</head>")[0]


def test_it_suggests_items_as_you_type(client: Any, catalogue: Catalogue) -> None:
    r = client.get(reverse("search_suggest"), {"q": "gtgsh"}, headers={"HX-Request": "true"})
    html = r.content.decode()
    assert "个体工商户设立登记" in html
    assert reverse("item", args=[catalogue.shop.impl_code]) in html
    assert "查看“gtgsh”的全部结果" in html


def test_it_suggests_nothing_for_an_empty_box(client: Any, catalogue: Catalogue) -> None:
    html = client.get(reverse("search_suggest"), {"q": " "}).content.decode()
    assert "<li" not in html


def test_it_shows_login_to_a_visitor(client: Any, county: Any) -> None:
    html = client.get(reverse("home")).content.decode()
    assert 'href="/accounts/login/?next=/"' in html  # comes back here after signing in
    assert 'href="/staff/"' not in html


def test_it_shows_a_citizen_her_name_and_logout(client: Any, county: Any) -> None:
    client.force_login(county.wangfang)
    html = client.get(reverse("home")).content.decode()
    assert "王芳" in html
    assert 'action="/accounts/logout/"' in html and "csrfmiddlewaretoken" in html
    assert 'href="/staff/"' not in html


def test_it_links_staff_to_the_back_office(client: Any, county: Any) -> None:
    client.force_login(county.zhangwei)
    html = client.get(reverse("home")).content.decode()
    assert "张伟" in html and 'href="/staff/"' in html


def test_it_enlarges_everything_in_kiosk_mode(client: Any, county: Any) -> None:
    assert 'class="kiosk"' in client.get(reverse("home"), {"kiosk": "1"}).content.decode()
    client.cookies["zhili_kiosk"] = "1"
    assert 'class="kiosk"' in client.get(reverse("home")).content.decode()
    assert 'class="kiosk"' not in client.get(reverse("home"), {"kiosk": "0"}).content.decode()
