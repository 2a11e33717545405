"""Run one function over many items in worker processes, one per CPU core, results as they finish.

Workers are forked, so they start with the parent's modules imported and with the
`shared` object (say, every loaded department) already in memory: only the items and
the results travel through pipes, and results should be small (sizes, hashes, paths),
never rendered output. Where fork is not available the items run one after another.

A forked worker maps every page of its parent, and the pages count in its resident memory
(and are copied as soon as a reference count on them changes): forked from a build that
holds 3 000 departments, each worker weighed as much as the build itself. Steps whose items
carry what the work needs ask for `fresh` workers instead: forked from a small server
process started on first use (multiprocessing's `forkserver`, with the builder's modules
loaded), given `shared` once each (pickled: keep it small), the parent's environment and
working folder.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing import forkserver, resource_tracker
from typing import Any, TypeVar

from ..errors import BuilderError

Item = TypeVar("Item")
Result = TypeVar("Result")
_shared: Any = None  # what the parent set before forking; read by the workers
SERVER_PRELOAD = ["builder.pipeline.server_start", "builder.pipeline.build"]  # in this order


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
    fresh: bool = False,
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[tuple[Item, Result]]:
    """Yield `(item, function(shared, item))` for every item, in the order they finish.

    `function` must be a module-level function. On the first failure the remaining
    items are cancelled and the exception is raised here. With `fresh`, the workers do
    not inherit the parent's memory (see above): `shared` and the items are pickled.
    `meanwhile` is work for this process, done once the items are handed out: this process
    counts as one of the `jobs`, so one item with `meanwhile` on two cores goes to a worker.
    """
    workers = worker_count(jobs, len(items))
    if worker_count(jobs, len(items) + (meanwhile is not None)) <= 1 or sys.platform != "linux":
        if meanwhile is not None:
            meanwhile()
        for item in items:
            yield item, function(shared, item)
        return
    if fresh:
        context, setup = _forkserver(), (_set_shared, (shared, dict(os.environ), os.getcwd()))
    else:
        context, setup = multiprocessing.get_context("fork"), (None, ())
    global _shared
    _shared = shared
    try:
        with ProcessPoolExecutor(workers, context, initializer=setup[0], initargs=setup[1]) as pool:
            futures = {pool.submit(_call, function, item): item for item in items}
            if meanwhile is not None:
                try:
                    meanwhile()
                except BaseException:
                    pool.shutdown(cancel_futures=True)
                    raise
            yield from _as_completed(futures, pool)
    finally:
        _shared = None


def start_fresh_workers(jobs: int | None) -> None:
    """Start the server of fresh workers now, in the background, when this build may run workers.

    Its start (a new Python loading the builder's modules, about 0.4 s of a core) then overlaps
    the build's first steps on the other core, instead of delaying the first step that asks for
    fresh workers (in a one-department edit, the year's and the site's open data).
    """
    if worker_count(jobs, 2) > 1 and sys.platform == "linux":
        _forkserver()
        resource_tracker.ensure_running()  # first: it unblocks SIGINT when it starts
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # the server inherits it: see server_start
        try:
            forkserver.ensure_running()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a Ctrl+C pressed meanwhile is raised now


def _forkserver() -> multiprocessing.context.BaseContext:
    """The context of fresh workers; its server loads the pipeline's modules once, when first used."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(SERVER_PRELOAD)
    if not _server_stopped_at_exit:
        atexit.register(_stop_server)
        _server_stopped_at_exit.append(True)
    return context


_server_stopped_at_exit: list[bool] = []


def _stop_server() -> None:
    """Stop the server and wait for it, so that its workers' CPU time counts in this process's (benchmarks)."""
    forkserver._forkserver._stop()  # the standard library offers no public way to wait for it


def _set_shared(shared: Any, environ: dict[str, str], cwd: str) -> None:
    """A fresh worker's start: the parent's `shared`, environment and folder (the server's may be older)."""
    global _shared
    _shared = shared
    os.environ.clear()
    os.environ.update(environ)
    os.chdir(cwd)


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
