"""digest serve in a real browser: an edit reloads the page, broken content shows an overlay."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from serving import serving, stop_or_explain

REPORT = "content/reports/lavrov-blinken-osce-malta-2024.md"
URL_PATH = "reports/lavrov-blinken-osce-malta-2024/"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    with serving(tmp_path) as (project, port, _, _):
        yield project, f"http://127.0.0.1:{port}/"


def test_editing_reloads_the_page_and_broken_yaml_shows_an_overlay_until_fixed(
    server: tuple[Path, str], page: Page
) -> None:
    project, base = server
    page.goto(base + URL_PATH)
    dek = page.locator(".report-header .dek")
    expect(dek).to_have_text("High-Stakes Diplomacy: Lavrov and Blinken Face Off in Malta")
    report = project / REPORT
    text = report.read_text("utf-8")

    report.write_text(text.replace("High-Stakes Diplomacy", "Edited in the editor"), "utf-8")
    expect(dek).to_contain_text("Edited in the editor", timeout=20_000)

    report.write_text(text.replace("date: 2024-12-06", "date: [2024-12-06"), "utf-8")
    overlay = page.locator("#digest-overlay")
    expect(overlay).to_be_visible(timeout=20_000)
    expect(overlay).to_contain_text("lavrov-blinken-osce-malta-2024.md:")
    expect(overlay).to_contain_text("yaml-syntax")
    expect(overlay).to_contain_text("this page shows the last good build")

    report.write_text(text, "utf-8")
    expect(overlay).to_have_count(0, timeout=20_000)
    expect(dek).to_have_text("High-Stakes Diplomacy: Lavrov and Blinken Face Off in Malta")


def test_ten_open_tabs_all_load_and_all_reload_after_an_edit(
    server: tuple[Path, str], new_context: Callable[..., BrowserContext]
) -> None:
    # A browser opens at most six connections to one host. Were each open page to hold
    # one for its events, a seventh tab would never load; they share one stream instead.
    project, base = server
    context = new_context()
    tabs = [context.new_page() for _ in range(10)]
    for tab in tabs:
        tab.goto(base + URL_PATH, timeout=10_000)
    report = project / REPORT
    text = report.read_text("utf-8")
    report.write_text(text.replace("High-Stakes Diplomacy", "Seen in every tab"), "utf-8")
    for tab in tabs:
        expect(tab.locator(".report-header .dek")).to_contain_text(
            "Seen in every tab", timeout=30_000
        )


def test_an_open_page_reloads_when_the_server_restarts_on_other_content(
    tmp_path: Path, page: Page
) -> None:
    def edit(project: Path) -> None:
        report = project / REPORT
        text = report.read_text("utf-8")
        report.write_text(text.replace("High-Stakes Diplomacy", "Edited while stopped"), "utf-8")

    with serving(tmp_path / "before") as (_, port, process, _):
        page.goto(f"http://127.0.0.1:{port}/{URL_PATH}")
        dek = page.locator(".report-header .dek")
        expect(dek).to_contain_text("High-Stakes Diplomacy")
        assert stop_or_explain(process) == 0
    with serving(tmp_path / "after", edit, port=port):
        # The page's stream reconnects on its own and hears of another build.
        expect(dek).to_contain_text("Edited while stopped", timeout=30_000)


def test_a_tab_opened_while_the_content_has_errors_shows_them_too(
    server: tuple[Path, str], new_context: Callable[..., BrowserContext]
) -> None:
    # The tabs share one stream: a tab that joins it later is told the current errors.
    project, base = server
    context = new_context()
    first = context.new_page()
    first.goto(base + URL_PATH)
    report = project / REPORT
    text = report.read_text("utf-8")
    report.write_text(text.replace("date: 2024-12-06", "date: [2024-12-06"), "utf-8")
    expect(first.locator("#digest-overlay")).to_be_visible(timeout=20_000)
    second = context.new_page()
    second.goto(base)
    expect(second.locator("#digest-overlay")).to_contain_text("yaml-syntax", timeout=10_000)
    report.write_text(text, "utf-8")
    for tab in (first, second):
        expect(tab.locator("#digest-overlay")).to_have_count(0, timeout=20_000)
