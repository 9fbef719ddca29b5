"""Driving Debian's chromium through playwright for the browser tests of the dashboard."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, FloatRect, Locator, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def _require_browser() -> bool:
    # CI sets this: there a missing chromium is a failure, not a skip.
    return os.environ.get("VIGIL_REQUIRE_BROWSER", "") not in ("", "0")


@contextmanager
def launched_chromium() -> Iterator[Browser]:
    """Debian's chromium driven by playwright; skipped (or failed under VIGIL_REQUIRE_BROWSER) if missing."""
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "python playwright is not installed (pip install -e '.[test]')"
    if reason is None and not CHROMIUM.exists():
        reason = f"chromium not found at {CHROMIUM} (apt-get install chromium)"
    if reason:
        if _require_browser():
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def open_page(browser: Browser, url: str, *, width: int = 1280, height: int = 900) -> tuple[Page, list[str], list[str]]:
    """A fresh page at ``url``, with every console error, page error and dialog it produces recorded."""
    page = browser.new_page(viewport={"width": width, "height": height})
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url
    return page, errors, dialogs


def screenshot(page: Page, name: str) -> None:
    """Save the whole page under tests/artifacts/ (ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def box(locator: Locator) -> FloatRect:
    """Where ``locator`` is drawn; it must be drawn."""
    found = locator.bounding_box()
    assert found is not None, "not rendered"
    return found
