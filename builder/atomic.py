"""The one way the builder writes a file that someone may read meanwhile: a temporary file beside it, then a rename.

A reader (a web server, the next build, an admin's editor) sees the old file or the new
one, never half of either, and a killed build leaves at most a `.<name>.*.tmp` file
behind. Used for the caches (builder/pipeline/store.py), the site manifest, PDFs and the
YAML files the importer and `new` write.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _umask() -> int:
    """The process's umask (only readable by setting it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def readable_by_all() -> Iterator[None]:
    """Files and folders made meanwhile readable by everyone, whatever the umask: a site is for a web server
    running as another user (with an admin's `umask 027` every page was 0640 and nginx answered 403).
    The umask's write bits are kept."""
    mask = os.umask(0o022)
    os.umask(mask & 0o022)
    try:
        yield
    finally:
        os.umask(mask)


def write_atomic(path: Path, data: bytes | str, mode: int | None = None) -> None:
    """Write `data` (text as UTF-8) to `path` through a temporary file in the same folder and a rename.

    The file gets `mode`, or by default what a plain `open()` would give it (0666 less the
    umask): mkstemp's 0600 would hide a PDF from the web server or a data file from colleagues.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(temporary, mode if mode is not None else 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
