"""Turn loaded departments into print-grade PDFs in `site/`, in parallel, skipping unchanged ones.

The pipeline per department: model → print HTML (`pdf_html`) → cache lookup by content
hash (`pdf_cache`) → WeasyPrint in a worker process (`pdf_render`) → `site/<year>/<slug>/…pdf`.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TextIO

from . import paths
from .config import SiteConfig
from .errors import BuilderError
from .load import LoadedDepartment
from .pdf_cache import PdfCache, cache_key, write_atomic
from .pdf_fonts import cjk_font_files
from .pdf_html import document_html
from .pdf_render import html_to_pdf, quiet_weasyprint_logs, warm_up


def render_pdf(loaded: LoadedDepartment) -> bytes:
    """The PDF of one department, rendered in this process."""
    quiet_weasyprint_logs()
    return html_to_pdf(document_html(loaded.department), loaded.source.path.parent)


@dataclass(frozen=True)
class PdfJob:
    """One department to print: its HTML, cache key and where the PDF goes."""

    loaded: LoadedDepartment
    html: str
    key: str
    output: Path

    @property
    def name(self) -> str:
        return f"{self.loaded.department.department}（{self.loaded.department.year}）"


def render_pdfs(
    loaded_departments: list[LoadedDepartment],
    site_dir: Path,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    progress: bool = True,
    site_config: SiteConfig | None = None,
) -> list[Path]:
    """Write every department's PDF at `site_dir / paths.pdf_path(year, slug)`; return the paths in input order.

    `jobs` worker processes render in parallel (default: one per CPU core). With a
    `cache_dir`, a department whose print HTML, theme, fonts and renderer are unchanged
    is copied from the cache instead of rendered.
    """
    cjk_font_files()  # fail before any work when the fonts are missing
    quiet_weasyprint_logs()
    pdf_cache = PdfCache(cache_dir) if cache_dir is not None else None
    work = [_plan(loaded, site_dir, site_config) for loaded in loaded_departments]
    display = Progress(len(work), enabled=progress)
    pending = []
    for job in work:
        cached = pdf_cache.get(job.loaded.department.year, job.loaded.source.slug, job.key) if pdf_cache else None
        if cached is None:
            pending.append(job)
        else:
            write_atomic(job.output, cached)
            display.done(job, cached=True)
    for job, pdf in _render_all(pending, _worker_count(jobs, len(pending))):
        write_atomic(job.output, pdf)
        if pdf_cache is not None:
            pdf_cache.put(job.loaded.department.year, job.loaded.source.slug, job.key, pdf)
        display.done(job, cached=False)
    display.finish()
    return [job.output for job in work]


def _plan(loaded: LoadedDepartment, site_dir: Path, site_config: SiteConfig | None = None) -> PdfJob:
    html = document_html(loaded.department, site_config)
    output = site_dir / paths.pdf_path(loaded.department.year, loaded.source.slug)
    return PdfJob(loaded, html, cache_key(html), output)


def _worker_count(jobs: int | None, pending: int) -> int:
    if jobs is not None and jobs < 1:
        raise BuilderError(f"--jobs 应为正整数，收到 {jobs}")
    available = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(jobs or available, pending))


def _render_all(pending: list[PdfJob], workers: int) -> Iterator[tuple[PdfJob, bytes]]:
    """Yield (job, pdf bytes) as each finishes; the largest documents start first."""
    ordered = sorted(pending, key=lambda job: len(job.html), reverse=True)
    if workers <= 1:
        for job in ordered:
            try:
                pdf = _render_job(job.html, job.loaded.source.path.parent)
            except Exception as error:
                _raise_for(job, error)
            yield job, pdf
        return
    # Fork workers from a warmed-up parent: they start with WeasyPrint imported and the stylesheet
    # parsed (read-only state; FreeType memory-maps font files). macOS cannot fork safely.
    start_method = "fork" if sys.platform == "linux" else "spawn"
    if start_method == "fork":
        warm_up()
    context = multiprocessing.get_context(start_method)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=warm_up) as pool:
        futures = {pool.submit(_render_job, job.html, job.loaded.source.path.parent): job for job in ordered}
        yield from _as_completed(futures, pool)


def _as_completed(futures: dict[Future[bytes], PdfJob], pool: ProcessPoolExecutor) -> Iterator[tuple[PdfJob, bytes]]:
    """Each PDF as soon as its worker is done; on the first failure, cancel the rest and raise."""
    remaining = set(futures)
    while remaining:
        finished, remaining = wait(remaining, return_when=FIRST_COMPLETED)
        for future in finished:
            job = futures[future]
            error = future.exception()
            if error is not None:
                pool.shutdown(cancel_futures=True)
                _raise_for(job, error)
            yield job, future.result()


def _render_job(html: str, data_dir: Path) -> bytes:
    return html_to_pdf(html, data_dir)


def _raise_for(job: PdfJob, error: BaseException) -> NoReturn:
    if isinstance(error, BuilderError):
        raise BuilderError(f"{job.name}：{error}") from error
    error.add_note(f"生成 PDF 时出错的部门：{job.name}（{job.loaded.source.path}）")
    raise error


class Progress:
    """`PDF 3/10 …` on one rewritten line, when the output is a terminal."""

    def __init__(self, total: int, enabled: bool, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled and total > 0 and self.stream.isatty()
        self.total = total
        self.count = self.cached = 0
        self.started = time.monotonic()

    def done(self, job: PdfJob, cached: bool) -> None:
        self.count += 1
        self.cached += cached
        if self.enabled:
            note = "（未改动，沿用）" if cached else ""
            self.stream.write(f"\r\033[K生成 PDF {self.count}/{self.total}  {job.name}{note}")
            self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            seconds = time.monotonic() - self.started
            self.stream.write(
                f"\r\033[K生成 PDF {self.total} 个（其中 {self.cached} 个未改动），用时 {seconds:.1f} 秒\n"
            )
            self.stream.flush()
