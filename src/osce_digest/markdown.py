"""Markdown: parse a report body into headings and content chunks, and render them.

The only module that imports markdown-it-py, mdit-py-plugins and Pygments. Every
paragraph is split into sentences here (at nesting depth 0, so emphasis and links are
never cut) and each sentence is wrapped in ``claim_open``/``claim_close`` tokens, so the
evidence display can mark exactly the text a claim covers. Citations are footnote
references whose label is a source id; they are rendered against the report's numbered
source list.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.footnote.index import footnote_ref
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from osce_digest.sentences import sentence_starts

_LEAD_IN = re.compile(r"\s*([^:*]{1,60}?)\s*:\s*$")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a paragraph, as the parser found it."""

    index: int
    """Number of the sentence in the document; the key of its evidence at render time."""
    text: str
    """Plain text."""
    line: int
    """1-based line in the body."""
    col: int
    """1-based column in that line."""
    citations: tuple[tuple[str, int], ...]
    """(label, column) of each ``[^label]`` it carries."""


@dataclass(frozen=True, slots=True)
class Heading:
    """A top-level heading."""

    level: int
    """1 to 6."""
    text: str
    """The heading's text, attribute list included."""
    line: int
    """1-based line in the body."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """A top-level block other than a heading: paragraph, list, table, code, quote."""

    tokens: tuple[Token, ...]
    """The block's tokens, opaque outside this module."""
    line: int
    """1-based line in the body."""
    sentences: tuple[Sentence, ...]
    """Every sentence inside, in order."""
    lead_in: str | None
    """For a paragraph opening with ``**Party:**``, the party."""
    footnote_definition: str | None = None
    """For a ``[^label]: text`` definition, its label (unsupported: sources go in front matter)."""
    links: tuple[tuple[str, int, int, bool], ...] = ()
    """(href, body line, column, whether it is an image's source) of every link inside."""
    too_deep: int | None = None
    """The body line of the first list item or quote nested past ``MAX_NESTING``, whose
    contents markdown-it leaves out; None when the block is within it."""
    unclosed: str | None = None
    """For a code block whose fence is never closed (it runs to the end of the body,
    headings and all), the fence."""


@dataclass(frozen=True, slots=True)
class Badge:
    """How one claim is shown: its evidence status and the words for it."""

    status: str
    """CSS token, e.g. "speculative"."""
    label: str
    """Short visible label."""
    title: str
    """Longer explanation for the tooltip."""


MAX_NESTING = 20
"""How deep markdown-it nests blocks (each list, list item and quote is a level); the
contents of a block opened at the last level are dropped, and ``Chunk.too_deep`` says
where."""

_CONTAINERS = frozenset(
    {"blockquote_open", "bullet_list_open", "ordered_list_open", "list_item_open"}
)


def make_parser(*, allow_html: bool) -> MarkdownIt:
    """The markdown parser for report bodies."""
    md = MarkdownIt(
        "commonmark",
        {"html": allow_html, "highlight": _Highlighter(), "maxNesting": MAX_NESTING},
    )
    md.enable(["table", "strikethrough"])
    footnote_plugin(md, inline=False, move_to_end=False, always_match_refs=True)
    # Citations are tried before links: reports cite on every other sentence, and the link
    # rule scanned each [^id] as a link label first (a seventh of the parse). The one
    # difference: "[^id](url)" is a citation followed by text, not a link labelled "^id".
    md.inline.ruler.disable("footnote_ref")
    md.inline.ruler.before("link", "citation", partial(footnote_ref, always_match=True))
    md.core.ruler.push("claims", _mark_claims)
    md.add_render_rule("claim_open", _render_claim_open)
    md.add_render_rule("claim_close", _render_claim_close)
    md.add_render_rule("footnote_ref", _render_citation)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("image", _render_image)
    return md


def parse(md: MarkdownIt, body: str) -> list[Heading | Chunk]:
    """Parse a body into top-level headings and chunks."""
    env: dict[str, Any] = {}
    tokens = md.parse(body, env)
    lines = body.split("\n")
    blocks: list[Heading | Chunk] = []
    index = 0
    while index < len(tokens):
        start = index
        depth = 0
        while True:
            depth += tokens[index].nesting
            index += 1
            if depth <= 0:
                break
        group = tokens[start:index]
        first = group[0]
        line = (first.map[0] + 1) if first.map else 1
        if first.type == "heading_open":
            blocks.append(Heading(int(first.tag[1]), group[1].content, line))
            continue
        blocks.append(_chunk(group, line, lines))
    return blocks


def render(
    md: MarkdownIt,
    chunks: Sequence[Chunk],
    badges: Mapping[int, Badge],
    citations: Mapping[str, int],
    root: str = "../../",
) -> str:
    """Render chunks to HTML, marking claims and numbering citations.

    Site-root links (``/topics/x/``) become relative to ``root``, the way back from the
    page the HTML lands on to the site root, so they work from disk and under a sub-path.
    """
    env = {"badges": badges, "citations": citations, "root": root}
    return "".join(md.renderer.render(list(c.tokens), md.options, env) for c in chunks)


def render_inline_text(
    md: MarkdownIt, text: str, citations: Mapping[str, int] | None = None
) -> str:
    """Render a line of inline markdown (titles, headings) without paragraphs."""
    rendered: str = md.renderInline(text, {"badges": {}, "citations": citations or {}})
    return rendered


def pygments_css() -> str:
    """The stylesheet for highlighted code, light and dark."""
    light: str = HtmlFormatter(style="default").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    dark: str = HtmlFormatter(style="monokai").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"


# --- parsing internals -------------------------------------------------------------------


def _chunk(group: list[Token], line: int, lines: list[str]) -> Chunk:
    sentences: list[Sentence] = []
    for token in _walk(group):
        if token.type == "claim_open":
            previous = sentences[-1] if sentences else None
            sentences.append(_locate(token.meta["sentence"], lines, previous))
    lead_in = _lead_in(group[1]) if group[0].type == "paragraph_open" and len(group) > 1 else None
    definition = group[0].meta.get("label") if group[0].type == "footnote_reference_open" else None
    too_deep = next(
        (
            t.map[0] + 1 if t.map else line
            for t in group
            if t.level >= MAX_NESTING - 1 and t.type in _CONTAINERS
        ),
        None,
    )
    return Chunk(
        tuple(group),
        line,
        tuple(sentences),
        lead_in,
        definition,
        _links(group, lines),
        too_deep,
        _unclosed_fence(group[0], lines),
    )


def _unclosed_fence(token: Token, lines: list[str]) -> str | None:
    """The fence of a top-level code block that is never closed (a fence inside a list or
    quote ends with it, and harms nothing else)."""
    if token.type != "fence" or token.level != 0 or not token.map:
        return None
    start, end = token.map
    last = lines[end - 1].strip() if end - 1 > start and end <= len(lines) else ""
    closed = len(last) >= len(token.markup) and set(last) == {token.markup[0]}
    return None if closed else token.markup


def _links(group: list[Token], lines: list[str]) -> tuple[tuple[str, int, int, bool], ...]:
    """Every link and image of a block with its line and the column of its target."""
    found = []
    for token in group:
        if token.type != "inline" or not token.children or not token.map:
            continue
        line = token.map[0] + 1
        for child in token.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type in ("link_open", "image"):
                image = child.type == "image"
                href = str(child.attrGet("src" if image else "href") or "")
                source = lines[line - 1] if 0 < line <= len(lines) else ""
                col = source.find(href) + 1 if href and href in source else 1
                found.append((href, line, col, image))
    return tuple(found)


def _walk(tokens: Sequence[Token]) -> list[Token]:
    """Tokens and their inline children, flattened in document order."""
    flat: list[Token] = []
    for token in tokens:
        flat.append(token)
        if token.children:
            flat.extend(_walk(token.children))
    return flat


def _lead_in(inline: Token) -> str | None:
    """The party of a ``**Party:** text`` paragraph (colon inside or after the bold)."""
    kinds = [c for c in inline.children or [] if c.type not in ("claim_open", "claim_close")]
    if len(kinds) < 3 or kinds[0].type != "strong_open" or kinds[1].type != "text":
        return None
    if kinds[2].type != "strong_close":
        return None
    label = kinds[1].content
    after = kinds[3].content if len(kinds) > 3 and kinds[3].type == "text" else ""
    if not label.rstrip().endswith(":") and after.startswith(":"):
        label += ":"
    match = _LEAD_IN.fullmatch(label)
    return match.group(1) if match else None


def _locate(sentence: Sentence, lines: list[str], previous: Sentence | None) -> Sentence:
    """Find the sentence's column, and its citations' columns, in the source line."""
    source = lines[sentence.line - 1] if 0 < sentence.line <= len(lines) else ""
    after = previous.col if previous is not None and previous.line == sentence.line else 0
    words = sentence.text.split()
    found = source.find(words[0], after) if words else -1
    col = found + 1 if found >= 0 else len(source) - len(source.lstrip()) + 1
    cites = tuple(
        (label, (source.find(f"[^{label}]", col - 1) + 1) or col) for label, _ in sentence.citations
    )
    return Sentence(sentence.index, sentence.text, sentence.line, col, cites)


def _mark_claims(state: StateCore) -> None:
    """Core rule: wrap each sentence of each paragraph in claim_open/claim_close."""
    counter: int = state.env.get("sentence_count", 0)
    for position, token in enumerate(state.tokens):
        if token.type != "inline" or position == 0 or not token.children:
            continue
        if state.tokens[position - 1].type != "paragraph_open":
            continue
        first_line = (token.map[0] + 1) if token.map else 1
        token.children, counter = _split_children(token.children, counter, first_line)
    state.env["sentence_count"] = counter


def _split_children(children: list[Token], counter: int, line: int) -> tuple[list[Token], int]:
    """Wrap each sentence of an inline run in claim tokens; returns the new run and counter."""
    spans: list[tuple[int, int]] = []  # plain-text (start, end) of each child
    depths: list[int] = []  # nesting depth each child opens at
    depth = 0
    offset = 0
    plain_parts: list[str] = []
    for child in children:
        depth += min(child.nesting, 0)
        text = _plain(child)
        spans.append((offset, offset + len(text)))
        depths.append(depth)
        plain_parts.append(text)
        offset += len(text)
        depth += max(child.nesting, 0)
    plain = "".join(plain_parts)
    cuts = [
        cut
        for start in sentence_starts(plain)[1:]
        if (cut := _cut_at(start, children, spans, depths)) is not None
    ]
    out: list[Token] = []
    for text, piece in _split_at(children, cuts):
        if text.strip():
            cites = tuple((c.meta.get("label", ""), 0) for c in piece if c.type == "footnote_ref")
            sentence = Sentence(counter, " ".join(text.split()), line, 1, cites)
            out.append(Token("claim_open", "span", 1, meta={"sentence": sentence}))
            out.extend(piece)
            out.append(Token("claim_close", "span", -1, meta={"sentence": sentence}))
            counter += 1
        else:
            out.extend(piece)  # whitespace between sentences stays outside claims
        line += sum(1 for c in piece if c.type in ("softbreak", "hardbreak"))
    return out, counter


def _cut_at(
    start: int, children: list[Token], spans: list[tuple[int, int]], depths: list[int]
) -> tuple[int, int] | None:
    """Where a sentence starting at plain offset ``start`` can be cut: (child, char offset).

    Inside text at depth 0; or, when the sentence opens with emphasis, a link or code, just
    before the opening tokens at depth 0. Never inside emphasis or a link.
    """
    for i, (a, b) in enumerate(spans):
        if not a <= start < b:
            continue
        if depths[i] == 0 and children[i].type in ("text", "code_inline"):
            return (i, start - a) if children[i].type == "text" else (i, 0)
        if start != a:
            return None
        j = i - 1
        while j >= 0 and children[j].nesting == 1 and spans[j][0] == spans[j][1] == start:
            if depths[j] == 0:
                return (j, 0)
            j -= 1
        return None
    return None


def _plain(child: Token) -> str:
    if child.type in ("text", "code_inline", "image"):
        return child.content
    if child.type in ("softbreak", "hardbreak"):
        return "\n"
    return ""


def _split_at(children: list[Token], cuts: list[tuple[int, int]]) -> list[tuple[str, list[Token]]]:
    """Cut the run before child i at character k for each (i, k); gaps become own pieces."""
    pieces: list[tuple[str, list[Token]]] = []
    texts: list[str] = []  # the piece being built, as parts (joined once: no quadratic copies)
    tokens: list[Token] = []
    pending = sorted(cuts, reverse=True)
    for index, child in enumerate(children):
        content = child.content if child.type == "text" else ""
        taken = 0
        while pending and pending[-1][0] == index:
            _, at = pending.pop()
            head = content[taken:at]
            if head:
                texts.append(head)
                tokens.append(_text_token(head, child))
            taken = at
            if tokens:
                pieces.append(("".join(texts), tokens))
            texts, tokens = [], []
        if child.type != "text":
            texts.append(_plain(child))
            tokens.append(child)
        elif content[taken:]:
            texts.append(content[taken:])
            tokens.append(_text_token(content[taken:], child))
    pieces.append(("".join(texts), tokens))
    result: list[tuple[str, list[Token]]] = []
    for text, tokens in pieces:
        body, gap = _trailing_gap(tokens)
        if body:
            result.append((text.rstrip(), body))
        if gap:
            result.append(("".join(_plain(t) for t in gap), gap))
    return result


def _trailing_gap(tokens: list[Token]) -> tuple[list[Token], list[Token]]:
    """Split trailing whitespace and line breaks off a sentence; they go between claims."""
    body = list(tokens)
    gap: list[Token] = []
    while body:
        last = body[-1]
        if last.type in ("softbreak", "hardbreak"):
            gap.insert(0, body.pop())
        elif last.type == "text" and last.content[-1:].isspace():
            kept = last.content.rstrip()
            gap.insert(0, _text_token(last.content[len(kept) :], last))
            body.pop()
            if kept:
                body.append(_text_token(kept, last))
                break
        else:
            break
    return body, gap


def _text_token(content: str, like: Token) -> Token:
    token = Token("text", "", 0, content=content)
    token.level = like.level
    return token


# --- rendering internals -----------------------------------------------------------------


class _Highlighter:
    """markdown-it's ``highlight`` option: Pygments HTML for fences with a known language.

    One formatter and one lexer per language serve every code block the parser meets;
    building them for each block (the formatter compiles its style table) was a twentieth
    of a report's parse.
    """

    def __init__(self) -> None:
        self._formatter = HtmlFormatter(nowrap=True)
        self._lexers: dict[str, Lexer | None] = {}

    def __call__(self, code: str, lang: str, _attrs: str) -> str:
        if not lang:
            return ""
        if lang not in self._lexers:
            try:
                self._lexers[lang] = get_lexer_by_name(lang)
            except ClassNotFound:
                self._lexers[lang] = None
        lexer = self._lexers[lang]
        if lexer is None:
            return ""
        body: str = highlight(code, lexer, self._formatter)
        name = html.escape(lang, quote=True)
        return f'<pre class="highlight"><code class="language-{name}">{body}</code></pre>\n'


def _render_claim_open(_self: Any, tokens: Sequence[Token], idx: int, _opts: Any, env: Any) -> str:
    sentence: Sentence = tokens[idx].meta["sentence"]
    badge: Badge | None = env["badges"].get(sentence.index)
    if badge is None:
        return '<span class="claim">'
    return (
        f'<span class="claim" data-evidence="{badge.status}" '
        f'title="{html.escape(badge.title, quote=True)}">'
    )


def _render_claim_close(_self: Any, tokens: Sequence[Token], idx: int, _opts: Any, env: Any) -> str:
    badge: Badge | None = env["badges"].get(tokens[idx].meta["sentence"].index)
    if badge is None:
        return "</span>"
    label = html.escape(badge.label)
    return f' <span class="ev-badge ev-{badge.status}">{label}</span></span>'


def _render_citation(_self: Any, tokens: Sequence[Token], idx: int, _opts: Any, env: Any) -> str:
    label = tokens[idx].meta.get("label", "")
    number = env["citations"].get(label)
    safe = html.escape(label, quote=True)
    if number is None:
        return f"[^{html.escape(label)}]"
    return (
        f'<sup class="cite"><a href="#source-{safe}" '
        f'aria-label="source {number}">[{number}]</a></sup>'
    )


def _render_link_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return _relative(tokens[idx], "href", env, lambda: self.renderToken(tokens, idx, options, env))


def _render_image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return _relative(tokens[idx], "src", env, lambda: self.image(tokens, idx, options, env))


def _relative(token: Token, attr: str, env: Any, render: Callable[[], str]) -> str:
    """``render()`` with the token's address attribute made relative (``_from_root``) for
    the moment, so the token itself stays as parsed."""
    address = str(token.attrGet(attr) or "")
    token.attrSet(attr, _from_root(address, env.get("root", "")))
    try:
        return render()
    finally:
        token.attrSet(attr, address)


def _from_root(href: str, root: str) -> str:
    """A site-root address (``/topics/x/``, ``/static/map.png``) as one relative to the page
    (``root`` leads from it to the site root); other addresses as they are."""
    if not href.startswith("/") or href.startswith("//"):
        return href
    path, _, fragment = href[1:].partition("#")
    if path == "" or path.endswith("/"):
        path += "index.html"
    return root + path + (f"#{fragment}" if fragment else "")
