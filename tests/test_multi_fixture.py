"""The multi-report fixture (``tests/sites/multi/``) has the shape its cross-report tests rely on.

The fixture is test data: fictional people and states, reports tagged ``fixture``. It is
meant to exercise topic trajectories, actor, country and venue pages, the timeline,
monthly digests, feeds, search and the API, so these tests pin down what it promises:
enough reports, encounters, venues and months, and one topic whose story runs from
disagreement to cooperation.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

import pytest

from conftest import TESTS
from osce_digest.diagnostics import Severity
from osce_digest.load import LoadResult, load_site
from osce_digest.model import ActorMeta, Evidence, Report, ReportSummary, Section, Site

MULTI = TESTS / "sites" / "multi"
DRAFT_SLUG = "varga-reyes-april-call-draft"


@pytest.fixture(scope="module")
def loaded() -> LoadResult:
    return load_site(MULTI)


@pytest.fixture(scope="module")
def site(loaded: LoadResult) -> Site:
    assert loaded.site is not None
    return loaded.site


@pytest.fixture(scope="module")
def reports(loaded: LoadResult) -> list[Report]:
    """The published reports in full."""
    return loaded.reports()


def section_topics(section: Section) -> set[str]:
    """Topics of a section: its items' topics and every claim's topics."""
    found = {t for item in section.items for t in item.topics}
    return found | {t for claim in section.claims for t in claim.topics}


def role_on(actor: ActorMeta, day: dt.date) -> str | None:
    for role in actor.roles:
        if (role.start is None or role.start <= day) and (role.end is None or day <= role.end):
            return role.title
    return None


def by_encounter(reports: Iterable[ReportSummary]) -> dict[str, list[ReportSummary]]:
    groups: dict[str, list[ReportSummary]] = defaultdict(list)
    for report in reports:
        groups[report.meta.encounter.id].append(report)
    return groups


def test_the_fixture_loads_with_no_error_diagnostics_drafts_included() -> None:
    for drafts in (False, True):
        result = load_site(MULTI, drafts=drafts)
        errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
        assert errors == [], errors
        assert result.site is not None


def test_the_site_and_every_report_are_labelled_as_test_data(site: Site) -> None:
    assert "test data" in site.meta.title.lower()
    with_drafts = load_site(MULTI, drafts=True).site
    assert with_drafts is not None
    for report in with_drafts.reports:
        assert "fixture" in report.meta.tags, report.slug
    for path in sorted((MULTI / "content").glob("*.yaml")):
        assert path.read_text("utf-8").startswith("# TEST DATA"), path.name


def test_at_least_six_reports_are_published_about_at_least_four_encounters(site: Site) -> None:
    assert len(site.reports) >= 6
    assert len(by_encounter(site.reports)) >= 4


def test_two_encounters_each_have_a_first_take_and_a_later_analysis(site: Site) -> None:
    pairs = [group for group in by_encounter(site.reports).values() if len(group) >= 2]
    assert len(pairs) >= 2
    for group in pairs:
        dates = sorted(r.meta.date for r in group)
        assert dates[0] < dates[-1], [r.slug for r in group]


def test_encounters_happen_at_two_venues_and_one_call_has_no_venue(site: Site) -> None:
    encounters = {r.meta.encounter.id: r.meta.encounter for r in site.reports}
    venues = {e.venue for e in encounters.values() if e.venue is not None}
    assert len(venues) >= 2
    assert venues <= set(site.venues)
    without = [e for e in encounters.values() if e.venue is None]
    assert [e.kind for e in without] == ["call"]


def test_encounters_and_publications_span_at_least_three_months(site: Site) -> None:
    started = {r.meta.encounter.start.strftime("%Y-%m") for r in site.reports}
    published = {r.meta.date.strftime("%Y-%m") for r in site.reports}
    assert len(started) >= 3
    assert len(published) >= 3


def test_every_kind_of_encounter_occurs_and_only_a_sourced_one_has_a_duration(
    reports: list[Report],
) -> None:
    kinds = {r.meta.encounter.kind for r in reports}
    assert {"bilateral", "pull-aside", "call", "co-attendance", "summit"} <= kinds
    contact = {r.meta.encounter.direct_contact for r in reports}
    assert contact == {True, False}
    timed = [r for r in reports if r.meta.encounter.duration]
    assert timed
    for report in timed:
        assert report.cited, f"{report.slug} gives a duration without citing a source"


def test_a_topic_moves_from_disagreement_in_one_encounter_to_cooperation_in_a_later_one(
    reports: list[Report],
) -> None:
    disagreed: dict[str, set[dt.date]] = defaultdict(set)
    cooperated: dict[str, set[dt.date]] = defaultdict(set)
    for report in reports:
        start = report.meta.encounter.start
        for section in report.sections:
            target = {"disagreements": disagreed, "cooperation": cooperated}.get(section.kind)
            if target is not None:
                for topic in section_topics(section):
                    target[topic].add(start)
    moving = [
        topic
        for topic in disagreed
        if any(later > min(disagreed[topic]) for later in cooperated.get(topic, ()))
    ]
    assert "grain-corridor" in moving
    # The first encounter has the topic only as a disagreement, the last only as cooperation.
    assert min(disagreed["grain-corridor"]) < min(cooperated["grain-corridor"])
    assert max(cooperated["grain-corridor"]) > max(disagreed["grain-corridor"])


def test_participants_are_shared_across_encounters_and_one_changes_office(site: Site) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for report in site.reports:
        for key in report.meta.encounter.participants:
            seen[key].add(report.meta.encounter.id)
    assert any(len(ids) >= 3 for ids in seen.values())
    changed = [
        key
        for key in seen
        if len(
            {
                role_on(site.actors[key], r.meta.encounter.start)
                for r in site.reports
                if key in r.meta.encounter.participants
            }
        )
        > 1
    ]
    assert changed


def test_every_report_has_the_four_expected_sections_and_positions_name_states(
    site: Site, reports: list[Report]
) -> None:
    for report in reports:
        kinds = {s.kind for s in report.sections}
        assert {"agenda", "disagreements", "cooperation", "implications"} <= kinds, report.slug
        assert "other" not in kinds, report.slug
        positions = [
            block
            for s in report.sections
            if s.kind == "disagreements"
            for item in s.items
            for block in item.positions
        ]
        assert positions, report.slug
        for block in positions:
            assert block.party_key is not None, (report.slug, block.party)
            assert site.actors[block.party_key].kind == "state"


def test_every_evidence_status_occurs_and_shared_sources_are_cited_by_several_reports(
    site: Site, reports: list[Report]
) -> None:
    statuses = {claim.evidence for report in reports for claim in report.claims}
    assert statuses == set(Evidence)
    assert len(site.sources) >= 2
    for source_id in site.sources:
        citing = [r.slug for r in reports if source_id in r.cited]
        assert len(citing) >= 2, source_id


def test_the_draft_is_checked_but_left_out_of_the_published_site(site: Site) -> None:
    assert DRAFT_SLUG not in {r.slug for r in site.reports}
    with_drafts = load_site(MULTI, drafts=True).site
    assert with_drafts is not None
    draft = next(r for r in with_drafts.reports if r.slug == DRAFT_SLUG)
    assert draft.meta.draft
    # Its encounter and month belong to no published report, so a leak is easy to spot.
    assert draft.meta.encounter.id not in {r.meta.encounter.id for r in site.reports}
    month = draft.meta.encounter.start.strftime("%Y-%m")
    assert month not in {r.meta.encounter.start.strftime("%Y-%m") for r in site.reports}
    assert month not in {r.meta.date.strftime("%Y-%m") for r in site.reports}
