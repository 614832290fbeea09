"""The built sites as a crawler meets them: links, anchors, feeds, structured data, topics."""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest

from conftest import REPO, TESTS
from osce_digest.cli import main
from osce_digest.load import load_site


class _Page(HTMLParser):
    """Collects ids, internal links and JSON-LD of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.jsonld: list[str] = []
        self._in_jsonld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        for name in ("href", "src"):
            if values.get(name):
                self.links.append(str(values[name]))
        self._in_jsonld = tag == "script" and values.get("type") == "application/ld+json"

    def handle_data(self, data: str) -> None:
        if self._in_jsonld:
            self.jsonld.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_jsonld = False


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text("utf-8"))
    return page


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("sites")
    templates = str(REPO / "templates")
    # --no-cache: these projects are the checkout's own, and a build's cache goes into them.
    assert main(["build", "--root", str(REPO), "--out", str(out / "real"), "--no-cache"]) == 0
    multi = ["build", "--root", str(TESTS / "sites" / "multi"), "--templates", templates]
    multi.append("--no-cache")
    assert main([*multi, "--out", str(out / "multi")]) == 0
    return {"real": out / "real", "multi": out / "multi"}


@pytest.mark.parametrize("name", ["real", "multi"])
def test_every_internal_link_and_anchor_resolves(built: dict[str, Path], name: str) -> None:
    site = built[name]
    pages = {p: parse(p) for p in site.rglob("*.html")}
    assert len(pages) > 10
    broken = []
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith("mailto:"):
                continue
            if path == site / "404.html":
                continue  # served at any address, it links from the domain's root
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if not target.is_file():
                broken.append(f"{path.relative_to(site)}: {link} (no such file)")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if html.unescape(parts.fragment) not in ids:
                    broken.append(f"{path.relative_to(site)}: {link} (no such anchor)")
    assert broken == []


@pytest.mark.parametrize("name", ["real", "multi"])
def test_every_feed_parses_cleanly_and_links_to_published_reports(
    built: dict[str, Path], name: str
) -> None:
    site = built[name]
    feeds = sorted(site.rglob("feed.xml"))
    assert site / "feed.xml" in feeds
    for feed in feeds:
        parsed = feedparser.parse(feed.read_bytes())
        assert parsed.bozo == 0, f"{feed}: {parsed.get('bozo_exception')}"
        assert parsed.version == "atom10"
        ids = [e.id for e in parsed.entries]
        assert len(ids) == len(set(ids))
    main_feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert len(main_feed.entries) == min(50, len(list((site / "reports").iterdir())))


def test_every_report_page_carries_json_ld_for_the_article_and_its_event(
    built: dict[str, Path],
) -> None:
    for page_path in sorted((built["multi"] / "reports").glob("*/index.html")):
        blocks = parse(page_path).jsonld
        assert len(blocks) == 1, page_path
        data = json.loads(blocks[0])
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "AnalysisNewsArticle"
        event = data["about"]
        assert event["@type"] == "Event"
        assert event["startDate"] <= event["endDate"]
        assert event["attendee"], page_path
        assert all(a["@type"] in ("Person", "Country", "Organization") for a in event["attendee"])
        assert data["url"].startswith("https://fixture.example/digest/reports/")
    malta = built["real"] / "reports" / "lavrov-blinken-osce-malta-2024" / "index.html"
    event = json.loads(parse(malta).jsonld[0])["about"]
    assert event["name"] == "31st OSCE Ministerial Council"
    assert event["location"]["address"]["addressCountry"] == "MT"
    assert event["superEvent"] == {"@type": "EventSeries", "name": "OSCE Ministerial Council"}
    assert [a["name"] for a in event["attendee"]] == ["Sergey Lavrov", "Antony Blinken"]


def test_a_topic_page_lists_every_claim_tagged_with_it_across_reports(
    built: dict[str, Path],
) -> None:
    loaded = load_site(TESTS / "sites" / "multi")
    site, reports = loaded.site, loaded.reports()
    assert site is not None
    for key in site.topics:
        page = html.unescape((built["multi"] / "topics" / key / "index.html").read_text("utf-8"))
        tagged = [c.text for r in reports for c in r.claims if key in c.topics]
        for text in tagged:
            assert text in page, f"topic {key}: missing {text!r}"


def test_the_sitemap_lists_every_page_with_absolute_urls(built: dict[str, Path]) -> None:
    sitemap = (built["multi"] / "sitemap.xml").read_text("utf-8")
    pages = [p.relative_to(built["multi"]).as_posix() for p in built["multi"].rglob("index.html")]
    for rel in pages:
        url = "https://fixture.example/digest/" + rel.removesuffix("index.html")
        assert f"<loc>{url}</loc>" in sitemap
    assert "404.html" not in sitemap
    robots = (built["multi"] / "robots.txt").read_text("utf-8")
    assert "Sitemap: https://fixture.example/digest/sitemap.xml" in robots


def test_the_404_page_links_from_the_domain_root_without_a_base_url(
    built: dict[str, Path],
) -> None:
    page = (built["real"] / "404.html").read_text("utf-8")
    assert 'href="/static/style.css"' in page
    assert 'href="/index.html"' in page
    multi = (built["multi"] / "404.html").read_text("utf-8")
    assert 'href="https://fixture.example/digest/static/style.css"' in multi
