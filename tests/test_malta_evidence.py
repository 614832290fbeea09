"""The Malta report's evidence: what the classifier makes of the published article.

The article cites nothing and describes a meeting no source reports, so no claim of it may
show as confirmed. Its tell-tale sentences get the status DESIGN.md 3.3 gives them: a hedge
("it is safe to assume", "may") is speculative, an estimative term ("likely", "probably")
is assessed, and a plain assertion without a source ("lasting only a few minutes") is
unsourced. Each claim carries the line of the report file it starts on.
"""

from __future__ import annotations

import pytest

from conftest import REPO
from osce_digest.load import load_site
from osce_digest.model import Claim, Evidence, Report

REPORT_PATH = "content/reports/lavrov-blinken-osce-malta-2024.md"


@pytest.fixture(scope="module")
def report() -> Report:
    result = load_site(REPO)
    assert result.site is not None, result.diagnostics
    (found,) = [r for r in result.reports() if r.path == REPORT_PATH]
    return found


def claim_with(report: Report, words: str) -> Claim:
    """The one claim of the report whose text contains ``words``."""
    matches = [c for c in report.claims if words in c.text]
    assert len(matches) == 1, f"{len(matches)} claims contain {words!r}"
    return matches[0]


def file_line_of(words: str) -> int:
    """The 1-based line of the report file that contains ``words``."""
    lines = (REPO / REPORT_PATH).read_text(encoding="utf-8").split("\n")
    (line,) = [n for n, text in enumerate(lines, start=1) if words in text]
    return line


TELL_TALES = [
    "it is safe to assume",
    "Blinken likely reiterated",
    "Lavrov probably defended",
    "The meeting may also have touched upon",
    "lasting only a few minutes",
]


@pytest.mark.parametrize("words", TELL_TALES)
def test_the_tell_tale_sentences_are_not_confirmed(report: Report, words: str) -> None:
    assert claim_with(report, words).evidence is not Evidence.CONFIRMED


def test_it_is_safe_to_assume_is_speculative(report: Report) -> None:
    claim = claim_with(report, "it is safe to assume")
    assert claim.text.startswith("While the exact details of the discussion remain confidential")
    assert claim.evidence is Evidence.SPECULATIVE
    assert claim.hedges == ("it is safe to assume",)
    assert claim.line == file_line_of("it is safe to assume")
    assert claim.topics == ("ukraine",)


def test_blinken_likely_and_lavrov_probably_are_one_assessed_sentence(report: Report) -> None:
    claim = claim_with(report, "Blinken likely reiterated")
    assert "Lavrov probably defended" in claim.text
    assert claim is claim_with(report, "Lavrov probably defended")
    assert claim.evidence is Evidence.ASSESSED
    assert claim.term is not None
    assert (claim.term.term, claim.term.band, claim.term.low, claim.term.high) == (
        "likely",
        "likely",
        55,
        80,
    )
    assert claim.hedges == ()
    assert claim.sources == ()


def test_the_meeting_may_also_have_touched_upon_is_speculative(report: Report) -> None:
    claim = claim_with(report, "The meeting may also have touched upon")
    assert claim.evidence is Evidence.SPECULATIVE
    assert claim.hedges == ("may",)
    assert claim.line == file_line_of("The meeting may also have touched upon")


def test_the_few_minutes_meeting_is_an_unsourced_assertion(report: Report) -> None:
    claim = claim_with(report, "lasting only a few minutes")
    assert claim.text == "The meeting itself was relatively brief, lasting only a few minutes."
    assert claim.evidence is Evidence.UNSOURCED
    assert (claim.term, claim.hedges, claim.attribution, claim.sources) == (None, (), None, ())
    assert claim.line == file_line_of("lasting only a few minutes")
    assert claim.col == 1


def test_the_agenda_sentences_are_in_the_agenda_section(report: Report) -> None:
    (agenda,) = [s for s in report.sections if s.kind == "agenda"]
    texts = [c.text for c in agenda.claims]
    assert len(texts) == 4
    assert "it is safe to assume" in texts[0]
    assert "Blinken likely reiterated" in texts[1]
    assert "Other potential agenda items could have included" in texts[2]
    assert "The meeting may also have touched upon" in texts[3]


def test_no_claim_of_the_report_is_confirmed(report: Report) -> None:
    assert report.claims, "the report has no claims"
    confirmed = [c.text for c in report.claims if c.evidence is Evidence.CONFIRMED]
    assert confirmed == []


def test_the_report_cites_no_source(report: Report) -> None:
    assert report.cited == ()
    assert all(c.sources == () for c in report.claims)


def test_the_report_is_mostly_unsourced_and_speculative(report: Report) -> None:
    counts = {e: sum(c.evidence is e for c in report.claims) for e in Evidence}
    assert counts[Evidence.CONFIRMED] == 0
    assert counts[Evidence.REPORTED] == 0
    assert counts[Evidence.SPECULATIVE] >= 10
    assert counts[Evidence.ASSESSED] >= 2
    assert counts[Evidence.UNSOURCED] > counts[Evidence.SPECULATIVE]
