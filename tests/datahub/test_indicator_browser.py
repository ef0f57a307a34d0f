"""郑华 defines an indicator in a real Chromium: the formula editor, its live check, the trend chart.

Run with ``pytest -m browser``; the screenshots land in /tmp/indicator-*.png.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.datahub.indicator_fixtures import Data
from zhili.datahub.indicators import indicator_refresh
from zhili.datahub.models import Indicator

CHROMIUM = "/usr/bin/chromium"

# Playwright's sync API keeps an event loop running in the test thread, and
# Django refuses ORM calls (the fixtures') from such a thread unless told.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield b
        b.close()


@pytest.fixture
def world(transactional_db: Any, county: Any) -> tuple[Data, str]:
    """The fixture set with 参保率 computed, and 郑华's session cookie (made before the browser)."""
    data = Data(county)
    indicator_refresh(data.coverage())
    client = Client()
    client.force_login(data.zhenghua)
    return data, client.cookies[settings.SESSION_COOKIE_NAME].value


def test_it_defines_an_indicator_and_shows_its_trend(
    live_server: Any, world: tuple[Data, str], browser: Any
) -> None:
    _, session = world
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(15_000)

    page.goto(live_server.url + "/staff/indicators/new/")
    page.fill("#id_code", "RESIDENT_RATE")
    page.fill("#id_name", "常住人口占户籍人口比例")
    page.select_option("#id_owner", label="清溪县自然资源和规划局")
    page.fill("#id_unit", "%")
    page.fill("#id_scale", "100")
    page.select_option("#id_num_dataset", "POP")
    page.select_option("#id_num_field", "常住人口")
    page.select_option("#id_num_agg", "sum")
    page.select_option("#id_den_dataset", "POP")
    page.select_option("#id_den_field", "户籍人口")
    page.locator("#formula-check", has_text="公式有效").wait_for()
    page.locator("#formula-check", has_text="试算：2024-12 全县为").wait_for()
    # A filter on a text field with an order: the live check names the row.
    page.locator("#part-num").get_by_role("button", name="＋ 添加筛选条件").click()
    page.select_option("#part-num select[name=num_filter_field]", "户籍人口")
    page.select_option("#part-num select[name=num_filter_op]", ">")
    page.fill("#part-num input[name=num_filter_value]", "很多")
    page.locator("#part-num input[name=num_filter_value]").dispatch_event("change")
    page.locator("#formula-check", has_text="筛选条件第1行").wait_for()
    page.screenshot(path="/tmp/indicator-form.png", full_page=True)
    page.locator("#part-num").get_by_role("button", name="删除").click()
    page.locator("#formula-check", has_text="公式有效").wait_for()
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/staff/indicators/RESIDENT_RATE/")
    assert Indicator.objects.get(code="RESIDENT_RATE").denominator["field"] == "户籍人口"

    page.goto(live_server.url + "/staff/indicators/COVERAGE/")
    page.locator("#trend-chart[data-state=ready] canvas").wait_for()
    assert page.evaluate(
        "echarts.getInstanceByDom(document.getElementById('trend-chart')) !== undefined"
    )
    page.screenshot(path="/tmp/indicator-detail.png", full_page=True)
    assert errors == []
