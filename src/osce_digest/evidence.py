"""Evidence: classify each sentence as confirmed, reported, assessed, speculative or unsourced.

The rules are DESIGN.md 3.3, and the words come from the lexicon (package data, chosen
by site.yaml ``scale:``), so the methodology page and the classifier read the same data.
A :class:`Classifier` is compiled once per build from the lexicon and the topics.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from osce_digest.model import EVIDENCE_ORDER, Evidence, Lexicon, ScaleTerm, TopicMeta

DESCRIPTIONS: dict[Evidence, str] = {
    Evidence.CONFIRMED: "Cites a source and states it without hedging.",
    Evidence.REPORTED: "Attributed to someone: \u201caccording to\u201d, \u201csaid\u201d, "
    "a quotation with its speaker.",
    Evidence.ASSESSED: "A judgment expressed with a term of the estimative scale.",
    Evidence.SPECULATIVE: "Hedged outside the scale: may, might, could, perhaps, "
    "\u201cit is safe to assume\u201d.",
    Evidence.UNSOURCED: "A plain assertion with no source.",
}
"""One line per status, for badges' titles and the methodology page."""

_QUOTATION = re.compile(r"[\"\u201c]([^\"\u201d]{3,})[\"\u201d]")
_WORD = re.compile(r"\w+")
_NON_ASCII_WORD = re.compile(r"[^\W\x00-\x7f]")


@dataclass(frozen=True, slots=True)
class Finding:
    """What the classifier found in one sentence."""

    evidence: Evidence
    """The status."""
    term: ScaleTerm | None
    """Estimative term, if any."""
    hedges: tuple[str, ...]
    """Hedges, in order of appearance."""
    attribution: str | None
    """Attribution cue, if any."""
    confidence: str | None
    """Confidence level, if any."""
    topics: tuple[str, ...]
    """Topic keys mentioned."""


def _words(phrases: Iterable[str]) -> re.Pattern[str]:
    sources = {p: re.escape(p).replace(r"\ ", r"\s+") for p in phrases}
    return re.compile(rf"(?<![\w-]){_by_first_letter(sources)}(?![\w-])", re.IGNORECASE)


def _alias_source(alias: str) -> str:
    """Acronyms ("OSCE", "NATO") match by case; other aliases ignore it."""
    body = re.escape(alias).replace(r"\ ", r"\s+")
    return body if alias.isupper() and len(alias) <= 6 else f"(?i:{body})"


def _aliases_pattern(aliases: Iterable[str]) -> re.Pattern[str]:
    """One pattern for several aliases, longest first, as whole words."""
    ordered = sorted(set(aliases), key=lambda a: (-len(a), a))
    return re.compile(rf"(?<![\w-])(?:{'|'.join(map(_alias_source, ordered))})(?![\w])")


def _spans_pattern(aliases: Iterable[str]) -> re.Pattern[str]:
    """At every word start, capture the longest alias found there (overlaps included)."""
    ordered = sorted({a for a in aliases if a}, key=lambda a: (-len(a), a))
    sources = {alias: _alias_source(alias) for alias in ordered}
    return re.compile(rf"(?<![\w-])(?=({_by_first_letter(sources)}(?![\w])))")


def _by_first_letter(sources: dict[str, str]) -> str:
    """``(?:a|b|c)`` for the patterns of these phrases, matching what it matches, faster.

    The phrases are grouped by first letter and each group is guarded by a one-character
    lookahead, so at most positions the engine tries a character class instead of every
    alternative. The given order (which decides between phrases that both match at one
    place) holds within a group, and only one group can match at a position.
    """
    phrases = [p for p in sources if p]
    if not phrases:
        return "(?!)"  # nothing to find
    groups: dict[str, list[str]] = {}
    for phrase in phrases:
        groups.setdefault(phrase[0].casefold(), []).append(phrase)
    guarded = "|".join(
        f"(?=(?i:[{_chars(p[0] for p in group)}]))(?:{'|'.join(sources[p] for p in group)})"
        for _, group in sorted(groups.items())
    )
    return f"(?=(?i:[{_chars(p[0] for p in phrases)}]))(?:{guarded})"


def _chars(chars: Iterable[str]) -> str:
    """The body of a character class holding these characters."""
    return "".join(re.escape(c) for c in sorted(set(chars)))


class Classifier:
    """Classifies sentences against one lexicon and one topic vocabulary."""

    def __init__(self, lexicon: Lexicon, topics: Iterable[TopicMeta]) -> None:
        self.lexicon = lexicon
        self._terms = {t.term.lower(): t for t in lexicon.terms}
        self._term_re = _words(t.term for t in lexicon.terms)
        self._hedge_re = _words(lexicon.hedges)
        self._attribution_re = _words(lexicon.attributions)
        self._confidence_re = _words(lexicon.confidence)
        topics = list(topics)
        self._topics = [
            (topic.key, _aliases_pattern((topic.label, *topic.aliases))) for topic in topics
        ]
        # One scan for all topics: at every position, the longest alias that starts there.
        # Any alias of any topic that matches the sentence is a prefix of one of these
        # spans, so the per-topic patterns need only run on the (few, distinct) spans.
        self._spans = _spans_pattern(a for t in topics for a in (t.label, *t.aliases))
        self._span_topics: dict[str, frozenset[str]] = {}
        # Which words can start a match of each pattern: see _first_words.
        self._term_words = _first_words(t.term for t in lexicon.terms)
        self._hedge_words = _first_words(lexicon.hedges)
        self._attribution_words = _first_words(lexicon.attributions)
        self._confidence_words = _first_words(lexicon.confidence)
        self._topic_words: dict[str, list[int]] = {}
        self._topics_always: list[int] = []
        for index, topic in enumerate(topics):
            words = _first_words((topic.label, *topic.aliases))
            if words is None:
                self._topics_always.append(index)
                continue
            for word in words:
                self._topic_words.setdefault(word, []).append(index)

    def classify(self, text: str, cited: bool) -> Finding:
        """Classify one sentence; ``cited`` says whether it carries a citation."""
        words = _words_of(text)
        term_match = _search(self._term_re, self._term_words, words, text)
        term = self._terms.get(" ".join(term_match.group().lower().split())) if term_match else None
        hedges = (
            tuple(
                " ".join(m.group().lower().split())
                for m in self._hedge_re.finditer(text)
                if not _is_month(m, text)
            )
            if _may_match(self._hedge_words, words)
            else ()
        )
        attribution_match = _search(self._attribution_re, self._attribution_words, words, text)
        attribution = attribution_match.group().lower() if attribution_match else None
        if attribution is None and _QUOTATION.search(text) and _is_speech(text):
            attribution = "quotation"
        confidence_match = _search(self._confidence_re, self._confidence_words, words, text)
        if hedges:
            evidence = Evidence.SPECULATIVE
        elif term is not None:
            evidence = Evidence.ASSESSED
        elif attribution is not None:
            evidence = Evidence.REPORTED
        elif cited:
            evidence = Evidence.CONFIRMED
        else:
            evidence = Evidence.UNSOURCED
        return Finding(
            evidence=evidence,
            term=term,
            hedges=hedges,
            attribution=attribution,
            confidence=confidence_match.group().lower() if confidence_match else None,
            topics=self._topics_of(text, words),
        )

    def topics_in(self, text: str) -> tuple[str, ...]:
        """Keys of the topics whose label or aliases the text mentions, in vocabulary order."""
        return self._topics_of(text, _words_of(text))

    def _topics_of(self, text: str, words: frozenset[str] | None) -> tuple[str, ...]:
        if not self._topics:
            return ()
        if words is None:
            return self._topics_by_spans(text)
        candidates = {i for word in words for i in self._topic_words.get(word, ())}
        candidates.update(self._topics_always)
        return tuple(
            self._topics[i][0] for i in sorted(candidates) if self._topics[i][1].search(text)
        )

    def _topics_by_spans(self, text: str) -> tuple[str, ...]:
        """``topics_in`` for any text, by one scan for every alias at once."""
        found: set[str] = set()
        for span in {m.group(1) for m in self._spans.finditer(text)}:
            keys = self._span_topics.get(span)
            if keys is None:
                keys = frozenset(key for key, pattern in self._topics if pattern.search(span))
                self._span_topics[span] = keys
            found |= keys
        return tuple(key for key, _ in self._topics if key in found) if found else ()


def _first_words(phrases: Iterable[str]) -> frozenset[str] | None:
    """The lowercased first words of these phrases; None if some phrase has none we can use.

    A match of a phrase's pattern (``_words``, ``_aliases_pattern``) in ASCII text starts
    at a word boundary and ends at one, so the phrase's first word (its first run of word
    characters) is a whole word of the text, lowercased alike. A sentence none of whose
    words is in this set cannot match, and the pattern need not run. A phrase that is not
    ASCII (whose case folding ``str.lower`` may not mirror) or has no word at all gives
    None: the pattern always runs. So does a sentence with a word character outside ASCII
    (``_words_of``): the pattern's case folding matches "\u017f" to "s", ``str.lower`` not.
    """
    found = set()
    for phrase in phrases:
        first = _WORD.search(phrase)
        if first is None or not phrase.isascii():
            return None
        found.add(first.group().lower())
    return frozenset(found)


def _words_of(text: str) -> frozenset[str] | None:
    """The lowercased words of a text whose words are ASCII; None for other text (every
    pattern runs). Curly quotes, dashes and other non-ASCII marks are not words and are
    not letters a pattern could match by case, so they leave the words as they are."""
    if text.isascii() or _NON_ASCII_WORD.search(text) is None:
        return frozenset(_WORD.findall(text.lower()))
    return None


def _may_match(first: frozenset[str] | None, words: frozenset[str] | None) -> bool:
    return first is None or words is None or not first.isdisjoint(words)


def _search(
    pattern: re.Pattern[str], first: frozenset[str] | None, words: frozenset[str] | None, text: str
) -> re.Match[str] | None:
    return pattern.search(text) if _may_match(first, words) else None


def weakest(statuses: Iterable[Evidence]) -> Evidence | None:
    """The weakest status of several; None for none."""
    ranks = [EVIDENCE_ORDER.index(s) for s in statuses]
    return EVIDENCE_ORDER[max(ranks)] if ranks else None


def badge_label(evidence: Evidence, term: ScaleTerm | None) -> str:
    """The short words a reader sees next to a claim."""
    if evidence is Evidence.ASSESSED and term is not None:
        return f"assessed: {term.band}, {_band(term)}"
    return evidence.value


def badge_title(
    evidence: Evidence, term: ScaleTerm | None, hedges: tuple[str, ...], attribution: str | None
) -> str:
    """The longer explanation of a claim's status."""
    why = DESCRIPTIONS[evidence]
    if evidence is Evidence.SPECULATIVE and hedges:
        why += f" Found: \u201c{hedges[0]}\u201d."
    elif evidence is Evidence.ASSESSED and term is not None:
        why += f" \u201c{term.term}\u201d means {_band(term)}."
    elif evidence is Evidence.REPORTED and attribution:
        why += f" Found: \u201c{attribution}\u201d."
    return f"{evidence.value.capitalize()}. {why}"


def _band(term: ScaleTerm) -> str:
    return f"{term.low}\u2013{term.high}%" if term.low != term.high else f"{term.low}%"


def _is_month(match: re.Match[str], text: str) -> bool:
    """ "May" the month, not the modal verb."""
    if match.group() != "May":
        return False
    return match.start() > 0 or bool(re.match(r"\s+\d", text[match.end() :]))


def _is_speech(text: str) -> bool:
    """A quotation long enough to be someone's words, not scare quotes."""
    return any(len(m.group(1).split()) >= 3 for m in _QUOTATION.finditer(text))
