"""Helpers for driving the case pages through Debian's Chromium with Playwright.

A person looks at the pages: 王芳 on her phone, staff at a desktop. Each
person gets a browser context of their own (cookies and all), errors in the
page's console are collected so a test can say none happened, and
screenshots land in /tmp/journey-*.png for a human to look at.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API keeps an event loop running in the test thread, and
# Django refuses ORM calls (the fixtures' and the assertions') from such a thread unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
SHOTS = Path("/tmp")

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"
)


def launch_chromium() -> Iterator[Any]:
    """One headless Chromium; wrap it in a module-scoped fixture, each person gets a context."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


class Person:
    """Someone at a screen: a logged-in browser context and the page they look at."""

    def __init__(self, browser: Any, base_url: str, viewport: dict[str, int]) -> None:
        self.base_url = base_url
        self.errors: list[str] = []
        self.context = browser.new_context(viewport=viewport, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def go(self, path: str) -> Any:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status < 400, (
            f"{path}: {response and response.status}"
        )
        return self.page

    def login(self, username: str, next_path: str) -> Any:
        """Log in through the login page, as a person would, and land on next_path."""
        page = self.page
        page.goto(f"{self.base_url}/accounts/login/?next={next_path}")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill("pw-" + username)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"**{next_path.split('?')[0]}*")
        return page

    def text(self, selector: str = "main") -> str:
        locator = self.page.locator(selector)
        return str(locator.first.inner_text() if locator.count() else self.page.inner_text("body"))

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        """The whole page, or (full_page=False) just what is on the screen right now."""
        path = SHOTS / f"journey-{name}.png"
        self.page.evaluate("document.fonts.ready")
        self.page.screenshot(path=str(path), full_page=full_page)
        print(f"{path.name}: {self.page.title()}")  # shown with -s, to review titles too
        return path

    def close(self) -> None:
        self.context.close()


def tiny_pdf(folder: Path, name: str, salt: str = "") -> Path:
    """A small but valid PDF: materials are sniffed by content, and equal bytes are stored once."""
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        + f"% {name} {salt}\n".encode()
        + b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    path = folder / name
    path.write_bytes(body)
    return path
