"""Accessibility in a real browser: axe-core on every kind of page, and the keyboard."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Page, expect

from .helpers import Site

PAGE_TYPES = {
    "home": ("multi", "index.html"),
    "report": ("multi", "reports/tidewater-summit-analysis/index.html"),
    "report-malta": ("real", "reports/lavrov-blinken-osce-malta-2024/index.html"),
    "topics-index": ("multi", "topics/index.html"),
    "topic": ("multi", "topics/grain-corridor/index.html"),
    "actors-index": ("multi", "actors/index.html"),
    "actor": ("multi", "actors/alda-varga/index.html"),
    "country": ("multi", "countries/xa/index.html"),
    "venue": ("multi", "venues/tidewater-summit/index.html"),
    "timeline": ("multi", "timeline/index.html"),
    "digest": ("multi", "digest/2025-02/index.html"),
    "methodology": ("multi", "methodology/index.html"),
    "search": ("multi", "search/index.html?q=grain"),
    "404": ("multi", "reports/no-such-report/index.html"),
}
BLOCKING = ("critical", "serious")


def describe(violations: list[dict[str, Any]]) -> str:
    """Each violation with every element it names and axe's reason, for the failure message."""
    lines = []
    for violation in violations:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl'].split('?')[0]}]"
        )
        for node in violation["nodes"]:
            lines.append(f"  at {' '.join(map(str, node['target']))}: {node['html'][:200]}")
            lines.extend(f"    {line}" for line in node["failureSummary"].splitlines()[1:])
    return "\n".join(lines)


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (axe is injected once per document)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)  # axe.min.js as shipped in the PyPI package; nothing fetched
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    assert results["testEngine"]["name"] == "axe-core"
    return list(results["violations"])


@pytest.mark.parametrize("page_type", list(PAGE_TYPES))
def test_axe_finds_no_serious_or_critical_violation_in_light_or_dark(
    page: Page, request: pytest.FixtureRequest, page_type: str
) -> None:
    site_name, rel = PAGE_TYPES[page_type]
    site: Site = request.getfixturevalue(f"{site_name}_site")
    page.goto(site.http(rel))
    if page_type == "search":
        expect(page.locator("#search-results li").first).to_be_visible()
    # Open every disclosure, so that what it hides is checked too.
    page.eval_on_selector_all("details", "all => all.forEach(d => { d.open = true; })")
    found = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (
            scheme == "dark"
        )
        blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
        if blocking:
            found[scheme] = describe(blocking)
    assert not found, "\n".join(
        f"{page_type} ({rel}), {scheme} scheme:\n{text}" for scheme, text in found.items()
    )


TABBABLE = """() => {
    const selector = 'a[href], area[href], button:not([disabled]), summary, iframe, ' +
        'input:not([disabled]):not([type=hidden]), select:not([disabled]), ' +
        'textarea:not([disabled]), [contenteditable], [tabindex]:not([tabindex="-1"])';
    const tabbable = [...document.querySelectorAll(selector)].filter(el => {
        const closed = el.closest('details:not([open])');
        if (closed && !(el.tagName === 'SUMMARY' && el.parentElement === closed)) return false;
        return el.checkVisibility({visibilityProperty: true});
    });
    tabbable.forEach((el, i) => { el.dataset.tabOrder = String(i); });
    return tabbable.map(el => el.outerHTML.slice(0, 120));
}"""

FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
        order: el.dataset.tabOrder ?? null,
        html: el.outerHTML.slice(0, 120),
        outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
        shadow: style.boxShadow !== 'none',
        onscreen: box.right > 0 && box.bottom > 0 && box.left < innerWidth && box.width > 0,
    };
}"""


@pytest.mark.parametrize(
    ("site_name", "rel"),
    [
        ("multi", "reports/tidewater-summit-analysis/index.html"),
        ("real", "reports/lavrov-blinken-osce-malta-2024/index.html"),
    ],
    ids=["multi-report", "malta-report"],
)
def test_tab_reaches_the_skip_link_first_then_every_link_in_order_each_visibly_focused(
    page: Page, request: pytest.FixtureRequest, site_name: str, rel: str
) -> None:
    site: Site = request.getfixturevalue(f"{site_name}_site")
    page.goto(site.http(rel))
    expected = page.evaluate(TABBABLE)
    assert len(expected) > 20
    seen: list[Any] = []
    unmarked: list[str] = []
    for _ in expected:
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if not (focused["outline"] or focused["shadow"]):
            unmarked.append(focused["html"])
        if not focused["onscreen"]:
            unmarked.append("off screen: " + focused["html"])
        seen.append(int(focused["order"]) if focused["order"] is not None else focused["html"])
    assert "skip-link" in expected[0], "the skip link should come first in the page"
    assert seen[0] == 0, f"Tab first focused {seen[0]}, not the skip link"
    assert seen == list(range(len(expected))), "the Tab order differs from the page's order"
    assert unmarked == [], "focused without a visible focus indicator"


def test_the_skip_link_takes_the_keyboard_to_the_main_content(page: Page, multi_site: Site) -> None:
    page.goto(multi_site.http("reports/tidewater-summit-analysis/index.html"))
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.keyboard.press("Enter")
    # Following a link to a fragment settles after the key press returns: wait for it.
    expect(page).to_have_url(re.compile(r"#main$"))
    page.keyboard.press("Tab")
    page.wait_for_function("document.querySelector('main').contains(document.activeElement)")
