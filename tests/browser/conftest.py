"""Fixtures: the app under ``streamlit run`` (see app_server.py), Debian's Chromium, and a phone-sized page.

The browser tests skip only when /usr/bin/chromium is missing and REQUIRE_BROWSER_TESTS is not
set; CI sets it, so there a missing browser is a failure, never a silent skip.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_server import CHROMIUM, CHROMIUM_FLAGS, PHONE, ROOT, Server, running_app

__all__ = ["ROOT"]


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER_TESTS"):
            pytest.fail(f"REQUIRE_BROWSER_TESTS is set but {CHROMIUM} is missing (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium); set REQUIRE_BROWSER_TESTS=1 to fail")
    return CHROMIUM


@pytest.fixture(scope="module")
def server(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_app(tmp_path_factory.mktemp("browser-data")) as app:
        yield app


@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def phone(browser: object) -> Iterator[object]:
    """A phone-sized page (390 x 844, touch)."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()
