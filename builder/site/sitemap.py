"""sitemap.xml and robots.txt, for a site whose address is known (`site_url` in mkdocs.yml).

Written by the builder rather than by MkDocs, whose sitemap lists only the pages of one
MkDocs run (a build renders its pages in several). No `<lastmod>`: the same data makes the
same bytes. Without `site_url` neither file is written: a sitemap needs absolute addresses.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..pipeline.fingerprint import digest
from ..pipeline.outputs import Outputs
from .pages import page_environment

SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
NOT_LISTED = ("404.html",)


def page_address(base_url: str, html_path: str) -> str:
    """`2023/x/index.html` → `<base>2023/x/`; `index.html` → `<base>`."""
    folder = html_path.removesuffix("index.html")
    return base_url + folder


def sitemap_text(base_url: str, pages: Iterable[str]) -> str:
    """The sitemap from templates/pages/sitemap.xml: each page's address, sorted."""
    urls = sorted(page_address(base_url, page) for page in set(pages) if page not in NOT_LISTED)
    return page_environment().get_template(SITEMAP).render(urls=urls)


def robots_text(base_url: str) -> str:
    return f"User-agent: *\nAllow: /\nSitemap: {base_url}{SITEMAP}\n"


def make_sitemap(outputs: Outputs, base_url: str, pages: Iterable[str]) -> None:
    """Write (or reuse) sitemap.xml and robots.txt into the staging site when `base_url` is set."""
    if not base_url:
        return
    texts = {SITEMAP: sitemap_text(base_url, pages), ROBOTS: robots_text(base_url)}
    for name, text in texts.items():
        key = digest("sitemap", name, text)
        if outputs.reuse([name], key):
            continue
        outputs.target(name).write_text(text, encoding="utf-8")
        outputs.record(name, key)
