"""Turn `data/` into the public website in `site/`: pages, MkDocs, search index, PDFs, in one build.

The site is built in a temporary folder next to `site/` and swapped in only when
every step has succeeded, so a failed build leaves the published site as it was.
`data/` and the hand-written pages in `content/` are only ever read.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from .config import SiteConfig, load_site_config
from .errors import BuilderError, DataError
from .export import downloads_markdown, export_files, format_size
from .linkcheck import check_site
from .lint import Finding, build_summary, lint_all
from .load import LoadedDepartment, load_all
from .pages import GeneratedPage, front_matter, site_pages, write_pages
from .pdf import render_pdfs
from .quality_pages import quality_markdown
from .search import index_site

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MKDOCS_CONFIG = PROJECT_ROOT / "mkdocs.yml"
GENERATED_DIR = PROJECT_ROOT / "content" / "generated"
PDF_CACHE = PROJECT_ROOT / ".cache" / "pdf"
T = TypeVar("T")
PdfRenderer = Callable[[list[LoadedDepartment], Path, int | None, SiteConfig], list[Path]]
DOWNLOADS_PAGE = "downloads/index.md"  # 数据下载, in the nav of mkdocs.yml
# Folders a build makes next to `site/`, named `<prefix><pid>-<random>`: a killed build leaves them behind.
STAGING_PREFIX = ".site-build-"
OLD_SITE_PREFIX = ".site-old-"


class DataErrors(BuilderError):
    """One or more data files have problems; each is listed with its file and line."""

    def __init__(self, errors: list[DataError]) -> None:
        self.errors = errors
        count = sum(len(error.problems) for error in errors)
        listing = "\n".join(error.render() for error in errors)
        super().__init__(f"{listing}\n发现 {count} 个问题，涉及 {len(errors)} 个文件；网站没有更新。")


@dataclass
class BuildReport:
    """What a build made and how long each step took (seconds)."""

    site_dir: Path
    departments: int
    projects: int
    pdfs: int
    timings: dict[str, float] = field(default_factory=dict)
    quality: str = ""


def build(
    data_dir: Path,
    site_dir: Path,
    *,
    jobs: int | None = None,
    with_pdf: bool = True,
    generated_dir: Path = GENERATED_DIR,
    progress: Callable[[str], None] = lambda message: None,
    site_config: SiteConfig | None = None,
) -> BuildReport:
    """Build the whole site from `data_dir` into `site_dir`; raise BuilderError and keep the old site on failure.

    `site_config` (publisher, years, PDF paper…) defaults to what mkdocs.yml says (builder/config.py).
    """
    timings: dict[str, float] = {}
    restore_interrupted_swap(site_dir.resolve())  # first, so that even a build that fails leaves a site
    site_config = site_config or load_site_config(MKDOCS_CONFIG)
    loaded = _timed(timings, "load", lambda: _load(data_dir, site_config))
    progress(f"读取 {len(loaded)} 个部门的数据")
    site_dir = site_dir.resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    findings = _timed(timings, "lint", lambda: lint_all(loaded))
    remove_stale_folders(site_dir.parent)
    staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=site_dir.parent))
    try:
        renderer = _render_pdfs if with_pdf else None
        pdfs = _build_into(staging, loaded, findings, generated_dir, renderer, jobs, timings, progress, site_config)
        _timed(timings, "links", lambda: _check_links(staging))
        _swap_in(staging, site_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    projects = sum(len(item.department.projects) for item in loaded)
    return BuildReport(site_dir, len(loaded), projects, len(pdfs), timings, build_summary(findings))


def _build_into(
    staging: Path,
    loaded: list[LoadedDepartment],
    findings: list[Finding],
    generated_dir: Path,
    pdf_renderer: PdfRenderer | None,
    jobs: int | None,
    timings: dict[str, float],
    progress: Callable[[str], None],
    site_config: SiteConfig,
) -> list[Path]:
    """Pages and open data into `generated_dir`, then MkDocs, search index and PDFs into `staging`."""
    data_files = _timed(timings, "data", lambda: export_files(loaded, site_config.base_url))
    pages = site_pages(loaded, with_pdf=pdf_renderer is not None, downloads=_sizes(data_files))
    pages += _quality_pages(loaded, findings, site_config) + _downloads_page(loaded, data_files)
    _timed(timings, "pages", lambda: write_generated(pages, data_files, generated_dir))
    progress(f"生成 {len(pages)} 个页面，正在用 MkDocs 排版")
    _timed(timings, "mkdocs", lambda: run_mkdocs(staging, generated_dir, site_config))
    progress("正在建立搜索索引")
    _timed(timings, "search", lambda: index_site(staging))
    if pdf_renderer is None:
        return []
    progress("正在生成 PDF")
    return _timed(timings, "pdf", lambda: pdf_renderer(loaded, staging, jobs, site_config))


def _load(data_dir: Path, site_config: SiteConfig) -> list[LoadedDepartment]:
    if not data_dir.exists():
        raise BuilderError(f"找不到数据文件夹 {data_dir} — 请用 --data 指定，例如 --data data")
    loaded, errors = load_all([data_dir])
    if errors:
        raise DataErrors(errors)
    loaded = [item for item in loaded if site_config.publishes(item.department.year)]
    if not loaded:
        raise BuilderError(f"{data_dir} 中没有数据文件 — 数据文件应放在 {data_dir}/<年度>/<部门>.yaml")
    return loaded


def _render_pdfs(
    loaded: list[LoadedDepartment], site_dir: Path, jobs: int | None, site_config: SiteConfig
) -> list[Path]:
    """PDFs with the content-hash cache: a department whose data and templates did not change is not rendered."""
    return render_pdfs(loaded, site_dir, jobs, cache_dir=PDF_CACHE, site_config=site_config)


def _check_links(site_dir: Path) -> None:
    """Fail the build on any broken internal link or anchor, or anything loaded from another host."""
    broken = check_site(site_dir)
    if broken:
        listing = "\n".join(link.render() for link in broken[:50])
        raise BuilderError(f"链接检查发现 {len(broken)} 处问题，网站没有更新：\n{listing}")


def _quality_pages(
    loaded: list[LoadedDepartment], findings: list[Finding], site_config: SiteConfig
) -> list[GeneratedPage]:
    """The 数据质量 pages, unless mkdocs.yml says `extra.quality_report_public: false`."""
    if not site_config.quality_report_public:
        return []
    return [GeneratedPage(path, text) for path, text in quality_markdown(loaded, findings).items()]


def _sizes(data_files: dict[str, bytes]) -> dict[str, str]:
    return {path: format_size(len(data)) for path, data in data_files.items()}


def _downloads_page(loaded: list[LoadedDepartment], data_files: dict[str, bytes]) -> list[GeneratedPage]:
    """The 数据下载 page, listing the files with sizes and SHA-256 (read back from where they are written)."""
    if not data_files:
        return []
    with tempfile.TemporaryDirectory() as scratch:
        write_files(data_files, Path(scratch))
        body = downloads_markdown(Path(scratch), loaded, link_prefix="../")
    return [GeneratedPage(DOWNLOADS_PAGE, front_matter("数据下载", pagefind=False) + "# 数据下载\n\n" + body)]


def write_generated(pages: list[GeneratedPage], data_files: dict[str, bytes], generated_dir: Path) -> None:
    """Rebuild the generated folder: the pages, and the downloads MkDocs copies into the site."""
    write_pages(pages, generated_dir)
    write_files(data_files, generated_dir)


def write_files(files: dict[str, bytes], folder: Path) -> None:
    for relative, data in sorted(files.items()):
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def run_mkdocs(site_dir: Path, generated_dir: Path, site_config: SiteConfig | None = None) -> None:
    """Run MkDocs with the project's `mkdocs.yml`, writing into `site_dir`, with the checked `site_config`."""
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    site_config = site_config or load_site_config(MKDOCS_CONFIG)
    try:
        config = load_config(str(MKDOCS_CONFIG), site_dir=str(site_dir))
        config.extra["generated_dir"] = str(generated_dir.resolve())
        config.extra["site"] = site_config  # publisher, region, contact for the templates (theme/partials/)
        config.site_name = site_config.site_name
        if site_config.logo_url:
            config.theme["logo"] = site_config.logo_url
        mkdocs_build(config)
    except MkDocsException as error:
        raise BuilderError(f"MkDocs 生成网站失败：{error}") from None


def restore_interrupted_swap(site_dir: Path) -> bool:
    """Put the previous site back if a build was stopped between the two renames of `_swap_in`."""
    if site_dir.exists() or not site_dir.parent.exists():
        return False
    moved = sorted(site_dir.parent.glob(f"{OLD_SITE_PREFIX}*/{site_dir.name}"), key=lambda path: path.stat().st_mtime)
    moved = [path for path in moved if not _is_running(_builder_pid(path.parent.name[len(OLD_SITE_PREFIX) :]))]
    if not moved:
        return False
    os.replace(moved[-1], site_dir)
    return True


def remove_stale_folders(parent: Path) -> list[Path]:
    """Delete the staging and old-site folders left in `parent` by builds that are no longer running."""
    stale = [
        folder
        for prefix in (STAGING_PREFIX, OLD_SITE_PREFIX)
        for folder in sorted(parent.glob(prefix + "*"))
        if folder.is_dir() and not _is_running(_builder_pid(folder.name[len(prefix) :]))
    ]
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return stale


def _builder_pid(suffix: str) -> int | None:
    """The process id in a folder name `<pid>-<random>`; None for names from before pids were recorded."""
    head, _, _ = suffix.partition("-")
    return int(head) if head.isdigit() else None


def _is_running(pid: int | None) -> bool:
    """Whether a build with this process id may still be running (another build's folders are left alone)."""
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _swap_in(staging: Path, site_dir: Path) -> None:
    """Replace `site_dir` by `staging` with two renames, then delete the old site."""
    old = None
    if site_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f"{OLD_SITE_PREFIX}{os.getpid()}-", dir=site_dir.parent))
        os.replace(site_dir, old / site_dir.name)
    os.replace(staging, site_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _timed(timings: dict[str, float], step: str, action: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = action()
    timings[step] = round(time.perf_counter() - start, 2)
    return result
