"""Run one function over many items in worker processes, one per CPU core, results as they finish.

Workers are forked, so they start with the parent's modules imported and with the
`shared` object (say, every loaded department) already in memory: only the items and
the results travel through pipes, and results should be small (sizes, hashes, paths),
never rendered output. Where fork is not available the items run one after another.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

from ..errors import BuilderError

Item = TypeVar("Item")
Result = TypeVar("Result")
_shared: Any = None  # what the parent set before forking; read by the workers


def cpu_count() -> int:
    """The cores this process may use (a CI container's limit, not the host's)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def worker_count(jobs: int | None, items: int) -> int:
    """`jobs`, or one per core, never more than there are items; at least one."""
    if jobs is not None and jobs < 1:
        raise BuilderError(f"--jobs 应为正整数，收到 {jobs}")
    return max(1, min(jobs or cpu_count(), items))


def run_parallel(
    function: Callable[[Any, Item], Result],
    items: Sequence[Item],
    jobs: int | None = None,
    shared: Any = None,
) -> Iterator[tuple[Item, Result]]:
    """Yield `(item, function(shared, item))` for every item, in the order they finish.

    `function` must be a module-level function. On the first failure the remaining
    items are cancelled and the exception is raised here.
    """
    workers = worker_count(jobs, len(items))
    if workers <= 1 or sys.platform != "linux":
        for item in items:
            yield item, function(shared, item)
        return
    global _shared
    _shared = shared
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(_call, function, item): item for item in items}
            yield from _as_completed(futures, pool)
    finally:
        _shared = None


def _call(function: Callable[[Any, Item], Result], item: Item) -> Result:
    return function(_shared, item)


def _as_completed(futures: dict[Future[Result], Item], pool: ProcessPoolExecutor) -> Iterator[tuple[Item, Result]]:
    remaining = set(futures)
    while remaining:
        finished, remaining = wait(remaining, return_when=FIRST_COMPLETED)
        for future in finished:
            error = future.exception()
            if error is not None:
                pool.shutdown(cancel_futures=True)
                raise error
            yield futures[future], future.result()
