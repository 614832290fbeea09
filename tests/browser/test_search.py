"""Search: Pagefind finds the reports when the site is served; from disk, the page says why not."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from .helpers import Site, Traffic

MALTA = "reports/lavrov-blinken-osce-malta-2024/"
MALTA_TITLE = re.compile(r"Lavrov|Blinken|Malta|OSCE")


def results(page: Page) -> Locator:
    """The links of the search results (one per page, without the links to its sections)."""
    return page.locator(".pagefind-ui__result > .pagefind-ui__result-inner > p > a")


def result_to(page: Page, path: str) -> Locator:
    """The search result that links to the page at ``path`` (from the server's root)."""
    return results(page).and_(page.locator(f"[href='{path}']"))


@pytest.mark.parametrize("word", ["Valletta", "Lavrov"])
def test_search_over_http_finds_the_malta_report_from_the_address(
    new_context: Callable[..., BrowserContext], real_site: Site, word: str
) -> None:
    context = new_context()
    traffic = Traffic(real_site.origin).attach(context)
    page = context.new_page()
    page.goto(real_site.http(f"search/index.html?q={word}"))
    expect(results(page).first).to_be_visible()
    expect(result_to(page, "/" + MALTA)).to_have_count(1)
    assert traffic.problems() == []
    assert any(url.endswith(".pf_fragment") for url in traffic.requests), "no index was read"


def test_a_reader_types_into_the_search_box_and_opens_the_report_found(
    page: Page, real_site: Site
) -> None:
    page.goto(real_site.http("index.html"))
    page.locator("#site-search").fill("Valletta")
    page.locator("#site-search").press("Enter")
    expect(page).to_have_url(real_site.http("search/index.html?q=Valletta"))
    expect(results(page).first).to_be_visible()

    # Then a second search, typed into Pagefind's own field.
    field = page.locator(".pagefind-ui__search-input")
    field.fill("")
    field.press_sequentially("Lavrov", delay=20)
    link = result_to(page, "/" + MALTA)
    expect(link).to_have_count(1)
    link.click()
    expect(page).to_have_url(re.compile(re.escape(real_site.http(MALTA))))
    expect(page.locator("h1")).to_have_text(MALTA_TITLE)


def test_search_results_lead_to_reports_when_the_site_is_served_under_a_sub_path(
    page: Page, multi_site: Site
) -> None:
    page.goto(multi_site.http("search/index.html?q=Karsk"))
    link = result_to(page, "/digest/reports/varga-reyes-karsk-bilateral/")
    expect(link).to_have_count(1)
    link.click()
    expect(page.locator("h1")).to_have_text(
        "In Karsk, Varga and Reyes Meet as the Grain Corridor Reopens"
    )


def test_opened_from_disk_the_search_page_says_that_search_needs_a_server(
    page: Page, real_site: Site
) -> None:
    page.goto(real_site.file("search/index.html") + "?q=Valletta")
    notice = page.locator("#search-offline")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("needs the site to be served over HTTP")
    expect(results(page)).to_have_count(0)
