"""Reuse what earlier builds made: every output file is recorded with its key, a hash of all that shaped it.

A build writes the files it makes into a fresh staging folder. For each output it computes
the key; when an earlier build (the published `site/`, or a part built on another machine)
recorded the same key for the same path, and that file is still as it was written, the file
is reused instead of being made again: a file of the site being replaced stays where it lies
(it is published in place, builder/pipeline/commit.py), a part's file is hard-linked into the
staging folder. So a rebuild with no change renders nothing and moves nothing, and the
manifest says which files were made and which reused.

The manifest of `site/` lives in the build cache (`.cache/build/`), not in the site,
so nothing extra is published; a part built for merging keeps its manifest inside its
folder (`build-manifest.json`), because the folder travels between machines.
"""

from __future__ import annotations

import functools
import itertools
import json
import marshal
import os
import re
import shutil
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..atomic import write_atomic
from ..errors import BuilderError
from ..printable import escape_controls
from ..site.linkcheck import site_files
from .fingerprint import content_sha256, file_sha256

MANIFEST_VERSION = 1  # a part's manifest (JSON)
SITE_MANIFEST_VERSION = 2  # a site's (`Manifest.save_site`)
PART_MANIFEST = "build-manifest.json"
OWNER_MARKER = ".budget-builder-output"  # in every output folder: the builder wrote it (builder/pipeline/outdir.py)
MAX_PART_MANIFEST = 256 * 1024 * 1024
MAX_PATH = 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")
# What a path in a manifest may hold: the site's own file names are ASCII letters, digits and `._-`,
# plus the Chinese names of hand-written pages; never a separator other than `/`, a colon or a control.
_FORBIDDEN = re.compile(r"[\\:\x00-\x1f\x7f-\x9f]")


def path_problem(path: object) -> str | None:
    """Why `path` is not a plain relative path inside an output folder (a Chinese reason), or None.

    Relative, `/`-separated, normalised: no empty, `.` or `..` part, no leading `/`,
    no backslash, colon or control character, not the folder's own manifest or marker.
    """
    if not isinstance(path, str) or not path:
        return "路径为空或不是文字"
    if len(path) > MAX_PATH:
        return "路径过长"
    if path.startswith("/"):
        return "是绝对路径"
    if _FORBIDDEN.search(path):
        return "含有反斜杠、冒号或控制字符"
    parts = path.split("/")
    if ".." in parts:
        return "含有 .."
    if any(part in ("", ".") for part in parts):
        return "不是规范路径（含有空段或 .）"
    if path in (PART_MANIFEST, OWNER_MARKER):
        return "是文件夹自身的清单文件"
    return None


def _all_plain(files: dict[str, object]) -> bool:
    """Whether no path of `files` has any of `path_problem`'s problems (then none need be checked one by one)."""
    if not files:
        return True
    if PART_MANIFEST in files or OWNER_MARKER in files or max(map(len, files)) > MAX_PATH:
        return False
    joined = "\0" + "\0".join(files) + "\0"  # every path between two NULs: no `^` or `$` to try at each place
    if joined.count("\0") != len(files) + 1:
        return False
    return _FORBIDDEN_ANY.search(joined) is None and _ODD_PART.search(joined) is None


def walk_problem(root: Path, path: str) -> str | None:
    """Why `root/path` is not a regular file reached through real folders (no symlink on the way), or None.

    A missing file is no problem here: it is simply not reused.
    """
    current = str(root)
    parts = path.split("/")
    for index, part in enumerate(parts):
        current = os.path.join(current, part)
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return None
        except OSError as error:
            return f"无法读取（{error.strerror}）"
        if stat.S_ISLNK(mode):
            return f"途经符号链接 {'/'.join(parts[: index + 1])}"
        last = index == len(parts) - 1
        if not last and not stat.S_ISDIR(mode):
            return f"{'/'.join(parts[: index + 1])} 不是文件夹"
        if last and not stat.S_ISREG(mode):
            return "不是普通文件"
    return None


def _entry_problem(fields: object) -> str | None:
    if not isinstance(fields, list) or len(fields) != 4:
        return "记录格式不对"
    key, size, mtime, sha256 = fields
    if not isinstance(key, str) or not isinstance(size, int) or not isinstance(mtime, int) or size < 0:
        return "记录格式不对"
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        return "缺少 SHA-256 校验值"
    return None


class Entry(NamedTuple):
    """One output file: the key it was made from, its size and modification time, and (parts only) its SHA-256.

    A named tuple, not a dataclass: a province's manifest has 130 000 of them, made at each build's start."""

    key: str
    size: int
    mtime_ns: int
    sha256: str = ""


# What `path_problem` refuses, for all of a manifest's paths at once, each between two NULs (itself refused): a
# backslash, colon or control character; a leading `/`, an empty, `.` or `..` part. A manifest with none of these
# needs no path-by-path check (130 000 paths one by one took 0.3 s). Two searches, not one with `^|…`: that one
# tried its alternatives at every character (0.23 s for 158 000 paths, against 0.08 s).
_FORBIDDEN_ANY = re.compile(r"[\\:\x01-\x1f\x7f-\x9f]")
_ODD_PART = re.compile(r"[/\x00]\.{0,2}[/\x00]")


@dataclass
class Manifest:
    """The outputs of one build, by path from the site root."""

    root: Path
    entries: dict[str, Entry]
    by_content: bool = False  # a part's files travel between machines: check them by content, not by time
    _checked: dict[str, bool] = field(default_factory=dict, repr=False)
    _found: Callable[[], Mapping[str, tuple[int, int]]] | None = field(default=None, repr=False)  # `found_files`
    _folders: dict[str, list[str]] | None = field(default=None, repr=False)  # see `under`

    @classmethod
    def load(cls, file: Path, root: Path) -> Manifest:
        """The site manifest in `file` (`save_site`) for the outputs under `root`; empty when missing, unreadable,
        of another version or not as `save_site` writes it.

        Entries whose path is not a plain relative path (see `path_problem`) are dropped.
        """
        try:
            # `marshal.loads` of the bytes: `marshal.load` of the open file reads it a few bytes at a time (1 s).
            version, paths, keys, key_numbers, sizes, times = marshal.loads(file.read_bytes())
            if version != SITE_MANIFEST_VERSION or not _site_columns(paths, keys, key_numbers, sizes, times):
                return cls(root, {})
            fields = zip(map(keys.__getitem__, key_numbers), sizes, times, itertools.repeat(""), strict=False)
            entries = dict(zip(paths, map(_entry, fields), strict=True))
            if len(entries) != len(paths):
                return cls(root, {})
            if not _all_plain(entries):
                entries = {path: entry for path, entry in entries.items() if path_problem(path) is None}
        except (OSError, EOFError, ValueError, TypeError, IndexError):
            return cls(root, {})
        return cls(root, entries)

    @classmethod
    def load_part(cls, folder: Path) -> Manifest:
        """A part's manifest, checked as untrusted input: a BuilderError names the part and the first bad path.

        The part may come from another machine: every path must be relative, normalised and
        free of symlinks on the way to a regular file inside `folder`, and every entry must
        carry the SHA-256 its file is checked against before it is linked.
        """
        file = folder / PART_MANIFEST
        if file.is_symlink() or not file.is_file():
            raise BuilderError(f"{folder} 不是分部构建的输出（缺少 {PART_MANIFEST}）— 请用 build --part 生成")
        root = Path(os.path.realpath(folder))
        size = file.stat().st_size
        if size > MAX_PART_MANIFEST:
            raise BuilderError(
                f"分部文件夹 {folder} 的 {PART_MANIFEST} 有 {size // 2**20} MB，"
                f"超过上限 {MAX_PART_MANIFEST // 2**20} MB — 这不是本工具写的清单，请用 build --part 重新生成这一份"
            )
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
            files = data["files"]
            if data.get("version") != MANIFEST_VERSION or data.get("by_content") is not True:
                raise ValueError("version")
            if not isinstance(files, dict):
                raise ValueError("files")
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):  # nested 200 000 deep
            raise BuilderError(
                f"分部文件夹 {folder} 的 {PART_MANIFEST} 无法读取或版本不符 — 请用同一版本的 build --part 重新生成"
            ) from None
        entries = {}
        for path, fields in files.items():
            problem = path_problem(path) or _entry_problem(fields) or walk_problem(root, path)
            if problem is not None:
                shown = escape_controls(repr(path))
                raise BuilderError(
                    f"分部文件夹 {folder} 的 {PART_MANIFEST} 中的路径 {shown} 不可信：{problem}；没有合并任何文件"
                    " — 请检查该文件夹是否被改动过，并用 build --part 重新生成"
                )
            entries[path] = Entry(*fields)
        return cls(root, entries, by_content=True)

    def save_site(self, file: Path) -> None:
        """Write a site's manifest (checked by time, kept in the build cache) atomically, for `load`.

        As columns with each key once (a key is shared by all the files of a department's downloads, a search
        shard…), in `marshal`: a province's 200 000 entries load in a fraction of the time JSON took (0.9 s).
        The cache is the builder's own, like the store's pickles; a part's manifest, which travels, is JSON.
        """
        assert not self.by_content
        numbers: dict[str, int] = {}
        key_numbers = [numbers.setdefault(entry.key, len(numbers)) for entry in self.entries.values()]
        sizes = [entry.size for entry in self.entries.values()]
        times = [entry.mtime_ns for entry in self.entries.values()]
        columns = (SITE_MANIFEST_VERSION, list(self.entries), list(numbers), key_numbers, sizes, times)
        write_atomic(file, marshal.dumps(columns))

    def save(self, file: Path) -> None:
        """Write atomically, so a killed build never leaves half a manifest (a part's, as JSON)."""
        entries = sorted(self.entries.items())
        if self.by_content:
            entries = [(path, e._replace(sha256=file_sha256(self.root / path))) for path, e in entries]
        data = {"version": MANIFEST_VERSION, "by_content": self.by_content, "files": dict(entries)}  # entries: lists
        write_atomic(file, json.dumps(data, ensure_ascii=False, separators=(",", ":")))

    def under(self, prefix: str) -> list[str]:
        """The paths in folder `prefix` (`a/b/`, say), at any depth.

        For a folder two levels down (a search shard's, `pagefind/<name>/`) they are looked up in
        an index made on first use: a build that reuses 25 shards of a 21 000-file site would
        otherwise go through every path 25 times (0.2 s after an edit).
        """
        if prefix.count("/") != 2 or not prefix.endswith("/") or prefix.startswith("/"):
            return [path for path in self.entries if path.startswith(prefix)]
        if self._folders is None:
            self._folders = {}
            for path in self.entries:
                parts = path.split("/", 2)
                if len(parts) == 3:
                    self._folders.setdefault(f"{parts[0]}/{parts[1]}/", []).append(path)
        return self._folders.get(prefix, [])

    def intact(self, path: str, entry: Entry) -> bool:
        """Whether the file is still as recorded: same size, and same modification time (or, for a part, content)."""
        if path not in self._checked:
            self._checked[path] = self._check(path, entry)
        return self._checked[path]

    def mark_changed(self, path: str) -> None:
        """Count the file as changed (not to be reused) whatever its size and time say."""
        self._checked[path] = False

    def found_files(self, found: Callable[[], Mapping[str, tuple[int, int]]]) -> None:
        """Where to get the regular files under `root` (reached through real folders) with their size and
        modification time, as one walk of it found them at the build's start (builder/pipeline/commit.py):
        files are checked against these, with no system call each. A file not found counts as changed."""
        self._found = functools.cache(found)  # asked once, when the first file is checked

    def _check(self, path: str, entry: Entry) -> bool:
        if self._found is not None and not self.by_content:
            return self._found().get(path) == (entry.size, entry.mtime_ns)
        try:
            status = os.lstat(os.path.join(self.root, path))  # a symlink put in its place is never reused
        except OSError:
            return False
        if not stat.S_ISREG(status.st_mode) or status.st_size != entry.size:
            return False
        if self.by_content:
            try:
                return bool(entry.sha256) and file_sha256(self.root / path) == entry.sha256
            except OSError:  # unreadable by this user (a part unpacked as another): made here instead
                return False
        return status.st_mtime_ns == entry.mtime_ns


def site_manifest_file(cache_dir: Path, site_dir: Path) -> Path:
    """Where the manifest of the site at `site_dir` is kept (`Manifest.save_site`): one file per output folder.

    Earlier versions kept it as JSON at the same name with `.json` (`legacy_site_manifest_file`)."""
    name = content_sha256(str(site_dir.resolve()).encode("utf-8"))[:16]
    return cache_dir / "build" / f"site-{name}.marshal"


def legacy_site_manifest_file(cache_dir: Path, site_dir: Path) -> Path:
    return site_manifest_file(cache_dir, site_dir).with_suffix(".json")


_entry = functools.partial(tuple.__new__, Entry)  # an Entry from a tuple, without NamedTuple's Python-level __new__


def _site_columns(paths: object, keys: object, key_numbers: object, sizes: object, times: object) -> bool:
    """Whether the columns of a site manifest are of the types `Manifest.save_site` writes (ints, strings, lists)."""
    columns = (paths, keys, key_numbers, sizes, times)
    if not all(type(column) is list for column in columns):
        return False
    assert isinstance(paths, list) and isinstance(keys, list)
    count = len(paths)
    if any(len(column) != count for column in (key_numbers, sizes, times)):  # type: ignore[arg-type]
        return False
    strings = {type(value) for value in (*paths, *keys)}
    numbers = {type(value) for column in (key_numbers, sizes, times) for value in column}  # type: ignore[attr-defined]
    if not (strings <= {str} and numbers <= {int}) or (count and min(sizes) < 0):  # type: ignore[type-var]
        return False
    return not count or (min(key_numbers) >= 0 and max(key_numbers) < len(keys))  # type: ignore[type-var]


class Outputs:
    """The files of the build being made in `staging`, and the earlier builds' files it may reuse.

    `in_place` is the manifest of the site this build replaces file by file (one of `sources`),
    or None when the build replaces the site whole: its reused files are not linked into
    `staging` but stay where they lie (`kept`), and `location` says where each file is.
    """

    def __init__(self, staging: Path, sources: Iterable[Manifest] = (), in_place: Manifest | None = None) -> None:
        self.staging = staging
        self.sources = list(sources)
        self.in_place = in_place
        self.entries: dict[str, Entry] = {}
        self.reused = 0
        self.made_paths: list[str] = []
        self.kept: set[str] = set()  # reused files left in the site being replaced

    def find(self, path: str, key: str) -> Manifest | None:
        """The earlier build that has `path` made from `key`, intact, if any."""
        for source in self.sources:
            entry = source.entries.get(path)
            if entry is not None and entry.key == key and source.intact(path, entry):
                return source
        return None

    def location(self, path: str) -> Path:
        """Where this build's file `path` is to be read by a later step (made in staging, or reused).

        Steps read the files of the site being built only through this, never `staging / path`:
        where a reused file lies is the business of this class.
        """
        if path in self.kept:
            assert self.in_place is not None
            return self.in_place.root / path
        return self.staging / path

    def target(self, path: str) -> Path:
        """Where a step writes the file `path` it makes: in `staging`, whose folders hold only what was made."""
        file = self.staging / path
        file.parent.mkdir(parents=True, exist_ok=True)
        return file

    def stage(self, paths: Iterable[str]) -> list[str]:
        """Link those of `paths` kept in place into `staging` (the swap, when most files were made); return them."""
        linked = [path for path in paths if path in self.kept]
        for path in linked:
            assert self.in_place is not None
            _link(self.in_place.root / path, self.staging / path)
        return linked

    def paths(self) -> set[str]:
        """Every file of the site being built: those recorded, and any other file a step wrote into `staging`."""
        found = set(self.entries)
        found.update(site_files(self.staging))
        return found

    def reusable(self, paths: Iterable[str], key: str) -> bool:
        return all(self.find(path, key) is not None for path in paths)

    def reuse(self, paths: Iterable[str], key: str) -> bool:
        """Reuse every one of `paths` from an earlier build (kept in place, or linked), or none (and return False)."""
        found = [(path, self.find(path, key)) for path in paths]
        if not found or any(source is None for _, source in found):
            return False
        for path, source in found:
            assert source is not None
            self._claim(path)
            if source.by_content and walk_problem(source.root, path) is not None:
                raise BuilderError(f"{source.root} 中的 {escape_controls(path)} 在检查之后被改动（出现了符号链接）")
            entry = source.entries[path]
            if source is self.in_place:
                self.kept.add(path)
            elif source.by_content:  # a part: copied, so the site never shares a file (its mode, time, later changes)
                entry = _copy_checked(source.root / path, self.staging / path, entry)
            else:
                _link(source.root / path, self.staging / path)
            self.entries[path] = entry
            self.reused += 1
        return True

    def source_paths(self, prefix: str, key: str, names: re.Pattern[str] | None = None) -> list[str] | None:
        """The files under folder `prefix` that one earlier build made from `key` (a search index, say); with
        `names`, only those whose path in the folder it matches whole: what the folder's maker writes there."""
        for source in self.sources:
            paths = [path for path in source.under(prefix) if source.entries[path].key == key]
            if names is not None:
                paths = [path for path in paths if names.fullmatch(path[len(prefix) :])]
            if paths and all(source.intact(path, source.entries[path]) for path in paths):
                return paths
        return None

    def reuse_folder(self, prefix: str, key: str, names: re.Pattern[str] | None = None) -> bool:
        """Reuse a whole folder's files made from `key` (and named as `names` says); False when no earlier build has
        all of them."""
        paths = self.source_paths(prefix, key, names)
        return paths is not None and self.reuse(paths, key)

    def _claim(self, path: str) -> None:
        """Refuse a second output for one path, whatever made both: the first would be lost without a word."""
        if path in self.entries:
            raise BuilderError(
                f"两个输出要写入网站中的同一个文件 {escape_controls(path)}，网站没有更新"
                f" — 如果 content/ 中有手写的 {escape_controls(path)}，请改名或删除；否则请报告此问题"
            )

    def record(self, path: str, key: str) -> None:
        """Note a file this build made (already written in `staging`)."""
        self._claim(path)
        stat = (self.staging / path).stat()
        self.entries[path] = Entry(key, stat.st_size, stat.st_mtime_ns)
        self.made_paths.append(path)

    @property
    def made(self) -> int:
        return len(self.made_paths)

    def record_folder(self, prefix: str, key: str) -> None:
        """Note every file a step made under folder `prefix` (a search shard's bundle), folder by folder."""
        for path in sorted(site_files(self.staging / prefix, prefix.rstrip("/")), key=lambda path: path.split("/")):
            self.record(path, key)

    def manifest(self, root: Path, by_content: bool = False) -> Manifest:
        """The manifest of this build, for the folder the staging folder becomes."""
        return Manifest(root, dict(self.entries), by_content)


def _copy_checked(source: Path, target: Path, entry: Entry) -> Entry:
    """Copy a part's file and hash the copy: a file changed since it was checked (`Manifest.intact`) is refused.
    The copy is this build's own file (mode from the umask, time of now); its entry says so."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target, follow_symlinks=False)
    if file_sha256(target) != entry.sha256:
        raise BuilderError(f"{source} 在检查之后被改动，网站没有更新 — 请重新复制这一份分部构建的输出再合并")
    status = target.stat()
    return Entry(entry.key, status.st_size, status.st_mtime_ns)


def _link(source: Path, target: Path) -> None:
    """A hard link (no copy, same modification time); a copy where the file system has no hard links."""
    try:
        os.link(source, target, follow_symlinks=False)
        return
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        target.unlink()  # never write through an existing link into an earlier build's file
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)
