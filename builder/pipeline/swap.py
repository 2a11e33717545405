"""Publish a finished build into `site/`, never leaving it half-made: a commit in place, or a swap of folders.

The build writes into `<prefix><pid>-<random>` folders beside `site/` (STAGING_PREFIX).
A rebuild of a site the builder made commits the files it made into `site/` and leaves the
rest where they are (builder/pipeline/commit.py). Otherwise (a first build, a part, a site
with no sound manifest) the swap renames `site/` into an OLD_SITE_PREFIX folder, the
staging folder to `site/`, then deletes the old one. A commit killed midway, or a swap
killed between its renames, is undone by the next build (`restore_interrupted_publish`),
and folders left by killed builds are deleted once their process is gone
(`remove_stale_folders`). A disk that fills up is named with what it needs.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from pathlib import Path

from ..atomic import write_atomic
from ..errors import BuilderError
from ..failures import folder_size
from ..printable import some_of
from .commit import COMMIT_PREFIX, JOURNAL, SiteTree, commit, journal_site, roll_back
from .context import Build
from .outdir import KIND_PART, KIND_SITE, KIND_TEMPORARY, owner_kind, remove_tree, write_marker
from .outputs import OWNER_MARKER, PART_MANIFEST, Manifest, legacy_site_manifest_file, site_manifest_file

# Folders a build makes next to `site/`, named `<prefix><pid>-<random>`: a killed build leaves them behind.
STAGING_PREFIX = ".site-build-"
OLD_SITE_PREFIX = ".site-old-"


@contextmanager
def work_folder(site_dir: Path) -> Iterator[Path]:
    """The build's temporary folder beside `site_dir`, deleted however the build ends.

    Folders of earlier builds that were killed are deleted first; a full disk becomes a
    BuilderError that says how much room the build needs.
    """
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_folders(site_dir.parent)
    work = owned_temporary(STAGING_PREFIX, site_dir.parent)
    try:
        yield work
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        written = folder_size(work)
        remove_tree(work)
        raise _no_space(error, site_dir, written) from error
    finally:
        remove_tree(work)


def publish(b: Build, published: SiteTree | None, later: Executor) -> set[str]:
    """Commit the made files into the site `published` describes, or mark the staging folder and swap it in.

    The replaced files (or the old site) are deleted on `later`, while the build ends: the site is
    whole already. Returns the files published that no step recorded in the manifest (a list
    rewritten every build).

    When most files were made (a template edited), the few kept files are linked into the
    staging folder and it is swapped in: two renames, where a commit would move every file one
    by one (20 000 files took about 7 s here) and leave the site a mix of old and new meanwhile.
    A part also gets its manifest, for the merge.
    """
    staging, site, outputs = b.folders.staging, b.folders.site, b.outputs
    paths = outputs.paths()
    unrecorded = paths - outputs.entries.keys()
    if published is not None and outputs.in_place is not None:
        if len(outputs.made_paths) <= len(outputs.kept):
            backup = owned_temporary(COMMIT_PREFIX, site.parent)
            commit(staging, site, published, paths, backup)
            later.submit(remove_tree, backup)
            return unrecorded
        outputs.stage(sorted(outputs.kept))
    if not b.whole_site:
        # Saved with the staging folder as root (the files' SHA-256 are read there); loaded with the part's folder.
        outputs.manifest(staging, by_content=True).save(staging / PART_MANIFEST)
    write_marker(staging, KIND_SITE if b.whole_site else KIND_PART)
    swap_in(staging, site, later)
    return unrecorded


def save_site_manifest(b: Build, unrecorded: set[str]) -> None:
    """After the swap: what the published site holds, for the next build to reuse (parts keep theirs inside), and
    the paths of the files it published that no step recorded, for the next build to tell them from an admin's."""
    if b.whole_site and b.folders.cache is not None:
        site = b.folders.site
        b.outputs.manifest(site).save_site(site_manifest_file(b.folders.cache, site))
        legacy_site_manifest_file(b.folders.cache, site).unlink(missing_ok=True)  # an earlier version's
        write_atomic(unrecorded_file(b.folders.cache, site), json.dumps(sorted(unrecorded)))


def unrecorded_file(cache_dir: Path, site_dir: Path) -> Path:
    return site_manifest_file(cache_dir, site_dir).with_suffix(".unrecorded.json")


def foreign_files(site_dir: Path, cache_dir: Path, manifest: Manifest, walked: SiteTree) -> list[str]:
    """The files of the published site (`walked` before the build) its last build did not publish: an admin's own,
    which this build removes. None known when the last build left no list (an earlier version's)."""
    try:
        published = set(json.loads(unrecorded_file(cache_dir, site_dir).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return []
    if not manifest.entries:
        return []
    return sorted(walked.files - manifest.entries.keys() - published - {OWNER_MARKER})


def foreign_files_note(foreign: list[str]) -> str:
    return (
        f"注意：网站文件夹中有不是本工具生成的文件，已随这次发布移除：{some_of(foreign)}。"
        "要随网站发布的文件请放进 content/（每次生成原样复制到网站中的同一位置）；"
        "只供服务器使用的文件请放在网站文件夹之外"
    )


def restore_interrupted_publish(site_dir: Path) -> bool:
    """Undo a commit into `site_dir` that was stopped midway, and put back a site moved aside by a stopped swap."""
    rolled_back = roll_back_commits(site_dir)
    return restore_interrupted_swap(site_dir) or rolled_back


def roll_back_commits(site_dir: Path) -> bool:
    """Roll back every commit into `site_dir` whose build is gone and whose journal is still there (newest first)."""
    found = [
        folder
        for folder in site_dir.parent.glob(f"{COMMIT_PREFIX}*")
        if folder.is_dir()
        and not folder.is_symlink()
        and not is_running(builder_pid(folder.name[len(COMMIT_PREFIX) :]))
        and journal_site(folder) == site_dir
    ]
    for folder in sorted(found, key=lambda folder: (folder / JOURNAL).stat().st_mtime, reverse=True):
        roll_back(folder)
    return bool(found)


def restore_interrupted_swap(site_dir: Path) -> bool:
    """Put the previous site back if a build was stopped between the two renames of `swap_in`."""
    if site_dir.exists() or not site_dir.parent.exists():
        return False
    moved = sorted(site_dir.parent.glob(f"{OLD_SITE_PREFIX}*/{site_dir.name}"), key=lambda path: path.stat().st_mtime)
    moved = [path for path in moved if not is_running(builder_pid(path.parent.name[len(OLD_SITE_PREFIX) :]))]
    moved = [path for path in moved if path.is_dir() and not path.is_symlink() and owner_kind(path) is not None]
    if not moved:
        return False
    os.replace(moved[-1], site_dir)
    return True


def remove_stale_folders(parent: Path) -> list[Path]:
    """Delete the staging, old-site and commit folders left in `parent` by builds that are no longer running.

    Only folders the builder made are deleted (they carry its marker, or hold nothing but a
    site it wrote): a folder someone else named `.site-build-…` is left alone. A commit folder
    that still holds its journal is the only copy of some of its site's old files: it is left
    for the next build of that site to roll back.
    """
    stale = [
        folder
        for prefix in (STAGING_PREFIX, OLD_SITE_PREFIX, COMMIT_PREFIX)
        for folder in sorted(parent.glob(prefix + "*"))
        if folder.is_dir()
        and not folder.is_symlink()
        and not is_running(builder_pid(folder.name[len(prefix) :]))
        and _made_by_a_build(folder)
        and not os.path.lexists(folder / JOURNAL)
    ]
    for folder in stale:
        remove_tree(folder)
    return stale


def owned_temporary(prefix: str, parent: Path) -> Path:
    """A new folder `<prefix><pid>-<random>` in `parent`, marked as the builder's so a later build may delete it."""
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))
    write_marker(folder, KIND_TEMPORARY)
    return folder


def _made_by_a_build(folder: Path) -> bool:
    """Marked, empty (killed before the marker was written), or holding only a folder the builder wrote."""
    children = [child for child in folder.iterdir() if child.name != OWNER_MARKER]
    if (folder / OWNER_MARKER).is_file() or not children:
        return True
    return len(children) == 1 and children[0].is_dir() and owner_kind(children[0]) is not None


def builder_pid(suffix: str) -> int | None:
    """The process id in a folder name `<pid>-<random>`; None for names from before pids were recorded."""
    head, _, _ = suffix.partition("-")
    return int(head) if head.isdecimal() else None


def is_running(pid: int | None) -> bool:
    """Whether a build with this process id may still be running (another build's folders are left alone)."""
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def swap_in(staging: Path, site_dir: Path, later: Executor | None = None) -> None:
    """Replace `site_dir` by `staging` with two renames, then delete the old site (on `later`, if given)."""
    old = None
    if site_dir.exists():
        old = owned_temporary(OLD_SITE_PREFIX, site_dir.parent)
        os.replace(site_dir, old / site_dir.name)
    os.replace(staging, site_dir)
    if old is not None:
        if later is None:
            remove_tree(old)  # thousands of folders: on several threads
        else:
            later.submit(remove_tree, old)


def _no_space(error: OSError, site_dir: Path, written: int) -> BuilderError:
    """The disk filled up: name the folder, how far the build got, what the previous site takes and what is free."""
    previous = folder_size(site_dir)
    free = shutil.disk_usage(site_dir.parent).free  # after the staging folder was removed
    need = max(written, previous) * 11 // 10 + 1024 * 1024
    where = f"写入 {error.filename} 时" if error.filename else "写入文件时"
    return BuilderError(
        f"磁盘空间不足：在 {site_dir.parent} 中生成网站，{where}空间用完（已写入 {_mb(written)}）；"
        f"生成时至少需要 {_mb(need)} 空闲空间（原网站占 {_mb(previous)}），该磁盘现有 {_mb(free)}"
        " — 请腾出空间后重试；原来的网站没有改动"
    )


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"
