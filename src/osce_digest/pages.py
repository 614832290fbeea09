"""Pages: decide every output file of the site and the view each template receives.

Pure planning, no rendering and no I/O: a list of :class:`Page` (template pages) and
:class:`Asset` (files copied or generated as they are). Two outputs claiming one path
are reported here, before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from osce_digest.diagnostics import Diagnostic, error
from osce_digest.evidence import DESCRIPTIONS
from osce_digest.indexes import Encounter, Indexes
from osce_digest.jsonld import article_jsonld
from osce_digest.listings import country_name, heatmap, plan_listings
from osce_digest.model import (
    EVIDENCE_ORDER,
    ActorMeta,
    ReportSummary,
    Site,
    SiteMeta,
    TopicMeta,
    VenueMeta,
)
from osce_digest.urls import canonical, page_path, root_prefix

HOME_REPORTS = 20
"""Report cards on the home page: the newest; the timeline and digests list every one."""

KIND_LABELS = {
    "bilateral": "Bilateral meeting",
    "pull-aside": "Pull-aside",
    "call": "Call",
    "co-attendance": "Co-attendance (same forum, no reported meeting)",
    "summit": "Summit",
}
"""How an encounter's kind reads in the facts box; other kinds are shown as written."""


@dataclass(frozen=True, slots=True)
class Page:
    """One HTML page to render."""

    url: str
    """Site-relative URL, e.g. ``reports/x/`` ("" for the home page)."""
    template: str
    """Template name."""
    context: dict[str, Any]
    """Exactly what the template may use."""
    report: ReportSummary | None = None
    """On a report's own page, that report: the renderer adds the full report to the
    context as ``report`` (read then, so the plan holds only summaries)."""
    mentions_of: str | None = None
    """On a topic's page, its key: the renderer adds ``mentions``, each stop's mentions by
    encounter id (read then, for the same reason)."""
    mentions_from: tuple[ReportSummary, ...] = ()
    """On a topic's page, the reports whose mentions it lists. They are not in the context:
    the page depends on their mentions of its topic alone (``ReportSummary.mentioned``),
    and on what it looks up of them in the directory, not on the rest of their bodies."""

    @property
    def output(self) -> str:
        """Path of the output file relative to the output folder."""
        return page_path(self.url)


@dataclass(frozen=True, slots=True)
class Asset:
    """A file written as it is (CSS, JS, icons)."""

    output: str
    """Path relative to the output folder."""
    data: bytes
    """The bytes to write."""
    origin: str
    """Where it comes from, for collision messages."""


@dataclass(frozen=True, slots=True)
class LazyFile:
    """A generated file made only when its inputs changed since the last build."""

    output: str
    """Path in the output."""
    fingerprint: str
    """Digest of everything the bytes depend on."""
    make: Callable[[], bytes]
    """Makes the bytes."""
    origin: str
    """Where it comes from, for collision messages."""


@dataclass(frozen=True, slots=True)
class SiteView:
    """The public fields of site.yaml that every template sees."""

    title: str
    """Site title."""
    description: str
    """Site description."""
    language: str
    """Language tag."""
    base_url: str
    """Absolute base URL or ""."""
    extra: dict[str, Any]
    """site.yaml ``extra``."""


@dataclass(frozen=True, slots=True)
class Participant:
    """A participant as the facts box shows it."""

    key: str
    """actors.yaml key."""
    name: str
    """Display name."""
    role: str | None
    """The office held on the encounter's first day."""
    country: str | None
    """ISO code."""


@dataclass(frozen=True, slots=True)
class ProfileRow:
    """One evidence status in a report's evidence profile."""

    status: str
    """Status value."""
    count: int
    """Claims with this status."""
    percent: float
    """Share of all claims, 0 to 100, one decimal."""
    description: str
    """What the status means."""


@dataclass(frozen=True, slots=True)
class ReportRef:
    """What a page shows of another report: enough for a link, nothing that changes often."""

    slug: str
    """URL segment."""
    title: str
    """Headline."""
    date: dt.date
    """Publication date."""
    encounter: str
    """Name of its encounter."""


@dataclass(frozen=True, slots=True)
class Directory:
    """Lookups every template may use to turn keys into names and links."""

    topics: Mapping[str, TopicMeta]
    """Topics by key."""
    actors: Mapping[str, ActorMeta]
    """Actors by key."""
    venues: Mapping[str, VenueMeta]
    """Venues by key."""
    reports: Mapping[str, ReportRef]
    """Published reports by slug: what another page shows of them."""
    encounters: Mapping[str, Encounter]
    """Encounters by id."""
    countries: Mapping[str, str]
    """ISO code (upper case) to display name, for countries that have a page."""
    section_names: Mapping[str, str]
    """Display names of section kinds."""


def plan_pages(site: Site, indexes: Indexes) -> list[Page]:
    """Every template page of the site."""
    view = SiteView(
        site.meta.title,
        site.meta.description,
        site.meta.language,
        site.meta.base_url,
        site.meta.extra,
    )
    directory = Directory(
        topics=site.topics,
        actors=site.actors,
        venues=site.venues,
        reports={
            r.slug: ReportRef(r.slug, r.meta.title, r.meta.date, r.meta.encounter.name)
            for r in site.reports
        },
        encounters=indexes.encounters,
        countries={iso: country_name(site, iso) for iso in indexes.countries},
        section_names=SECTION_NAMES,
    )
    shared = {"site": view, "d": directory}
    pages = [
        _page(
            site.meta,
            shared,
            "",
            "home.html",
            title=site.meta.title,
            description=site.meta.description,
            reports=[_card(r) for r in site.reports[:HOME_REPORTS]],
            total_reports=len(site.reports),
            heatmap=heatmap(site, indexes),
        ),
    ]
    for report in site.reports:
        pages.append(
            _page(
                site.meta,
                shared,
                f"reports/{report.slug}/",
                "report.html",
                title=report.meta.title,
                description=report.meta.summary or report.meta.dek or report.meta.title,
                body=report,
                venue=site.venues.get(report.meta.encounter.venue or ""),
                participants=_participants(report, site.actors),
                kind_label=KIND_LABELS.get(report.meta.encounter.kind, report.meta.encounter.kind),
                profile=evidence_profile(report),
                statuses=[(e.value, DESCRIPTIONS[e]) for e in EVIDENCE_ORDER],
                authors=[site.meta.authors[a] for a in report.meta.authors],
                related=[directory.reports[s] for s in indexes.related[report.slug]],
                report_topics=indexes.report_topics[report.slug],
                jsonld=article_jsonld(site, report, indexes.report_topics[report.slug]),
            )
        )
    for spec in plan_listings(site, indexes):
        pages.append(
            _page(
                site.meta,
                shared,
                spec.url,
                spec.template,
                title=spec.title,
                description=spec.description,
                mentions_of=spec.mentions_of,
                mentions_from=spec.mentions_from,
                **spec.context,
            )
        )
    pages.append(
        _page(
            site.meta,
            shared,
            "404.html",
            "404.html",
            title="Page not found",
            description="This page does not exist.",
            absolute_root=True,
        )
    )
    return pages


SECTION_NAMES = {
    "context": "Context",
    "agenda": "Agenda",
    "moments": "Key moments",
    "disagreements": "Disagreements",
    "cooperation": "Cooperation",
    "implications": "Implications",
    "outlook": "Outlook",
    "other": "Other",
}
"""Display names of section kinds."""


def evidence_profile(report: ReportSummary) -> list[ProfileRow]:
    """How many claims of each status a report makes."""
    total = report.claims or 1
    return [
        ProfileRow(e.value, count, round(100 * count / total, 1), DESCRIPTIONS[e])
        for e, count in zip(EVIDENCE_ORDER, report.evidence, strict=True)
    ]


def check_collisions(pages: list[Page], assets: list[Asset]) -> list[Diagnostic]:
    """Two outputs writing one path is an error naming both."""
    owners: dict[str, str] = {}
    problems = []
    outputs = [(p.output, p.context.get("origin", p.template)) for p in pages]
    outputs += [(a.output, a.origin) for a in assets]
    for output, origin in outputs:
        key = output.lower()  # collide on case-insensitive file systems too
        if key in owners:
            problems.append(
                error(
                    origin,
                    0,
                    0,
                    "output-collision",
                    f"{origin} and {owners[key]} would both write {output}",
                    "rename one of them",
                )
            )
        else:
            owners[key] = origin
    return problems


def _page(
    meta: SiteMeta,
    shared: dict[str, Any],
    url: str,
    template: str,
    *,
    title: str,
    description: str,
    absolute_root: bool = False,
    body: ReportSummary | None = None,
    mentions_of: str | None = None,
    mentions_from: tuple[ReportSummary, ...] = (),
    **extra: Any,
) -> Page:
    context: dict[str, Any] = {
        **shared,
        "page": {
            "url": url,
            "title": title,
            "description": description,
            "canonical": canonical(meta.base_url, url),
        },
        # The 404 page is served at any missing address, so its links cannot be relative:
        # they start from base_url, or from the domain's root when none is set.
        "root": (meta.base_url.rstrip("/") + "/" if meta.base_url else "/")
        if absolute_root
        else root_prefix(url),
        **extra,
    }
    if body is not None:
        context["origin"] = body.path
    return Page(url, template, context, body, mentions_of, mentions_from)


def _card(report: ReportSummary) -> dict[str, Any]:
    return {"report": report, "profile": evidence_profile(report)}


def _participants(report: ReportSummary, actors: dict[str, ActorMeta]) -> list[Participant]:
    day = report.meta.encounter.start
    out = []
    for key in report.meta.encounter.participants:
        actor = actors[key]
        out.append(Participant(key, actor.name, _role_on(actor, day), actor.country))
    return out


def _role_on(actor: ActorMeta, day: dt.date) -> str | None:
    for role in actor.roles:
        if (role.start is None or role.start <= day) and (role.end is None or day <= role.end):
            return role.title
    return None
