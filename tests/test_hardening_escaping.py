"""Hostile content is escaped everywhere it lands (DESIGN.md section 7, "Safe").

One project whose every editor-written string carries script payloads, and whose links point
at ``javascript:`` and ``data:`` URLs, is built once; then every HTML page is parsed with
``html.parser`` for scripts, event handlers and dangerous URLs, the JSON-LD is parsed as JSON,
the Atom feeds with feedparser and ElementTree, and the API and the search index as JSON.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest

from conftest import REPO
from hardening_support import DANGEROUS_SCHEMES, foreign_scripts, scan_html
from osce_digest.cli import main
from osce_digest.load import load_site

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
BREAKOUT = "</script><script>alert(2)</script>"
COMMENT = "<!--<script>alert(3)</script>"
PAYLOAD = f"{SCRIPT} {ATTRIBUTE} {BREAKOUT} {COMMENT}"
"""Appended to every string an editor writes."""

ATOM = "{http://www.w3.org/2005/Atom}"


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text)


def site_yaml(*, allow_html: bool) -> str:
    return f"""\
title: Hostile Digest
description: {q("Description " + PAYLOAD)}
allow_html: {str(allow_html).lower()}
authors:
  desk: {{name: {q("Desk " + PAYLOAD)}, url: "https://example.org/desk?a=1&b='2'"}}
"""


TOPICS = f"""\
- key: evil
  label: {q("Evil " + PAYLOAD)}
  aliases: [corridor]
  description: {q("Topic description " + PAYLOAD)}
"""

ACTORS = f"""\
- key: mallory
  name: {q("Mallory " + PAYLOAD)}
  kind: person
  country: XA
  aliases: [Mallory]
- key: trent
  name: Trent
  kind: person
  country: XB
"""

VENUES = f"""\
- key: den
  name: {q("Den " + PAYLOAD)}
  series: {q("Series " + PAYLOAD)}
  description: {q("Venue description " + PAYLOAD)}
"""

REPORT = f"""\
---
title: {q("Title " + PAYLOAD)}
dek: {q("Dek " + PAYLOAD)}
date: 2024-12-06
authors: [desk]
summary: {q("Summary " + PAYLOAD)}
encounter:
  id: hostile-2024
  name: {q("Encounter " + PAYLOAD)}
  start: 2024-12-05
  venue: den
  participants: [mallory, trent]
  place: {{name: {q("Place " + PAYLOAD)}, locality: {q("Town " + PAYLOAD)}, country: XA}}
sources:
  - id: src-js
    title: {q("Source " + PAYLOAD)}
    publisher: {q("Publisher " + PAYLOAD)}
    url: "https://example.org/source?q='x'&r=1"
  - id: src-data
    title: A data URL
    publisher: Nobody
    url: "https://example.org/data"
---
The corridor was discussed.[^src-js] Body {SCRIPT} and {ATTRIBUTE} and {BREAKOUT}.[^src-data]

<script>alert('raw-block')</script>

<div onmouseover="alert('raw-div')">a raw block</div>

Links: [a](javascript:alert('md-1')), [b](data:text/html,<script>alert('md-2')</script>),
[c](JaVaScRiPt:alert('md-3')), [d](vbscript:msgbox('md-4')), <javascript:alert('md-5')>,
[e](<java&#x09;script:alert('md-6')>) and [f](&#106;avascript:alert('md-7')).

![g](javascript:alert('md-8')) Inline <img src=x onerror="alert('inline')"> html.

## Areas of disagreement {{#disagreements}}

### The corridor {{#corridor topics="evil"}}

**Mallory:** Rejected it {SCRIPT}.

**Trent:** Accepted it.

## Agenda {{#agenda}}

The agenda {ATTRIBUTE}.

#### A sub-heading {SCRIPT} {{#sub}}

Under it.

## Cooperation {{#cooperation}}

None {BREAKOUT}.

## Implications {{#implications}}

None {COMMENT}.
"""


def write_hostile(root: Path, *, allow_html: bool = False) -> Path:
    content = root / "content"
    (content / "reports").mkdir(parents=True)
    (content / "site.yaml").write_text(site_yaml(allow_html=allow_html), encoding="utf-8")
    (content / "topics.yaml").write_text(TOPICS, encoding="utf-8")
    (content / "actors.yaml").write_text(ACTORS, encoding="utf-8")
    (content / "venues.yaml").write_text(VENUES, encoding="utf-8")
    (content / "reports" / "hostile.md").write_text(REPORT, encoding="utf-8")
    shutil.copytree(REPO / "templates", root / "templates")
    return root


def build_hostile(root: Path, *, allow_html: bool = False) -> Path:
    write_hostile(root, allow_html=allow_html)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(root.parent / "xdg-cache"))
        assert main(["build", "--root", str(root)]) == 0
    return root / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile project, built with raw HTML off (the default)."""
    return build_hostile(tmp_path_factory.mktemp("hostile") / "project")


def html_pages(site: Path) -> Iterator[tuple[str, bytes]]:
    for path in sorted(site.rglob("*.html")):
        yield path.relative_to(site).as_posix(), path.read_bytes()


def strings(data: Any) -> Iterator[str]:
    """Every string in parsed JSON."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from strings(value)


def test_the_hostile_site_has_every_page_kind(site: Path) -> None:
    # Guards the scans below against passing on a site that lost its pages.
    for rel in (
        "index.html",
        "reports/hostile/index.html",
        "actors/mallory/index.html",
        "topics/evil/index.html",
        "venues/den/index.html",
        "timeline/index.html",
        "search/index.html",
        "feed.xml",
        "topics/evil/feed.xml",
        "api/reports.json",
        "api/reports/hostile.json",
    ):
        assert (site / rel).is_file(), rel


def test_no_page_runs_a_script_other_than_the_sites_own(site: Path) -> None:
    found = {}
    for rel, data in html_pages(site):
        foreign = foreign_scripts(scan_html(data))
        if foreign:
            found[rel] = foreign
    assert not found


def test_no_page_has_an_event_handler_attribute_or_embedding_element(site: Path) -> None:
    found = {}
    for rel, data in html_pages(site):
        scan = scan_html(data)
        if scan.handlers or scan.embeds:
            found[rel] = scan.handlers + scan.embeds
    assert not found


def test_javascript_and_data_links_in_the_body_are_not_links(site: Path) -> None:
    data = (site / "reports" / "hostile" / "index.html").read_bytes()
    urls = scan_html(data).urls
    assert not [u for u in urls if "md-" in u], urls


def test_a_heading_anchor_cannot_break_out_of_its_id_attribute(site: Path) -> None:
    # {#id} in a heading's attribute list is the editor's text too.
    scan = scan_html((site / "reports" / "hostile" / "index.html").read_bytes())
    assert not [s for s in foreign_scripts(scan) if "anchor" in s]


def test_no_page_links_to_a_javascript_or_data_url(site: Path) -> None:
    found = {}
    for rel, data in html_pages(site):
        urls = scan_html(data).urls
        if urls:
            found[rel] = urls
    assert not found, "DESIGN.md section 7: javascript: links refused"


def test_each_report_page_has_one_json_ld_block_that_parses_to_the_literal_text(
    site: Path,
) -> None:
    for rel, data in html_pages(site):
        blocks = [s for s in scan_html(data).scripts if s.get("type") == "application/ld+json"]
        if rel.startswith("reports/"):
            assert len(blocks) == 1, rel
        else:
            assert len(blocks) <= 1, rel
    scan = scan_html((site / "reports" / "hostile" / "index.html").read_bytes())
    (block,) = [s for s in scan.scripts if s.get("type") == "application/ld+json"]
    text = block["#text"] or ""
    assert "</script" not in text.lower()
    assert "<!--" not in text
    article = json.loads(text)
    assert article["headline"] == "Title " + PAYLOAD
    assert article["alternativeHeadline"] == "Dek " + PAYLOAD
    assert article["description"] == "Summary " + PAYLOAD
    assert article["about"]["name"] == "Encounter " + PAYLOAD
    assert "Mallory " + PAYLOAD in [a["name"] for a in article["about"]["attendee"]]
    assert "Evil " + PAYLOAD in [m["name"] for m in article["mentions"]]


def test_the_payload_shows_as_text_on_the_report_page(site: Path) -> None:
    text = "".join(scan_html((site / "reports" / "hostile" / "index.html").read_bytes()).text)
    for value in ("Title", "Dek", "Mallory", "Evil", "Den", "Source"):
        assert f"{value} {PAYLOAD}" in " ".join(text.split()), value
    assert "<script>alert('raw-block')</script>" in text


@pytest.mark.parametrize("feed", ["feed.xml", "topics/evil/feed.xml"])
def test_atom_feeds_hold_the_literal_text_and_no_raw_script(site: Path, feed: str) -> None:
    data = (site / feed).read_bytes()
    assert b"<script" not in data.lower()
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    (entry,) = parsed.entries
    assert entry.title == "Title " + PAYLOAD
    assert entry.summary == "Summary " + PAYLOAD
    assert entry.author == "Desk " + PAYLOAD
    for content in ET.fromstring(data).iter(f"{ATOM}content"):
        scan = scan_html((content.text or "").encode("utf-8"))
        assert not foreign_scripts(scan)
        assert not scan.problems


@pytest.mark.parametrize("feed", ["feed.xml", "topics/evil/feed.xml"])
def test_atom_feeds_carry_no_javascript_or_data_urls(site: Path, feed: str) -> None:
    root = ET.fromstring((site / feed).read_bytes())
    urls = [e.get("href", "") for e in root.iter(f"{ATOM}link")]
    urls += [e.text or "" for e in root.iter(f"{ATOM}uri")]
    urls += [v for e in root.iter() for k, v in e.attrib.items() if k.endswith("}base")]
    assert not [u for u in urls if u.strip().lower().startswith(DANGEROUS_SCHEMES)]


@pytest.mark.parametrize("name", ["api/reports.json", "api/reports/hostile.json"])
def test_the_api_holds_the_literal_text(site: Path, name: str) -> None:
    values = set(strings(json.loads((site / name).read_bytes())))
    for value in ("Title", "Dek", "Summary", "Encounter"):
        assert f"{value} {PAYLOAD}" in values, value


def test_the_search_index_holds_the_literal_text_for_the_page_to_insert_as_text(
    site: Path,
) -> None:
    # search.js puts titles and excerpts into the page with textContent only.
    values = set(strings(json.loads((site / "search" / "data" / "docs-0.json").read_bytes())))
    assert f"Title {PAYLOAD}" in values
    script = (site / "static" / "search.js").read_text("utf-8")
    assert "innerHTML" not in script
    assert "insertAdjacentHTML" not in script


def test_the_scan_finds_raw_html_when_the_site_allows_it(tmp_path: Path) -> None:
    # The control: with allow_html: true the body's <script> and onmouseover pass through
    # (as documented), and the scans above must see them.
    site = build_hostile(tmp_path / "project", allow_html=True)
    scan = scan_html((site / "reports" / "hostile" / "index.html").read_bytes())
    assert any("raw-block" in script for script in foreign_scripts(scan))
    assert any("onmouseover" in handler for handler in scan.handlers)


# --- what is refused rather than escaped -------------------------------------------------


@pytest.mark.parametrize(
    ("where", "text", "message"),
    [
        ("source", "javascript:alert(1)", "url 'javascript:alert(1)' is not an http(s) address"),
        ("source", "data:text/html,<script>alert(1)</script>", "is not an http(s) address"),
        ("author", "javascript:alert(1)", "url 'javascript:alert(1)' is not an http(s) address"),
        ("anchor", '#x"><script>alert(1)</script><b', "cannot read the attribute list"),
    ],
)
def test_script_urls_and_hostile_anchors_are_refused_with_a_diagnostic(
    tmp_path: Path, where: str, text: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tiny_project import FRONT_MATTER, REPORT, write_project

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    body = "\n## Agenda {#agenda}\n\nText.\n"
    if where == "anchor":
        body += "\n#### Sub {" + text + "}\n\nMore.\n"
    root = write_project(tmp_path / "project", body)
    if where == "source":
        report = root / REPORT
        report.write_text(
            FRONT_MATTER.replace(
                "{id: wire-1, title: Ministers trade barbs}",
                "{id: wire-1, title: Ministers trade barbs, url: " + json.dumps(text) + "}",
            )
            + body,
            "utf-8",
        )
    if where == "author":
        site = root / "content" / "site.yaml"
        site.write_text(
            site.read_text("utf-8").replace(
                "{name: Fixture desk}", "{name: Fixture desk, url: " + json.dumps(text) + "}"
            ),
            "utf-8",
        )
    result = load_site(root)
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert [d.message for d in errors if message in d.message], errors
