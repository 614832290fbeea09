"""Sections: turn a parsed report body into the section model.

Headings ``##`` open sections (kind from ``{#id}`` or the alias table), ``###`` open
items (with a trailing attribute list), bold ``**Party:**`` lead-ins in disagreements are
positions, and every sentence becomes a classified :class:`Claim`. Body positions are
reported in the file's line numbering.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from osce_digest import markdown as md_
from osce_digest.diagnostics import Diagnostic, close_guess, did_you_mean, error, warning
from osce_digest.evidence import Classifier, badge_label, badge_title, weakest
from osce_digest.model import (
    SECTION_KINDS,
    ActorMeta,
    Block,
    Claim,
    Evidence,
    Item,
    Link,
    Section,
    SourceMeta,
    TopicMeta,
)

DEFAULT_SECTION_ALIASES: dict[str, str] = {
    "key moments": "moments",
    "takeaways": "moments",
    "agenda": "agenda",
    "disagreement": "disagreements",
    "disagreements": "disagreements",
    "points of contention": "disagreements",
    "cooperation": "cooperation",
    "co-operation": "cooperation",
    "common ground": "cooperation",
    "implications": "implications",
    "consequences": "implications",
    "conclusion": "outlook",
    "looking ahead": "outlook",
    "outlook": "outlook",
    "what next": "outlook",
    "background": "context",
    "context": "context",
}
"""Heading words to section kinds; site.yaml ``section_aliases`` adds to (and wins over) these."""

_ATTRS = re.compile(r"\s*\{([^{}]*)\}\s*$")
_ATTR = re.compile(
    r"""\s*(?:
        \#(?P<id>[A-Za-z][\w-]*)
      | \.(?P<cls>[^\s#.=]+)
      | (?P<key>[A-Za-z_][\w-]*)=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"']+))
    )""",
    re.VERBOSE,
)
_SLUG_DROP = re.compile(r"[^\w\s-]")


@dataclass(frozen=True, slots=True)
class HeadingParts:
    """A heading split into its title and attribute list."""

    title: str
    """Heading text without the attribute list."""
    anchor: str | None
    """The ``#id``, if given."""
    attrs: dict[str, str] = field(default_factory=dict)
    """``key=value`` attributes (``.class`` entries under "class")."""


@dataclass
class BodyContext:
    """What turning one body into sections needs; built per report by ``load.py``."""

    file: str
    """Report path for diagnostics."""
    line_offset: int
    """Lines before the body in the file."""
    parser: MarkdownIt
    """The markdown parser."""
    classifier: Classifier
    """The evidence classifier."""
    topics: Mapping[str, TopicMeta]
    """Topic vocabulary."""
    actors: Mapping[str, ActorMeta]
    """Actor vocabulary."""
    sources: Mapping[str, SourceMeta]
    """Every source the report may cite, by id."""
    aliases: Mapping[str, str]
    """Heading words to section kinds."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    """Collected problems."""
    anchors: set[str] = field(default_factory=set)
    """Anchors used so far in the report."""
    links: list[Link] = field(default_factory=list)
    """Every link of the body, in order."""
    explicit: set[str] = field(default_factory=set)
    """Every ``{#id}`` the report gives; generated anchors avoid them."""
    citations: dict[str, int] = field(default_factory=dict)
    """Source id to citation number, in order of first citation."""
    lines: list[str] = field(default_factory=list)
    """The body's lines, for columns."""
    parties: Mapping[str, str] = field(default_factory=dict)
    """Lower-cased actor names and aliases to actor keys, for positions' parties."""
    unchecked: frozenset[str] = frozenset()
    """Vocabularies whose file could not be read; keys are not checked against them."""

    def column(self, line: int, text: str) -> int:
        """1-based column of ``text`` in a body line (the line's indent when not found)."""
        source = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        found = source.find(text) if text else -1
        return found + 1 if found >= 0 else len(source) - len(source.lstrip()) + 1


def parse_heading(text: str) -> tuple[HeadingParts, str | None]:
    """Split ``Title {#id key="v"}``; the second value is an error message, if any."""
    match = _ATTRS.search(text)
    if match is None:
        return HeadingParts(text.strip(), None), None
    inner = match.group(1)
    anchor: str | None = None
    attrs: dict[str, str] = {}
    position = 0
    while position < len(inner.rstrip()):
        part = _ATTR.match(inner, position)
        if part is None:
            near = inner[position:].strip()
            return HeadingParts(text[: match.start()].strip(), None), (
                f"cannot read the attribute list {{{inner}}} near '{near}'"
            )
        if part.group("id"):
            anchor = part.group("id")
        elif part.group("cls"):
            attrs["class"] = (attrs.get("class", "") + " " + part.group("cls")).strip()
        else:
            value = next(
                v for v in (part.group("dq"), part.group("sq"), part.group("bare")) if v is not None
            )
            attrs[part.group("key")] = value
        position = part.end()
    return HeadingParts(text[: match.start()].strip(), anchor, attrs), None


def slugify(text: str) -> str:
    """A URL fragment for a heading: lower case, words joined by hyphens."""
    words = _SLUG_DROP.sub("", text.lower().replace("\u2019", "")).split()
    return "-".join("-".join(words).split("_")).strip("-")[:80] or "section"


def section_kind(title: str, anchor: str | None, aliases: Mapping[str, str]) -> tuple[str, bool]:
    """The kind of a ``##`` section and whether it was given explicitly."""
    if anchor in SECTION_KINDS:
        return anchor, True
    normal = " ".join(re.sub(r"[^\w\s'-]", " ", title.lower()).split())
    for phrase in sorted(aliases, key=lambda p: -len(p)):
        if re.search(rf"(?<![\w-]){re.escape(phrase.lower())}(?![\w-])", normal):
            return aliases[phrase], False
    return "other", False


def build_sections(
    blocks: list[md_.Heading | md_.Chunk], ctx: BodyContext
) -> tuple[tuple[Block, ...], tuple[Section, ...]]:
    """The lede and sections of a body."""
    _number_citations(blocks, ctx)
    for block in blocks:
        if isinstance(block, md_.Heading):
            anchor = parse_heading(block.text)[0].anchor
            if anchor is not None:
                ctx.explicit.add(anchor)
    lede: list[Block] = []
    sections: list[Section] = []
    current: _OpenSection | None = None
    for block in blocks:
        if isinstance(block, md_.Heading) and block.level == 2:
            if current is not None:
                sections.append(current.close(ctx))
            current = _open_section(block, ctx)
        elif isinstance(block, md_.Heading) and block.level == 3:
            if current is None:
                ctx.diagnostics.append(
                    warning(
                        ctx.file,
                        block.line + ctx.line_offset,
                        1,
                        "item-outside-section",
                        "a ### item before the first ## section is shown as part of the lede",
                        "put a ## section heading above it",
                    )
                )
                lede.append(_heading_block(block, ctx))
                continue
            current.open_item(block, ctx)
        elif isinstance(block, md_.Heading):
            if block.level == 1:
                ctx.diagnostics.append(
                    warning(
                        ctx.file,
                        block.line + ctx.line_offset,
                        1,
                        "title-heading",
                        "a # heading in the body is shown as a lesser heading: the page's "
                        "title comes from title: in the front matter",
                        "make it a ## section, or remove it if it repeats the title",
                    )
                )
            target = lede if current is None else current.blocks()
            target.append(_heading_block(block, ctx))
        else:
            in_disagreement = current is not None and current.kind == "disagreements"
            built = _block(
                block, ctx, positions=in_disagreement and current is not None and current.has_item()
            )
            (lede if current is None else current.blocks()).append(built)
    if current is not None:
        sections.append(current.close(ctx))
    return tuple(lede), tuple(sections)


@dataclass
class _OpenItem:
    heading: HeadingParts
    anchor: str
    line: int
    blocks: list[Block] = field(default_factory=list)


@dataclass
class _OpenSection:
    kind: str
    explicit: bool
    heading: HeadingParts
    anchor: str
    line: int
    own: list[Block] = field(default_factory=list)
    items: list[_OpenItem] = field(default_factory=list)

    def blocks(self) -> list[Block]:
        return self.items[-1].blocks if self.items else self.own

    def has_item(self) -> bool:
        return bool(self.items)

    def open_item(self, heading: md_.Heading, ctx: BodyContext) -> None:
        parts = _heading_parts(heading, ctx)
        self.items.append(_OpenItem(parts, _anchor(parts, heading.line, ctx), heading.line))

    def close(self, ctx: BodyContext) -> Section:
        return Section(
            kind=self.kind,
            title=self.heading.title,
            anchor=self.anchor,
            line=self.line + ctx.line_offset,
            blocks=tuple(self.own),
            items=tuple(_close_item(item, ctx) for item in self.items),
            explicit_kind=self.explicit,
            attrs=dict(self.heading.attrs),
        )


def _open_section(heading: md_.Heading, ctx: BodyContext) -> _OpenSection:
    parts = _heading_parts(heading, ctx)
    kind, explicit = section_kind(parts.title, parts.anchor, ctx.aliases)
    return _OpenSection(kind, explicit, parts, _anchor(parts, heading.line, ctx), heading.line)


ITEM_ATTRIBUTES = ("topics", "evidence", "sources", "no_public_statement")
"""What a ``###`` item's attribute list may set (and ``.class``)."""
SECTION_ATTRIBUTES = ("no_public_statement",)
"""What a ``##`` section's may set: a section without items is its own disagreement."""


def _heading_parts(heading: md_.Heading, ctx: BodyContext) -> HeadingParts:
    parts, problem = parse_heading(heading.text)
    known = {2: SECTION_ATTRIBUTES, 3: ITEM_ATTRIBUTES}.get(heading.level, ())
    for key in (k for k in parts.attrs if k != "class" and k not in known):
        if key in ITEM_ATTRIBUTES:
            message = f"{key}= is read on ### items only; on this heading it does nothing"
            hint = "move it to the ### items it belongs to"
        else:
            message = f"unknown attribute {key}= on a heading, so it does nothing"
            guess = close_guess(key, known or ITEM_ATTRIBUTES)
            hint = (guess + " " if guess else "") + (
                "a ### item takes topics=, evidence=, sources= and no_public_statement=; "
                "a ## section, no_public_statement="
            )
        ctx.diagnostics.append(
            warning(
                ctx.file,
                heading.line + ctx.line_offset,
                ctx.column(heading.line, key + "="),
                "unknown-attribute",
                message,
                hint,
            )
        )
    if problem:
        near = problem.rsplit(" near ", 1)[-1].strip("'")
        ctx.diagnostics.append(
            error(
                ctx.file,
                heading.line + ctx.line_offset,
                ctx.column(heading.line, near),
                "attribute-list",
                problem,
                'write it as {#anchor key="value"}, e.g. {#ukraine topics="ukraine"}',
            )
        )
    return parts


def _anchor(parts: HeadingParts, line: int, ctx: BodyContext) -> str:
    if parts.anchor is not None:
        if parts.anchor in ctx.anchors:
            ctx.diagnostics.append(
                error(
                    ctx.file,
                    line + ctx.line_offset,
                    1,
                    "duplicate-anchor",
                    f"the anchor #{parts.anchor} is used twice in this report",
                    "give each heading its own {#id}",
                )
            )
        ctx.anchors.add(parts.anchor)
        return parts.anchor
    base = slugify(parts.title)
    anchor, n = base, 2
    while anchor in ctx.anchors or anchor in ctx.explicit:
        anchor, n = f"{base}-{n}", n + 1
    ctx.anchors.add(anchor)
    return anchor


def _close_item(item: _OpenItem, ctx: BodyContext) -> Item:
    attrs = dict(item.heading.attrs)
    line = item.line + ctx.line_offset
    explicit_topics = tuple(t for t in re.split(r"[\s,]+", attrs.get("topics", "")) if t)
    for key in explicit_topics:
        if key not in ctx.topics and "topics" not in ctx.unchecked:
            ctx.diagnostics.append(
                error(
                    ctx.file,
                    line,
                    ctx.column(item.line, key),
                    "unknown-topic",
                    f"unknown topic '{key}' in topics=",
                    f"{did_you_mean(key, ctx.topics)}; topics are defined in content/topics.yaml",
                )
            )
    item_sources = tuple(s for s in re.split(r"[\s,]+", attrs.get("sources", "")) if s)
    for key in item_sources:
        if key not in ctx.sources and "sources" not in ctx.unchecked:
            ctx.diagnostics.append(
                error(
                    ctx.file,
                    line,
                    ctx.column(item.line, key),
                    "unknown-source",
                    f"sources= names no source '{key}'",
                    did_you_mean(key, ctx.sources),
                )
            )
    claims = [c for b in item.blocks for c in b.claims]
    evidence: Evidence | None = weakest(c.evidence for c in claims)
    if "evidence" in attrs:
        try:
            evidence = Evidence(attrs["evidence"])
        except ValueError:
            ctx.diagnostics.append(
                error(
                    ctx.file,
                    line,
                    ctx.column(item.line, "evidence="),
                    "unknown-evidence",
                    f'evidence="{attrs["evidence"]}" is not an evidence status',
                    f"use one of: {', '.join(e.value for e in Evidence)}",
                )
            )
    known = [t for t in explicit_topics if t in ctx.topics]
    topics = list(dict.fromkeys([*known, *(t for c in claims for t in c.topics)]))
    return Item(
        title=item.heading.title,
        anchor=item.anchor,
        line=line,
        blocks=tuple(item.blocks),
        topics=tuple(topics),
        evidence=evidence,
        sources=item_sources,
        attrs=attrs,
    )


def _number_citations(blocks: list[md_.Heading | md_.Chunk], ctx: BodyContext) -> None:
    for block in blocks:
        if not isinstance(block, md_.Chunk):
            continue
        if block.footnote_definition is not None:
            ctx.diagnostics.append(
                error(
                    ctx.file,
                    block.line + ctx.line_offset,
                    1,
                    "footnote-definition",
                    f"footnote text [^{block.footnote_definition}]: is not supported",
                    "list the source under 'sources:' in the front matter and cite it as "
                    f"[^{block.footnote_definition}]",
                )
            )
        for sentence in block.sentences:
            for label, col in sentence.citations:
                if label in ctx.sources:
                    ctx.citations.setdefault(label, len(ctx.citations) + 1)
                elif "sources" not in ctx.unchecked:
                    ctx.diagnostics.append(
                        error(
                            ctx.file,
                            sentence.line + ctx.line_offset,
                            col,
                            "unknown-source",
                            f"footnote [^{label}] names no source; "
                            f"{did_you_mean(label, ctx.sources)}",
                            "add it under 'sources:' in the front matter "
                            "or in content/sources.yaml",
                        )
                    )


def _block(chunk: md_.Chunk, ctx: BodyContext, *, positions: bool) -> Block:
    claims: list[Claim] = []
    badges: dict[int, md_.Badge] = {}
    for sentence in chunk.sentences:
        cited = tuple(
            dict.fromkeys(label for label, _ in sentence.citations if label in ctx.sources)
        )
        found = ctx.classifier.classify(sentence.text, bool(cited))
        claims.append(
            Claim(
                text=sentence.text,
                line=sentence.line + ctx.line_offset,
                col=sentence.col,
                evidence=found.evidence,
                topics=found.topics,
                sources=cited,
                term=found.term,
                hedges=found.hedges,
                attribution=found.attribution,
                confidence=found.confidence,
            )
        )
        badges[sentence.index] = md_.Badge(
            status=found.evidence.value,
            label=badge_label(found.evidence, found.term),
            title=badge_title(found.evidence, found.term, found.hedges, found.attribution),
        )
    ctx.links.extend(
        Link(href, line + ctx.line_offset, col, image) for href, line, col, image in chunk.links
    )
    if chunk.too_deep is not None:
        ctx.diagnostics.append(
            error(
                ctx.file,
                chunk.too_deep + ctx.line_offset,
                1,
                "nested-too-deep",
                "lists and quotes are nested too deep here (a quote counts one level, a list "
                f"two, at most {md_.MAX_NESTING - 1}): the page would leave out the text from "
                "here on",
                "nest fewer lists or quotes inside each other",
            )
        )
    if chunk.unclosed is not None:
        ctx.diagnostics.append(
            error(
                ctx.file,
                chunk.line + ctx.line_offset,
                1,
                "unclosed-fence",
                f"this code block ({chunk.unclosed}) is never closed, so the rest of the report "
                "is shown as code, headings and all",
                f"close it with {chunk.unclosed} on a line of its own",
            )
        )
    party = chunk.lead_in if positions else None
    return Block(
        html=md_.render(ctx.parser, [chunk], badges, ctx.citations),
        claims=tuple(claims),
        line=chunk.line + ctx.line_offset,
        party=party,
        party_key=ctx.parties.get(party.strip().lower()) if party else None,
    )


def _heading_block(heading: md_.Heading, ctx: BodyContext) -> Block:
    parts = _heading_parts(heading, ctx)
    anchor = _anchor(parts, heading.line, ctx)
    title = md_.render_inline_text(ctx.parser, parts.title, ctx.citations)
    return Block(
        html=f'<h{heading.level + 1} id="{html.escape(anchor, quote=True)}">'
        f"{title}</h{heading.level + 1}>\n",
        claims=(),
        line=heading.line + ctx.line_offset,
    )


def party_names(actors: Mapping[str, ActorMeta]) -> dict[str, str]:
    """Every name an actor goes by, lower-cased, to its key (the first actor wins)."""
    names: dict[str, str] = {}
    for key, actor in actors.items():
        for name in (key, actor.name, *actor.aliases):
            names.setdefault(name.strip().lower(), key)
    return names
