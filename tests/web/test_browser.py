"""王芳 at her phone and at the hall's kiosk, driven through a real Chromium.

Run with ``pytest -m browser``; the screenshots land in var/screenshots/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Catalogue

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
KIOSK = {"width": 1080, "height": 1920}

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
            args=[
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        )  # fmt: skip
        yield b
        b.close()


def _page(browser: Any, viewport: dict[str, int], errors: list[str]) -> Any:
    page = browser.new_page(viewport=viewport, locale="zh-CN")
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(10_000)
    return page


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _noto_loaded(page: Any) -> bool:
    return page.evaluate(
        """async () => { await document.fonts.ready;
             return [...document.fonts].some(f => f.family.includes('Noto Sans SC')
                                                 && f.status === 'loaded'); }"""
    )


def test_it_takes_a_citizen_from_initials_to_her_material_list(
    live_server: Any, transactional_db: Any, catalogue: Catalogue, browser: Any
) -> None:
    errors: list[str] = []
    page = _page(browser, PHONE, errors)
    page.goto(live_server.url + "/")
    assert page.title() == "清溪县政务服务网 · 首页 · 智理"
    assert _noto_loaded(page), "Noto Sans SC did not load: Chinese would show as tofu"
    _shot(page, "phone-home")

    page.locator("#q").press_sequentially("gtgsh", delay=60)
    suggestion = page.locator("#suggest a", has_text="个体工商户设立登记")
    suggestion.wait_for()
    _shot(page, "phone-home-suggest")

    page.locator("#q").press("Enter")
    page.wait_for_url("**/search?q=gtgsh")
    hit = page.locator(".hit__name", has_text="个体工商户设立登记")
    hit.wait_for()
    _shot(page, "phone-search")

    hit.click()
    page.wait_for_url(f"**/items/{catalogue.shop.impl_code}/")
    materials = page.locator("#materials")
    assert "个体工商户登记申请书" in materials.inner_text()
    assert "委托书及受托人身份证" not in materials.inner_text()

    page.get_by_role("group", name="由谁办理？").get_by_label("委托他人代办").check()
    materials.get_by_text("委托书及受托人身份证").wait_for()
    _shot(page, "phone-item-proxy")
    # Both 在线申请 links (near the top, and under 怎么办) carry the answer to the apply form.
    apply = f"/cases/apply/{catalogue.shop.impl_code}/"
    links = page.get_by_role("link", name="在线申请")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [
        f"{apply}?S1=B",
        f"{apply}?S1=B",
    ]

    page.get_by_role("group", name="由谁办理？").get_by_label("经营者本人").check()
    materials.get_by_text("委托书及受托人身份证").wait_for(state="detached")
    assert "个体工商户登记申请书" in materials.inner_text()

    page.get_by_label("您住在哪个村（社区）？").select_option(label="东山村")
    page.locator("#points .point__name", has_text="东山村便民服务站").wait_for()
    first = page.locator("#points .point__name").first.inner_text()
    assert first == "东山村便民服务站"
    _shot(page, "phone-item")
    assert errors == []


def test_it_fills_a_kiosk_screen(
    live_server: Any, transactional_db: Any, catalogue: Catalogue, browser: Any
) -> None:
    errors: list[str] = []
    page = _page(browser, KIOSK, errors)
    page.goto(live_server.url + "/?kiosk=1")
    assert page.locator("body.kiosk").count() == 1
    assert _noto_loaded(page)
    _shot(page, "kiosk-home")

    page.locator("#q").press_sequentially("bdc", delay=60)
    page.locator("#suggest a", has_text="不动产登记（经营场所）").wait_for()
    page.locator("#q").press("Enter")
    page.locator(".hit__name", has_text="不动产登记（经营场所）").wait_for()
    # The kiosk cookie keeps the mode after leaving ?kiosk=1 behind.
    assert page.locator("body.kiosk").count() == 1
    _shot(page, "kiosk-search")

    page.goto(f"{live_server.url}/items/{catalogue.shop.impl_code}/")
    page.get_by_label("委托他人代办").check()
    page.locator("#materials").get_by_text("委托书及受托人身份证").wait_for()
    _shot(page, "kiosk-item")
    assert errors == []
