"""Sitemap: ``sitemap.xml`` (sitemaps.org protocol 0.9) and ``robots.txt``.

Part of the build phase. The caller passes the site-relative URLs of the pages to list;
``<loc>`` is absolute when the site has a base URL, as the protocol requires, and
relative to the site root otherwise (useful for checking, not for search engines).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from urllib.parse import quote

from osce_digest.model import Site
from osce_digest.pages import Asset
from osce_digest.urls import canonical

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
"""The namespace of sitemaps and sitemap indexes."""

MAX_URLS = 50_000
"""The most ``<url>`` entries one sitemap file may hold."""


def sitemap(site: Site, urls: Sequence[tuple[str, dt.date | None]]) -> list[Asset]:
    """``sitemap.xml`` (split behind a sitemap index past 50,000 URLs) and ``robots.txt``."""
    seen: set[str] = set()
    for url, _ in urls:
        if url in seen:
            raise ValueError(f"sitemap: {url!r} is listed twice")
        seen.add(url)
    chunks = [urls[i : i + MAX_URLS] for i in range(0, len(urls), MAX_URLS)] or [urls]
    if len(chunks) == 1:
        assets = [Asset("sitemap.xml", _urlset(site, chunks[0]), "sitemap")]
    else:
        names = [f"sitemap-{n}.xml" for n in range(1, len(chunks) + 1)]
        assets = [Asset("sitemap.xml", _index(site, names), "sitemap index")]
        assets += [
            Asset(name, _urlset(site, chunk), f"sitemap part {name}")
            for name, chunk in zip(names, chunks, strict=True)
        ]
    return [*assets, Asset("robots.txt", robots(site), "robots.txt")]


def robots(site: Site) -> bytes:
    """robots.txt: everything may be crawled; the sitemap is named when it has a URL."""
    lines = ["User-agent: *", "Allow: /"]
    where = canonical(site.meta.base_url, "sitemap.xml")
    if where:
        lines.append(f"Sitemap: {where}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def location(site: Site, url: str) -> str:
    """The ``<loc>`` of a site-relative URL: absolute with a base URL, else relative."""
    path = quote(url, safe="/-._~%!$&'()*+,;=:@")
    return canonical(site.meta.base_url, path) or path or "./"


def _urlset(site: Site, urls: Sequence[tuple[str, dt.date | None]]) -> bytes:
    root = ET.Element("urlset", {"xmlns": SITEMAP_NS})
    for url, lastmod in urls:
        entry = ET.SubElement(root, "url")
        ET.SubElement(entry, "loc").text = location(site, url)
        if lastmod is not None:
            ET.SubElement(entry, "lastmod").text = lastmod.isoformat()
    return _xml(root)


def _index(site: Site, names: Sequence[str]) -> bytes:
    root = ET.Element("sitemapindex", {"xmlns": SITEMAP_NS})
    for name in names:
        ET.SubElement(ET.SubElement(root, "sitemap"), "loc").text = location(site, name)
    return _xml(root)


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
