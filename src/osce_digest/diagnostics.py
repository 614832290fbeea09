"""Diagnostics: what every stage reports about content instead of raising.

A stage returns its result together with a list of :class:`Diagnostic`; the load phase
collects them all, and only ``console.py`` prints them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


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


def error(file: str, line: int, col: int, rule: str, message: str, hint: str = "") -> Diagnostic:
    """Build an error diagnostic."""
    return Diagnostic(file, line, col, Severity.ERROR, rule, message, hint)


def warning(file: str, line: int, col: int, rule: str, message: str, hint: str = "") -> Diagnostic:
    """Build a warning diagnostic."""
    return Diagnostic(file, line, col, Severity.WARNING, rule, message, hint)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """Whether any diagnostic is an error."""
    return any(d.severity is Severity.ERROR for d in diagnostics)


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """A "did you mean" phrase for a misspelt name, or the list of known names."""
    choices = sorted(set(known))
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if not choices:
        return "none are defined"
    shown = ", ".join(choices[:12])
    more = f" (and {len(choices) - 12} more)" if len(choices) > 12 else ""
    return f"known: {shown}{more}"
