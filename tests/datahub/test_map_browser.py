"""孙丽 and a visitor at the one map, driven through a real Chromium.

Run with ``pytest -m browser``; the screenshots land in /tmp/map-*.png.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.datahub.map_fixtures import SIDE, SOUTH, WEST, MapWorld, build_map_world

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path("/tmp")
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
LARGE = {"width": 1920, "height": 1080}

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
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        )  # fmt: skip
        yield b
        b.close()


@pytest.fixture
def world(transactional_db: Any, county: Any) -> MapWorld:
    return build_map_world(county)


@pytest.fixture
def sessions(world: MapWorld) -> dict[str, str]:
    """Session cookies of 孙丽 and the administrator, made before the browser starts:
    ORM calls from inside Playwright's event loop leave a database connection open."""
    cookies = {}
    for user in (world.county.sunli, world.county.admin):
        client = Client()
        client.force_login(user)
        cookies[user.username] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return cookies


def _page(
    browser: Any, live_server: Any, viewport: dict[str, int], errors: list[str], *,
    session: str = "", touch: bool = False,
) -> Any:  # fmt: skip
    context = browser.new_context(
        viewport=viewport, locale="zh-CN", has_touch=touch, is_mobile=touch
    )
    if session:
        cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}
        context.add_cookies([cookie])
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(10_000)
    return page


def _shot(page: Any, name: str, *, full: bool = False) -> None:
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(SHOTS / f"map-{name}.png"), full_page=full)


def _ready(page: Any) -> None:
    page.locator("#map[data-state=ready]").wait_for()


def _where(page: Any, col: int, row: int) -> tuple[float, float]:
    """The page pixel at the middle of the village square in (col, row)."""
    lon, lat = WEST + (col + 0.5) * SIDE, SOUTH + (row + 0.5) * SIDE
    x, y = page.evaluate(
        "([lon, lat]) => window.onemap.chart.convertToPixel({seriesIndex: 0}, [lon, lat])",
        [lon, lat],
    )
    box = page.locator("#map").bounding_box()
    return box["x"] + x, box["y"] + y


def test_it_shows_a_villages_profile_from_the_map(
    live_server: Any, world: MapWorld, sessions: dict[str, str], browser: Any
) -> None:
    errors: list[str] = []
    page = _page(browser, live_server, DESKTOP, errors, session=sessions["sunli"])
    page.goto(live_server.url + "/map/")
    assert page.title() == "数字乡村一张图 · 智理"
    _ready(page)

    page.select_option("#indicator", label="村集体经济收入（万元）")
    page.locator("#map-caption", has_text="村集体经济收入").wait_for()
    _ready(page)
    assert page.locator("#period-label").inner_text() == "2025年12月"
    assert "单位：万元" in page.locator("#map-unit").inner_text()

    x, y = _where(page, 1, 1)  # 西坞村
    page.mouse.move(x, y)
    tooltip = page.locator("#map div", has_text="西坞村").last
    tooltip.wait_for()
    assert "万元" in tooltip.inner_text()

    x, y = _where(page, 2, 1)  # 南岙村
    page.mouse.click(x, y)
    page.locator("#profile-name", has_text="南岙村").wait_for()
    items = page.locator("#profile .pi")
    assert items.count() == 4
    names = page.locator("#profile .pi__name").all_inner_texts()
    assert names == ["常住人口", "低保人口占比", "森林覆盖率", "村集体经济收入"]
    assert page.locator("#profile .pi__spark canvas").count() == 4
    assert "人口基础信息" in page.locator("#profile").inner_text()
    assert "第" in page.locator("#profile .pi__facts").first.inner_text()
    assert "division=330599101203" in page.url
    _shot(page, "desktop")

    # Back to the first month: the map and the open profile follow.
    page.locator("#period").focus()
    page.keyboard.press("Home")
    page.locator("#profile .profile__meta", has_text="2024年1月").wait_for()
    assert page.locator("#period-label").inner_text() == "2024年1月"
    assert page.evaluate("window.onemap.state.period") == "2024-01"

    page.locator(".onemap__levels label", has_text="镇").click()
    page.wait_for_function(
        "window.onemap.state.level === 'town' && window.onemap.state.data.level === 'town'"
    )
    _ready(page)
    x, y = _where(page, 1, 0)  # the middle of 西山镇
    page.mouse.click(x, y)
    page.locator("#profile-name", has_text="西山镇").wait_for()
    _shot(page, "desktop-towns")
    assert errors == []


def test_it_opens_a_profile_on_a_tap_on_a_phone(
    live_server: Any, world: MapWorld, browser: Any
) -> None:
    errors: list[str] = []
    page = _page(browser, live_server, PHONE, errors, touch=True)
    page.goto(live_server.url + "/map/")
    _ready(page)
    # A visitor sees the indicators of open data only.
    options = page.locator("#indicator option").all_inner_texts()
    assert options == ["常住人口（人）", "森林覆盖率（%）"]
    _shot(page, "phone")

    x, y = _where(page, 0, 0)  # 上林村
    page.touchscreen.tap(x, y)
    page.locator("#profile-name", has_text="上林村").wait_for()
    assert page.locator("#profile .pi").count() == 2
    page.wait_for_timeout(600)  # the smooth scroll to the profile
    _shot(page, "phone-profile")
    box = page.locator("#profile").bounding_box()
    map_box = page.locator("#map").bounding_box()
    assert box["y"] > map_box["y"] + map_box["height"]  # below the map, full width
    assert box["width"] > 340
    assert errors == []


def test_it_fills_a_large_screen(
    live_server: Any, world: MapWorld, sessions: dict[str, str], browser: Any
) -> None:
    errors: list[str] = []
    page = _page(browser, live_server, LARGE, errors, session=sessions["sunli"])
    page.goto(live_server.url + "/map/dashboard/?screen=1")
    assert page.locator("body.screen").count() == 1
    assert page.locator(".site-nav").count() == 0
    page.locator(".kpi__chart canvas").first.wait_for()
    page.locator("#dash-map[data-state=ready]").wait_for()
    assert page.locator(".kpi").count() == 2
    assert "西山镇" in page.locator(".kpi .ranking").first.inner_text()
    page.locator("#alerts .alert").first.wait_for()
    _shot(page, "screen-dashboard")

    page.goto(live_server.url + "/map/?screen=1&indicator=JTSR&division=330599101202")
    _ready(page)
    page.locator("#profile-name", has_text="西坞村").wait_for()
    page.locator("#profile .pi__spark canvas").first.wait_for()
    _shot(page, "screen-map")

    page.goto(live_server.url + "/map/dashboard/")
    page.locator("#dash-map[data-state=ready]").wait_for()
    _shot(page, "dashboard-1920", full=True)
    assert errors == []


def test_it_shows_the_dashboard_on_a_desktop(
    live_server: Any, world: MapWorld, sessions: dict[str, str], browser: Any
) -> None:
    errors: list[str] = []
    page = _page(browser, live_server, DESKTOP, errors, session=sessions["admin"])
    page.goto(live_server.url + "/map/dashboard/")
    page.locator(".kpi__chart canvas").first.wait_for()
    page.locator("#dash-map[data-state=ready]").wait_for()
    page.locator("#alerts .alert", has_text="西坞村").wait_for()
    assert page.locator("#anomaly-counter .counter__n").inner_text() != "…"
    _shot(page, "dashboard", full=True)
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    _shot(page, "dashboard-phone", full=True)
    assert errors == []
