"""The search index: its words, its files, and that a build with unchanged inputs keeps it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO, TESTS
from osce_digest import search
from osce_digest.cli import main
from osce_digest.search import SearchIndex, count_words, shard_of, word_counts, words

MULTI = TESTS / "sites" / "multi"


def build(project: Path, out: Path) -> int:
    return main(
        ["build", "--root", str(project), "--out", str(out), "--templates", str(REPO / "templates")]
    )


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search") / "site"
    assert build(MULTI, out) == 0
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

    # An edit builds it again, and the edited words are found.
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    report = project / "content" / "reports" / "varga-reyes-december-call.md"
    report.write_text(report.read_text("utf-8") + "\nThe zanzibarian delegation left.\n", "utf-8")
    assert build(project, out) == 0
    data = out / "search" / "data"
    rows = documents(data)
    assert [rows[d][0] for d in postings(data, "zanzibarian")] == [
        "reports/varga-reyes-december-call/"
    ]
