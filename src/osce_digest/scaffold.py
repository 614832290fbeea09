"""Scaffold: ``digest new`` writes a report with valid front matter and every section.

The new report is a draft (``draft: true``) so it is built only with ``--drafts`` until an
editor publishes it. When a report about the same encounter exists, its encounter facts are
copied, so reports about one encounter agree.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from pathlib import Path

from osce_digest.config import KEY_PATTERN
from osce_digest.export import to_data
from osce_digest.model import ReportSummary, Site

SECTIONS = (
    ("Background", "context"),
    ("What was on the agenda", "agenda"),
    ("Key moments", "moments"),
    ("Areas of disagreement", "disagreements"),
    ("Potential areas of cooperation", "cooperation"),
    ("Broader implications", "implications"),
    ("Looking ahead", "outlook"),
)
"""Every section heading a new report gets, with its explicit kind."""


class ScaffoldRefused(Exception):
    """The report cannot be created (it exists, or the title gives no usable slug)."""


def slug_for(title: str) -> str:
    """A file-name slug from a title: ASCII letters, digits and hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    slug = "-".join(words)[:80].strip("-")
    if not KEY_PATTERN.fullmatch(slug):
        raise ScaffoldRefused(f"the title {title!r} gives no usable file name; use --slug")
    return slug


def new_report(
    root: Path,
    site: Site | None,
    title: str,
    encounter_id: str,
    day: dt.date,
    slug: str | None = None,
) -> Path:
    """Write content/reports/<slug>.md and return its path; never overwrites."""
    slug = slug or slug_for(title)
    if not KEY_PATTERN.fullmatch(slug):
        raise ScaffoldRefused(f"'{slug}' is not a valid slug (lower-case letters, digits, hyphens)")
    if not KEY_PATTERN.fullmatch(encounter_id):
        raise ScaffoldRefused(f"'{encounter_id}' is not a valid encounter id")
    path = root / "content" / "reports" / f"{slug}.md"
    if path.exists():
        raise ScaffoldRefused(f"{path.relative_to(root)} already exists; choose another title")
    known = _encounter(site, encounter_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as out:  # "x": never replace a file
        out.write(_text(title, encounter_id, day, known, site))
    return path


def _encounter(site: Site | None, encounter_id: str) -> ReportSummary | None:
    """The newest report about the encounter, whose facts and their sources are copied."""
    if site is None:
        return None
    for report in site.reports:
        if report.meta.encounter.id == encounter_id:
            return report
    return None


def _text(
    title: str, encounter_id: str, day: dt.date, earlier: ReportSummary | None, site: Site | None
) -> str:
    q = json.dumps  # a JSON string is a valid YAML scalar, quoted and escaped
    lines = ["---", f"title: {q(title, ensure_ascii=False)}", f"date: {day.isoformat()}"]
    lines.append("draft: true")
    authors = list(site.meta.authors)[:1] if site else []
    if authors:
        lines.append(f"authors: [{authors[0]}]")
    lines += ["summary: null", "encounter:", f"  id: {encounter_id}"]
    known = earlier.meta.encounter if earlier else None
    copied: list[str] = []
    if known is None:
        lines += [
            f"  name: {q(encounter_id)}  # the encounter's name",
            f"  start: {day.isoformat()}",
            "  kind: bilateral  # bilateral | pull-aside | call | co-attendance | summit",
            "  direct_contact: null  # true only when a source reports an exchange",
            "  participants: []  # keys in content/actors.yaml",
        ]
    else:
        lines += [f"  name: {q(known.name, ensure_ascii=False)}", f"  start: {known.start}"]
        if known.end:
            lines.append(f"  end: {known.end}")
        if known.venue:
            lines.append(f"  venue: {known.venue}")
        if known.place:
            lines.append(f"  place: {_flow(to_data(known.place))}")
        lines += [
            f"  kind: {known.kind}",
            f"  direct_contact: {json.dumps(known.direct_contact)}",
            f"  participants: [{', '.join(known.participants)}]",
        ]
        if known.sources:
            lines.append(f"  sources: [{', '.join(known.sources)}]")
        own = {s.id: s for s in earlier.meta.sources} if earlier else {}
        copied = [_flow(to_data(own[i])) for i in known.sources if i in own]
    if copied:
        lines += ["sources:", *(f"  - {entry}" for entry in copied)]
    else:
        lines.append("sources: []  # - {id: ..., title: ..., publisher: ..., kind: ..., url: ...}")
    lines += ["---", ""]
    for heading, kind in SECTIONS:
        lines += [f"## {heading} {{#{kind}}}", ""]
    return "\n".join(lines)


def _flow(data: dict[str, object]) -> str:
    """A YAML flow mapping (JSON syntax is valid YAML) without empty values."""
    return json.dumps({k: v for k, v in data.items() if v is not None}, ensure_ascii=False)
