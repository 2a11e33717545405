"""Guard the output folder: a build replaces it whole, so it must be one the builder owns.

`build` swaps its staging folder in place of `--site`, deleting what was there. Like Hugo
(`publishDir`) and MkDocs (`site_dir`) we refuse an output that is, contains or lies in the
project's own folders; we go further and refuse any non-empty folder the builder did not
write. Every output folder gets a marker file (`OWNER_MARKER`) saying it is the builder's;
a site made by a version before the marker is recognised by its build manifest.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import BuilderError
from .outputs import OWNER_MARKER, PART_MANIFEST, legacy_site_manifest_file, site_manifest_file

KIND_SITE = "site"
KIND_PART = "part"
KIND_TEMPORARY = "temporary"  # a build's staging folder, or the old site moved aside
# The project's own files: an output may not be, contain or lie inside any of them.
PROTECTED = (
    "data",
    "content",
    "theme",
    "templates",
    "builder",
    "tests",
    "benchmarks",
    "scripts",
    ".git",
    ".ci",
    ".cache",
    ".venv",
    "node_modules",
    "mkdocs.yml",
    "pyproject.toml",
    "Makefile",
    "README.md",
)
# What only a site made by this builder has (an older version, before the marker): all of these, and one search index
# (one bundle until the index was split into shards, then the list of shards).
_LEGACY_SITE = ("index.html", "data/SHA256SUMS")
_LEGACY_SEARCH = ("pagefind/pagefind.js", "pagefind/shards.json")


def real(path: Path) -> Path:
    """The absolute path with every symlink resolved (the folder a build would really replace)."""
    return Path(os.path.realpath(path))


def within(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or lies inside it (both real paths).

    Compared as strings: real paths are absolute and normalised, and `path.parents` cost 0.1 ms a file
    (`escaping_files` of 3 000 data files: 0.3 s)."""
    if not (path.is_absolute() and folder.is_absolute()):
        return path == folder or folder in path.parents
    inside, outer = str(path), str(folder)
    return inside == outer or inside.startswith(outer if outer.endswith("/") else outer + "/")


def escapes(path: Path, roots: Iterable[Path]) -> Path | None:
    """The real path of `path` when it lies outside every one of `roots` (a symlink out of the project), else None."""
    target = real(path)
    return None if any(within(target, real(root)) for root in roots) else target


def escaping_files(paths: Iterable[Path], roots: Iterable[Path]) -> dict[Path, Path]:
    """`escapes` for many files: those whose real path lies outside every one of `roots`, with that real path.

    Each root and each folder is resolved once; a file that is not a symlink lies where its folder
    really is (as `os.path.realpath` finds it), so it costs one `lstat` instead of one per part of
    its path (3 000 data files: about a second of system calls on a busy machine)."""
    real_roots = [real(root) for root in roots]
    folders: dict[Path, Path] = {}
    found = {}
    for path in paths:
        folder = folders.get(path.parent)
        if folder is None:
            folder = folders[path.parent] = real(path.parent)
        target = real(path) if os.path.islink(path) else folder / path.name
        if not any(within(target, root) for root in real_roots):
            found[path] = target
    return found


def escaping_links(folder: Path, roots: Iterable[Path], skip: Path | None = None) -> list[tuple[Path, Path]]:
    """Every symlink under `folder` (not followed) whose target lies outside `roots`, with that target.

    The folder `skip` is not walked: the generated pages' folder, which holds a page per project,
    is checked by the walk the step that writes it makes anyway (`write_pages`, with `escaping_link`).
    """
    roots = [real(root) for root in roots]
    skipped = os.path.abspath(skip) if skip is not None else None
    found = []
    pending = [str(folder)]
    while pending:  # os.scandir tells links from the directory listing: no system call per file
        try:
            with os.scandir(pending.pop()) as entries:
                listed = list(entries)
        except OSError:  # as os.walk: a folder that cannot be listed is passed over
            continue
        for entry in listed:
            if entry.is_symlink():
                target = escapes(Path(entry.path), roots)
                if target is not None:
                    found.append((Path(entry.path), target))
            elif entry.is_dir() and os.path.abspath(entry.path) != skipped:
                pending.append(entry.path)
    return sorted(found)


def escaping_link(path: str, roots: Iterable[Path]) -> tuple[Path, Path] | None:
    """The symlink `path` with its target, when that lies outside `roots` (one entry of `escaping_links`)."""
    target = escapes(Path(path), roots)
    return None if target is None else (Path(path), target)


def links_out_error(found: list[tuple[Path, Path]]) -> BuilderError:
    """The refusal of symlinks that lead out of the project (MkDocs and the PDF would publish what they point to)."""
    listing = "\n".join(f"{path}: 指向项目以外的 {target}" for path, target in sorted(found)[:20])
    return BuilderError(f"{listing}\n这些链接指向项目以外，不会发布；网站没有更新 — 请把文件复制进来，或删除链接")


def marker_text(kind: str) -> str:
    note = "本文件夹由 python -m builder build 生成，每次生成时整个替换；请勿在此存放其他文件。"
    return json.dumps({"tool": "budget-performance-builder", "kind": kind, "note": note}, ensure_ascii=False) + "\n"


def write_marker(folder: Path, kind: str) -> None:
    (folder / OWNER_MARKER).write_text(marker_text(kind), encoding="utf-8")


def owner_kind(folder: Path, cache_dir: Path | None = None) -> str | None:
    """`site` or `part` when the builder wrote `folder`, None when it did not (or cannot tell)."""
    marker = folder / OWNER_MARKER
    if marker.is_file() and not marker.is_symlink():
        try:
            kind = json.loads(marker.read_text(encoding="utf-8")).get("kind")
        except (OSError, ValueError, AttributeError):
            kind = None
        return kind if kind in (KIND_SITE, KIND_PART) else None
    if (folder / PART_MANIFEST).is_file():
        return KIND_PART  # a part made before the marker existed
    manifests = (site_manifest_file, legacy_site_manifest_file)
    if cache_dir is not None and any(manifest(cache_dir, folder).is_file() for manifest in manifests):
        return KIND_SITE  # a site this project built before the marker existed
    if all((folder / name).is_file() for name in _LEGACY_SITE) and any(
        (folder / name).is_file() for name in _LEGACY_SEARCH
    ):
        return KIND_SITE
    return None


def _is_empty(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return next(entries, None) is None


def guard_output(
    site_dir: Path,
    *,
    project_root: Path,
    data_dir: Path,
    part: bool,
    merge: Sequence[Path] = (),
    published_site: Path | None = None,
    cache_dir: Path | None = None,
) -> None:
    """Raise BuilderError (naming the folder and why) unless a build may replace `site_dir`."""
    _refuse_unexpanded(site_dir)
    target = real(site_dir)
    shown = f"输出文件夹 {site_dir}" + (f"（实际位置 {target}）" if target != Path(os.path.abspath(site_dir)) else "")
    root = real(project_root)
    for folder, what in _not_contained(root):
        if within(folder, target):
            raise BuilderError(f"{shown} 是{what}或包含它，生成时会被整个替换 — 请用 --site 指定单独的文件夹，如 site")
    for folder, why in _protected(root, data_dir, merge):
        if within(target, folder) or within(folder, target):
            raise BuilderError(f"{shown} 与{why} {folder} 重叠，生成时会删除其中的文件 — 请用 --site 指定单独的文件夹")
    if part and published_site is not None and target == real(published_site):
        raise BuilderError(
            f"{shown} 是发布用的网站文件夹；--part 只生成一部分，不能替换它 — 请用 --site parts/第几份 另指定文件夹"
        )
    for outer in target.parents:
        if (outer / OWNER_MARKER).is_file():
            raise BuilderError(
                f"{shown} 在本工具生成的文件夹 {outer} 之中，下次生成 {outer} 时会被删除 — "
                "请用 --site 指定一个不在已生成的网站里的文件夹"
            )
    if not os.path.lexists(target):
        return
    if not target.is_dir():
        raise BuilderError(f"{shown} 已存在，但不是文件夹 — 请换一个名字")
    if os.path.ismount(target):  # renamed to swap a site in: the kernel refuses (EBUSY), even when writable
        raise BuilderError(
            f"{shown} 是一个挂载点（Docker 卷、NFS 等挂载进来的文件夹），生成时无法整体替换 — "
            f"请用 --site 指定挂载点里面的一个子文件夹（例如 --site {target / 'site'}）并让 web 服务器指向它，"
            "或者改为挂载它的上一级文件夹"
        )
    if _is_empty(target):
        return
    kind = owner_kind(target, cache_dir)
    if kind is None:
        raise BuilderError(
            f"{shown} 不是空文件夹，也不是本工具生成的（没有 {OWNER_MARKER}）；生成时会删除其中全部文件，"
            "为防止误删已拒绝 — 请换一个新的或空的文件夹，或确认无用后自行清空"
        )
    if part and kind == KIND_SITE:
        raise BuilderError(f"{shown} 是完整的网站；--part 只生成一部分，不能替换它 — 请另指定一个文件夹")


_UNEXPANDED = re.compile(r"^~|\$(?:\{|[A-Za-z_])|%[A-Za-z_]+%")


def refuse_unwritable_cache(cache_dir: Path | None) -> None:
    """Refuse, before anything is built, a cache with a folder this user cannot write: one left by another user
    (`make site` run as root, then a build as the web admin). The build published the site and only then failed to
    record it (exit 1 with the site changed; the next build took the site's own files for an admin's)."""
    if cache_dir is None or not cache_dir.is_dir():
        return
    folders = [cache_dir]
    for folder in _subfolders(cache_dir):  # the cache is two levels deep (store/<kind>/); its files are replaced
        folders += [folder, *_subfolders(folder)]
    for folder in folders:
        if not os.access(folder, os.W_OK | os.X_OK):
            raise BuilderError(
                f"缓存文件夹 {folder} 不能写入（属于另一个用户，例如曾用 root 运行过 make site）：网站没有改动。"
                f'请用同一个用户生成，或把缓存交给现在的用户：sudo chown -R "$(id -un)" {cache_dir}'
            )


def _refuse_unexpanded(site_dir: Path) -> None:
    """`--site '~/site'` or `'$HOME/site'`: the shell expands neither in quotes, and the build made a folder named
    `~` or `$HOME` in the current folder."""
    if _UNEXPANDED.search(str(site_dir)):
        raise BuilderError(
            f"输出文件夹 {site_dir} 中的 ~ 或 $变量 没有展开成实际路径（写在引号中时 shell 不展开）— "
            "请写出完整路径，如 /srv/www/site，或去掉引号"
        )


def _protected(root: Path, data_dir: Path, merge: Iterable[Path]) -> list[tuple[Path, str]]:
    folders = [(real(root / name), "项目的") for name in PROTECTED if os.path.lexists(root / name)]
    folders.append((real(data_dir), "数据文件夹"))
    folders += [(real(folder), "要合并的分部文件夹") for folder in merge]
    return folders


def _not_contained(root: Path) -> list[tuple[Path, str]]:
    """Folders an output may lie in but never be or contain: the project, the user's home, the working folder."""
    folders = [(root, "项目文件夹"), (real(Path.cwd()), "当前文件夹")]
    home = os.environ.get("HOME")
    if home:
        folders.append((real(Path(home)), "用户主目录"))
    return folders


REMOVAL_THREADS = 16
REMOVAL_UNITS = 64


def remove_tree(folder: Path) -> None:
    """Delete `folder` like `shutil.rmtree(folder, ignore_errors=True)`, its subfolders on several threads at once.

    Deleting a site is thousands of small waits on the disk: on a file system mounted with
    online discard (`-o discard`, usual on cloud disks) each removed directory waits for its
    blocks to be trimmed, and the 9 000 folders of a 500-department site took 25–30 s one after
    another here, against 1–4 s spread over 16 threads. The folders a few levels down
    (`site/2023/<department>`, `site/pagefind/<shard>`: at least REMOVAL_UNITS of them, if there
    are) are each removed by `shutil.rmtree`, which follows no symlink; what is left, last.
    """
    if not folder.is_dir() or folder.is_symlink():
        shutil.rmtree(folder, ignore_errors=True)
        return
    units = [folder]
    for _ in range(4):
        deeper = [sub for unit in units for sub in _subfolders(unit)]
        if not deeper:
            break
        units = deeper
        if len(units) >= REMOVAL_UNITS:
            break
    if units != [folder]:
        with ThreadPoolExecutor(max_workers=REMOVAL_THREADS) as pool:
            list(pool.map(lambda unit: shutil.rmtree(unit, ignore_errors=True), units))
    # The builder's marker goes last: a build stopped half-way through deleting leaves a folder a later build
    # still knows as its own and deletes (builder/pipeline/swap.py `remove_stale_folders`), not one it must keep.
    with contextlib.suppress(OSError):
        for child in os.scandir(folder):
            if child.name == OWNER_MARKER:
                continue
            if child.is_dir(follow_symlinks=False):
                shutil.rmtree(child.path, ignore_errors=True)
            else:
                os.unlink(child.path)
    shutil.rmtree(folder, ignore_errors=True)


def _subfolders(folder: Path) -> list[Path]:
    """The real folders (not symlinks) directly in `folder`."""
    try:
        with os.scandir(folder) as entries:
            return [Path(entry.path) for entry in entries if entry.is_dir(follow_symlinks=False)]
    except OSError:
        return []
