"""Checks: the editorial rules, run in the load phase on every parsed report.

Each rule (see ``rules.py``) reads the section model and the report's front-matter
positions and returns diagnostics at its default severity; :func:`apply_overrides` then
re-grades or drops them as site.yaml ``checks:`` and a report's ``checks:`` say.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import replace
from urllib.parse import urlsplit

from osce_digest.diagnostics import Diagnostic, Severity, did_you_mean, error, warning
from osce_digest.frontmatter import YamlDoc
from osce_digest.model import Claim, Evidence, Lexicon, Report, ReportSummary
from osce_digest.rules import RULES_BY_ID, SEVERITIES

FACT_SECTIONS = ("agenda", "moments", "disagreements")
"""Sections that report what happened: facts there need sources."""

_BASIS = re.compile(r"\b(because|given|based on|since|in view of|on the basis of|as shown)\b", re.I)
_CONTACT = re.compile(
    r"""\b(?:meeting\s+between|met\s+(?:with|for|on\s+the\s+sidelines)|the\s+meeting\s+itself
        |talks\s+(?:between|with)|(?:their|a)\s+conversation|handshake|shook\s+hands
        |face[-\s]to[-\s]face|sat\s+down\s+with|spoke\s+(?:with|to)\s+each\s+other
        |(?:lasting|lasted|last)\s+(?:only\s+|just\s+|about\s+|some\s+)?
         (?:a\s+few|several|\d+|one|two|three|five|ten|fifteen|twenty|thirty|forty)\s+
         (?:minutes?|hours?))""",
    re.I | re.X,
)


def check_report(
    report: Report, doc: YamlDoc, lexicon: Lexicon, other_scales: Iterable[Lexicon], today: dt.date
) -> list[Diagnostic]:
    """Every per-report rule."""
    found: list[Diagnostic] = []
    found += _claims_rules(report)
    found += _scale_mixing(report, lexicon, other_scales)
    found += _disagreements(report)
    found += _encounter(report, doc)
    found += _sections(report)
    found += _sources(report, doc)
    found += _dates(report, doc, today)
    return found


def check_links(report: ReportSummary, pages: Mapping[str, AbstractSet[str]]) -> list[Diagnostic]:
    """Internal links to nothing, and images the page could not show from disk. ``pages``
    maps a section of the site to its keys, "#<slug>" to a report's fragment ids (none for
    a report that could not be read: those links are left unchecked), and
    "static" (when known) to the files of templates/static/."""
    found = []
    for link in report.links:
        target, _, fragment = link.href.partition("#")
        address = urlsplit(link.href)
        problem = None
        if link.image and (address.netloc or address.scheme not in ("", "data")):
            found.append(
                _diag(
                    "remote-image",
                    report.path,
                    link.line,
                    link.col,
                    f"image from another host: {link.href} (a reader's browser would fetch "
                    "it from there; the site makes no request to other hosts)",
                    "save the image in templates/static/ and write ![description](/static/"
                    "name.png), or link to it: [description](address)",
                )
            )
            continue
        if link.image and not address.scheme and not target.startswith("/"):
            problem = "an image address relative to the page finds nothing"
        elif target == "" and fragment and fragment not in report.anchors:
            problem = f"#{fragment} names no heading of this report"
        elif target.startswith("/") and not target.startswith("//"):
            problem = _site_link_problem(target, fragment, pages)
        if problem:
            found.append(
                _diag(
                    "broken-link",
                    report.path,
                    link.line,
                    link.col,
                    f"broken {'image' if link.image else 'link'} {link.href}: {problem}",
                    "put the image in templates/static/ and write /static/<name>"
                    if link.image
                    else "link to /reports/<slug>/, /topics/<key>/, /static/<file> or #anchor",
                )
            )
    return found


def check_overrides(checks: Mapping[str, object], doc: YamlDoc, file: str) -> list[Diagnostic]:
    """``checks:`` must name known rules and severities."""
    found = []
    for rule, level in checks.items():
        if rule not in RULES_BY_ID:
            line, col = doc.where(("checks", rule), key=True)
            found.append(
                error(
                    file,
                    line,
                    col,
                    "unknown-rule",
                    f"unknown check '{rule}'",
                    did_you_mean(rule, RULES_BY_ID),
                )
            )
        elif not isinstance(level, bool) and level not in SEVERITIES:
            line, col = doc.where(("checks", rule))
            found.append(
                error(
                    file,
                    line,
                    col,
                    "wrong-type",
                    f"checks.{rule} must be one of {', '.join(SEVERITIES)}",
                    f"write {rule}: off",
                )
            )
    return found


def valid_overrides(checks: Mapping[object, object]) -> dict[str, object]:
    """The entries of a ``checks:`` mapping that name a known rule and severity (those that
    ``check_overrides`` lets through), for a site.yaml with mistakes elsewhere."""
    return {
        rule: level
        for rule, level in checks.items()
        if isinstance(rule, str)
        and rule in RULES_BY_ID
        and (isinstance(level, bool) or level in SEVERITIES)
    }


def apply_overrides(
    diagnostics: Iterable[Diagnostic],
    site: Mapping[str, object],
    per_report: Mapping[str, Mapping[str, object]],
) -> list[Diagnostic]:
    """Re-grade or drop rule findings as site.yaml and each report's ``checks:`` say."""
    kept = []
    for d in diagnostics:
        if d.rule not in RULES_BY_ID:
            kept.append(d)
            continue
        own = per_report.get(d.file, {})
        level = _level(own[d.rule]) if d.rule in own else _level(site.get(d.rule))
        if level == "off":
            continue
        if level in ("error", "warning"):
            d = replace(d, severity=Severity(level))
        kept.append(d)
    return kept


def _level(value: object) -> str | None:
    """A ``checks:`` value as a severity; YAML reads a bare off as false and on as true."""
    if value is False:
        return "off"
    return value if isinstance(value, str) else None


def _diag(rule: str, file: str, line: int, col: int, message: str, hint: str = "") -> Diagnostic:
    make = error if RULES_BY_ID[rule].severity == "error" else warning
    return make(file, line, col, rule, message, hint)


def _claims_rules(report: Report) -> list[Diagnostic]:
    found = []
    for section in report.sections:
        for claim in section.claims:
            quote = _short(claim.text)
            if section.kind in FACT_SECTIONS and claim.evidence is Evidence.UNSOURCED:
                found.append(
                    _diag(
                        "unsourced-claim",
                        report.path,
                        claim.line,
                        claim.col,
                        f"unsourced claim in {section.kind}: {quote}",
                        "cite a source with [^id], attribute it, or label it as a judgment",
                    )
                )
            if claim.hedges and claim.term is None:
                found.append(
                    _diag(
                        "unlabelled-hedge",
                        report.path,
                        claim.line,
                        claim.col,
                        f"\u201c{claim.hedges[0]}\u201d hedges without a term of the "
                        f"scale: {quote}",
                        "say how likely it is (e.g. \u201clikely\u201d) and why, or "
                        "cut the sentence",
                    )
                )
            if claim.term is not None and not claim.sources and not _BASIS.search(claim.text):
                found.append(
                    _diag(
                        "judgment-without-basis",
                        report.path,
                        claim.line,
                        claim.col,
                        f"\u201c{claim.term.term}\u201d ({claim.term.band}) with no "
                        f"source and no stated basis: {quote}",
                        "cite the evidence or say what the judgment rests on",
                    )
                )
    return found


def _scale_mixing(
    report: Report, lexicon: Lexicon, other_scales: Iterable[Lexicon]
) -> list[Diagnostic]:
    found = []
    columns: dict[str, Claim] = {}
    own = {t.term for t in lexicon.terms}
    foreign = sorted(
        {t.term for other in other_scales for t in other.terms} - own, key=lambda t: -len(t)
    )
    foreign_re = (
        re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, foreign)) + r")(?![\w-])", re.I)
        if foreign
        else None
    )
    for claim in report.claims:
        if claim.term is not None:
            columns.setdefault(claim.term.column, claim)
            if len(columns) == 2 and columns[claim.term.column] is claim:
                other = next(c for k, c in columns.items() if k != claim.term.column)
                found.append(
                    _diag(
                        "scale-mixing",
                        report.path,
                        claim.line,
                        claim.col,
                        f"\u201c{claim.term.term}\u201d mixes the {claim.term.column} column with "
                        f"\u201c{other.term.term if other.term else ''}\u201d (line {other.line})",
                        f"use the terms of one column of {lexicon.scale_name}",
                    )
                )
            if claim.confidence:
                found.append(
                    _diag(
                        "scale-mixing",
                        report.path,
                        claim.line,
                        claim.col,
                        f"a likelihood (\u201c{claim.term.term}\u201d) and a confidence level "
                        f"(\u201c{claim.confidence}\u201d) in one sentence",
                        "state confidence in the basis separately from the probability",
                    )
                )
        match = foreign_re.search(claim.text) if foreign_re else None
        if match:
            found.append(
                _diag(
                    "scale-mixing",
                    report.path,
                    claim.line,
                    claim.col,
                    f"\u201c{match.group(1)}\u201d belongs to another estimative scale than "
                    f"{lexicon.scale_name}",
                    "use the site's scale (site.yaml scale:)",
                )
            )
    return found


def _disagreements(report: Report) -> list[Diagnostic]:
    found = []
    for section in report.sections:
        if section.kind != "disagreements":
            continue
        units = [(item.title, item.line, item.positions, item.attrs) for item in section.items]
        if not section.items:
            positions = tuple(b for b in section.blocks if b.party is not None)
            units = [(section.title, section.line, positions, section.attrs)]
        for title, line, positions, attrs in units:
            parties = {b.party_key or (b.party or "").lower() for b in positions}
            if len(parties) >= 2 or attrs.get("no_public_statement"):
                continue
            given = ", ".join(sorted({b.party or "" for b in positions}))
            found.append(
                _diag(
                    "one-sided-disagreement",
                    report.path,
                    line,
                    1,
                    f"\u201c{title}\u201d gives "
                    + (f"one party's position ({given})" if parties else "no party's position")
                    + "; a disagreement has two sides",
                    "add a **Party:** paragraph for the other side, or "
                    'no_public_statement="party" on the heading',
                )
            )
    return found


def _encounter(report: Report, doc: YamlDoc) -> list[Diagnostic]:
    found = []
    encounter = report.meta.encounter
    if encounter.direct_contact is False:
        for claim in report.claims:
            match = _CONTACT.search(claim.text)
            if match:
                found.append(
                    _diag(
                        "encounter-contradiction",
                        report.path,
                        claim.line,
                        claim.col,
                        f"\u201c{' '.join(match.group().split())}\u201d, but the encounter says "
                        f"direct_contact: false: {_short(claim.text)}",
                        "no source reports a direct exchange; say what the sources do support",
                    )
                )
    if encounter.duration and not encounter.sources:
        line, col = doc.where(("encounter", "duration"))
        found.append(
            _diag(
                "encounter-contradiction",
                report.path,
                line,
                col,
                f"the duration \u201c{encounter.duration}\u201d has no source",
                "name the sources of the encounter facts under encounter.sources",
            )
        )
    return found


def _sections(report: Report) -> list[Diagnostic]:
    found = []
    kinds = {s.kind for s in report.sections}
    for kind in ("agenda", "disagreements", "cooperation", "implications"):
        if kind not in kinds:
            found.append(
                _diag(
                    "missing-section",
                    report.path,
                    report.body_line,
                    1,
                    f"the report has no {kind} section",
                    f"add a ## heading with {{#{kind}}}, even to say there was none",
                )
            )
    for section in report.sections:
        if section.kind == "other":
            found.append(
                _diag(
                    "unknown-section",
                    report.path,
                    section.line,
                    1,
                    f"\u201c{section.title}\u201d is not a known kind of section",
                    "add {#agenda}, {#disagreements}, ... or a section_aliases entry in site.yaml",
                )
            )
    return found


def _sources(report: Report, doc: YamlDoc) -> list[Diagnostic]:
    found = []
    used = set(report.cited) | set(report.meta.encounter.sources)
    used |= {s for section in report.sections for item in section.items for s in item.sources}
    for index, source in enumerate(report.meta.sources):
        if source.id not in used:
            line, col = doc.where(("sources", index, "id"))
            found.append(
                _diag(
                    "source-unused",
                    report.path,
                    line,
                    col,
                    f"source {source.id} is listed but never cited",
                    f"cite it as [^{source.id}] or name it under encounter.sources",
                )
            )
        missing = [k for k in ("url", "publisher") if not getattr(source, k)]
        if missing:
            line, col = doc.where(("sources", index))
            found.append(
                _diag(
                    "source-incomplete",
                    report.path,
                    line,
                    col,
                    f"source {source.id} has no {' and no '.join(missing)}",
                    "readers must be able to find and weigh it",
                )
            )
    return found


def _dates(report: Report, doc: YamlDoc, today: dt.date) -> list[Diagnostic]:
    found = []
    meta = report.meta
    if meta.date < meta.encounter.start:
        line, col = doc.where(("date",))
        found.append(
            _diag(
                "date-order",
                report.path,
                line,
                col,
                f"the report is dated {meta.date}, before its encounter began "
                f"({meta.encounter.start})",
                "check both dates",
            )
        )
    for path, value in (
        (("date",), meta.date),
        (("updated",), meta.updated),
        (("encounter", "start"), meta.encounter.start),
    ):
        if value is not None and value > today:
            line, col = doc.where(path)
            found.append(
                _diag(
                    "date-order",
                    report.path,
                    line,
                    col,
                    f"{'.'.join(path)} {value} is in the future (today is {today})",
                    "check the year; drafts can say draft: true",
                )
            )
    return found


_LISTED = frozenset({"reports", "topics", "actors", "venues", "countries"})
"""The kinds of page with one page per key (``/topics/<key>/``)."""


def _site_link_problem(
    target: str, fragment: str, pages: Mapping[str, AbstractSet[str]]
) -> str | None:
    parts = [p for p in target.split("/") if p]
    if not parts:
        return None
    if parts[0] == "static":
        static = pages.get("static")
        name = "/".join(parts[1:])
        if static is None or name in static:
            return None
        return f"there is no file templates/static/{name}"
    if len(parts) == 1 and parts[0] in ("topics", "actors", "timeline", "methodology", "search"):
        return None
    if len(parts) == 2 and parts[0] in _LISTED and parts[0] not in pages:
        return None  # its vocabulary could not be read: checked once it is fixed
    if len(parts) == 2 and parts[0] in pages:
        if parts[1] not in pages[parts[0]]:
            return f"there is no {parts[0].rstrip('s')} '{parts[1]}'"
        anchors = pages.get("#" + parts[1]) if parts[0] == "reports" else None
        if fragment and anchors is not None and fragment not in anchors:
            return f"report {parts[1]} has no heading #{fragment}"
        return None
    return "no page of the site has this address"


def _short(text: str, limit: int = 90) -> str:
    return f"\u201c{text}\u201d" if len(text) <= limit else f"\u201c{text[: limit - 1]}\u2026\u201d"
