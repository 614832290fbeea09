"""Helpers for the hardening tests (tests/test_hardening_*.py).

Runs ``python -m osce_digest.cli`` in a child process with a deadline, measuring its wall time
and peak memory; snapshots folders byte for byte; scans built HTML for anything that would run
in a reader's browser.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

TIME = Path("/usr/bin/time")
"""GNU time, which reports the peak memory of one child; getrusage is the fallback."""


@dataclass(frozen=True)
class Run:
    """What one run of the command did."""

    code: int | None
    """Exit status; None when it was killed at the deadline."""
    out: str
    """Standard output."""
    err: str
    """Standard error (GNU time's report is kept out of it)."""
    seconds: float
    """Wall time."""
    peak_mb: float | None
    """Peak resident memory of the command (and any child it waited for), in MB."""

    @property
    def timed_out(self) -> bool:
        """Whether the run was killed at its deadline."""
        return self.code is None

    def describe(self) -> str:
        """One line for assertion messages."""
        peak = f"{self.peak_mb:.0f} MB" if self.peak_mb is not None else "unknown"
        state = "killed at the deadline" if self.timed_out else f"exit {self.code}"
        tail = (self.err.strip().splitlines() or [""])[-1][:300]
        return f"{state} after {self.seconds:.1f} s, peak {peak}; last stderr line: {tail!r}"


def digest_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment for a child digest: this interpreter's, with a private cache folder."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp / "xdg-cache")}
    env.pop("SOURCE_DATE_EPOCH", None)
    env.update(extra)
    return env


def run_digest(
    args: list[str],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Run:
    """Run ``python -m osce_digest.cli ARGS`` with a deadline; kill its whole group at it."""
    command = [sys.executable, "-m", "osce_digest.cli", *args]
    with tempfile.TemporaryDirectory(prefix="digest-time-") as scratch:
        report = Path(scratch) / "time.txt"
        if TIME.is_file():
            command = [str(TIME), "-v", "-o", str(report), *command]
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
        )
        try:
            out, err = proc.communicate(timeout=timeout)
            code: int | None = proc.returncode
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            code = None
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        peak_kb: float | None = None
        if report.is_file():
            found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report.read_text())
            peak_kb = float(found.group(1)) if found else None
        if peak_kb is None and code is not None and after > before:
            peak_kb = float(after)  # only a new maximum is visible this way
    return Run(code, out, err, seconds, peak_kb / 1024 if peak_kb is not None else None)


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes) and folder (None) under ``folder``, by relative path."""
    return {
        path.relative_to(folder).as_posix(): (
            path.read_bytes() if path.is_file() and not path.is_symlink() else None
        )
        for path in sorted(folder.rglob("*"))
    }


def tree_diff(before: Mapping[str, bytes | None], after: Mapping[str, bytes | None]) -> str:
    """A short account of how two trees differ."""
    gone = sorted(set(before) - set(after))
    new = sorted(set(after) - set(before))
    changed = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    return (
        f"missing {gone[:5]} ({len(gone)}), new {new[:5]} ({len(new)}), "
        f"changed {changed[:5]} ({len(changed)})"
    )


def leftovers(folder: Path, name: str = "site") -> list[str]:
    """Staging, old-site or scratch-cache folders a build left beside its output
    ``folder/name``."""
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.name.startswith((f".{name}.staging-", f".{name}.old-", f".{name}.scratch-"))
    )


def copy_project(source: Path, target: Path, templates: Path) -> Path:
    """A project at ``target`` with ``source``'s content/ and the given templates/."""
    shutil.copytree(source / "content", target / "content")
    shutil.copytree(templates, target / "templates")
    return target


# --- scanning HTML for anything that runs ------------------------------------------------

OWN_SCRIPT = re.compile(r"(?!//)/?(?:[A-Za-z0-9_.-]+/)*static/[A-Za-z0-9_.-]+\.js")
"""The site's own scripts: static/ on the same host (relative, or from the root
on the 404 page, which is served at any depth)."""
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "poster", "background", "data", "ping"}
)
DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")
EMBEDDING_TAGS = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "base"})


class ScriptScan(HTMLParser):
    """Every script element, event-handler attribute and dangerous URL of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[dict[str, str | None]] = []
        """Attributes of each <script>, with its text under the key "#text"."""
        self.handlers: list[str] = []
        """Event-handler attributes (onerror=, onclick=, ...)."""
        self.urls: list[str] = []
        """URL attributes with a javascript:, data: or vbscript: scheme."""
        self.embeds: list[str] = []
        """Embedding elements (iframe, object, embed, base, ...) and meta refreshes."""
        self.text: list[str] = []
        """The page's text outside scripts, entities decoded."""
        self._in_script = False

    @property
    def problems(self) -> list[str]:
        """Everything found that could run or load foreign content."""
        return self.handlers + self.urls + self.embeds

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)
        if tag == "script":
            self.scripts.append({**dict(attrs), "#text": ""})
            self._in_script = True

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check(tag, attrs)
        if tag == "script":
            self.scripts.append({**dict(attrs), "#text": ""})

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and self.scripts:
            self.scripts[-1]["#text"] = (self.scripts[-1]["#text"] or "") + data
        else:
            self.text.append(data)

    def _check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in EMBEDDING_TAGS:
            self.embeds.append(f"<{tag}> element")
        names = {name.lower(): value or "" for name, value in attrs}
        if tag == "meta" and names.get("http-equiv", "").lower() == "refresh":
            self.embeds.append(f"<meta http-equiv=refresh content={names.get('content')!r}>")
        for name, value in names.items():
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES or name == "srcset":
                # Browsers ignore ASCII whitespace and control characters in a URL's scheme.
                squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
                if squeezed.startswith(DANGEROUS_SCHEMES):
                    self.urls.append(f"<{tag} {name}={value!r}>")


def scan_html(data: bytes) -> ScriptScan:
    """Parse one page."""
    scan = ScriptScan()
    scan.feed(data.decode("utf-8"))
    scan.close()
    return scan


def foreign_scripts(scan: ScriptScan) -> list[str]:
    """Scripts that are not the site's own: not src= to static/, not JSON-LD."""
    foreign = []
    for script in scan.scripts:
        src = script.get("src")
        kind = (script.get("type") or "").strip().lower()
        text = (script.get("#text") or "").strip()
        if src is not None and OWN_SCRIPT.fullmatch(src) and not text and kind in ("", "module"):
            continue
        if src is None and kind == "application/ld+json":
            continue
        foreign.append(repr(script)[:300])
    return foreign
