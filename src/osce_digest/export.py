"""Export: the section model as JSON-ready data.

One mapping from the model to plain dicts, used by the JSON API and by the tests that
compare parsed reports with expected models.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from enum import Enum
from typing import Any

from osce_digest.model import Block, Claim, Item, Report, Section


def to_data(value: Any) -> Any:
    """Dataclasses, enums, dates, tuples and dicts as JSON-ready data."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    return value


def claim_data(claim: Claim) -> dict[str, Any]:
    """A claim without its HTML."""
    data: dict[str, Any] = {
        "text": claim.text,
        "line": claim.line,
        "evidence": claim.evidence.value,
    }
    if claim.topics:
        data["topics"] = list(claim.topics)
    if claim.sources:
        data["sources"] = list(claim.sources)
    if claim.term is not None:
        data["term"] = claim.term.term
        data["band"] = claim.term.band
        data["probability"] = [claim.term.low, claim.term.high]
    if claim.hedges:
        data["hedges"] = list(claim.hedges)
    if claim.attribution:
        data["attribution"] = claim.attribution
    if claim.confidence:
        data["confidence"] = claim.confidence
    return data


def block_data(block: Block) -> dict[str, Any]:
    """A block's claims (and party, for a position)."""
    data: dict[str, Any] = {"line": block.line, "claims": [claim_data(c) for c in block.claims]}
    if block.party is not None:
        data["party"] = block.party
        data["party_key"] = block.party_key
    return data


def item_data(item: Item) -> dict[str, Any]:
    """An item of a section."""
    data: dict[str, Any] = {
        "title": item.title,
        "anchor": item.anchor,
        "line": item.line,
        "topics": list(item.topics),
        "evidence": item.evidence.value if item.evidence else None,
        "blocks": [block_data(b) for b in item.blocks],
    }
    if item.sources:
        data["sources"] = list(item.sources)
    return data


def section_data(section: Section) -> dict[str, Any]:
    """A section with its items."""
    return {
        "kind": section.kind,
        "title": section.title,
        "anchor": section.anchor,
        "line": section.line,
        "blocks": [block_data(b) for b in section.blocks],
        "items": [item_data(i) for i in section.items],
    }


def report_data(report: Report) -> dict[str, Any]:
    """The whole report: front matter, lede, sections, sources."""
    return {
        "slug": report.slug,
        "meta": to_data(report.meta),
        "lede": [block_data(b) for b in report.lede],
        "sections": [section_data(s) for s in report.sections],
        "sources": [to_data(s) for s in report.sources],
        "cited": list(report.cited),
    }
