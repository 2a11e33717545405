"""Turn `data/` into the public website in `site/`: pages, MkDocs, search index, PDFs, in one build.

The site is built in a temporary folder next to `site/` and swapped in only when
every step has succeeded, so a failed build leaves the published site as it was.
`data/` and the hand-written pages in `content/` are only ever read.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .batches import Batch, Part, place, plan_batches, whole_batches
from .config import SiteConfig, load_site_config
from .download_names import make_download_names
from .errors import BuilderError, DataError
from .fingerprint import digest, site_chrome_fingerprint
from .lint import Finding, build_summary
from .load import LoadedDepartment, find_data_files
from .pdf import render_pdfs
from .progress import Progress
from .reuse import PART_MANIFEST, Manifest, Outputs, site_manifest_file
from .rules.text import UNFILLED_TEMPLATE
from .sitemap import make_sitemap
from .steps.links import check_links
from .steps.mkdocs import render_site
from .steps.opendata import make_open_data, plan_scopes
from .steps.pages import make_pages
from .steps.read import ReadData, read_data
from .steps.search import make_search, plan_shards

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MKDOCS_CONFIG = PROJECT_ROOT / "mkdocs.yml"
GENERATED_DIR = PROJECT_ROOT / "content" / "generated"
# Reuse caches (PDFs, read data, manifests); BUILDER_CACHE_DIR moves them (a CI job, a test standing for a machine).
CACHE_DIR = Path(os.environ.get("BUILDER_CACHE_DIR") or PROJECT_ROOT / ".cache")
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
    """What a build made, what it reused from earlier builds, and how long each step took (seconds)."""

    site_dir: Path
    departments: int
    projects: int
    pdfs: int
    timings: dict[str, float] = field(default_factory=dict)
    quality: str = ""
    made: list[str] = field(default_factory=list)  # files made by this build (paths from the site root)
    reused: int = 0  # files linked from an earlier build
    notes: list[str] = field(default_factory=list)  # what the admin should know: data left out, an empty part


@dataclass(frozen=True)
class _Plan:
    """What this build covers: every department, or one part of a split build."""

    files: list[Path]
    batches: list[Batch]
    part: Part | None
    notes: list[str] = field(default_factory=list)

    @property
    def whole_site(self) -> bool:
        return self.part is None


def build(
    data_dir: Path,
    site_dir: Path,
    *,
    jobs: int | None = None,
    with_pdf: bool = True,
    generated_dir: Path = GENERATED_DIR,
    progress: Progress | None = None,
    site_config: SiteConfig | None = None,
    part: Part | None = None,
    merge: Sequence[Path] = (),
    cache_dir: Path | None = CACHE_DIR,
) -> BuildReport:
    """Build the site from `data_dir` into `site_dir`; raise BuilderError and keep the old site on failure.

    Outputs unchanged since the build that made `site_dir` (or in the `merge` folders, parts
    built with `part` on other machines) are reused, not made again. With `part`, only that
    part's departments are built, into a folder for a later merge. `site_config` (publisher,
    years, PDF paper…) defaults to what mkdocs.yml says (builder/config.py).
    """
    progress = progress or Progress.silent()
    site_dir = site_dir.resolve()
    restore_interrupted_swap(site_dir)  # first, so that even a build that fails leaves a site
    site_config = site_config or load_site_config(MKDOCS_CONFIG)
    plan = _plan(data_dir, site_config, part)
    with progress.stage("读取数据", total=len(plan.files)) as stage:
        data = read_data(plan.files, data_dir, cache_dir, jobs, stage)
    if data.errors:
        raise DataErrors(data.errors)
    data, plan = _unfilled_and_drafts(data, plan)
    if part is not None and part.year is None:
        data, plan = _take_share(data, plan, part)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_folders(site_dir.parent)
    work = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{os.getpid()}-", dir=site_dir.parent))
    try:
        outputs = Outputs(work / "site", _earlier_builds(site_dir, merge, cache_dir, plan.notes))
        outputs.staging.mkdir()
        args = (data.loaded, data.findings, data.keys, plan, outputs, work, generated_dir)
        pdfs, page_keys = _build_into(*args, site_config, with_pdf, jobs, progress, cache_dir)
        if plan.whole_site:
            make_download_names(outputs, data.loaded)
        _finish(plan, outputs, page_keys, site_dir, jobs, progress, cache_dir)
        _swap_in(outputs.staging, site_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if plan.whole_site and cache_dir is not None:
        outputs.manifest(site_dir).save(site_manifest_file(cache_dir, site_dir))
    projects = sum(len(item.department.projects) for item in data.loaded)
    summary = build_summary(data.findings)
    report = BuildReport(site_dir, len(data.loaded), projects, pdfs, progress.timings, summary)
    report.made, report.reused = sorted(outputs.made_paths), outputs.reused
    report.notes = plan.notes
    return report


def _plan(data_dir: Path, site_config: SiteConfig, part: Part | None) -> _Plan:
    """The data files to read: those of the years published, and of the part's batches."""
    if not data_dir.exists():
        raise BuilderError(f"找不到数据文件夹 {data_dir} — 请用 --data 指定，例如 --data data")
    found = find_data_files([data_dir])
    files = [path for path in found if _published(path, site_config)]
    left_out = _left_out(found, files, site_config)
    shown = _years(site_config.years)
    if not files and left_out:
        raise BuilderError(
            f"mkdocs.yml 的 extra.years 只公开 {shown} 年度，{data_dir} 中没有这些年度的数据文件"
            f"（有{left_out}）— 请在 extra.years 中写上要公开的年度，或删去 extra.years 公开全部年度"
        )
    if not files:
        raise BuilderError(f"{data_dir} 中没有数据文件 — 数据文件应放在 {data_dir}/<年度>/<部门>.yaml")
    notes = [f"未公开：{data_dir} 中{left_out}不在 extra.years（{shown}）中 — 要公开请把年度加入 extra.years"]
    notes = notes if left_out else []
    batches = plan_batches(place(path) for path in files)
    if part is not None and part.year is not None:
        batches = part.select(batches)
        chosen = {(batch.year, slug) for batch in batches for slug in batch.slugs}
        files = [path for path in files if place(path) in chosen]
        if not files:
            raise BuilderError(f"--part {part} 没有对应的部门 — 请检查年度或份数")
    return _Plan(files, batches, part, notes)


def _take_share(data: ReadData, plan: _Plan, part: Part) -> tuple[ReadData, _Plan]:
    """Keep the departments of a numbered share (dealt by their projects), and the batches it holds whole."""
    projects = {place(item.source.path): len(item.department.projects) for item in data.loaded}
    chosen = part.departments(projects)
    data = _keep(data, {item.source.path for item in data.loaded if place(item.source.path) in chosen})
    batches = whole_batches(plan.batches, chosen)
    notes = list(plan.notes)
    if not data.loaded:
        notes.append(f"第 {part} 份没有部门：共 {len(projects)} 个部门，少于份数；这一份的文件夹照常生成，可照常合并")
    files = [path for path in plan.files if path in data.keys]
    return data, dataclasses.replace(plan, files=files, batches=batches, notes=notes)


def _keep(data: ReadData, paths: set[Path]) -> ReadData:
    """The departments read from `paths` only, with their findings and keys."""
    return dataclasses.replace(
        data,
        loaded=[item for item in data.loaded if item.source.path in paths],
        findings=[finding for finding in data.findings if finding.path in paths],
        keys={path: key for path, key in data.keys.items() if path in paths},
    )


def _unfilled_and_drafts(data: ReadData, plan: _Plan) -> tuple[ReadData, _Plan]:
    """Leave drafts out (and say so); refuse a department that still holds `new`'s template text."""
    drafts = [item.source.path for item in data.loaded if item.department.draft]
    unfilled = [
        finding for finding in data.findings if finding.rule == UNFILLED_TEMPLATE and finding.path not in drafts
    ]
    if unfilled:
        listing = "\n".join(finding.render() for finding in unfilled[:20])
        raise BuilderError(
            f"{listing}\n{len({f.path for f in unfilled})} 个数据文件还有模板的占位文字，不能发布；网站没有更新。"
            "请照原文填写；尚未填好的部门可在文件中写 draft: true（草稿，不发布）"
        )
    if not drafts:
        return data, plan
    data = _keep(data, {item.source.path for item in data.loaded} - set(drafts))
    if not data.loaded:
        raise BuilderError(f"全部 {len(drafts)} 个部门都是草稿（draft: true），没有可发布的部门；网站没有更新")
    names = "、".join(path.as_posix() for path in drafts)
    files = [path for path in plan.files if path not in drafts]
    batches = plan_batches(place(path) for path in files)
    batches = plan.part.select(batches) if plan.part is not None else batches
    notes = [*plan.notes, f"草稿未发布（draft: true）：{names}"]
    return data, dataclasses.replace(plan, files=files, batches=batches, notes=notes)


def _years(years: Sequence[int]) -> str:
    return "、".join(str(year) for year in years)


def _left_out(found: list[Path], published: list[Path], site_config: SiteConfig) -> str:
    """What the published-years filter leaves out, e.g. “2025 年度 3 个部门”, or ""."""
    kept = set(published)
    by_year: dict[int, int] = {}
    for path in found:
        if path not in kept:
            year = place(path)[0]
            by_year[year] = by_year.get(year, 0) + 1
    if not by_year:
        return ""
    return "、".join(f" {year} 年度 {count} 个部门" for year, count in sorted(by_year.items()))


def _published(path: Path, site_config: SiteConfig) -> bool:
    """A file in a year folder that mkdocs.yml does not publish is not read (any other file is, to report it)."""
    year, _ = place(path)
    return year == 0 or site_config.publishes(year)


def _earlier_builds(site_dir: Path, merge: Sequence[Path], cache_dir: Path | None, notes: list[str]) -> list[Manifest]:
    """The published site's manifest, then each merged part's (a part that is not there is made here)."""
    earlier = [Manifest.load(site_manifest_file(cache_dir, site_dir), site_dir)] if cache_dir is not None else []
    for folder in merge:
        if not folder.exists():
            notes.append(f"找不到分部构建的文件夹 {folder}：这一份的部门在本机重新生成（结果相同，只是慢一些）")
            continue
        manifest_file = folder / PART_MANIFEST
        if not manifest_file.is_file():
            raise BuilderError(f"{folder} 不是分部构建的输出（缺少 {PART_MANIFEST}）— 请用 build --part 生成")
        earlier.append(Manifest.load(manifest_file, folder.resolve()))  # checked by content: see Manifest.by_content
    return earlier


def _build_into(
    loaded: list[LoadedDepartment],
    findings: list[Finding],
    keys: dict[Path, str],
    plan: _Plan,
    outputs: Outputs,
    work: Path,
    generated_dir: Path,
    site_config: SiteConfig,
    with_pdf: bool,
    jobs: int | None,
    progress: Progress,
    cache_dir: Path | None,
) -> tuple[int, dict[str, str]]:
    """Open data, pages, MkDocs, search index and PDFs into `outputs.staging`.

    Returns the number of PDFs and the key of every generated page (by HTML path).
    """
    scopes = plan_scopes(loaded, plan.whole_site)
    with progress.stage("开放数据", total=len(scopes)) as stage:
        known = make_open_data(scopes, keys, outputs, site_config.base_url, jobs, stage)
    with progress.stage("生成页面", total=len(loaded)) as stage:
        args = (loaded, findings, known, outputs.staging, generated_dir, site_config, with_pdf, plan.whole_site)
        pages = make_pages(*args, jobs, stage, keys, cache_dir)
    chrome = digest(site_chrome_fingerprint(MKDOCS_CONFIG), repr(site_config))
    with progress.stage("MkDocs 排版", total=sum(path.endswith(".md") for path in pages)) as stage:
        args = (pages, chrome, outputs, work, generated_dir, MKDOCS_CONFIG, site_config, jobs, stage)
        page_keys, handwritten = render_site(*args)
    if plan.whole_site:
        make_sitemap(outputs, site_config.base_url, [*page_keys, *handwritten])
    shards = plan_shards(page_keys, handwritten, plan.batches, plan.whole_site)
    with progress.stage("搜索索引", total=len(shards)) as stage:
        make_search(shards, page_keys, outputs, jobs, stage)
    if not with_pdf:
        return 0, page_keys
    with progress.stage("生成 PDF", total=len(loaded)) as stage:
        pdf_cache = cache_dir / "pdf" if cache_dir is not None else None
        made = render_pdfs(
            loaded, outputs.staging, jobs, pdf_cache, site_config=site_config, outputs=outputs, stage=stage, keys=keys
        )
    return len(made), page_keys


def _finish(
    plan: _Plan,
    outputs: Outputs,
    page_keys: dict[str, str],
    site_dir: Path,
    jobs: int | None,
    progress: Progress,
    cache_dir: Path | None,
) -> None:
    """A whole site has its links checked; a part gets its manifest, for the merge."""
    if not plan.whole_site:
        # Saved with the staging folder as root (the files' SHA-256 are read there); loaded with the part's folder.
        outputs.manifest(outputs.staging, by_content=True).save(outputs.staging / PART_MANIFEST)
        return
    if not outputs.made_paths:
        return  # every file is one of the published site's, whose links were checked when it was built
    scans = site_manifest_file(cache_dir, site_dir).with_suffix(".scans") if cache_dir is not None else None
    with progress.stage("链接检查", total=None) as stage:
        broken = check_links(outputs.staging, page_keys, scans, jobs, stage)
    if broken:
        listing = "\n".join(link.render() for link in broken[:50])
        raise BuilderError(f"链接检查发现 {len(broken)} 处问题，网站没有更新：\n{listing}")


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
