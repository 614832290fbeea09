"""Console: everything the command line prints for people, in one place.

Diagnostics are grouped by file and numbered, each with its source line, a caret under
the column and the hint; ``--format json`` gives the same data for tools.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from itertools import groupby
from pathlib import Path
from typing import TextIO

from osce_digest.diagnostics import Diagnostic, Severity


def format_text(diagnostics: Sequence[Diagnostic], root: Path) -> str:
    """Human-readable diagnostics, grouped by file, with a summary line."""
    lines: list[str] = []
    number = 0
    for file, grouped in groupby(
        sorted(diagnostics, key=Diagnostic.sort_key), key=lambda d: d.file
    ):
        group = list(grouped)
        source = _source_lines(root / file) if any(d.line for d in group) else []
        lines.append(f"{file}:")
        for d in group:
            number += 1
            where = f"{d.file}:{d.line}:{d.col}" if d.line else d.file
            lines.append(f"  {number}. {where}: {d.severity.value}: {d.message} [{d.rule}]")
            if d.line and 0 < d.line <= len(source):
                shown, caret = _excerpt(source[d.line - 1], d.col)
                lines.append(f"     | {shown}")
                if d.col:
                    lines.append(f"     | {' ' * caret}^")
            if d.hint:
                lines.append(f"     = hint: {d.hint}")
        lines.append("")
    lines.append(summary(diagnostics))
    return "\n".join(lines)


def summary(diagnostics: Sequence[Diagnostic]) -> str:
    """ "2 errors, 1 warning in 2 files"."""
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    files = len({d.file for d in diagnostics})
    if not diagnostics:
        return "no problems found"
    return (
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
        f"in {files} file{'s' * (files != 1)}"
    )


def format_json(diagnostics: Sequence[Diagnostic]) -> str:
    """Diagnostics as JSON: {"diagnostics": [...], "errors": n, "warnings": n}."""
    items = [
        {
            "file": d.file,
            "line": d.line,
            "col": d.col,
            "severity": d.severity.value,
            "rule": d.rule,
            "message": d.message,
            "hint": d.hint,
        }
        for d in sorted(diagnostics, key=Diagnostic.sort_key)
    ]
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    return json.dumps(
        {"diagnostics": items, "errors": errors, "warnings": len(items) - errors},
        indent=2,
        ensure_ascii=False,
    )


class Progress:
    """Shows the build's current step on a terminal, once a build has run for a second."""

    def __init__(self, stream: TextIO, after: float = 1.0) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.after = after
        self.shown = False

    def __call__(self, step: str) -> None:
        if not self.stream.isatty() or time.monotonic() - self.started < self.after:
            return
        elapsed = time.monotonic() - self.started
        self.stream.write(f"\r\033[K{elapsed:5.1f} s  {step}...")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        """Clear the progress line."""
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def say(text: str, stream: TextIO) -> None:
    """Print a line for the user."""
    stream.write(text + "\n")


def _source_lines(path: Path) -> list[str]:
    """The lines of a regular file (never a pipe or device, which could block)."""
    try:
        if not path.is_file():
            return []
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    # Lines as the build numbers them (``discover``): only line feeds and carriage returns
    # end one; splitlines would also break at form feeds, U+2028 and the like.
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _excerpt(text: str, col: int, width: int = 100) -> tuple[str, int]:
    """A window of a long source line around ``col`` (tabs shown as four columns), and
    the caret's offset in it. Only the window is expanded: a diagnostic on a line of
    megabytes costs no more than one on a short line."""
    at = max(col - 1, 0)
    start = 0 if len(text) <= width else max(0, min(at - width // 3, len(text) - width))
    prefix = "\u2026" if start else ""
    suffix = "\u2026" if start + width < len(text) else ""
    shown = text[start : start + width].expandtabs(4)
    caret = len(prefix) + len(text[start:at].expandtabs(4))
    return prefix + shown + suffix, caret


def format_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands: one annotation per diagnostic."""
    lines = []
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        where = f"file={_escape_property(d.file)}"
        if d.line:
            where += f",line={d.line}"
            if d.col:
                where += f",col={d.col}"
        text = d.message + (f" ({d.hint})" if d.hint else "")
        title = _escape_property(d.rule)
        lines.append(f"::{d.severity.value} {where},title={title}::{_escape_data(text)}")
    lines.append(summary(diagnostics))
    return "\n".join(lines)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
