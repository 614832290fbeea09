"""Sentences: split plain text into sentences for claim classification.

Pure text, no markup. Survives abbreviations ("U.S.", "Mr.", "e.g."), initials, decimal
numbers and quotations that end a sentence ("... escalation." Then ...).
"""

from __future__ import annotations

import re

_ALWAYS = frozenset(
    """mr mrs ms dr prof gen sen rep gov st jr sr vs etc e.g i.e cf approx dept inc ltd co
    corp amb pres lt col capt cmdr adm maj sgt rev hon u.s u.k u.n e.u u.s.a d.c""".split()
)
"""Abbreviations after which a full stop never ends a sentence."""

_BEFORE_NUMBER = frozenset(
    "no nos art fig p pp vol jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
"""Abbreviations that do not end a sentence when a number follows ("No. 5", "Dec. 6")."""

_END = re.compile(
    r"""(?P<stop>[.!?\u2026]+)          # the full stop, ?, ! or an ellipsis
        (?P<close>["'\u201d\u2019)\]]*)  # closing quotes or brackets
        (?P<space>\s+)
        (?=(?P<next>["'\u201c\u2018(\[]*[A-Z0-9\u00C0-\u024F]))""",
    re.VERBOSE,
)
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def sentence_starts(text: str) -> list[int]:
    """Offsets in ``text`` where a sentence begins, the first sentence's start included.

    Linear in the text: quotes are counted as the scan goes, never from the start again.
    """
    starts = []
    first = len(text) - len(text.lstrip())
    if first < len(text):
        starts.append(first)
    quotes = _Quotes(text)
    for match in _END.finditer(text):
        if match.group("stop") == "." and not _ends_sentence(text, match):
            continue
        if quotes.inside(match):
            continue
        start = match.end("space")
        if start < len(text):
            starts.append(start)
    return starts


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, stripped."""
    starts = sentence_starts(text)
    if not starts:
        return []
    ends = [*starts[1:], len(text)]
    return [text[a:b].strip() for a, b in zip(starts, ends, strict=True) if text[a:b].strip()]


class _Quotes:
    """Running counts of quotation marks up to the current full stop."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.position = 0
        self.opened = self.closed = self.straight = 0

    def inside(self, match: re.Match[str]) -> bool:
        """Whether the stop falls inside a quotation that closes later in the paragraph."""
        end = match.start()
        self.opened += self.text.count("\u201c", self.position, end)
        self.closed += self.text.count("\u201d", self.position, end)
        self.straight += self.text.count('"', self.position, end)
        self.position = end
        if match.group("close"):
            return False
        rest = self.text[match.end() : match.end() + 600]
        curly_open = self.opened > self.closed and "\u201d" in rest
        return curly_open or (self.straight % 2 == 1 and '"' in rest)


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    """Whether a single full stop ends a sentence, judging by the word before it."""
    if match.group("close"):
        return True
    stop = match.start("stop")
    before = _WORD_BEFORE.search(text, max(0, stop - 40), stop)  # a window: linear overall
    if before is None:
        return True
    word = before.group(1).lower().rstrip(".")
    if word in _ALWAYS:
        return False
    if len(word) == 1 and word.isalpha() and text[before.start()].isupper():
        return False  # an initial: "J. Smith"
    return not (word in _BEFORE_NUMBER and match.group("next")[-1].isdigit())
