"""One build at a time per site and per generated folder: a second build waits for the first.

Two builds of one site at once (a scheduled job and an admin's `make site`) would commit
into the same `site/` file by file and rewrite the same generated pages and manifests, so
the site could end up mixing two builds. Each build therefore holds an exclusive `flock`
on a lock file per folder it writes (the site, the generated pages) while it runs; a second
build says whose lock it waits for and goes on when the first ends. The kernel drops the
lock when a process ends, however it ends, so a killed build never leaves a stale lock.

The lock files live in the cache (`<cache>/locks/`, shared by everyone building from the
project), or in the system's temporary folder for a build without a cache — never beside
the site: nothing is written outside the builder's own folders.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .progress import Progress

LOCK_FOLDER = "locks"


def lock_file(folder: Path, cache_dir: Path | None) -> Path:
    """The lock file of `folder` (by its resolved path), in the cache or the system's temporary folder."""
    root = cache_dir if cache_dir is not None else Path(tempfile.gettempdir()) / "budget-builder"
    name = hashlib.sha256(str(folder.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return root / LOCK_FOLDER / f"{name}.lock"


@contextlib.contextmanager
def exclusive(folders: dict[str, Path], cache_dir: Path | None, progress: Progress) -> Iterator[None]:
    """Hold the lock of every folder (named for the messages, e.g. `{"网站文件夹": site}`), in a fixed order."""
    with contextlib.ExitStack() as held:
        seen: set[Path] = set()
        for label, folder in sorted(folders.items(), key=lambda item: str(item[1].resolve())):
            path = lock_file(folder, cache_dir)
            if path not in seen:
                seen.add(path)
                held.enter_context(_locked(path, f"{label} {folder}", progress))
        yield


@contextlib.contextmanager
def _locked(path: Path, what: str, progress: Progress) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(descriptor, 64, 0).decode("ascii", "replace").strip() or "?"
            progress.note(f"另一个构建（进程 {holder}）正在写入{what}，等它结束后继续…（按 Ctrl+C 放弃）")
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, str(os.getpid()).encode("ascii"), 0)
        yield
    finally:
        os.close(descriptor)  # releases the lock
