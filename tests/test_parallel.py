"""parallel.run: the items' results in order, whichever process computed them."""

from __future__ import annotations

import os

import pytest

from osce_digest import parallel


def _doubled_with_pid(state: tuple[int], item: int) -> tuple[int, int]:
    (offset,) = state
    return item * 2 + offset, os.getpid()


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
    results = parallel.run(parallel.given, (0,), _doubled_with_pid, list(range(600)), 3)
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
