"""Parallel: spread per-report parsing and per-page rendering over worker processes.

Workers are forked, so the state they need (the parser, the compiled templates, the planned
pages) is built once per worker by a setup function, or inherited, instead of pickled for
every task; only the task's item and its result cross between processes. Results come back
in input order, so ``--jobs 4`` and ``--jobs 1`` write the same bytes.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
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
    *,
    per_worker: int | None = None,
) -> list[R]:
    """``[task(setup(*args), item) for item in items]``, over ``jobs`` processes, each
    given at least ``per_worker`` items (default ``MIN_ITEMS_PER_WORKER``); fewer items
    run here, without starting any.

    This process is one of the ``jobs``: it forks one worker fewer and takes chunks of
    the items itself whenever the workers have enough queued. A forked worker copies
    every page of memory it touches (reference counts are writes), so an idle parent
    waiting on two workers made the site's model occupy memory three times over.
    """
    if not items:
        return []
    per_worker = max(1, MIN_ITEMS_PER_WORKER if per_worker is None else per_worker)
    if jobs <= 1 or len(items) < per_worker * 2 or not _can_fork():
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


def _can_fork() -> bool:
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


def _initialize(setup: Callable[..., Any], args: tuple[Any, ...]) -> None:
    # The inherited objects live as long as the worker: keep the collector off them (walking
    # them would also copy every page of memory the worker shares with its parent).
    gc.freeze()
    gc.enable()
    _WORKER["state"] = setup(*args)


def _call_chunk(task: Callable[[Any, Any], R], items: list[Any]) -> list[R]:
    state = _WORKER["state"]
    return [task(state, item) for item in items]
