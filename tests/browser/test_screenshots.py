"""Screenshots for a person to look at: home and report, desktop and phone, light and dark.

They are written to test-artifacts/screenshots/ (git-ignored). The test checks what a
screenshot cannot show by itself: that the colour scheme asked for is the one drawn.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext

from .helpers import SCREENSHOTS, Site, computed

PAGES = {
    ("real", "home"): "index.html",
    ("real", "report"): "reports/lavrov-blinken-osce-malta-2024/index.html",
}
WIDTHS = {"desktop": 1280, "mobile": 390}
BACKGROUND = {"light": "rgb(255, 255, 255)", "dark": "rgb(17, 20, 24)"}
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", ["desktop", "mobile"])
@pytest.mark.parametrize(("site_name", "kind"), list(PAGES))
def test_a_screenshot_of_the_page_is_written_in_the_colour_scheme_asked_for(
    new_context: Callable[..., BrowserContext],
    request: pytest.FixtureRequest,
    site_name: str,
    kind: str,
    width: str,
    scheme: str,
) -> None:
    site: Site = request.getfixturevalue(f"{site_name}_site")
    context = new_context(
        viewport={"width": WIDTHS[width], "height": 900},
        color_scheme=scheme,
        is_mobile=width == "mobile",
    )
    page = context.new_page()
    page.goto(site.http(PAGES[site_name, kind]))
    assert computed(page.locator("body"), "background-color") == BACKGROUND[scheme]
    path = SCREENSHOTS / f"{site_name}-{kind}-{width}-{scheme}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    page.screenshot(path=path, full_page=True)
    data = path.read_bytes()
    assert data.startswith(PNG)
    png_width = int.from_bytes(data[16:20], "big")
    assert png_width == WIDTHS[width], "a full-page screenshot is as wide as the viewport"
