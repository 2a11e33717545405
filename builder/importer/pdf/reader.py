"""Turn a text-layer PDF 部门预算绩效文本 into the blocks the structure reader takes, then into a data-format dict.

Each page is read by `pdf_layout` into body lines and table cells (from ruling lines and
character positions), in bounded worker processes (`pdf_bounded`). Then, across pages:
- running headers, footers and page numbers go: lines in the margins, above or below all other
  text, that repeat on other pages at the same height (numbers blanked), or that are a page number;
- body lines become paragraphs again (a line continues the one before if its first word
  would not have fitted there; CJK line breaks carry no space);
- a table that goes on at the top of the next page is joined to its first part (`pdf_tables`): its
  repeated header rows dropped, and a row (or a merged label) cut by the page break put back together;
- cells are placed on the table's grid as the .docx importer places them: a vertically
  merged cell prints in its first row, and as an empty cell in the rows it spans below.
The blocks then go through the same structure reader as a .docx.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from ...data.titles import CONTENTS_ONLY_NOTE, SOURCE_NOTE, TITLE_NOTE
from ...errors import ImportFailed
from ..common import clean_cell, furniture_key, is_page_number
from ..structure.blocks import Block, ImportWarning, is_part_heading
from ..structure.document import parse_blocks
from ..structure.labels import BROKEN_PAGE, TOC_HEADING
from . import bounded as pdf_bounded
from .page_layout import Line, Page, TablePart, paragraph_text, paragraphs
from .ruled_tables import JoinedTable, PlacedCell, place_cells, same_frame

FAMILY = "PDF 文档"
FURNITURE_BAND = 0.12  # running headers and footers sit in the top or bottom eighth of a page
FURNITURE_LINES = 3  # at most this many of them at each end of a page
# In a table of contents, an entry is a title and its page number (a tab printed as a gap, or no gap at all).
TOC_ENTRY = re.compile(rf"^(?:.*?\S)?\s*(?:\d+|{BROKEN_PAGE})$")
# This project's own PDF prints these beside a title (builder/data/titles.py); they are not the document's text.
OWN_NOTES = re.compile(rf"^注：{re.escape(TITLE_NOTE)}|（{re.escape(CONTENTS_ONLY_NOTE)}）$")
CONTENTS_ONLY = re.compile(rf"\s*（{re.escape(CONTENTS_ONLY_NOTE)}）$")
# Under this project's own 目录: what the PDF is and the department's source (a web page's, not the document's).
OWN_SOURCE_NOTE = re.compile(rf"^注：{re.escape(SOURCE_NOTE)}")
SCANNED = (
    "此 PDF 是扫描图像，没有文字层（{pages}），无法读取其中的文字——"
    "请找到原 Word 文件（.docx / .doc / .wps），或向发布单位索取可复制文字的 PDF；本工具不做文字识别（OCR）"
)


def parse_pdf(
    path: Path, *, region: str | None = None, department: str | None = None, source: str | None = None
) -> tuple[dict[str, Any], list[ImportWarning]]:
    """Read a PDF; return the department as a plain dict (model key order) and the warnings."""
    blocks = read_pdf_blocks(path)
    return parse_blocks(blocks, family=FAMILY, region=region, department=department, source=source)


def read_pdf_blocks(path: Path) -> list[Block]:
    pages = read_pages(path)
    drop_furniture(pages)
    return Assembler(pages).blocks()


# ── opening, bounded ──────────────────────────────────────────────────────────────


def read_pages(path: Path) -> list[Page]:
    """Every page's lines and tables (read in bounded workers); a scan is refused."""
    pages = pdf_bounded.read_pages(path)
    _refuse_scans(pages)
    return pages


def _refuse_scans(pages: list[Page]) -> None:
    """No characters on any page: a scan. Pages with pictures but no characters in a text PDF: the same."""
    imaged = [page.number for page in pages if page.chars == 0 and page.images]
    if not any(page.chars for page in pages):
        raise ImportFailed(SCANNED.format(pages=f"共 {len(pages)} 页"))
    if imaged:
        listed = "、".join(str(number) for number in imaged[:10]) + ("等" if len(imaged) > 10 else "")
        raise ImportFailed(SCANNED.format(pages=f"第 {listed} 页").replace("此 PDF 是", "此 PDF 有几页是"))


# ── running headers, footers and page numbers ─────────────────────────────────────


def _ends(page: Page) -> tuple[list[Line], list[Line]]:
    """Body lines above the first table at the top of a page, and below the last at its bottom, in the bands."""
    first_table = min((part.top for part in page.tables), default=page.height)
    last_table = max((part.bottom for part in page.tables), default=0.0)
    top = [line for line in page.lines if _middle(line) <= first_table and line.top < FURNITURE_BAND * page.height]
    bottom = [
        line for line in page.lines if _middle(line) >= last_table and line.bottom > (1 - FURNITURE_BAND) * page.height
    ]
    return top[:FURNITURE_LINES], bottom[-FURNITURE_LINES:]


def drop_furniture(pages: list[Page]) -> None:
    """Remove running headers, footers and page numbers: recognised by place and repetition, not by wording.

    A line goes if it is a page number, or if it (or one of its pieces apart, as a header printed left and
    right) comes back at the same height on other pages, its numbers aside."""
    seen: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    for page in pages:
        for band, lines in zip(("top", "bottom"), _ends(page), strict=True):
            for line in lines:
                for key in _keys(line):
                    seen[band, key].append((page.number, line.top))
    needed = max(2, round(0.25 * len(pages)))

    def repeated(band: str, key: str, top: float) -> bool:
        places = [(number, at) for number, at in seen[band, key] if abs(at - top) <= 4]
        return len({number for number, _ in places}) >= needed

    def furniture(band: str, line: Line) -> bool:
        return is_page_number(line.text) or any(repeated(band, key, line.top) for key in _keys(line))

    marked = {
        id(line)
        for page in pages
        for band, lines in zip(("top", "bottom"), _ends(page), strict=True)
        for line in lines
        if furniture(band, line)
    }
    _mark_header_slots(pages, marked, needed)
    # Running headers and footers sit in the margins, outside the area any other text reaches on any page:
    # a unit line printed at the same place above every table is body text, not a header.
    extent: dict[tuple[int, int], tuple[float, float]] = {}
    for page in pages:  # per paper size: a landscape section has its own margins
        size = (round(page.width), round(page.height))
        body = [(line.top, line.bottom) for line in page.lines if id(line) not in marked]
        body += [(part.top, part.bottom) for part in page.tables]
        top, bottom = extent.get(size, (float("inf"), float("-inf")))
        extent[size] = (min([top, *(edge for edge, _ in body)]), max([bottom, *(edge for _, edge in body)]))
    for page in pages:
        top, bottom = extent[round(page.width), round(page.height)]
        page.lines = [line for line in page.lines if id(line) not in marked or top < _middle(line) < bottom]


def _mark_header_slots(pages: list[Page], marked: set[int], needed: int) -> None:
    """The place a running header or footer is printed is furniture whatever it says there that page (a header
    naming the table that goes on, `……绩效目标表（续）`), and so is anything further out in the margin (the
    first line of a header wrapped in two)."""
    slots: dict[str, dict[int, set[int]]] = {"top": defaultdict(set), "bottom": defaultdict(set)}
    for page in pages:
        for band, lines in zip(("top", "bottom"), _ends(page), strict=True):
            for line in lines:
                if id(line) in marked and not is_page_number(line.text):
                    slots[band][round(line.top)].add(page.number)
    for page in pages:
        for band, lines in zip(("top", "bottom"), _ends(page), strict=True):
            used = [top for top, numbers in slots[band].items() if len(numbers) >= needed]
            inner = [line for line in lines if any(abs(line.top - top) <= 2 for top in used)]
            if not inner:
                continue
            edge = min(line.top for line in inner) if band == "top" else max(line.top for line in inner)
            for line in lines:
                if (band == "top" and line.top <= edge) or (band == "bottom" and line.top >= edge):
                    marked.add(id(line))


def _middle(line: Line) -> float:
    return (line.top + line.bottom) / 2


def _keys(line: Line) -> set[str]:
    return {furniture_key(line.text), *(furniture_key(piece) for piece in line.pieces)} - {""}


class Assembler:
    """Pages in reading order → blocks: paragraphs re-flowed, tables joined across pages and put on a grid."""

    def __init__(self, pages: list[Page]) -> None:
        self.pages = pages
        lines = [line for page in pages for line in page.lines]
        self.left = min((line.x0 for line in lines), default=0.0)
        usual_width = Counter(page.width for page in pages).most_common(1)[0][0] if pages else 0.0
        self.right = _usual_right(lines, usual_width)
        self._set_columns(pages)
        self.size = statistics.median(line.size for line in lines) if lines else 10.0
        self.gap = self._paragraph_gap()
        self.first_lines = self._indents_first_lines(paragraphs(lines, self.left, self.right, self.gap))
        self.body_bottoms = _body_bottoms(pages)
        self.result: list[Block] = []
        self.tables = 0

    def _set_columns(self, pages: list[Page]) -> None:
        """Pages of another size or orientation (a landscape section for wide tables) have their own margins."""
        sizes = {(round(page.width), round(page.height)) for page in pages}
        if len(sizes) < 2:
            return
        for size in sizes:
            group = [page for page in pages if (round(page.width), round(page.height)) == size]
            lines = [line for page in group for line in page.lines]
            if lines:
                column = (min(line.x0 for line in lines), _usual_right(lines, group[0].width))
                for line in lines:
                    line.column = column

    def _paragraph_gap(self) -> float:
        """A gap between lines wider than the usual one (plus half a line) starts a new paragraph."""
        gaps = [
            following.top - line.bottom
            for page in self.pages
            for line, following in zip(page.lines, page.lines[1:], strict=False)
            if abs(line.size - following.size) < 0.5 and following.top > line.bottom - 1
        ]
        counts = Counter(round(gap * 2) / 2 for gap in gaps)
        repeated = [gap for gap, count in counts.items() if count >= max(3, len(gaps) // 20)]
        usual = min(repeated) if repeated else min(gaps) if gaps else 0.3 * self.size  # the line spacing
        return max(usual, 0.0) + 0.5 * self.size

    def blocks(self) -> list[Block]:
        pending: list[tuple[int, Line]] = []
        table: JoinedTable | None = None
        for page in self.pages:
            items: list[tuple[float, Any]] = [(line.top, line) for line in page.lines]
            items += [(part.top, part) for part in page.tables]
            for _, item in sorted(items, key=lambda pair: pair[0]):
                if isinstance(item, TablePart):
                    if (
                        table
                        and not pending
                        and item.page == table.parts[-1].page + 1
                        and same_frame(table.parts[-1], item)
                    ):
                        table.parts.append(item)
                        continue
                    self._flush(pending, table)
                    pending, table = [], JoinedTable([item])
                else:
                    if table is not None:
                        self._flush([], table)
                        table = None
                    pending.append((page.number, item))
        self._flush(pending, table)
        return self._mark_toc(self.result)

    def _flush(self, pending: list[tuple[int, Line]], table: JoinedTable | None) -> None:
        if table is not None:
            self._emit_table(table)
        if pending:
            self._emit_paragraphs(pending)

    # ── paragraphs ──

    def _emit_paragraphs(self, lines: list[tuple[int, Line]]) -> None:
        for paragraph in self._paragraphs([line for _, line in lines]):
            text = paragraph_text(paragraph, self.right)
            if (OWN_NOTES.search(text) and not CONTENTS_ONLY.search(text)) or OWN_SOURCE_NOTE.search(text):
                continue  # what this project's own PDF adds beside a title or under its 目录: not the document's
            if clean_cell(text):
                self._add(text, False, f"第 {paragraph[0].page} 页")

    def _paragraphs(self, lines: list[Line]) -> list[list[Line]]:
        """Paragraphs by the fit of each line's first word; then a first-line indent inside a run of full lines
        starts a paragraph too (where the document indents first lines, even after an indented full line)."""
        groups = paragraphs(lines, self.left, self.right, self.gap)
        entries = _toc_entry_ends(lines)
        result: list[list[Line]] = []
        for group in groups:
            start = 0
            for index in range(1, len(group)):
                indent = self._indented(group[index]) and (self.first_lines or not self._indented(group[index - 1]))
                if indent or id(group[index - 1]) in entries or OWN_NOTES.search(group[index - 1].text):
                    result.append(group[start:index])
                    start = index
            result.append(group[start:])
        return result

    def _indents_first_lines(self, groups: list[list[Line]]) -> bool:
        """Whether the body is set with first-line indents: after an indented line, the paragraph mostly goes
        on at the left margin (not at the same indent, as a hanging or block-indented list does)."""
        back, level = 0, 0
        for group in groups:
            for line, following in itertools.pairwise(group):
                if self._indented(line):
                    back += not self._indented(following)
                    level += self._indented(following) and abs(following.x0 - line.x0) < 0.5 * line.size
        return back >= 2 and back >= 2 * level

    def _indented(self, line: Line) -> bool:
        left, right = line.column or (self.left, self.right)
        middle = (left + right) / 2
        centred = abs((line.x0 + line.x1) / 2 - middle) < 0.5 * line.size and line.x1 < right - line.size
        return line.x0 >= left + 1.5 * line.size and not centred

    # ── tables ──

    def _emit_table(self, table: JoinedTable) -> None:
        self.tables += 1
        place_cells(table, self.body_bottoms, 2 * self.size)
        starts: dict[int, list[PlacedCell]] = defaultdict(list)
        for placed in table.cells:
            starts[placed.row].append(placed)
        open_cells: list[PlacedCell] = []
        for row in range(table.row_count):
            entries = [(placed, placed.text) for placed in starts.get(row, [])]
            entries += [(placed, "") for placed in open_cells if placed.row < row < placed.row + placed.rows]
            for placed, text in sorted(entries, key=lambda entry: entry[0].column):
                where = f"第 {placed.page} 页第 {self.tables} 张表第 {row + 1} 行第 {placed.column + 1} 格"
                self._add(text, True, where, table=self.tables, row=row + 1, column=placed.column, span=placed.columns)
            open_cells = [placed for placed in open_cells + starts.get(row, []) if placed.row + placed.rows > row + 1]

    def _add(self, raw: str, is_cell: bool, place: str, **grid: Any) -> None:
        self.result.append(Block(len(self.result) + 1, raw, is_cell, place=place, **grid))

    @staticmethod
    def _mark_toc(blocks: list[Block]) -> list[Block]:
        """Entries after a `目录` heading (`标题<tab>页码`, or a stale `错误！未定义书签。`) are the TOC; an entry
        whose title wrapped before its leader and page number is put back on one line."""
        result: list[Block] = []
        in_toc = False
        for index, block in enumerate(blocks):
            text = block.text
            following = blocks[index + 1] if index + 1 < len(blocks) else None
            if block.is_cell:
                in_toc = False
            elif TOC_HEADING.match(text):
                in_toc = True
            elif CONTENTS_ONLY.search(text):
                if not in_toc:
                    continue  # this project's PDF: the place of a table the original lists but lacks
                block.raw, block.toc = CONTENTS_ONLY.sub("", block.raw), True
            elif in_toc and TOC_ENTRY.match(text):
                block.toc = True
            elif in_toc and following and not following.is_cell and TOC_ENTRY.match(following.text):
                if not is_part_heading(text):  # `第二部分 …` printed without a page is an entry of its own
                    following.raw = block.raw + following.raw  # the first line of a wrapped entry
                    continue
                block.toc = True
            else:
                in_toc = False
            result.append(block)
        return result


def _body_bottoms(pages: list[Page]) -> dict[int, float]:
    """Per page, the lowest point text or a table reaches on any page of its size (where a full page ends)."""
    lowest: dict[tuple[int, int], float] = defaultdict(float)
    for page in pages:
        size = (round(page.width), round(page.height))
        bottoms = [line.bottom for line in page.lines] + [part.bottom for part in page.tables]
        lowest[size] = max([lowest[size], *bottoms])
    return {page.number: lowest[round(page.width), round(page.height)] for page in pages}


def _toc_entry_ends(lines: list[Line]) -> set[int]:
    """After a `目录` heading, every line ending in a page number ends an entry (a title may wrap onto two lines;
    the contents end at the first two lines in a row without a number)."""
    ends: set[int] = set()
    in_toc, misses = False, 0
    for line in lines:
        text = clean_cell(line.text)
        if TOC_HEADING.match(text):
            in_toc, misses = True, 0
        elif in_toc and TOC_ENTRY.match(text):
            ends.add(id(line))
            misses = 0
        elif in_toc:
            misses += 1
            in_toc = misses < 2
    return ends


def _usual_right(lines: list[Line], width: float) -> float:
    """The right edge of the text column: where most long lines end (a stray wider line must not move it);
    with too few full lines to tell, at least as far from the paper's edge as the left margin is."""
    if not lines:
        return 0.0
    widest = max(line.x1 for line in lines)
    ends = Counter(round(line.x1) for line in lines if line.x1 > widest - 4 * line.size)
    common = max(ends.values())
    right = float(max(end for end, count in ends.items() if count >= max(2, common // 3))) if common > 1 else widest
    if sum(abs(line.x1 - right) <= 1.5 for line in lines) < 4:
        right = max(right, width - min(line.x0 for line in lines))
    return right
