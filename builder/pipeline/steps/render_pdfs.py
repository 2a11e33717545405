"""Turn loaded departments into print-grade PDFs in the staging site, on every core, skipping unchanged ones.

Per department: model → print HTML (builder/pdf/html.py) → WeasyPrint in a worker
(builder/pdf/render.py) → `site/<year>/<slug>/…pdf`. Two reuse checks, cheapest first:
- `input_key` (the department's data key, print theme, fonts, code, settings): an earlier
  build's PDF with that key is hard-linked without even making the print HTML;
- `html_key` (the print HTML and the renderer): the PDF is taken from the store (namespace
  `pdf`), so a change to the builder's code that leaves the print HTML as it was renders nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NoReturn

from ...atomic import write_atomic
from ...config import SiteConfig
from ...data.load import LoadedDepartment
from ...errors import BuilderError
from ...pdf import render as pdf_render
from ...pdf.fonts import cjk_font_files, fonts_fingerprint
from ...pdf.html import PRINT_THEME, document_html, theme_files, theme_stamp
from ...pdf.render import html_to_pdf, quiet_weasyprint_logs, warm_up
from ...pdf.split import is_split, part_projects, pieces_stamp, render_split
from ...site import paths
from ..context import Build
from ..fingerprint import code_fingerprint, digest, file_sha256, files_digest
from ..outputs import Outputs
from ..progress import Progress, Stage
from ..store import Store
from ..workers import run_parallel, worker_count

TITLE = "生成 PDF"
NAMESPACE = "pdf"
PDF_MODE = 0o644  # readable by the web server, like any other file of the site


def wanted(b: Build) -> bool:
    return b.with_pdf


def total(b: Build) -> int:
    return len(b.loaded)


def run(b: Build, stage: Stage) -> None:
    made = render_pdfs(b.loaded, b.folders.staging, b.jobs, b.store, b.config, b.outputs, stage, b.data.keys)
    b.report.pdfs = len(made)


def render_pdf(loaded: LoadedDepartment) -> bytes:
    """The PDF of one department, rendered in this process (a large one piece by piece, in fresh processes)."""
    quiet_weasyprint_logs()
    if is_split(loaded.department):
        return render_split(loaded.department, None, loaded.source.path.parent)
    return html_to_pdf(document_html(loaded.department), loaded.source.path.parent)


@dataclass(frozen=True)
class PdfJob:
    """One department to print: its HTML, the key of that HTML, where the PDF goes and the key it is recorded by."""

    loaded: LoadedDepartment
    html: str
    key: str
    output: Path
    recorded_key: str
    site_config: SiteConfig | None = None

    @property
    def name(self) -> str:
        return f"{self.loaded.department.department}（{self.loaded.department.year}）"


def render_pdfs(
    departments: list[LoadedDepartment],
    site_dir: Path,
    jobs: int | None = None,
    store: Store | None = None,
    site_config: SiteConfig | None = None,
    outputs: Outputs | None = None,
    stage: Stage | None = None,
    keys: dict[Path, str] | None = None,
) -> list[Path]:
    """Write every department's PDF at `site_dir / paths.pdf_path(year, slug)`; return the paths in input order.

    Reused when unchanged: linked from an earlier build (`outputs`, found by `input_key` when
    `keys` gives each department's data key) or taken from the `store`; the rest are rendered
    by `jobs` workers (default: one per core), the largest documents first.
    """
    if stage is None:  # a caller with no progress display of its own (tests, benchmarks)
        with Progress.silent().stage(TITLE, total=len(departments)) as silent:
            return render_pdfs(departments, site_dir, jobs, store, site_config, outputs, silent, keys)
    cjk_font_files()  # fail before any work when the fonts are missing
    quiet_weasyprint_logs()
    store = store or Store(None)
    inputs = {id(item): input_key(item, keys, site_config) for item in departments} if keys else {}
    pending = []
    for item in departments:
        if _linked(item, outputs, inputs.get(id(item)), stage):
            continue
        job = _plan(item, site_dir, site_config, inputs.get(id(item)))
        if not _from_store(job, site_dir, store, outputs, stage):
            pending.append(job)
    _render_all(pending, site_dir, store, outputs, jobs, stage)
    return [site_dir / paths.pdf_path(item.department.year, item.source.slug) for item in departments]


def input_key(loaded: LoadedDepartment, keys: dict[Path, str], site_config: SiteConfig | None) -> str:
    """What a PDF is made from, without rendering anything: the department's data key, the print
    theme, the fonts, the builder code (templates' filters, renderer), the settings and SOURCE_DATE_EPOCH."""
    theme = files_digest(PRINT_THEME, theme_files())
    date = os.environ.get("SOURCE_DATE_EPOCH", "")
    pieces = str(part_projects())
    return digest(
        "pdf", code_fingerprint(), theme, fonts_fingerprint(), repr(site_config), date, pieces, keys[loaded.source.path]
    )


def html_key(html: str, pieces: str = "") -> str:
    """What a PDF is made from, given its print HTML (data, templates, filters, SOURCE_DATE_EPOCH all show in
    it): that HTML, the print theme's files (CSS), the renderer's code and options, WeasyPrint and the fonts;
    for a PDF printed in pieces, how (`split.pieces_stamp`)."""
    if pieces:
        return digest("pdf-html", _renderer_fingerprint(theme_stamp()), pieces, html)
    return digest("pdf-html", _renderer_fingerprint(theme_stamp()), html)


@cache
def _renderer_fingerprint(stamp: tuple[tuple[str, int, int], ...]) -> str:
    """Cached by the theme files' names, sizes and times, so the theme is hashed again only when it changed."""
    import weasyprint

    return digest(
        weasyprint.__version__,
        repr(pdf_render.PDF_OPTIONS),
        file_sha256(Path(pdf_render.__file__)),
        files_digest(PRINT_THEME, theme_files()),
        fonts_fingerprint(),
    )


def _relative(loaded: LoadedDepartment) -> str:
    return paths.pdf_path(loaded.department.year, loaded.source.slug)


def _linked(loaded: LoadedDepartment, outputs: Outputs | None, key: str | None, stage: Stage) -> bool:
    """Link the PDF from an earlier build made from the same inputs; False when there is none."""
    if outputs is None or key is None or not outputs.reuse([_relative(loaded)], key):
        return False
    stage.skip(1)
    return True


def _plan(loaded: LoadedDepartment, site_dir: Path, site_config: SiteConfig | None, recorded: str | None) -> PdfJob:
    html = document_html(loaded.department, site_config)
    key = html_key(html, pieces_stamp(loaded.department))
    return PdfJob(loaded, html, key, site_dir / _relative(loaded), recorded or key, site_config)


def _from_store(job: PdfJob, site_dir: Path, store: Store, outputs: Outputs | None, stage: Stage) -> bool:
    """Write the PDF the store holds for this print HTML; False when it must be rendered."""
    cached = store.get_bytes(NAMESPACE, job.key, "pdf")
    if cached is None:
        return False
    write_atomic(job.output, cached, PDF_MODE)
    if outputs is not None:
        outputs.record(_relative(job.loaded), job.recorded_key)
    stage.skip(1)
    return True


@dataclass(frozen=True)
class _Shared:
    jobs: list[PdfJob]
    store: Store


def _render_all(
    pending: list[PdfJob], site_dir: Path, store: Store, outputs: Outputs | None, jobs: int | None, stage: Stage
) -> None:
    """Render in workers (builder/pipeline/workers.py), each writing its PDF and its store entry itself.

    A department too large for one render (builder/pdf/split.py) is printed first, here, piece by piece, each
    piece in a fresh process of its own."""
    for job in (job for job in pending if is_split(job.loaded.department)):
        _render_split(job, store)
        if outputs is not None:
            outputs.record(_relative(job.loaded), job.recorded_key)
        stage.advance(1, item=job.name)
    pending = [job for job in pending if not is_split(job.loaded.department)]
    pending = sorted(pending, key=lambda job: len(job.html), reverse=True)
    if worker_count(jobs, len(pending)) > 1:
        warm_up()  # forked workers start with WeasyPrint imported and the stylesheet parsed
    indexes = list(range(len(pending)))
    for index, _ in run_parallel(_render_one, indexes, jobs, shared=_Shared(pending, store)):
        job = pending[index]
        if outputs is not None:
            outputs.record(_relative(job.loaded), job.recorded_key)
        stage.advance(1, item=job.name)


def _render_one(shared: _Shared, index: int) -> int:
    """Render one PDF into the staging site and the store; only its size goes back through the pipe."""
    job = shared.jobs[index]
    try:
        pdf = html_to_pdf(job.html, job.loaded.source.path.parent)
    except Exception as error:
        _raise_for(job, error)
    write_atomic(job.output, pdf, PDF_MODE)
    shared.store.put_bytes(NAMESPACE, job.key, pdf, "pdf")
    return len(pdf)


def _render_split(job: PdfJob, store: Store) -> None:
    try:
        pdf = render_split(job.loaded.department, job.site_config, job.loaded.source.path.parent)
    except Exception as error:
        _raise_for(job, error)
    write_atomic(job.output, pdf, PDF_MODE)
    store.put_bytes(NAMESPACE, job.key, pdf, "pdf")


def _raise_for(job: PdfJob, error: BaseException) -> NoReturn:
    if isinstance(error, BuilderError):
        raise BuilderError(f"{job.name}：{error}") from error
    error.add_note(f"生成 PDF 时出错的部门：{job.name}（{job.loaded.source.path}）")
    raise error
