"""Render the generated pages on every core and write those that changed into the generated folder.

The site-level pages (home listing, year pages, 数据下载) are made here, from every
department; departments' pages (department, projects, 数据质量) go to fresh workers
(builder/pipeline/workers.py) in groups, each group with its departments, their other
years (the history chart) and their findings: a worker holds twenty departments, not the
whole corpus. A page is written only when its text changed, so unchanged pages keep
their files; a worker sends back only each page's path and a hash of its text.
Which groups' pages the generated folder holds, by the group's key, is kept in the store
(namespace `pages`, one entry per generated folder).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ...data.load import LoadedDepartment
from ...errors import BuilderError
from ...lint.findings import Finding
from ...printable import escape_controls
from ...site.downloads import downloads_page, downloads_placeholder
from ...site.filters import format_size
from ...site.pages import THEME_PAGES, GeneratedPage, site_pages, years
from ...site.quality import quality_pages
from ..context import Build
from ..fingerprint import code_fingerprint, content_sha256, digest, files_digest
from ..progress import Stage
from ..workers import run_parallel

TITLE = "生成页面"
NAMESPACE = "pages"

DOWNLOADS_PAGE = "downloads/index.md"  # 数据下载, in the nav of mkdocs.yml
DEPARTMENTS_PER_JOB = 20
SITE_JOB: tuple[tuple[int, str], ...] = ()  # the site-level pages' entry in the job keys


@dataclass(frozen=True)
class _Shared:
    known: dict[str, tuple[int, str]]
    staging: Path
    generated_dir: Path
    with_pdf: bool
    quality: bool


def wanted(b: Build) -> bool:
    return True


def total(b: Build) -> int:
    return len(b.loaded)


def run(b: Build, stage: Stage) -> None:
    """Write every generated page (a part: its departments' pages) into the generated folder; note their hashes.

    A group of departments whose pages were written by an earlier build from the same inputs
    (`_job_keys`) and are still in the generated folder is not rendered again.
    """
    generated_dir, config = b.folders.generated, b.config
    shared = _Shared(b.known, b.folders.staging, generated_dir, b.with_pdf, config.quality_report_public)
    places = [(item.department.year, item.source.slug) for item in b.loaded]
    work = [tuple(places[start : start + DEPARTMENTS_PER_JOB]) for start in range(0, len(places), DEPARTMENTS_PER_JOB)]
    job_keys = _job_keys(work, b.loaded, b.data.keys, b.known, repr((config, b.with_pdf)))
    if b.whole_site:  # the site-level pages: every department's data, every download's size, templates, code, settings
        files = (f"{path} {size} {sha}" for path, (size, sha) in sorted(b.known.items()))
        common = _job_keys([SITE_JOB], [], {}, {}, repr((config, b.with_pdf)))[SITE_JOB]  # templates, code, settings
        job_keys[SITE_JOB] = digest("site-level", common, *(job_keys[job] for job in work), *files)
    b.pages = _make_pages(shared, _Departments(b.loaded, b.data.findings), work, job_keys, b, stage)


@dataclass(frozen=True)
class _Departments:
    """Every department read, with the findings of all of them."""

    loaded: list[LoadedDepartment]
    findings: list[Finding]


@dataclass(frozen=True)
class _Job:
    """A group of departments' pages, with what a fresh worker needs to make them."""

    places: tuple[tuple[int, str], ...]
    loaded: list[LoadedDepartment]  # the group's departments and their other years
    findings: list[Finding]  # of the group's departments


def _make_pages(
    shared: _Shared,
    every: _Departments,
    work: list[tuple[tuple[int, str], ...]],
    job_keys: dict[tuple[tuple[int, str], ...], str],
    b: Build,
    stage: Stage,
) -> dict[str, str]:
    generated_dir = shared.generated_dir
    folder_key = digest("generated-folder", str(generated_dir.resolve()))
    earlier = b.store.get_json(NAMESPACE, folder_key)
    earlier = earlier if isinstance(earlier, dict) else {}
    hashes: dict[str, str] = {}
    done: dict[str, dict[str, str]] = {}
    todo = []
    for job in work:
        cached = earlier.get(job_keys[job])
        if cached is not None and all((generated_dir / path).is_file() for path in cached):
            _refuse_collisions(hashes, cached)
            hashes.update(cached)
            done[job_keys[job]] = cached
            stage.skip(len(job))
        else:
            todo.append(job)
    years(every.loaded)  # two departments at one URL are refused here, before any page is written
    site_level: list[dict[str, str]] = []
    site_key = job_keys.get(SITE_JOB)
    cached = earlier.get(site_key) if site_key is not None else None
    if cached is not None and all((generated_dir / path).is_file() for path in cached):
        site_level.append(cached)  # a rebuild with no change (or a part's edit) does not render them again

    def site_level_pages() -> None:  # made here, from every department, while the workers make the rest
        if site_key is not None and not site_level:
            site_level.append(_write_pages(shared, _site_level_pages(shared, every)))

    jobs = _jobs(todo, every)
    for job, written in run_parallel(_render_job, jobs, b.jobs, shared=shared, fresh=True, meanwhile=site_level_pages):
        _refuse_collisions(hashes, written)
        hashes.update(written)
        done[job_keys[job.places]] = written
        stage.advance(len(job.places), item=f"{len(written)} 页")
    for written in site_level:
        _refuse_collisions(hashes, written)
        hashes.update(written)
        done[job_keys[SITE_JOB]] = written
    b.store.put_json(NAMESPACE, folder_key, done)
    for page in placeholders(b.whole_site):
        _write_if_changed(generated_dir / page.path, page.text.encode("utf-8"))
    _remove_others(generated_dir, {*hashes, *(page.path for page in placeholders(b.whole_site))})
    return hashes


def _job_keys(
    work: list[tuple[tuple[int, str], ...]],
    loaded: list[LoadedDepartment],
    keys: dict[Path, str],
    known: dict[str, tuple[int, str]],
    settings: str,
) -> dict[tuple[tuple[int, str], ...], str]:
    """What a group's pages are made from: each department's data and other years (the history chart),
    the sizes of its downloads, the templates, the builder code and the settings."""
    by_slug: dict[str, list[str]] = {}
    for item in sorted(loaded, key=lambda x: x.department.year):
        by_slug.setdefault(item.source.slug, []).append(keys[item.source.path])
    templates = files_digest(THEME_PAGES, [path for path in THEME_PAGES.rglob("*") if path.is_file()])
    common = digest("pages", code_fingerprint(), templates, settings)
    sizes_by_folder: dict[str, list[str]] = {}
    for path, (size, _) in known.items():
        sizes_by_folder.setdefault("/".join(path.split("/", 2)[:2]), []).append(f"{path} {size}")
    result = {}
    for job in work:
        parts = []
        for year, slug in job:
            sizes = sorted(sizes_by_folder.get(f"{year}/{slug}", []))
            parts += [str(year), slug, *by_slug.get(slug, []), *sizes]
        result[job] = digest(common, *parts)
    return result


def _jobs(todo: list[tuple[tuple[int, str], ...]], every: _Departments) -> list[_Job]:
    """Each group with its departments, every year of them (by slug, or by printed name: `department_history`)."""
    by_key: dict[str, list[LoadedDepartment]] = {}
    for item in every.loaded:
        by_key.setdefault(item.source.slug, []).append(item)
        if item.department.department != item.source.slug:
            by_key.setdefault(item.department.department, []).append(item)
    findings: dict[Path, list[Finding]] = {}
    for finding in every.findings:
        findings.setdefault(finding.path, []).append(finding)
    jobs = []
    for places in todo:
        wanted = set(places)
        slugs = dict.fromkeys(slug for _, slug in places)
        chosen = {id(item): item for slug in slugs for item in by_key.get(slug, [])}
        loaded = [item for item in every.loaded if id(item) in chosen]
        own = [item.source.path for item in loaded if (item.department.year, item.source.slug) in wanted]
        jobs.append(_Job(places, loaded, [finding for path in own for finding in findings.get(path, [])]))
    return jobs


def _render_job(shared: _Shared, job: _Job) -> dict[str, str]:
    return _write_pages(shared, _department_pages(shared, job))


def _write_pages(shared: _Shared, pages: list[GeneratedPage]) -> dict[str, str]:
    hashes: dict[str, str] = {}
    for page in pages:
        _refuse_collisions(hashes, {page.path: ""})
        data = page.text.encode("utf-8")
        _write_if_changed(shared.generated_dir / page.path, data)
        hashes[page.path] = content_sha256(data)
    return hashes


def _refuse_collisions(pages: dict[str, str], more: dict[str, str]) -> None:
    """Two generated pages at one path: the build fails rather than publish one in place of the other."""
    both = sorted(set(pages) & set(more))
    if both:
        raise BuilderError(f"两个生成的页面要写入同一个文件 {escape_controls(both[0])}，网站没有更新 — 请报告此问题")


def _sizes(known: dict[str, tuple[int, str]]) -> dict[str, str]:
    return {path: format_size(size) for path, (size, _) in known.items()}


def _site_level_pages(shared: _Shared, every: _Departments) -> list[GeneratedPage]:
    downloads = _sizes(shared.known)
    findings = every.findings if shared.quality else None  # none at all when the 数据质量 report is not public
    pages = site_pages(every.loaded, with_pdf=shared.with_pdf, downloads=downloads, only=(), findings=findings)
    if shared.quality:
        quality = quality_pages(every.loaded, every.findings, only=())
        pages += [GeneratedPage(path, text) for path, text in quality.items()]
    page = downloads_page(shared.staging, every.loaded, link_prefix="../", known=shared.known, with_pdf=shared.with_pdf)
    pages.append(GeneratedPage(DOWNLOADS_PAGE, page))
    return pages


def _department_pages(shared: _Shared, job: _Job) -> list[GeneratedPage]:
    downloads = _sizes(shared.known)
    findings = job.findings if shared.quality else None
    pages = site_pages(
        job.loaded, with_pdf=shared.with_pdf, downloads=downloads, only=job.places, site_level=False, findings=findings
    )
    if shared.quality:
        quality = quality_pages(job.loaded, job.findings, only=job.places, site_level=False)
        pages += [GeneratedPage(path, text) for path, text in quality.items()]
    return pages


def placeholders(whole_site: bool) -> list[GeneratedPage]:
    """Pages a part of a split build does not make but the navigation links to (made at the merge).

    They are written to the generated folder, not rendered, so that MkDocs resolves the
    navigation's links in a part's pages exactly as in a whole build.
    """
    if whole_site:
        return []
    return [GeneratedPage(DOWNLOADS_PAGE, downloads_placeholder())]


def _write_if_changed(target: Path, data: bytes) -> None:
    try:
        if target.read_bytes() == data:
            return
    except OSError:
        target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _remove_others(generated_dir: Path, wanted: set[str]) -> None:
    """Delete what earlier builds wrote that this one did not (a department removed, say)."""
    for directory, _, names in os.walk(generated_dir, topdown=False):
        for name in names:
            path = Path(directory) / name
            if path.relative_to(generated_dir).as_posix() not in wanted:
                path.unlink()
        if Path(directory) != generated_dir and not os.listdir(directory):
            os.rmdir(directory)
