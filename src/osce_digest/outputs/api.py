"""API: the section model as JSON files under ``api/``.

Part of the build phase (DESIGN.md section 5). ``api/reports.json`` indexes every report;
``api/reports/<slug>.json`` is the whole report as :func:`osce_digest.export.to_data`
makes it, HTML included, so :func:`osce_digest.export.from_data` rebuilds it exactly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from osce_digest.export import one_level
from osce_digest.model import EVIDENCE_ORDER, Report, ReportSummary, Site
from osce_digest.pages import Asset
from osce_digest.urls import canonical

API_VERSION = 1
"""Bumped when a key of the index changes meaning or disappears."""


def index_file(site: Site) -> Asset:
    """``api/reports.json``: every report in brief, newest first."""
    return Asset("api/reports.json", index_bytes(site, {})[0], "the report index API")


def index_bytes(site: Site, known: Mapping[str, str]) -> tuple[bytes, dict[str, str]]:
    """``api/reports.json``'s bytes, and the text of each report's entry by its key
    (``entry_key``), taking those ``known`` has instead of encoding them again.

    The same bytes as ``json_bytes`` of the whole index: each entry is indented alone and
    put in place of the list. Python's JSON encoder indents only in Python, so encoding
    4,000 entries took 0.12 s of every rebuild that changed one.
    """
    reports = sorted(site.reports, key=lambda r: (-r.meta.date.toordinal(), r.slug))
    index = {
        "version": API_VERSION,
        "site": {"title": site.meta.title, "base_url": site.meta.base_url or None},
        "reports": _PLACEHOLDER,
    }
    texts: dict[str, str] = {}
    text: str | None
    for report in reports:
        key = entry_key(site, report)
        text = known.get(key)
        if not isinstance(text, str):
            entry = json.dumps(report_summary(site, report), **_INDENTED)
            text = _ENTRY_INDENT + entry.replace("\n", "\n" + _ENTRY_INDENT)
        texts[key] = text
    listing = "[\n" + ",\n".join(texts.values()) + "\n  ]" if texts else "[]"
    outline = json.dumps(index, **_INDENTED)
    return (outline.replace(json.dumps(_PLACEHOLDER), listing, 1) + "\n").encode("utf-8"), texts


def entry_key(site: Site, report: ReportSummary) -> str:
    """What a report's index entry is made from: its summary (whose digests cover the
    generator, the vocabularies and what its parse gave) and the site's base URL."""
    return f"{report.digest}:{report.content}:{site.meta.base_url}"


_INDENTED: dict[str, Any] = {"indent": 2, "sort_keys": True, "ensure_ascii": False}
_PLACEHOLDER = "\x00reports\x00"
"""Stands for the list of entries while the rest of the index is encoded (it comes first:
keys are sorted, and JSON writes its NULs as escapes)."""
_ENTRY_INDENT = "    "
"""An entry's lines in the index: two levels down (the top object, the list)."""


def report_file(report: Report) -> Asset:
    """``api/reports/<slug>.json``: the full section model of one report."""
    data = one_level(report)
    del data["digest"], data["words"]  # the build's own: not published (search has the words)
    return Asset(report_path(report), json_bytes(data, compact=True), report.path)


def report_path(report: Report | ReportSummary) -> str:
    """Where a report's API file goes."""
    return f"api/reports/{report.slug}.json"


def report_summary(site: Site, report: ReportSummary) -> dict[str, Any]:
    """One report's entry in the index: what a card or a client needs to pick it."""
    meta = report.meta
    encounter = meta.encounter
    url = f"reports/{report.slug}/"
    return {
        "slug": report.slug,
        "url": url,
        "canonical": canonical(site.meta.base_url, url),
        "data": f"api/reports/{report.slug}.json",
        "title": meta.title,
        "dek": meta.dek,
        "date": meta.date.isoformat(),
        "updated": meta.updated.isoformat() if meta.updated else None,
        "summary": meta.summary,
        "tags": list(meta.tags),
        "encounter": {
            "id": encounter.id,
            "name": encounter.name,
            "start": encounter.start.isoformat(),
            "end": (encounter.end or encounter.start).isoformat(),
            "venue": encounter.venue,
            "participants": list(encounter.participants),
            "kind": encounter.kind,
            "direct_contact": encounter.direct_contact,
        },
        "topics": list(report.topics),
        "evidence": {e.value: n for e, n in zip(EVIDENCE_ORDER, report.evidence, strict=True)},
        "claims": report.claims,
    }


def json_bytes(data: Any, *, compact: bool = False) -> bytes:
    """Stable JSON: sorted keys, UTF-8 as is, trailing newline; indented unless ``compact``.

    The per-report files are compact: they are for programs, there is one per report, and
    only without indentation does Python's C encoder do the work (four times faster).
    """
    if compact:
        text = json.dumps(
            data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=one_level
        )
    else:
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")
