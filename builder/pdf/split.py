"""Print a large department's PDF in pieces, each laid out in a process of its own, then merge them into one.

WeasyPrint lays a whole document out in memory, and its peak memory grows with the pages: one render of
2 000 projects (3 120 pages) took 7.5 GB (benchmarks/README.md, “大部门”). A department with more than
`part_projects()` projects is therefore printed as pieces: the cover and 目录, 第一部分, and 第二部分 in runs of
`part_projects()` projects. Each piece is a separate WeasyPrint render in a fresh process (its memory is given
back when it ends), numbered from the page where it starts, so the page a reader sees in the footer is the PDF's
own page number. The 目录 is rendered first with placeholder numbers (to know how many pages it takes), then again
with the page each anchor was found on; builder/pdf/merge.py joins the pieces, the bookmarks and the links.
Smaller departments keep the one-render path (builder/pdf/render.py) and its exact bytes.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import sys
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..config import SiteConfig
from ..data.model import Department
from ..errors import BuilderError
from ..pipeline.fingerprint import digest
from .html import ProjectSection, document_html, project_sections

Result = TypeVar("Result")
PART_PROJECTS_VARIABLE = "BUILDER_PDF_PART_PROJECTS"
# About 160 pages: one piece's render stays near 0.5 GB (benchmarks/pdf_memory.py).
PART_PROJECTS = 100
# The anchors of the 目录 before the projects': 第一部分, its three sections, 第二部分.
FIXED_ANCHORS = ("part-one", "overall-goal", "sub-goals", "measures", "part-two")
# The 目录's page count settles in one more round unless a page number's width rewraps a line; a few rounds at most.
MAX_ROUNDS = 4


@dataclass(frozen=True)
class Piece:
    """What one render of a split document prints (read by templates/print/document.html.j2)."""

    front: bool = False
    part_one: bool = False
    part_two_heading: bool = False
    sections: tuple[ProjectSection, ...] = ()
    first_page: int = 1
    pages: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rendered:
    """A piece written to `path`: its page count and the page index (in the piece) of each anchor in it."""

    path: Path
    page_count: int
    anchors: dict[str, int]


def part_projects() -> int:
    """Projects per piece: PART_PROJECTS, or the BUILDER_PDF_PART_PROJECTS environment variable (a positive integer)."""
    value = os.environ.get(PART_PROJECTS_VARIABLE, "").strip()
    if not value:
        return PART_PROJECTS
    if not value.isdecimal() or int(value) < 1:
        raise BuilderError(f"环境变量 {PART_PROJECTS_VARIABLE} 应为正整数（每份 PDF 排版的项目数），收到 {value!r}")
    return int(value)


def is_split(department: Department) -> bool:
    """Whether this department's PDF is printed in pieces (more projects than one piece holds)."""
    return len(department.projects) > part_projects()


def pieces_stamp(department: Department) -> str:
    """What else shapes a PDF printed in pieces (piece size, merging code, pikepdf), for its cache key; "" if whole."""
    if not is_split(department):
        return ""
    import pikepdf

    code = digest(*(Path(__file__).with_name(name).read_bytes() for name in ("split.py", "merge.py")))
    return f"pieces of {part_projects()}, pikepdf {pikepdf.__version__}, {code}"


def body_pieces(sections: list[ProjectSection], size: int) -> list[Piece]:
    """第一部分, then 第二部分 in runs of `size` projects (its heading with the first run), unnumbered yet."""
    runs = [tuple(sections[start : start + size]) for start in range(0, len(sections), size)]
    return [Piece(part_one=True), *(Piece(part_two_heading=index == 0, sections=run) for index, run in enumerate(runs))]


def render_split(department: Department, site_config: SiteConfig | None, data_dir: Path) -> bytes:
    """The department's whole PDF, rendered piece by piece in fresh processes and merged."""
    sections = project_sections(department)
    anchors = [*FIXED_ANCHORS, *(section.form_anchor for section in sections)]
    body = body_pieces(sections, part_projects())
    with tempfile.TemporaryDirectory(prefix="pdf-pieces-") as folder:
        printer = _Printer(department, site_config, data_dir, Path(folder))
        # Placeholder numbers as wide as the real ones will likely be: the 目录's page count rarely changes after.
        placeholder = "8" * len(str(2 * len(sections) + 10))
        front = printer.render("front", Piece(front=True, pages=dict.fromkeys(anchors, placeholder)))
        for _ in range(MAX_ROUNDS):
            parts, found = _render_body(printer, body, front.page_count + 1)
            missing = [anchor for anchor in anchors if anchor not in found]
            if missing:
                raise BuilderError(f"分份排版 PDF 时找不到目录指向的位置：{'、'.join(missing[:5])}")
            settled = front.page_count
            front = printer.render("front", Piece(front=True, pages={anchor: str(found[anchor]) for anchor in anchors}))
            if front.page_count == settled:
                break
        else:
            raise BuilderError(f"分份排版 PDF 时目录的页数没有稳定下来（{MAX_ROUNDS} 轮）")
        continued = [False, *(not piece.part_one and not piece.part_two_heading for piece in body)]
        paths = [front.path, *(part.path for part in parts)]
        return in_fresh_process(_merge, paths, continued, set(anchors))


def _render_body(printer: _Printer, body: list[Piece], first_page: int) -> tuple[list[Rendered], dict[str, int]]:
    """Each body piece numbered on from the one before; the absolute page number (from 1) of every anchor."""
    parts, found = [], {}
    for index, piece in enumerate(body):
        rendered = printer.render(f"body-{index:04d}", dataclasses.replace(piece, first_page=first_page))
        for anchor, page in rendered.anchors.items():
            found.setdefault(anchor, first_page + page)
        parts.append(rendered)
        first_page += rendered.page_count
    return parts, found


@dataclass(frozen=True)
class _Printer:
    """Renders pieces of one department's document into `folder`, each in a fresh process."""

    department: Department
    site_config: SiteConfig | None
    data_dir: Path
    folder: Path

    def render(self, name: str, piece: Piece) -> Rendered:
        html = document_html(self.department, self.site_config, piece)
        path = self.folder / f"{name}.pdf"
        count, anchors = in_fresh_process(_render_piece, html, self.data_dir, path)
        return Rendered(path, count, anchors)


def _render_piece(html: str, data_dir: Path, path: Path) -> tuple[int, dict[str, int]]:
    from .render import quiet_weasyprint_logs, render_to_file

    quiet_weasyprint_logs()
    return render_to_file(html, data_dir, path)


def _merge(paths: list[Path], continued: list[bool], anchors: set[str]) -> bytes:
    from .merge import merge_pieces

    return merge_pieces(paths, continued, anchors)


def in_fresh_process(function: Callable[..., Result], *args: object) -> Result:
    """`function(*args)` in a new worker process, forked from this warmed-up one where the system allows: the
    memory it takes is given back to the system when it ends, whatever Python's allocator keeps."""
    from .render import warm_up

    method = "fork" if sys.platform == "linux" else "spawn"
    if method == "fork":
        warm_up()  # the worker starts with WeasyPrint imported and the stylesheet parsed
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=warm_up) as pool:
        return pool.submit(function, *args).result()
