"""JSON-LD: schema.org structured data for report pages.

An ``AnalysisNewsArticle`` about the ``Event`` of the encounter, with its place, the forum
as ``superEvent`` and the participants as ``attendee``; topics as ``mentions``. Plain
dicts; the template serialises them safely.
"""

from __future__ import annotations

from typing import Any

from osce_digest.model import ReportSummary, Site
from osce_digest.urls import canonical


def article_jsonld(site: Site, report: ReportSummary, topics: tuple[str, ...]) -> dict[str, Any]:
    """The structured data of one report page."""
    meta = report.meta
    encounter = meta.encounter
    event: dict[str, Any] = {
        "@type": "Event",
        "name": encounter.name,
        "startDate": encounter.start.isoformat(),
        "endDate": (encounter.end or encounter.start).isoformat(),
        "eventStatus": "https://schema.org/EventScheduled",
        "attendee": [_person(site, key) for key in encounter.participants],
    }
    if encounter.place is not None:
        address: dict[str, Any] = {"@type": "PostalAddress"}
        if encounter.place.locality:
            address["addressLocality"] = encounter.place.locality
        if encounter.place.country:
            address["addressCountry"] = encounter.place.country
        event["location"] = {"@type": "Place", "name": encounter.place.name, "address": address}
    venue = site.venues.get(encounter.venue or "")
    if venue is not None:
        event["superEvent"] = {"@type": "EventSeries", "name": venue.series or venue.name}
    authors = [site.meta.authors[a] for a in meta.authors]
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "AnalysisNewsArticle",
        "headline": meta.title,
        "datePublished": meta.date.isoformat(),
        "dateModified": (meta.updated or meta.date).isoformat(),
        "inLanguage": site.meta.language,
        "author": [{"@type": "Organization", "name": a.name} for a in authors]
        or [{"@type": "Organization", "name": site.meta.title}],
        "publisher": {"@type": "Organization", "name": site.meta.title},
        "about": event,
        "mentions": [{"@type": "Thing", "name": site.topics[t].label} for t in topics],
    }
    if meta.dek:
        article["alternativeHeadline"] = meta.dek
    if meta.summary:
        article["description"] = meta.summary
    url = canonical(site.meta.base_url, f"reports/{report.slug}/")
    if url:
        article["url"] = url
        article["mainEntityOfPage"] = url
    return article


def _person(site: Site, key: str) -> dict[str, Any]:
    actor = site.actors[key]
    kind = {"person": "Person", "state": "Country"}.get(actor.kind, "Organization")
    entry: dict[str, Any] = {"@type": kind, "name": actor.name}
    if actor.wikidata:
        entry["sameAs"] = f"https://www.wikidata.org/wiki/{actor.wikidata}"
    if actor.kind == "person" and actor.country:
        entry["nationality"] = {"@type": "Country", "name": actor.country}
    return entry
