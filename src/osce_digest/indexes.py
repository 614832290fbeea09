"""Indexes: the cross-report views, computed once in the load phase as plain data.

Encounters (reports grouped by ``encounter.id``), topic trajectories, actors and countries
with their counterparts and positions, venues, months and related reports. Everything is
keyed by strings and ordered deterministically, so pages and feeds only read.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import TypeVar

from osce_digest.cache import digest_of
from osce_digest.model import Position, ReportSummary, Site

T = TypeVar("T")

FLOW_KINDS = ("disagreements", "cooperation")
"""Section kinds that make a topic's trajectory: was it contested or shared?"""


@dataclass(frozen=True, slots=True)
class Encounter:
    """One encounter and the reports about it."""

    id: str
    """``encounter.id``."""
    name: str
    """Name from the newest report."""
    start: dt.date
    """First day."""
    end: dt.date | None
    """Last day."""
    venue: str | None
    """venues.yaml key."""
    kind: str
    """Kind of encounter."""
    direct_contact: bool | None
    """Whether a source reports a direct exchange."""
    participants: tuple[str, ...]
    """Actor keys, in the order of the newest report."""
    country: str | None
    """Host country (ISO code)."""
    reports: tuple[str, ...]
    """Slugs of the reports about it, newest first."""


@dataclass(frozen=True, slots=True)
class TopicStop:
    """One encounter on a topic's trajectory."""

    encounter: str
    """Encounter id."""
    kinds: tuple[str, ...]
    """Section kinds the topic appeared in, in report order."""
    reports: tuple[str, ...]
    """Slugs of the encounter's reports that mention the topic, newest first (the mentions
    themselves are read when the topic's page renders)."""

    @property
    def flow(self) -> str:
        """ "disagreement", "cooperation", "both" or "mentioned"."""
        contested = "disagreements" in self.kinds
        shared = "cooperation" in self.kinds
        if contested and shared:
            return "both"
        return "disagreement" if contested else ("cooperation" if shared else "mentioned")


@dataclass(frozen=True, slots=True)
class ActorEntry:
    """What the site knows about one actor or country across reports."""

    encounters: tuple[str, ...]
    """Encounter ids, newest first."""
    counterparts: tuple[tuple[str, int], ...]
    """(key, shared encounters) of the others met, most frequent first."""
    positions: tuple[tuple[str, tuple[Position, ...]], ...]
    """Positions grouped by topic key (topic order); untagged under ""."""


@dataclass(frozen=True, slots=True)
class Indexes:
    """Every cross-report view."""

    encounters: dict[str, Encounter]
    """Encounters by id, newest first."""
    topics: dict[str, tuple[TopicStop, ...]]
    """Topic key to its trajectory, newest encounter first (topics never mentioned: empty)."""
    actors: dict[str, ActorEntry]
    """Actor key to its entry, for every actor in actors.yaml."""
    countries: dict[str, ActorEntry]
    """ISO code (upper case) to the entry of everyone from that country in actors.yaml."""
    country_actors: dict[str, tuple[str, ...]]
    """ISO code to the actor keys of that country."""
    venues: dict[str, tuple[str, ...]]
    """Venue key to encounter ids, newest first."""
    months: dict[str, tuple[str, ...]]
    """"YYYY-MM" of the encounter's start to encounter ids, newest month first."""
    related: dict[str, tuple[str, ...]]
    """Report slug to related report slugs, most related first."""
    report_topics: dict[str, tuple[str, ...]]
    """Report slug to the topics it mentions, in vocabulary order."""


def build_indexes(site: Site, related: dict[str, tuple[str, ...]] | None = None) -> Indexes:
    """Compute every cross-report view of a loaded site (``related``: the related reports
    as ``related_reports`` made them for the same ``relatedness``, if known)."""
    encounters = _encounters(site.reports)
    report_topics = {r.slug: r.topics for r in site.reports}
    positions = _positions(site.reports, encounters)
    country_actors: dict[str, list[str]] = defaultdict(list)
    for key, actor in site.actors.items():
        if actor.country:
            country_actors[actor.country.upper()].append(key)
    lookups = _actor_lookups(encounters, positions)
    actors = {key: _entry([key], lookups, site, lambda k: k) for key in site.actors}
    countries = {
        iso: _entry(keys, lookups, site, lambda k: _country(site, k))
        for iso, keys in sorted(country_actors.items())
    }
    return Indexes(
        encounters=encounters,
        topics=_trajectories(site.topics, site.reports, encounters),
        actors=actors,
        countries=countries,
        country_actors={iso: tuple(keys) for iso, keys in sorted(country_actors.items())},
        venues=_group(encounters.values(), lambda e: e.venue),
        months=_group(encounters.values(), lambda e: f"{e.start:%Y-%m}"),
        related=related if related is not None else related_reports(site),
        report_topics=report_topics,
    )


def _encounters(reports: Iterable[ReportSummary]) -> dict[str, Encounter]:
    grouped: dict[str, list[ReportSummary]] = defaultdict(list)
    for report in reports:  # reports come newest first
        grouped[report.meta.encounter.id].append(report)
    entries = []
    for key, group in grouped.items():
        meta = group[0].meta.encounter
        place = meta.place
        entries.append(
            Encounter(
                id=key,
                name=meta.name,
                start=meta.start,
                end=meta.end,
                venue=meta.venue,
                kind=meta.kind,
                direct_contact=meta.direct_contact,
                participants=meta.participants,
                country=place.country if place else None,
                reports=tuple(r.slug for r in group),
            )
        )
    entries.sort(key=lambda e: e.id)
    entries.sort(key=lambda e: e.start, reverse=True)
    return {e.id: e for e in entries}


def _trajectories(
    topics: Iterable[str], reports: Iterable[ReportSummary], encounters: dict[str, Encounter]
) -> dict[str, tuple[TopicStop, ...]]:
    """Every topic's trajectory, in one pass over the reports."""
    found: dict[str, dict[str, list[ReportSummary]]] = {key: {} for key in topics}
    for report in reports:  # newest first
        for topic in report.kinds:
            if topic in found:  # an unknown topic is the loader's error, not a trajectory
                found[topic].setdefault(report.meta.encounter.id, []).append(report)
    order = {key: n for n, key in enumerate(encounters)}  # newest first
    trajectories = {}
    for topic, by_encounter in found.items():
        stops = []
        for key in sorted(by_encounter, key=order.__getitem__):
            group = by_encounter[key]
            kinds = tuple(dict.fromkeys(k for r in group for k in r.kinds[topic]))
            stops.append(TopicStop(key, kinds, tuple(r.slug for r in group)))
        trajectories[topic] = tuple(stops)
    return trajectories


def _positions(
    reports: Iterable[ReportSummary], encounters: dict[str, Encounter]
) -> list[Position]:
    found = [p for r in reports for p in r.positions]
    order = {key: n for n, key in enumerate(encounters)}
    found.sort(key=lambda p: (order.get(p.encounter, 0), p.report, p.anchor))
    return found


def _country(site: Site, key: str) -> str | None:
    actor = site.actors.get(key)
    return actor.country.upper() if actor is not None and actor.country else None


def _entry(
    keys: list[str],
    lookups: _ActorLookups,
    site: Site,
    identify: Callable[[str], str | None],
) -> ActorEntry:
    """Encounters, counterparts and positions of a group of actors (one actor or a country)."""
    own = set(keys)
    mine = _unique(_merged(lookups.encounters.get(k, ()) for k in own))
    me = {identify(k) for k in keys}
    counts: Counter[str] = Counter()
    for encounter in mine:
        others = {identify(k) for k in encounter.participants} - me - {None}
        counts.update(str(o) for o in others)
    # A person speaks for their state: a state's positions count for its people too.
    countries = {site.actors[k].country for k in keys if k in site.actors}
    parties = own | {
        k for k, a in site.actors.items() if a.kind == "state" and a.country in countries
    }
    by_topic: dict[str, list[Position]] = defaultdict(list)
    for _, position in _merged(lookups.positions.get(p, ()) for p in parties):
        for topic in position.topics or ("",):
            by_topic[topic].append(position)
    topic_order = [*site.topics, ""]
    return ActorEntry(
        encounters=tuple(e.id for e in mine),
        counterparts=tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        positions=tuple((t, tuple(by_topic[t])) for t in topic_order if t in by_topic),
    )


@dataclass(frozen=True, slots=True)
class _ActorLookups:
    """Encounters and positions by actor key, each numbered in site order (for merging)."""

    encounters: dict[str, list[tuple[int, Encounter]]]
    positions: dict[str, list[tuple[int, Position]]]


def _actor_lookups(encounters: dict[str, Encounter], positions: list[Position]) -> _ActorLookups:
    by_participant: dict[str, list[tuple[int, Encounter]]] = defaultdict(list)
    for number, encounter in enumerate(encounters.values()):
        for key in dict.fromkeys(encounter.participants):
            by_participant[key].append((number, encounter))
    by_party: dict[str, list[tuple[int, Position]]] = defaultdict(list)
    for number, position in enumerate(positions):
        by_party[position.party].append((number, position))
    return _ActorLookups(by_participant, by_party)


def _merged(lists: Iterable[Iterable[tuple[int, T]]]) -> list[tuple[int, T]]:
    """Numbered lists, each in order, merged in order of their numbers. (Sorting the joined
    lists finds their runs in C; ``heapq.merge`` took a quarter of loading 4,000 reports.)"""
    return sorted(itertools.chain.from_iterable(lists), key=itemgetter(0))


def _unique(numbered: Iterable[tuple[int, Encounter]]) -> list[Encounter]:
    """Merged (number, encounter) pairs without repeats, in order."""
    return list(dict(numbered).values())


def _group(
    encounters: Iterable[Encounter], key_of: Callable[[Encounter], str | None]
) -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for encounter in encounters:  # newest first
        key = key_of(encounter)
        if key:
            grouped[key].append(encounter.id)
    return {k: tuple(v) for k, v in sorted(grouped.items(), reverse=True)}


def relatedness(site: Site) -> str:
    """A digest of everything ``related_reports`` reads: which reports are related changes
    far less often than the reports (an edit to the prose changes none of it)."""
    rows = [
        (r.slug, r.meta.encounter.id, r.meta.encounter.participants, r.topics, r.meta.date)
        for r in site.reports
    ]
    return digest_of("related", repr(list(site.topics)), repr(rows))


def related_reports(site: Site) -> dict[str, tuple[str, ...]]:
    """Each report's related reports, most related first (see ``_related``)."""
    report_topics = {r.slug: r.topics for r in site.reports}
    lookup = _related_lookup(site.reports, report_topics)
    bits = {key: 1 << n for n, key in enumerate(site.topics)}
    masks = {r.slug: sum(bits[t] for t in r.topics) for r in site.reports}
    age = {r.slug: -r.meta.date.toordinal() for r in site.reports}
    return {r.slug: _related(r, masks, age, lookup) for r in site.reports}


def _related(
    report: ReportSummary,
    masks: dict[str, int],
    age: dict[str, int],
    lookup: dict[str, dict[str, set[str]]],
) -> tuple[str, ...]:
    """At most five: same encounter first, then most shared participants, then topics.

    Ranked by (same encounter, shared participants, shared topics, newest). Participants
    are counted in C (a Counter over the lookup sets); topics (``masks``: one bit per topic)
    and dates (``age``: minus the date's ordinal) are compared only within the best
    groups, and reports sharing only topics only when those do not fill the list.
    """
    mine = report.meta.encounter
    own = masks[report.slug]
    mates = lookup["encounter"].get(mine.id, set())
    shared: Counter[str] = Counter()
    for key in set(mine.participants):
        shared.update(lookup["participant"].get(key, ()))
    for slug in mates:
        shared[slug] += 0  # an encounter mate is a candidate even with no participant
    shared.pop(report.slug, None)
    groups: dict[tuple[bool, int], list[str]] = {}
    for slug, count in shared.items():
        groups.setdefault((slug in mates, count), []).append(slug)
    ranked: list[str] = []
    for _, members in sorted(groups.items(), reverse=True):
        best = heapq.nsmallest(
            5 - len(ranked),
            members,
            key=lambda s: (-(own & masks[s]).bit_count(), age[s], s),
        )
        ranked += best
        if len(ranked) >= 5:
            return tuple(ranked)
    counts: Counter[str] = Counter()
    for key in report.topics:
        counts.update(lookup["topic"].get(key, ()))
    extra = [s for s in counts if s not in shared and s != report.slug]
    ranked += heapq.nsmallest(5 - len(ranked), extra, key=lambda s: (-counts[s], age[s], s))
    return tuple(ranked)


def _related_lookup(
    reports: Iterable[ReportSummary], topics: dict[str, tuple[str, ...]]
) -> dict[str, dict[str, set[str]]]:
    """Reports by encounter, by participant and by topic, so relatedness is not quadratic."""
    lookup: dict[str, dict[str, set[str]]] = {"encounter": {}, "participant": {}, "topic": {}}
    for report in reports:
        meta = report.meta.encounter
        lookup["encounter"].setdefault(meta.id, set()).add(report.slug)
        for key in set(meta.participants):
            lookup["participant"].setdefault(key, set()).add(report.slug)
        for key in topics[report.slug]:
            lookup["topic"].setdefault(key, set()).add(report.slug)
    return lookup
