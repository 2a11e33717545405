"""The build's one cache: bytes, JSON or pickles kept by (namespace, key), written atomically, pruned.

Every cache of the build lives here, each in a namespace: `data` (a data file read and
linted, by its key from `read_data.file_key`: its body, site-level copy and summary,
builder/pipeline/heads.py), `pages` (which pages a generated folder
holds), `links` (the link scans of a site's pages), `pdf` (rendered PDFs, by the key of
their print HTML), `opendata` (each department's pieces of the year's and the site's
downloads, builder/opendata/pieces.py). An entry is `<cache>/store/<namespace>/<key>.<kind>`; keys come from
builder/pipeline/fingerprint.py (hex SHA-256), so an entry never has to be invalidated:
a changed input gives another key. A damaged or unreadable entry is a miss, never an error.

Pruning is least-recently-used, bounded by age and by size: every hit touches its entry
(its modification time is its last use); `prune()`, at the end of a build, deletes the
entries unused for MAX_AGE_DAYS, then the least recently used until the store is under
MAX_BYTES. Not “whatever the last build did not use”: one cache serves several builds on
a machine — the published site, the preview of `serve`, the parts of a split build — and
each would throw away the others' PDFs, minutes of work to remake. An unused entry costs
disk only; the bounds keep that in check (a department edited every day leaves at most
MAX_AGE_DAYS versions of its PDF).
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import re
import time
from pathlib import Path
from typing import Any

from ..atomic import write_atomic

MAX_AGE_DAYS = 14
# A build prunes when the last pruning is this old: listing the entries (tens of thousands at a
# province's scale) cost a quarter of a second after every one-department edit; the bounds are
# then overshot by at most what this much time's builds add.
PRUNE_EVERY_SECONDS = 3600
TOUCHED_EVERY_SECONDS = 3600  # `touch` marks an entry used at most this often
PRUNED_STAMP = ".pruned"  # in the store's folder: its modification time is the last pruning
MAX_BYTES = 4 * 1024**3  # the PDFs of 500 departments take about 0.4 GB: ten versions of each fit
STORE_FOLDER = "store"
_NAME = re.compile(r"[0-9a-z-]{1,64}")
_KEY = re.compile(r"[0-9a-f]{16,64}")
# What a pickle from another builder version can raise while loading: a miss, like a missing entry.
_UNPICKLE_ERRORS = (pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError, IndexError)


class Store:
    """A keyed cache under `root` (`<cache>/store/`); with `root` None every get misses and every put is dropped."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    @classmethod
    def in_cache(cls, cache_dir: Path | None) -> Store:
        """The store of the build cache `cache_dir` (BUILDER_CACHE_DIR or `.cache/`); None: no cache."""
        return cls(cache_dir / STORE_FOLDER if cache_dir is not None else None)

    def path(self, namespace: str, key: str, kind: str) -> Path | None:
        if self.root is None:
            return None
        if not _NAME.fullmatch(namespace) or not _KEY.fullmatch(key):
            raise ValueError(f"not a store namespace and key: {namespace!r} {key!r}")
        return self.root / namespace / f"{key}.{kind}"

    def has(self, namespace: str, key: str, kind: str = "bin") -> bool:
        """Whether the entry is there (it may still turn out damaged when read: a get then misses)."""
        path = self.path(namespace, key, kind)
        return path is not None and path.is_file()

    def names(self, namespace: str) -> set[str]:
        """The file names of a namespace's entries (`<key>.<kind>`): one listing instead of a check per entry."""
        if self.root is None or not _NAME.fullmatch(namespace):
            return set()
        try:
            return set(os.listdir(self.root / namespace))
        except OSError:
            return set()

    def get_bytes(self, namespace: str, key: str, kind: str = "bin") -> bytes | None:
        """The entry's bytes, or None; a hit marks the entry as used now (see the pruning above)."""
        path = self.path(namespace, key, kind)
        if path is None:
            return None
        try:
            data = path.read_bytes()
            os.utime(path)
        except OSError:
            return None
        return data

    def put_bytes(self, namespace: str, key: str, data: bytes, kind: str = "bin") -> None:
        path = self.path(namespace, key, kind)
        if path is not None:
            write_atomic(path, data)

    def delete(self, namespace: str, key: str, kind: str = "bin") -> None:
        """Remove an entry found damaged, so that the next build sees it missing and makes it again."""
        path = self.path(namespace, key, kind)
        if path is not None:
            with contextlib.suppress(OSError):
                path.unlink()

    def get_json(self, namespace: str, key: str) -> Any:
        data = self.get_bytes(namespace, key, "json")
        try:
            return None if data is None else json.loads(data)
        except ValueError:
            return None

    def put_json(self, namespace: str, key: str, value: Any) -> None:
        self.put_bytes(namespace, key, json.dumps(value, ensure_ascii=False).encode("utf-8"), "json")

    def touch(self, namespace: str, key: str, kind: str = "bin") -> bool:
        """Mark the entry as used without reading it; False when it is not there.

        Its time of use is kept to the hour (a look, not a write, when it was used in the last hour): a build
        marks thousands of departments' entries it may not read (builder/pipeline/heads.py), and the pruning
        above counts in days."""
        path = self.path(namespace, key, kind)
        if path is None:
            return False
        try:
            if os.stat(path).st_mtime < time.time() - TOUCHED_EVERY_SECONDS:
                os.utime(path)
        except OSError:
            return False
        return True

    def get_pickle(self, namespace: str, key: str, kind: str = "pickle") -> Any:
        """The unpickled entry, or None. Only the builder writes the store: it is as trusted as the code."""
        data = self.get_bytes(namespace, key, kind)
        try:
            return None if data is None else pickle.loads(data)
        except _UNPICKLE_ERRORS:
            return None

    def put_pickle(self, namespace: str, key: str, value: Any, kind: str = "pickle") -> None:
        self.put_bytes(namespace, key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), kind)

    def prune(self, max_age_days: float = MAX_AGE_DAYS, max_bytes: int = MAX_BYTES) -> int:
        """Delete entries unused for `max_age_days`, then the least recently used past `max_bytes`; return the count."""
        entries = self._entries()
        limit = time.time() - max_age_days * 86400
        removed = [entry for entry in entries if entry[0] < limit]
        kept = [entry for entry in entries if entry[0] >= limit]
        total = sum(size for _, size, _ in kept)
        for entry in sorted(kept):  # oldest use first
            if total <= max_bytes:
                break
            removed.append(entry)
            total -= entry[1]
        for _, _, path in removed:
            path.unlink(missing_ok=True)
        return len(removed)

    def prune_if_due(self, every_seconds: float = PRUNE_EVERY_SECONDS) -> int:
        """`prune()` when the last pruning (by any build using this store) is `every_seconds` old or more."""
        if self.root is None:
            return 0
        stamp = self.root / PRUNED_STAMP
        try:
            if time.time() - stamp.stat().st_mtime < every_seconds:
                return 0
        except OSError:
            pass  # never pruned
        removed = self.prune()
        with contextlib.suppress(OSError):  # no store folder (nothing was ever kept): due again next time
            stamp.touch()
        return removed

    def _entries(self) -> list[tuple[float, int, Path]]:
        """(last use, size, path) of every entry, and of temporary files a killed build left (as unused)."""
        if self.root is None or not self.root.is_dir():
            return []
        found = []
        for folder in self.root.iterdir():
            if not folder.is_dir() or folder.is_symlink():
                continue
            for path in folder.iterdir():
                try:
                    status = path.lstat()
                except OSError:
                    continue
                stale_temporary = path.name.startswith(".") and status.st_mtime < time.time() - 86400
                found.append((0.0 if stale_temporary else status.st_mtime, status.st_size, path))
        return found
