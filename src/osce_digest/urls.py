"""URLs: where a page lives, and how one page links to another.

Links inside the site are relative (``../../reports/x/index.html``) so the output folder
works from disk, at a domain root or under any sub-path; only canonical, feed and
sitemap URLs use ``base_url``.
"""

from __future__ import annotations


def page_path(url: str) -> str:
    """Output file of a site-relative URL: directories get ``index.html``."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def root_prefix(url: str) -> str:
    """The relative prefix that leads from a page back to the site root."""
    return "../" * url.count("/")


def canonical(base_url: str, url: str) -> str | None:
    """The absolute URL of a page, when the site has a base URL."""
    if not base_url:
        return None
    return base_url.rstrip("/") + "/" + url
