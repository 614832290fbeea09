"""Consistency: what several reports state together must agree.

Every report about an encounter repeats its facts (name, dates, venue, kind, participants,
place, direct contact, duration), and the encounter's page, the timeline and the listings
show one set of them. Where two reports disagree, the site would print one report's facts
beside another's text: an error at each fact of a later report that differs from the
earliest report about the encounter (the established record, and the one a new report's
typo departs from).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable

from osce_digest.diagnostics import Diagnostic, error
from osce_digest.frontmatter import Path_
from osce_digest.model import EncounterMeta, ReportSummary

Facts = dict[Path_, object]
"""An encounter's facts by their path under ``encounter:`` in the front matter."""

Located = tuple[int, int, bool]
Where = Callable[[ReportSummary, Path_], Located]
"""Where a front-matter path is in a report's file, and whether the file gives it: the
(line, col) of its value, or, for a value left to its default, of its mapping's key (the
fix goes inside)."""


def encounter_conflicts(reports: Iterable[ReportSummary], where: Where) -> list[Diagnostic]:
    """An error for each encounter fact a report gives differently from the earliest report
    about the same encounter (published before drafts, then by date, then file). ``where``
    locates the fact; it is called only for a conflict."""
    groups: dict[str, list[ReportSummary]] = defaultdict(list)
    for report in reports:
        groups[report.meta.encounter.id].append(report)
    found = []
    for key, group in groups.items():
        if len(group) < 2:
            continue
        # A draft never becomes the record: it is the one to agree with what is published.
        group.sort(key=lambda r: (r.meta.draft, r.meta.date, r.path))
        first, *later = group
        record = facts(first.meta.encounter)
        for report in later:
            for path, value in facts(report.meta.encounter).items():
                if path not in record or record[path] == value:
                    continue
                line, col, given = where(report, ("encounter", *path))
                there = _shown(record[path], where(first, ("encounter", *path))[2])
                name = ".".join(str(p) for p in path)
                found.append(
                    error(
                        report.path,
                        line,
                        col,
                        "encounter-conflict",
                        f"encounter '{key}': {name} {_shown(value, given)} here but "
                        f"{there} in {first.path}",
                        "reports about the same encounter must agree on its facts (its page "
                        "shows one set of them): correct the one that is wrong",
                    )
                )
    return found


def facts(meta: EncounterMeta) -> Facts:
    """The facts of an encounter that a report states. Optional ones a report leaves out
    are absent: leaving a fact out does not contradict a report that gives it. The end and
    the kind always count (no end is a one-day encounter, no kind a bilateral one: so the
    site shows it), and participants compare as a set."""
    stated: Facts = {
        ("name",): meta.name,
        ("start",): meta.start,
        ("end",): meta.end or meta.start,
        ("kind",): meta.kind,
    }
    optional: Facts = {
        ("venue",): meta.venue,
        ("participants",): frozenset(meta.participants) or None,
        ("direct_contact",): meta.direct_contact,
        ("duration",): meta.duration,
    }
    if meta.place is not None:
        place = meta.place
        optional[("place", "name")] = place.name
        optional[("place", "locality")] = place.locality
        optional[("place", "near")] = place.near
        optional[("place", "country")] = place.country
    stated.update({path: value for path, value in optional.items() if value is not None})
    return stated


def _shown(value: object, given: bool) -> str:
    """'is X', or for a fact left to its default 'is not given (so X)'."""
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, frozenset):
        text = "[" + ", ".join(sorted(value)) + "]"
    else:  # an invisible difference (a no-break space, a tab) is spelled out
        text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in str(value))
        text = f"'{text}'"
    return f"is {text}" if given else f"is not given (so {text})"
