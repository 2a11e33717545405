"""Index the site for search in shards (one per batch of departments, one for the rest), reusing unchanged shards.

A shard's key is the keys of its pages: editing one department re-indexes its batch's
shard and the `site` shard (whose year pages list every department), nothing else.
The browser merges the shards listed in `pagefind/shards.json` (theme/assets/budget/search.js).
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from ...site.search import SearchShard, has_bundle, index_shards, split_shard, write_shard_list
from ..context import Build
from ..fingerprint import digest, file_sha256
from ..outputs import Outputs
from ..plan import SITE_BATCH, Batch, batch_names
from ..progress import Stage
from ..workers import cpu_count

PAGEFIND = "pagefind/"
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
    """Pages by shard: a department's pages in its batch's shard, the rest in the first batch's.

    A batch with more pages than one Pagefind run takes (a department of thousands of
    projects) is indexed as several shards, `<batch>`, `<batch>_2`… (`split_shard`).

    The pages that are no department's (hand-written pages, year pages) are few; alone in a
    shard of their own they would rank first for every common word, because Pagefind scores
    each shard against its own word counts.
    """
    names = batch_names(batches)
    members: dict[str, list[str]] = {batch.name: [] for batch in batches}
    site_shard = batches[0].name if batches else SITE_BATCH
    if whole_site:
        members.setdefault(site_shard, []).extend(handwritten)
    for path in page_keys:
        parts = path.split("/")
        shard = names.get((int(parts[0]), parts[1])) if len(parts) > 2 and parts[0].isdigit() else None
        if shard is None and whole_site:
            shard = site_shard
        if shard in members:
            members[shard].append(path)
    shards = [SearchShard(name, tuple(sorted(pages))) for name, pages in members.items() if pages]
    return [piece for shard in shards for piece in split_shard(shard)]


def shard_key(shard: SearchShard, page_keys: dict[str, str], staging: Path) -> str:
    keys = [page_keys.get(path) or file_sha256(staging / path) for path in shard.pages]
    return digest(
        "search", version("pagefind"), shard.name, *[f"{p} {k}" for p, k in zip(shard.pages, keys, strict=True)]
    )


def make_search(
    shards: list[SearchShard], page_keys: dict[str, str], outputs: Outputs, jobs: int | None, stage: Stage
) -> list[str]:
    """Each shard's index in `pagefind/<name>/`, made or reused, and the shard list; return the shard names."""
    keys = {shard.name: shard_key(shard, page_keys, outputs.staging) for shard in shards}
    todo = []
    for shard in shards:
        if outputs.reuse_folder(f"{PAGEFIND}{shard.name}/", keys[shard.name]):
            stage.skip(1)
        else:
            todo.append(shard)
    # Largest first, so that the Pagefind processes finish together.
    todo.sort(key=lambda shard: -len(shard.pages))
    index_shards(outputs.staging, todo, jobs or cpu_count())
    for shard in todo:
        if has_bundle(outputs.staging, shard.name):
            outputs.record_folder(f"{PAGEFIND}{shard.name}/", keys[shard.name])
    stage.advance(len(todo))
    names = [shard.name for shard in shards]
    if names:  # a part may hold no batch whole: then it has no shard, and the merge indexes its pages
        write_shard_list(outputs.staging, names)
    return names
