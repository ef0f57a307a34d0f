"""A theme page: everything 王芳 may need to start a business (就业创业)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.web.conftest import Catalogue

pytestmark = pytest.mark.django_db


def test_it_lists_the_items_of_a_theme(client: Any, catalogue: Catalogue) -> None:
    r = client.get(reverse("theme", args=["P_JYCY"]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "<title>就业创业 · 个人办事 · 智理</title>" in html
    assert "个体工商户设立登记" in html
    assert "不动产登记（经营场所）" not in html


def test_it_says_when_a_theme_is_empty(client: Any, catalogue: Catalogue) -> None:
    from zhili.catalogue.models import Theme

    Theme.objects.create(code="P_HYSY", name="婚姻生育", audience="自然人")
    html = client.get(reverse("theme", args=["P_HYSY"])).content.decode()
    assert "暂时没有已发布的事项" in html


def test_it_404s_for_an_unknown_theme(client: Any, county: Any) -> None:
    assert client.get(reverse("theme", args=["NOPE"])).status_code == 404
