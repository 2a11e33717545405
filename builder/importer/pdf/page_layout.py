"""Lines, paragraphs and table cells of a text-layer PDF, from its characters and ruling lines (pdfplumber).

Nothing here knows what a 部门预算绩效文本 is: it turns each page into body lines and
tables of cells on a grid, the same shape a .docx gives, for `pdf.py` to join across pages.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# CJK ideographs and punctuation: a line break between two of them carries no space.
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2018-\u201d\u2026\u2014]")
# Characters that may not start a line (Chinese line-breaking rules): they travel with the one before.
_NO_LINE_START = set("，。、；：？！）》」』】〕”’…—·%％,.;:?!)]}/-")
_NO_LINE_END = set("（《「『【〔“‘([{/-")
_QUOTES = set("“”‘’\"'")
_IDEOGRAPH = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_PARAGRAPH_END = tuple("。！？!?")
_LIST_MARK = re.compile(
    r"^\s*(?:[（(]\s*[一二三四五六七八九十\d]+\s*[）)]|\d+\s*[.．、]|[一二三四五六七八九十]+\s*、|目标\s*\d+\s*[:：])"
)
_TOC_ENTRY_END = re.compile(r"(?:\.{3,}|…{2,}|·{3,})\s*\d+\s*$")
PIECE_GAP = 1.0  # a gap wider than this many ems parts a line into pieces (left and right running headers)
FIT_MARGIN = 0.15  # ems
SPACE_GAP = 0.3  # a gap wider than this many ems between two characters is a space the PDF did not draw
EDGE = 2.0  # points from the paper's edge
CELL_PADDING = (1.0, 10.0)  # what a cell's inner margin can be, in points


@dataclass
class Line:
    """One printed line: its text (characters in x order) and where it sits on its page."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int = 0
    first_unit: float = 0.0  # width of the first word (or CJK character) a wrap could have moved here
    end: float = 0.0  # where the line ends, a trailing space included (a word moved down needs it)
    pieces: list[str] = field(default_factory=list)  # the text between wide gaps (a header's left and right)
    column: tuple[float, float] | None = None  # the text column of its page (left, right), where pages differ

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass
class Cell:
    """A table cell on its page: its box and the lines inside; grid places are set by `layout_grid`."""

    x0: float
    top: float
    x1: float
    bottom: float
    lines: list[Line] = field(default_factory=list)
    row: int = 0
    rows: int = 1
    column: int = 0
    columns: int = 1
    padding: float = 5.0
    text: str = ""

    def reflow(self) -> None:
        self.text = reflow(self.lines, self.x0 + self.padding, self.x1 - self.padding)


@dataclass
class TablePart:
    """The piece of a table printed on one page."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    cells: list[Cell]
    row_count: int
    column_edges: list[float]


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]  # body lines outside the tables, top to bottom
    tables: list[TablePart]
    chars: int
    images: int


# ── characters → lines ────────────────────────────────────────────────────────────


def _upright(chars: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [char for char in chars if char.get("upright", True) and char["text"] and char["x1"] > char["x0"]]


def make_lines(chars: list[dict[str, Any]], page: int = 0) -> list[Line]:
    """Characters grouped into lines (a character belongs to the line its vertical middle falls in)."""
    lines: list[list[dict[str, Any]]] = []
    for char in sorted(chars, key=lambda char: (char["top"], char["x0"])):
        middle = (char["top"] + char["bottom"]) / 2
        current = lines[-1] if lines else None
        if current and current[0]["top"] - 0.5 <= middle <= max(item["bottom"] for item in current[:3]) + 0.5:
            current.append(char)
        else:
            lines.append([char])
    found = [line for line in (_line(group) for group in lines) if line.text.strip()]
    for line in found:
        line.page = page
    return found


def _line(chars: list[dict[str, Any]]) -> Line:
    chars = sorted(chars, key=lambda char: char["x0"])
    size = statistics.median(char["size"] for char in chars) or 10.0
    pieces: list[str] = []
    apart: list[str] = [""]
    previous: dict[str, Any] | None = None
    for char in chars:
        if previous is not None:
            if char["text"] == previous["text"] and abs(char["x0"] - previous["x0"]) < 0.3 * size:
                continue  # the same glyph printed twice (fake bold)
            gap = char["x0"] - previous["x1"]
            if gap > SPACE_GAP * size and not char["text"].isspace() and not previous["text"].isspace():
                pieces.append(" ")
            if gap > PIECE_GAP * size:
                apart.append("")
        pieces.append(char["text"])
        apart[-1] += char["text"]
        previous = char
    printed = [char for char in chars if not char["text"].isspace()] or chars
    line = Line(
        text="".join(pieces),
        x0=printed[0]["x0"],
        x1=printed[-1]["x1"],
        top=min(char["top"] for char in chars),
        bottom=max(char["bottom"] for char in chars),
        size=size,
        pieces=[piece.strip() for piece in apart if piece.strip()],
    )
    line.first_unit = _first_unit_width(chars, size)
    line.end = chars[-1]["x1"]
    return line


def _first_unit_width(chars: list[dict[str, Any]], size: float) -> float:
    """How wide the piece is that a line break could have moved down: up to the first place the line could
    have been broken (a space, or between CJK characters where the line-breaking rules allow it)."""
    chars = [char for char in chars if not char["text"].isspace()] if chars and chars[0]["text"].isspace() else chars
    if not chars:
        return 0.0
    end = 1
    while end < len(chars):
        before, after = chars[end - 1], chars[end]
        if after["text"].isspace() or after["x0"] - before["x1"] > SPACE_GAP * size:
            break
        if _may_break(before["text"], after["text"]):
            break
        end += 1
    return chars[end - 1]["x1"] - chars[0]["x0"]


def _may_break(before: str, after: str) -> bool:
    """Whether a line may break between two characters (Chinese rules, as word processors apply them; when
    unsure, no: a piece taken too wide only joins lines, never splits a paragraph)."""
    if after in _NO_LINE_START or before in _NO_LINE_END or _QUOTES & {before, after}:
        return False
    if _IDEOGRAPH.match(after):
        return bool(_CJK.match(before)) or before.isalnum()
    return bool(_IDEOGRAPH.match(before)) and after.isalnum()


def is_vertical(chars: list[dict[str, Any]]) -> bool:
    """Text set vertically in a cell (Word's 文字方向 竖排, common for a merged 一级指标): characters stacked in
    columns, none touching a neighbour on its left or right as characters on a horizontal line do."""
    printed = [char for char in chars if not char["text"].isspace()]
    if len(printed) < 2:
        return False
    size = statistics.median(char["size"] for char in printed)
    by_line = sorted(printed, key=lambda char: (round(char["top"] / (0.3 * size)), char["x0"]))
    for char, following in itertools.pairwise(by_line):
        if abs(following["top"] - char["top"]) < 0.3 * size and 0 <= following["x0"] - char["x1"] < 0.15 * size:
            return False  # two characters side by side on a line: horizontal text (the usual case, found fast)
    by_column = sorted(printed, key=lambda char: (round(char["x0"] / (0.3 * size)), char["top"]))
    return any(
        abs(following["x0"] - char["x0"]) < 0.3 * size and 0 <= following["top"] - char["bottom"] < 0.5 * size
        for char, following in itertools.pairwise(by_column)
    )


def vertical_line(chars: list[dict[str, Any]]) -> Line:
    """Vertical text read as it is written: columns from right to left, each from top to bottom."""
    printed = [char for char in chars if not char["text"].isspace()]
    size = statistics.median(char["size"] for char in printed)
    columns: list[list[dict[str, Any]]] = []
    for char in sorted(printed, key=lambda char: -char["x0"]):
        if columns and abs(columns[-1][0]["x0"] - char["x0"]) < 0.3 * size:
            columns[-1].append(char)
        else:
            columns.append([char])
    text = "".join(char["text"] for column in columns for char in sorted(column, key=lambda char: char["top"]))
    x0, x1 = min(char["x0"] for char in printed), max(char["x1"] for char in printed)
    top, bottom = min(char["top"] for char in printed), max(char["bottom"] for char in printed)
    return Line(text, x0, x1, top, bottom, size, first_unit=x1 - x0, end=x1, pieces=[text])


# ── lines → paragraphs ────────────────────────────────────────────────────────────


def continues(previous: Line, line: Line, left: float, right: float, gap: float | None = None) -> bool:
    """Whether `line` goes on with `previous`'s paragraph: its first word would not have fitted on `previous`
    (by position for left-aligned text, by width for centred text), in the same type size and without
    a wider gap between the lines than `gap`."""
    if abs(previous.size - line.size) > 0.15 * line.size:
        return False
    if gap is not None and previous.page == line.page and line.top - previous.bottom > gap:
        return False
    if _TOC_ENTRY_END.search(previous.text) or (len(previous.pieces) > 1 and previous.pieces[-1].isdigit()):
        return False  # a table-of-contents entry: `标题……页码`, or the page number set apart by a tab
    if previous.text.rstrip().endswith(_PARAGRAPH_END) and _LIST_MARK.match(line.text):
        return False  # `…增强。` then `目标2：…`: a new item, even when the last line happened to be full
    left, right = previous.column or (left, right)
    room = FIT_MARGIN * line.size  # measured edges are not exact: a word that would only just fit did not
    fits_at_end = previous.end + line.first_unit <= right - room
    fits_in_width = previous.end - previous.x0 + line.first_unit <= right - left - room
    return not (fits_at_end and fits_in_width)


def join_lines(previous: str, text: str) -> str:
    """CJK line breaks carry no space; a break between two Latin words or numbers was a space."""
    if not previous:
        return text
    if previous[-1].isspace() or text[:1].isspace():
        return previous + text
    if previous[-1].isascii() and previous[-1].isalnum() and text[0].isascii() and text[0].isalnum():
        return previous + " " + text  # a word wrapped where the PDF drew no space character
    return previous + text


def paragraphs(lines: list[Line], left: float, right: float, gap: float | None = None) -> list[list[Line]]:
    groups: list[list[Line]] = []
    for line in lines:
        if groups and continues(groups[-1][-1], line, left, right, gap):
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def paragraph_text(lines: list[Line], right: float | None = None) -> str:
    """The lines of one paragraph as one text. A line that reaches the right margin may have lost the space it
    ended with (word processors hang it in the margin, undrawn): between CJK and Latin or digits, the space
    goes back when the paragraph itself spaces them (`设置 9 项`)."""
    spaced = _spaces_scripts(lines)
    text = ""
    for line, following in zip(lines, [*lines[1:], None], strict=True):
        text = join_lines(text, line.text)
        margin = line.column[1] if line.column else right
        at_margin = following is not None and spaced and margin is not None and line.end >= margin - 1
        if at_margin and following and _MIXED_JOIN.match(text[-1:] + following.text[:1]):
            text += " "
    return text.strip()


_MIXED_JOIN = re.compile(r"[A-Za-z0-9.%][\u3400-\u9fff]|[\u3400-\u9fff][A-Za-z0-9]")
_SPACED = re.compile(r"[A-Za-z0-9.%] [\u3400-\u9fff]|[\u3400-\u9fff] [A-Za-z0-9]")
_UNSPACED = re.compile(r"[A-Za-z0-9%][\u3400-\u9fff]|[\u3400-\u9fff][A-Za-z0-9]")


def _spaces_scripts(lines: list[Line]) -> bool:
    """Whether this paragraph puts a space between Chinese and Latin letters or digits (more often than not)."""
    spaced = sum(len(_SPACED.findall(line.text)) for line in lines)
    unspaced = sum(len(_UNSPACED.findall(line.text)) for line in lines)
    return spaced > unspaced


def reflow(lines: list[Line], left: float, right: float) -> str:
    """A cell's lines as its paragraphs, one per line of the result."""
    return "\n".join(paragraph_text(group, right) for group in paragraphs(lines, left, right))


# ── a page: tables and body lines ─────────────────────────────────────────────────


def read_page(page: Any, number: int) -> Page:
    chars = _upright(page.chars)
    parts: list[TablePart] = []
    in_tables: set[int] = set()
    for table in page.find_tables():
        part = _table_part(table, chars, number, in_tables, float(page.height))
        if part is not None:
            parts.append(part)
    body = [char for index, char in enumerate(chars) if index not in in_tables]
    parts.sort(key=lambda part: part.top)
    return Page(
        number, float(page.width), float(page.height), make_lines(body, number), parts, len(chars), len(page.images)
    )


def _table_part(
    table: Any, chars: list[dict[str, Any]], number: int, taken: set[int], height: float
) -> TablePart | None:
    boxes = [tuple(float(value) for value in box) for box in table.cells]
    # A cell that reaches the edge of the paper is the clipped border of a cell from the page before, which
    # would enclose the running header: no table is printed to the edge.
    boxes = [box for box in boxes if box[1] > EDGE and box[3] < height - EDGE]
    if len(boxes) < 2:
        return None
    cells = [Cell(x0, top, x1, bottom) for x0, top, x1, bottom in boxes]
    x0, top = min(cell.x0 for cell in cells), min(cell.top for cell in cells)
    x1, bottom = max(cell.x1 for cell in cells), max(cell.bottom for cell in cells)
    members: dict[int, list[dict[str, Any]]] = {}
    for index, char in enumerate(chars):
        middle_x, middle_y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        if not (x0 <= middle_x <= x1 and top <= middle_y <= bottom):
            continue
        for position, cell in enumerate(cells):
            if cell.x0 <= middle_x <= cell.x1 and cell.top <= middle_y <= cell.bottom:
                members.setdefault(position, []).append(char)
                taken.add(index)
                break
    for position, cell in enumerate(cells):
        inside = members.get(position, [])
        cell.lines = [vertical_line(inside)] if is_vertical(inside) else make_lines(inside)
    column_edges = _edges([cell.x0 for cell in cells] + [cell.x1 for cell in cells])
    row_edges = _edges([cell.top for cell in cells] + [cell.bottom for cell in cells])
    for cell in cells:
        cell.column, cell.columns = _place(column_edges, cell.x0, cell.x1)
        cell.row, cell.rows = _place(row_edges, cell.top, cell.bottom)
    padding = _padding(cells)
    for cell in cells:
        cell.padding = padding
        cell.reflow()
    cells.sort(key=lambda cell: (cell.row, cell.column))
    return TablePart(number, x0, top, x1, bottom, cells, len(row_edges) - 1, column_edges)


def _edges(values: list[float], tolerance: float = 2.0) -> list[float]:
    edges: list[float] = []
    for value in sorted(values):
        if not edges or value - edges[-1] > tolerance:
            edges.append(value)
    return edges


def _place(edges: list[float], start: float, end: float) -> tuple[int, int]:
    first = min(range(len(edges)), key=lambda index: abs(edges[index] - start))
    last = min(range(len(edges)), key=lambda index: abs(edges[index] - end))
    return first, max(1, last - first)


def _padding(cells: list[Cell]) -> float:
    """The cells' inner margin: the smallest distance from a cell's left edge to its text."""
    found = [line.x0 - cell.x0 for cell in cells for line in cell.lines if line.x0 >= cell.x0]
    low, high = CELL_PADDING
    return min(high, max(low, min(found))) if found else 5.0
