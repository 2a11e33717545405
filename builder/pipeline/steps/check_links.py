"""Check every link of the finished site; pages unchanged since an earlier build are not read again.

What a page links to and which anchors it has (its scan) depends only on its HTML, so the
scans are cached by page key; the check itself, all scans against the site's files, is
set lookups and runs over the whole site each time (a removed page breaks links elsewhere).
"""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path

from ...site.linkcheck import BrokenLink, PageScan, check_scans, scan_page, site_files
from ..fingerprint import code_fingerprint, digest, file_sha256
from ..progress import Stage
from ..workers import run_parallel

_Cache = dict[str, tuple[str, PageScan]]


def check_links(
    site: Path, page_keys: dict[str, str], cache_file: Path | None, jobs: int | None, stage: Stage
) -> list[BrokenLink]:
    files = site_files(site)
    # The 404 page (with site_url only) links with absolute paths: it is served at any address.
    pages = sorted(path for path in files if path.endswith(".html") and path != "404.html")
    old = _load(cache_file)
    code = code_fingerprint()  # the scanner's code is part of each scan's key
    keys = {path: digest(code, page_keys.get(path) or file_sha256(site / path)) for path in pages}
    scans = {path: old[path][1] for path in pages if path in old and old[path][0] == keys[path]}
    todo = [path for path in pages if path not in scans]
    stage.skip(len(scans))
    chunks = [tuple(todo[start : start + 200]) for start in range(0, len(todo), 200)]
    for chunk, results in run_parallel(_scan_chunk, chunks, jobs, shared=site):
        scans.update(zip(chunk, results, strict=True))
        stage.advance(len(chunk))
    if cache_file is not None:
        _save(cache_file, {path: (keys[path], scans[path]) for path in pages})
    return check_scans(scans, set(files))


def _scan_chunk(site: Path, chunk: tuple[str, ...]) -> list[PageScan]:
    return [scan_page((site / path).read_text(encoding="utf-8", errors="replace"), path) for path in chunk]


def _load(cache_file: Path | None) -> _Cache:
    if cache_file is None:
        return {}
    try:
        with cache_file.open("rb") as handle:
            data = pickle.load(handle)
        return data if isinstance(data, dict) else {}
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        return {}


def _save(cache_file: Path, data: _Cache) -> None:
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=cache_file.parent, prefix=".tmp-", delete=False) as handle:
        pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(handle.name, cache_file)
