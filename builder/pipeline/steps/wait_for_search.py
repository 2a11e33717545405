"""Complete the search index when its Pagefind work ran behind the later steps (builder/pipeline/steps/index_search.py).

After an edit the one or two shards to re-index are indexed in a thread while the PDFs, the
year archives and the link check are made: none of them reads `pagefind/`. Here the build
waits for Pagefind, records the new bundles and writes `pagefind/shards.json`. The stage has
the search step's title, so the timings count only the time the build waited for it.
"""

from __future__ import annotations

from ..context import Build
from ..progress import Stage
from .index_search import TITLE

__all__ = ["TITLE", "run", "total", "wanted"]


def wanted(b: Build) -> bool:
    return b.search_finish is not None


def total(b: Build) -> None:
    return None


def run(b: Build, stage: Stage) -> None:
    finish, b.search_finish = b.search_finish, None
    assert finish is not None
    finish()
