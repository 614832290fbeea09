"""A reader finds their way by clicking, over HTTP under a sub-path and from disk."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from playwright.sync_api import Page, expect

from .helpers import Site, computed


def test_from_the_home_page_a_reader_clicks_to_a_report_a_topic_an_actor_and_home_again(
    page: Page, multi_site: Site
) -> None:
    page.goto(multi_site.http())
    expect(page.locator("h1")).to_have_text("Fixture Digest (test data)")

    first_card = page.locator(".cards .card h3 a").first
    title = first_card.inner_text().strip()
    first_card.click()
    expect(page).to_have_url(multi_site.http("reports/varga-reyes-karsk-bilateral/index.html"))
    expect(page.locator("h1")).to_have_text(title)

    page.locator(".item-meta a.topic", has_text="Grain corridor").first.click()
    expect(page).to_have_url(multi_site.http("topics/grain-corridor/index.html"))
    expect(page.locator("h1")).to_have_text("Grain corridor")

    # From the topic's trajectory back to the place in a report where it appears.
    page.locator(".mentions a[href*='tidewater-summit-analysis/index.html#']").first.click()
    expect(page).to_have_url(
        re.compile(re.escape(multi_site.http("reports/tidewater-summit-analysis/index.html")) + "#")
    )
    expect(page.locator("h1")).to_have_text(
        "From Hallen to Lindholm: How the Grain Corridor Deal Was Made"
    )

    participant = page.locator(".facts .participants a.name").first
    name = participant.inner_text().strip()
    href = participant.get_attribute("href")
    assert href is not None
    participant.click()
    expect(page).to_have_url(multi_site.http(href.replace("../../", "")))
    assert "/actors/" in page.url
    expect(page.locator("h1")).to_have_text(name)

    page.locator("a.site-title").click()
    expect(page).to_have_url(multi_site.http("index.html"))
    expect(page.locator("h1")).to_have_text("Fixture Digest (test data)")


def internal_links(page: Page) -> dict[str, str]:
    """The page's visible links into the site (not fragments): href -> absolute URL."""
    links = page.eval_on_selector_all(
        "a[href]",
        """links => links
            .filter(a => a.checkVisibility())
            .map(a => [a.getAttribute('href'), a.href])""",
    )
    return {
        href: url for href, url in links if not href.startswith(("#", "http:", "https:", "mailto:"))
    }


def kind_of(href: str) -> str:
    """What kind of page a relative link leads to: its first folder below the site root."""
    parts = [p for p in href.split("/") if p not in ("..", ".")]
    return parts[0] if len(parts) > 1 else href


def test_pages_opened_from_disk_load_their_styles_and_their_links_lead_to_pages(
    page: Page, multi_site: Site
) -> None:
    for start in (
        "index.html",
        "reports/hallen-council-analysis/index.html",
        "topics/sanctions/index.html",
    ):
        page.goto(multi_site.file(start))
        # style.css draws the header's bottom rule and sets the body font; the browser's
        # defaults have neither.
        assert computed(page.locator(".site-header"), "border-bottom-style") == "solid", start
        assert computed(page.locator("body"), "font-family").startswith("system-ui"), start
        links = internal_links(page)
        assert len(links) >= 5, f"{start}: too few links to check: {links}"
        for href, url in links.items():
            target = Path(unquote(urlsplit(url).path))
            assert url.startswith("file://"), f"{start}: {href} leaves the disk: {url}"
            assert target.is_relative_to(multi_site.folder), f"{start}: {href} leaves the site"
            assert target.is_file(), f"{start}: the link {href} leads to a missing {target}"
        # Click through one link of each kind of page (report, topic, actor, ...).
        clicked: set[str] = set()
        for href, url in links.items():
            if not url.endswith(".html") or kind_of(href) in clicked:
                continue
            clicked.add(kind_of(href))
            page.locator(f'a[href="{href}"]').filter(visible=True).first.click()
            expect(page).to_have_url(url)
            assert page.locator("h1").count() == 1, f"{start}: {href} has no h1"
            assert computed(page.locator("body"), "font-family").startswith("system-ui"), (
                f"{start}: {href} opened without its stylesheet"
            )
            page.goto(multi_site.file(start))
        assert len(clicked) >= 4, f"{start}: only these kinds of page were linked: {clicked}"
