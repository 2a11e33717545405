"""Index a built site with Pagefind: the Chinese full-text search, fetched in small chunks.

Pagefind's extended build (pip `pagefind[extended]`) segments Chinese with jieba. Only
the pages' marked bodies (`data-pagefind-body`, see `theme/main.html`) are indexed.
Pin 1.4.0: in 1.5.x the browser re-segments a Chinese query with ICU, which disagrees
with jieba, and pages are lost (Pagefind issue #1237; measured in the README).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .errors import BuilderError

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


def index_site(site_dir: Path) -> None:
    """Write the search index into `site_dir/pagefind/`; raise BuilderError if Pagefind fails."""
    command = [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as error:
        raise BuilderError(f"无法运行 Pagefind：{error} — 请安装 pagefind[extended]") from None
    if result.returncode != 0:
        details = (result.stderr or result.stdout).strip()
        raise BuilderError(f"Pagefind 建立搜索索引失败：{details} — 请检查 pagefind[extended] 是否安装完整")
    for name in UNUSED_BUNDLE_FILES:
        (site_dir / "pagefind" / name).unlink(missing_ok=True)
