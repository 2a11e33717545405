"""Keep rendered PDFs under a hash of everything that shapes them, so an unchanged department is not rendered again."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path

from . import render as pdf_render
from .fonts import fonts_fingerprint
from .html import PRINT_THEME, theme_files, theme_stamp


def cache_key(html: str, pieces: str = "") -> str:
    """A hash of the print HTML (data, templates, filters, SOURCE_DATE_EPOCH all show in it) plus the rest.

    The rest: the print theme's files (CSS), the renderer's code and options, the
    WeasyPrint version and the font files; for a PDF printed in pieces, how (`split.pieces_stamp`).
    """
    digest = hashlib.sha256(_renderer_fingerprint(theme_stamp()).encode())
    digest.update(pieces.encode())
    digest.update(html.encode())
    return digest.hexdigest()


@cache
def _renderer_fingerprint(stamp: tuple[tuple[str, int, int], ...]) -> str:
    import weasyprint

    theme = hashlib.sha256()
    for path in theme_files():
        theme.update(path.relative_to(PRINT_THEME).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    parts = {
        "weasyprint": weasyprint.__version__,
        "options": pdf_render.PDF_OPTIONS,
        "renderer": hashlib.sha256(Path(pdf_render.__file__).read_bytes()).hexdigest(),
        "theme": theme.hexdigest(),
        "fonts": fonts_fingerprint(),
    }
    return json.dumps(parts, sort_keys=True)


class PdfCache:
    """A folder of `<year>-<slug>-<key>.pdf` files; one entry per department is kept."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def get(self, year: int, slug: str, key: str) -> bytes | None:
        path = self._path(year, slug, key)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def put(self, year: int, slug: str, key: str, pdf: bytes) -> None:
        """Store the PDF and drop the department's older entries."""
        path = self._path(year, slug, key)
        write_atomic(path, pdf)
        for old in self.directory.glob(f"{year}-{slug}-*.pdf"):
            if old != path and len(old.stem) == len(path.stem):
                old.unlink(missing_ok=True)

    def _path(self, year: int, slug: str, key: str) -> Path:
        return self.directory / f"{year}-{slug}-{key}.pdf"


def write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file and rename, so no reader ever sees half a PDF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as file:
        file.write(data)
    os.chmod(file.name, 0o644)  # readable by the web server, like any other file of the site
    os.replace(file.name, path)
