"""Index the site for search in shards (one per batch of departments, one for the rest), reusing unchanged shards.

A shard's key is the keys of the pages it indexes: editing one department re-indexes its
batch's shard, and the small `site` shard (home, year pages, hand-written pages) only when
one of its indexed pages changed — a year page lists departments' names and amounts, not
their goals. Pages Pagefind leaves out (no `data-pagefind-body`: 数据下载, whose file sizes
change with every edit, the all-projects lists) do not count.
The browser merges the shards listed in `pagefind/shards.json` (theme/assets/budget/search.js).
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from ...site.search import SearchShard, has_bundle, index_shards, marked_pages, split_shard, write_shard_list
from ..context import Build
from ..fingerprint import digest, file_sha256
from ..outputs import Outputs
from ..plan import SITE_BATCH, Batch, batch_names
from ..progress import Stage
from ..workers import cpu_count

PAGEFIND = "pagefind/"
ENTRY = "pagefind-entry.json"  # in every shard's bundle
TITLE = "搜索索引"


def wanted(b: Build) -> bool:
    return True


def total(b: Build) -> int:
    return len(plan_shards(b.page_keys, b.handwritten, b.plan.batches, b.whole_site))


def run(b: Build, stage: Stage) -> None:
    shards = plan_shards(b.page_keys, b.handwritten, b.plan.batches, b.whole_site)
    make_search(shards, b.page_keys, b.outputs, b.jobs, stage)


def plan_shards(
    page_keys: dict[str, str], handwritten: list[str], batches: list[Batch], whole_site: bool
) -> list[SearchShard]:
    """Pages by shard: a department's pages in its batch's shard, the rest (a whole site's) in the `site` shard.

    A batch with more pages than one Pagefind run takes (a department of thousands of
    projects) is indexed as several shards, `<batch>`, `<batch>_2`… (`split_shard`).

    The pages that are no department's (home, year pages, hand-written pages) are few and
    shared by all: in a shard of their own, an edit that leaves them as they were re-indexes
    one batch only. The search page re-ranks the first results by where the query appears
    (title, code, indicator, body; theme/assets/budget/search.js), so these pages, scored by
    Pagefind against their own shard's word counts, do not crowd out the projects.
    """
    names = batch_names(batches)
    members: dict[str, list[str]] = {batch.name: [] for batch in batches}
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


def shard_key(shard: SearchShard, page_keys: dict[str, str], staging: Path) -> str:
    """What the shard's bundle is made from: Pagefind's version, the shard's name, its indexed pages and their keys.

    The `site` shard's pages are read to leave out those Pagefind skips (they are few; a
    department's pages are all indexed, and reading thousands of them would cost seconds).
    """
    pages = marked_pages(staging, shard.pages) if shard.name.startswith(SITE_BATCH) else list(shard.pages)
    keys = [page_keys.get(path) or file_sha256(staging / path) for path in pages]
    return digest("search", version("pagefind"), shard.name, *[f"{p} {k}" for p, k in zip(pages, keys, strict=True)])


def make_search(
    shards: list[SearchShard], page_keys: dict[str, str], outputs: Outputs, jobs: int | None, stage: Stage
) -> list[str]:
    """Each shard's index in `pagefind/<name>/`, made or reused, and the shard list; return the shard names.

    Pages are read, and Pagefind runs, in the staging folder: the pages kept in the published
    site that a shard key or a shard being indexed needs are linked there meanwhile.
    """
    linked = outputs.stage(page for shard in shards if shard.name.startswith(SITE_BATCH) for page in shard.pages)
    try:
        keys = {shard.name: shard_key(shard, page_keys, outputs.staging) for shard in shards}
        todo = []
        for shard in shards:
            if outputs.reuse_folder(f"{PAGEFIND}{shard.name}/", keys[shard.name]):
                stage.skip(1)
            else:
                todo.append(shard)
        # Largest first, so that the Pagefind processes finish together.
        todo.sort(key=lambda shard: -len(shard.pages))
        staged = set(linked)
        linked += outputs.stage(page for shard in todo for page in shard.pages if page not in staged)
        index_shards(outputs.staging, todo, jobs or cpu_count())
        for shard in todo:
            if has_bundle(outputs.staging, shard.name):
                outputs.record_folder(f"{PAGEFIND}{shard.name}/", keys[shard.name])
        stage.advance(len(todo))
        names = [shard.name for shard in shards]
        if names:  # a part may hold no batch whole: then it has no shard, and the merge indexes its pages
            # The shard list names the shards that have a bundle, looked for in the staging folder.
            linked += outputs.stage(f"{PAGEFIND}{name}/{ENTRY}" for name in names)
            write_shard_list(outputs.staging, names)
    finally:
        outputs.unstage(linked)
    return names
