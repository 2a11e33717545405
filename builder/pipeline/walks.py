"""The two walks a build begins before its first step, in a child process: the published site's files (with
their sizes and modification times) and the generated pages' folder.

On a thread of the build process they held the interpreter's lock against the first steps: at 3 000
departments each walk is about 150 000 entries and 2 s of Python, and reading the data and the open-data
step waited for their share of the lock. A child process walks on the other core; the build reads one
`marshal`ed answer (`begin`). The child runs this file by its path, in isolated mode, with nothing
imported but the standard library (not the builder package: no start-up cost beyond the interpreter's).
Where the child cannot answer (a folder it may not read, say), the walk is made in the build process as
before, so that what fails fails there, with its own error.
"""

from __future__ import annotations

import marshal
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

SiteListing = tuple[list[str], dict[str, tuple[int, int]], list[str]]  # files, regular ones' (size, mtime), folders
# files, folders (an empty one ending in `/`), symlinks as (path, path from the folder): see `generated_listing`
GeneratedListing = tuple[list[str], list[str], list[tuple[str, str]]]


def site_listing(root: str, sizes: bool) -> SiteListing:
    """Every entry under `root` that is not a real folder (paths from it), following no symlink; with `sizes`,
    each regular file's size and modification time (one `lstat` each); the real folders."""
    files, regular, folders = [], {}, []
    pending = [""]
    while pending:
        folder = pending.pop()
        with os.scandir(os.path.join(root, folder)) as entries:
            for entry in entries:
                path = f"{folder}/{entry.name}" if folder else entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.append(path)
                    pending.append(path)
                    continue
                files.append(path)
                if sizes and entry.is_file(follow_symlinks=False):
                    status = entry.stat(follow_symlinks=False)
                    if stat.S_ISREG(status.st_mode):  # not replaced by something else since listed
                        regular[path] = (status.st_size, status.st_mtime_ns)
    return files, regular, folders


def generated_listing(root: str) -> GeneratedListing:
    """The files under `root` (paths from it), its folders in the order found, each empty one ending in `/`, and
    its symlinks (path, path from `root`), which the caller checks (builder/pipeline/steps/write_pages.py:
    `walk`). A symlink to a folder is listed as a symlink only, as `os.walk` leaves it."""
    files: list[str] = []
    folders: list[str] = []
    links: list[tuple[str, str]] = []
    pending = [("", root, -1)]
    while pending:
        prefix, directory, index = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
        except FileNotFoundError:
            continue
        if not entries and index >= 0:
            folders[index] += "/"
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append((f"{prefix}{entry.name}/", entry.path, len(folders)))
                folders.append(entry.path)
            elif entry.is_symlink():
                links.append((entry.path, prefix + entry.name))
            else:
                files.append(prefix + entry.name)
    return files, folders, links


def begin(
    kind: str, root: Path, after: Executor, made_here: Callable[[], Any], shape: Callable[[Any], Any]
) -> Future[Any]:
    """The walk `kind` ("site": `site_listing` with sizes, or "generated") of `root` in a child process; its
    answer read and given `shape` on `after` (a thread), or `made_here()` when the child gave none."""
    try:
        child = subprocess.Popen(
            [sys.executable, "-I", "-S", __file__, kind, os.fspath(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
    except OSError:
        return after.submit(made_here)
    return after.submit(_answer, child, made_here, shape)


def _answer(child: subprocess.Popen[bytes], made_here: Callable[[], Any], shape: Callable[[Any], Any]) -> Any:
    assert child.stdout is not None
    with child:
        data = child.stdout.read()
    if child.returncode == -signal.SIGINT:  # Ctrl+C: the build stops too; no walk here to hold its exit up
        raise KeyboardInterrupt
    if child.returncode != 0:
        return made_here()
    try:
        listing = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return made_here()
    return shape(listing)


def _main(kind: str, root: str) -> None:
    answer = site_listing(root, True) if kind == "site" else generated_listing(root)
    sys.stdout.buffer.write(marshal.dumps(answer))


if __name__ == "__main__":
    _main(sys.argv[1], sys.argv[2])
