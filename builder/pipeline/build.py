"""Turn `data/` into the public website in `site/`: pages, MkDocs, search index, PDFs, in one build.

The site is built in a temporary folder next to `site/` and swapped in only when
every step has succeeded, so a failed build leaves the published site as it was.
`data/` and the hand-written pages in `content/` are only ever read.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..config import SiteConfig, load_site_config, read_config_text, text_file_problems
from ..data.load import LoadedDepartment, find_data_files, link_problems
from ..errors import BuilderError, DataError
from ..failures import folder_size
from ..lint.findings import Finding, build_summary
from ..lint.rules.text import UNFILLED_TEMPLATE
from ..site.downloads import make_download_names
from ..site.sitemap import make_sitemap
from .fingerprint import digest, site_chrome_fingerprint
from .outdir import KIND_PART, KIND_SITE, KIND_TEMPORARY, escaping_links, guard_output, owner_kind, real, write_marker
from .outputs import OWNER_MARKER, PART_MANIFEST, Manifest, Outputs, site_manifest_file
from .plan import Batch, Part, place, plan_batches, whole_batches
from .progress import Progress
from .steps.check_links import check_links
from .steps.export_data import make_open_data, plan_scopes
from .steps.index_search import make_search, plan_shards
from .steps.pack_archives import make_archives
from .steps.read_data import ReadData, read_data
from .steps.render_pdfs import render_pdfs
from .steps.run_mkdocs import render_site
from .steps.write_pages import make_pages

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
MKDOCS_CONFIG = PROJECT_ROOT / "mkdocs.yml"
GENERATED_DIR = PROJECT_ROOT / "content" / "generated"
# Reuse caches (PDFs, read data, manifests); BUILDER_CACHE_DIR moves them (a CI job, a test standing for a machine).
CACHE_DIR = Path(os.environ.get("BUILDER_CACHE_DIR") or PROJECT_ROOT / ".cache")
PUBLISHED_SITE = PROJECT_ROOT / "site"  # `--part` never writes here
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
    guard_output(
        site_dir,
        project_root=PROJECT_ROOT,
        data_dir=data_dir,
        part=part is not None,
        merge=merge,
        published_site=PUBLISHED_SITE,
        cache_dir=cache_dir,
    )
    site_dir = site_dir.resolve()
    restore_interrupted_swap(site_dir)  # first, so that even a build that fails leaves a site
    read_config_text(MKDOCS_CONFIG)  # MkDocs reads it too: a wrong encoding or a link out of the project is named first
    site_config = site_config or load_site_config(MKDOCS_CONFIG)
    _refuse_links_out(PROJECT_ROOT / "content", PROJECT_ROOT / "theme", PROJECT_ROOT / "templates")
    _refuse_other_encodings()
    _refuse_redirected(generated_dir, "生成页面的文件夹")
    if cache_dir is not None:
        _refuse_redirected(cache_dir, "缓存文件夹")
    plan = _plan(data_dir, site_config, part)
    with progress.stage("读取数据", total=len(plan.files)) as stage:
        data = read_data(plan.files, data_dir, cache_dir, jobs, stage)
    if data.errors:
        raise DataErrors(data.errors)
    data, plan = _unfilled_and_drafts(data, plan)
    if part is not None and part.year is None:
        data, plan = _take_share(data, plan, part)
    earlier = _earlier_builds(site_dir, merge, cache_dir, plan.notes)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_folders(site_dir.parent)
    work = _owned_temporary(STAGING_PREFIX, site_dir.parent)
    try:
        outputs = Outputs(work / "site", earlier)
        outputs.staging.mkdir()
        args = (data.loaded, data.findings, data.keys, plan, outputs, work, generated_dir)
        pdfs, page_keys = _build_into(*args, site_config, with_pdf, jobs, progress, cache_dir)
        if plan.whole_site:
            make_download_names(outputs, data.loaded)
        _finish(plan, outputs, page_keys, site_dir, jobs, progress, cache_dir)
        write_marker(outputs.staging, KIND_SITE if plan.whole_site else KIND_PART)
        _swap_in(outputs.staging, site_dir)
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        written = folder_size(work)
        shutil.rmtree(work, ignore_errors=True)
        raise _no_space(error, site_dir, written) from error
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


def _refuse_links_out(*folders: Path) -> None:
    """MkDocs and the PDF read all of content/, theme/, templates/: a link out of the project would be published."""
    found = [link for folder in folders for link in escaping_links(folder, [PROJECT_ROOT])]
    if found:
        listing = "\n".join(f"{path}: 指向项目以外的 {target}" for path, target in found[:20])
        raise BuilderError(f"{listing}\n这些链接指向项目以外，不会发布；网站没有更新 — 请把文件复制进来，或删除链接")


def _refuse_redirected(folder: Path, what: str) -> None:
    """The builder writes and deletes files in `folder`: a symlink on its way (into data/, say) is refused.

    Checked from the project root down (or the folder alone when it lies elsewhere), so a project
    that is itself reached through a symlink still builds.
    """
    path = Path(os.path.abspath(folder))
    try:
        parts = path.relative_to(PROJECT_ROOT).parts
        base = PROJECT_ROOT
    except ValueError:
        parts, base = (path.name,), path.parent
    for part in parts:
        base = base / part
        if base.is_symlink():
            raise BuilderError(
                f"{what} {folder} 经由符号链接 {base} 指向 {real(base)}；生成时会在其中写入和删除文件，已拒绝"
                " — 请删除该链接"
            )


def _refuse_other_encodings() -> None:
    """Hand-written pages and templates that are not UTF-8, named before MkDocs or Jinja trip on them."""
    problems = text_file_problems(PROJECT_ROOT / "content", (".md", ".html", ".yml", ".yaml"))
    for folder in ("theme", "templates"):
        problems += text_file_problems(PROJECT_ROOT / folder, (".html", ".j2", ".md", ".css", ".js"))
    if problems:
        raise BuilderError("\n".join(problems[:20]) + "\n网站没有更新。")


def _no_space(error: OSError, site_dir: Path, written: int) -> BuilderError:
    """The disk filled up: name the folder, how far the build got, what the previous site takes and what is free."""
    previous = folder_size(site_dir)
    free = shutil.disk_usage(site_dir.parent).free  # after the staging folder was removed
    need = max(written, previous) * 11 // 10 + 1024 * 1024
    where = f"写入 {error.filename} 时" if error.filename else "写入文件时"
    return BuilderError(
        f"磁盘空间不足：在 {site_dir.parent} 中生成网站，{where}空间用完（已写入 {_mb(written)}）；"
        f"生成时至少需要 {_mb(need)} 空闲空间（原网站占 {_mb(previous)}），该磁盘现有 {_mb(free)}"
        " — 请腾出空间后重试；原来的网站没有改动"
    )


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


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
    roots = (PROJECT_ROOT, data_dir)
    linked = [DataError(path, problems) for path in files if (problems := link_problems(path, roots))]
    if linked:
        raise DataErrors(linked)
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
        earlier.append(Manifest.load_part(folder))  # untrusted: paths checked, files by SHA-256
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
    made = []
    if with_pdf:
        with progress.stage("生成 PDF", total=len(loaded)) as stage:
            pdf_cache = cache_dir / "pdf" if cache_dir is not None else None
            made = render_pdfs(
                loaded,
                outputs.staging,
                jobs,
                pdf_cache,
                site_config=site_config,
                outputs=outputs,
                stage=stage,
                keys=keys,
            )
    if plan.whole_site:
        with progress.stage("年度打包", total=None):
            make_archives(loaded, outputs, with_pdf)
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
    moved = [path for path in moved if path.is_dir() and not path.is_symlink() and owner_kind(path) is not None]
    if not moved:
        return False
    os.replace(moved[-1], site_dir)
    return True


def remove_stale_folders(parent: Path) -> list[Path]:
    """Delete the staging and old-site folders left in `parent` by builds that are no longer running.

    Only folders the builder made are deleted (they carry its marker, or hold nothing but a
    site it wrote): a folder someone else named `.site-build-…` is left alone.
    """
    stale = [
        folder
        for prefix in (STAGING_PREFIX, OLD_SITE_PREFIX)
        for folder in sorted(parent.glob(prefix + "*"))
        if folder.is_dir()
        and not folder.is_symlink()
        and not _is_running(_builder_pid(folder.name[len(prefix) :]))
        and _made_by_a_build(folder)
    ]
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return stale


def _owned_temporary(prefix: str, parent: Path) -> Path:
    """A new folder `<prefix><pid>-<random>` in `parent`, marked as the builder's so a later build may delete it."""
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))
    write_marker(folder, KIND_TEMPORARY)
    return folder


def _made_by_a_build(folder: Path) -> bool:
    """Marked, empty (killed before the marker was written), or holding only a folder the builder wrote."""
    children = [child for child in folder.iterdir() if child.name != OWNER_MARKER]
    if (folder / OWNER_MARKER).is_file() or not children:
        return True
    return len(children) == 1 and children[0].is_dir() and owner_kind(children[0]) is not None


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
        old = _owned_temporary(OLD_SITE_PREFIX, site_dir.parent)
        os.replace(site_dir, old / site_dir.name)
    os.replace(staging, site_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
