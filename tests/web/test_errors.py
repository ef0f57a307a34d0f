"""The error pages speak Chinese and point somewhere useful."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_it_explains_a_missing_page(client: Any) -> None:
    r = client.get("/no-such-page/")
    assert r.status_code == 404
    html = r.content.decode()
    assert "<title>页面不存在 · 智理</title>" in html
    assert "没有找到这个页面" in html and 'name="q"' in html


def test_it_explains_a_server_error_without_a_database() -> None:
    r = server_error(RequestFactory().get("/"))
    assert r.status_code == 500
    html = r.content.decode()
    assert 'lang="zh-CN"' in html
    assert "服务暂时出错了" in html and "12345" in html
