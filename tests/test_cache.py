"""The cache's entries of several values: each read, verified and unpickled on its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from osce_digest.cache import Cache

KEY = b"k" * 32


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    return Cache(tmp_path / "cache", KEY)


def entry(cache: Cache, kind: str, name: str) -> Path:
    return cache.folder / kind / f"{name}.pickle"


def test_each_value_of_an_entry_reads_back_alone(cache: Cache) -> None:
    values = [("summary", 1), {"body": [1, 2, 3]}, None, "x" * 100_000]
    assert cache.put_parts("reports", "ab12", values)
    assert [cache.get_part("reports", "ab12", i) for i in range(4)] == values
    assert cache.get_part("reports", "ab12", 4) is None  # past the last value
    assert cache.get_part("reports", "cd34", 0) is None  # no such entry
    assert len(list((cache.folder / "reports").iterdir())) == 1  # one file, no leftovers


def test_a_damaged_value_is_ignored_and_the_others_still_verify(cache: Cache) -> None:
    assert cache.put_parts("reports", "ab12", ["first", "second", "third"])
    path = entry(cache, "reports", "ab12")
    data = bytearray(path.read_bytes())
    at = data.index(b"second")
    data[at] ^= 0x01
    path.write_bytes(bytes(data))
    assert cache.get_part("reports", "ab12", 0) == "first"
    assert cache.get_part("reports", "ab12", 1) is None
    assert cache.get_part("reports", "ab12", 2) == "third"


def test_a_truncated_entry_keeps_only_what_is_whole(cache: Cache) -> None:
    assert cache.put_parts("reports", "ab12", ["first", "second"])
    path = entry(cache, "reports", "ab12")
    path.write_bytes(path.read_bytes()[:-3])
    assert cache.get_part("reports", "ab12", 0) == "first"
    assert cache.get_part("reports", "ab12", 1) is None
    path.write_bytes(b"")
    assert cache.get_part("reports", "ab12", 0) is None
    # A length no file could hold is a damaged entry, not a read of that many bytes.
    path.write_bytes(b"\xff" * 8 + bytes(32) + b"payload")
    assert cache.get_part("reports", "ab12", 0) is None
    assert cache.get_part("reports", "ab12", 1) is None


def test_values_are_bound_to_their_entry_their_place_and_the_key(
    cache: Cache, tmp_path: Path
) -> None:
    assert cache.put_parts("reports", "ab12", ["first", "second"])
    source = entry(cache, "reports", "ab12")
    # Moved to another name or kind, the values no longer verify.
    (cache.folder / "other").mkdir()
    shutil.copy(source, entry(cache, "other", "ab12"))
    shutil.copy(source, entry(cache, "reports", "cd34"))
    assert cache.get_part("other", "ab12", 0) is None
    assert cache.get_part("reports", "cd34", 0) is None
    # Two values swapped: each is read at a place it was not signed for.
    data = source.read_bytes()
    first_length = int.from_bytes(data[:8], "big")
    first, second = data[: 40 + first_length], data[40 + first_length :]
    source.write_bytes(second + first)
    assert cache.get_part("reports", "ab12", 0) is None
    assert cache.get_part("reports", "ab12", 1) is None
    # Someone else's key (another user, another machine) verifies nothing.
    cache.put_parts("reports", "ab12", ["first", "second"])
    assert Cache(cache.folder, b"o" * 32).get_part("reports", "ab12", 0) is None
    # An entry of one value is not an entry of several, nor the other way round.
    cache.put("single", "ef56", "value")
    assert cache.get_part("single", "ef56", 0) is None
    assert cache.get("reports", "ab12") is None


def test_an_unwritable_cache_stores_nothing_and_says_so(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", "utf-8")
    cache = Cache(blocker / "cache", KEY)
    assert not cache.put_parts("reports", "ab12", ["first"])
    assert not cache.put("single", "ef56", "value")
    assert cache.get_part("reports", "ab12", 0) is None
