"""Feeds: Atom 1.0 (RFC 4287) feeds of reports, built from the loaded site.

Part of the build phase (DESIGN.md section 5: ``/feed.xml`` and ``/topics/<key>/feed.xml``).
The XML is built with ElementTree, which escapes every text and attribute, and the bytes
depend only on the content: the feed's ``<updated>`` is its newest entry's, never the clock.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from osce_digest.model import AuthorMeta, ReportSummary, Site
from osce_digest.pages import Asset
from osce_digest.urls import canonical, root_prefix

ATOM = "http://www.w3.org/2005/Atom"
"""The Atom namespace."""

XML_NS = "http://www.w3.org/XML/1998/namespace"
"""The namespace of ``xml:lang`` and ``xml:base``."""

TAG_AUTHORITY = "osce-digest.invalid"
"""Authority of the tag: URIs used as ids when the site has no base URL (RFC 4151)."""

EPOCH = dt.date(1970, 1, 1)
"""The date of a feed with no entries, so that its bytes stay reproducible."""

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot carry at all, not even escaped."""


FEED_LIMIT = 50
"""Entries per feed: readers poll feeds for what is new; the archive is the site itself."""


def atom_feed(
    site: Site, reports: Sequence[ReportSummary], *, path: str, title: str, subtitle: str
) -> Asset:
    """An Atom feed at ``path`` (site-relative) of the newest ``FEED_LIMIT`` reports."""
    entries = sorted(reports, key=lambda r: (-r.meta.date.toordinal(), r.slug))[:FEED_LIMIT]
    base = site.meta.base_url
    feed = ET.Element("feed", {"xmlns": ATOM, f"{{{XML_NS}}}lang": site.meta.language})
    _text(feed, "id", canonical(base, path) or _tag(_tag_year(site), path))
    _text(feed, "title", title)
    _text(feed, "subtitle", subtitle)
    newest = max((_updated(r) for r in entries), default=EPOCH)
    _text(feed, "updated", _timestamp(newest))
    self_href = canonical(base, path) or path.rsplit("/", 1)[-1]
    ET.SubElement(feed, "link", {"rel": "self", "type": "application/atom+xml", "href": self_href})
    home = canonical(base, "") or root_prefix(path) + "index.html"
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": home})
    _author(feed, AuthorMeta(site.meta.title))
    _text(feed, "generator", "osce-digest")
    for report in entries:
        _entry(feed, site, report, path)
    ET.indent(feed)
    data: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Asset(path, data + b"\n", f"Atom feed {path}")


def report_link(site: Site, report: ReportSummary, feed_path: str) -> str:
    """Where an entry links: the canonical page, or the page relative to the feed."""
    url = f"reports/{report.slug}/"
    return canonical(site.meta.base_url, url) or root_prefix(feed_path) + url + "index.html"


def report_id(site: Site, report: ReportSummary) -> str:
    """A report's permanent entry id: its canonical URL, or a tag: URI without a base URL."""
    url = f"reports/{report.slug}/"
    return canonical(site.meta.base_url, url) or _tag(report.meta.date.year, url.rstrip("/"))


def _entry(feed: ET.Element, site: Site, report: ReportSummary, feed_path: str) -> None:
    meta = report.meta
    entry = ET.SubElement(feed, "entry")
    _text(entry, "id", report_id(site, report))
    _text(entry, "title", meta.title)
    link = report_link(site, report, feed_path)
    ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": link})
    _text(entry, "published", _timestamp(meta.date))
    _text(entry, "updated", _timestamp(_updated(report)))
    authors = [site.meta.authors[k] for k in meta.authors if k in site.meta.authors]
    for author in authors or [AuthorMeta(site.meta.title)]:
        _author(entry, author)
    summary = meta.summary or meta.dek
    if summary:
        _text(entry, "summary", summary)
    for key in report.topics:
        topic = site.topics.get(key)
        ET.SubElement(entry, "category", {"term": key, "label": topic.label if topic else key})
    # xml:base makes the lede's fragment links (citations) resolve against the report page.
    content = _text(entry, "content", "".join(b.html for b in report.lede))
    content.set("type", "html")
    content.set(f"{{{XML_NS}}}base", link)


def _author(parent: ET.Element, author: AuthorMeta) -> None:
    element = ET.SubElement(parent, "author")
    _text(element, "name", author.name)
    if author.url:
        _text(element, "uri", author.url)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = _NOT_XML.sub("", text)
    return element


def _updated(report: ReportSummary) -> dt.date:
    return report.meta.updated or report.meta.date


def _timestamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _tag(year: int, specific: str) -> str:
    return f"tag:{TAG_AUTHORITY},{year:04d}:{specific}"


def _tag_year(site: Site) -> int:
    """The year a feed's tag: id is minted in: the oldest report's, so it rarely moves."""
    return min((r.meta.date.year for r in site.reports), default=EPOCH.year)
