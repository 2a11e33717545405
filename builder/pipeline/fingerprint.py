"""Hashes of what shapes an output besides its own data: the builder's code, the theme, the configuration.

A rebuild reuses an output only when the hash (its key) is unchanged, so every key
includes one of these fingerprints. They hash file contents, never paths or dates,
so two machines with the same checkout compute the same keys (builds split across
machines merge by key, see builder/pipeline/outputs.py).
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from collections.abc import Iterable
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
    """What MkDocs wraps around every page: mkdocs.yml, the theme overrides and assets, the hooks, the libraries."""
    theme_files = [
        path
        for path in THEME.rglob("*")
        if path.is_file() and path.relative_to(THEME).parts[0] not in NOT_IN_SITE_CHROME
    ]
    hooks = BUILDER / "site" / "hooks.py"
    return digest(files_digest(THEME, theme_files), mkdocs_config.read_bytes(), hooks.read_bytes(), _environment())


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


def tree_digest(root: Path, skip: Path | None = None, memo: FileMemo | None = None) -> str:
    """Every file under `root` (symlinks followed, as a build reads them) by path and bytes; folder `skip` left out.

    With `memo`, files hashed before and not changed since are not read again (`memo_sha256`)."""
    hasher = hashlib.sha256()
    skipped = skip.resolve() if skip is not None else None
    for directory, folders, files in os.walk(root, followlinks=True):
        folders[:] = sorted(name for name in folders if Path(directory, name).resolve() != skipped)
        for name in sorted(files):
            path = Path(directory, name)
            try:
                content = file_sha256(path) if memo is None else memo_sha256(path, memo)
            except OSError:
                content = "-"  # a dangling link, say
            hasher.update(path.relative_to(root).as_posix().encode("utf-8", "surrogateescape") + b"\0")
            hasher.update(content.encode("ascii") + b"\0")
    return hasher.hexdigest()
