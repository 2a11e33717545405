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
import contextlib
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing import forkserver, resource_tracker
from pathlib import Path
from typing import Any, TypeVar

from ..errors import BuilderError
from .orphans import watch_parent

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
            try:
                futures = {pool.submit(_call, function, item): item for item in items}
                if meanwhile is not None:
                    try:
                        meanwhile()
                    except BaseException:
                        pool.shutdown(cancel_futures=True)
                        raise
                yield from _as_completed(futures, pool)
            except KeyboardInterrupt:
                _stop_workers(pool)
                raise
    finally:
        _shared = None


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Ctrl+C (or SIGINT sent to this process alone): end the workers now, not once their items are done; a
    worker left waiting for work held the fork server open, and the build's exit waited for it for ever."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


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


SERVER_STOP_SECONDS = 1.0


def _stop_server() -> None:
    """Stop the server and wait for it, so that its workers' CPU time counts in this process's (benchmarks).

    The server stops once every process holding its "alive" pipe has closed it: this one and each worker it
    started. After an interrupted build a worker may be left waiting for work that never comes (it holds its
    own queue's both ends), and `ForkServer._stop` waited for the server without end: past SERVER_STOP_SECONDS
    the server's remaining workers are ended, then the server."""
    server = forkserver._forkserver
    pid = getattr(server, "_forkserver_pid", None)
    if pid is None:
        return
    os.close(server._forkserver_alive_fd)  # asks the server to stop (the standard library offers no public way)
    server._forkserver_alive_fd = None
    if not _exited(pid, SERVER_STOP_SECONDS):
        for child in _children(pid):
            with contextlib.suppress(OSError):
                os.kill(child, signal.SIGKILL)
        if not _exited(pid, SERVER_STOP_SECONDS):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
            _exited(pid, None)
    server._forkserver_pid = None
    address = server._forkserver_address
    server._forkserver_address = None
    if isinstance(address, str) and not address.startswith("\0"):
        with contextlib.suppress(OSError):
            os.unlink(address)


def _exited(pid: int, seconds: float | None) -> bool:
    """Whether child `pid` ended (and was reaped) within `seconds` (None: wait for it)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    try:
        while os.waitpid(pid, 0 if deadline is None else os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:  # type: ignore[operator]
                return False
            time.sleep(0.01)
    except ChildProcessError:
        pass
    return True


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc: the fork server's workers, which are not this process's)."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat_line = Path(entry.path, "stat").read_text()
                if int(stat_line[stat_line.rindex(")") + 2 :].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def _set_shared(shared: Any, environ: dict[str, str], cwd: str) -> None:
    """A fresh worker's start: the parent's `shared`, environment and folder (the server's may be older)."""
    global _shared
    _shared = shared
    watch_parent()
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
