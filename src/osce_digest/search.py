"""Search: a static full-text index, sharded so a query reads only a few small files.

The index lives under ``search/data/`` and is read by ``static/search.js`` in the browser:

- ``meta.json``: the format version, the number of documents, how many share one docs file,
  every document's length in words, and the shard names that exist;
- ``docs-<n>.json``: the documents ``n * chunk`` onwards: URL (site-relative), title, kind,
  a line of context and an excerpt;
- ``terms-<shard>.json``: for every word beginning with the shard's two characters, its
  postings: document number and count, the numbers delta-encoded.

A query reads ``meta.json``, one shard per word (words match as prefixes, so "sanction" finds
"sanctions") and the docs files of the results it shows. Documents are the reports (their
titles, deks, summaries, headings and every claim) and the topic, actor, country and forum
pages (their names, aliases and descriptions). Words are lower-cased, stripped of accents,
and at least two characters long, the same way on both sides (``search.js`` mirrors ``words``).

Everything is computed from the loaded site; ``SearchIndex.fingerprint`` is cheap, so a
build whose inputs did not change keeps the files the last one wrote without building them.
"""

from __future__ import annotations

import itertools
import json
import operator
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from osce_digest.cache import digest_of
from osce_digest.indexes import Indexes
from osce_digest.listings import country_name
from osce_digest.model import Block, ReportMeta, Section, Site

FORMAT = 1
"""Version of the files' layout; search.js checks it."""
CHUNK = 100
"""Documents per docs file."""
TITLE_WEIGHT = 5
"""A word in a title counts as this many in the text."""
EXCERPT = 240
"""Characters of a document's excerpt, at most."""
FOLDER = "search/data"
"""Where the files go in the output."""

_WORD = re.compile(r"[^\W_]+")
_MARKS = re.compile(r"[\u0300-\u036f]")

WordCounts = str
"""Words of a text and how often each occurs, sorted by word, as one string:
``"corridor 5 grain 7 ships 1"``. Words hold no spaces; one string per report takes a
quarter of the memory of (word, count) pairs, and the cache reads it back as one object."""


def words(text: str) -> list[str]:
    """The searchable words of ``text``: lower case, accents removed, two characters or more."""
    plain = _MARKS.sub("", unicodedata.normalize("NFKD", text.lower()))
    return [w for w in _WORD.findall(plain) if len(w) > 1]


def count_words(title: str, texts: Iterable[str]) -> WordCounts:
    """Word counts of a document: its title's words weigh ``TITLE_WEIGHT``."""
    # One pass over the texts joined by line breaks finds the words of each text in turn:
    # no word spans a line break, and neither case folding (the final sigma looks only as
    # far as a character that is neither cased nor case-ignorable) nor the decomposition
    # (a line break is a starter) reaches across one.
    counts = Counter(words("\n".join(texts)))
    for word in words(title):
        counts[word] += TITLE_WEIGHT
    return " ".join(f"{word} {count}" for word, count in sorted(counts.items()))


def word_counts(counts: WordCounts) -> list[tuple[str, int]]:
    """The (word, count) pairs of a ``WordCounts`` string."""
    parts = counts.split()
    return list(zip(parts[::2], map(int, parts[1::2]), strict=True))


def report_words(
    meta: ReportMeta, lede: Sequence[Block], sections: Sequence[Section]
) -> WordCounts:
    """Word counts of a report: dek, summary, tags, encounter and place, headings, claims."""
    texts = [meta.dek or "", meta.summary or "", " ".join(meta.tags), meta.encounter.name]
    place = meta.encounter.place
    if place is not None:
        texts += [place.name, place.locality or "", place.near or ""]
    texts += [c.text for b in lede for c in b.claims]
    for section in sections:
        texts.append(section.title)
        texts += [c.text for b in section.blocks for c in b.claims]
        for item in section.items:
            texts.append(item.title)
            texts += [c.text for b in item.blocks for c in b.claims]
    return count_words(meta.title, texts)


@dataclass(frozen=True, slots=True)
class Document:
    """One search result as the reader sees it, and the words that find it."""

    url: str
    """Site-relative URL of the page, e.g. ``reports/x/``."""
    title: str
    """The result's link text."""
    kind: str
    """What the page is: "Report", "Topic", "Person", "State", "Forum"..."""
    context: str
    """One line under the title, e.g. the encounter and date."""
    excerpt: str
    """A few sentences, at most ``EXCERPT`` characters."""
    counts: WordCounts
    """The words and their counts."""


class SearchIndex:
    """The documents of one site, and the index files made from them on demand."""

    def __init__(self, site: Site, indexes: Indexes) -> None:
        self.documents = list(_documents(site, indexes))
        self.fingerprint = digest_of(
            "search",
            str(FORMAT),
            *(repr(d) if not d.url.startswith("reports/") else d.url for d in self.documents),
            *(d for r in site.reports for d in (r.digest, r.content)),
        )
        self._files: dict[str, bytes] | None = None
        self._kept: dict[str, bytes] = {}

    def files(self) -> dict[str, bytes]:
        """Output path to bytes of every index file (made once, on first use)."""
        if self._files is None:
            self._files = _make_files(self.documents)
        return self._files

    def keep(self, files: Mapping[str, bytes]) -> None:
        """Remember files already made (by ``updated_files``): ``file`` returns them
        without making the index."""
        self._kept.update(files)

    def file(self, output: str) -> bytes:
        """The bytes of one index file."""
        kept = self._kept.get(output)
        return kept if kept is not None else self.files()[output]


def _documents(site: Site, indexes: Indexes) -> Iterator[Document]:
    for report in site.reports:
        meta = report.meta
        lede = " ".join(c.text for b in report.lede for c in b.claims)
        yield Document(
            f"reports/{report.slug}/",
            meta.title,
            "Report",
            f"{meta.encounter.name}, {meta.date.isoformat()}",
            _excerpt(meta.summary or meta.dek or lede),
            report.words,
        )
    for key, topic in site.topics.items():
        yield Document(
            f"topics/{key}/",
            topic.label,
            "Topic",
            f"{len(indexes.topics[key])} encounters",
            _excerpt(topic.description or ", ".join(topic.aliases)),
            count_words(topic.label, [*topic.aliases, topic.description or ""]),
        )
    for key, actor in site.actors.items():
        yield Document(
            f"actors/{key}/",
            actor.name,
            actor.kind.capitalize(),
            actor.country or "",
            _excerpt(", ".join(actor.aliases)),
            count_words(actor.name, actor.aliases),
        )
    for iso in sorted(indexes.countries):
        name = country_name(site, iso)
        yield Document(
            f"countries/{iso.lower()}/", name, "Country", iso, "", count_words(name, [iso])
        )
    for key, venue in site.venues.items():
        yield Document(
            f"venues/{key}/",
            venue.name,
            "Forum",
            venue.series or "",
            _excerpt(venue.description or ""),
            count_words(venue.name, [venue.series or "", venue.description or ""]),
        )


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= EXCERPT:
        return text
    return text[: EXCERPT - 1].rsplit(" ", 1)[0] + "\u2026"


def shard_of(word: str) -> str:
    """The shard a word's postings live in: its first two characters, as hex code points."""
    return "-".join(f"{ord(c):x}" for c in word[:2])


def _make_files(documents: list[Document]) -> dict[str, bytes]:
    by_word: dict[str, list[int]] = defaultdict(list)
    lengths = []  # words in each document
    for number, document in enumerate(documents):
        parts = document.counts.split()
        counts = list(map(int, parts[1::2]))
        for word, count in zip(parts[::2], counts, strict=True):
            found = by_word[word]
            found.append(number)
            found.append(count)
        lengths.append(sum(counts))
    postings: dict[str, dict[str, list[int]]] = defaultdict(dict)
    for word, pairs in by_word.items():
        postings[shard_of(word)][word] = pairs
    files = {_terms_path(shard): _terms_file(terms) for shard, terms in postings.items()}
    for n in range(-(-len(documents) // CHUNK)):
        files[_docs_path(n)] = _docs_file(documents, n)
    files[META] = _meta_file(len(documents), lengths, postings)
    return dict(sorted(files.items()))


META = f"{FOLDER}/meta.json"


def _terms_path(shard: str) -> str:
    return f"{FOLDER}/terms-{shard}.json"


def _docs_path(n: int) -> str:
    return f"{FOLDER}/docs-{n}.json"


def _terms_file(terms: Mapping[str, list[int]]) -> bytes:
    """A shard: word to [doc, count, doc, count...] (doc numbers ascending)."""
    return _json({word: _delta(pairs) for word, pairs in sorted(terms.items())})


def _docs_file(documents: Sequence[Document], n: int) -> bytes:
    rows = [[d.url, d.title, d.kind, d.context, d.excerpt] for d in documents[n * CHUNK :][:CHUNK]]
    return _json(rows)


def _meta_file(documents: int, lengths: list[int], shards: Iterable[str]) -> bytes:
    meta = {
        "format": FORMAT,
        "documents": documents,
        "chunk": CHUNK,
        "lengths": lengths,
        "shards": sorted(shards),
    }
    return _json(meta)


MAX_CHANGED = 50
"""More changed documents than this, and the index is made again from scratch."""


def updated_files(
    before: Sequence[Document],
    read: Callable[[str], bytes | None],
    documents: Sequence[Document],
) -> tuple[dict[str, bytes], set[str]] | None:
    """The index files that change when the documents ``before`` become ``documents``,
    made by patching the files ``before`` gave (``read``: a file's previous bytes, or None
    when it did not exist or cannot be trusted): the changed files' bytes, and the files
    that no longer exist. None when that cannot be done (the pages differ, too many
    documents changed, a file needed is missing); then the index is made whole.

    After one report is edited, its words' postings change in a few shards: patching them
    takes milliseconds where making the index takes a second at 4,000 reports. The result
    is byte for byte what ``_make_files(documents)`` gives (the tests check it).
    """
    if [d.url for d in before] != [d.url for d in documents]:
        return None
    changed = [n for n, (old, new) in enumerate(zip(before, documents, strict=True)) if old != new]
    if len(changed) > MAX_CHANGED:
        return None
    meta_bytes = read(META)
    if meta_bytes is None:
        return None
    meta = json.loads(meta_bytes)
    if meta.get("format") != FORMAT or meta.get("documents") != len(documents):
        return None
    lengths: list[int] = meta["lengths"]
    shards: set[str] = set(meta["shards"])
    edits: dict[str, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for n in changed:
        old, new = dict(word_counts(before[n].counts)), dict(word_counts(documents[n].counts))
        for word in old.keys() | new.keys():
            if old.get(word) != new.get(word):
                edits[shard_of(word)][word][n] = new.get(word, 0)
        lengths[n] = sum(new.values())
    files: dict[str, bytes] = {}
    gone: set[str] = set()
    for shard, words in edits.items():
        path = _terms_path(shard)
        terms = _undelta_terms(read(path)) if shard in shards else {}
        if terms is None:
            return None
        for word, counts in words.items():
            found = dict(zip(terms.get(word, [])[::2], terms.get(word, [])[1::2], strict=True))
            found.update(counts)
            pairs = [x for doc, count in sorted(found.items()) if count for x in (doc, count)]
            if pairs:
                terms[word] = pairs
            else:
                terms.pop(word, None)
        if terms:
            files[path] = _terms_file(terms)
            shards.add(shard)
        else:
            gone.add(path)
            shards.discard(shard)
    for chunk in sorted({n // CHUNK for n in changed}):
        files[_docs_path(chunk)] = _docs_file(documents, chunk)
    files[META] = _meta_file(len(documents), lengths, shards)
    return files, gone


def _undelta_terms(data: bytes | None) -> dict[str, list[int]] | None:
    """A shard's terms with absolute document numbers; None for a missing file."""
    if data is None:
        return None
    terms: dict[str, list[int]] = json.loads(data)
    for pairs in terms.values():
        docs = list(itertools.accumulate(pairs[::2]))
        pairs[::2] = docs
    return terms


def _delta(pairs: list[int]) -> list[int]:
    """[doc, count, doc, count...] with each doc number after the first as a difference."""
    out = list(pairs)
    docs = pairs[::2]
    out[2::2] = map(operator.sub, docs[1:], docs)
    return out


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
