"""parallel.run: the items' results in order, whichever process computed them."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import pytest

from osce_digest import parallel


def _doubled_with_pid(state: tuple[int], item: int) -> tuple[int, int]:
    (offset,) = state
    return item * 2 + offset, os.getpid()


def _slowly_doubled_with_pid(state: tuple[int], item: int) -> tuple[int, int]:
    time.sleep(0.002)  # long enough that an idle worker always finds some left
    return _doubled_with_pid(state, item)


def _fails_on_150(state: tuple[()], item: int) -> int:
    if item == 150:
        raise ValueError(f"item {item} is bad")
    return item


def test_results_come_back_in_input_order_from_this_process_and_a_worker() -> None:
    results = parallel.run(parallel.given, (1,), _doubled_with_pid, list(range(300)), 2)
    assert [value for value, _ in results] == [i * 2 + 1 for i in range(300)]
    pids = {pid for _, pid in results}
    assert os.getpid() in pids, "this process takes its share"
    assert len(pids) == 2, "with one worker forked for --jobs 2"


def test_three_jobs_fork_two_workers() -> None:
    results = parallel.run(parallel.given, (0,), _slowly_doubled_with_pid, list(range(600)), 3)
    assert [value for value, _ in results] == [i * 2 for i in range(600)]
    assert len({pid for _, pid in results}) == 3


def test_one_job_or_few_items_run_here() -> None:
    for jobs, count in ((1, 300), (2, parallel.MIN_ITEMS_PER_WORKER * 2 - 1)):
        results = parallel.run(parallel.given, (0,), _doubled_with_pid, list(range(count)), jobs)
        assert {pid for _, pid in results} == {os.getpid()}
        assert [value for value, _ in results] == [i * 2 for i in range(count)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_task_fails_the_run(jobs: int) -> None:
    with pytest.raises(ValueError, match="item 150 is bad"):
        parallel.run(parallel.given, (), _fails_on_150, list(range(300)), jobs)


@pytest.mark.parametrize(("count", "workers"), [(1, 2), (7, 2), (100, 2), (4000, 2), (999, 5)])
def test_chunks_cover_every_item_once_and_shrink_to_single_items(count: int, workers: int) -> None:
    chunks = parallel._chunks(count, workers)
    assert [i for chunk in chunks for i in chunk] == list(range(count))
    assert all(1 <= len(chunk) <= parallel.MAX_CHUNK for chunk in chunks)
    assert len(chunks[-1]) == 1
    sizes = [len(chunk) for chunk in chunks]
    assert sizes == sorted(sizes, reverse=True), "never a larger chunk after a smaller one"


# --- Helpers: forked before the work, sent their state --------------------------------------


class Marker:
    """An object helpers hold once; items refer to it."""

    def __init__(self, name: str) -> None:
        self.name = name


def _helper_state(offset: int, marker: Marker) -> dict[str, object]:
    return {"offset": offset, "marker": marker, "pid": os.getpid()}


def _with_state(state: dict[str, object], item: tuple[int, Marker]) -> tuple[int, int, bool]:
    number, marker = item
    assert isinstance(state["offset"], int)
    time.sleep(0.002)
    return number + state["offset"], os.getpid(), marker is state["marker"]


def _fails_on_7(state: dict[str, object], item: tuple[int, Marker]) -> int:
    if item[0] == 7:
        raise ValueError("item 7 is bad")
    return item[0]


def shared_run(
    task: Callable[[dict[str, object], tuple[int, Marker]], object],
    count: int,
    own: list[Callable[[], None]] | None = None,
) -> list[object]:
    marker = Marker("directory")
    local = _helper_state(100, marker)
    setup = (_helper_state, (100, marker), [marker])
    helpers = parallel.Helpers(1)
    try:
        items = [(i, marker) for i in range(count)]
        return helpers.share(task, items, local, own or [], setup=setup)
    finally:
        helpers.close()


def test_helpers_return_results_in_order_and_hold_the_shared_objects_once() -> None:
    ran: list[int] = []
    own = [lambda n=n: ran.append(n) for n in range(5)]  # type: ignore[misc]
    results = shared_run(_with_state, 200, own)
    assert [r[0] for r in results] == [i + 100 for i in range(200)]  # type: ignore[index]
    pids = {r[1] for r in results}  # type: ignore[index]
    assert os.getpid() in pids, "this process takes chunks once its own work is done"
    assert len(pids) == 2, "and the helper the rest"
    assert all(r[2] for r in results), "an item's shared object is the one the helper holds"
    assert ran == [0, 1, 2, 3, 4], "this process ran its own work, in order"


def test_helpers_are_not_started_for_a_few_items() -> None:
    results = shared_run(_with_state, parallel.MIN_ITEMS_PER_WORKER * 2 - 1)
    assert {r[1] for r in results} == {os.getpid()}  # type: ignore[index]


def test_a_failing_task_in_a_helper_fails_the_share() -> None:
    with pytest.raises(ValueError, match="item 7 is bad"):
        shared_run(_fails_on_7, 200)


def test_a_helper_is_forked_when_made_not_when_first_given_work() -> None:
    helpers = parallel.Helpers(2)
    try:
        assert len(helpers) == 2
        children = [p for p in os.listdir("/proc") if p.isdigit() and _parent(p) == os.getpid()]
        assert len(children) >= 2
    finally:
        helpers.close()


def _parent(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1
