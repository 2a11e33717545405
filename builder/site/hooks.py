"""MkDocs hooks: add the generated pages to the site and keep the output small and reproducible.

Loaded by MkDocs from `mkdocs.yml` (`hooks:`), so this file imports only MkDocs (and its Python-Markdown).
- Generated pages live outside `docs_dir`'s hand-written files (`extra.generated_dir`,
  default `content/generated/`); they are added under their own URLs, not in the nav,
  so the navigation every page carries stays the same size however many departments there
  are. Other generated files (the open-data downloads) are published as they are.
- A generated page whose front matter says `html: true` (builder/site/pages.py, builder/site/quality.py)
  is HTML already: it is put in the theme as it is, without Python-Markdown, and its table
  of contents is the `toc` headings of its front matter. This is a `Page` subclass made in
  `on_files` (MkDocs 1.6 keeps a page a plugin made there, as Material's blog plugin does),
  because MkDocs' own `Page.render` builds a Markdown instance for every page, about 0.6 ms
  a page even for an empty body (5 s for 8 000 pages).
- `extra.render_only` (a collection of generated page paths like `2023/x/index.md`), when
  set, limits the generated pages rendered to those; the other generated pages are added as
  excluded (known to MkDocs, so the nav and links to them come out as in a full build, but
  not rendered), and the other generated files are published all the same.
- `extra.pages_only`, when true, makes a run render just those generated pages: the hand-written
  pages and the theme's files (assets, 404 page) are excluded too — known to MkDocs, so links
  and the nav come out the same — unless the nav names a page without a title (its title
  would then come from the page itself). The builder asks for it when it reuses the
  hand-written pages and assets of an earlier build; it saves about half a second a run.
- `extra.template_cache`, when set, is a folder where Jinja keeps the compiled templates
  (`FileSystemBytecodeCache`, keyed by each template's source): compiling Material's templates
  is about a third of what a MkDocs run costs before its first page.
- The home page gets the generated year and department listing where it says `<!-- 部门列表 -->`.
- HTML between `<!-- bp-raw-html -->` and `<!-- /bp-raw-html -->` lines of a Markdown page is taken out
  before Markdown and put back in its place after (the 数据下载 page's table of every department:
  Python-Markdown reads a long table slowly, and would parse raw HTML slowly too).
- Search indexes published reader content only: a page's `pagefind` meta (read by theme/main.html) is
  set here, true for the generated pages (departments, projects, years, 数据质量 reports) unless their
  front matter says `pagefind: false`, and for the hand-written reader pages of `READER_PAGES`; false for
  every other page, so a page an admin adds (deployment, configuration…) is never in the public index.
- A 404 page only when `site_url` gives the site its address: it is served for any missing
  URL, so it can only link with absolute paths. MkDocs' sitemap is never kept: it would list
  only one run's pages; the builder writes sitemap.xml and robots.txt itself (builder/site/sitemap.py).
- Run by the `mkdocs` command itself (`mkdocs build`, `mkdocs serve`, which MkDocs users type
  by habit), MkDocs alone would wipe `site/` and publish a site without departments, PDFs,
  search or data. `on_startup` is called only by the `mkdocs` command, never by the builder,
  so `on_config` (still before anything is written) hands over to the builder instead:
  `mkdocs build` runs `python -m builder build` into the configured `site_dir`, `mkdocs serve`
  runs the builder's live preview, and `mkdocs gh-deploy` is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterator
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache
from jinja2.runtime import Context
from markdown.extensions.toc import nest_toc_tokens
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url, meta

HOME_LISTING = "home-listing.html"
LISTING_MARKER = "<!-- 部门列表 -->"
SEARCH_ASSETS = ("assets/javascripts/lunr/", "assets/javascripts/workers/")  # Material's lunr search, unused
MKDOCS_SITEMAP = ("sitemap.xml", "sitemap.xml.gz")
ERROR_PAGE = "404.html"
# Front matter as builder/site/pages.py `front_matter` writes it: one line of JSON.
JSON_FRONT_MATTER = re.compile(r"---[ \t]*\n(\{[^\n]*\})\n---[ \t]*\n")
_cli_command: list[str] = []  # what `on_startup` was given: set only when the `mkdocs` command runs
# The hand-written pages written for readers, which search may list (the rest are for admins).
READER_PAGES = frozenset({"guide.md", "about.md", "data-dictionary.md"})


def generated_dir(config: MkDocsConfig) -> Path:
    return Path(config.extra.get("generated_dir") or Path(config.docs_dir) / "generated")


class GeneratedPage(Page):
    """A generated page: with `html: true` in its front matter, its body is the page's HTML as it is."""

    def read_source(self, config: MkDocsConfig) -> None:
        """As MkDocs reads a page, but front matter the builder wrote as one line of JSON (builder/site/pages.py
        `front_matter`) is read as JSON: the same data, without PyYAML's constructor (0.2 ms a page)."""
        source = config.plugins.on_page_read_source(page=self, config=config)
        if source is None:
            source = self.file.content_string
        self.markdown, self.meta = _json_front_matter(source) or meta.get_data(source)

    def render(self, config: MkDocsConfig, files: Files) -> None:
        if not self.meta.get("html"):
            super().render(config, files)
            return
        self.content = self.markdown
        self.toc = get_toc(nest_toc_tokens([{**token} for token in self.meta.get("toc") or []]))


def _json_front_matter(source: str) -> tuple[str, dict[str, object]] | None:
    """A page's body and its front matter, when that is one line of JSON (an object); else None."""
    matter = JSON_FRONT_MATTER.match(source)
    if matter is None:
        return None
    try:
        data = json.loads(matter.group(1))
    except ValueError:
        return None
    return (source[matter.end() :].lstrip("\n"), data) if isinstance(data, dict) else None


def on_startup(command: str, dirty: bool) -> None:
    _cli_command.append(command)


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Under the `mkdocs` command, hand over to the builder before MkDocs cleans or writes anything."""
    if _cli_command:
        command = _cli_command.pop()  # the builder runs MkDocs in turn, with these hooks: not again
        _cli_command.clear()
        raise SystemExit(_hand_over(command, config))
    return config


def _hand_over(command: str, config: MkDocsConfig) -> int:
    import sys

    project = Path(config.config_file_path).resolve().parent
    if command == "gh-deploy":
        print("错误：本项目不用 mkdocs gh-deploy 发布。请运行 python -m builder build（make site），", file=sys.stderr)
        print("再把 site/ 复制到 Web 服务器，见 docs/deploy.md。", file=sys.stderr)
        return 1
    sys.path.insert(0, str(project))
    from builder.cli import main  # the project's own package, next to mkdocs.yml

    data = str(project / "data")
    if command == "build" and Path(config.site_dir).name.startswith("mkdocs_"):
        command = "serve"  # `mkdocs serve --clean` says "build", and builds into its own temporary folder
    if command == "serve":
        host, port = config.dev_addr.host, config.dev_addr.port
        print(f"mkdocs serve 在本项目中运行 python -m builder serve（make serve）：{host}:{port}", file=sys.stderr)
        return main(["serve", "--data", data, "--host", host, "--port", str(port)])
    site = config.site_dir
    print(f"mkdocs build 在本项目中运行 python -m builder build（make site），输出到 {site}", file=sys.stderr)
    return main(["build", "--data", data, "--site", site])


def on_files(files: Files, config: MkDocsConfig) -> Files:
    _refuse_shadowing(files, config)
    for file in [file for file in files if _unpublished_theme_file(file, config)]:
        files.remove(file)
    if config.extra.get("pages_only"):
        _exclude_all_but_generated(files, config)
    folder = generated_dir(config)
    render_only = _render_only(config)
    for uri in _generated_files(folder, render_only, config):
        if files.get_file_from_path(uri) is not None:
            raise PluginError(f"生成的文件 {uri} 与 content/ 中手写的文件重名")
        # Pages (`.md`) stay out of the nav; other files (open-data downloads) are copied as they are.
        inclusion = InclusionLevel.NOT_IN_NAV if _renders(uri, render_only) else InclusionLevel.EXCLUDED
        file = File(uri, str(folder), config.site_dir, config.use_directory_urls, inclusion=inclusion)
        files.append(file)
        if file.is_documentation_page() and inclusion is InclusionLevel.NOT_IN_NAV:
            GeneratedPage(None, file, config)  # sets `file.page`, which MkDocs then keeps
    return files


def _exclude_all_but_generated(files: Files, config: MkDocsConfig) -> None:
    """Exclude the hand-written pages and the theme's files (not the pages the nav names without a title)."""
    untitled = set(_nav_targets(config.nav or [], titled=False))
    for file in files:
        if file.src_uri not in untitled:
            file.inclusion = InclusionLevel.EXCLUDED
    config.theme.static_templates.clear()  # the 404 page and MkDocs' sitemap: not kept from such a run


def _generated_files(folder: Path, render_only: frozenset[str] | None, config: MkDocsConfig) -> list[str]:
    """The generated files to add: all of them, or the pages to render plus those the navigation links to.

    With `render_only`, the folder is not walked (thousands of pages, most reused from an
    earlier build): pages outside the set matter only when the nav names them, and are
    added excluded, so that the nav's links resolve as in a whole build.
    """
    if render_only is None:
        found = (path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())
        return sorted(uri for uri in found if uri != HOME_LISTING)
    in_nav = {uri for uri in _nav_targets(config.nav or []) if (folder / uri).is_file()}
    return sorted(render_only | in_nav)


def _nav_targets(nav: object, titled: bool = True) -> list[str]:
    """Every file the `nav:` of mkdocs.yml names (with `titled` False: only those named without a title)."""
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, dict):
        values = [value for value in nav.values() if titled or not isinstance(value, str)]
        return [uri for value in values for uri in _nav_targets(value, titled)]
    if isinstance(nav, list):
        return [uri for item in nav for uri in _nav_targets(item, titled)]
    return []


def _render_only(config: MkDocsConfig) -> frozenset[str] | None:
    """`extra.render_only`: the generated pages this build renders (None: all of them)."""
    pages: Collection[str] | None = config.extra.get("render_only")
    return None if pages is None else frozenset(pages)


def _renders(uri: str, render_only: frozenset[str] | None) -> bool:
    """Whether this build publishes the generated file: every file but the pages left out of `render_only`."""
    return render_only is None or not uri.endswith(".md") or uri in render_only


def _refuse_shadowing(files: Files, config: MkDocsConfig) -> None:
    """A hand-written file of content/ at the place of one the site makes itself: MkDocs lets it replace a theme
    file without a word (content/assets/budget/search.js broke search), and the site's own 404 page and sitemap
    replaced content/404.html and content/sitemap.xml without a word."""
    docs = Path(config.docs_dir).resolve()
    for file in files:
        if file.is_documentation_page() or Path(file.src_dir or "").resolve() != docs:
            continue
        theirs = file.src_uri in (ERROR_PAGE, *MKDOCS_SITEMAP)
        if theirs or any((Path(folder) / file.src_uri).is_file() for folder in config.theme.dirs):
            raise PluginError(
                f"content/ 中手写的文件 {file.src_uri} 与网站自己生成的同名文件冲突（会替换它，或被它替换）："
                "请改名或删除；要改网站的样式或脚本，请改 theme/ 中的文件"
            )


def _unpublished_theme_file(file: File, config: MkDocsConfig) -> bool:
    """Material's lunr files and source maps, and all of our `theme/` but `assets/` (page, PDF, data templates)."""
    if file.src_uri.startswith(SEARCH_ASSETS) or file.src_uri.endswith(".map"):
        return True
    custom_dir = config.theme.custom_dir
    return bool(custom_dir) and file.src_dir == custom_dir and not file.src_uri.startswith("assets/")


def searchable(page: Page, config: MkDocsConfig) -> bool:
    """Whether search indexes the page: a generated page that does not opt out, or a reader page."""
    if Path(page.file.src_dir or "").resolve() == generated_dir(config).resolve():
        return page.meta.get("pagefind", True) is not False
    return page.file.src_uri in READER_PAGES


RAW_HTML_START, RAW_HTML_END = "<!-- bp-raw-html -->\n", "\n<!-- /bp-raw-html -->"
_raw_html: dict[str, list[str]] = {}  # page URL → the raw HTML blocks taken out of its Markdown, in order


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, **_: object) -> str:
    page.meta["pagefind"] = searchable(page, config)
    if RAW_HTML_START in markdown:
        markdown = _take_raw_html(markdown, page)
    if not page.is_homepage:
        return markdown
    listing_path = generated_dir(config) / HOME_LISTING
    listing = listing_path.read_text(encoding="utf-8") if listing_path.exists() else ""
    if LISTING_MARKER in markdown:
        return markdown.replace(LISTING_MARKER, "\n" + listing + "\n", 1)
    return markdown + "\n\n" + listing


def _take_raw_html(markdown: str, page: Page) -> str:
    markdown, _raw_html[page.url] = split_raw_html(markdown)
    return markdown


def on_page_content(html: str, page: Page, **_: object) -> str:
    blocks = _raw_html.pop(page.url, None)
    return html if blocks is None else join_raw_html(html, blocks)


def split_raw_html(markdown: str) -> tuple[str, list[str]]:
    """The Markdown with each raw HTML block replaced by its start marker alone (a comment Markdown keeps),
    and the blocks in order."""
    blocks: list[str] = []
    parts = markdown.split(RAW_HTML_START)
    for index in range(1, len(parts)):
        html, end, rest = parts[index].partition(RAW_HTML_END)
        if not end:
            raise ValueError(f"{RAW_HTML_START.strip()} without {RAW_HTML_END.strip()}")
        blocks.append(html)
        parts[index] = rest
    return RAW_HTML_START.join(parts), blocks


def join_raw_html(html: str, blocks: list[str]) -> str:
    """Markdown's HTML with each raw HTML block back where Markdown left its marker (a comment block, then a
    blank line)."""
    parts = html.split(RAW_HTML_START.strip() + "\n\n")
    if len(parts) != len(blocks) + 1:
        raise ValueError(f"Markdown moved a {RAW_HTML_START.strip()} marker")
    return "".join(part + (blocks[index] + "\n" if index < len(blocks) else "") for index, part in enumerate(parts))


def on_env(env: Environment, config: MkDocsConfig, files: Files) -> Environment:
    if config.extra.get("template_cache"):
        folder = Path(config.extra["template_cache"])
        folder.mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = FileSystemBytecodeCache(str(folder))  # before any template is compiled
    _reuse_navigation(env)
    _reuse_blocks(env)
    return env


# Blocks of Material's base.html that depend only on the page's depth (their links are relative
# to it) and on the site's configuration, the same for every page: the configuration for Material's scripts, the
# style sheets, the scripts, analytics (none) and polyfills.
SAME_AT_ONE_DEPTH = ("config", "styles", "scripts", "analytics", "libs")


def _reuse_blocks(env: Environment) -> None:
    """Render the blocks SAME_AT_ONE_DEPTH once per page depth (`base_url`), not once per page.

    Together they were a tenth of the time Material spends on a page. A page outside any
    depth (no `page`: the 404 page, whose links are absolute) renders them itself.
    Material's own blocks only: a block that calls `super()` (theme/main.html's) is found by
    Jinja in the chain of blocks by identity, so it cannot be wrapped.
    """
    rendered: dict[tuple[int, str], list[str]] = {}
    blocks = env.get_template("base.html").blocks
    for block in SAME_AT_ONE_DEPTH:
        blocks[block] = _reused(blocks[block], rendered)


Render = Callable[[Context], Iterator[str]]


def _reused(render: Render, rendered: dict[tuple[int, str], list[str]]) -> Render:
    def reuse(context: Context) -> Iterator[str]:
        base_url = context.get("base_url")
        if context.get("page") is None or not isinstance(base_url, str):
            yield from render(context)
            return
        key = (id(render), base_url)
        if key not in rendered:
            rendered[key] = list(render(context))
        yield from rendered[key]

    return reuse


def _reuse_navigation(env: Environment) -> None:
    """Render Material's navigation once per set of link addresses, not once per page.

    The navigation (partials/nav.html) is a third of the time Material spends on a page.
    For a page that is not itself in the navigation, it depends only on the addresses of
    the navigation's pages relative to the page (and the site's configuration, the same
    for every page), so the pages with the same relative addresses share one rendering.
    """
    template = env.get_template("partials/nav.html")
    render = template.root_render_func
    rendered: dict[tuple[object, ...], list[str]] = {}

    def reuse(context: Context) -> Iterator[str]:
        page, nav = context.get("page"), context.get("nav")
        if page is None or nav is None or page in nav.pages:
            yield from render(context)
            return
        key = (context.get("base_url"), *(get_relative_url(item.url, page.url) for item in nav.pages))
        if key not in rendered:
            rendered[key] = list(render(context))
        yield from rendered[key]

    template.root_render_func = reuse


def on_post_build(config: MkDocsConfig) -> None:
    for name in MKDOCS_SITEMAP if config.site_url else (*MKDOCS_SITEMAP, ERROR_PAGE):
        (Path(config.site_dir) / name).unlink(missing_ok=True)
