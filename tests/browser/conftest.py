"""Fixtures for the browser tests: built sites, their local servers, one Chromium per session.

The browser is Debian's Chromium (``apt-get install chromium``), driven by Playwright for
Python; Playwright's own browser downloads are never used. Each test gets fresh browser
contexts (no shared cookies, storage or cache).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from osce_digest.cli import main

from .helpers import REPO, Site, serve

CHROMIUM = Path(os.environ.get("OSCE_DIGEST_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    # No name resolves but the test server's address: a stray request to another host fails
    # here (and is reported) instead of leaving the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def multi_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The multi-report fixture site, published under a sub-path of the test server.

    It is built with the server's address as base_url, so that the pages that must use
    absolute URLs (404.html) point at the server, as they would on the real host.
    """
    out = tmp_path_factory.mktemp("multi") / "site"
    with serve(out, prefix="/digest/") as url:
        code = main(
            [
                "build",
                "--root",
                str(REPO / "tests" / "sites" / "multi"),
                "--templates",
                str(REPO / "templates"),
                "--out",
                str(out),
                "--base-url",
                url,
                "--no-cache",  # the project is the checkout's fixture: no cache in it
            ]
        )
        assert code == 0, "the multi fixture site did not build"
        yield Site("multi", out, url)


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The repository's own content (the Malta report), as `digest build` makes it."""
    out = tmp_path_factory.mktemp("real") / "site"
    with serve(out) as url:
        assert main(["build", "--root", str(REPO), "--out", str(out), "--no-cache"]) == 0
        yield Site("real", out, url)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Make a fresh browser context (desktop size, light scheme unless told); closed after."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        settings: dict[str, Any] = {"viewport": DESKTOP, "color_scheme": "light", "locale": "en"}
        settings.update(options)
        context = browser.new_context(**settings)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()
