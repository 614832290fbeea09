"""Search: the index finds reports and vocabulary pages when the site is served; from disk,
the page says why not."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from osce_digest.cli import main

from .helpers import REPO, Site, Traffic, serve

MALTA = "reports/lavrov-blinken-osce-malta-2024/"
MALTA_TITLE = re.compile(r"Lavrov|Blinken|Malta|OSCE")


def results(page: Page) -> Locator:
    """The links of the search results, one per page found."""
    return page.locator("#search-results .result-link")


def result_to(page: Page, rel: str) -> Locator:
    """The search result that links to the page at ``rel`` (site-relative, e.g. reports/x/)."""
    return results(page).and_(page.locator(f"[href='../{rel}index.html']"))


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """60 synthetic reports from the benchmark's generator: enough results to page through."""
    root = tmp_path_factory.mktemp("big")
    generate = [sys.executable, str(REPO / "bench" / "generate.py"), "--reports", "60"]
    subprocess.run([*generate, "--seed", "3", "--out", str(root / "p")], check=True)
    with serve(root / "site") as url:
        templates = ["--templates", str(REPO / "templates")]
        assert (
            main(["build", "--root", str(root / "p"), "--out", str(root / "site"), *templates]) == 0
        )
        yield Site("big", root / "site", url)


@pytest.mark.parametrize("word", ["Valletta", "Lavrov", "VALLÉTTA"])
def test_search_over_http_finds_the_malta_report_from_the_address(
    new_context: Callable[..., BrowserContext], real_site: Site, word: str
) -> None:
    context = new_context()
    traffic = Traffic(real_site.origin).attach(context)
    page = context.new_page()
    page.goto(real_site.http(f"search/index.html?q={word}"))
    expect(results(page).first).to_be_visible()
    expect(result_to(page, MALTA)).to_have_count(1)
    expect(page.locator("#search-status")).to_contain_text(f"for \u201c{word}\u201d")
    assert traffic.problems() == []
    assert any("/search/data/terms-" in url for url in traffic.requests), "no index was read"


def test_a_reader_types_into_the_search_box_and_opens_the_report_found(
    page: Page, real_site: Site
) -> None:
    page.goto(real_site.http("index.html"))
    page.locator("#site-search").fill("Valletta")
    page.locator("#site-search").press("Enter")
    expect(page).to_have_url(real_site.http("search/index.html?q=Valletta"))
    expect(results(page).first).to_be_visible()

    expect(page.locator("#search-input")).to_have_value("Valletta")

    # Then a second search, typed into the page's own field: results come as one types.
    field = page.locator("#search-input")
    field.fill("")
    field.press_sequentially("Lavrov", delay=20)
    expect(page).to_have_url(real_site.http("search/index.html?q=Lavrov"))
    link = result_to(page, MALTA)
    expect(link).to_have_count(1)
    link.click()
    expect(page).to_have_url(re.compile(re.escape(real_site.http(MALTA))))
    expect(page.locator("h1")).to_have_text(MALTA_TITLE)


def test_search_results_lead_to_reports_when_the_site_is_served_under_a_sub_path(
    page: Page, multi_site: Site
) -> None:
    page.goto(multi_site.http("search/index.html?q=Karsk"))
    link = result_to(page, "reports/varga-reyes-karsk-bilateral/")
    expect(link).to_have_count(1)
    link.click()
    expect(page).to_have_url(multi_site.http("reports/varga-reyes-karsk-bilateral/index.html"))
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


def test_words_match_as_prefixes_every_word_must_match_and_a_miss_says_so(
    page: Page, multi_site: Site
) -> None:
    # "Karsk" alone finds the report; "Kars" finds it by prefix, and the match is marked.
    page.goto(multi_site.http("search/index.html?q=Kars"))
    expect(result_to(page, "reports/varga-reyes-karsk-bilateral/")).to_have_count(1)
    expect(page.locator("#search-results mark").first).to_have_text(re.compile("^Kars", re.I))
    # Every word must match: a word no page has empties the results.
    field = page.locator("#search-input")
    field.fill("Karsk zzyzxq")
    field.press("Enter")
    expect(page.locator("#search-status")).to_have_text("No results for \u201cKarsk zzyzxq\u201d.")
    expect(results(page)).to_have_count(0)
    # A single letter is not searched for, and the page says why.
    field.fill("k")
    field.press("Enter")
    expect(page.locator("#search-status")).to_have_text("Type a word of two letters or more.")


def test_vocabulary_pages_are_found_by_their_names_and_aliases(
    page: Page, multi_site: Site
) -> None:
    page.goto(multi_site.http("search/index.html?q=grain corridor"))
    topic = result_to(page, "topics/grain-corridor/")
    expect(topic).to_have_count(1)
    expect(topic.locator("xpath=..").locator(".result-kind")).to_contain_text("Topic")


def test_a_common_word_shows_twenty_results_then_more_on_request(
    page: Page, big_site: Site
) -> None:
    page.goto(big_site.http("search/index.html?q=the"))
    expect(results(page)).to_have_count(20)
    status = page.locator("#search-status").inner_text()
    total = int(status.split()[0])
    assert total >= 60, status  # every report has "the"
    page.locator("#search-more").click()
    expect(results(page)).to_have_count(40)
    hrefs = results(page).evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(set(hrefs)) == 40, "a result is shown twice"
