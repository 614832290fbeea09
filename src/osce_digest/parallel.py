"""Parallel: spread per-report parsing and per-page rendering over worker processes.

Workers are forked, so the state they need (the parser, the compiled templates, the planned
pages) is built once per worker by a setup function, or inherited, instead of pickled for
every task; only the task's item and its result cross between processes. Results come back
in input order, so ``--jobs 4`` and ``--jobs 1`` write the same bytes.
"""

from __future__ import annotations

import gc
import io
import multiprocessing
import os
import pickle
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any, TypeVar

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

_WORKER: dict[str, Any] = {}
"""A worker process's own state, set once by its initializer; never used in the parent."""

MIN_ITEMS_PER_WORKER = 8
"""Below this many items per worker, starting processes costs more than it saves."""

MAX_CHUNK = 16
"""Items a worker takes at once, at most. A worker holds a chunk's results until it sends
them; chunks that grew with the site (a quarter of a worker's share) made each worker hold
hundreds of parsed reports, and its collector walk them again and again."""


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run(
    setup: Callable[..., S],
    args: tuple[Any, ...],
    task: Callable[[S, T], R],
    items: Sequence[T],
    jobs: int,
) -> list[R]:
    """``[task(setup(*args), item) for item in items]``, over ``jobs`` processes, each
    given at least ``MIN_ITEMS_PER_WORKER`` items; fewer items run here, without starting
    any.

    This process is one of the ``jobs``: it forks one worker fewer and takes chunks of
    the items itself whenever the workers have enough queued. A forked worker copies
    every page of memory it touches (reference counts are writes), so an idle parent
    waiting on two workers made the site's model occupy memory three times over.
    """
    if not items:
        return []
    per_worker = MIN_ITEMS_PER_WORKER
    if jobs <= 1 or len(items) < per_worker * 2 or not can_fork():
        state = setup(*args)
        return [task(state, item) for item in items]
    workers = min(jobs, len(items) // per_worker)
    chunks = _chunks(len(items), workers)
    done: dict[int, list[R]] = {}
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers - 1, mp_context=context, initializer=_initialize, initargs=(setup, args)
    ) as pool:
        try:
            state = setup(*args)
            pending: dict[Future[list[R]], int] = {}
            few = len(chunks) <= 2 * workers
            queued = (1 if few else QUEUED_PER_WORKER) * (workers - 1)
            for number, chunk in enumerate(chunks):
                if len(pending) < queued:
                    pending[pool.submit(_call_chunk, task, [items[i] for i in chunk])] = number
                else:
                    done[number] = [task(state, items[i]) for i in chunk]
                finished = [future for future in pending if future.done()]
                for future in finished:
                    done[pending.pop(future)] = future.result()
            for future, number in pending.items():
                done[number] = future.result()
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
    return [result for number in range(len(chunks)) for result in done[number]]


QUEUED_PER_WORKER = 2
"""Chunks kept waiting for each worker before this process takes one itself."""


def _chunks(count: int, workers: int) -> list[range]:
    """Consecutive ranges of ``count`` items: a share of what is left each, at most
    ``MAX_CHUNK``, shrinking to single items at the end, so that no process is left
    finishing a large chunk while the others have nothing to do."""
    chunks: list[range] = []
    start = 0
    while start < count:
        size = max(1, min(MAX_CHUNK, (count - start) // (workers * 4)))
        chunks.append(range(start, min(count, start + size)))
        start += size
    return chunks


def can_fork() -> bool:
    """Whether worker processes can be forked here."""
    return "fork" in multiprocessing.get_all_start_methods()


def given(*args: Any) -> tuple[Any, ...]:
    """A setup for tasks whose state is just the arguments (inherited by forked workers)."""
    return args


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with Python's cyclic garbage collector off (the model has no cycles).

    A build holds millions of long-lived objects; every full collection walks all of them,
    and collections come more often as they grow, which made rendering 4,000 reports take
    several times what 1,000 took. Workers forked inside the block collect again, but only
    their own new objects (``_initialize`` freezes what they inherit).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _ignore_interrupts() -> None:
    """In a worker: leave Ctrl-C to the build's own process, which stops the workers (a
    terminal sends SIGINT to the whole process group, and each worker printed its
    traceback)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _initialize(setup: Callable[..., Any], args: tuple[Any, ...]) -> None:
    _ignore_interrupts()
    # The inherited objects live as long as the worker: keep the collector off them (walking
    # them would also copy every page of memory the worker shares with its parent).
    gc.freeze()
    gc.enable()
    _WORKER["state"] = setup(*args)


def _call_chunk(task: Callable[[Any, Any], R], items: list[Any]) -> list[R]:
    state = _WORKER["state"]
    return [task(state, item) for item in items]


class Helpers:
    """Worker processes forked at the start of a build, before the site is loaded, that
    take tasks whose state is sent to them.

    A worker forked after the load (``run``) inherits the whole model, and every page of
    it that either process writes from then on is copied: reference counts, and new objects
    put where freed ones were. Rendering 4,000 reports that way copied about 100 MB twice.
    A helper forked while the heap is small shares little, and holds only what it is sent:
    its state once (``share``'s ``setup``), then chunks of items that refer to the objects
    sent with that state instead of carrying copies (see ``_Refs``).
    """

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("fork")
        self._pools = [
            ProcessPoolExecutor(1, mp_context=context, initializer=_ignore_interrupts)
            for _ in range(count)
        ]
        for pool in self._pools:  # fork now, while the heap is small, not at the first task
            pool.submit(_nothing).result()

    def __len__(self) -> int:
        return len(self._pools)

    def close(self) -> None:
        """Stop the helpers (cancelling what they have not started)."""
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)
        self._pools = []

    def share(
        self,
        task: Callable[[S, T], R],
        items: Sequence[T],
        state: S,
        own: Iterable[Callable[[], None]] = (),
        *,
        setup: tuple[Callable[..., S], tuple[Any, ...], list[object]],
    ) -> list[R]:
        """``[task(state, item) for item in items]``; this process runs each of ``own``
        (work only it can do) first, keeping the helpers supplied between them, then takes
        chunks of the items itself.

        ``setup`` is ``(function, args, shared)``: each helper runs ``task`` with the state
        ``function(*args)``, made once, and items may refer to the objects in ``shared``
        (sent once, with ``args``) without carrying copies of them. With too few items for
        the helpers, this process does everything.
        """
        if len(items) < MIN_ITEMS_PER_WORKER * 2 or not self._pools:
            for unit in own:
                unit()
            return [task(state, item) for item in items]
        function, args, shared = setup
        for begun in [pool.submit(_start, function, args, shared) for pool in self._pools]:
            begun.result()
        positions = {id(obj): index for index, obj in enumerate(shared)}
        chunks = _chunks(len(items), len(self._pools) + 1)
        done: dict[int, list[R]] = {}
        pending: dict[Future[list[R]], tuple[int, int]] = {}
        left = iter(enumerate(chunks))

        def supply() -> None:
            for future in [f for f in pending if f.done()]:
                done[pending.pop(future)[0]] = future.result()
            for helper, pool in enumerate(self._pools):
                while sum(1 for _, h in pending.values() if h == helper) < HELPER_QUEUE:
                    number, chunk = next(left, (-1, range(0)))
                    if number < 0:
                        return
                    blob = _Refs.dumps([items[i] for i in chunk], positions)
                    pending[pool.submit(_call_sent, task, blob)] = (number, helper)

        try:
            for unit in own:
                supply()
                unit()
            supply()
            for number, chunk in left:
                done[number] = [task(state, items[i]) for i in chunk]
                supply()
            for future, (number, _) in pending.items():
                done[number] = future.result()
        except BaseException:
            for future in pending:
                future.cancel()
            # Let the chunks already running finish: they write into a folder the caller
            # is about to remove.
            wait(pending)
            raise
        return [result for number in range(len(chunks)) for result in done[number]]


HELPER_QUEUE = 4
"""Chunks kept waiting for each helper: this process runs its own work in between, and a
unit of it (a topic's page of a large site) can take longer than two chunks."""


class _Refs(pickle.Pickler):
    """Pickles items with the objects a helper already holds (the ``shared`` list of
    ``Helpers.share``) written as their position in that list (``positions``: by ``id``)."""

    def __init__(self, file: io.BytesIO, positions: dict[int, int]) -> None:
        super().__init__(file, pickle.HIGHEST_PROTOCOL)
        self.positions = positions

    def persistent_id(self, obj: object) -> int | None:
        return self.positions.get(id(obj))

    @classmethod
    def dumps(cls, value: object, positions: dict[int, int]) -> bytes:
        file = io.BytesIO()
        cls(file, positions).dump(value)
        return file.getvalue()


class _Resolver(pickle.Unpickler):
    def __init__(self, data: bytes, shared: list[object]) -> None:
        super().__init__(io.BytesIO(data))
        self.shared = shared

    def persistent_load(self, pid: Any) -> object:
        return self.shared[pid]


def _nothing() -> None:
    return None


def _start(setup: Callable[..., Any], args: tuple[Any, ...], shared: list[object]) -> None:
    # The collector was paused in the build that forked this helper; what the helper
    # inherited lives as long as it does, so it is frozen rather than walked.
    gc.freeze()
    gc.enable()
    _WORKER["state"] = setup(*args)
    _WORKER["shared"] = shared


def _call_sent(task: Callable[[Any, Any], R], blob: bytes) -> list[R]:
    items = _Resolver(blob, _WORKER["shared"]).load()
    state = _WORKER["state"]
    return [task(state, item) for item in items]
