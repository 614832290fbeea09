"""Reports about one encounter must agree on its facts (see ``consistency.py``); the fixture
``sites_invalid/encounter-conflict`` has the printed form, these the rules behind it."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import MakeProject
from osce_digest.diagnostics import Diagnostic
from osce_digest.load import load_site

CASE = Path(__file__).parent / "sites_invalid" / "encounter-conflict"
LATER = "content/reports/council-later.md"
EARLIER = "content/reports/council.md"


def conflicts_of(project: Path) -> list[Diagnostic]:
    return [d for d in load_site(project).diagnostics if d.rule == "encounter-conflict"]


def conflicts(project: Path) -> list[tuple[str, int, str]]:
    return [
        (d.file, d.line, d.message.split(": ", 1)[1].split(" ")[0]) for d in conflicts_of(project)
    ]


def edit(project: Path, rel: str, old: str, new: str) -> None:
    path = project / rel
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_the_earliest_report_is_the_record_and_the_later_one_is_flagged(
    make_project: MakeProject,
) -> None:
    project = make_project(CASE)
    assert conflicts(project) == [
        (LATER, 6, "end"),
        (LATER, 11, "place.country"),
        (LATER, 13, "kind"),
    ]
    # Dated the other way round, the other report departs from the record.
    edit(project, LATER, "date: 2024-12-09", "date: 2024-12-06")
    assert [(f, fact) for f, _, fact in conflicts(project)] == [
        (EARLIER, "end"),
        (EARLIER, "place.country"),
        (EARLIER, "kind"),
    ]
    messages = [d.message for d in load_site(project).diagnostics if d.rule == "encounter-conflict"]
    assert messages[0] == (
        "encounter 'test-council-2024': end is 2024-12-06 here but is not given (so "
        f"2024-12-05) in {LATER}"
    )


def test_facts_left_out_or_reordered_do_not_conflict(make_project: MakeProject) -> None:
    project = make_project(CASE)
    # The later report already lists the participants in another order, adds a locality
    # and direct_contact the earlier one leaves out: none of them is flagged.
    later = (project / LATER).read_text("utf-8")
    assert "[boris-sample, alice-example]" in later
    assert "direct_contact: true" in later
    edit(project, LATER, "  venue: test-council\n", "  end: 2024-12-06\n  venue: test-council\n")
    edit(project, LATER, "country: IT", "country: MT")
    edit(project, LATER, "kind: bilateral", "kind: co-attendance")
    assert conflicts(project) == []
    assert "error" not in {d.severity for d in load_site(project).diagnostics}


def test_each_stated_fact_is_compared(make_project: MakeProject) -> None:
    project = make_project(CASE)
    edit(project, LATER, "  venue: test-council\n", "  end: 2024-12-06\n  venue: test-council\n")
    edit(project, LATER, "country: IT", "country: MT")
    edit(project, LATER, "kind: bilateral", "kind: co-attendance")
    edit(project, LATER, "name: 9th Test Council", "name: Ninth Test Council")
    edit(project, LATER, "[boris-sample, alice-example]", "[boris-sample]")
    edit(project, EARLIER, "kind: co-attendance", "kind: co-attendance\n  direct_contact: false")
    found = conflicts(project)
    assert [fact for _, _, fact in found] == ["name", "participants", "direct_contact"]
    edit(project, LATER, "name: Ninth Test Council", "name: 9th\u00a0Test Council")
    # A difference that cannot be seen (a no-break space) is spelled out.
    first = conflicts_of(project)[0].message
    assert first.startswith("encounter 'test-council-2024': name is '9th\\u00a0Test Council' here")
    text = (project / LATER).read_text("utf-8").split("\n")
    for _, line, fact in found:
        assert re.match(rf" +{fact}:", text[line - 1]), (fact, text[line - 1])


def test_a_draft_never_becomes_the_record(make_project: MakeProject) -> None:
    project = make_project(CASE)
    # Dated first but a draft: with drafts included the draft is flagged, not the published
    # report (which a plain build, without the draft, finds correct).
    edit(project, LATER, "date: 2024-12-09", "date: 2024-12-06\ndraft: true")
    found = [
        d.file
        for d in load_site(project, drafts=True).diagnostics
        if d.rule == "encounter-conflict"
    ]
    assert found == [LATER, LATER, LATER]
    assert conflicts(project) == []
