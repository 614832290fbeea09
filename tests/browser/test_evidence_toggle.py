"""The switch on a report page hides and shows the evidence marks, with or without script."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page

from .helpers import Site

REPORT = "reports/varga-reyes-karsk-bilateral/index.html"


def badge_displays(page: Page) -> set[str]:
    """The computed `display` of every evidence badge inside a claim."""
    displays = page.eval_on_selector_all(
        ".claim .ev-badge", "badges => badges.map(b => getComputedStyle(b).display)"
    )
    assert len(displays) >= 5, "the report should have marked claims"
    return set(displays)


def claim_underlines(page: Page) -> set[str]:
    return set(
        page.eval_on_selector_all(
            ".claim", "claims => claims.map(c => getComputedStyle(c).textDecorationLine)"
        )
    )


def assert_marks_shown(page: Page) -> None:
    assert page.locator("#show-evidence").is_checked()
    assert "none" not in badge_displays(page)
    assert claim_underlines(page) == {"underline"}
    assert page.locator(".claim .ev-badge").first.is_visible()


def assert_marks_hidden(page: Page) -> None:
    assert not page.locator("#show-evidence").is_checked()
    assert badge_displays(page) == {"none"}
    assert claim_underlines(page) == {"none"}
    assert page.locator(".claim .ev-badge").first.is_hidden()


@pytest.mark.parametrize("script", [True, False], ids=["with-javascript", "without-javascript"])
def test_the_checkbox_switches_the_evidence_marks_off_and_on(
    new_context: Callable[..., BrowserContext], multi_site: Site, script: bool
) -> None:
    page = new_context(java_script_enabled=script).new_page()
    page.goto(multi_site.http(REPORT))
    assert_marks_shown(page)

    page.locator("label[for='show-evidence']").click()  # a reader clicks the label's words
    assert_marks_hidden(page)

    page.locator("#show-evidence").click()
    assert_marks_shown(page)

    # evidence.js keeps the choice in localStorage; without script nothing is stored and
    # the CSS alone did the switching.
    saved = page.evaluate("localStorage.getItem('osce-digest:show-evidence')")
    assert saved == ("1" if script else None)


def test_with_javascript_the_choice_to_hide_the_marks_is_remembered_across_pages(
    page: Page, multi_site: Site
) -> None:
    page.goto(multi_site.http(REPORT))
    page.locator("#show-evidence").uncheck()
    assert_marks_hidden(page)
    page.goto(multi_site.http("reports/hallen-council-analysis/index.html"))
    assert_marks_hidden(page)
    page.locator("#show-evidence").check()
    page.reload()
    assert_marks_shown(page)
