"""Index the site for search in shards (a few departments each, one for the rest), reusing unchanged shards.

Each batch of departments (builder/pipeline/plan.py) is dealt into shards of about
SHARD_DEPARTMENTS departments by a stable hash of their slug, so that adding a department
changes one shard. A shard's key is the keys of the pages it indexes: editing one department
re-indexes its shard (about 400 pages, 1.2–1.5 s: Pagefind takes about 2.8 ms a page; see
builder/site/search.py), behind the later steps (step wait_for_search), and the small
`site` shard (home, year pages, hand-written pages) only when one of its indexed pages
changed — a year page lists departments' names and amounts, not their goals. Pages Pagefind
leaves out (no `data-pagefind-body`: 数据下载, whose file sizes change with every edit, the
all-projects lists) do not count.
The browser merges the shards listed in `pagefind/shards.json` (theme/assets/budget/search.js).
"""

from __future__ import annotations

import functools
import math
import multiprocessing.util
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from ...errors import BuilderError
from ...site.search import (
    BUNDLE_FILE,
    ENTRY,
    PagefindService,
    SearchShard,
    ServicePool,
    has_bundle,
    index_pages,
    index_shards,
    marked_pages,
    split_shard,
    write_shard_list,
)
from ...site.search_chunks import FORMAT as CHUNKS_FORMAT
from ...site.search_exact import FORMAT as EXACT_FORMAT
from ...site.search_exact import packed_all
from ...site.search_ids import FORMAT as IDS_FORMAT
from ...site.search_routes import FORMAT as ROUTES_FORMAT
from ...site.search_text import FORMAT as TEXT_FORMAT
from ..context import Build
from ..fingerprint import content_sha256, digest
from ..outputs import Outputs
from ..plan import SITE_BATCH, Batch
from ..progress import Stage
from ..workers import cpu_count, run_parallel, worker_count

PAGEFIND = "pagefind/"
TITLE = "搜索索引"
# Departments a shard holds, on average. Smaller shards re-index faster after an edit, but the browser downloads one
# index chunk per shard for each word of a query and every shard's meta file (figures in benchmarks/README.md).
# 12 (about 200 pages, 0.8 s of CPU to re-index) rather than 25 (1.6 s): an edit then stays under a tenth of a full
# build at 500 departments. With small index chunks (builder/site/search_chunks.py) 25 would save only 10–15 % of
# a first query's bytes at 500 departments (the meta files, which grow with the pages, not the shards, dominate).
SHARD_DEPARTMENTS = 12
# So many shards to re-index (an edit's) are indexed behind the later steps (PDFs, 年度打包, 链接检查), which do not
# read the index; more (a fresh build) are indexed here, before them: two Pagefind processes beside the link
# check's workers would raise the build's peak memory (3 000 departments: 1.9 GB in this step alone).
BEHIND_MAX_SHARDS = 2


def wanted(b: Build) -> bool:
    return True


def total(b: Build) -> int:
    return len(plan_shards(b.page_keys, b.handwritten, b.plan.batches, b.whole_site))


def run(b: Build, stage: Stage) -> None:
    shards = plan_shards(b.page_keys, b.handwritten, b.plan.batches, b.whole_site)
    finish = start_search(shards, b.page_keys, b.outputs, b.jobs, stage, b.search_services, behind=True)
    if finish.behind:
        b.search_finish = finish  # waited for by the step wait_for_search, after the others
    else:
        finish()


def plan_shards(
    page_keys: dict[str, str], handwritten: list[str], batches: list[Batch], whole_site: bool
) -> list[SearchShard]:
    """Pages by shard: a department's pages in its shard (`department_shards`), the rest (a whole site's) in `site`.

    A shard with more pages than MAX_SHARD_PAGES (a department of thousands of projects)
    is indexed as several shards, `<name>`, `<name>_2`… (`split_shard`).

    The pages that are no department's (home, year pages, hand-written pages) are few and
    shared by all: in a shard of their own, an edit that leaves them as they were re-indexes
    one batch only. The search page re-ranks the first results by where the query appears
    (title, code, indicator, body; theme/assets/budget/search.js), so these pages, scored by
    Pagefind against their own shard's word counts, do not crowd out the projects.
    """
    names = department_shards(batches)
    members: dict[str, list[str]] = {name: [] for batch in batches for name in batch_shards(batch)}
    if whole_site:
        members[SITE_BATCH] = list(handwritten)
    for path in page_keys:
        parts = path.split("/")
        shard = names.get((int(parts[0]), parts[1])) if len(parts) > 2 and parts[0].isdecimal() else None
        if shard is None and whole_site:
            shard = SITE_BATCH
        if shard in members:
            members[shard].append(path)
    shards = [SearchShard(name, tuple(sorted(pages))) for name, pages in members.items() if pages]
    return [piece for shard in shards for piece in split_shard(shard)]


def department_shards(batches: list[Batch]) -> dict[tuple[int, str], str]:
    """`(year, slug)` → the name of its shard: a batch of n departments is dealt into ⌈n / SHARD_DEPARTMENTS⌉ shards.

    A department's shard is a stable hash of its slug (other bits of it than its batch's), so
    adding a department changes one shard of its batch. A batch dealt into one shard keeps
    the batch's name (`2023-0`), else the shards are `2023-0-0`, `2023-0-1`…
    """
    names = {}
    for batch in batches:
        shards = batch_shards(batch)
        for slug in batch.slugs:
            names[(batch.year, slug)] = shards[(zlib.crc32(slug.encode("utf-8")) >> 16) % len(shards)]
    return names


def batch_shards(batch: Batch) -> list[str]:
    """The names of a batch's shards, in order."""
    count = max(1, math.ceil(len(batch) / SHARD_DEPARTMENTS))
    return [batch.name] if count == 1 else [f"{batch.name}-{share}" for share in range(count)]


def shard_key(shard: SearchShard, page_keys: dict[str, str], outputs: Outputs) -> str:
    """What a shard's bundle is made from: how Pagefind's bundle is made and re-cut, the shard's name, its pages' keys.

    The `site` shard's pages are read to leave out those Pagefind skips (they are few; a
    department's pages are all indexed, and reading thousands of them would cost seconds).
    """
    read = _reader(outputs)
    pages = marked_pages(outputs.staging, shard.pages, read) if shard.name.startswith(SITE_BATCH) else list(shard.pages)
    keys = [page_keys.get(path) or content_sha256(read(path)) for path in pages]
    made = f"{version('pagefind')} {CHUNKS_FORMAT} {IDS_FORMAT} {ROUTES_FORMAT} {EXACT_FORMAT} {TEXT_FORMAT}"
    return digest("search", made, shard.name, *[f"{p} {k}" for p, k in zip(pages, keys, strict=True)])


def make_search(
    shards: list[SearchShard],
    page_keys: dict[str, str],
    outputs: Outputs,
    jobs: int | None,
    stage: Stage,
    services: ServicePool | None = None,
) -> list[str]:
    """Each shard's index in `pagefind/<name>/`, made or reused, and the shard list; return the shard names."""
    return start_search(shards, page_keys, outputs, jobs, stage, services or ServicePool(), behind=False)()


def start_search(
    shards: list[SearchShard],
    page_keys: dict[str, str],
    outputs: Outputs,
    jobs: int | None,
    stage: Stage,
    services: ServicePool,
    behind: bool,
) -> FinishSearch:
    """Reuse the unchanged shards and index the others; the returned call completes the step (`make_search`).

    With `behind`, up to BEHIND_MAX_SHARDS shards are indexed in a thread (`FinishSearch.behind`):
    Pagefind works while the build goes on with the steps that do not read the index.
    """
    keys = {shard.name: shard_key(shard, page_keys, outputs) for shard in shards}
    todo = []
    for shard in shards:
        if outputs.reuse_folder(f"{PAGEFIND}{shard.name}/", keys[shard.name], BUNDLE_FILE):
            stage.skip(1)
        else:
            todo.append(shard)
    # Largest first, so that the Pagefind processes finish together.
    todo.sort(key=lambda shard: -len(shard.pages))
    wait = None
    if behind and 0 < len(todo) <= BEHIND_MAX_SHARDS:
        wait = services.index_behind(outputs.staging, todo, jobs or cpu_count(), read=_reader(outputs))
        stage.advance(len(todo))  # handed to Pagefind
    elif len(todo) > BEHIND_MAX_SHARDS and worker_count(jobs, len(todo)) > 1:
        index_in_workers(todo, outputs.staging, outputs.location, jobs, stage)
    else:
        index_shards(outputs.staging, todo, jobs or cpu_count(), read=_reader(outputs), services=services)
        stage.advance(len(todo))
    return FinishSearch(shards, todo, keys, outputs, wait)


def index_in_workers(
    todo: list[SearchShard], staging: Path, locate: Callable[[str], Path], jobs: int | None, stage: Stage
) -> None:
    """Index `todo` into `staging` in worker processes, each with its own Pagefind, a shard at a time, in order.

    A page is read where `locate(page)` says (`Outputs.location`: made in this build or reused).

    In threads of this process (`index_shards`) the Python half of each shard (reading and
    sending its pages, re-cutting the bundle, the exact and text pieces: about 0.3 s a shard at
    500 departments) waits for the GIL: the step used 1.7 of 2 cores. Raise BuilderError naming
    every shard that failed.
    """
    items = [(shard.name, tuple((page, str(locate(page))) for page in shard.pages)) for shard in todo]
    failures: dict[str, str] = {}
    for (name, _), failure in run_parallel(_index_one, items, jobs, shared=str(staging), fresh=True):
        if failure is not None:
            failures[name] = failure
        stage.advance(1, name)
    if failures:
        listing = "\n".join(f"分片 {shard.name}：{failures[shard.name]}" for shard in todo if shard.name in failures)
        raise BuilderError(f"{len(failures)} 个搜索索引分片建立失败：\n{listing}")


_service: list[PagefindService] = []  # a worker process's Pagefind, kept for its next shard


def _index_one(staging: str, item: tuple[str, tuple[tuple[str, str], ...]]) -> str | None:
    """A worker's shard: its bundle written into `staging`; what went wrong, or None. Its Pagefind starts (and warms
    up) first, while the pages are read, and ends with the worker."""
    name, located = item
    if not (_service and _service[0].alive()):
        _service[:] = [PagefindService.warmed()]
        multiprocessing.util.Finalize(_service[0], _service[0].close, exitpriority=10)
    locations = dict(located)
    try:
        index_pages(Path(staging), SearchShard(name, tuple(locations)), _read_located(locations), lambda: _service[0])
    except (BuilderError, OSError) as error:
        return str(error)
    return None


def _read_located(locations: dict[str, str]) -> Callable[[str], bytes]:
    return lambda page: Path(locations[page]).read_bytes()


@dataclass
class FinishSearch:
    """The end of the search step: wait for Pagefind if it works behind (`wait`), record the bundles, list them."""

    shards: list[SearchShard]
    todo: list[SearchShard]
    keys: dict[str, str]
    outputs: Outputs
    wait: Callable[[], None] | None

    @property
    def behind(self) -> bool:
        return self.wait is not None

    def __call__(self) -> list[str]:
        if self.wait is not None:
            self.wait()
            self.wait = None
        outputs = self.outputs
        for shard in self.todo:
            if has_bundle(outputs.staging, shard.name):
                outputs.record_folder(f"{PAGEFIND}{shard.name}/", self.keys[shard.name])
        names = [shard.name for shard in self.shards]
        if names:  # a part may hold no batch whole: then it has no shard, and the merge indexes its pages
            read = _reader(outputs)
            bundled = lambda name: outputs.location(_entry(name)).is_file()  # noqa: E731
            made = {f"{PAGEFIND}{shard.name}/" for shard in self.todo}
            write_shard_list(
                outputs.staging,
                names,
                bundled=bundled,
                read=read,
                store=functools.partial(_store, outputs),
                trusted=lambda path: path in outputs.kept or path.rsplit("/", 1)[0] + "/" in made,
            )
        return names


def _store(outputs: Outputs, files: dict[str, bytes]) -> None:
    """Write the exact and text indexes' bucket files the earlier build lacks (a file's name is its content's hash)."""
    keys = {path: digest("search-exact", path) for path in files}
    todo = [path for path in files if not outputs.reuse([path], keys[path])]
    for path, content in zip(todo, packed_all([files[path] for path in todo]), strict=True):
        outputs.target(path).write_bytes(content)
        outputs.record(path, keys[path])


def _reader(outputs: Outputs) -> Callable[[str], bytes]:
    """Read a page of the site being built, made in this build or reused (`Outputs.location`)."""
    return lambda path: outputs.location(path).read_bytes()


def _entry(shard: str) -> str:
    """The file every complete bundle has, as a path in the site."""
    return f"{PAGEFIND}{shard}/{ENTRY}"
