"""Cache: remember parsed reports and rendered pages between builds.

Entries live in ``.osce-digest-cache/`` in the project (git-ignored). Every entry is keyed
by a fingerprint of everything that produced it: the generator's own code and data, the
site's configuration and vocabularies, the day (date checks), and the input itself. Entries
are pickles, so each is signed with HMAC-SHA256 under a key that lives outside the project
(in the user's cache directory): an entry this user did not write on this machine, or one
that is corrupt or stale, fails verification and is ignored, never unpickled.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import enum
import hashlib
import hmac
import io
import operator
import os
import pickle
import secrets
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from importlib import metadata, resources
from pathlib import Path
from typing import Any, BinaryIO

from osce_digest import __version__
from osce_digest.model import ReportSummary

FOLDER = ".osce-digest-cache"
"""The cache folder's name, in the project root."""

FORMAT = b"osce-digest-cache/3"
"""Bumped when the layout of entries changes."""


class Cache:
    """Signed pickles under one folder, each named by a hex digest."""

    def __init__(self, folder: Path, key: bytes) -> None:
        self.folder = folder
        self.key = key
        self._root = str(folder)  # entries are found by string: a build reads thousands

    def get(self, kind: str, name: str) -> Any | None:
        """The value stored under ``kind/name``, or None when absent or not verifiable."""
        try:
            with open(os.path.join(self._root, kind, f"{name}.pickle"), "rb") as file:
                blob = file.read()
        except OSError:
            return None
        view = memoryview(blob)  # slices without copying: entries run to megabytes
        return self._verified(kind, name, view[:32], view[32:])

    def get_part(self, kind: str, name: str, index: int) -> Any | None:
        """Value ``index`` of an entry stored with :meth:`put_parts`, or None when absent
        or not verifiable. Only that value is read, verified and unpickled."""
        try:
            # Unbuffered: two reads for the value, a seek past each one before it.
            with open(os.path.join(self._root, kind, f"{name}.pickle"), "rb", buffering=0) as file:
                size = os.fstat(file.fileno()).st_size
                for _ in range(index):
                    skip = int.from_bytes(file.read(_PART_HEAD)[:8], "big")
                    file.seek(min(skip, size), os.SEEK_CUR)
                head = file.read(_PART_HEAD)
                length = int.from_bytes(head[:8], "big")
                # A length past the end is a damaged entry, never a read of that many bytes.
                whole = len(head) == _PART_HEAD and length <= size - file.tell()
                payload = file.read(length) if whole else b""
        except OSError:
            return None
        if len(payload) != length:
            return None
        return self._verified(kind, f"{name}/{index}", head[8:], payload)

    def names(self, kind: str) -> set[str]:
        """The names of the entries of ``kind`` (not whether they verify)."""
        try:
            files = os.listdir(os.path.join(self._root, kind))
        except OSError:
            return set()
        return {file.removesuffix(".pickle") for file in files if file.endswith(".pickle")}

    def put(self, kind: str, name: str, value: Any, *, memo: bool = True) -> bool:
        """Store a value; a cache that cannot be written is skipped, never an error.
        Returns whether the value was stored.

        The pickle streams into the file as it is made, signed on the way (the signature
        goes in front at the end): an entry is never held in memory whole. Without
        ``memo``, objects met twice are written twice: for large values with little
        sharing, whose pickling memo (an entry per object) would cost more memory.
        """
        mac = self._mac(kind, name)

        def write(file: BinaryIO) -> None:
            file.write(bytes(32))
            pickler = pickle.Pickler(_Signing(file, mac), protocol=pickle.HIGHEST_PROTOCOL)
            pickler.fast = not memo
            pickler.dump(value)
            file.seek(0)
            file.write(mac.digest())

        return self._write(kind, name, write)

    def put_parts(self, kind: str, name: str, values: Iterable[Any]) -> bool:
        """Store several values as one entry, each signed and read on its own with
        :meth:`get_part`. Returns whether they were stored.

        A value may come as :class:`Pickled`, its bytes already made. One file instead of
        one per value: creating a file costs more than writing tens of
        kilobytes into it (here, 0.05 to 0.7 ms of kernel time each), and a cold build
        stores a few values for every report.
        """

        def write(file: BinaryIO) -> None:
            for index, value in enumerate(values):
                if isinstance(value, Pickled):
                    payload = value.data
                else:
                    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
                mac = self._mac(kind, f"{name}/{index}")
                mac.update(payload)
                file.write(len(payload).to_bytes(8, "big") + mac.digest())
                file.write(payload)

        return self._write(kind, name, write)

    def prune(self, kind: str, keep: Iterable[str]) -> None:
        """Delete the entries of ``kind`` not named in ``keep``."""
        wanted = {f"{name}.pickle" for name in keep}
        try:
            entries = list((self.folder / kind).iterdir())
        except OSError:
            return
        for entry in entries:
            if entry.name not in wanted:
                entry.unlink(missing_ok=True)

    def _write(self, kind: str, name: str, write: Callable[[BinaryIO], None]) -> bool:
        """Write an entry through a temporary file, so that it appears whole or not at all;
        whether it was written (a cache that cannot be written is skipped, never an error)."""
        folder = self.folder / kind
        temporary = folder / f".{name}.{os.getpid()}.tmp"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as file:
                write(file)
            temporary.replace(folder / f"{name}.pickle")
        except OSError:
            with contextlib.suppress(OSError):  # it may not even have a folder
                temporary.unlink()
            return False
        return True

    def _verified(self, kind: str, name: str, mac: bytes | memoryview, payload: Any) -> Any | None:
        """The unpickled payload if ``mac`` is its signature under this name, else None."""
        check = self._mac(kind, name)
        check.update(payload)
        if len(mac) != 32 or not hmac.compare_digest(mac, check.digest()):
            return None
        try:
            return pickle.loads(payload)
        except Exception:  # a verified entry that no longer loads: treat as absent
            return None

    def _mac(self, kind: str, name: str) -> hmac.HMAC:
        """The signature of an entry, to be fed its payload."""
        header = FORMAT + b"\0" + kind.encode() + b"\0" + name.encode() + b"\0"
        return hmac.new(self.key, header, hashlib.sha256)


class Pickled:
    """A value for :meth:`Cache.put_parts` pickled already, by a caller that needs the
    bytes too (to digest them)."""

    __slots__ = ("data",)

    def __init__(self, value: Any) -> None:
        self.data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


_PART_HEAD = 8 + 32
"""Before each value of a many-valued entry: its length and its signature."""


class _Signing:
    """A file writer that feeds what it writes to a signature."""

    def __init__(self, file: BinaryIO, mac: hmac.HMAC) -> None:
        self.file = file
        self.mac = mac

    def write(self, data: bytes) -> int:
        self.mac.update(data)
        return self.file.write(data)


def open_cache(root: Path) -> Cache | None:
    """The project's cache, or None when no signing key can be had."""
    key = _signing_key()
    return Cache(root / FOLDER, key) if key is not None else None


@contextlib.contextmanager
def scratch_cache(folder: Path) -> Iterator[Cache]:
    """An empty cache in ``folder`` that lasts one build, signed with a key of its own that
    never leaves this process and its workers; the folder is deleted at the end.

    For a build that must not use the project's cache (``--no-cache``, or no signing key):
    it still holds the full reports between parsing and rendering, so such a build needs
    the memory of a cold one, not all its reports in memory at once (4,000 reports took
    610 MB that way, against 250 MB).
    """
    try:
        yield Cache(folder, secrets.token_bytes(32))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


RENDERING_PACKAGES = ("jinja2", "markdown-it-py", "mdit-py-plugins", "pygments", "pyyaml")
"""Libraries whose version changes what a cached report or page holds."""


def generator_fingerprint() -> str:
    """A digest of the generator itself: version, Python, the libraries that shape its
    output, and every file of the package."""
    versions = [f"{name}={_version(name)}" for name in RENDERING_PACKAGES]
    digest = hashlib.sha256("\0".join([__version__, sys.version, *versions]).encode())
    package = resources.files("osce_digest")
    for path in sorted(_package_files(Path(str(package)))):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def digest_of(*parts: str | bytes) -> str:
    """SHA-256 of the parts, each length-prefixed so they cannot run together."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def context_fingerprint(
    context: Mapping[str, Any],
    shared: Mapping[type, str],
    owned: Mapping[type, Mapping[int, str]] | None = None,
) -> str:
    """A digest of a template context (see ``ContextFingerprint``)."""
    return ContextFingerprint(shared, owned)(context)


class ContextFingerprint:
    """Digests of template contexts; reports and shared lookups enter by their digests.

    Reports enter by their ``content`` digest: what their parse gave, not what it read.
    ``shared`` maps a type (the site view, the directory) to the digest of its one instance.
    ``owned`` maps a type to the digests of some of its objects, by ``id``: parts of a report
    (its positions, its briefs) enter as the report's digest and their place in it, which is
    all they are made from; objects not listed there enter by their values.

    Contexts are pickled with memoising off, so the bytes depend on values alone, not on
    which equal objects happen to be the same object. Reports, those types, dataclasses and
    enums are reduced through the pickler's dispatch table, which the pickler consults only
    for types other than the built-in containers and scalars; the table is made once and
    learns each dataclass the first time one turns up.
    """

    def __init__(
        self, shared: Mapping[type, str], owned: Mapping[type, Mapping[int, str]] | None = None
    ) -> None:
        table = _Reducers(copyreg.dispatch_table)
        table[ReportSummary] = _by_digest
        for kind, digest in shared.items():
            table[kind] = partial(_named, digest)
        for kind, digests in (owned or {}).items():
            table[kind] = partial(_owned, digests, table.fields_of(kind))
        self._table = table

    def __call__(self, context: Mapping[str, Any]) -> str:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = self._table
        pickler.fast = True  # no memo: equal values give equal bytes
        pickler.dump(sorted(context.items()))
        return hashlib.sha256(buffer.getvalue()).hexdigest()


class _Reducers(dict[type, Any]):
    """A dispatch table that makes the reducer of a type on first sight.

    A slotted dataclass otherwise pickles through ``dataclasses.fields`` for every object;
    for a fingerprint the type's name and the field values are enough, and far cheaper.
    Other types (dates) keep their own reduction, remembered too: a type the table lacks
    costs a failed lookup every time one of its objects is met.
    """

    def __missing__(self, kind: type) -> Any:
        if dataclasses.is_dataclass(kind):
            reducer = self.fields_of(kind)
        elif issubclass(kind, enum.Enum):
            reducer = partial(_member, kind.__qualname__)
        else:
            reducer = _own_reduction
        self[kind] = reducer
        return reducer

    @staticmethod
    def fields_of(kind: type) -> Callable[[object], Any]:
        names = tuple(f.name for f in dataclasses.fields(kind))
        if len(names) == 1:  # attrgetter of one name gives the value, not a tuple
            return partial(_as_tuple, kind.__qualname__, lambda value: (getattr(value, names[0]),))
        return partial(_as_tuple, kind.__qualname__, operator.attrgetter(*names))


def _as_tuple(
    name: str, values: Callable[[object], tuple[Any, ...]], value: object
) -> tuple[type[tuple[Any, ...]], Any]:
    return tuple, ((name, *values(value)),)


def _own_reduction(value: object) -> Any:
    return value.__reduce_ex__(pickle.HIGHEST_PROTOCOL)


def _by_digest(report: ReportSummary) -> tuple[type[str], tuple[str]]:
    return str, ("report:" + report.content,)


def _member(name: str, value: enum.Enum) -> tuple[type[str], tuple[str]]:
    return str, (f"{name}.{value.name}",)


def _owned(digests: Mapping[int, str], otherwise: Callable[[object], Any], value: object) -> Any:
    digest = digests.get(id(value))
    return (str, ("part:" + digest,)) if digest is not None else otherwise(value)


def _named(digest: str, _value: object) -> tuple[type[str], tuple[str]]:
    return str, (digest,)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def _package_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.suffix in (".py", ".yaml") and p.is_file()]


def _signing_key() -> bytes | None:
    """This user's key for signing cache entries, made on first use (None if impossible)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "osce-digest" / "cache-key"
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = os.urandom(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(key)
        return key
    except OSError:
        return None
