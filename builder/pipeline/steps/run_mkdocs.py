"""Run MkDocs over the pages that changed, on every core, and reuse the rest from an earlier build.

A generated page's HTML depends on its Markdown and on what MkDocs wraps around every
page (theme, mkdocs.yml, hooks, libraries: `site_chrome_fingerprint`), so that pair is its
key. The pages to render are dealt into chunks of at most 4 000, each rendered by its own
MkDocs run in a worker process (memory stays flat however many departments there are);
the hand-written pages and the theme's assets come from the first chunk's run.
The sitemap (builder/site/sitemap.py) lists the pages made here.
"""

from __future__ import annotations

import logging
import os
import posixpath
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from ...config import SiteConfig
from ...errors import BuilderError
from ...site.linkcheck import site_files
from ...site.pages import HOME_LISTING
from ...site.sitemap import make_sitemap
from ..context import Build
from ..fingerprint import digest, files_digest, site_chrome_fingerprint
from ..progress import Stage
from ..workers import cpu_count, run_parallel
from .write_pages import DOWNLOADS_PAGE

CHUNK_PAGES = 4000
TEMPLATE_CACHE = "templates"  # in the build cache: Jinja's compiled templates, shared by every run
TITLE = "MkDocs 排版"


def html_path(markdown_path: str) -> str:
    """Where MkDocs (directory URLs) writes a page:

    `2023/x/index.md` → `2023/x/index.html`, `a/b.md` → `a/b/index.html`."""
    stem, _ = posixpath.splitext(markdown_path)
    if posixpath.basename(stem) == "index":
        return f"{stem}.html"
    return f"{stem}/index.html"


def page_key(chrome: str, path: str, text_hash: str) -> str:
    return digest("page", chrome, path, text_hash)


@dataclass(frozen=True)
class _Run:
    folder: Path
    render_only: tuple[str, ...]
    pages_only: bool  # only the generated pages: the hand-written pages and assets are reused (builder/site/hooks.py)


def wanted(b: Build) -> bool:
    return True


def total(b: Build) -> int:
    return sum(path.endswith(".md") for path in b.pages)


def run(b: Build, stage: Stage) -> None:
    """Every generated page's HTML in the staging site, made or reused, then (whole site) the sitemap.

    Leaves each generated page's key by HTML path (`b.page_keys`) and the HTML paths of the
    hand-written pages (`b.handwritten`) for the search index and the link check.
    """
    config_file, outputs = b.folders.mkdocs_config, b.outputs
    chrome = _chrome(b)
    markdown = [path for path in b.pages if path.endswith(".md")]
    keys = {html_path(path): page_key(chrome, path, b.pages[path]) for path in markdown}
    sources = {html_path(path): path for path in markdown}
    reused = [path for path, key in keys.items() if outputs.reusable([path], key)]
    todo = sorted(set(keys) - set(reused))
    late = dict.fromkeys(_late(b), "")  # named by path in the theme's key, as every page outside the years
    theme_key = _theme_key(chrome, {**b.pages, **late}, b.folders.generated, config_file)
    theme_files = outputs.source_paths("", theme_key)  # hand-written pages and assets of an earlier build
    todo_sources = [sources[path] for path in todo]
    runs = _runs(b.folders.work, todo_sources, b.jobs, theme_files is not None) if todo or theme_files is None else []
    stage.skip(len(reused))
    template_cache = b.folders.cache / TEMPLATE_CACHE if b.folders.cache is not None else None
    shared = (b.folders.generated, config_file, b.config, template_cache)
    for run_, _ in run_parallel(_render, runs, b.jobs, shared=shared, fresh=True):
        stage.advance(len(run_.render_only), item=f"{len(run_.render_only)} 页")
    for index, run_ in enumerate(runs):
        made = _move(run_, outputs.staging, whole=index == 0 and theme_files is None)
        for path in made:
            outputs.record(path, keys.get(path, theme_key))
    for path in reused:
        outputs.reuse([path], keys[path])
    if theme_files is not None:
        outputs.reuse(theme_files, theme_key)
    themed = theme_files or [path for path, entry in outputs.entries.items() if entry.key == theme_key]
    b.page_keys, b.handwritten = keys, sorted(path for path in themed if _is_page(path))
    if b.whole_site:
        make_sitemap(outputs, b.config.base_url, [*b.page_keys, *map(html_path, late), *b.handwritten])


def render_late(b: Build, markdown: dict[str, str]) -> None:
    """Generated pages written after `run` (`markdown`: path → hash of the text; the 数据下载 page, step
    render_downloads), reused or made by one MkDocs run of their own, as `run` makes any page; their keys join
    `b.page_keys`. MkDocs read the stand-in of such a page in the generated folder for its navigation only."""
    chrome, outputs = _chrome(b), b.outputs
    keys = {html_path(path): page_key(chrome, path, text_hash) for path, text_hash in markdown.items()}
    todo = tuple(path for path in markdown if not outputs.reuse([html_path(path)], keys[html_path(path)]))
    if todo:
        template_cache = b.folders.cache / TEMPLATE_CACHE if b.folders.cache is not None else None
        shared = (b.folders.generated, b.folders.mkdocs_config, b.config, template_cache)
        late = _Run(b.folders.work / "mkdocs-late", todo, pages_only=True)
        for _ in run_parallel(_render, [late], b.jobs, shared=shared, fresh=True):
            pass
        for path in _move(late, outputs.staging, whole=False):
            outputs.record(path, keys[path])
    b.page_keys.update(keys)


def _late(b: Build) -> list[str]:
    """The generated pages written after this step (step render_downloads): a whole site's 数据下载 page."""
    return [DOWNLOADS_PAGE] if b.late_pages is not None else []


def _chrome(b: Build) -> str:
    return digest(site_chrome_fingerprint(b.folders.mkdocs_config), repr(b.config))


def _theme_key(chrome: str, pages: dict[str, str], generated_dir: Path, config_file: Path) -> str:
    """What the hand-written pages and theme assets are made from: the site chrome, `content/` and the home listing."""
    docs = config_file.parent / "content"
    hand_written = _hand_written(docs, generated_dir)
    # The home page shows the listing; the nav needs the generated pages it names (数据下载) to exist.
    outside_years = sorted(path for path in pages if not path.split("/")[0].isdigit())
    listing = pages.get(HOME_LISTING, "")
    return digest("theme", chrome, files_digest(docs, hand_written), listing, *outside_years)


def _hand_written(docs: Path, generated_dir: Path) -> list[Path]:
    """Every file under `docs` outside the generated pages, which are not even listed (thousands of them)."""
    skipped = generated_dir.resolve()
    found = []
    for directory, folders, files in os.walk(docs, followlinks=True):
        folders[:] = [name for name in folders if Path(directory, name).resolve() != skipped]
        found += [path for path in (Path(directory, name) for name in files) if path.is_file()]
    return found


def _is_page(name: str) -> bool:
    return name.endswith(".html") and not name.startswith(("assets/", "pagefind/"))


def _runs(work: Path, todo: list[str], jobs: int | None, theme_reused: bool) -> list[_Run]:
    """At least one run (it makes the hand-written pages and assets); chunks of at most CHUNK_PAGES pages.

    Each run costs about a second before its first page (reading the configuration and
    the theme), so a few hundred pages go to one run, and more are dealt evenly to the
    workers, in rounds of chunks no larger than CHUNK_PAGES. A chunk is a run of `todo`
    (sorted) cut between folders (`_folder`): a department's pages are rendered by one run, so
    its folder is made once and moved into the site whole (`_move`). Dealt page by page, every
    run made every department's folder: at 3 000 departments (14 runs) 42 000 folders more to
    make and remove, a cost growing as N².
    """
    workers = max(1, min(jobs or cpu_count(), len(todo) // 200))
    count = workers * -(-len(todo) // (workers * CHUNK_PAGES)) or 1
    folders = [work / f"mkdocs-{index}" for index in range(count)]
    chunks = _chunks(todo, count)
    return [_Run(folders[i], chunks[i], pages_only=theme_reused or i > 0) for i in range(count)]


def _chunks(todo: list[str], count: int) -> list[tuple[str, ...]]:
    """`todo` (sorted) in `count` runs of about equal length, each cut where a folder (`_folder`) ends."""
    cuts = [0]
    for index in range(1, count):
        cut = max(cuts[-1], len(todo) * index // count)
        while 0 < cut < len(todo) and _folder(todo[cut]) is not None and _folder(todo[cut]) == _folder(todo[cut - 1]):
            cut += 1
        cuts.append(cut)
    cuts.append(len(todo))
    return [tuple(todo[cuts[i] : cuts[i + 1]]) for i in range(count)]


def _subfolder(page: str) -> str | None:
    """The project folder of a page in a department folder (`2023/x/p/index.html` → `2023/x/p`), else None."""
    parts = page.split("/")
    return "/".join(parts[:3]) if len(parts) > 3 else None


def _folder(page: str) -> str | None:
    """The department folder of a page (`2023/x/p/index.html` → `2023/x`), None for a page outside one."""
    parts = page.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else None


def _render(shared: tuple[Path, Path, SiteConfig, Path | None], run: _Run) -> None:
    generated_dir, config_file, site_config, template_cache = shared
    run_mkdocs(
        run.folder,
        generated_dir,
        config_file,
        site_config,
        render_only=run.render_only,
        pages_only=run.pages_only,
        template_cache=template_cache,
    )


def run_mkdocs(
    site_dir: Path,
    generated_dir: Path,
    config_file: Path,
    site_config: SiteConfig,
    render_only: tuple[str, ...] | None = None,
    pages_only: bool = False,
    template_cache: Path | None = None,
) -> None:
    """MkDocs with `config_file`, writing into `site_dir`; `render_only` limits the generated pages rendered.

    With `pages_only`, only those pages are made (no hand-written page, no asset); `template_cache`
    is where Jinja keeps compiled templates between runs (builder/site/hooks.py).
    """
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        config = load_config(str(config_file), site_dir=str(site_dir))
        config.extra["generated_dir"] = str(generated_dir.resolve())
        config.extra["render_only"] = None if render_only is None else frozenset(render_only)
        config.extra["pages_only"] = pages_only
        config.extra["template_cache"] = str(template_cache) if template_cache is not None else None
        config.extra["site"] = site_config  # publisher, region, contact for the templates (theme/partials/)
        config.site_name = site_config.site_name
        config.site_url = site_config.base_url or None  # canonical links and the 404 page (builder/config.py)
        if site_config.logo_url:
            config.theme["logo"] = site_config.logo_url
        with _docs_without(Path(config.docs_dir), generated_dir, site_dir) as docs:
            config.docs_dir = str(docs)
            mkdocs_build(config)
    except MkDocsException as error:
        raise BuilderError(f"MkDocs 生成网站失败：{error}") from None


@contextmanager
def _docs_without(docs: Path, generated_dir: Path, site_dir: Path) -> Iterator[Path]:
    """`docs` as MkDocs should walk it: without the generated pages when they lie in it (`content/generated/`).

    MkDocs lists every file under docs_dir before it excludes any (`exclude_docs`): thousands of
    generated pages cost a second a run, more than rendering an edited department. So MkDocs is
    given a folder beside the run's output holding a symbolic link to each entry of `docs` but
    the generated folder (the hooks add the generated files themselves, builder/site/hooks.py).
    """
    generated = generated_dir.resolve()
    if generated.parent != docs.resolve():
        yield docs
        return
    mirror = site_dir.parent / f"{site_dir.name}-docs"
    shutil.rmtree(mirror, ignore_errors=True)
    mirror.mkdir(parents=True)
    try:
        for entry in docs.iterdir():
            if entry.resolve() != generated:
                (mirror / entry.name).symlink_to(entry.resolve(), target_is_directory=entry.is_dir())
        yield mirror
    finally:
        shutil.rmtree(mirror, ignore_errors=True)  # the links only: rmtree does not follow them


def _move(run: _Run, staging: Path, whole: bool) -> list[str]:
    """Move a run's output into the site: all of it (the first run, when the theme's files are remade),
    or only its pages; return the paths moved.

    A department folder the site does not have yet, holding exactly this run's pages of it, is
    moved with one rename, and so is each such project folder of a department folder the site
    has already (its open data came first: `_whole_folders`); the other pages one by one.
    """
    names = site_files(run.folder) if whole else [html_path(path) for path in run.render_only]
    moved = _whole_folders(run.folder, staging, names)
    for name in names:
        if _folder(name) in moved or _subfolder(name) in moved:
            continue
        target = staging / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(run.folder / name, target)
    shutil.rmtree(run.folder, ignore_errors=True)
    return names


def _whole_folders(folder: Path, staging: Path, names: list[str]) -> set[str]:
    """Move the folders of `names` that hold exactly their `names` in `folder` and that the staging site lacks into
    it, each with one rename: a department's folder, or in a department's folder the site has, a project's folder.
    Return those moved.

    Moved page by page, a fresh build at 500 departments made 8 000 project folders twice and removed the run's
    copies: ext4 (without a journal) then skips the freed inodes one by one for 30 s whenever it makes a file, and
    the search step, making 17 000 files right after, took up to 8 s more of system time.
    """
    by_folder: dict[str, set[str]] = {}
    for name in names:
        for key in (_folder(name), _subfolder(name)):
            if key is not None:
                by_folder.setdefault(key, set()).add(name)
    moved = set()
    for key in sorted(by_folder, key=lambda key: key.count("/")):  # departments first
        target, parent = staging / key, key.rsplit("/", 1)[0]
        if parent in moved or os.path.lexists(target):
            continue
        if key.count("/") > 1 and not (staging / parent).is_dir():
            continue
        if set(site_files(folder / key, prefix=key)) != by_folder[key]:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(folder / key, target)
        moved.add(key)
    return moved
