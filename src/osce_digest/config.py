"""Config: read site.yaml, the vocabularies (topics, actors, venues, sources) and the lexicon.

With ``frontmatter.py`` the only module that touches YAML. Every file is checked against
its ``*Meta`` dataclass; problems come back as diagnostics, never as defaults.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from osce_digest.checks import check_overrides, valid_overrides
from osce_digest.diagnostics import Diagnostic, close_guess, error, warning
from osce_digest.discover import SourceFile
from osce_digest.frontmatter import YamlDoc, parse_yaml
from osce_digest.model import (
    SECTION_KINDS,
    ActorMeta,
    Lexicon,
    ScaleTerm,
    SiteMeta,
    SourceMeta,
    TopicMeta,
    VenueMeta,
)
from osce_digest.schema import Checker

T = TypeVar("T")

KEY_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")
"""Keys and slugs: lower-case letters, digits and inner hyphens; safe in URLs and paths."""


@dataclass(frozen=True, slots=True)
class Vocabularies:
    """The controlled vocabularies of a site, keyed, in file order."""

    topics: dict[str, TopicMeta]
    """topics.yaml."""
    actors: Mapping[str, ActorMeta]
    """actors.yaml (a report's parse sees a table that notes what it reads)."""
    venues: Mapping[str, VenueMeta]
    """venues.yaml."""
    sources: Mapping[str, SourceMeta]
    """sources.yaml (optional)."""
    broken: frozenset[str] = frozenset()
    """Vocabularies ("topics", "actors", ...) whose file could not be read, or has errors:
    not checked against (an entry left out would make every reference to it an error)."""


def readable_checks(file: SourceFile | None) -> dict[str, Any]:
    """The valid entries of site.yaml's ``checks:`` when the file has mistakes elsewhere (a
    wrong type under another key): the reports are graded as the editor asked while the
    rest is fixed. Nothing from a file that cannot be parsed."""
    if file is None or file.text is None:
        return {}
    doc, _ = parse_yaml(file.text, file.rel)
    data = doc.data if doc is not None else None
    checks = data.get("checks") if isinstance(data, dict) else None
    return valid_overrides(checks) if isinstance(checks, dict) else {}


def load_site_meta(file: SourceFile | None) -> tuple[SiteMeta | None, list[Diagnostic]]:
    """Parse and check content/site.yaml."""
    if file is None:
        return None, [
            error(
                "content/site.yaml",
                0,
                0,
                "missing-file",
                "content/site.yaml is missing",
                "create it with at least 'title:'; see README.md",
            )
        ]
    assert file.text is not None  # only reports' texts are ever let go
    doc, diagnostics = parse_yaml(file.text, file.rel)
    if doc is None:
        return None, diagnostics
    checker = Checker(doc, file.rel, {(): "site.yaml"})
    meta = checker.build(SiteMeta, doc.data, ())
    diagnostics += checker.diagnostics
    if meta is not None and meta.base_url and not is_site_address(meta.base_url):
        line, col = doc.where(("base_url",))
        diagnostics.append(
            error(
                file.rel,
                line,
                col,
                "invalid-value",
                f"base_url '{meta.base_url}' is not an http(s) address",
                "write the address the site is published at, e.g. https://digest.example.org/, "
                "or leave it empty",
            )
        )
    if meta is not None:
        diagnostics += check_overrides(meta.checks, doc, file.rel)
        for key, author in meta.authors.items():
            diagnostics += field_problems(author, ("authors", key), doc, file.rel)
        try:
            ZoneInfo(meta.timezone)
        except (ValueError, ZoneInfoNotFoundError):
            line, col = doc.where(("timezone",))
            diagnostics.append(
                error(
                    file.rel,
                    line,
                    col,
                    "unknown-timezone",
                    f"unknown time zone '{meta.timezone}'",
                    "use an IANA name such as Europe/Brussels or UTC",
                )
            )
            meta = None
    if meta is not None:
        diagnostics += _site_values(meta, doc, file.rel)
    if meta is not None and meta.scale not in lexicon_scales():
        line, col = doc.where(("scale",))
        diagnostics.append(
            error(
                file.rel,
                line,
                col,
                "unknown-scale",
                f"unknown estimative scale '{meta.scale}'",
                f"use one of: {', '.join(lexicon_scales())}",
            )
        )
        meta = None
    return meta, diagnostics


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
"""The shape of a BCP 47 language tag ("en", "en-GB", "sr-Latn")."""


def _site_values(meta: SiteMeta, doc: YamlDoc, file: str) -> list[Diagnostic]:
    """site.yaml values whose type is right and whose value is not: the language tag
    (every page's lang=) and the section kinds section_aliases maps phrases to."""
    found = []
    if not _LANGUAGE_TAG.fullmatch(meta.language):
        line, col = doc.where(("language",))
        found.append(
            error(
                file,
                line,
                col,
                "invalid-value",
                f"language '{meta.language}' is not a language tag",
                "write a BCP 47 tag such as en, en-GB or fr",
            )
        )
    for phrase, kind in meta.section_aliases.items():
        if kind not in SECTION_KINDS:
            line, col = doc.where(("section_aliases", phrase))
            found.append(
                error(
                    file,
                    line,
                    col,
                    "invalid-value",
                    f"section_aliases maps '{phrase}' to '{kind}', which is not a section kind",
                    _guess(kind, SECTION_KINDS) + "the kinds are " + ", ".join(SECTION_KINDS),
                )
            )
    return found


def _guess(name: str, known: tuple[str, ...]) -> str:
    """A "did you mean" and a semicolon, when one is close; else nothing."""
    guess = close_guess(name, known)
    return f"{guess}; " if guess else ""


def load_list(
    file: SourceFile | None, cls: type[T], key: str = "key"
) -> tuple[dict[str, T] | None, list[Diagnostic]]:
    """Parse a YAML list of mappings into entries keyed by their ``key`` (or ``id``).

    None when the file cannot be read as a list at all: references into it are then not
    checked, so one broken file does not bury its own error under knock-on ones.
    """
    if file is None:
        return {}, []
    assert file.text is not None  # only reports' texts are ever let go
    doc, diagnostics = parse_yaml(file.text, file.rel)
    if doc is None:
        return None, diagnostics
    if doc.data is None:
        return {}, diagnostics
    if not isinstance(doc.data, list):
        line, col = doc.where(())
        return None, [
            *diagnostics,
            error(
                file.rel,
                line,
                col,
                "wrong-type",
                "this file must be a YAML list of entries ('- key: ...')",
            ),
        ]
    names: dict[tuple[str | int, ...], str] = {}
    for index, data in enumerate(doc.data):
        label = data.get(key) if isinstance(data, dict) else None
        names[(index,)] = f"the entry '{label}'" if isinstance(label, str) else f"entry {index + 1}"
    checker = Checker(doc, file.rel, names)
    entries: dict[str, T] = {}
    for index, data in enumerate(doc.data):
        entry = checker.build(cls, data, (index,))
        if entry is None:
            continue
        name = getattr(entry, key)
        line, col = doc.where((index, key))
        if not KEY_PATTERN.fullmatch(name):
            diagnostics.append(
                error(
                    file.rel,
                    line,
                    col,
                    "invalid-key",
                    f"'{name}' is not a valid {key}",
                    "use lower-case letters, digits and hyphens, e.g. 'arms-control'",
                )
            )
        elif name in entries:
            diagnostics.append(
                error(
                    file.rel,
                    line,
                    col,
                    "duplicate-key",
                    f"{key} '{name}' is defined twice",
                    "keep one entry",
                )
            )
        else:
            entries[name] = entry
            diagnostics += field_problems(entry, (index,), doc, file.rel)
    return entries, diagnostics + checker.diagnostics


def field_problems(
    entry: object, path: tuple[str | int, ...], doc: YamlDoc, file: str
) -> list[Diagnostic]:
    """Values that become URLs or paths must have their expected form."""
    found = []
    if isinstance(entry, ActorMeta) and entry.kind not in ACTOR_KINDS:
        line, col = doc.where((*path, "kind"))
        found.append(
            error(
                file,
                line,
                col,
                "invalid-value",
                f"kind '{entry.kind}' is not one of {', '.join(ACTOR_KINDS)}",
                _guess(entry.kind, ACTOR_KINDS) + "an actor is a person, a state or an "
                "organization",
            )
        )
    if isinstance(entry, SourceMeta) and entry.kind not in (None, *SOURCE_KINDS):
        line, col = doc.where((*path, "kind"))
        found.append(
            warning(
                file,
                line,
                col,
                "unknown-source-kind",
                f"source kind '{entry.kind}' is not one of {', '.join(SOURCE_KINDS)}",
                _guess(entry.kind, SOURCE_KINDS) + "a kind of your own is printed as written; "
                "silence this with checks: {unknown-source-kind: off}",
            )
        )
    for name, pattern, what in _FIELD_FORMS:
        value = getattr(entry, name, None)
        if isinstance(value, str) and not pattern.fullmatch(value):
            line, col = doc.where((*path, name))
            found.append(
                error(
                    file,
                    line,
                    col,
                    "invalid-value",
                    f"{name} '{value}' is not {what}",
                    _FIELD_HINTS[name],
                )
            )
    return found


ACTOR_KINDS = ("person", "state", "organization")
"""What an entry of actors.yaml can be."""

SOURCE_KINDS = ("transcript", "readout", "official", "wire", "press", "analysis")
"""The kinds of source the content contract names (another is a warning: it may be a typo)."""

_FIELD_FORMS = (
    ("url", re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE), "an http(s) address"),
    ("country", re.compile(r"[A-Z]{2}"), "an ISO 3166-1 alpha-2 code"),
    ("wikidata", re.compile(r"Q[1-9][0-9]*"), "a Wikidata id"),
)
_FIELD_HINTS = {
    "url": "write the full address, starting with https://",
    "country": "use two capital letters, e.g. RU for Russia",
    "wikidata": "write the item's id, e.g. Q159",
}


def is_site_address(text: str) -> bool:
    """Whether ``text`` can be the address a site is published at: http(s), with a host."""
    return bool(_SITE_ADDRESS.fullmatch(text))


_SITE_ADDRESS = re.compile(r"https?://[^\s/<>\"?#]+(/[^\s<>\"?#]*)?", re.IGNORECASE)


def lexicon_scales() -> tuple[str, ...]:
    """Keys of the estimative scales in the package lexicon."""
    return tuple(_lexicon_data()["scales"])


def load_lexicon(scale: str) -> Lexicon:
    """The package lexicon with the terms of one estimative scale."""
    data = _lexicon_data()
    spec = data["scales"][scale]
    terms = [
        ScaleTerm(term=word, band=row["band"], low=row["low"], high=row["high"], column=column)
        for row in spec["rows"]
        for column in ("term", "synonym")
        for word in row[column]
    ]
    terms.sort(key=lambda t: (-len(t.term), t.term))
    return Lexicon(
        scale=scale,
        scale_name=spec["name"],
        scale_url=spec["url"],
        terms=tuple(terms),
        hedges=tuple(sorted(data["hedges"], key=lambda h: (-len(h), h))),
        attributions=tuple(sorted(data["attributions"], key=lambda a: (-len(a), a))),
        confidence=tuple(data["confidence"]),
    )


def _lexicon_data() -> dict[str, Any]:
    text = resources.files("osce_digest").joinpath("data/lexicon.yaml").read_text("utf-8")
    doc, diagnostics = parse_yaml(text, "osce_digest/data/lexicon.yaml")
    if doc is None or diagnostics:  # a broken package file is a bug, not an editor's error
        raise RuntimeError(f"package lexicon is invalid: {diagnostics}")
    data: dict[str, Any] = doc.data
    return data
