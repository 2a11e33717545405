"""Turn `data/` into the public website in `site/`: plan, then every step of STEPS, then publish.

Each step (builder/pipeline/steps/) gets the one `Build` context (builder/pipeline/context.py)
and writes what it makes into a staging folder next to `site/`, which is published only when
every step has succeeded (builder/pipeline/swap.py: committed into `site/` file by file, or
swapped in whole): a failed build leaves the published site as it was.
`data/` and the hand-written pages in `content/` are only ever read. To add an output,
write a step module and add it to STEPS.
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypedDict, Unpack

from .. import PROJECT_ROOT
from ..atomic import readable_by_all
from ..config import SiteConfig, load_site_config, read_config_text, text_file_problems
from ..errors import BuilderError
from ..lint.findings import build_summary
from ..printable import escape_controls, some_of
from ..site.search import ServicePool
from . import unchanged, walks
from .commit import SiteTree, in_place_tree, scan, site_tree
from .context import Build, BuildReport, Folders, Step
from .lock import exclusive
from .outdir import escaping_links, guard_output, links_out_error, real, refuse_unwritable_cache
from .outputs import Manifest, Outputs, site_manifest_file
from .plan import Part
from .progress import Progress
from .selection import DataErrors, plan_build
from .steps import (
    check_links,
    export_data,
    index_search,
    name_downloads,
    pack_archives,
    read_data,
    render_downloads,
    render_pdfs,
    run_mkdocs,
    wait_for_search,
    write_pages,
)
from .store import Store
from .swap import (
    foreign_files,
    foreign_files_note,
    publish,
    remove_stale_folders,
    restore_interrupted_publish,
    save_site_manifest,
    work_folder,
)
from .workers import start_fresh_workers

__all__ = ["BuildReport", "DataErrors", "build"]

MKDOCS_CONFIG = PROJECT_ROOT / "mkdocs.yml"
GENERATED_DIR = PROJECT_ROOT / "content" / "generated"
# Reuse caches (the store, the site manifests); BUILDER_CACHE_DIR moves them (a CI job, a test standing for a machine).
CACHE_DIR = Path(os.environ.get("BUILDER_CACHE_DIR") or PROJECT_ROOT / ".cache")
PUBLISHED_SITE = PROJECT_ROOT / "site"  # `--part` never writes here

# The build, in order. Each step reads what the ones before it left on the Build.
STEPS: tuple[Step, ...] = (
    read_data,  # data files → departments and findings (refuses a file with problems)
    export_data,  # open data: CSV, JSON, XLSX, SQLite per department, year and site
    write_pages,  # departments → generated Markdown pages
    run_mkdocs,  # Markdown → HTML with the theme, and the sitemap
    index_search,  # HTML → Pagefind search shards
    render_pdfs,  # departments → PDFs
    render_downloads,  # the 数据下载 page, once the year's and the site's open data (made behind) are joined
    pack_archives,  # each year's zip of its downloads
    name_downloads,  # the web servers' maps of Chinese download names
    check_links,  # every link and anchor of the finished site
    wait_for_search,  # the search shards an edit re-indexes behind the steps above
)


class BuildOptions(TypedDict, total=False):
    """The keyword options of `build`; each one left out takes the default named here."""

    jobs: int | None  # worker processes; None: one per core
    with_pdf: bool  # True
    generated_dir: Path  # GENERATED_DIR
    progress: Progress | None  # None: silent
    site_config: SiteConfig | None  # None: what mkdocs.yml says
    part: Part | None  # None: the whole site
    merge: Sequence[Path]  # ()
    cache_dir: Path | None  # CACHE_DIR; None: no cache


def build(data_dir: Path, site_dir: Path, **options: Unpack[BuildOptions]) -> BuildReport:
    """Build the site from `data_dir` into `site_dir`; raise BuilderError and keep the old site on failure.

    Outputs unchanged since the build that made `site_dir` (or in the `merge` folders, parts
    built with `part` on other machines) are reused, not made again. With `part`, only that
    part's departments are built, into a folder for a later merge. `site_config` (publisher,
    years, PDF paper…) defaults to what mkdocs.yml says (builder/config.py). A build of the
    same site or generated folder already running is waited for (builder/pipeline/lock.py).
    """
    unknown = set(options) - set(BuildOptions.__annotations__)
    if unknown:
        raise TypeError(f"build() got unexpected options {sorted(unknown)}")
    progress = options.get("progress") or Progress.silent()
    part, merge = options.get("part"), options.get("merge", ())
    generated_dir, cache_dir = options.get("generated_dir", GENERATED_DIR), options.get("cache_dir", CACHE_DIR)
    _guard_output(site_dir, data_dir, part is not None, merge, cache_dir)
    refuse_unwritable_cache(cache_dir)
    folders = {"网站文件夹": site_dir, "生成页面文件夹": generated_dir}
    try:
        with exclusive(folders, cache_dir, progress), readable_by_all():
            return _build(data_dir, site_dir, **options)
    finally:
        gc.unfreeze()  # what the steps froze (`_run_steps`) and is still alive: collected again, as any object


def _build(data_dir: Path, site_dir: Path, **options: Unpack[BuildOptions]) -> BuildReport:
    progress = options.get("progress") or Progress.silent()
    part, merge = options.get("part"), options.get("merge", ())
    generated_dir, cache_dir = options.get("generated_dir", GENERATED_DIR), options.get("cache_dir", CACHE_DIR)
    site_dir = site_dir.resolve()
    restore_interrupted_publish(site_dir)  # first: even a build that fails then leaves a whole site
    site_config = _checked_config(options.get("site_config"), generated_dir, cache_dir)
    with_pdf = options.get("with_pdf", True)
    # A whole build (no part, no merge) may find nothing to do (builder/pipeline/unchanged.py).
    whole = None
    if cache_dir is not None:
        hashed = unchanged.remembered_hashes(cache_dir, site_dir)
        whole = unchanged.WholeBuild(PROJECT_ROOT, data_dir, site_dir, generated_dir, cache_dir, hashed)
    whole = whole if part is None and not merge else None
    # In child processes, their answers read on a thread (`ahead`), while this one goes on (builder/pipeline/walks.py):
    # the walk of the site (each file's size and time), which a rebuild with no change compares with the last
    # build's record, and any other build checks the files it keeps against; the walk of the generated pages'
    # folder. `later`: deletions the end of the build need not wait for (the replaced files, the store's old entries).
    with (
        ThreadPoolExecutor(1, thread_name_prefix="build-ahead") as ahead,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="build-cleanup") as later,
    ):
        walkable = part is None and cache_dir is not None and site_dir.is_dir() and not site_dir.is_symlink()
        site_walk = _walk_site(site_dir, ahead) if walkable else None
        generated = _walk_generated(generated_dir, ahead)
        inputs = unchanged.inputs_key(whole, site_config, with_pdf) if whole is not None else ""
        if whole is not None and (replayed := unchanged.replay(whole, inputs, site_walk, generated)) is not None:
            remove_stale_folders(site_dir.parent)
            return replayed
        start_fresh_workers(options.get("jobs"))
        plan = plan_build(data_dir, site_config, part)
        earlier = _earlier_builds(site_dir, merge, cache_dir, plan.notes)
        # Published in place (builder/pipeline/commit.py): the site's manifest comes first in `earlier`.
        published = in_place_tree(site_dir, earlier[0] if cache_dir is not None else None, plan.whole_site, site_walk)
        store = Store.in_cache(cache_dir)
        with work_folder(site_dir) as work:
            folders = Folders(PROJECT_ROOT, data_dir, site_dir, work, generated_dir, cache_dir)
            outputs = Outputs(folders.staging, earlier, in_place=earlier[0] if published is not None else None)
            outputs.staging.mkdir()
            b = Build(plan, site_config, folders, outputs, store, progress, options.get("jobs"), with_pdf)
            b.generated_walk = generated
            b.hashed = whole.hashed if whole is not None else None
            _run_steps(b)
            _note_parts_made_here(b, earlier[1:] if cache_dir is not None else earlier)
            unrecorded = publish(b, published.result() if published is not None else None, later)
        if site_walk is not None and cache_dir is not None and plan.whole_site:
            _note_foreign_files(plan.notes, foreign_files(site_dir, cache_dir, earlier[0], site_walk.result()))
        save_site_manifest(b, unrecorded)
        later.submit(store.prune_if_due)
        report = _report(b)
        if whole is not None:
            key_after = unchanged.inputs_key(whole, site_config, with_pdf)
            left = unchanged.Left(b.outputs.entries, unrecorded, [*b.pages, write_pages.WRITTEN_BY])  # all it holds
            unchanged.save(whole, inputs, report, key_after, left)
        # The departments and manifests (millions of objects) are freed while the deletions run, not after them.
        del b, outputs, earlier, published, plan, generated, site_walk
    return report


def _walk_site(site_dir: Path, ahead: Executor) -> Future[SiteTree]:
    made_here = functools.partial(scan, site_dir, True)
    return walks.begin("site", site_dir, ahead, made_here, site_tree)


def _walk_generated(generated_dir: Path, ahead: Executor) -> Future[tuple[set[str], list[str]]]:
    roots = [PROJECT_ROOT, generated_dir]
    made_here = functools.partial(write_pages.walk, generated_dir, roots)
    return walks.begin(
        "generated", generated_dir, ahead, made_here, lambda listing: write_pages.checked_walk(listing, roots)
    )


def _note_foreign_files(notes: list[str], foreign: list[str]) -> None:
    """Name the files an admin put in the site, which this build removed (builder/pipeline/swap.py)."""
    if foreign:
        notes.append(foreign_files_note(foreign))


def _guard_output(site_dir: Path, data_dir: Path, part: bool, merge: Sequence[Path], cache_dir: Path | None) -> None:
    """Refuse a `site_dir` that is not safe to write (builder/pipeline/outdir.py)."""
    guard_output(
        site_dir,
        project_root=PROJECT_ROOT,
        data_dir=data_dir,
        part=part,
        merge=merge,
        published_site=PUBLISHED_SITE,
        cache_dir=cache_dir,
    )


def _run_steps(b: Build) -> None:
    """Every step of STEPS. One Pagefind process loads its Chinese dictionary while the steps before the search run;
    `b.behind` runs what a step leaves for a later one to wait for (the year's and the site's open data)."""
    with ServicePool(warm=1) as services, ThreadPoolExecutor(1, thread_name_prefix="build-behind") as behind:
        b.search_services, b.behind = services, behind
        for step in STEPS:
            _run(step, b)
            # What a step leaves for the later ones (pages, keys, the site's entries, scans: millions of objects at
            # 3 000 departments) is kept off the collector's full passes, as read_data does for the departments:
            # each pass walked all that was left so far, and there were more of them (3 000 departments: 16 passes,
            # 13.4 s in the build process, against 7 and 0.75 s at 500). `build` unfreezes them at its end.
            gc.freeze()


def _run(step: Step, b: Build) -> None:
    """One step, shown as a stage of the progress display (timed in the report) when it has a title."""
    if not step.wanted(b):
        return
    shown = b.progress if step.TITLE is not None else Progress.silent()
    with shown.stage(step.TITLE or "", total=step.total(b)) as stage:
        step.run(b, stage)


def _note_parts_made_here(b: Build, parts: list[Manifest]) -> None:
    """Name each merged part whose department files were made again here: it was built from other data, another
    version of the builder or of Python, or damaged on the way. The merge is right either way, but slower, and said
    nothing. (The site chrome a part carries is always made again at the merge.)"""
    folders = {f"{item.source.path.parent.name}/{item.source.slug}/" for item in b.loaded}
    made = [path for path in b.outputs.made_paths if path[: path.find("/", 5) + 1] in folders]  # `2023/<slug>/…`
    for part in parts:
        again = [escape_controls(path) for path in made if path in part.entries]
        if again:
            b.plan.notes.append(
                f"分部构建的文件夹 {part.root} 中有 {len(again)} 个部门文件与本机算出的不同，已在本机重新生成"
                f"（这一份的数据、程序或 Python 版本与本机不同，或在传输中损坏）：{some_of(again)}"
            )


def _report(b: Build) -> BuildReport:
    """The report the steps began (the PDFs), completed with the counts, timings and notes."""
    report = b.report
    report.site_dir, report.departments = b.folders.site, len(b.loaded)
    report.projects = sum(item.head.projects for item in b.loaded)
    report.timings, report.quality = b.progress.timings, build_summary(b.data.counts())
    report.made, report.reused = sorted(b.outputs.made_paths), b.outputs.reused
    report.notes = b.plan.notes
    return report


def _checked_config(site_config: SiteConfig | None, generated_dir: Path, cache_dir: Path | None) -> SiteConfig:
    """The site settings, once mkdocs.yml, content/, theme/, templates/ and the output folders are found sound."""
    read_config_text(MKDOCS_CONFIG)  # MkDocs reads it too: a wrong encoding or a link out of the project is named first
    site_config = site_config or load_site_config(MKDOCS_CONFIG)
    _refuse_links_out(generated_dir, PROJECT_ROOT / "content", PROJECT_ROOT / "theme", PROJECT_ROOT / "templates")
    _refuse_other_encodings()
    _refuse_redirected(generated_dir, "生成页面的文件夹")
    if cache_dir is not None:
        _refuse_redirected(cache_dir, "缓存文件夹")
    return site_config


def _refuse_links_out(generated_dir: Path, *folders: Path) -> None:
    """MkDocs and the PDF read all of content/, theme/, templates/: a link out of the project would be published.

    The generated pages' folder is left to `write_pages`, whose one walk of it (a page per project)
    refuses such a link before any page is written or read."""
    found = [link for folder in folders for link in escaping_links(folder, [PROJECT_ROOT], skip=generated_dir)]
    if found:
        raise links_out_error(found)


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


def _earlier_builds(site_dir: Path, merge: Sequence[Path], cache_dir: Path | None, notes: list[str]) -> list[Manifest]:
    """The published site's manifest, then each merged part's (a part that is not there is made here)."""
    earlier = [Manifest.load(site_manifest_file(cache_dir, site_dir), site_dir)] if cache_dir is not None else []
    for folder in merge:
        if not folder.exists():
            notes.append(f"找不到分部构建的文件夹 {folder}：这一份的部门在本机重新生成（结果相同，只是慢一些）")
            continue
        earlier.append(Manifest.load_part(folder))  # untrusted: paths checked, files by SHA-256
    return earlier
