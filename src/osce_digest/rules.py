"""Rules: the editorial checks' registry (ids, default severities, explanations).

Data only. ``checks.py`` implements them, ``config.py`` validates overrides against them,
and the methodology page prints the explanations, so the three cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    """One editorial check."""

    id: str
    """Stable id, used in messages, overrides and ``checks:``."""
    severity: str
    """Default severity: "error" or "warning"."""
    title: str
    """A few words."""
    explanation: str
    """One paragraph: what it finds, why it matters, how to satisfy it."""


RULES: tuple[Rule, ...] = (
    Rule(
        "unsourced-claim",
        "warning",
        "Unsourced claim",
        "A sentence in the agenda, key moments or disagreements that states a fact with no "
        "source: no citation, no attribution, no estimative term, no hedge. These sections "
        "report what happened, so each fact needs a footnote to a listed source, an "
        "attribution (\u201caccording to\u201d), or an honest label as a judgment.",
    ),
    Rule(
        "unlabelled-hedge",
        "warning",
        "Hedge instead of a judgment",
        "Speculative wording (may, might, could, perhaps, \u201cit is safe to assume\u201d) in "
        "a sentence that carries no term of the report's estimative scale. ICD 203 asks "
        "analysts to express uncertainty on a stated scale: say how likely it is "
        "(\u201clikely\u201d, \u201croughly even chance\u201d) and on what basis, or cut it.",
    ),
    Rule(
        "judgment-without-basis",
        "warning",
        "Judgment without a basis",
        "A sentence with an estimative term (likely, almost certain, ...) that neither cites a "
        "source nor states its basis (\u201cbecause\u201d, \u201cgiven\u201d, \u201cbased "
        "on\u201d). A judgment is only as good as the evidence and reasoning behind it; give "
        "them.",
    ),
    Rule(
        "scale-mixing",
        "warning",
        "Mixed scales",
        "Terms from both columns of the ICD 203 table (\u201clikely\u201d and "
        "\u201cprobable\u201d) or from another scale in one report, or a likelihood term and a "
        "confidence level in one sentence. ICD 203 forbids both: readers must be able to map "
        "every term to one probability band, and confidence (the basis of a judgment) is not "
        "probability.",
    ),
    Rule(
        "one-sided-disagreement",
        "warning",
        "One-sided disagreement",
        "A disagreements item (or a disagreements section without items) that gives fewer "
        "than two parties' positions, as **Party:** paragraphs. A disagreement has two sides; "
        "give both, or say that one side made no public statement with the attribute "
        'no_public_statement="party" on the item.',
    ),
    Rule(
        "encounter-contradiction",
        "warning",
        "Contradicts the encounter",
        "The text speaks of a meeting, talks, a conversation, a handshake or a duration "
        "while the front matter says direct_contact: false; or the encounter gives a duration "
        "with no source under encounter.sources. The front matter records what sources "
        "support; the text must not claim more.",
    ),
    Rule(
        "missing-section",
        "warning",
        "Missing section",
        "One of the four sections the report format is named for (agenda, disagreements, "
        "cooperation, implications) is absent. Add it, even to say there was none.",
    ),
    Rule(
        "unknown-section",
        "warning",
        "Unknown section",
        "A ## heading that maps to no section kind. Give it an explicit kind "
        "({#agenda}, {#disagreements}, ...) or add its words to section_aliases in site.yaml.",
    ),
    Rule(
        "source-unused",
        "warning",
        "Unused source",
        "A source listed in the front matter that no sentence cites and the encounter does "
        "not name under encounter.sources. Cite it where it supports a sentence, or remove "
        "it.",
    ),
    Rule(
        "source-incomplete",
        "warning",
        "Incomplete source",
        "A source without a url or a publisher. Readers must be able to find and weigh "
        "every source.",
    ),
    Rule(
        "unknown-source-kind",
        "warning",
        "Unknown kind of source",
        "A source whose kind is not one of transcript, readout, official, wire, press or "
        "analysis, most often a typo. Readers weigh a source by its kind; use one of "
        "these, or switch the check off for a kind of your own.",
    ),
    Rule(
        "broken-link",
        "error",
        "Broken link",
        "An internal link or anchor that leads nowhere: #anchor to no heading of the report, "
        "/reports/slug/ to no report, /topics/key/, /actors/key/, /venues/key/ or "
        "/countries/iso/ to no such page, /static/file to no file of templates/static/; an "
        "image whose address is relative to the page. Links to other hosts are not checked.",
    ),
    Rule(
        "remote-image",
        "error",
        "Image from another host",
        "An image whose address is on another host: every reader's browser would fetch it "
        "from there, and the site makes no request to other hosts. Save it in "
        "templates/static/ and write /static/name, or link to it instead.",
    ),
    Rule(
        "date-order",
        "warning",
        "Dates out of order",
        "A report dated before its encounter began, or a publication or encounter date in "
        "the future (in the site's time zone).",
    ),
)
"""Every rule, in the order the methodology page lists them."""

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
"""Rules by id."""

SEVERITIES = ("error", "warning", "off")
"""What a rule's severity may be set to."""
