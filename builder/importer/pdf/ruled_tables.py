"""Tables across pages: the parts of one table on successive pages put on one grid.

Repeated header rows are dropped; a row cut in two by the page break is joined back (its
cells' lines re-flowed as one), and so is a merged label cut in two; a row that merely
starts on the next page stays a row. Every cell keeps its first grid row and its span of
rows and columns, as a .docx cell does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..structure.labels import CHECKPOINT, is_header, is_label
from .page_layout import Cell, TablePart


@dataclass
class PlacedCell:
    """A cell on the whole table's grid (rows counted over all its pages)."""

    cell: Cell
    page: int
    row: int
    rows: int
    column: int
    columns: int
    text: str


@dataclass
class JoinedTable:
    parts: list[TablePart]
    cells: list[PlacedCell] = field(default_factory=list)
    row_count: int = 0


def same_frame(previous: TablePart, part: TablePart) -> bool:
    return abs(previous.x0 - part.x0) <= 3 and abs(previous.x1 - part.x1) <= 3


def _row_texts(cells: list[Cell], row: int) -> tuple[tuple[int, int, str], ...]:
    return tuple((cell.column, cell.columns, cell.text) for cell in cells if cell.row == row)


def _leading_repeats(first: TablePart, part: TablePart) -> int:
    """How many of `part`'s first rows repeat the table's first rows (a header row repeated on each page)."""
    count = 0
    while count < min(first.row_count, part.row_count - 1):
        row = _row_texts(part.cells, count)
        if not any(text for *_, text in row) or row != _row_texts(first.cells, count):
            break
        count += 1
    return count


def place_cells(table: JoinedTable, body_bottoms: dict[int, float], line_room: float) -> None:
    """Put every part's cells on one grid; drop repeated header rows; mend what a page break cut."""
    edges = sorted({round(edge, 0) for part in table.parts for edge in part.column_edges})
    merged_edges: list[float] = []
    for edge in edges:
        if not merged_edges or edge - merged_edges[-1] > 2:
            merged_edges.append(edge)

    def columns(cell: Cell) -> tuple[int, int]:
        first = min(range(len(merged_edges)), key=lambda i: abs(merged_edges[i] - cell.x0))
        last = min(range(len(merged_edges)), key=lambda i: abs(merged_edges[i] - cell.x1))
        return first, max(1, last - first)

    offset = 0
    previous_last: list[PlacedCell] = []
    for index, part in enumerate(table.parts):
        skip = _leading_repeats(table.parts[0], part) if index else 0
        placed = []
        for cell in part.cells:
            if cell.row < skip:
                continue
            column, span = columns(cell)
            placed.append(PlacedCell(cell, part.page, offset + cell.row - skip, cell.rows, column, span, cell.text))
        above = table.parts[index - 1] if index else None
        full = above is not None and above.bottom >= body_bottoms[above.page] - line_room
        if full and previous_last:
            placed, shift = _mend_page_break(previous_last, placed, offset)
        else:
            shift = 0
        table.cells += placed
        offset += part.row_count - skip - shift
        previous_last = [cell for cell in table.cells if cell.row + cell.rows == offset]
    table.row_count = offset


def _mend_page_break(above: list[PlacedCell], placed: list[PlacedCell], first_row: int) -> tuple[list[PlacedCell], int]:
    """The first row after a page break that cut the table: a row split in two (some of its cells ran on, the
    others are empty below) is joined back into one; a merged label cut in two is joined back. Returns the
    cells left and how many rows went (1 if a split row was joined, else 0)."""
    by_columns = {(cell.column, cell.columns): cell for cell in above}
    first = [cell for cell in placed if cell.row == first_row]
    pairs = [(cell, by_columns.get((cell.column, cell.columns))) for cell in first]
    if pairs and all(match is not None for _, match in pairs):
        split = _row_was_cut(pairs)  # type: ignore[arg-type]  # every match is set here
        if split:
            for cell, match in pairs:
                _join_cell(match, cell)
                match.rows += cell.rows - 1
            rest = [cell for cell in placed if cell.row != first_row]
            for cell in rest:
                cell.row -= 1
            return rest, 1
    for cell, match in pairs:
        if match and _cut_label(match.text, cell.text):
            match.text, cell.text = match.text + cell.text, ""
    return placed, 0


def _row_was_cut(pairs: list[tuple[PlacedCell, PlacedCell]]) -> bool:
    """Whether the first row below a page break is the rest of the last row above it, by its cells (below, above).

    A cell whose text all fitted above the break is empty below it: evidence, unless it is a label, which may
    be merged over this row and the next (资金支出计划 over its checkpoints and their values). Then the row was
    cut only if every cell with text below goes on from a cell of text above, not from a label or a
    checkpoint (`3月底` above, `25%` below is the next row)."""
    single = [(cell, match) for cell, match in pairs if cell.rows == 1 and match.rows == 1]
    if any(match.text and not cell.text and not _is_form_label(match.text) for cell, match in single):
        return True
    label_above = any(match.text and not cell.text and _is_form_label(match.text) for cell, match in pairs)
    below = [(cell, match) for cell, match in pairs if cell.text]
    return label_above and bool(below) and all(match.text and not _is_form_label(match.text) for _, match in below)


def _is_form_label(text: str) -> bool:
    """A label of the form, an indicator column header, or a checkpoint of the spending plan (`3月底`)."""
    short_checkpoint = len(text) <= 8 and bool(CHECKPOINT.search(text)) and not re.search(r"\d\s*%", text)
    return is_label(text) or is_header(text) or short_checkpoint


def _cut_label(above: str, below: str) -> bool:
    """`预算规模及资金用` above the break and `途` below: a merged label the page break cut, not two cells."""
    if not above or not below:
        return False
    return any(test(above + below) and not test(below) for test in (is_label, is_header))


def _join_cell(above: PlacedCell, below: PlacedCell) -> None:
    """A cell cut by a page break: its lines on both pages re-flowed as one cell (a paragraph goes on)."""
    if below.cell.lines:
        above.cell.lines = above.cell.lines + below.cell.lines
        above.cell.reflow()
        above.text = above.cell.text
