"""Reuse what earlier builds made: every output file is recorded with its key, a hash of all that shaped it.

A build writes into a fresh staging folder. For each output it computes the key; when
an earlier build (the published `site/`, or a part built on another machine) recorded
the same key for the same path, and that file is still as it was written, the file is
hard-linked into the staging folder instead of being made again. So a rebuild with no
change renders nothing, and the manifest says which files were made and which reused.

The manifest of `site/` lives in the build cache (`.cache/build/`), not in the site,
so nothing extra is published; a part built for merging keeps its manifest inside its
folder (`build-manifest.json`), because the folder travels between machines.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

MANIFEST_VERSION = 1
PART_MANIFEST = "build-manifest.json"


@dataclass(frozen=True)
class Entry:
    """One output file: the key it was made from, its size and modification time, and (parts only) its SHA-256."""

    key: str
    size: int
    mtime_ns: int
    sha256: str = ""


@dataclass
class Manifest:
    """The outputs of one build, by path from the site root."""

    root: Path
    entries: dict[str, Entry]
    by_content: bool = False  # a part's files travel between machines: check them by content, not by time
    _checked: dict[str, bool] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, file: Path, root: Path) -> Manifest:
        """The manifest in `file` for the outputs under `root`; empty when missing, unreadable or of another version."""
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            if data.get("version") != MANIFEST_VERSION:
                return cls(root, {})
            entries = {path: Entry(*fields) for path, fields in data["files"].items()}
            by_content = bool(data.get("by_content"))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls(root, {})
        return cls(root, entries, by_content)

    def save(self, file: Path) -> None:
        """Write atomically, so a killed build never leaves half a manifest."""
        entries = sorted(self.entries.items())
        if self.by_content:
            entries = [(path, replace(e, sha256=_sha256(self.root / path))) for path, e in entries]
        data = {
            "version": MANIFEST_VERSION,
            "by_content": self.by_content,
            "files": {path: [e.key, e.size, e.mtime_ns, e.sha256] for path, e in entries},
        }
        file.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=file.parent, prefix=f".{file.name}.", delete=False) as handle:
            json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
        os.replace(handle.name, file)

    def intact(self, path: str, entry: Entry) -> bool:
        """Whether the file is still as recorded: same size, and same modification time (or, for a part, content)."""
        if path not in self._checked:
            self._checked[path] = self._check(path, entry)
        return self._checked[path]

    def _check(self, path: str, entry: Entry) -> bool:
        try:
            stat = os.stat(os.path.join(self.root, path))
        except OSError:
            return False
        if stat.st_size != entry.size:
            return False
        if self.by_content:
            return bool(entry.sha256) and _sha256(self.root / path) == entry.sha256
        return stat.st_mtime_ns == entry.mtime_ns


def site_manifest_file(cache_dir: Path, site_dir: Path) -> Path:
    """Where the manifest of the site at `site_dir` is kept: one file per output folder."""
    name = hashlib.sha256(str(site_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    return cache_dir / "build" / f"site-{name}.json"


class Outputs:
    """The files of the build being made in `staging`, and the earlier builds' files it may reuse."""

    def __init__(self, staging: Path, sources: Iterable[Manifest] = ()) -> None:
        self.staging = staging
        self.sources = list(sources)
        self.entries: dict[str, Entry] = {}
        self.reused = 0
        self.made_paths: list[str] = []

    def find(self, path: str, key: str) -> Manifest | None:
        """The earlier build that has `path` made from `key`, intact, if any."""
        for source in self.sources:
            entry = source.entries.get(path)
            if entry is not None and entry.key == key and source.intact(path, entry):
                return source
        return None

    def reusable(self, paths: Iterable[str], key: str) -> bool:
        return all(self.find(path, key) is not None for path in paths)

    def reuse(self, paths: Iterable[str], key: str) -> bool:
        """Link every one of `paths` from an earlier build, or none of them (and return False)."""
        found = [(path, self.find(path, key)) for path in paths]
        if not found or any(source is None for _, source in found):
            return False
        for path, source in found:
            assert source is not None
            _link(source.root / path, self.staging / path)
            self.entries[path] = source.entries[path]
            self.reused += 1
        return True

    def source_paths(self, prefix: str, key: str) -> list[str] | None:
        """The files under folder `prefix` that one earlier build made from `key` (a search index, say)."""
        for source in self.sources:
            paths = [p for p, e in source.entries.items() if p.startswith(prefix) and e.key == key]
            if paths and all(source.intact(path, source.entries[path]) for path in paths):
                return paths
        return None

    def reuse_folder(self, prefix: str, key: str) -> bool:
        """Link a whole folder's files made from `key`; False when no earlier build has all of them."""
        paths = self.source_paths(prefix, key)
        return paths is not None and self.reuse(paths, key)

    def record(self, path: str, key: str) -> None:
        """Note a file this build made (already written in `staging`)."""
        stat = (self.staging / path).stat()
        self.entries[path] = Entry(key, stat.st_size, stat.st_mtime_ns)
        self.made_paths.append(path)

    @property
    def made(self) -> int:
        return len(self.made_paths)

    def record_folder(self, prefix: str, key: str) -> None:
        folder = self.staging / prefix
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                self.record(path.relative_to(self.staging).as_posix(), key)

    def manifest(self, root: Path, by_content: bool = False) -> Manifest:
        """The manifest of this build, for the folder the staging folder becomes."""
        return Manifest(root, dict(self.entries), by_content)


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _link(source: Path, target: Path) -> None:
    """A hard link (no copy, same modification time); a copy where the file system has no hard links."""
    try:
        os.link(source, target)
        return
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        target.unlink()  # never write through an existing link into an earlier build's file
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
