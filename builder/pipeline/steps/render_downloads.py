"""Write and render the 数据下载 page once the year's and the site's open data are joined.

The page lists every download with its size and SHA-256, the year's and the site's files too,
which export_data joins behind the steps (the site's database alone is seconds at a province's
scale). So the pages step leaves this page out (`write_pages.LatePages`; MkDocs' navigation
reads a stand-in), the department pages and MkDocs go ahead, and here the build waits for the
open data, writes the page (or keeps it, from the same inputs), notes it beside the generated
folder's signature and renders the page with a MkDocs run of its own (`run_mkdocs.render_late`), or reuses its HTML.
"""

from __future__ import annotations

from ..context import Build
from ..progress import Stage
from .run_mkdocs import render_late
from .write_pages import refuse_collisions

TITLE = "数据下载页"  # in the timings: mostly the wait for the open data, if any is left


def wanted(b: Build) -> bool:
    return b.late_pages is not None


def total(b: Build) -> None:
    return None


def run(b: Build, stage: Stage) -> None:
    late = b.late_pages
    assert late is not None
    pages = late.write(b)
    refuse_collisions(b.pages, pages)
    b.pages.update(pages)
    late.note(b)
    render_late(b, pages)
