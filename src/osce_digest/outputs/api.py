"""API: the section model as JSON files under ``api/``.

Part of the build phase (DESIGN.md section 5). ``api/reports.json`` indexes every report;
``api/reports/<slug>.json`` is the whole report as :func:`osce_digest.export.to_data`
makes it, HTML included, so :func:`osce_digest.export.from_data` rebuilds it exactly.
"""

from __future__ import annotations

import json
from typing import Any

from osce_digest.export import one_level
from osce_digest.model import EVIDENCE_ORDER, Report, ReportSummary, Site
from osce_digest.pages import Asset
from osce_digest.urls import canonical

API_VERSION = 1
"""Bumped when a key of the index changes meaning or disappears."""


def index_file(site: Site) -> Asset:
    """``api/reports.json``: every report in brief, newest first."""
    reports = sorted(site.reports, key=lambda r: (-r.meta.date.toordinal(), r.slug))
    index = {
        "version": API_VERSION,
        "site": {"title": site.meta.title, "base_url": site.meta.base_url or None},
        "reports": [report_summary(site, r) for r in reports],
    }
    return Asset("api/reports.json", json_bytes(index), "the report index API")


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
