"""Turn the print HTML of one department into PDF bytes with WeasyPrint.

WeasyPrint is imported where it is used, not with this module: importing it takes most of
a second (its C bindings), which a build without PDFs (`--no-pdf`, a rebuild) never needs.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from ..errors import BuilderError
from .fonts import cjk_font_files
from .html import PRINT_THEME, theme_stamp

STYLESHEET = PRINT_THEME / "print.css"

# Tagged PDF (structure tree for screen readers and reflow). The PDF/UA variant would add
# an XMP packet with a random document id, which breaks byte-for-byte reproducible output.
PDF_OPTIONS = {"pdf_tags": True, "pdf_version": "1.7"}


@cache
def _font_config() -> object:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def _stylesheet() -> object:
    """The print stylesheet, parsed once per process (and again after an edit), reused for every department."""
    return _parsed_stylesheet(theme_stamp())


@cache
def _parsed_stylesheet(stamp: tuple[tuple[str, int, int], ...]) -> object:
    from weasyprint import CSS

    from .fetch import LocalFilesFetcher

    fetcher = LocalFilesFetcher((PRINT_THEME,))
    return CSS(filename=str(STYLESHEET), url_fetcher=fetcher, font_config=_font_config())


def _viewer_preferences(document: object, pdf: object) -> None:
    """Open with the bookmarks sidebar shown and the document title (not the file name) in the title bar."""
    import pydyf

    pdf.catalog["PageMode"] = "/UseOutlines"
    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})


def html_to_pdf(html: str, data_dir: Path | None = None) -> bytes:
    """Lay out and write the PDF; only the print theme (and `data_dir`) may be read."""
    document = lay_out(html, data_dir)
    return document.write_pdf(finisher=_viewer_preferences, **PDF_OPTIONS)


def render_to_file(html: str, data_dir: Path | None, output: Path) -> tuple[int, dict[str, int]]:
    """Write the PDF of `html` to `output`; return its page count and the page index of each anchor (id) in it."""
    document = lay_out(html, data_dir)
    output.write_bytes(document.write_pdf(finisher=_viewer_preferences, **PDF_OPTIONS))
    anchors: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, index)
    return len(document.pages), anchors


def lay_out(html: str, data_dir: Path | None = None) -> object:
    """The laid-out WeasyPrint document (pages of boxes): what is written as PDF, and what builder/pdf/layout_check.py
    measures (where each title, table and indicator row landed)."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from .fetch import LocalFilesFetcher

    cjk_font_files()
    roots = (PRINT_THEME,) if data_dir is None else (PRINT_THEME, data_dir)
    document = HTML(string=html, base_url=PRINT_THEME.as_uri() + "/", url_fetcher=LocalFilesFetcher(roots))
    try:
        return document.render(stylesheets=[_stylesheet()], font_config=_font_config(), **PDF_OPTIONS)
    except FatalURLFetchingError as error:
        url = str(error.__cause__) if error.__cause__ else str(error)
        raise BuilderError(f"PDF 模板要读取 {url}，已拒绝：只允许读取 templates/print/ 和数据文件夹中的文件") from None


def warm_up() -> None:
    """Prepare a worker process: check fonts, parse the stylesheet, load the font configuration."""
    quiet_weasyprint_logs()
    cjk_font_files()
    _stylesheet()


def quiet_weasyprint_logs() -> None:
    """Show WeasyPrint's warnings and errors, not its per-step progress messages."""
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
