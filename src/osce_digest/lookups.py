"""Lookups: which entries of the directory a page's templates read while it rendered.

Every page gets the directory (``d``: topics, actors, reports, encounters ... by key), but a
report page reads a few dozen of its entries. Were the whole directory an input of every
page, a report's new title, or a new report, would render the whole site again. Instead a
page renders with a directory that notes each key read, and each lookup of a whole table
(iterating it, its length). The next build compares only those entries: a page whose own
context is as it was, and whose entries read are as they were, would render the same
(rendering is a function of what it reads), so it is kept.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Iterator, Mapping
from typing import Any, TypeVar, cast

from osce_digest.cache import ContextFingerprint, digest_of
from osce_digest.pages import Directory

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Uses = tuple[tuple[str, tuple[Hashable, ...] | None], ...]
"""Per directory table read, by name: the keys read, sorted by repr, or None for the whole
table."""

_MISSING = "\x00missing"


class Recorder:
    """The lookups of one page as it renders."""

    def __init__(self) -> None:
        self._keys: dict[str, set[Hashable]] = {}
        self._whole: set[str] = set()

    def directory(self, d: Directory) -> Directory:
        """``d`` with every table noting its lookups here."""
        tables: dict[str, Any] = {
            f.name: _Recorded(getattr(d, f.name), f.name, self) for f in dataclasses.fields(d)
        }
        return dataclasses.replace(d, **tables)

    def table(self, name: str, data: Mapping[K, V]) -> Mapping[K, V]:
        """``data`` noting its lookups here, as the table ``name``."""
        # Keys are only compared and stored, so any hashable key type will do.
        return cast("Mapping[K, V]", _Recorded(cast("Mapping[Hashable, V]", data), name, self))

    def key(self, table: str, key: Hashable) -> None:
        self._keys.setdefault(table, set()).add(key)

    def whole(self, table: str) -> None:
        self._whole.add(table)

    def uses(self) -> Uses:
        """What was read, in a stable order."""
        names = sorted(self._keys.keys() | self._whole)
        return tuple(
            (name, None if name in self._whole else tuple(sorted(self._keys[name], key=repr)))
            for name in names
        )


class _Recorded(Mapping[Hashable, V]):
    """A read-only table that tells its recorder what was read of it."""

    __slots__ = ("_data", "_name", "_recorder")

    def __init__(self, data: Mapping[Hashable, V], name: str, recorder: Recorder) -> None:
        self._data = data
        self._name = name
        self._recorder = recorder

    def __getitem__(self, key: Hashable) -> V:
        self._recorder.key(self._name, key)
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, Hashable):
            return False
        self._recorder.key(self._name, key)
        return key in self._data

    def get(self, key: Hashable, default: Any = None) -> Any:
        self._recorder.key(self._name, key)
        return self._data.get(key, default)

    def __iter__(self) -> Iterator[Hashable]:
        self._recorder.whole(self._name)
        return iter(self._data)

    def __len__(self) -> int:
        self._recorder.whole(self._name)
        return len(self._data)

    def __repr__(self) -> str:  # as the table's own, should a template print it
        self._recorder.whole(self._name)
        return repr(self._data)


class EntryDigests:
    """Digests of the directory's entries (or of any named tables), each made once."""

    def __init__(self, d: Directory | Mapping[str, Mapping[Hashable, Any]]) -> None:
        if isinstance(d, Directory):
            d = {f.name: getattr(d, f.name) for f in dataclasses.fields(d)}
        self._d = d
        self._names = set(d)
        self._fingerprint = ContextFingerprint({})
        self._entries: dict[tuple[str, Hashable], str] = {}
        self._tables: dict[str, str] = {}

    def of(self, uses: Uses) -> str | None:
        """A digest of the entries ``uses`` names, as they are now (a key read that is not
        there enters as missing: made, it changes the digest); None if it names a table
        the directory does not have."""
        parts = []
        try:
            for name, keys in uses:
                if name not in self._names:
                    return None
                if keys is None:
                    parts += [name, self._table(name)]
                else:
                    parts += [name, *(self._entry(name, key) for key in keys)]
        except (TypeError, ValueError):  # not a record this build made: never trusted
            return None
        return digest_of(*parts)

    def _table(self, name: str) -> str:
        if name not in self._tables:
            self._tables[name] = self._fingerprint({name: self._d[name]})
        return self._tables[name]

    def _entry(self, name: str, key: Hashable) -> str:
        known = self._entries.get((name, key))
        if known is None:
            table = self._d[name]
            value = table.get(key, _MISSING)
            known = self._fingerprint({"key": repr(key), "value": value})
            self._entries[(name, key)] = known
        return known
