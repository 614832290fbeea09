"""Incremental: decide which pages must be rendered again, and which the last build made.

Each page gets a fingerprint of everything it is made from: the templates, its context
with reports and the site's view entering by digest, and the entries of the directory its
templates read when it last rendered (see ``lookups``), as they are now. A page whose
fingerprint matches the last build's, and whose file in the output is still the one that
build wrote (the size and time its snapshot recorded, else the same SHA-256), is not
rendered: the file is linked into the new output as it is.

Each finished build also leaves a ``Snapshot``: a digest of all its inputs and the size and
time of every output file. A build whose inputs and output both match it has nothing to do.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from osce_digest.cache import (
    Cache,
    ContextFingerprint,
    context_fingerprint,
    digest_of,
    generator_fingerprint,
)
from osce_digest.diagnostics import Diagnostic, Diagnostics, Packed
from osce_digest.discover import Content, files_under
from osce_digest.indexes import ActorEntry
from osce_digest.load import today
from osce_digest.lookups import EntryDigests, Uses
from osce_digest.model import Brief, Position, ReportSummary
from osce_digest.pages import Page

Manifest = dict[str, tuple[str, str]]
"""Output path to (fingerprint, SHA-256 of the bytes) of every page of a build."""

PageUses = dict[str, Uses]
"""Output path to what of the directory each page of a build read (see ``lookups``)."""


@dataclass
class Reuse:
    """What the last build left that this one can keep."""

    fingerprints: list[str]
    """This build's fingerprint of each page's own inputs (all but the directory), in page
    order."""
    entries: EntryDigests
    """Digests of the directory's entries, for the pages' lookups."""
    render: list[int] = field(default_factory=list)
    """Indices of the pages to render."""
    keep: dict[str, Path] = field(default_factory=dict)
    """Output path to the last build's file, for pages kept as they are."""
    manifest: Manifest = field(default_factory=dict)
    """The manifest of this build, complete once the rendered pages are added."""
    previous: Manifest = field(default_factory=dict)
    """The manifest of the last build into the same output."""
    uses: PageUses = field(default_factory=dict)
    """What each page of this build read of the directory, complete with the manifest."""
    pending: dict[str, str] = field(default_factory=dict)
    """Fingerprints of files made outside templates that must be made again."""
    stats: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Size and modification time of each file the last build left in the output."""


def templates_fingerprint(folder: Path) -> str:
    """A digest of every file under the templates folder."""
    parts: list[str | bytes] = []
    for path in files_under(folder):
        parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    return digest_of(*parts)


def plan_reuse(
    pages: Sequence[Page],
    out: Path,
    templates: str,
    cache: Cache,
    shared: Mapping[str, Any],
    stats: dict[str, tuple[int, int]],
    reports: Sequence[ReportSummary] = (),
    entries: Iterable[ActorEntry] = (),
) -> Reuse:
    """Fingerprint every page and find those the last build into ``out`` already made
    (``stats``: its snapshot's files, see ``Snapshot.files``; ``templates``: the templates'
    fingerprint, which each page's includes with the generator's).

    In this process: fingerprinting 8,600 pages takes a third of a second here, and
    forking a worker for it (its copy of the page tables, then the parent's own faults on
    every page it shares) took longer than the half it saved.

    The positions and briefs of ``reports``, and the actor and country ``entries`` made of
    them, enter the fingerprints by digests of their reports' (see ``report_parts``)."""
    known = {
        type(value): f"{name}:{context_fingerprint({name: value}, {})}"
        for name, value in shared.items()
    }
    # The generator's own code renders pages too (filters, the directory, the page plans):
    # a page none of whose reports changed is still made again by a changed generator.
    made_by = digest_of(generator_fingerprint(), templates)
    state = (pages, made_by, ContextFingerprint(known, report_parts(reports, entries)))
    fingerprints = [_fingerprint(state, index) for index in range(len(pages))]
    previous, previous_uses = _previous(cache, out)
    digests = EntryDigests(shared["d"])
    reuse = Reuse(fingerprints, digests, previous=previous, stats=stats)
    for index, (page, own) in enumerate(zip(pages, fingerprints, strict=True)):
        last = previous.get(page.output)
        uses = previous_uses.get(page.output)
        path = out / page.output
        if (
            last is not None
            and uses is not None
            and (read := digests.of(uses)) is not None
            and last[0] == digest_of(own, read)
            and _unchanged(reuse, page.output, path)
        ):
            reuse.keep[page.output] = path
            reuse.manifest[page.output] = last
            reuse.uses[page.output] = uses
        else:
            reuse.render.append(index)
    return reuse


def report_parts(
    reports: Sequence[ReportSummary], entries: Iterable[ActorEntry] = ()
) -> dict[type, dict[int, str]]:
    """The positions and briefs of each report (by ``id``), with the digests of their values
    its summary carries (``ReportSummary.parts``); and a digest of each of ``entries``, made
    of its positions' digests.

    An actor's page holds hundreds of positions; pickling each one's text again for every
    page that shows it took most of a one-report rebuild's time, and reducing each to its
    digest still took half of the fingerprinting. The ids hold while the summaries live: for
    the whole build.
    """
    positions: dict[int, str] = {}
    briefs: dict[int, str] = {}
    for report in reports:
        split = len(report.positions)
        positions.update(zip(map(id, report.positions), report.parts[:split], strict=True))
        briefs.update(zip(map(id, report.briefs), report.parts[split:], strict=True))
    digests: dict[int, str] = {}
    for entry in entries:
        parts = [positions.get(id(p), "") for _, group in entry.positions for p in group]
        if "" not in parts:  # else a position of no report: the entry goes by its values
            shape = [(topic, len(group)) for topic, group in entry.positions]
            digests[id(entry)] = digest_of(
                repr(entry.encounters), repr(entry.counterparts), repr(shape), " ".join(parts)
            )
    return {Position: positions, Brief: briefs, ActorEntry: digests}


def _fingerprint(state: tuple[Sequence[Page], str, ContextFingerprint], index: int) -> str:
    pages, templates, fingerprint = state
    page = pages[index]
    body = page.report.content if page.report is not None else ""
    # A topic's page reads the mentions of that topic alone (see ``Page.mentions_from``).
    topic = page.mentions_of or ""
    read = [f"{r.slug}\0{r.mentioned.get(topic, '')}" for r in page.mentions_from]
    own = {name: value for name, value in page.context.items() if name != "d"}
    return digest_of(templates, page.template, body, *read, fingerprint(own))


def record(
    reuse: Reuse, pages: Sequence[Page], shas: Mapping[str, str], uses: Mapping[str, Uses]
) -> None:
    """Add the freshly rendered pages (output path to SHA-256, and to what each read of the
    directory) to the manifest."""
    for index in reuse.render:
        output = pages[index].output
        read = reuse.entries.of(uses[output])
        assert read is not None  # read of this build's directory
        reuse.manifest[output] = (digest_of(reuse.fingerprints[index], read), shas[output])
        reuse.uses[output] = uses[output]


def keep_unchanged(reuse: Reuse, out: Path, wanted: Mapping[str, str]) -> set[str]:
    """Of files made outside templates (output path to fingerprint), keep those the last
    build made from the same inputs; return the outputs that must be made again."""
    make = set()
    for output, fingerprint in wanted.items():
        last = reuse.previous.get(output)
        path = out / output
        if last is not None and last[0] == fingerprint and _unchanged(reuse, output, path):
            reuse.keep[output] = path
            reuse.manifest[output] = last
        else:
            make.add(output)
            reuse.pending[output] = fingerprint
    return make


def record_files(reuse: Reuse, shas: Mapping[str, str]) -> None:
    """Add freshly made files (of those ``keep_unchanged`` asked for) to the manifest."""
    for output, fingerprint in reuse.pending.items():
        reuse.manifest[output] = (fingerprint, shas[output])


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A finished build: what it was made from, and the output it left."""

    inputs: str
    """Digest of every input (see ``inputs_fingerprint``)."""
    files: dict[str, tuple[int, int]]
    """Every file in the output: relative path to (size, modification time in ns)."""
    reports: int
    """Reports published."""


def inputs_fingerprint(
    content: Content, found: Sequence[Diagnostic], templates: str, options: Sequence[str]
) -> str:
    """A digest of everything a build reads: the content files, the templates, the generator,
    the build's options, and the date (checks compare dates with today, in the site's time
    zone; the dates at both ends of the world's time zones cover every zone)."""
    days = [today(zone).isoformat() for zone in ("Etc/GMT+12", "Etc/GMT-14")]
    files = [*sorted(content.vocabularies.values(), key=lambda f: f.rel), *content.reports]
    return digest_of(
        generator_fingerprint(),
        templates,
        *options,
        *days,
        repr(list(found)),
        *(part for f in files for part in (f.rel, f.digest)),
    )


def output_files(out: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``out``: relative path to (size, modification time in ns); and an
    empty folder as its path with a trailing "/", to (0, 0). A build leaves no empty
    folder, so one added by hand is a change, as a file added by hand is."""
    found: dict[str, tuple[int, int]] = {}
    pending = [(out, "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        if not entries and prefix:
            found[prefix] = (0, 0)
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append((Path(entry.path), f"{prefix}{entry.name}/"))
            else:
                stat = entry.stat(follow_symlinks=False)
                found[prefix + entry.name] = (stat.st_size, stat.st_mtime_ns)
    return found


def last_snapshot(cache: Cache, out: Path) -> Snapshot | None:
    """The snapshot of the last build into ``out``, if the cache has one."""
    snapshot = cache.get("snapshots", _manifest_name(out))
    return snapshot if isinstance(snapshot, Snapshot) else None


def as_left(snapshot: Snapshot, out: Path, inputs: str) -> bool:
    """Whether that build was made from the same inputs and its output is as it left it (no
    file added, removed, or touched): then there is nothing to do."""
    return snapshot.inputs == inputs and output_files(out) == snapshot.files


def last_diagnostics(cache: Cache, out: Path, inputs: str) -> Diagnostics | None:
    """What the last build into ``out`` reported, if it was made from ``inputs``. Kept apart
    from its snapshot: only a build with nothing to do reads them, every other build finds
    its own."""
    entry = cache.get("reported", _manifest_name(out))
    if not (isinstance(entry, tuple) and len(entry) == 3 and entry[0] == inputs):
        return None
    _, loose, packed = entry
    if not (isinstance(loose, tuple) and isinstance(packed, tuple)):
        return None
    if not all(isinstance(d, Diagnostic) for d in loose):
        return None
    if not all(isinstance(p, Packed) for p in packed):
        return None
    try:
        return Diagnostics(loose, packed)
    except ValueError:  # two packs for one file: not ours to trust
        return None


def save_snapshot(
    cache: Cache,
    out: Path,
    inputs: str,
    diagnostics: Diagnostics,
    reports: int,
    files: Iterable[str],
) -> None:
    """Remember a finished build into ``out``: its snapshot and what it reported. ``files``
    are the relative paths it left there, every one (stat by name: walking the thousands
    of page folders took a fifth of a one-report rebuild of 4,000 reports)."""
    # The reports' own diagnostics stay packed (see Packed): tens of thousands of them.
    cache.put("reported", _manifest_name(out), (inputs, *diagnostics.parts()))
    stats = {}
    for rel in sorted(files):
        stat = os.stat(os.path.join(out, rel), follow_symlinks=False)
        stats[rel] = (stat.st_size, stat.st_mtime_ns)
    cache.put("snapshots", _manifest_name(out), Snapshot(inputs, stats, reports))


def save(cache: Cache, out: Path, reuse: Reuse) -> None:
    """Remember what this build wrote into ``out``, and what its pages read."""
    cache.put("outputs", _manifest_name(out), (reuse.manifest, reuse.uses))


def _previous(cache: Cache, out: Path) -> tuple[Manifest, PageUses]:
    entry = cache.get("outputs", _manifest_name(out))
    if isinstance(entry, tuple) and len(entry) == 2:
        manifest, uses = entry
        if isinstance(manifest, dict) and isinstance(uses, dict):
            return manifest, uses
    return {}, {}


def _manifest_name(out: Path) -> str:
    return digest_of(str(out.resolve()))


def _unchanged(reuse: Reuse, output: str, path: Path) -> bool:
    """Whether the file at ``path`` is still the one the last build wrote as ``output``: its
    size and time are as that build left them, or else its bytes hash the same."""
    try:
        stat = path.stat()
    except OSError:
        return False
    if reuse.stats.get(output) == (stat.st_size, stat.st_mtime_ns):
        return True
    return _sha_of(path) == reuse.previous[output][1]


def _sha_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
