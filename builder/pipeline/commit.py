"""Publish a build into the site it replaces, file by file, with a journal that undoes a commit cut short.

When the published `site/` is the builder's and its manifest is sound, a rebuild leaves the
files it reuses where they lie (builder/pipeline/outputs.py) and writes only what it makes
into the staging folder. Publishing is then a commit into `site/`, in three moves:

1. the old site's files the new site does not have (a removed department, a file someone
   put there) are moved into a backup folder beside `site/`, and folders left empty removed;
2. each made file is moved from staging into place, the file it replaces first hard-linked
   into the backup folder (so the path always holds the old file or the new one);
3. the journal is deleted (the commit is done), then the backup folder.

Before the first move a journal (`<backup>/journal.json`, written atomically) lists every
move, so that a commit that fails is undone at once, and one killed midway is undone by the
next build (`roll_back_commits`, before anything else): the site is always the whole previous
one or the whole new one. The same site as a fresh build: every file not in the new site goes.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_atomic
from .outdir import KIND_SITE, owner_kind, remove_tree
from .outputs import OWNER_MARKER, Manifest
from .walks import SiteListing, site_listing

COMMIT_PREFIX = ".site-commit-"
JOURNAL = "journal.json"
BACKUP = "old"  # in the commit folder: the replaced and removed files, by their paths in the site
JOURNAL_VERSION = 1


@dataclass(frozen=True)
class SiteTree:
    """What a folder holds: every entry that is not a real folder (files, symlinks…), the regular files among
    them with their size and modification time (when asked for: else none), and the real folders, each after
    its parent."""

    files: frozenset[str]
    regular: dict[str, tuple[int, int]]
    folders: tuple[str, ...]


def scan(root: Path, sizes: bool = False) -> SiteTree:
    """Every entry under `root` (paths from it), following no symlink; with `sizes`, each regular file's size and
    modification time (one `lstat` each: the walk is the only pass over a province's 130 000 files)."""
    return site_tree(site_listing(os.fspath(root), sizes))


def site_tree(listing: SiteListing) -> SiteTree:
    """A folder's `SiteTree` from its listing (builder/pipeline/walks.py: made here or in a child process)."""
    files, regular, folders = listing
    return SiteTree(frozenset(files), regular, tuple(sorted(folders)))


def in_place_tree(
    site_dir: Path, manifest: Manifest | None, whole_site: bool, walked: Future[SiteTree] | None = None
) -> Future[SiteTree] | None:
    """The published site's tree when this build may publish into it file by file; None for a whole swap.

    In place only when the build makes a whole site, the folder is a real folder marked as a site
    by the builder, on the same file system as the folder beside it where the build works, and its
    manifest is sound. Only regular files reached through real folders, of the size and modification
    time the manifest says, count as intact: a file behind a symlink someone put in the site, or
    edited, is made again, and the symlink goes.

    `walked`: the site's `scan` with sizes, begun by `build()` on a thread before anything else (a
    province's 130 000 files take a second or two of system calls), else made here. The manifest's
    files are checked against it, with no system call each; whoever needs it first waits for it.
    """
    if not whole_site or manifest is None or not manifest.entries:
        return None
    try:
        status, parent = os.lstat(site_dir), os.stat(site_dir.parent)
        marker = os.lstat(site_dir / OWNER_MARKER)
    except OSError:
        return None
    if not stat.S_ISDIR(status.st_mode) or status.st_dev != parent.st_dev or not stat.S_ISREG(marker.st_mode):
        return None
    if owner_kind(site_dir) != KIND_SITE:
        return None
    if walked is None:
        walked = Future()
        walked.set_result(scan(site_dir, sizes=True))
    tree = walked
    manifest.found_files(lambda: tree.result().regular)  # a listed file not found (or not regular) is not reused
    return tree


def commit(staging: Path, site: Path, old: SiteTree, new: set[str], backup: Path) -> None:
    """Make `site` (whose entries are `old`) hold exactly the files `new`: those in `staging` moved in, the rest kept.

    `backup` is an empty folder beside `site` (same file system). On any error the old site is put back.
    """
    made = sorted(scan(staging).files)
    keep = new | {OWNER_MARKER}
    needed = _folders_of(keep)
    plan = {
        "version": JOURNAL_VERSION,
        "site": str(site),
        "removed": sorted(old.files - keep),
        "folders": [folder for folder in old.folders if folder not in needed],  # parents first
        "created": sorted({p for path in made for p in _parents(path)} - set(old.folders), key=_depth),
        "made": [[path, path in old.files] for path in made],
    }
    write_atomic(backup / JOURNAL, json.dumps(plan))  # names that are not UTF-8 survive as \udcxx escapes
    try:
        _apply(plan, staging, site, backup / BACKUP)
    except BaseException:
        roll_back(backup)
        raise
    (backup / JOURNAL).unlink()


def _apply(plan: dict, staging: Path, site: Path, saved: Path) -> None:
    for path in plan["removed"]:
        _move(site / path, saved / path)
    for folder in reversed(plan["folders"]):
        try:
            os.rmdir(site / folder)
        except FileNotFoundError:
            pass
        except OSError as error:
            if error.errno != errno.ENOTEMPTY:
                raise  # not empty: a file was put there meanwhile, and is left with its folder
    for folder in plan["created"]:
        (site / folder).mkdir(exist_ok=True)
    for path, replaces in plan["made"]:
        target = site / path
        if replaces:
            _save(target, saved / path)
        os.replace(staging / path, target)


def _move(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except FileNotFoundError:
        if not os.path.lexists(source):
            return  # gone meanwhile
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)


def _save(file: Path, target: Path) -> None:
    """Keep the file about to be replaced: a hard link (the site keeps it until the new one replaces it) or a move."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(file, target, follow_symlinks=False)
    except FileNotFoundError:
        pass  # gone meanwhile: nothing to keep
    except OSError:
        _move(file, target)


def roll_back(backup: Path) -> None:
    """Undo the commit whose journal is in `backup`, at whatever point it stopped, then delete `backup`."""
    plan = json.loads((backup / JOURNAL).read_text(encoding="utf-8"))
    site, saved = Path(plan["site"]), backup / BACKUP
    for path, replaced in reversed(plan["made"]):
        if replaced:
            if os.path.lexists(saved / path):
                os.replace(saved / path, site / path)  # else the move did not happen: the old file is in place
        else:
            _remove_file(site / path)
    for folder in reversed(plan["created"]):
        with contextlib.suppress(OSError):  # gone already, or holding what someone put there meanwhile
            os.rmdir(site / folder)
    for folder in plan["folders"]:
        (site / folder).mkdir(exist_ok=True)
    for path in plan["removed"]:
        if os.path.lexists(saved / path):
            _move(saved / path, site / path)
    (backup / JOURNAL).unlink()
    remove_tree(backup)


def _remove_file(path: Path) -> None:
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            path.unlink()
    except FileNotFoundError:
        pass


def journal_site(backup: Path) -> Path | None:
    """The site whose commit the journal in `backup` describes; None when there is no sound journal."""
    try:
        plan = json.loads((backup / JOURNAL).read_text(encoding="utf-8"))
        if plan.get("version") != JOURNAL_VERSION:
            return None
        paths = plan["removed"] + plan["folders"] + plan["created"] + [path for path, _ in plan["made"]]
        if not all(isinstance(path, str) and _inside(path) for path in paths):
            return None
        return Path(plan["site"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _inside(path: str) -> bool:
    """A relative path that stays inside the site (the journal is read back from disk)."""
    return not path.startswith("/") and all(part not in ("", ".", "..") for part in path.split("/"))


def _folders_of(paths: set[str]) -> set[str]:
    """Every folder on the way to the paths (`a/b/c` → `a`, `a/b`), each folder's parents listed once."""
    folders: set[str] = set()
    for folder in {path.rpartition("/")[0] for path in paths}:
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    return folders


def _parents(path: str) -> list[str]:
    """`a/b/c` → `a`, `a/b`."""
    parts = path.split("/")
    return ["/".join(parts[:index]) for index in range(1, len(parts))]


def _depth(folder: str) -> tuple[int, str]:
    return folder.count("/"), folder
