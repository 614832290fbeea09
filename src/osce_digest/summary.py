"""Summary: what the rest of the site takes from one report, computed when it is parsed.

Topic trajectories need each report's mentions, actor pages its parties' positions, digests
its items in brief, cards its evidence counts. Taking them out of the body once, in the
process that parsed it (and caching them with it), lets a build hold a small
:class:`ReportSummary` per report instead of the whole section model.
"""

from __future__ import annotations

import dataclasses
import pickle
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from osce_digest.cache import ContextFingerprint, digest_of
from osce_digest.evidence import weakest
from osce_digest.model import (
    EVIDENCE_ORDER,
    Block,
    Brief,
    Claim,
    Mention,
    Position,
    Report,
    ReportSummary,
)

BRIEF_KINDS = ("disagreements", "cooperation")
"""Section kinds whose items the monthly digests list."""


def summarize(
    report: Report,
    topics: Mapping[str, object],
    mentions: Mapping[str, list[Mention]],
    made_of: Sequence[bytes],
    blobs: Mapping[str, bytes],
) -> ReportSummary:
    """The summary of a parsed report (``topics``: the vocabulary, for its order;
    ``mentions``: its ``mentions_by_topic``, which its cache entry keeps too, as ``blobs``
    (``mention_blobs``); ``made_of``: the generator's fingerprint and the report and its
    mentions as the cache stores them, for ``ReportSummary.content``)."""
    claims = report.claims
    counts = Counter(c.evidence for c in claims)
    keys = {t for c in claims for t in c.topics}
    keys.update(t for s in report.sections for i in s.items for t in i.topics)
    positions = tuple(_positions(report))
    briefs = tuple(_briefs(report))
    value = ContextFingerprint({})
    summary = ReportSummary(
        slug=report.slug,
        path=report.path,
        meta=report.meta,
        lede=report.lede,
        links=report.links,
        anchors=report.anchors,
        evidence=tuple(counts[e] for e in EVIDENCE_ORDER),
        topics=tuple(k for k in topics if k in keys),
        kinds={k: tuple(dict.fromkeys(m.section_kind for m in v)) for k, v in mentions.items()},
        mentioned={k: digest_of("mentions", k, blob) for k, blob in blobs.items()},
        positions=positions,
        briefs=briefs,
        parts=tuple(value({"part": part}) for part in (*positions, *briefs)),
        words=report.words,
        digest=report.digest,
        content="",
    )
    own = pickle.dumps(dataclasses.replace(summary, digest=""), pickle.HIGHEST_PROTOCOL)
    return dataclasses.replace(summary, content=digest_of(own, *made_of))


def mention_blobs(mentions: Mapping[str, list[Mention]]) -> dict[str, bytes]:
    """A report's mentions by topic (``mentions_by_topic``), each topic's pickled on its
    own: what the cache keeps for topic pages (``mentions_from`` reads one topic's)."""
    return {k: pickle.dumps(tuple(v), pickle.HIGHEST_PROTOCOL) for k, v in mentions.items()}


def mentions_from(blobs: dict[str, bytes], topic: str) -> tuple[Mention, ...]:
    """One topic's mentions out of ``mention_blobs``."""
    blob = blobs.get(topic)
    mentions: tuple[Mention, ...] = pickle.loads(blob) if blob else ()
    return mentions


def mentions_by_topic(report: Report) -> dict[str, list[Mention]]:
    """Every claim and item of a report by the topics it is tagged with, in one pass."""
    found: dict[str, list[Mention]] = defaultdict(list)
    for claim in _claims(report.lede):
        for topic in claim.topics:
            found[topic].append(_mention(report, "lede", "Lede", "", "", claim))
    for section in report.sections:
        for claim in _claims(section.blocks):
            for topic in claim.topics:
                found[topic].append(
                    _mention(report, section.kind, section.title, section.anchor, "", claim)
                )
        for item in section.items:
            hit: set[str] = set()
            for claim in item.claims:
                for topic in claim.topics:
                    hit.add(topic)
                    found[topic].append(
                        _mention(
                            report, section.kind, section.title, item.anchor, item.title, claim
                        )
                    )
            for topic in item.topics:
                if topic not in hit:  # tagged on the heading only
                    found[topic].append(
                        Mention(
                            report.slug,
                            section.kind,
                            section.title,
                            item.anchor,
                            item.title,
                            "",  # no sentence: the item as a whole
                            item.evidence,
                            item.line,
                        )
                    )
    return found


def _mention(
    report: Report, kind: str, title: str, anchor: str, item: str, claim: Claim
) -> Mention:
    return Mention(report.slug, kind, title, anchor, item, claim.text, claim.evidence, claim.line)


def _claims(blocks: Iterable[Block]) -> list[Claim]:
    return [c for b in blocks for c in b.claims]


def _positions(report: Report) -> list[Position]:
    found = []
    for section in report.sections:
        for item in section.items:
            for block in item.positions:
                if block.party_key is None:
                    continue
                found.append(
                    Position(
                        report=report.slug,
                        encounter=report.meta.encounter.id,
                        party=block.party_key,
                        item_title=item.title,
                        anchor=item.anchor,
                        topics=item.topics,
                        text=" ".join(c.text for c in block.claims),
                        evidence=weakest(c.evidence for c in block.claims),
                    )
                )
    return found


def _briefs(report: Report) -> list[Brief]:
    briefs = []
    for section in report.sections:
        if section.kind not in BRIEF_KINDS:
            continue
        if not section.items:
            claims = section.claims
            first = claims[0].text if claims else ""
            briefs.append(
                Brief(report.slug, section.kind, section.title, section.anchor, first, None)
            )
        for item in section.items:
            claims = item.claims
            first = claims[0].text if claims else ""
            evidence = item.evidence.value if item.evidence else None
            briefs.append(
                Brief(report.slug, section.kind, item.title, item.anchor, first, evidence)
            )
    return briefs
