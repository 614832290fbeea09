"""Generated outputs: Atom feeds, sitemap.xml and robots.txt, and the JSON API.

The functions are called directly on a loaded site; they are not wired into the build yet.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest

from conftest import REPO, TESTS
from osce_digest.export import from_data, to_data
from osce_digest.load import load_site
from osce_digest.model import Evidence, Item, Report, Site
from osce_digest.outputs.api import (
    API_VERSION,
    entry_key,
    index_bytes,
    index_file,
    json_bytes,
    report_file,
    report_summary,
)
from osce_digest.outputs.feeds import atom_feed
from osce_digest.outputs.sitemap import MAX_URLS, sitemap

BASIC = TESTS / "sites" / "basic"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
RFC3339_MIDNIGHT = re.compile(r"\d{4}-\d{2}-\d{2}T00:00:00Z")
W3C_DATE = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")

HOSTILE_REPORT = """\
---
title: "<script>alert(1)</script> & friends"
dek: "Tom & Jerry <b>bold</b>"
date: 2024-12-09
summary: "A <script>summary</script> & more"
encounter:
  id: test-council-2024
  name: 9th Test Council
  start: 2024-12-05
  end: 2024-12-06
  kind: co-attendance
---

The ministers met <script>alert(2)</script> in Ukraine & elsewhere.
"""

QUIET_REPORT = """\
---
title: A quiet day
date: 2024-12-10
encounter:
  id: test-council-2024
  name: 9th Test Council
  start: 2024-12-05
  end: 2024-12-06
  kind: co-attendance
---

Nothing was said.

## Areas of disagreement

### Talks {#talks topics="arms-control"}

Nobody spoke.
"""


def load(root: Path, *, drafts: bool = False) -> Site:
    """A loaded site that must have no errors (editorial warnings are other tests' business)."""
    result = load_site(root, drafts=drafts)
    assert result.site is not None, result.diagnostics
    assert not [d for d in result.diagnostics if d.severity == "error"], result.diagnostics
    return result.site


def load_reports(root: Path, *, drafts: bool = False) -> list[Report]:
    """The published reports of a site in full, newest first."""
    return load_site(root, drafts=drafts).reports()


def without_base_url(site: Site) -> Site:
    return dataclasses.replace(site, meta=dataclasses.replace(site.meta, base_url=""))


def main_feed(site: Site) -> bytes:
    return atom_feed(site, site.reports, path="feed.xml", title="All reports", subtitle="S").data


def topic_feed(site: Site, key: str) -> bytes:
    reports = [r for r in site.reports if key in r.topics]
    return atom_feed(site, reports, path=f"topics/{key}/feed.xml", title=key, subtitle="S").data


@pytest.fixture
def hostile(tmp_path: Path) -> Site:
    """The basic site plus a report whose title, dek, summary and body carry markup."""
    shutil.copytree(BASIC / "content", tmp_path / "content")
    (tmp_path / "content" / "reports" / "hostile.md").write_text(HOSTILE_REPORT, "utf-8")
    return load(tmp_path)


# --- Atom feeds -----------------------------------------------------------------------


def test_the_main_feed_and_every_topic_feed_parse_as_atom_without_errors() -> None:
    site = load(BASIC, drafts=True)
    feeds = [main_feed(site)] + [topic_feed(site, key) for key in site.topics]
    for data in feeds:
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert parsed.version == "atom10"
        assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n")


def test_feed_ids_are_unique_and_identical_across_two_loads() -> None:
    first, second = load(BASIC, drafts=True), load(BASIC, drafts=True)
    assert main_feed(first) == main_feed(second)
    parsed = feedparser.parse(main_feed(first))
    ids = [parsed.feed.id] + [e.id for e in parsed.entries]
    assert len(ids) == len(set(ids)) == 3
    assert parsed.feed.id == "https://example.org/digest/feed.xml"
    assert parsed.entries[1].id == "https://example.org/digest/reports/council-2024/"


def test_entries_are_newest_first_whatever_order_they_are_passed_in() -> None:
    site = load(BASIC, drafts=True)
    oldest_first = sorted(site.reports, key=lambda r: r.meta.date)
    data = atom_feed(site, oldest_first, path="feed.xml", title="t", subtitle="s").data
    parsed = feedparser.parse(data)
    assert [e.link for e in parsed.entries] == [
        "https://example.org/digest/reports/draft-report/",
        "https://example.org/digest/reports/council-2024/",
    ]
    assert parsed.feed.updated == "2024-12-08T00:00:00Z"


def test_an_entry_carries_dates_author_summary_categories_and_the_lede() -> None:
    site = load(BASIC)
    entry = feedparser.parse(main_feed(site)).entries[0]
    assert entry.title == "Example and Sample at the Test Council"
    assert entry.published == entry.updated == "2024-12-07T00:00:00Z"
    assert entry.author == "Test desk"
    assert entry.summary == "Both attended; neither met the other."
    assert [(t.term, t.label) for t in entry.tags] == [
        ("ukraine", "Ukraine"),
        ("arms-control", "Arms control"),
        ("osce", "OSCE"),
    ]
    assert entry.content[0].type == "text/html"
    assert "The two ministers sat at the same table in Valletta." in entry.content[0].value


def test_every_timestamp_in_a_feed_is_rfc3339_midnight_utc() -> None:
    root = ET.fromstring(main_feed(load(BASIC, drafts=True)))
    stamps = [e.text for e in root.iter() if e.tag in (f"{ATOM}updated", f"{ATOM}published")]
    assert len(stamps) == 5
    assert all(RFC3339_MIDNIGHT.fullmatch(s or "") for s in stamps)


def test_a_topic_feed_lists_only_the_reports_that_mention_the_topic(tmp_path: Path) -> None:
    site = load(BASIC, drafts=True)
    parsed = feedparser.parse(topic_feed(site, "ukraine"))
    assert [e.title for e in parsed.entries] == ["Example and Sample at the Test Council"]
    assert parsed.feed.id == "https://example.org/digest/topics/ukraine/feed.xml"


def test_a_topic_named_only_on_an_item_heading_becomes_a_category(tmp_path: Path) -> None:
    shutil.copytree(BASIC / "content", tmp_path / "content")
    (tmp_path / "content" / "reports" / "quiet.md").write_text(QUIET_REPORT, "utf-8")
    site = load(tmp_path)
    quiet = next(r for r in load_reports(tmp_path) if r.slug == "quiet")
    assert not any(c.topics for c in quiet.claims)
    entry = next(e for e in feedparser.parse(main_feed(site)).entries if "quiet" in e.link)
    assert [t.term for t in entry.tags] == ["arms-control"]


def test_hostile_text_is_escaped_in_the_bytes_and_read_back_literally(hostile: Site) -> None:
    data = main_feed(hostile)
    assert b"<script" not in data
    assert b"<b>" not in data
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0
    entry = next(e for e in parsed.entries if e.link.endswith("/hostile/"))
    assert entry.title == "<script>alert(1)</script> & friends"
    assert entry.summary == "A <script>summary</script> & more"


def test_without_a_base_url_ids_are_tag_uris_and_links_are_relative_to_the_feed() -> None:
    site = without_base_url(load(BASIC))
    root = ET.fromstring(topic_feed(site, "ukraine"))
    assert root.findtext(f"{ATOM}id") == "tag:osce-digest.invalid,2024:topics/ukraine/feed.xml"
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"self": "feed.xml", "alternate": "../../index.html"}
    entry = root.find(f"{ATOM}entry")
    assert entry is not None
    assert entry.findtext(f"{ATOM}id") == "tag:osce-digest.invalid,2024:reports/council-2024"
    link = entry.find(f"{ATOM}link")
    assert link is not None
    assert link.get("href") == "../../reports/council-2024/index.html"
    main = ET.fromstring(main_feed(site)).find(f"{ATOM}entry/{ATOM}link")
    assert main is not None
    assert main.get("href") == "reports/council-2024/index.html"
    assert feedparser.parse(topic_feed(site, "ukraine")).bozo == 0


def test_an_empty_feed_is_still_valid_and_reproducible() -> None:
    site = load(BASIC)
    data = atom_feed(site, [], path="topics/osce/feed.xml", title="t", subtitle="s").data
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0
    assert parsed.entries == []
    assert parsed.feed.author == "Test Digest"
    assert parsed.feed.updated == "1970-01-01T00:00:00Z"


# --- sitemap.xml and robots.txt ---------------------------------------------------------


def page_urls(site: Site) -> list[tuple[str, dt.date | None]]:
    return [("", None)] + [
        (f"reports/{r.slug}/", r.meta.updated or r.meta.date) for r in site.reports
    ]


def assert_valid_urlset(data: bytes, *, base_url: str) -> list[str]:
    """The sitemaps.org 0.9 rules for one sitemap file; returns its locations."""
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    data.decode("utf-8")  # the protocol requires UTF-8
    root = ET.fromstring(data)  # well-formed, or this raises
    assert root.tag == f"{SITEMAP}urlset"
    assert len(data) <= 50 * 1024 * 1024
    locs = []
    for url in root:
        assert url.tag == f"{SITEMAP}url"
        children = [c.tag for c in url]
        assert children.count(f"{SITEMAP}loc") == 1
        assert set(children) <= {f"{SITEMAP}{t}" for t in ("loc", "lastmod")}
        loc = url.findtext(f"{SITEMAP}loc") or ""
        assert 0 < len(loc) < 2048
        if base_url:
            parts = urlsplit(loc)
            assert parts.scheme in ("http", "https")
            assert loc.startswith(base_url)
        lastmod = url.findtext(f"{SITEMAP}lastmod")
        if lastmod is not None:
            assert W3C_DATE.fullmatch(lastmod)
        locs.append(loc)
    assert 0 < len(locs) <= MAX_URLS
    assert len(locs) == len(set(locs))
    return locs


def test_the_sitemap_follows_the_sitemaps_protocol_with_absolute_locations() -> None:
    site = load(BASIC)
    assets = {a.output: a.data for a in sitemap(site, page_urls(site))}
    assert sorted(assets) == ["robots.txt", "sitemap.xml"]
    locs = assert_valid_urlset(assets["sitemap.xml"], base_url=site.meta.base_url)
    assert locs == [
        "https://example.org/digest/",
        "https://example.org/digest/reports/council-2024/",
    ]
    root = ET.fromstring(assets["sitemap.xml"])
    assert [u.findtext(f"{SITEMAP}lastmod") for u in root] == [None, "2024-12-07"]


def test_without_a_base_url_sitemap_locations_are_relative_to_the_site_root() -> None:
    site = without_base_url(load(BASIC))
    assets = {a.output: a.data for a in sitemap(site, page_urls(site))}
    locs = assert_valid_urlset(assets["sitemap.xml"], base_url="")
    assert locs == ["./", "reports/council-2024/"]


def test_more_than_fifty_thousand_urls_are_split_behind_a_sitemap_index() -> None:
    site = load(BASIC)
    urls: list[tuple[str, dt.date | None]] = [(f"p/{n}/", None) for n in range(MAX_URLS + 1)]
    assets = {a.output: a.data for a in sitemap(site, urls)}
    assert sorted(assets) == ["robots.txt", "sitemap-1.xml", "sitemap-2.xml", "sitemap.xml"]
    index = ET.fromstring(assets["sitemap.xml"])
    assert index.tag == f"{SITEMAP}sitemapindex"
    assert [s.findtext(f"{SITEMAP}loc") for s in index] == [
        "https://example.org/digest/sitemap-1.xml",
        "https://example.org/digest/sitemap-2.xml",
    ]
    first = assert_valid_urlset(assets["sitemap-1.xml"], base_url=site.meta.base_url)
    second = assert_valid_urlset(assets["sitemap-2.xml"], base_url=site.meta.base_url)
    assert len(first) == MAX_URLS
    assert second == [f"https://example.org/digest/p/{MAX_URLS}/"]


def test_a_url_listed_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="listed twice"):
        sitemap(load(BASIC), [("a/", None), ("a/", None)])


def test_robots_txt_allows_everything_and_names_the_sitemap_only_with_a_base_url() -> None:
    site = load(BASIC)
    robots = {a.output: a.data for a in sitemap(site, [("", None)])}["robots.txt"]
    assert robots == (b"User-agent: *\nAllow: /\nSitemap: https://example.org/digest/sitemap.xml\n")
    bare = {a.output: a.data for a in sitemap(without_base_url(site), [("", None)])}
    assert bare["robots.txt"] == b"User-agent: *\nAllow: /\n"


# --- JSON API ---------------------------------------------------------------------------


def api(root: Path, *, drafts: bool = False) -> dict[str, bytes]:
    """The API files of a site: the index and one file per report."""
    loaded = load_site(root, drafts=drafts)
    assert loaded.site is not None, loaded.diagnostics
    files = [index_file(loaded.site)] + [report_file(r) for r in loaded.reports()]
    return {a.output: a.data for a in files}


@pytest.mark.parametrize("root", [BASIC, REPO], ids=["tests/sites/basic", "content"])
def test_every_report_round_trips_through_its_api_file(root: Path) -> None:
    files = api(root, drafts=True)
    reports = load_reports(root, drafts=True)
    assert reports
    for report in reports:
        data = json.loads(files[f"api/reports/{report.slug}.json"])
        assert from_data(Report, data) == report


def plain_index(site: Site) -> bytes:
    """The report index encoded whole, the obvious way."""
    reports = sorted(site.reports, key=lambda r: (-r.meta.date.toordinal(), r.slug))
    return json_bytes(
        {
            "version": API_VERSION,
            "site": {"title": site.meta.title, "base_url": site.meta.base_url or None},
            "reports": [report_summary(site, r) for r in reports],
        }
    )


def test_the_index_made_of_entry_texts_is_the_index_encoded_whole() -> None:
    loaded = load_site(TESTS / "sites" / "multi")
    assert loaded.site is not None
    site = loaded.site
    data, texts = index_bytes(site, {})
    assert data == plain_index(site)
    assert len(texts) > 1
    assert list(texts) == [
        entry_key(site, r)
        for r in sorted(site.reports, key=lambda r: (-r.meta.date.toordinal(), r.slug))
    ]
    # Reused texts are taken as they are: a changed one shows, a foreign value is ignored.
    first = next(iter(texts))
    marked = {**texts, first: texts[first].replace('"slug"', '"slug_"', 1)}
    assert b'"slug_"' in index_bytes(site, marked)[0]
    assert index_bytes(site, {first: 17})[0] == data  # type: ignore[dict-item]
    # Another base URL makes other entries (their canonical URLs change).
    moved = dataclasses.replace(
        site, meta=dataclasses.replace(site.meta, base_url="https://example.org/digest/")
    )
    again, moved_texts = index_bytes(moved, texts)
    assert again == plain_index(moved)
    assert not set(moved_texts) & set(texts)
    empty = dataclasses.replace(site, reports=())
    assert index_bytes(empty, texts)[0] == plain_index(empty)


def test_api_files_are_sorted_utf8_with_a_trailing_newline_and_the_index_indented() -> None:
    for name, data in api(REPO).items():
        text = data.decode("utf-8")
        parsed = json.loads(text)
        if name == "api/reports.json":
            expected = json.dumps(parsed, indent=2, sort_keys=True, ensure_ascii=False)
        else:
            expected = json.dumps(parsed, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        assert text == expected + "\n", name


def test_the_index_lists_every_report_newest_first_with_its_evidence_counts() -> None:
    files = api(BASIC, drafts=True)
    index = json.loads(files["api/reports.json"])
    assert [r["slug"] for r in index["reports"]] == ["draft-report", "council-2024"]
    council = index["reports"][1]
    assert council["evidence"] == {
        "confirmed": 3,
        "reported": 1,
        "assessed": 3,
        "speculative": 2,
        "unsourced": 3,
    }
    assert council["topics"] == ["ukraine", "arms-control", "osce"]
    assert council["url"] == "reports/council-2024/"
    assert council["encounter"]["participants"] == ["alice-example", "boris-sample"]
    assert council["encounter"]["direct_contact"] is False
    assert sorted(files) == [
        "api/reports.json",
        "api/reports/council-2024.json",
        "api/reports/draft-report.json",
    ]


def claim_statuses(data: Any) -> Counter[str]:
    """Evidence of every claim in an exported report, found by walking the data."""
    found: Counter[str] = Counter()
    if isinstance(data, dict):
        if "claims" in data:
            found.update(c["evidence"] for c in data["claims"])
        for key, value in data.items():
            if key != "claims":
                found += claim_statuses(value)
    elif isinstance(data, list):
        for value in data:
            found += claim_statuses(value)
    return found


@pytest.mark.parametrize("root", [BASIC, REPO], ids=["tests/sites/basic", "content"])
def test_index_counts_match_the_claims_in_each_report_file(root: Path) -> None:
    files = api(root)
    index = json.loads(files["api/reports.json"])
    assert len(index["reports"]) == len(load(root).reports)
    for entry in index["reports"]:
        counted = claim_statuses(json.loads(files[entry["data"]]))
        assert {k: v for k, v in entry["evidence"].items() if v} == dict(counted)
        assert entry["claims"] == sum(counted.values())


# --- from_data --------------------------------------------------------------------------


def test_from_data_rebuilds_enums_dates_and_nested_tuples() -> None:
    item = load_reports(BASIC)[0].sections[1].items[0]
    rebuilt = from_data(Item, to_data(item))
    assert rebuilt == item
    assert isinstance(rebuilt.evidence, Evidence)
    assert isinstance(rebuilt.blocks, tuple)
    assert rebuilt.claims[0].evidence is Evidence.REPORTED


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"evidence": "rumoured"}, "is not a valid Evidence"),
        ({"line": "3"}, "expected int"),
        ({"blocks": {}}, "expected list"),
        ({"colour": "red"}, "unknown keys 'colour'"),
    ],
)
def test_from_data_refuses_data_that_does_not_fit_the_model(
    change: dict[str, Any], message: str
) -> None:
    data = to_data(load_reports(BASIC)[0].sections[1].items[0]) | change
    with pytest.raises(ValueError, match=message):
        from_data(Item, data)


def test_from_data_names_a_missing_required_field() -> None:
    data = to_data(load(BASIC).reports[0].meta)
    del data["title"]
    with pytest.raises(ValueError, match="title"):
        from_data(type(load(BASIC).reports[0].meta), data)


def test_a_feed_carries_the_fifty_newest_reports() -> None:
    import dataclasses
    import datetime as dt

    site = load(BASIC)
    (report,) = site.reports
    many = [
        dataclasses.replace(
            report,
            slug=f"r{n:03d}",
            meta=dataclasses.replace(report.meta, date=report.meta.date + dt.timedelta(days=n)),
        )
        for n in range(60)
    ]
    parsed = feedparser.parse(atom_feed(site, many, path="feed.xml", title="t", subtitle="s").data)
    assert len(parsed.entries) == 50
    assert parsed.entries[0].link.endswith("reports/r059/")
    assert parsed.entries[-1].link.endswith("reports/r010/")
