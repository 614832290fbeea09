"""The search index: its words, its files, and that a build with unchanged inputs keeps it."""

from __future__ import annotations

import dataclasses
import json
import random
import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, TESTS
from osce_digest import search
from osce_digest.cli import main
from osce_digest.search import (
    Document,
    SearchIndex,
    count_words,
    shard_of,
    word_counts,
    words,
)

MULTI = TESTS / "sites" / "multi"


def build(project: Path, out: Path, *extra: str) -> int:
    paths = ["--root", str(project), "--out", str(out), "--templates", str(REPO / "templates")]
    return main(["build", *paths, *extra])


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search") / "site"
    assert build(MULTI, out, "--no-cache") == 0  # the checkout's fixture: no cache in it
    return out / "search" / "data"


def postings(index: Path, word: str) -> dict[int, int]:
    """Document number to count, decoded from the word's shard."""
    shard = index / f"terms-{shard_of(word)}.json"
    terms = json.loads(shard.read_text("utf-8")) if shard.is_file() else {}
    flat = terms.get(word, [])
    found, doc = {}, 0
    for i in range(0, len(flat), 2):
        doc = flat[0] if i == 0 else doc + flat[i]
        found[doc] = flat[i + 1]
    return found


def documents(index: Path) -> list[list[str]]:
    meta = json.loads((index / "meta.json").read_text("utf-8"))
    rows: list[list[str]] = []
    for n in range(-(-meta["documents"] // meta["chunk"])):
        rows += json.loads((index / f"docs-{n}.json").read_text("utf-8"))
    return rows


def test_words_are_lower_case_without_accents_and_at_least_two_characters() -> None:
    text = "Valletta, VALLÉTTA and the Čech-Ørsted talks: a 5% rise in 2024"
    assert words(text) == [
        "valletta",
        "valletta",
        "and",
        "the",
        "cech",
        "ørsted",
        "talks",
        "rise",
        "in",
        "2024",
    ]


def test_the_tokeniser_splits_on_punctuation_and_underscores() -> None:
    assert words("Lavrov's 2024_report — Čech/Ørsted; É.U. a b") == [
        "lavrov",
        "2024",
        "report",
        "cech",
        "ørsted",
    ]


def test_title_words_weigh_more_and_counts_are_sorted() -> None:
    counts = word_counts(count_words("Grain corridor", ["the grain ships", "grain"]))
    assert counts == [
        ("corridor", search.TITLE_WEIGHT),
        ("grain", 2 + search.TITLE_WEIGHT),
        ("ships", 1),
        ("the", 1),
    ]
    assert count_words("Grain", ["ships"]) == "grain 5 ships 1"


# Texts built from what can make joining them change a word: combining marks at either
# end, sigmas (final or not), case-ignorable marks, letters that fold to several, digits.
_EDGY = st.text(alphabet="aΣσςΑ\u0301\u0327'.:-_ İßﬁ½9\u00a0", max_size=8)


@settings(max_examples=300, deadline=None)
@given(title=_EDGY, texts=st.lists(_EDGY, max_size=6))
def test_counting_the_texts_at_once_counts_each_on_its_own(title: str, texts: list[str]) -> None:
    one_by_one: Counter[str] = Counter(w for text in texts for w in words(text))
    for word in words(title):
        one_by_one[word] += search.TITLE_WEIGHT
    expected = " ".join(f"{w} {n}" for w, n in sorted(one_by_one.items()))
    assert count_words(title, texts) == expected


def test_shards_are_the_first_two_characters_as_code_points() -> None:
    assert shard_of("valletta") == "76-61"
    assert shard_of("ørsted") == "f8-72"
    assert shard_of("ab") == shard_of("abc") == "61-62"


def test_every_report_and_vocabulary_page_is_a_document_linking_to_a_built_page(
    index: Path,
) -> None:
    site = index.parent.parent
    rows = documents(index)
    kinds = [row[2] for row in rows]
    assert kinds.count("Report") == 7
    assert {"Topic", "State", "Person", "Country", "Forum"} <= set(kinds)
    for url, title, *_ in rows:
        assert (site / url / "index.html").is_file(), url
        assert title
    meta = json.loads((index / "meta.json").read_text("utf-8"))
    assert meta["format"] == search.FORMAT
    assert len(meta["lengths"]) == meta["documents"] == len(rows)
    assert sorted(p.name for p in index.glob("terms-*.json")) == sorted(
        f"terms-{s}.json" for s in meta["shards"]
    )


def test_a_word_leads_to_the_reports_that_use_it_and_only_to_them(index: Path) -> None:
    rows = documents(index)
    found = {rows[doc][0] for doc in postings(index, "karsk")}
    assert "reports/varga-reyes-karsk-bilateral/" in found
    assert all(url.startswith(("reports/", "venues/", "topics/", "actors/")) for url in found)
    for doc, count in postings(index, "karsk").items():
        assert count >= 1
        assert rows[doc][0] in found
    # A word of a report's title counts at least the title's weight for that report.
    karsk = next(n for n, row in enumerate(rows) if row[0].endswith("karsk-bilateral/"))
    assert postings(index, "karsk")[karsk] >= search.TITLE_WEIGHT
    assert postings(index, "zzyzxq") == {}


def test_postings_are_in_document_order_and_every_count_is_positive(index: Path) -> None:
    for path in index.glob("terms-*.json"):
        for word, flat in json.loads(path.read_text("utf-8")).items():
            assert shard_of(word) == path.stem.removeprefix("terms-")
            assert len(flat) % 2 == 0
            assert flat[0] >= 0
            assert all(d > 0 for d in flat[2::2]), word  # strictly increasing documents
            assert all(c > 0 for c in flat[1::2]), word


def test_a_build_whose_inputs_did_not_change_keeps_the_index_without_building_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    project = tmp_path / "project"
    shutil.copytree(MULTI / "content", project / "content")
    out = project / "site"
    assert build(project, out) == 0
    before = {p.name: p.read_bytes() for p in (out / "search" / "data").iterdir()}

    def refuse(self: SearchIndex) -> dict[str, bytes]:
        raise AssertionError("the index was built although nothing changed")

    monkeypatch.setattr(SearchIndex, "files", refuse)
    assert build(project, out) == 0
    after = {p.name: p.read_bytes() for p in (out / "search" / "data").iterdir()}
    assert after == before

    # An edit patches the files the index changed in, still without building it; the
    # edited words are found, and the files are those a build from scratch writes.
    report = project / "content" / "reports" / "varga-reyes-december-call.md"
    text = report.read_text("utf-8")
    report.write_text(text + "\nThe zanzibarian delegation left.\n", "utf-8")
    assert build(project, out) == 0
    data = out / "search" / "data"
    rows = documents(data)
    assert [rows[d][0] for d in postings(data, "zanzibarian")] == [
        "reports/varga-reyes-december-call/"
    ]
    edited = {p.name: p.read_bytes() for p in data.iterdir()}

    # Undone, the edit is patched out again: the index is the first one, still not built.
    report.write_text(text, "utf-8")
    assert build(project, out) == 0
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before
    report.write_text(text + "\nThe zanzibarian delegation left.\n", "utf-8")
    assert build(project, out) == 0
    assert {p.name: p.read_bytes() for p in data.iterdir()} == edited
    monkeypatch.undo()
    assert (
        main(
            [
                "build",
                "--root",
                str(project),
                "--out",
                str(tmp_path / "clean"),
                "--no-cache",
                "--templates",
                str(REPO / "templates"),
            ]
        )
        == 0
    )
    clean = {p.name: p.read_bytes() for p in (tmp_path / "clean" / "search" / "data").iterdir()}
    assert {p.name: p.read_bytes() for p in data.iterdir()} == clean
    assert {p.name for p in data.iterdir()} == {*before, "terms-7a-61.json"}  # "za": new
    changed = {name for name in before if before[name] != clean[name]}
    assert "meta.json" in changed
    assert len(changed) < len(before) / 4  # a few shards and one docs file, not all


# --- patching the index after an edit ---------------------------------------------------


def _random_document(rng: random.Random, n: int, vocabulary: list[str]) -> Document:
    chosen = rng.sample(vocabulary, rng.randrange(0, 12))
    counts = " ".join(f"{w} {rng.randrange(1, 9)}" for w in sorted(chosen))
    return Document(f"reports/r{n}/", f"Report {n}", "Report", "context", f"excerpt {n}", counts)


@pytest.mark.parametrize("seed", range(8))
def test_a_patched_index_is_byte_for_byte_the_index_made_from_scratch(seed: int) -> None:
    rng = random.Random(seed)
    # Words over many shards (first two characters), accented ones among them.
    vocabulary = [a + b + c for a in "abcdéøz" for b in "aeiouü" for c in "lmnrst"]
    documents = [_random_document(rng, n, vocabulary) for n in range(250)]  # three docs files
    files = search._make_files(documents)
    for _ in range(12):
        before = list(documents)
        for n in rng.sample(range(len(documents)), rng.randrange(1, 4)):
            change = rng.choice(["words", "one word", "title", "empty"])
            if change == "words":
                documents[n] = _random_document(rng, n, vocabulary)
            elif change == "one word":  # a sentence appended: one count goes up
                pairs = dict(search.word_counts(documents[n].counts))
                word = rng.choice(vocabulary)
                pairs[word] = pairs.get(word, 0) + 1
                counts = " ".join(f"{w} {c}" for w, c in sorted(pairs.items()))
                documents[n] = dataclasses.replace(documents[n], counts=counts)
            elif change == "title":
                documents[n] = dataclasses.replace(documents[n], title=f"Retitled {n}")
            else:  # a document with no words left: its words' shards may empty out
                documents[n] = dataclasses.replace(documents[n], counts="")
        patched = search.updated_files(before, files.get, documents)
        assert patched is not None
        changed, gone = patched
        files = {p: b for p, b in files.items() if p not in gone} | changed
        assert dict(sorted(files.items())) == search._make_files(documents)


def _ten_documents(seed: int) -> tuple[random.Random, list[str], list[Document]]:
    rng = random.Random(seed)
    vocabulary = ["grain", "ships", "corridor", "talks", *(f"w{n}" for n in range(20))]
    return rng, vocabulary, [_random_document(rng, n, vocabulary) for n in range(10)]


def test_the_index_is_made_whole_when_a_patch_cannot_be_trusted() -> None:
    rng, vocabulary, documents = _ten_documents(1)
    documents[0] = dataclasses.replace(documents[0], counts="grain 1 ships 2")
    files = search._make_files(documents)
    edited = [*documents[:3], dataclasses.replace(documents[3], counts="grain 9"), *documents[4:]]
    assert search.updated_files(documents, lambda path: None, edited) is None  # no meta.json
    missing_shard = {p: b for p, b in files.items() if "terms-67-72" not in p}  # "gr..."
    assert search.updated_files(documents, missing_shard.get, edited) is None
    assert search.updated_files(documents, files.get, edited[:-1]) is None  # a page fewer
    many = [dataclasses.replace(d, title="x") for d in documents]
    assert search.updated_files(documents, files.get, many) is not None
    assert search.MAX_CHANGED < 60
    sixty = [_random_document(rng, n, vocabulary) for n in range(60)]
    retitled = [dataclasses.replace(d, title="y") for d in sixty]
    assert search.updated_files(sixty, search._make_files(sixty).get, retitled) is None


def test_a_shard_whose_last_word_goes_is_removed_and_a_new_one_added() -> None:
    _, _, documents = _ten_documents(2)
    documents[4] = dataclasses.replace(documents[4], counts="quorum 2 ships 1")
    files = search._make_files(documents)
    assert f"{search.FOLDER}/terms-71-75.json" in files  # "qu": only document 4 has it
    edited = list(documents)
    edited[4] = dataclasses.replace(documents[4], counts="ships 1 xylem 3")
    patched = search.updated_files(documents, files.get, edited)
    assert patched is not None
    changed, gone = patched
    assert gone == {f"{search.FOLDER}/terms-71-75.json"}
    assert f"{search.FOLDER}/terms-78-79.json" in changed  # "xy": new
    files = {p: b for p, b in files.items() if p not in gone} | changed
    assert dict(sorted(files.items())) == search._make_files(edited)
