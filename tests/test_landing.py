"""After signing in, each person lands where their work is."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import County


@pytest.mark.parametrize(
    ("username", "landing"),
    [
        ("wangfang", "/cases/mine/"),
        ("lina", "/cases/agent/"),
        ("zhangwei", "/staff/"),
        ("sunli", "/staff/"),
    ],
)
def test_it_sends_each_role_to_their_own_page(county: County, username: str, landing: str) -> None:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": f"pw-{username}"})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == landing


def test_it_returns_to_the_page_the_login_started_from(county: County) -> None:
    response = Client().post(
        "/accounts/login/",
        {"username": "wangfang", "password": "pw-wangfang", "next": "/search/?q=社保"},
    )
    assert response["Location"] == "/search/?q=%E7%A4%BE%E4%BF%9D"  # 社保
