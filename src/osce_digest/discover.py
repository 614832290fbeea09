"""Discover: find and read the content files of a project.

Reads bytes, decodes strict UTF-8 (a bad byte is a diagnostic with its line and column,
never replaced), and refuses files that lead outside ``content/``.
"""

from __future__ import annotations

import errno
import hashlib
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from osce_digest.diagnostics import Diagnostic, error

MAX_FILE_BYTES = 2_000_000
"""Larger content files are refused: a report runs to tens of kilobytes, and parsing stays
well under ten seconds up to this size."""

VOCABULARY_FILES = ("site.yaml", "topics.yaml", "actors.yaml", "venues.yaml", "sources.yaml")


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A content file read from disk."""

    path: Path
    """Absolute path."""
    rel: str
    """Path relative to the project root, with forward slashes, for messages."""
    text: str | None
    """Decoded text, newlines normalised to \\n; None when let go (see ``discover``), to
    be read again with :func:`text_of`."""
    digest: str = ""
    """SHA-256 of the file's bytes (after a byte-order mark): what it is, text or not."""


Stamp = tuple[int, int, int, int, str]
"""A report file's size, modification and change times (ns) and inode, and its digest."""


@dataclass(frozen=True, slots=True)
class Content:
    """Every content file of a project."""

    vocabularies: dict[str, SourceFile]
    """site.yaml, topics.yaml, ... by file name (absent files are missing)."""
    reports: tuple[SourceFile, ...]
    """content/reports/**/*.md, sorted by path."""
    stamps: dict[str, Stamp] = field(default_factory=dict)
    """The reports that can be known by their stamp next time, by relative path (see
    ``discover``)."""


SETTLED_NS = 2_000_000_000
"""A file changed this recently is read again next time, whatever its stamp says: a change
within the same tick of the file system's clock would leave the stamp as it was."""


def text_of(file: SourceFile) -> str | None:
    """A file's text, read again if it was let go; None if the file is no longer what was
    read (changed, removed or unreadable since)."""
    if file.text is not None:
        return file.text
    try:
        data = file.path.read_bytes()
    except OSError:
        return None
    data = data.removeprefix(b"\xef\xbb\xbf")
    if hashlib.sha256(data).hexdigest() != file.digest:
        return None
    return _normalised(data.decode("utf-8"))


def read_source(path: Path, root: Path) -> tuple[SourceFile | None, list[Diagnostic]]:
    """Read one file as strict UTF-8."""
    rel = _rel(path, root)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [error(rel, 0, 0, "unreadable", f"cannot read the file: {exc.strerror}")]
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [not_utf8(rel, data, exc)]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, [error(rel, line, 1, "binary-file", "the file contains a NUL byte")]
    return SourceFile(path, rel, _normalised(text), hashlib.sha256(data).hexdigest()), []


def not_utf8(rel: str, data: bytes, exc: UnicodeDecodeError) -> Diagnostic:
    """The error for a file whose bytes ``data`` failed to decode as UTF-8."""
    line = data.count(b"\n", 0, exc.start) + 1
    col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
    return error(
        rel,
        line,
        col,
        "not-utf8",
        f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
        "save the file as UTF-8 in your editor",
    )


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def discover(
    root: Path, *, report_texts: bool = True, stamps: Mapping[str, Stamp] | None = None
) -> tuple[Content, list[Diagnostic]]:
    """Find and read content/site.yaml, the vocabularies and every report.

    Without ``report_texts``, each report is checked and digested but its text let go
    (:func:`text_of` reads it again): a build parses only the reports its cache lacks, and
    a site's worth of text held meanwhile adds up. Then a report whose size, times and
    inode are what ``stamps`` (an earlier ``Content.stamps``) says is not read at all:
    its digest is the stamp's. (Reading and digesting 4,000 reports took a twentieth of a
    one-report rebuild.) The change time cannot be set back by hand, and a report changed
    in the last ``SETTLED_NS`` is never stamped.
    """
    started = time.time_ns()
    known = stamps if stamps is not None and not report_texts else {}
    fresh: dict[str, Stamp] = {}
    content_dir = root / "content"
    diagnostics: list[Diagnostic] = []
    vocabularies: dict[str, SourceFile] = {}
    for name in VOCABULARY_FILES:
        path = content_dir / name
        if path.is_file():
            file, problems = _read_inside(path, root, content_dir)
            diagnostics += problems
            if file is not None:
                vocabularies[name] = file
        elif os.path.lexists(path):  # a link to nothing, a pipe, a folder: never ignored
            diagnostics.append(_not_a_file(path, root))
    reports: list[SourceFile] = []
    reports_dir = content_dir / "reports"
    if not reports_dir.is_dir():
        if content_dir.is_dir():  # no content/ at all is the command's error, not this
            diagnostics.append(_no_reports_folder(reports_dir, root))
    else:
        inside = content_dir.resolve()
        within = reports_dir.resolve().is_relative_to(inside)
        files, linked, odd, misnamed, unreadable = _walk(reports_dir)
        diagnostics += [_not_a_file(path, root) for path in odd]
        diagnostics += [_misnamed(path, root) for path in misnamed]
        diagnostics += [
            error(
                _rel(path, root),
                0,
                0,
                "unreadable",
                f"cannot read the folder: {reason}",
                "give the build permission to read it, or move the reports out of it",
            )
            for path, reason in unreadable
        ]
        for link in linked:  # not followed: say so
            _, problems = _read_inside(link, root, inside)
            diagnostics += problems or [
                error(
                    _rel(link, root),
                    0,
                    0,
                    "linked-folder",
                    "reports in a linked folder are not read",
                    "move the folder into content/reports/ instead of linking to it",
                )
            ]
        for path, is_link in files:
            if is_link or not within:
                file, problems = _read_inside(path, root, inside)
            else:  # a plain file in plain folders under content/: inside, no need to resolve
                file, problems = _read_stamped(path, root, known, fresh, started)
            diagnostics += problems
            if file is not None:
                reports.append(
                    file if report_texts else SourceFile(path, file.rel, None, file.digest)
                )
    return Content(vocabularies, tuple(reports), fresh), diagnostics


def _read_stamped(
    path: Path, root: Path, known: Mapping[str, Stamp], fresh: dict[str, Stamp], started: int
) -> tuple[SourceFile | None, list[Diagnostic]]:
    """``_read_checked``, or the file as ``known`` has it when its stamp still holds; a
    file read cleanly and settled is stamped in ``fresh``."""
    rel = _rel(path, root)
    try:
        stat = os.stat(path)
    except OSError:
        return _read_checked(path, root)
    seen = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
    stamp = known.get(rel)
    if isinstance(stamp, tuple) and len(stamp) == 5 and stamp[:4] == seen:
        fresh[rel] = stamp
        return SourceFile(path, rel, None, str(stamp[4])), []
    file, problems = _read_checked(path, root, stat.st_size)
    settled = max(stat.st_mtime_ns, stat.st_ctime_ns) < started - SETTLED_NS
    if file is not None and not problems and settled:
        fresh[rel] = (*seen, file.digest)  # the stat from before the read: a change meanwhile
        # leaves a stamp that no longer holds, never one that holds for other bytes
    return file, problems


def static_files(folder: Path) -> list[tuple[str, Path]]:
    """The files of a static folder (templates/static/) that are published, by relative
    path: all but hidden ones."""
    if not folder.is_dir():
        return []
    return [
        (path.relative_to(folder).as_posix(), path)
        for path in files_under(folder)
        if not path.name.startswith(".")
    ]


def files_under(folder: Path) -> list[Path]:
    """Every file under ``folder`` (templates, static files), sorted by path segments.

    Linked folders are followed, as Jinja follows them when it opens a template, each real
    folder once along a path so that a link back up cannot loop. (``Path.rglob`` does not
    follow them: a template included through a linked folder was missing from the
    fingerprint of the templates, and an edit to it went unseen.)
    """
    found: list[tuple[tuple[str, ...], Path]] = []
    pending: list[tuple[str, tuple[str, ...], frozenset[str]]] = [
        (str(folder), (), frozenset({os.path.realpath(folder)}))
    ]
    while pending:
        path, parts, above = pending.pop()
        try:
            entries = list(os.scandir(path))
        except OSError:
            continue
        for entry in entries:
            try:
                is_dir = entry.is_dir()  # follows a link
                is_file = not is_dir and entry.is_file()
            except OSError:
                continue
            if is_dir:
                real = os.path.realpath(entry.path)
                if real not in above:
                    pending.append((entry.path, (*parts, entry.name), above | {real}))
            elif is_file:
                found.append(((*parts, entry.name), Path(entry.path)))
    return [path for _, path in sorted(found)]


_NEAR_MISSES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")
"""Endings (in any case) of a file an editor meant as a report: only ``.md`` is one."""


def _walk(
    folder: Path,
) -> tuple[list[tuple[Path, bool]], list[Path], list[Path], list[Path], list[tuple[Path, str]]]:
    """The ``*.md`` files under ``folder`` (whether each is a symbolic link), leaving out
    hidden files and folders and not following linked folders; the linked folders; the
    ``*.md`` entries that are neither file nor folder (a link to nothing, a pipe); the
    files named like a report that are not ``*.md`` (``x.MD``, ``x.markdown``); and the
    folders that could not be read, with the reason.

    Sorted as ``sorted(folder.rglob(...))`` sorts: by path segments. ``os.scandir``, not
    ``pathlib``: a site has thousands of reports, and this runs on every build.
    """
    files: list[tuple[tuple[str, ...], bool]] = []
    linked: list[tuple[str, ...]] = []
    odd: list[tuple[str, ...]] = []
    misnamed: list[tuple[str, ...]] = []
    unreadable: list[tuple[tuple[str, ...], str]] = []
    pending: list[tuple[str, tuple[str, ...], bool]] = [(str(folder), (), False)]
    while pending:
        path, parts, hidden = pending.pop()
        try:
            entries = list(os.scandir(path))
        except OSError as exc:
            if not hidden:
                unreadable.append((parts, exc.strerror or str(exc)))
            continue
        for entry in entries:
            at = (*parts, entry.name)
            is_link = entry.is_symlink()
            if _is(entry.is_dir):  # follows a link: a linked folder is reported, not walked
                if is_link:
                    linked.append(at)
                else:
                    pending.append((entry.path, at, hidden or entry.name.startswith(".")))
            elif not hidden and not entry.name.startswith(".") and entry.name.endswith(".md"):
                if _is(entry.is_file):
                    files.append((at, is_link))
                else:
                    odd.append(at)
            elif (
                not hidden
                and not entry.name.startswith(".")
                and entry.name.lower().endswith(_NEAR_MISSES)
                and _is(entry.is_file)
            ):
                misnamed.append(at)
    files.sort()
    return (
        [(folder.joinpath(*at), is_link) for at, is_link in files],
        [folder.joinpath(*at) for at in sorted(linked)],
        [folder.joinpath(*at) for at in sorted(odd)],
        [folder.joinpath(*at) for at in sorted(misnamed)],
        [(folder.joinpath(*at), reason) for at, reason in sorted(unreadable)],
    )


def _no_reports_folder(path: Path, root: Path) -> Diagnostic:
    """The error for a project whose content/reports/ is missing or not a folder: built
    as it is, the site would be published without a single report."""
    if os.path.lexists(path) and not path.is_symlink():
        message = "content/reports is a file, not the folder of reports"
        hint = "rename the file, and put the reports in a folder content/reports/"
    elif path.is_symlink():
        message = f"content/reports links to {os.readlink(path)}, which is not a folder"
        hint = "point the link at the folder of reports, or make content/reports/ a folder"
    else:
        message = "the folder of reports, content/reports/, is missing"
        hint = "create it (an empty folder builds a site without reports)"
    return error(_rel(path, root), 0, 0, "no-reports-folder", message, hint)


def _misnamed(path: Path, root: Path) -> Diagnostic:
    """The error for a file named like a report that is not read as one."""
    return error(
        _rel(path, root),
        0,
        0,
        "not-a-report-name",
        "this file is not read: a report's file name ends in .md, in lower case",
        f"rename it to {path.name.rsplit('.', 1)[0].lower()}.md",
    )


def _is(test: Callable[[], bool]) -> bool:
    """``DirEntry.is_dir`` or ``is_file``, false for a link that loops."""
    try:
        return test()
    except OSError:
        return False


def _not_a_file(path: Path, root: Path) -> Diagnostic:
    """The error for a report or vocabulary entry that cannot be read as a file."""
    if path.is_symlink():
        try:
            os.stat(path)
            fate = "cannot be read"
        except OSError as exc:
            fate = "loops back on itself" if exc.errno == errno.ELOOP else "does not exist"
        message = f"this file links to {os.readlink(path)}, which {fate}"
        hint = "point the link at a file in content/, or remove it"
    elif path.is_dir():
        message = "this is a folder, not a file, so it is not read"
        hint = "rename the folder, and put the file itself here"
    else:
        message = "this is not a regular file (a pipe, socket or device), so it is not read"
        hint = "replace it with the file itself, or remove it"
    return error(_rel(path, root), 0, 0, "not-a-file", message, hint)


def _read_inside(
    path: Path, root: Path, content_dir: Path
) -> tuple[SourceFile | None, list[Diagnostic]]:
    real = path.resolve()
    if not real.is_relative_to(content_dir.resolve()):
        return None, [
            error(
                _rel(path, root),
                0,
                0,
                "outside-content",
                f"this {'folder' if path.is_dir() else 'file'} links to {real}, outside content/",
                "copy it into content/ instead of linking to it",
            )
        ]
    if path.is_dir():
        return None, []
    return _read_checked(path, root)


def _read_checked(
    path: Path, root: Path, size: int | None = None
) -> tuple[SourceFile | None, list[Diagnostic]]:
    """Read a file known to be inside ``content/``, refusing one too large (``size``: its
    size, when already known)."""
    if size is None:
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
    if size > MAX_FILE_BYTES:
        return None, [
            error(
                _rel(path, root),
                1,
                1,
                "file-too-large",
                f"the file is {size / 1e6:.1f} MB; content files are read up to "
                f"{MAX_FILE_BYTES // 1_000_000} MB",
                "split it into several reports",
            )
        ]
    return read_source(path, root)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
