"""Turn loaded departments into print-grade PDFs in `site/`, in parallel, skipping unchanged ones.

The pipeline per department: model → print HTML (`pdf_html`) → cache lookup by content
hash (`pdf_cache`) → WeasyPrint in a worker process (`pdf_render`) → `site/<year>/<slug>/…pdf`.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from ...config import SiteConfig
from ...data.load import LoadedDepartment
from ...errors import BuilderError
from ...pdf.cache import PdfCache, cache_key, write_atomic
from ...pdf.fonts import cjk_font_files, fonts_fingerprint
from ...pdf.html import PRINT_THEME, document_html, theme_files
from ...pdf.render import html_to_pdf, quiet_weasyprint_logs, warm_up
from ...pdf.split import is_split, part_projects, pieces_stamp, render_split
from ...site import paths
from ..fingerprint import code_fingerprint, digest, files_digest
from ..outputs import Outputs
from ..progress import Progress, Stage
from ..workers import worker_count


def render_pdf(loaded: LoadedDepartment) -> bytes:
    """The PDF of one department, rendered in this process (a large one piece by piece, in fresh processes)."""
    quiet_weasyprint_logs()
    if is_split(loaded.department):
        return render_split(loaded.department, None, loaded.source.path.parent)
    return html_to_pdf(document_html(loaded.department), loaded.source.path.parent)


@dataclass(frozen=True)
class PdfJob:
    """One department to print: its HTML, cache key and where the PDF goes."""

    loaded: LoadedDepartment
    html: str
    key: str
    output: Path
    site_config: SiteConfig | None = None

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
    outputs: Outputs | None = None,
    stage: Stage | None = None,
    keys: dict[Path, str] | None = None,
) -> list[Path]:
    """Write every department's PDF at `site_dir / paths.pdf_path(year, slug)`; return the paths in input order.

    `jobs` worker processes render in parallel (default: one per CPU core). A department
    whose print HTML, theme, fonts and renderer are unchanged is not rendered: its PDF is
    linked from an earlier build (`outputs`) or copied from the cache (`cache_dir`).
    Progress goes to `stage`, or to a bar of its own on a terminal when `progress` is true.
    With `keys` (each department's data key), an earlier build's PDF is found without even
    making the print HTML: see `input_key`.
    """
    cjk_font_files()  # fail before any work when the fonts are missing
    quiet_weasyprint_logs()
    pdf_cache = PdfCache(cache_dir) if cache_dir is not None else None
    outputs_paths = [site_dir / paths.pdf_path(x.department.year, x.source.slug) for x in loaded_departments]
    with _stage(stage, progress, len(loaded_departments)) as display:
        inputs = {id(x): input_key(x, keys, site_config) for x in loaded_departments} if keys else {}
        left = [x for x in loaded_departments if not _reuse_earlier(x, site_dir, outputs, inputs, display)]
        work = [_plan(loaded, site_dir, site_config) for loaded in left]
        pending = [job for job in work if not _reuse(job, site_dir, outputs, pdf_cache, display, inputs)]
        for job, pdf in _render_all(pending, worker_count(jobs, len(pending))):
            write_atomic(job.output, pdf)
            if pdf_cache is not None:
                pdf_cache.put(job.loaded.department.year, job.loaded.source.slug, job.key, pdf)
            if outputs is not None:
                outputs.record(_relative(job, site_dir), inputs.get(id(job.loaded), job.key))
            display.advance(1, item=job.name)
    return outputs_paths


def input_key(loaded: LoadedDepartment, keys: dict[Path, str], site_config: SiteConfig | None) -> str:
    """What a PDF is made from, without rendering anything: the department's data key, the print
    theme, the fonts, the builder code (templates' filters, renderer), the settings and SOURCE_DATE_EPOCH."""
    theme = files_digest(PRINT_THEME, theme_files())
    date = os.environ.get("SOURCE_DATE_EPOCH", "")
    pieces = str(part_projects())
    return digest(
        "pdf", code_fingerprint(), theme, fonts_fingerprint(), repr(site_config), date, pieces, keys[loaded.source.path]
    )


def _reuse_earlier(
    loaded: LoadedDepartment, site_dir: Path, outputs: Outputs | None, inputs: dict[int, str], display: Stage
) -> bool:
    if outputs is None or id(loaded) not in inputs:
        return False
    path = paths.pdf_path(loaded.department.year, loaded.source.slug)
    if not outputs.reuse([path], inputs[id(loaded)]):
        return False
    display.skip(1)
    return True


def _stage(stage: Stage | None, progress: bool, total: int) -> AbstractContextManager[Stage]:
    if stage is not None:
        return nullcontext(stage)
    shown = Progress.for_stream(sys.stderr) if progress else Progress.silent()
    return shown.stage("生成 PDF", total=total)


def _relative(job: PdfJob, site_dir: Path) -> str:
    return job.output.relative_to(site_dir).as_posix()


def _reuse(
    job: PdfJob,
    site_dir: Path,
    outputs: Outputs | None,
    pdf_cache: PdfCache | None,
    display: Stage,
    inputs: dict[int, str],
) -> bool:
    """Link the PDF from an earlier build, or copy it from the cache; False when it must be rendered."""
    if outputs is not None and outputs.reuse([_relative(job, site_dir)], job.key):
        display.skip(1)
        return True
    cached = pdf_cache.get(job.loaded.department.year, job.loaded.source.slug, job.key) if pdf_cache else None
    if cached is None:
        return False
    write_atomic(job.output, cached)
    if outputs is not None:
        outputs.record(_relative(job, site_dir), inputs.get(id(job.loaded), job.key))
    display.skip(1)
    return True


def _plan(loaded: LoadedDepartment, site_dir: Path, site_config: SiteConfig | None = None) -> PdfJob:
    html = document_html(loaded.department, site_config)
    output = site_dir / paths.pdf_path(loaded.department.year, loaded.source.slug)
    return PdfJob(loaded, html, cache_key(html, pieces_stamp(loaded.department)), output, site_config)


def _render_all(pending: list[PdfJob], workers: int) -> Iterator[tuple[PdfJob, bytes]]:
    """Yield (job, pdf bytes) as each finishes; the largest documents start first.

    A department too large for one render (builder/pdf/split.py) is printed here, piece by piece, each piece
    in a fresh process of its own; the others go to the pool of workers."""
    for job in (job for job in pending if is_split(job.loaded.department)):
        try:
            pdf = render_split(job.loaded.department, job.site_config, job.loaded.source.path.parent)
        except Exception as error:
            _raise_for(job, error)
        yield job, pdf
    pending = [job for job in pending if not is_split(job.loaded.department)]
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
