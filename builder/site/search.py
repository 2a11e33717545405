"""Index a built site with Pagefind: the Chinese full-text search, fetched in small chunks.

Pagefind's extended build (pip `pagefind[extended]`) segments Chinese with jieba. Only
the pages' marked bodies (`data-pagefind-body`, see `theme/main.html`) are indexed.
Pin 1.4.0: in 1.5.x the browser re-segments a Chinese query with ICU, which disagrees
with jieba, and pages are lost (Pagefind issue #1237; measured in the README).

The index is split into shards, each a complete Pagefind bundle in `pagefind/<name>/`
built from some of the pages, so that a build re-indexes only the shards whose pages
changed, and several shards at once. `pagefind/shards.json` lists them; the search page
(theme/assets/budget/search.js) loads the first and merges the others into it with
Pagefind's `mergeIndex`, so one query searches every shard and the results are ranked together.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..errors import BuilderError

BUNDLE_DIR = "pagefind"
SHARD_LIST = "shards.json"
WHOLE_SITE_SHARD = "all"
SHARD_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
# A page is indexed only if it marks its body; with no marked page in a run Pagefind would index whole pages.
BODY_MARK = re.compile(rb"<[^>]*\sdata-pagefind-body[\s>=/]")
# Characters with a meaning in Pagefind's globs (the wax crate), escaped with a backslash in page paths
# (`!` only means something after `[`, which is escaped; wax refuses `\!`).
GLOB_META = re.compile(r"[\\?*$:<>()\[\]{},]")
# What one Pagefind run takes: Pagefind 1.4.0 refuses a glob of 5 000 paths of 50 bytes (255 KB: "did not parse
# as a valid glob") and took 4 000 (204 KB). A shard stays well below, in pages and in glob bytes; a larger group of
# pages (a department of thousands of projects) is split over several shards (`split_shard`), which the browser merges.
MAX_GLOB_BYTES = 100_000
MAX_SHARD_PAGES = 1_000  # a batch of 50 departments of 15 projects has 800 pages; 1 000 index in about 8 s
# Pagefind's messages repeat the whole glob: each line is cut to this many characters, and so many lines kept.
MAX_DETAIL_LINE = 300
MAX_DETAIL_LINES = 12

# Pagefind writes ready-made search interfaces too; the site uses its own (theme/assets/budget/search.js).
UNUSED_BUNDLE_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-highlight.js",
    "pagefind-worker.js",
)


@dataclass(frozen=True)
class SearchShard:
    """A named group of pages indexed together; `pages` are HTML paths from the site root, e.g. `2023/x/index.html`."""

    name: str
    pages: tuple[str, ...]


def split_shard(shard: SearchShard) -> list[SearchShard]:
    """`shard` as shards one Pagefind run takes: itself if small enough, else `name`, `name_2`, `name_3`…

    Pages are kept in order and cut when a part reaches MAX_SHARD_PAGES pages or MAX_GLOB_BYTES of glob.
    """
    chunks: list[list[str]] = [[]]
    size = 2  # the braces
    for page in shard.pages:
        cost = _glob_bytes(page) + 1
        if chunks[-1] and (len(chunks[-1]) >= MAX_SHARD_PAGES or size + cost > MAX_GLOB_BYTES):
            chunks.append([])
            size = 2
        chunks[-1].append(page)
        size += cost
    if len(chunks) == 1:
        return [shard]
    return [SearchShard(shard.name if i == 0 else f"{shard.name}_{i + 1}", tuple(c)) for i, c in enumerate(chunks)]


def _glob_bytes(page: str) -> int:
    return len(GLOB_META.sub(r"\\\g<0>", page).encode("utf-8"))


def shard_dir(site_dir: Path, name: str) -> Path:
    """Where the shard's bundle goes: `site_dir/pagefind/<name>/`."""
    return site_dir / BUNDLE_DIR / name


def has_bundle(site_dir: Path, name: str) -> bool:
    """Whether the shard `name` has a complete bundle in `site_dir/pagefind/<name>/`."""
    return (shard_dir(site_dir, name) / "pagefind-entry.json").is_file()


def index_site(site_dir: Path) -> None:
    """Index every page as one shard (`pagefind/all/`), in place of any earlier bundles, and list it in shards.json."""
    shutil.rmtree(site_dir / BUNDLE_DIR, ignore_errors=True)
    shards = split_shard(SearchShard(WHOLE_SITE_SHARD, tuple(site_pages(site_dir))))
    for shard in shards:
        index_shard(site_dir, shard)
    write_shard_list(site_dir, [shard.name for shard in shards])


def site_pages(site_dir: Path) -> list[str]:
    """Every HTML page of the site outside the search bundles, as sorted paths from the site root."""
    pages = (path.relative_to(site_dir).as_posix() for path in site_dir.rglob("*.html"))
    return sorted(page for page in pages if not page.startswith(f"{BUNDLE_DIR}/"))


def index_shards(site_dir: Path, shards: Sequence[SearchShard], jobs: int) -> None:
    """Index the shards, `jobs` Pagefind processes at a time; raise BuilderError naming every shard that failed."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        outcomes = pool.map(lambda shard: _try_index(site_dir, shard), shards)
        failures = [message for message in outcomes if message]
    if failures:
        listing = "\n".join(failures)
        raise BuilderError(f"{len(failures)} 个搜索索引分片建立失败：\n{listing}")


def _try_index(site_dir: Path, shard: SearchShard) -> str | None:
    """Index one shard; the error message if it failed, None if it worked."""
    try:
        index_shard(site_dir, shard)
    except BuilderError as error:
        return f"分片 {shard.name}：{error}"
    return None


def index_shard(site_dir: Path, shard: SearchShard) -> None:
    """Write the bundle of `shard` into `site_dir/pagefind/<name>/`, replacing an earlier one.

    Pagefind runs over the whole site folder with a glob that names just the shard's pages,
    so the URLs in the index stay relative to the site root and no page is copied or linked
    (creating thousands of files is a large part of a build's cost). Only pages that mark their
    body (`data-pagefind-body`) are named, as Pagefind does for a whole site; a shard with no
    such page has nothing to index and gets no bundle. A shard larger than one Pagefind run
    takes is refused (`split_shard` makes shards that fit).
    """
    _check_name(shard.name)
    if len(split_shard(shard)) > 1:
        raise BuilderError(
            f"搜索索引分片 {shard.name} 有 {len(shard.pages)} 个页面，超过 Pagefind 一次能处理的"
            f" {MAX_SHARD_PAGES} 个页面或 {MAX_GLOB_BYTES} 字节的路径列表 — 请先用 split_shard 拆分"
        )
    output = shard_dir(site_dir, shard.name)
    shutil.rmtree(output, ignore_errors=True)
    pages = marked_pages(site_dir, shard.pages)
    if pages:
        _run_pagefind(site_dir, pages, output)
    for name in UNUSED_BUNDLE_FILES:
        (output / name).unlink(missing_ok=True)


def write_shard_list(site_dir: Path, names: Iterable[str]) -> None:
    """Write `pagefind/shards.json`, the shards the search page loads; the first one is loaded first.

    Shards without a bundle (none of their pages is indexed) are left out.
    """
    names = list(names)
    for name in names:
        _check_name(name)
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise BuilderError(f"搜索索引分片名称重复：{'、'.join(repeated)}")
    names = [name for name in names if has_bundle(site_dir, name)]
    if not names:
        raise BuilderError("搜索索引没有任何分片 — 网站中没有可供检索的页面（带 data-pagefind-body 的页面）")
    path = site_dir / BUNDLE_DIR / SHARD_LIST
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"shards": names}, ensure_ascii=False) + "\n", encoding="utf-8")


def _check_name(name: str) -> None:
    if not SHARD_NAME.fullmatch(name):
        raise BuilderError(f"搜索索引分片名称不合适：{name!r} — 只能用字母、数字、连字符和下划线")


def marked_pages(site_dir: Path, pages: Iterable[str]) -> list[str]:
    """The pages that mark their body, checked to be files inside `site_dir`."""
    marked, root = [], site_dir.resolve()
    for page in pages:
        source = site_dir / page
        if not source.resolve().is_relative_to(root):
            raise BuilderError(f"搜索索引分片中的页面不在网站文件夹内：{page}")
        if not source.is_file():
            raise BuilderError(f"搜索索引分片中的页面不存在：{page}")
        if BODY_MARK.search(source.read_bytes()):
            marked.append(page)
    return marked


def pages_glob(pages: Iterable[str]) -> str:
    """A Pagefind glob matching exactly `pages`: `{a/index.html,b/index.html}`, metacharacters escaped."""
    return "{" + ",".join(GLOB_META.sub(r"\\\g<0>", page) for page in pages) + "}"


def _run_pagefind(site_dir: Path, pages: list[str], output: Path) -> None:
    """Run the Pagefind CLI, its options in a `pagefind.json`: a glob of thousands of pages is too long for argv."""
    config = {"site": str(site_dir.resolve()), "glob": pages_glob(pages), "output_path": str(output.resolve())}
    with tempfile.TemporaryDirectory(prefix=".search-", dir=site_dir.parent) as folder:
        Path(folder, "pagefind.json").write_text(json.dumps(config, ensure_ascii=False), encoding="utf-8")
        command = [sys.executable, "-m", "pagefind", "--silent"]
        try:
            result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=folder)
        except OSError as error:
            raise BuilderError(f"无法运行 Pagefind：{error} — 请安装 pagefind[extended]") from None
    if result.returncode != 0:
        raise BuilderError(_failure(result, len(pages)))


def _failure(result: subprocess.CompletedProcess[str], count: int) -> str:
    """What Pagefind said, shortened (its messages repeat the whole glob), with the page count and exit status.

    The installation is named only when the Pagefind module or its binary could not be found.
    """
    details = _shorten(result.stderr.strip() or result.stdout.strip() or "（Pagefind 没有输出任何信息）")
    message = f"Pagefind 为 {count} 个页面建立搜索索引失败（退出码 {result.returncode}）：\n{details}"
    if "No module named" in result.stderr or "pagefind_bin" in result.stderr:
        message += "\n— 请检查 pagefind[extended] 是否安装完整（pip install 'pagefind[extended]==1.4.0'）"
    return message


def _shorten(text: str) -> str:
    """Each line once, a long one as its start and end (MAX_DETAIL_LINE characters); MAX_DETAIL_LINES lines."""
    lines: list[str] = []
    for line in text.splitlines():
        if len(line) > MAX_DETAIL_LINE:
            half = MAX_DETAIL_LINE // 2
            line = f"{line[:half]}……（省略 {len(line) - 2 * half} 个字符）……{line[-half:]}"
        if line.strip() and line not in lines:
            lines.append(line)
    if len(lines) > MAX_DETAIL_LINES:
        lines = [*lines[:MAX_DETAIL_LINES], f"……（另有 {len(lines) - MAX_DETAIL_LINES} 行）"]
    return "\n".join(f"  {line}" for line in lines)
