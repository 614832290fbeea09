"""Listings: plan the cross-report pages from the indexes.

Topics and their trajectories, actors, countries, venues, the timeline, monthly digests,
the methodology page and the search page. Each function returns page specs (URL,
template, title, description, context); ``pages.py`` adds what every page shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from osce_digest.evidence import DESCRIPTIONS
from osce_digest.indexes import Encounter, Indexes
from osce_digest.model import EVIDENCE_ORDER, Brief, Lexicon, ReportSummary, Site
from osce_digest.rules import RULES

COUNTRY_NAMES = {
    "AT": "Austria",
    "BY": "Belarus",
    "CH": "Switzerland",
    "CN": "China",
    "CZ": "Czechia",
    "DE": "Germany",
    "EE": "Estonia",
    "FI": "Finland",
    "FR": "France",
    "GB": "United Kingdom",
    "GE": "Georgia",
    "HU": "Hungary",
    "IN": "India",
    "IT": "Italy",
    "KZ": "Kazakhstan",
    "LT": "Lithuania",
    "LV": "Latvia",
    "MD": "Moldova",
    "MT": "Malta",
    "PL": "Poland",
    "RU": "Russia",
    "SE": "Sweden",
    "SK": "Slovakia",
    "TR": "Türkiye",
    "UA": "Ukraine",
    "US": "United States",
}
"""Names for country pages when actors.yaml has no state with that code."""


@dataclass(frozen=True, slots=True)
class Spec:
    """A page before the shared context is added."""

    url: str
    """Site-relative URL."""
    template: str
    """Template name."""
    title: str
    """Page title."""
    description: str
    """Meta description."""
    context: dict[str, Any]
    """Template-specific context."""
    mentions_of: str | None = None
    """The topic whose mentions the page lists (see ``Page.mentions_of``)."""
    mentions_from: tuple[ReportSummary, ...] = ()
    """The reports whose mentions of it the page lists (see ``Page.mentions_from``)."""


def country_name(site: Site, iso: str) -> str:
    """A country's display name: its state in actors.yaml, else a built-in name, else the code."""
    for actor in site.actors.values():
        if actor.kind == "state" and (actor.country or "").upper() == iso:
            return actor.name
    return COUNTRY_NAMES.get(iso, iso)


def plan_listings(site: Site, indexes: Indexes) -> list[Spec]:
    """Every cross-report page."""
    specs = [_topics_index(site, indexes)]
    specs += [_topic(site, indexes, key) for key in site.topics]
    specs.append(
        Spec(
            "actors/",
            "actors.html",
            "People and states",
            "Everyone who appears in the reports.",
            {"keys": list(indexes.actors), "countries": list(indexes.countries)},
        )
    )
    specs += [_actor(site, indexes, key) for key in indexes.actors]
    specs += [_country(site, indexes, iso) for iso in indexes.countries]
    specs += [_venue(site, indexes, key) for key in indexes.venues if key in site.venues]
    specs.append(
        Spec(
            "timeline/",
            "timeline.html",
            "Timeline",
            "Every encounter, newest first.",
            {"encounters": list(indexes.encounters.values()), "months": list(indexes.months)},
        )
    )
    specs += [_digest(site, indexes, month) for month in indexes.months]
    specs.append(_methodology(site.lexicon))
    specs.append(Spec("search/", "search.html", "Search", "Search every report.", {}))
    return specs


HEATMAP_ENCOUNTERS = 30
"""Columns of the home page's heatmap: the latest encounters (every one is on the timeline)."""


@dataclass(frozen=True, slots=True)
class StripCell:
    """One square of a topic's strip."""

    encounter: str
    """Encounter id."""
    flow: str
    """The topic's flow there (see ``TopicStop.flow``)."""


def heatmap(site: Site, indexes: Indexes) -> dict[str, Any]:
    """Topic x encounter grid of the latest encounters, oldest first: each cell's flow or None.

    Only topics present in those encounters get a row; ``total`` counts every encounter.
    """
    latest = list(indexes.encounters.values())[:HEATMAP_ENCOUNTERS]
    columns = list(reversed(latest))
    rows = []
    for key, topic in site.topics.items():
        stops = {s.encounter: s.flow for s in indexes.topics[key]}
        cells = [stops.get(e.id) for e in columns]
        if any(cell is not None for cell in cells):
            rows.append({"key": key, "label": topic.label, "cells": cells})
    return {"columns": columns, "rows": rows, "total": len(indexes.encounters)}


def _topics_index(site: Site, indexes: Indexes) -> Spec:
    # The strips need each stop's encounter and flow only: not its mentions.
    rows = [
        {"topic": t, "stops": [StripCell(s.encounter, s.flow) for s in indexes.topics[t.key]]}
        for t in site.topics.values()
    ]
    return Spec(
        "topics/",
        "topics.html",
        "Topics",
        "Every topic and how it moved across encounters.",
        {"rows": rows},
    )


def _topic(site: Site, indexes: Indexes, key: str) -> Spec:
    topic = site.topics[key]
    stops = indexes.topics[key]
    return Spec(
        f"topics/{key}/",
        "topic.html",
        topic.label,
        topic.description or f"{topic.label} across diplomatic encounters.",
        {"topic": topic, "stops": stops},
        mentions_of=key,
        mentions_from=tuple(r for r in site.reports if key in r.kinds),
    )


def _actor(site: Site, indexes: Indexes, key: str) -> Spec:
    actor = site.actors[key]
    what = {
        "person": "Encounters, counterparts and positions of",
        "state": "Encounters and positions of",
    }.get(actor.kind, "Encounters of")
    return Spec(
        f"actors/{key}/",
        "actor.html",
        actor.name,
        f"{what} {actor.name}.",
        {"actor": actor, "entry": indexes.actors[key]},
    )


def _country(site: Site, indexes: Indexes, iso: str) -> Spec:
    name = country_name(site, iso)
    return Spec(
        f"countries/{iso.lower()}/",
        "country.html",
        name,
        f"Encounters, counterparts and positions of {name}.",
        {
            "iso": iso,
            "name": name,
            "entry": indexes.countries[iso],
            "members": indexes.country_actors.get(iso, ()),
        },
    )


def _venue(site: Site, indexes: Indexes, key: str) -> Spec:
    venue = site.venues[key]
    return Spec(
        f"venues/{key}/",
        "venue.html",
        venue.name,
        venue.description or f"Every encounter at {venue.name}.",
        {"venue": venue, "encounters": [indexes.encounters[e] for e in indexes.venues[key]]},
    )


def _digest(site: Site, indexes: Indexes, month: str) -> Spec:
    encounters = [indexes.encounters[e] for e in indexes.months[month]]
    by_slug = {r.slug: r for r in site.reports}
    entries = [{"encounter": e, "briefs": _briefs(by_slug, e)} for e in encounters]
    months = list(indexes.months)
    position = months.index(month)
    return Spec(
        f"digest/{month}/",
        "digest.html",
        f"Digest {month}",
        f"The encounters of {month}: where the parties disagreed and where they met.",
        {
            "month": month,
            "entries": entries,
            "newer": months[position - 1] if position > 0 else None,
            "older": months[position + 1] if position + 1 < len(months) else None,
        },
    )


def _briefs(by_slug: dict[str, ReportSummary], encounter: Encounter) -> list[Brief]:
    return [brief for slug in encounter.reports for brief in by_slug[slug].briefs]


def _methodology(lexicon: Lexicon) -> Spec:
    bands: dict[str, dict[str, Any]] = {}
    for term in sorted(lexicon.terms, key=lambda t: (t.low, t.high)):
        row = bands.setdefault(
            term.band,
            {"band": term.band, "low": term.low, "high": term.high, "term": [], "synonym": []},
        )
        row[term.column].append(term.term)
    return Spec(
        "methodology/",
        "methodology.html",
        "Methodology",
        "How every claim's evidence is classified, and the estimative scale used.",
        {
            "statuses": [(e.value, DESCRIPTIONS[e]) for e in EVIDENCE_ORDER],
            "lexicon": lexicon,
            "rules": RULES,
            "bands": list(bands.values()),
        },
    )
