"""Render the generated pages on every core and write those that changed into the generated folder.

The site-level pages (home listing, year pages, 数据下载) are made here, from what they
show of every department (read from the store: builder/pipeline/heads.py); departments'
pages (department, projects, 数据质量) go to fresh workers (builder/pipeline/workers.py)
in groups, each group with its departments and their other years (the history chart),
which the worker unpickles from the store: a worker holds twenty departments, not the
whole corpus, and this process holds none of them. A page is written only when its text changed, so unchanged pages keep
their files; a worker sends back only each page's path and a hash of its text.
Which pages the generated folder holds, by the key of each department (and of the
site-level pages), is kept in the store (namespace `pages`, one entry per generated
folder): only the departments whose key changed are rendered again."""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from ...data.load import LoadedDepartment
from ...errors import BuilderError
from ...lint.findings import Finding, sort_key
from ...opendata.export import collector_paused
from ...printable import escape_controls
from ...site.downloads import downloads_page, downloads_placeholder
from ...site.filters import format_size
from ...site.pages import THEME_PAGES, GeneratedPage, site_pages, years
from ...site.quality import quality_pages
from ..context import Build
from ..fingerprint import code_fingerprint, content_sha256, digest, files_digest
from ..heads import ReadDepartment, findings_of, listed, site_digest
from ..outdir import escaping_link, links_out_error
from ..progress import Stage
from ..store import Store
from ..walks import GeneratedListing, generated_listing
from ..workers import run_parallel
from . import export_data

TITLE = "生成页面"
NAMESPACE = "pages"

DOWNLOADS_PAGE = "downloads/index.md"  # 数据下载, in the nav of mkdocs.yml
# In the generated folder: a token the store notes with the pages written, so that pages another build wrote there
# (one with another cache) are never taken for this cache's (`_earlier_pages`). A dot file: MkDocs leaves it out.
WRITTEN_BY = ".written-by"
DEPARTMENTS_PER_JOB = 20


@dataclass(frozen=True)
class _Shared:
    known: dict[str, tuple[int, str]]
    staging: Path
    generated_dir: Path
    with_pdf: bool
    quality: bool

    @functools.cached_property
    def sizes(self) -> dict[str, str]:
        """Every download's size as the pages print it: made once per worker, not once per job (a job holds
        DEPARTMENTS_PER_JOB departments, `known` every department's files: per job, it grew as N²)."""
        return {path: format_size(size) for path, (size, _) in self.known.items()}


def wanted(b: Build) -> bool:
    return True


def total(b: Build) -> int:
    return len(b.loaded)


def run(b: Build, stage: Stage) -> None:
    """Write every generated page (a part: its departments' pages) into the generated folder; note their hashes.

    A department whose pages were written by an earlier build from the same inputs (`_department_keys`)
    and are still in the generated folder is not rendered again: an edit renders the edited department's
    pages, not its whole group's.
    """
    generated_dir, config = b.folders.generated, b.config
    shared = _Shared(b.known, b.folders.staging, generated_dir, b.with_pdf, config.quality_report_public)
    places = [(item.head.year, item.source.slug) for item in b.loaded]
    common = _common_key(repr((config, b.with_pdf)))  # templates, code, settings
    keys = _department_keys(places, b.loaded, b.data.keys, b.known, common)
    every = _Departments(b.loaded)
    if b.whole_site:  # the site-level pages: what they show of every department, templates, code, settings
        where = str(b.folders.data.resolve())
        keys[SITE_LEVEL] = digest("site-level", common, where, *map(site_digest, every.loaded))
    late = LatePages(shared, every, common, _folder_entry(generated_dir)) if b.whole_site else None
    b.pages = _make_pages(shared, every, places, keys, late, b, stage)
    b.late_pages = late


@dataclass
class LatePages:
    """What the 数据下载 page needs of this step, which leaves it to the step render_downloads: the page shows the
    sizes and SHA-256 of the year's and the site's files, joined behind the steps (export_data), so it is written
    and rendered once they are, and the department pages and MkDocs do not wait for them.

    The pages step signs the generated folder as it leaves it (`_sign`: the page there is the last build's, or a
    stand-in); this page is noted apart once written (`note`), under the folder's token: a build stopped before
    that leaves the old note, with another token, so the page is made again (`_earlier_pages`)."""

    shared: _Shared
    every: _Departments
    common: str  # templates, code, settings (`_common_key`)
    folder_key: str
    earlier: dict[str, object] = field(default_factory=dict)  # `_earlier_pages`
    there: set[str] = field(default_factory=set)  # the generated folder's files when this step began
    token: str = ""  # the generated folder's, as the pages step signed it
    written: dict[str, dict[str, str]] = field(default_factory=dict)  # the page written, by its key

    def write(self, b: Build) -> dict[str, str]:
        """The 数据下载 page written (or kept, from the same inputs); its path and hash. Waits for the open data."""
        export_data.finish(b)
        files = (f"{path} {size} {sha}" for path, (size, sha) in sorted(b.known.items()))
        listed = (digest(item.source.slug, item.summary.listed) for item in self.every.loaded)
        key = digest("downloads", self.common, str(b.folders.data.resolve()), *listed, *files)
        pages = _still_there(self.there, self.earlier.get(key))
        if pages is None:
            pages = _write_site_level(self.shared, self.every, [DOWNLOADS])[DOWNLOADS]
        self.written = {key: pages}
        return pages

    def note(self, b: Build) -> None:
        """Note the page written, for the folder signed with `token` (`_earlier_pages` reads it)."""
        b.store.put_json(NAMESPACE, _late_entry(self.folder_key), {"token": self.token, "pages": self.written})


Place = tuple[int, str]  # a department's (year, slug)
SITE_LEVEL: Place = (0, "")  # the keys' entry of the home listing, year, all-projects and 数据质量 year pages
DOWNLOADS: Place = (0, DOWNLOADS_PAGE)  # the keys' entry of the 数据下载 page


@dataclass(frozen=True)
class _Departments:
    """Every department read (their bodies unpickled only where needed), with the findings of all of them."""

    loaded: list[ReadDepartment]

    @property
    def findings(self) -> list[Finding]:
        return findings_of(self.loaded)


@dataclass(frozen=True)
class _Job:
    """A group of departments' pages, with what a fresh worker needs to make them."""

    places: tuple[Place, ...]
    loaded: list[ReadDepartment]  # the group's departments and their other years (their bodies unpickled there)

    @property
    def findings(self) -> list[Finding]:
        """The findings of the group's departments."""
        own = [item for item in self.loaded if (item.head.year, item.source.slug) in self.places]
        return [finding for item in own for finding in sorted(item.findings, key=sort_key)]


def _make_pages(
    shared: _Shared,
    every: _Departments,
    places: list[Place],
    keys: dict[Place, str],
    late: LatePages | None,
    b: Build,
    stage: Stage,
) -> dict[str, str]:
    """The pages written or kept (path → hash); the 数据下载 page of a whole site is left to `late` (which
    notes it then), and a stand-in for it written when there is none, for MkDocs' navigation."""
    generated_dir = shared.generated_dir
    earlier = _earlier_pages(b.store, _folder_entry(generated_dir), generated_dir)
    ahead = b.generated_walk
    there, folders = ahead.result() if ahead is not None else walk(generated_dir, [b.folders.project, generated_dir])
    there.discard(WRITTEN_BY)
    (generated_dir / WRITTEN_BY).unlink(missing_ok=True)  # the folder is being changed: trusted again at the end
    hashes: dict[str, str] = {}
    done: dict[str, dict[str, str]] = {}
    todo = []
    for place in places:
        if not _kept(place, keys, _still_there(there, earlier.get(keys[place])), hashes, done):
            todo.append(place)
    stage.skip(len(places) - len(todo))
    years(listed(every.loaded))  # two departments at one URL are refused here, before any page is written
    site_level: dict[Place, dict[str, str]] = {}

    def site_level_pages(unit: Place) -> None:  # made here, from what they show of every department
        cached = _still_there(there, earlier.get(keys[unit])) if unit in keys else None
        if cached is not None:
            site_level[unit] = cached  # a rebuild with no change: not made again
        elif unit in keys:
            site_level.update(_write_site_level(shared, every, [unit]))

    work = [tuple(todo[start : start + DEPARTMENTS_PER_JOB]) for start in range(0, len(todo), DEPARTMENTS_PER_JOB)]
    jobs = _jobs(work, every)
    meanwhile = functools.partial(site_level_pages, SITE_LEVEL)  # while the workers make the departments' pages
    for job, written in run_parallel(_render_job, jobs, b.jobs, shared=shared, fresh=True, meanwhile=meanwhile):
        for place, pages in written:
            refuse_collisions(hashes, pages)
            hashes.update(pages)
            done[keys[place]] = pages
        stage.advance(len(job.places), item=f"{sum(len(pages) for _, pages in written)} 页")
    for unit, pages in site_level.items():
        refuse_collisions(hashes, pages)
        hashes.update(pages)
        done[keys[unit]] = pages
    for page in placeholders(b.whole_site):
        _write_if_changed(generated_dir / page.path, page.text.encode("utf-8"))
    stand_in = [DOWNLOADS_PAGE] if late is not None else []
    if late is not None and DOWNLOADS_PAGE not in there:  # the nav links to it: MkDocs needs a file there
        _write_if_changed(generated_dir / DOWNLOADS_PAGE, downloads_placeholder().encode("utf-8"))
    kept = {*hashes, *(page.path for page in placeholders(b.whole_site)), *stand_in}
    _remove_others(generated_dir, there - kept, folders)
    token = _sign(b.store, _folder_entry(generated_dir), generated_dir, done)
    if late is not None:
        late.earlier, late.there, late.token = earlier, there, token
    return hashes


def _folder_entry(generated_dir: Path) -> str:
    """The store entry of the pages written into `generated_dir` (`_sign`)."""
    return digest("generated-folder", str(generated_dir.resolve()))


def _late_entry(folder_entry: str) -> str:
    """The store entry of the page written after the folder was signed (`LatePages.note`)."""
    return digest(folder_entry, "late")


def _sign(store: Store, folder_key: str, generated_dir: Path, done: dict[str, dict[str, str]]) -> str:
    """Note the pages written under a new token, and put the token in the folder (`_earlier_pages` checks both);
    return the token."""
    token = secrets.token_hex(16)
    store.put_json(NAMESPACE, folder_key, {"token": token, "pages": done})
    generated_dir.mkdir(parents=True, exist_ok=True)
    (generated_dir / WRITTEN_BY).write_text(token, encoding="ascii")
    return token


def _earlier_pages(store: Store, folder_key: str, generated_dir: Path) -> dict[str, object]:
    """What the last build with this cache wrote into the generated folder ({department key: {path: hash}}),
    if the folder still holds exactly that: its WRITTEN_BY token is the one the store noted. A build with
    another cache (or one stopped halfway) leaves another token or none, and every page is made again.
    The 数据下载 page, written after the folder was signed, is noted apart under the same token (`LatePages`)."""
    try:
        token = (generated_dir / WRITTEN_BY).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return {}
    pages: dict[str, object] = {}
    for entry in (folder_key, _late_entry(folder_key)):
        noted = store.get_json(NAMESPACE, entry)
        if isinstance(noted, dict) and noted.get("token") == token and isinstance(noted.get("pages"), dict):
            pages.update(noted["pages"])
        elif entry == folder_key:
            return {}
    return pages


def _kept(
    place: Place,
    keys: dict[Place, str],
    cached: dict[str, str] | None,
    hashes: dict[str, str],
    done: dict[str, dict[str, str]],
) -> bool:
    """Whether `place`'s pages, written by an earlier build from the same inputs, are kept (noted in `hashes`
    and `done`)."""
    if cached is None:
        return False
    refuse_collisions(hashes, cached)
    hashes.update(cached)
    done[keys[place]] = cached
    return True


def _still_there(there: set[str], cached: object) -> dict[str, str] | None:
    """Pages an earlier build wrote (path → hash), if every one of them is still in the generated folder."""
    if not isinstance(cached, dict) or not all(path in there for path in cached):
        return None
    return cached


def _common_key(settings: str) -> str:
    """What every generated page is made from besides the data: the builder code, the templates, the settings."""
    templates = files_digest(THEME_PAGES, [path for path in THEME_PAGES.rglob("*") if path.is_file()])
    return digest("pages", code_fingerprint(), templates, settings)


def _department_keys(
    places: list[Place],
    loaded: list[ReadDepartment],
    keys: dict[Path, str],
    known: dict[str, tuple[int, str]],
    common: str,
) -> dict[Place, str]:
    """What a department's pages are made from: its data and other years (the history chart),
    the sizes of its downloads, and `common`."""
    by_slug = {
        slug: [keys[item.source.path] for item in sorted(items, key=lambda x: (x.head.year, x.source.slug))]
        for slug, items in _every_year(loaded).items()
    }
    sizes_by_folder: dict[str, list[str]] = {}
    for path, (size, _) in known.items():
        sizes_by_folder.setdefault("/".join(path.split("/", 2)[:2]), []).append(f"{path} {size}")
    result = {}
    for year, slug in places:
        sizes = sorted(sizes_by_folder.get(f"{year}/{slug}", []))
        result[(year, slug)] = digest(common, str(year), slug, *by_slug.get(slug, []), *sizes)
    return result


def _jobs(todo: list[tuple[Place, ...]], every: _Departments) -> list[_Job]:
    """Each group with its departments, every year of them (`_every_year`)."""
    by_key = _every_year(every.loaded)
    order = {id(item): index for index, item in enumerate(every.loaded)}  # a job's departments in this order
    jobs = []
    for places in todo:
        slugs = dict.fromkeys(slug for _, slug in places)
        chosen = {id(item): item for slug in slugs for item in by_key.get(slug, [])}
        jobs.append(_Job(places, sorted(chosen.values(), key=lambda item: order[id(item)])))
    return jobs


def _every_year(loaded: list[ReadDepartment]) -> dict[str, list[ReadDepartment]]:
    """Slug → the departments a page of that slug shows in its history chart: those with the slug, and those whose
    printed name is the slug (`department_history`'s fallback): the pages' keys and the jobs' inputs agree."""
    by_key: dict[str, list[ReadDepartment]] = {}
    for item in loaded:
        by_key.setdefault(item.source.slug, []).append(item)
        if item.head.name != item.source.slug:
            by_key.setdefault(item.head.name, []).append(item)
    return by_key


def _render_job(shared: _Shared, job: _Job) -> list[tuple[Place, dict[str, str]]]:
    """Each department's pages written, with their hashes, department by department (each has its own key)."""
    downloads = shared.sizes
    findings = job.findings if shared.quality else None
    return [
        (place, _write_pages(shared, _department_pages(shared, job, place, downloads, findings)))
        for place in job.places
    ]


def _write_pages(shared: _Shared, pages: list[GeneratedPage]) -> dict[str, str]:
    hashes: dict[str, str] = {}
    for page in pages:
        refuse_collisions(hashes, {page.path: ""})
        data = page.text.encode("utf-8")
        _write_if_changed(shared.generated_dir / page.path, data)
        hashes[page.path] = content_sha256(data)
    return hashes


def refuse_collisions(pages: dict[str, str], more: dict[str, str]) -> None:
    """Two generated pages at one path: the build fails rather than publish one in place of the other."""
    both = sorted(path for path in more if path in pages)
    if both:
        raise BuilderError(f"两个生成的页面要写入同一个文件 {escape_controls(both[0])}，网站没有更新 — 请报告此问题")


def _write_site_level(shared: _Shared, every: _Departments, units: list[Place]) -> dict[Place, dict[str, str]]:
    """The site-level pages of `units` written, made from what they show of every department
    (`shown_of`, `heads.listed`) and nothing else (the year pages get no download sizes), so that
    their keys hold all they are made from.
    """
    written = {}
    if SITE_LEVEL in units:
        shown = shown_of(every)
        findings = every.findings if shared.quality else None  # none at all when the 数据质量 report is not public
        pages = site_pages(shown, with_pdf=shared.with_pdf, downloads={}, only=(), findings=findings)
        if shared.quality:
            quality = quality_pages(shown, findings or [], only=())
            pages += [GeneratedPage(path, text) for path, text in quality.items()]
        written[SITE_LEVEL] = _write_pages(shared, pages)
    if DOWNLOADS in units:
        page = downloads_page(
            shared.staging, listed(every.loaded), link_prefix="../", known=shared.known, with_pdf=shared.with_pdf
        )
        written[DOWNLOADS] = _write_pages(shared, [GeneratedPage(DOWNLOADS_PAGE, page)])
    return written


def shown_of(every: _Departments) -> list[LoadedDepartment]:
    """Every department as the site-level pages see it (`heads.shown_department`): without the texts only its
    own pages show.

    The site-level pages are made from these, and keyed by them (`heads.site_digest`): an edit of a
    department's goals or indicators leaves the year pages as they are; an edit of anything
    else they are made from (a name, a project's 预算数, a lint finding) makes them again.
    """
    with collector_paused():  # thousands of small models, unpickled from the store when not in memory
        return [LoadedDepartment(item.source, item.shown()) for item in every.loaded]


def _department_pages(
    shared: _Shared, job: _Job, place: Place, downloads: dict[str, str], findings: list[Finding] | None
) -> list[GeneratedPage]:
    """One department's pages: its page, its projects' pages, its 数据质量 page (`findings`: None when not public)."""
    only = (place,)
    pages = site_pages(
        job.loaded, with_pdf=shared.with_pdf, downloads=downloads, only=only, site_level=False, findings=findings
    )
    if findings is not None:
        quality = quality_pages(job.loaded, findings, only=only, site_level=False)
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


def walk(generated_dir: Path, roots: list[Path]) -> tuple[set[str], list[str]]:
    """The files in the generated folder (paths from it) and its folders, deepest first, each empty one ending
    in `/` (see `_remove_others`).

    Walked once, with strings and `os.scandir`, not Path objects: it holds a page per project.
    Links to folders are left out (and so left alone), as `os.walk` does. A symlink whose target
    lies outside `roots` (the project) is refused here, before any page is written or read: MkDocs
    would publish what it points to. (The build's check of content/ leaves this folder to this walk.)
    `build()` begins it in a child process before the first step (`b.generated_walk`, builder/pipeline/walks.py):
    nothing else writes there.
    """
    return checked_walk(generated_listing(str(generated_dir)), roots)


def checked_walk(listing: GeneratedListing, roots: list[Path]) -> tuple[set[str], list[str]]:
    """`walk`'s answer from the folder's listing: its symlinks checked (one out of `roots` refused; one to a file
    counted as a file), its folders deepest first."""
    found, folders, links = listing
    files = set(found)
    links_out = []
    for path, name in links:
        link = escaping_link(path, roots)
        if link is not None:
            links_out.append(link)
        if not os.path.isdir(path):
            files.add(name)
    if links_out:
        raise links_out_error(links_out)
    folders.sort(key=lambda folder: folder.count("/"), reverse=True)
    return files, folders


def _remove_others(generated_dir: Path, unwanted: set[str], folders: list[str]) -> None:
    """Delete what earlier builds wrote that this one did not (a department removed, say), then empty folders.

    Only the folders that held a deleted file, or nothing, are tried (deepest first), and the folders above one
    that went: trying all of them (a folder per project) cost a failed `rmdir` each.
    """
    emptied = {os.path.dirname(os.path.join(generated_dir, path)) for path in unwanted}
    for path in unwanted:
        os.unlink(os.path.join(generated_dir, path))
    root = str(generated_dir)
    for folder in folders:  # deepest first
        if folder.endswith("/"):  # empty when walked
            folder = folder[:-1]
        elif folder not in emptied:
            continue
        with contextlib.suppress(OSError):  # not empty
            os.rmdir(folder)
            if os.path.dirname(folder) != root:
                emptied.add(os.path.dirname(folder))
