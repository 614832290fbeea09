"""The section model: plain, frozen data shared by every stage after loading.

Nothing here reads files, renders templates or imports a third-party library. The
``*Meta`` classes are the content contract as written by editors (front matter and the
YAML vocabularies); ``schema.py`` validates YAML against them field by field, so the
classes *are* the schema. The other classes are what the loader derives from them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Evidence(StrEnum):
    """How well a claim is supported, strongest first (DESIGN.md 3.3)."""

    CONFIRMED = "confirmed"
    REPORTED = "reported"
    ASSESSED = "assessed"
    SPECULATIVE = "speculative"
    UNSOURCED = "unsourced"

    def __reduce_ex__(self, protocol: object) -> str:  # type: ignore[override]
        # Pickled by name, looked up in C when unpickled, instead of calling Evidence(value)
        # in Python once per claim of every cached report. (A name is a valid reduce value;
        # typeshed's Enum stub allows only tuples.)
        return f"Evidence.{self.name}"


EVIDENCE_ORDER: tuple[Evidence, ...] = tuple(Evidence)
"""Statuses from strongest to weakest; an item is as strong as its weakest claim."""


SECTION_KINDS: tuple[str, ...] = (
    "context",
    "agenda",
    "moments",
    "disagreements",
    "cooperation",
    "implications",
    "outlook",
    "other",
)
"""Every section kind, in the order a report usually presents them."""

REQUIRED_SECTION_KINDS: tuple[str, ...] = ("agenda", "disagreements", "cooperation", "implications")
"""The four sections the report format is named for."""


class Plain:
    """Base of the model's classes: pickles as the class and its field values in order.

    A slotted dataclass otherwise pickles through ``dataclasses.fields`` for every object,
    both ways, which made reading a thousand cached reports take over a second; this way
    unpickling calls the generated ``__init__``.
    """

    __slots__ = ()
    __match_args__: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[type[Plain], tuple[Any, ...]]:
        return type(self), tuple([getattr(self, name) for name in self.__match_args__])


# --- What editors write -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlaceMeta(Plain):
    """Where an encounter happened."""

    name: str
    """The building or site, e.g. "Malta Fairs & Conventions Centre"."""
    locality: str | None = None
    """Town or city."""
    near: str | None = None
    """The better-known city nearby, as datelines give it (e.g. Valletta)."""
    country: str | None = None
    """ISO 3166-1 alpha-2 code of the host country."""


@dataclass(frozen=True, slots=True)
class EncounterMeta(Plain):
    """The diplomatic encounter a report is about."""

    id: str
    """Shared by every report about the same encounter."""
    name: str
    """Human name of the encounter, e.g. "31st OSCE Ministerial Council"."""
    start: dt.date
    """First day of the encounter."""
    end: dt.date | None = None
    """Last day; the same as ``start`` when absent."""
    venue: str | None = None
    """Key in venues.yaml (the forum or series)."""
    place: PlaceMeta | None = None
    """The physical place."""
    participants: tuple[str, ...] = ()
    """Keys in actors.yaml of the principals."""
    kind: str = "bilateral"
    """bilateral, pull-aside, call, co-attendance, summit, ..."""
    direct_contact: bool | None = None
    """Whether any source reports a direct exchange between the participants."""
    duration: str | None = None
    """How long the exchange lasted; only with a source."""
    sources: tuple[str, ...] = ()
    """Ids of the sources that support these facts (dates, place, contact, duration)."""


@dataclass(frozen=True, slots=True)
class SourceMeta(Plain):
    """A source a report cites by footnote label."""

    id: str
    """The footnote label, e.g. ``state-remarks-2024-12-05``."""
    title: str
    """Title of the document."""
    publisher: str | None = None
    """Who published it."""
    kind: str | None = None
    """transcript, readout, official, wire, press or analysis."""
    date: dt.date | None = None
    """Publication date."""
    url: str | None = None
    """Where it can be read."""


@dataclass(frozen=True, slots=True)
class ReportMeta(Plain):
    """A report's front matter."""

    title: str
    """Headline."""
    date: dt.date
    """Publication date."""
    encounter: EncounterMeta
    """The encounter the report analyses."""
    dek: str | None = None
    """Sub-headline."""
    updated: dt.date | None = None
    """Date of the last substantive update."""
    authors: tuple[str, ...] = ()
    """Keys of site.yaml ``authors``."""
    summary: str | None = None
    """One or two sentences for cards, feeds and the meta description."""
    tags: tuple[str, ...] = ()
    """Free-form tags."""
    draft: bool = False
    """Drafts are built only with ``--drafts``."""
    sources: tuple[SourceMeta, ...] = ()
    """Sources of this report, in addition to sources.yaml."""
    checks: dict[str, Any] = field(default_factory=dict)
    """Editorial checks switched off or re-graded for this report: {rule: error|warning|off}."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Custom data for templates; never interpreted by the generator."""


@dataclass(frozen=True, slots=True)
class TopicMeta(Plain):
    """An entry of topics.yaml."""

    key: str
    """Stable identifier, used in URLs and ``topics=`` attributes."""
    label: str
    """Display name."""
    aliases: tuple[str, ...] = ()
    """Words and phrases that tag a sentence with this topic (case-insensitive)."""
    description: str | None = None
    """One sentence on what the topic covers."""


@dataclass(frozen=True, slots=True)
class RoleMeta(Plain):
    """An office an actor held."""

    title: str
    """The office."""
    start: dt.date | None = None
    """First day in office."""
    end: dt.date | None = None
    """Last day in office; open-ended when absent."""


@dataclass(frozen=True, slots=True)
class ActorMeta(Plain):
    """An entry of actors.yaml: a person, a state or an organization."""

    key: str
    """Stable identifier."""
    name: str
    """Display name."""
    kind: str
    """person, state or organization."""
    country: str | None = None
    """ISO 3166-1 alpha-2 code: the state itself, or a person's state."""
    aliases: tuple[str, ...] = ()
    """Other names a text may use ("Lavrov", "U.S.", "Moscow")."""
    roles: tuple[RoleMeta, ...] = ()
    """Offices held, with date ranges."""
    wikidata: str | None = None
    """Wikidata QID, e.g. Q159."""


@dataclass(frozen=True, slots=True)
class VenueMeta(Plain):
    """An entry of venues.yaml: a forum or a recurring meeting."""

    key: str
    """Stable identifier."""
    name: str
    """Display name."""
    series: str | None = None
    """The series it belongs to, e.g. "OSCE Ministerial Council"."""
    organization: str | None = None
    """Key in actors.yaml of the convening organization."""
    description: str | None = None
    """One sentence about the forum."""


@dataclass(frozen=True, slots=True)
class AuthorMeta(Plain):
    """An entry of site.yaml ``authors``."""

    name: str
    """Display name."""
    url: str | None = None
    """Profile page."""


@dataclass(frozen=True, slots=True)
class SiteMeta(Plain):
    """content/site.yaml."""

    title: str
    """Site title."""
    description: str = ""
    """One sentence for the home page and meta description."""
    base_url: str = ""
    """Absolute URL the site is published at; empty for relative links only."""
    language: str = "en"
    """BCP 47 language tag of the content."""
    timezone: str = "UTC"
    """IANA time zone the newsroom works in."""
    scale: str = "icd203"
    """Estimative scale the reports use: icd203, phia or kent."""
    authors: dict[str, AuthorMeta] = field(default_factory=dict)
    """Authors by key."""
    section_aliases: dict[str, str] = field(default_factory=dict)
    """Extra heading-text to section-kind mappings, e.g. {"Where they clashed": "disagreements"}."""
    allow_html: bool = False
    """Whether raw HTML in markdown is passed through."""
    checks: dict[str, Any] = field(default_factory=dict)
    """Severity of editorial checks by rule id: error, warning or off (YAML reads off as false)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Custom data for templates."""


# --- What the loader derives ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScaleTerm(Plain):
    """One term of an estimative scale."""

    term: str
    """The words as they appear in text, e.g. "very likely"."""
    band: str
    """The scale row it belongs to, e.g. "very likely"."""
    low: int
    """Lower bound of the probability band, in percent."""
    high: int
    """Upper bound of the probability band, in percent."""
    column: str
    """Which column of the scale the term comes from: "term" or "synonym"."""


@dataclass(frozen=True, slots=True)
class Lexicon(Plain):
    """The words the evidence classifier looks for, loaded from package data."""

    scale: str
    """Key of the estimative scale."""
    scale_name: str
    """Display name of the scale."""
    scale_url: str
    """Where the scale is defined."""
    terms: tuple[ScaleTerm, ...]
    """Estimative terms, longest first."""
    hedges: tuple[str, ...]
    """Hedges that are not estimates."""
    attributions: tuple[str, ...]
    """Words that attribute a statement to someone else."""
    confidence: tuple[str, ...]
    """Confidence levels ("high confidence", ...)."""


@dataclass(frozen=True, slots=True)
class Claim(Plain):
    """One sentence of a report, classified."""

    text: str
    """The sentence as plain text (its HTML is in its block's, wrapped for the display)."""
    line: int
    """1-based line in the report file where the sentence starts."""
    col: int
    """1-based column where the sentence starts."""
    evidence: Evidence
    """Evidence status."""
    topics: tuple[str, ...] = ()
    """Topic keys whose aliases the sentence mentions."""
    sources: tuple[str, ...] = ()
    """Source ids the sentence cites."""
    term: ScaleTerm | None = None
    """The estimative term used, if any."""
    hedges: tuple[str, ...] = ()
    """Hedges found in the sentence."""
    attribution: str | None = None
    """The attribution cue found, if any."""
    confidence: str | None = None
    """A confidence level stated in the sentence, if any."""


@dataclass(frozen=True, slots=True)
class Block(Plain):
    """A run of body content: prose or a party's position."""

    html: str
    """Rendered HTML, with claims wrapped for the evidence display."""
    claims: tuple[Claim, ...]
    """The claims inside, in order."""
    line: int
    """1-based line where the block starts."""
    party: str | None = None
    """For a position: the party as written in its bold lead-in."""
    party_key: str | None = None
    """For a position: the actors.yaml key the party resolves to, if any."""


@dataclass(frozen=True, slots=True)
class Item(Plain):
    """A ``###`` sub-topic inside a section."""

    title: str
    """Heading text without its attribute list."""
    anchor: str
    """Fragment id, unique within the report."""
    line: int
    """1-based line of the heading."""
    blocks: tuple[Block, ...]
    """Body content in order (positions included)."""
    topics: tuple[str, ...]
    """Explicit topics plus those its claims mention."""
    evidence: Evidence | None
    """Explicit ``evidence=`` or the weakest of its claims; None when it has none."""
    sources: tuple[str, ...] = ()
    """Sources named by ``sources=`` on the heading."""
    attrs: dict[str, str] = field(default_factory=dict)
    """Every attribute of the heading's attribute list."""

    @property
    def positions(self) -> tuple[Block, ...]:
        """The blocks that are a party's position."""
        return tuple(b for b in self.blocks if b.party is not None)

    @property
    def claims(self) -> tuple[Claim, ...]:
        """All claims of the item, in order."""
        return tuple(c for b in self.blocks for c in b.claims)


@dataclass(frozen=True, slots=True)
class Section(Plain):
    """A ``##`` part of a report."""

    kind: str
    """One of SECTION_KINDS."""
    title: str
    """Heading text without its attribute list."""
    anchor: str
    """Fragment id, unique within the report."""
    line: int
    """1-based line of the heading."""
    blocks: tuple[Block, ...]
    """Content before the first item."""
    items: tuple[Item, ...]
    """The ``###`` items in order."""
    explicit_kind: bool = False
    """Whether the kind came from an ``{#id}`` rather than the alias table."""
    attrs: dict[str, str] = field(default_factory=dict)
    """Every attribute of the heading's attribute list."""

    @property
    def claims(self) -> tuple[Claim, ...]:
        """All claims of the section, items included, in order."""
        own = tuple(c for b in self.blocks for c in b.claims)
        return own + tuple(c for item in self.items for c in item.claims)


@dataclass(frozen=True, slots=True)
class Link(Plain):
    """A link or an image written in a report body."""

    href: str
    """As written (an image's source)."""
    line: int
    """1-based line in the report file."""
    col: int
    """1-based column of the link target."""
    image: bool = False
    """Whether it is an image, which the page loads, rather than a link a reader follows."""


@dataclass(frozen=True, slots=True)
class Report(Plain):
    """One report, parsed into the section model."""

    slug: str
    """URL segment; the file name without .md."""
    path: str
    """Path of the source file relative to the project root."""
    meta: ReportMeta
    """Front matter."""
    lede: tuple[Block, ...]
    """Content before the first ``##`` heading."""
    sections: tuple[Section, ...]
    """The ``##`` sections in order."""
    sources: tuple[SourceMeta, ...]
    """Every source the report lists or cites, cited ones first in citation order."""
    cited: tuple[str, ...]
    """Source ids in order of first citation; their position + 1 is the citation number."""
    links: tuple[Link, ...] = ()
    """Every link in the body, in order."""
    anchors: tuple[str, ...] = ()
    """Every fragment id the report page has for its body (sections, items, headings)."""
    body_line: int = 1
    """1-based line of the first body line in the file."""
    words: str = field(default="", compare=False)
    """Its searchable words and how often each occurs, sorted, as ``"word count word count"``
    (for the search index; derived from the rest, so not compared, and not published)."""
    digest: str = field(default="", compare=False)
    """Fingerprint of the source text and of everything it was parsed with (not published)."""

    @property
    def claims(self) -> tuple[Claim, ...]:
        """All claims, lede first, in document order."""
        own = tuple(c for b in self.lede for c in b.claims)
        return own + tuple(c for s in self.sections for c in s.claims)


# --- What the cross-report views keep of a report --------------------------------------


@dataclass(frozen=True, slots=True)
class Mention(Plain):
    """A place in a report where a topic appears."""

    report: str
    """Report slug."""
    section_kind: str
    """Kind of the section ("lede" for the lede)."""
    section_title: str
    """Title of the section."""
    anchor: str
    """Fragment of the exact place: the claim's item, else its section."""
    item: str
    """Title of the claim's item; empty for the prose of a section or the lede."""
    text: str
    """The claim's sentence; empty for an item tagged on its heading without a claim."""
    evidence: Evidence | None
    """The claim's status (or the item's)."""
    line: int
    """Line in the report file."""


@dataclass(frozen=True, slots=True)
class Position(Plain):
    """A party's stated position on a disagreements item."""

    report: str
    """Report slug."""
    encounter: str
    """Encounter id."""
    party: str
    """actors.yaml key of the party."""
    item_title: str
    """The item it belongs to."""
    anchor: str
    """The item's fragment."""
    topics: tuple[str, ...]
    """The item's topics."""
    text: str
    """The position's sentences."""
    evidence: Evidence | None
    """Weakest status of its sentences."""


@dataclass(frozen=True, slots=True)
class Brief(Plain):
    """An item of a disagreements or cooperation section, in brief, for digests."""

    report: str
    """Report slug."""
    kind: str
    """Section kind."""
    title: str
    """Item title (or the section title for a section without items)."""
    anchor: str
    """Fragment."""
    text: str
    """First sentence."""
    evidence: str | None
    """Item evidence."""


@dataclass(frozen=True, slots=True)
class ReportSummary(Plain):
    """A report as every page but its own sees it: its front matter, lede and links, and
    what the cross-report views take from its body, computed when it is parsed.

    The build holds one of these per report; the whole :class:`Report` (a dozen times
    larger) stays in the cache until the process rendering its page or API file reads it.
    """

    slug: str
    """URL segment; the file name without .md."""
    path: str
    """Path of the source file relative to the project root."""
    meta: ReportMeta
    """Front matter."""
    lede: tuple[Block, ...]
    """Content before the first ``##`` heading (the feeds' entry content)."""
    links: tuple[Link, ...]
    """Every link in the body, in order."""
    anchors: tuple[str, ...]
    """Every fragment id the report page has for its body."""
    evidence: tuple[int, ...]
    """How many claims have each status, in ``EVIDENCE_ORDER``."""
    topics: tuple[str, ...]
    """Keys of the topics its claims and items mention, in vocabulary order."""
    kinds: dict[str, tuple[str, ...]]
    """Topic key to the kinds of the sections it is mentioned in, in document order. (The
    mentions themselves are read when the topic's page renders: ``load.Bodies.mentions``.)"""
    mentioned: dict[str, str]
    """Topic key to a digest of its mentions (as ``summary.mention_blobs`` stores them):
    all a topic's page reads of the report's body, so an edit elsewhere in the report
    leaves that page as it was."""
    positions: tuple[Position, ...]
    """The parties' positions on its disagreements items, in document order."""
    briefs: tuple[Brief, ...]
    """Its disagreements and cooperation items in brief, in document order."""
    parts: tuple[str, ...]
    """Digests of the values of its positions, then of its briefs: how the fingerprints of
    the pages that show them (actors, countries, digests) depend on them, cheaply."""
    words: str
    """Searchable words with their counts (see ``Report.words``)."""
    digest: str
    """The full report's fingerprint, of its text and of what parsing it reads but the
    actors, venues and shared sources (the generator, topics.yaml, site.yaml, the day): its
    cache key. The entries of those three a parse reads are noted with it and compared one
    by one (``load.ParseReads``)."""
    content: str
    """A digest of what parsing it gave (this summary but its digests, the full report
    and its mentions) and of the generator: what its pages, its API file and the pages
    that show it depend on. A vocabulary edit that changes nothing in a report's parse
    leaves this as it was, so its pages are not rendered again."""

    @property
    def claims(self) -> int:
        """How many claims it makes."""
        return sum(self.evidence)


@dataclass(frozen=True, slots=True)
class Site(Plain):
    """Everything the build phase needs, loaded and checked."""

    meta: SiteMeta
    """site.yaml."""
    reports: tuple[ReportSummary, ...]
    """Published reports, newest first (ties by slug)."""
    topics: dict[str, TopicMeta]
    """Topics by key, in file order."""
    actors: dict[str, ActorMeta]
    """Actors by key, in file order."""
    venues: dict[str, VenueMeta]
    """Venues by key, in file order."""
    sources: dict[str, SourceMeta]
    """The shared source registry by id."""
    lexicon: Lexicon
    """The estimative lexicon in force."""
