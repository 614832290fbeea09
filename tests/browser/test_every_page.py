"""Every page of a built site, in a real browser: clean loads, and no sideways scrolling."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from .helpers import Site, Traffic

MISSING = "reports/no-such-report/index.html"


def every_page(site: Site) -> list[str]:
    """Every HTML page of the site (relative URL), plus a search with results and a miss."""
    pages = sorted(p.relative_to(site.folder).as_posix() for p in site.folder.rglob("*.html"))
    assert len(pages) > 20, "the site should have been built"
    word = {"multi": "grain", "real": "Valletta"}[site.name]
    return [*pages, f"search/index.html?q={word}", MISSING]


def visit(page: Page, site: Site, rel: str, traffic: Traffic | None = None) -> None:
    response = page.goto(site.http(rel))
    assert response is not None
    assert response.status == (404 if rel == MISSING else 200), rel
    if "?q=" in rel:
        expect(page.locator("#search-results li").first).to_be_visible()
    if traffic is not None:
        traffic.settle(page)


def test_every_page_loads_without_errors_failed_requests_or_requests_to_other_hosts(
    new_context: Callable[..., BrowserContext], multi_site: Site
) -> None:
    context = new_context()
    traffic = Traffic(multi_site.origin, expected_status={multi_site.http(MISSING): 404})
    traffic.attach(context)
    page = context.new_page()
    problems: dict[str, list[str]] = {}
    pages = every_page(multi_site)
    for rel in pages:
        visit(page, multi_site, rel, traffic)
        if traffic.problems():
            problems[rel] = traffic.problems()
        traffic.clear()
    assert problems == {}
    assert len(pages) >= 40


PHONE = 390
OVERFLOWING = """width => {
    const wide = [...document.querySelectorAll('body *')].filter(el => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.right > width + 0.5;
    });
    // The outermost offenders, described by tag, class and a bit of text.
    return wide.filter(el => !wide.includes(el.parentElement)).slice(0, 5).map(el =>
        `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} ` +
        `(right edge ${Math.round(el.getBoundingClientRect().right)}px): ` +
        (el.textContent || '').trim().slice(0, 60));
}"""


@pytest.mark.parametrize("site_name", ["multi", "real"])
def test_at_390_pixels_no_page_scrolls_sideways(
    new_context: Callable[..., BrowserContext], request: pytest.FixtureRequest, site_name: str
) -> None:
    site: Site = request.getfixturevalue(f"{site_name}_site")
    page = new_context(viewport={"width": PHONE, "height": 844}, is_mobile=True).new_page()
    wide: dict[str, str] = {}
    for rel in every_page(site):
        visit(page, site, rel)
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        # A phone zooms out to fit a page wider than its screen: then innerWidth grows too.
        if scroll_width > inner_width or inner_width != PHONE:
            wide[rel] = (
                f"{max(scroll_width, inner_width)}px wide: {page.evaluate(OVERFLOWING, PHONE)}"
            )
    assert wide == {}
