"""MkDocs hooks: add the generated pages to the site and keep the output small and reproducible.

Loaded by MkDocs from `mkdocs.yml` (`hooks:`), so this file imports only MkDocs.
- Generated pages live outside `docs_dir`'s hand-written files (`extra.generated_dir`,
  default `content/generated/`); they are added under their own URLs, not in the nav,
  so the navigation every page carries stays the same size however many departments there
  are. Other generated files (the open-data downloads) are published as they are.
- The home page gets the generated year and department listing where it says `<!-- 部门列表 -->`.
- No sitemap and no 404 page: the site has no fixed address (it is copied under any
  sub-path), and both would need one (a 404 page is served for any missing URL, so it
  can only link with absolute paths; the web server's own 404 page serves instead).
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

HOME_LISTING = "home-listing.html"
LISTING_MARKER = "<!-- 部门列表 -->"
SEARCH_ASSETS = ("assets/javascripts/lunr/", "assets/javascripts/workers/")  # Material's lunr search, unused
NEEDS_FIXED_ADDRESS = ("sitemap.xml", "sitemap.xml.gz", "404.html")


def generated_dir(config: MkDocsConfig) -> Path:
    return Path(config.extra.get("generated_dir") or Path(config.docs_dir) / "generated")


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for file in [file for file in files if _unpublished_theme_file(file, config)]:
        files.remove(file)
    folder = generated_dir(config)
    for path in sorted(folder.rglob("*")):
        uri = path.relative_to(folder).as_posix()
        if not path.is_file() or uri == HOME_LISTING:
            continue
        if files.get_file_from_path(uri) is not None:
            raise PluginError(f"生成的文件 {uri} 与 content/ 中手写的文件重名")
        # Pages (`.md`) stay out of the nav; other files (open-data downloads) are copied as they are.
        files.append(
            File(uri, str(folder), config.site_dir, config.use_directory_urls, inclusion=InclusionLevel.NOT_IN_NAV)
        )
    return files


def _unpublished_theme_file(file: File, config: MkDocsConfig) -> bool:
    """Material's lunr files and source maps, and all of our `theme/` but `assets/` (page, PDF, data templates)."""
    if file.src_uri.startswith(SEARCH_ASSETS) or file.src_uri.endswith(".map"):
        return True
    custom_dir = config.theme.custom_dir
    return bool(custom_dir) and file.src_dir == custom_dir and not file.src_uri.startswith("assets/")


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, **_: object) -> str:
    if not page.is_homepage:
        return markdown
    listing_path = generated_dir(config) / HOME_LISTING
    listing = listing_path.read_text(encoding="utf-8") if listing_path.exists() else ""
    if LISTING_MARKER in markdown:
        return markdown.replace(LISTING_MARKER, "\n" + listing + "\n", 1)
    return markdown + "\n\n" + listing


def on_post_build(config: MkDocsConfig) -> None:
    for name in NEEDS_FIXED_ADDRESS:
        (Path(config.site_dir) / name).unlink(missing_ok=True)
