"""Hashes of what shapes an output besides its own data: the builder's code, the theme, the configuration.

A rebuild reuses an output only when the hash (its key) is unchanged, so every key
includes one of these fingerprints. They hash file contents, never paths or dates,
so two machines with the same checkout compute the same keys (builds split across
machines merge by key, see builder/pipeline/outputs.py).
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import time
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from .. import PROJECT_ROOT

BUILDER = PROJECT_ROOT / "builder"
THEME = PROJECT_ROOT / "theme"
LOCK = PROJECT_ROOT / "requirements.lock"
# Theme folders that do not reach the MkDocs output directly: page templates show in the
# generated Markdown (hashed with each page), print templates in the PDF keys.
NOT_IN_SITE_CHROME = ("pages", "print", "scaffold")


def digest(*parts: str | bytes) -> str:
    """sha256 of the parts, each followed by a NUL so that ("ab", "c") and ("a", "bc") differ."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8") if isinstance(part, str) else part)
        hasher.update(b"\0")
    return hasher.hexdigest()


def content_sha256(data: bytes) -> str:
    """The SHA-256 of bytes in memory (a page's text, a zip), as in SHA256SUMS files."""
    return hashlib.sha256(data).hexdigest()


def content_hasher() -> hashlib._Hash:
    """A SHA-256 to feed bytes as they are written (a joined download), giving `content_sha256` of them all."""
    return hashlib.sha256()


def file_sha256(path: Path) -> str:
    """The SHA-256 of one file's bytes, read in blocks (a PDF or a site download can be large)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def files_digest(root: Path, files: Iterable[Path]) -> str:
    """A hash of the files' paths (relative to `root`) and contents."""
    hasher = hashlib.sha256()
    for path in sorted(files):
        hasher.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        hasher.update(path.read_bytes() + b"\0")
    return hasher.hexdigest()


def _environment() -> str:
    """The Python version and the exact library versions (requirements.lock)."""
    lock = LOCK.read_bytes() if LOCK.exists() else b""
    return digest(sys.version.split()[0], lock)


@cache
def code_fingerprint() -> str:
    """The builder's Python code and libraries: anything that reads data or writes open data depends on it."""
    return digest(files_digest(BUILDER, BUILDER.rglob("*.py")), _environment())


def site_chrome_fingerprint(mkdocs_config: Path) -> str:
    """What MkDocs wraps around every page: mkdocs.yml, the theme overrides and assets, the builder's code (the hooks,
    and the settings it gives MkDocs: a new version of the builder makes every page again, as the guide says; only
    the hooks counted, and a page kept its old HTML after an upgrade), the libraries."""
    theme_files = [
        path
        for path in THEME.rglob("*")
        if path.is_file() and path.relative_to(THEME).parts[0] not in NOT_IN_SITE_CHROME
    ]
    return digest(files_digest(THEME, theme_files), mkdocs_config.read_bytes(), code_fingerprint())


# A file whose modification or status change time is this close to the moment it is hashed is never remembered by
# `FileMemo`: a change right after the hashing could leave both times as they were (coarse clocks), as git's
# "racily clean" files.
SETTLED_NS = 2_000_000_000
FileMemo = dict[str, tuple[tuple[int, ...], str]]  # path → (what `os.stat` said, SHA-256 of the bytes)


def memo_sha256(path: Path, memo: FileMemo) -> str:
    """`file_sha256`, remembered in `memo` for a file last changed well before it was hashed (`SETTLED_NS`):
    asked again, the file is only `stat`ed, and hashed again when its size, times, inode or device differ.

    Any write to a file sets its modification and status change times to the time of the write (and setting them
    back sets the status change time to now), so a file changed after it was hashed never matches what
    was remembered. A build hashes its inputs at its start and again at its end (builder/pipeline/unchanged.py):
    136 MB of data files at 3 000 departments, read twice, where the second time costs a `stat` each."""
    key = str(path)
    status = os.stat(path)
    signature = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)
    found = memo.get(key)
    if found is not None and found[0] == signature:
        return found[1]
    settled = max(status.st_mtime_ns, status.st_ctime_ns) < time.time_ns() - SETTLED_NS
    sha = file_sha256(path)
    if settled:
        memo[key] = (signature, sha)
    return sha


def tree_digest(
    root: Path,
    skip: Path | None = None,
    memo: FileMemo | None = None,
    inside: Sequence[Path] = (PROJECT_ROOT,),
    follow_folders: bool = True,
) -> str:
    """Every file under `root` by path and bytes, as a build reads them; folder `skip` left out.

    Only regular files are opened, and only where a build may read: a symlink whose real path lies outside
    `inside` (a build refuses it) is hashed as its link text, a pipe or device as what it is, so that a FIFO or
    `/dev/zero` in the data folder cannot hold the build before its checks refuse them, and a link to `/etc`
    is never read. Linked folders are followed when `follow_folders` (MkDocs follows them in content/; the
    data files are found without following them, builder/data/load.py).

    With `memo`, files hashed before and not changed since are not read again (`memo_sha256`)."""
    hasher = hashlib.sha256()
    skipped = skip.resolve() if skip is not None else None
    bounds = [Path(os.path.realpath(path)) for path in inside]
    for directory, folders, files in os.walk(root, followlinks=follow_folders):
        kept = []
        for name in sorted(folders):
            path = Path(directory, name)
            real = path.resolve()
            if real == skipped:
                continue
            if path.is_symlink() and not (follow_folders and _within(real, bounds)):
                _add(hasher, root, path, "link:" + os.readlink(path))
                continue
            kept.append(name)
        folders[:] = kept
        for name in sorted(files):
            path = Path(directory, name)
            _add(hasher, root, path, _file_state(path, bounds, memo))
    return hasher.hexdigest()


def _within(real: Path, bounds: Sequence[Path]) -> bool:
    return any(real == bound or real.is_relative_to(bound) for bound in bounds)


def _file_state(path: Path, bounds: Sequence[Path], memo: FileMemo | None) -> str:
    """A file's SHA-256; what it is, for what a build would not read (a link out, a pipe, a device); "-" if gone."""
    try:
        if path.is_symlink() and not _within(path.resolve(), bounds):
            return "link:" + os.readlink(path)
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            return f"special:{stat.S_IFMT(mode):o}"
        return file_sha256(path) if memo is None else memo_sha256(path, memo)
    except (OSError, RuntimeError):  # a dangling link, a loop of links
        return "-"


def _add(hasher: hashlib._Hash, root: Path, path: Path, state: str) -> None:
    hasher.update(path.relative_to(root).as_posix().encode("utf-8", "surrogateescape") + b"\0")
    hasher.update(state.encode("utf-8", "surrogateescape") + b"\0")
