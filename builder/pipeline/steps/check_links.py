"""Check every link of the finished site; pages unchanged since an earlier build are not read again.

What a page links to and which anchors it has (its scan) depends only on its HTML, so the
scans are kept by page key in the store (namespace `links`, one entry per site folder); the
check itself, all scans against the site's files, is set lookups and runs over the whole
site each time (a removed page breaks links elsewhere).
"""

from __future__ import annotations

from pathlib import Path

from ...errors import BuilderError
from ...site.linkcheck import BrokenLink, PageScan, check_scans, scan_page
from ..context import Build
from ..fingerprint import code_fingerprint, digest, file_sha256
from ..outputs import Outputs
from ..progress import Stage
from ..store import Store
from ..workers import run_parallel

TITLE = "链接检查"
NAMESPACE = "links"


def wanted(b: Build) -> bool:
    """A whole site whose files are all the published site's had its links checked when that was built."""
    return b.whole_site and bool(b.outputs.made_paths)


def total(b: Build) -> None:
    return None


def run(b: Build, stage: Stage) -> None:
    """Refuse to publish a site with a broken link or anchor."""
    cache_key = digest("link-scans", str(b.folders.site))
    broken = check_links(b.outputs, b.page_keys, b.store, cache_key, b.jobs, stage)
    if broken:
        listing = "\n".join(link.render() for link in broken[:50])
        raise BuilderError(f"链接检查发现 {len(broken)} 处问题，网站没有更新：\n{listing}")


def check_links(
    outputs: Outputs, page_keys: dict[str, str], store: Store, cache_key: str, jobs: int | None, stage: Stage
) -> list[BrokenLink]:
    """The broken links of the site being built; scans of unchanged pages come from the store entry `cache_key`.

    The site's files are those the build recorded or wrote (`outputs.paths()`), wherever they lie:
    made in the staging folder, or kept in the published site.
    """
    files = outputs.paths()
    # The 404 page (with site_url only) links with absolute paths: it is served at any address.
    pages = sorted(path for path in files if path.endswith(".html") and path != "404.html")
    old = store.get_pickle(NAMESPACE, cache_key)
    old = old if isinstance(old, dict) else {}
    code = code_fingerprint()  # the scanner's code is part of each scan's key
    keys = {path: digest(code, page_keys.get(path) or file_sha256(outputs.location(path))) for path in pages}
    scans = {path: old[path][1] for path in pages if path in old and old[path][0] == keys[path]}
    todo = [(path, str(outputs.location(path))) for path in pages if path not in scans]
    stage.skip(len(scans))
    chunks = [tuple(todo[start : start + 200]) for start in range(0, len(todo), 200)]
    for chunk, results in run_parallel(_scan_chunk, chunks, jobs):
        scans.update(zip((path for path, _ in chunk), results, strict=True))
        stage.advance(len(chunk))
    store.put_pickle(NAMESPACE, cache_key, {path: (keys[path], scans[path]) for path in pages})
    return check_scans(scans, files)


def _scan_chunk(_: None, chunk: tuple[tuple[str, str], ...]) -> list[PageScan]:
    """Each page's scan: `chunk` holds each page's path from the site root and the file it is read from."""
    return [scan_page(Path(file).read_text(encoding="utf-8", errors="replace"), path) for path, file in chunk]
