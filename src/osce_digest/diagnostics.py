"""Diagnostics: what every stage reports about content instead of raising.

A stage returns its result together with a list of :class:`Diagnostic`; the load phase
collects them all, and only ``console.py`` prints them.
"""

from __future__ import annotations

import difflib
import heapq
import pickle
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from itertools import chain


class Severity(StrEnum):
    """How bad a diagnostic is."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in the content, with where it is and what to do."""

    file: str
    """Path relative to the project root, with forward slashes."""
    line: int
    """1-based line; 0 when the problem concerns the whole file."""
    col: int
    """1-based column; 0 when unknown."""
    severity: Severity
    """Error (blocks the build) or warning."""
    rule: str
    """Stable rule id, e.g. ``unknown-key``."""
    message: str
    """What is wrong."""
    hint: str = ""
    """What to do about it."""

    def __reduce__(self) -> tuple[type[Diagnostic], tuple[str, int, int, str, str, str, str]]:
        # Pickled by value, through __init__: the default for a slotted dataclass goes
        # through dataclasses.fields for every object (a build caches tens of thousands).
        fields = (self.file, self.line, self.col, self.severity, self.rule, self.message)
        return Diagnostic, (*fields, self.hint)

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order by file, then position, then rule."""
        return (self.file, self.line, self.col, self.rule)


@dataclass(frozen=True, slots=True)
class Packed:
    """One file's diagnostics, sorted, pickled and compressed: how a load holds the tens of
    thousands of warnings a large site draws (as objects, 37 MB at 4,000 reports; packed,
    a tenth of that), none of which a build that succeeds prints."""

    file: str
    """The file they are all about."""
    errors: int
    """How many are errors."""
    warnings: int
    """How many are warnings."""
    data: bytes
    """zlib-compressed pickle of ``(line, col, severity, rule, message, hint)`` rows."""

    def unpack(self) -> list[Diagnostic]:
        """The diagnostics, in order."""
        rows: list[tuple[int, int, str, str, str, str]] = pickle.loads(zlib.decompress(self.data))
        severity = {s.value: s for s in Severity}
        return [
            Diagnostic(self.file, line, col, severity[level], rule, message, hint)
            for line, col, level, rule, message, hint in rows
        ]


def pack(file: str, diagnostics: Iterable[Diagnostic]) -> Packed:
    """``diagnostics`` (all about ``file``) packed, in order."""
    ordered = sorted(diagnostics, key=Diagnostic.sort_key)
    if any(d.file != file for d in ordered):
        raise ValueError(f"not every diagnostic is about {file}")
    rows = tuple((d.line, d.col, d.severity.value, d.rule, d.message, d.hint) for d in ordered)
    errors = sum(d.severity is Severity.ERROR for d in ordered)
    data = zlib.compress(pickle.dumps(rows, pickle.HIGHEST_PROTOCOL))
    return Packed(file, errors, len(ordered) - errors, data)


class Diagnostics:
    """Every diagnostic of a load or build, in order (file, position, rule).

    Most are a report's own warnings, kept ``Packed`` per file and unpacked only while
    iterated; the rest (about vocabularies, links across reports, the build) are held as
    they are. Iterating gives the same sequence as one sorted list of all of them; the
    counts need no unpacking.
    """

    __slots__ = ("_loose", "_packed", "errors", "warnings")

    def __init__(self, loose: Iterable[Diagnostic] = (), packed: Iterable[Packed] = ()) -> None:
        self._loose = tuple(sorted(loose, key=Diagnostic.sort_key))
        self._packed = tuple(sorted((p for p in packed if p.errors or p.warnings), key=_file))
        if len({p.file for p in self._packed}) != len(self._packed):
            raise ValueError("two packs of diagnostics about one file")
        loose_errors = sum(d.severity is Severity.ERROR for d in self._loose)
        self.errors: int = loose_errors + sum(p.errors for p in self._packed)
        """How many are errors."""
        self.warnings: int = len(self._loose) - loose_errors + sum(p.warnings for p in self._packed)
        """How many are warnings."""

    def __iter__(self) -> Iterator[Diagnostic]:
        # A report's own diagnostics come before the loose ones at the same place, as they
        # did in one stably sorted list (they were found first).
        unpacked = chain.from_iterable(p.unpack() for p in self._packed)
        return heapq.merge(unpacked, self._loose, key=Diagnostic.sort_key)

    def __len__(self) -> int:
        return self.errors + self.warnings

    def __bool__(self) -> bool:
        return len(self) > 0

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Diagnostics | tuple | list):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to lists, so not hashable

    def __repr__(self) -> str:
        return f"Diagnostics({list(self)!r})"

    def adding(self, *more: Diagnostic) -> Diagnostics:
        """These and ``more``."""
        return Diagnostics((*self._loose, *more), self._packed)

    def only_errors(self) -> list[Diagnostic]:
        """The errors, in order (unpacking only the files that have some)."""
        packs = (p.unpack() for p in self._packed if p.errors)
        found = heapq.merge(chain.from_iterable(packs), self._loose, key=Diagnostic.sort_key)
        return [d for d in found if d.severity is Severity.ERROR]

    def warning_files(self) -> int:
        """How many files have warnings."""
        loose = {d.file for d in self._loose if d.severity is Severity.WARNING}
        return len(loose | {p.file for p in self._packed if p.warnings})

    def parts(self) -> tuple[tuple[Diagnostic, ...], tuple[Packed, ...]]:
        """What it holds, to store and make again: ``Diagnostics(*parts)``."""
        return self._loose, self._packed


def _file(packed: Packed) -> str:
    return packed.file


def error(file: str, line: int, col: int, rule: str, message: str, hint: str = "") -> Diagnostic:
    """Build an error diagnostic."""
    return Diagnostic(file, line, col, Severity.ERROR, rule, message, hint)


def warning(file: str, line: int, col: int, rule: str, message: str, hint: str = "") -> Diagnostic:
    """Build a warning diagnostic."""
    return Diagnostic(file, line, col, Severity.WARNING, rule, message, hint)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """Whether any diagnostic is an error."""
    return any(d.severity is Severity.ERROR for d in diagnostics)


def close_guess(name: str, known: Iterable[str]) -> str:
    """``did_you_mean``'s "did you mean 'x'?" when a known name is close; else ""."""
    close = difflib.get_close_matches(name, sorted(set(known)), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """A "did you mean" phrase for a misspelt name, or the list of known names."""
    choices = sorted(set(known))
    guess = close_guess(name, choices)
    if guess:
        return guess
    if not choices:
        return "none are defined"
    shown = ", ".join(choices[:12])
    more = f" (and {len(choices) - 12} more)" if len(choices) > 12 else ""
    return f"known: {shown}{more}"
