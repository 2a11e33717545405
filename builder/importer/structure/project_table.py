"""One 项目绩效目标表: its fields, budget, spending plan, goals and indicator rows, read by their labels."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from ...data.amounts import AmountError, parse_amount
from .. import printed
from ..common import clean_code
from .blocks import Block, Report
from .labels import (
    CHECKPOINT,
    FIELD_NAMES,
    FORM_LABEL,
    GOAL_TAG,
    GOALS_LABEL,
    PLAN_LABEL,
    TABLE_TITLE,
    column_of,
    field_label,
    is_header,
    is_label,
    squeeze,
)
from .preamble import Preamble, unit_line

# ── one project table ─────────────────────────────────────────────────────────────


class Cells:
    """A cursor over a table's cells."""

    def __init__(self, cells: list[Block]) -> None:
        self.cells = cells
        self.position = 0

    def done(self) -> bool:
        return self.position >= len(self.cells)

    def peek(self) -> Block:
        return self.cells[self.position]

    def next(self) -> Block:
        self.position += 1
        return self.cells[self.position - 1]

    def at(self, is_label: Callable[[str], bool]) -> bool:
        return not self.done() and is_label(self.peek().text)

    def until(self, is_stop: Callable[[str], bool]) -> list[Block]:
        """Cells up to (not including) the first whose text `is_stop`."""
        taken: list[Block] = []
        while not self.done() and not is_stop(self.peek().text):
            taken.append(self.next())
        return taken


def _ends_plan(text: str) -> bool:
    return bool(GOALS_LABEL.match(squeeze(text))) or is_header(text)


def _is_amount(text: str) -> bool:
    try:
        parse_amount(text)
    except AmountError:
        return False
    return True


def _has_grid(blocks: list[Block]) -> bool:
    """Whether the cells know their row and columns (.docx), so columns can be matched by position."""
    return bool(blocks) and all(block.row is not None and block.column is not None for block in blocks)


def _rows(blocks: list[Block]) -> list[list[Block]]:
    return [list(row) for _, row in groupby(blocks, key=lambda block: (block.table, block.row))]


@dataclass
class Table:
    """What one project table says: the project, and the unit lines printed above it."""

    project: dict[str, Any] = field(default_factory=dict)
    unit: dict[str, str] | None = None
    amount_unit: str | None = None
    where: str = ""


def read_preamble(cells: Cells, table: Table, report: Report) -> None:
    """Rows above 项目编码: `655001…本级`, `单位：万元`, and a table title printed inside the table."""
    for block in cells.until(is_label):
        found = unit_line(block.text)
        if found and (found[1] or table.unit is None):
            table.unit = found[0] or table.unit
            table.amount_unit = found[1] or table.amount_unit
        elif TABLE_TITLE.search(block.text) and "title" not in table.project:
            table.project["title"] = block.text
        elif block.text:
            report.unplaced(block, "表格上方未能归类的内容")


def read_fields(cells: Cells, report: Report) -> dict[str, Any]:
    """项目编码 … 其他资金 and 资金用途: each label followed by its value cell."""
    values: dict[str, Any] = {}
    purpose: list[str] = []
    while not cells.done() and not _ends_fields(cells.peek().text):
        block = cells.next()
        key = field_label(block.text)
        if key == "purpose" or FORM_LABEL.match(squeeze(block.text)) or not block.text:
            continue
        if key and key not in values:
            values[key] = _field_value(cells, key, report)
        elif "total" in values:
            purpose.append(block.content)
        else:
            report.unplaced(block, "项目表中未能归类的单元格")
    if purpose:
        values["purpose"] = "\n".join(purpose)
    return values


def _ends_fields(text: str) -> bool:
    return bool(PLAN_LABEL.match(squeeze(text))) or _ends_plan(text)


def _field_value(cells: Cells, key: str, report: Report) -> str | None:
    """The cell after a label, unless it is another label (or, for money, not a figure)."""
    if cells.done() or is_label(cells.peek().text) or is_header(cells.peek().text):
        return None
    block = cells.peek()
    if key in MONEY_LABELS and block.text and not _is_amount(block.text):
        return _broken_amount(cells, key, report)
    cells.next()
    if key == "code":
        return clean_code(block.raw) or None
    return (block.text if key in MONEY_LABELS else block.content) or None


MONEY_LABELS = {"total": "预算数", "fiscal": "财政资金", "other": "其他资金"}
# A money cell of figures only (digits, separators, spaces, a unit): one that a PDF's narrow column wrapped.
_FIGURES = re.compile(r"[\d０-９.,，．\s]+(?:[千百万亿]?元)?")


def _broken_amount(cells: Cells, key: str, report: Report) -> str | None:
    """A money cell that is not an amount as it stands. A figure wrapped inside its cell (`1000` `00.00` on two
    lines of a PDF) is joined, with a warning to check it; other figures are kept out of the project and shown in
    `unresolved`. Either way the cell is taken: it used to fall into 资金用途 and the amount was lost unnoticed.
    Prose (not figures) is left where it is."""
    block = cells.peek()
    if not _FIGURES.fullmatch(block.text):
        return None
    cells.next()
    printed, joined = " ".join(block.text.split()), "".join(block.text.split())
    if _is_amount(joined):
        report.note(block, f"{MONEY_LABELS[key]}“{printed}”在单元格中折行，已连成 {joined}，请与原文核对")
        return joined
    report.unplaced(block, f"{MONEY_LABELS[key]}“{printed}”不是可读的金额，没有导入，请按原文填写")
    return None


def read_spending_plan(cells: Cells, report: Report) -> list[dict[str, str]]:
    """Checkpoint labels (`3月底`, `第一季度`), an empty merged cell, then one value per checkpoint."""
    if not cells.at(lambda text: bool(PLAN_LABEL.match(squeeze(text)))):
        return []
    label_cell = cells.next()
    if _has_grid([label_cell]):
        return _grid_spending_plan(label_cell, cells, report)
    labels = []
    while cells.at(CHECKPOINT.search) and not cells.at(is_label):
        labels.append(cells.next())
    values = cells.until(_ends_plan)
    if len(values) == len(labels) + 1 and not values[0].text:
        values = values[1:]
    if len(values) != len(labels):
        report.note(values[0] if values else label_cell, f"资金支出计划有 {len(labels)} 个节点、{len(values)} 个值")
        for block in values[len(labels) :]:
            report.unplaced(block)
    padded: list[Block | None] = [*values, *[None] * len(labels)]
    return [_checkpoint(label.text, block) for label, block in zip(labels, padded, strict=False)]


def _grid_spending_plan(label_cell: Block, cells: Cells, report: Report) -> list[dict[str, str]]:
    """A .docx plan: checkpoints in the label's row, each value under its checkpoint in the next row
    (or, in a one-row plan, right after it: `3月底 | 25% | 6月底 | 50%`)."""
    pairs: list[tuple[Block, Block | None]] = []
    while not cells.done() and (cells.peek().table, cells.peek().row) == (label_cell.table, label_cell.row):
        block = cells.next()
        if not block.text:
            continue
        if pairs and pairs[-1][1] is None and not CHECKPOINT.search(block.text):
            pairs[-1] = (pairs[-1][0], block)
        else:
            pairs.append((block, None))
    rows = _rows(cells.until(_ends_plan))
    under = rows[0] if rows else []
    pairs = [(label, value or _cell_under(label, under)) for label, value in pairs]
    used = {id(value) for _, value in pairs}
    for block in [block for row in rows for block in row]:
        if block.text and id(block) not in used:
            report.unplaced(block, "资金支出计划中不在任何时间节点下的单元格")
    return [_checkpoint(label.text, value) for label, value in pairs]


def _cell_under(label: Block, row: list[Block]) -> Block | None:
    """The cell of `row` that starts within the label's columns, else the first that overlaps them."""
    starting = [block for block in row if label.covers(block.column or 0)]
    overlapping = [block for block in row if block.covers(label.column or 0)]
    found = [block for block in starting + overlapping if block.text]
    return found[0] if found else None


def _checkpoint(label: str, block: Block | None) -> dict[str, str]:
    value = block.text if block else ""
    return {"label": label, "value": value} if value else {"label": label}


def read_goals(cells: Cells, report: Report) -> list[Any]:
    """`目标1` + text cell pairs, or goals one per line in a shared cell."""
    if not cells.at(lambda text: bool(GOALS_LABEL.match(squeeze(text)))):
        return []
    cells.next()
    goals: list[Any] = []
    label: Block | None = None
    for block in cells.until(is_header):
        if GOAL_TAG.match(block.text):
            if label:
                report.unplaced(label, "目标标签后没有目标正文")
            label = block
        elif block.text and label:
            goals.append({"label": label.text, "text": block.content})
            label = None
        elif block.text:
            goals.extend(block.paragraphs)
    if label:
        report.unplaced(label, "目标标签后没有目标正文")
    return goals


def read_indicators(cells: Cells, report: Report) -> list[dict[str, str]]:
    """The header row fixes the columns; every following row is one indicator (repeated headers are skipped)."""
    header = []
    while cells.at(is_header):
        header.append(cells.next())
    rest = cells.until(lambda text: False)
    if header and header[0].row is not None:  # a continued table's repeated header is read as its own header
        repeated = [block for block in header if block.table != header[0].table]
        header, rest = header[: len(header) - len(repeated)], repeated + rest
    if not header:
        for block in rest:
            report.unplaced(block, "找不到指标表头，未能归类的单元格")
        return []
    if _has_grid(header + rest):
        rows = _grid_indicator_rows(header, rest, report)
    else:
        rows = _counted_indicator_rows([column_of(block.text) or "" for block in header], rest, report)
    indicators: list[dict[str, str]] = []
    levels: dict[str, str | None] = {"level1": None, "level2": None}
    for row in rows:
        texts = [block.text for block in row.values() if block.text]
        if texts and not all(is_header(text) for text in texts):
            indicators.append(_indicator(row, levels, report))
    return indicators


def _counted_indicator_rows(columns: list[str], rest: list[Block], report: Report) -> list[dict[str, Block]]:
    """Text exports: every `len(columns)` cells are one row."""
    rows = [rest[start : start + len(columns)] for start in range(0, len(rest), len(columns))]
    if rows and len(rows[-1]) < len(columns):
        report.note(rows[-1][0], f"指标表最后一行只有 {len(rows[-1])} 个单元格（应为 {len(columns)} 个）")
    return [dict(zip(columns, row, strict=False)) for row in rows]


def _grid_indicator_rows(header: list[Block], rest: list[Block], report: Report) -> list[dict[str, Block]]:
    """.docx: each cell belongs to the header cell above its first grid column; padding cells are ignored.

    A continued table (split at a page break, or the indicators as a table of their own) often has other grid
    columns than the header's (6 columns under a 7-column form): by the header's columns its 指标值 fell under 描述
    and its 确定依据 under 指标值. Its cells are placed by its own columns (`_continued_columns`)."""
    rows = []
    continued = _continued_columns(header, rest)
    for cells in _rows(rest):
        row: dict[str, Block] = {}
        for block in cells:
            key = continued.get((block.table, block.column or 0))
            if key is None:
                key = next((column_of(head.text) for head in header if head.covers(block.column or 0)), None)
            if key is None:
                if block.text:
                    report.unplaced(block, "指标表中不在任何表头之下的单元格")
            elif key in row and block.text:
                first = row[key]
                if block.table != header[0].table and first.text:
                    report.note(block, "续表的栏目与表头对不齐，这一格与左边一格合在一起，请与原文核对", block.text)
                row[key] = Block(
                    first.line, f"{first.raw}\n{block.raw}" if first.text else block.raw, True, place=first.place
                )
            else:
                row.setdefault(key, block)
        rows.append(row)
    return rows


def _continued_columns(header: list[Block], rest: list[Block]) -> dict[tuple[int, int], str]:
    """(table, grid column) → header key, for the tables after the header's: from the table's own repeated header
    row, else from its first row of one cell per header cell (the k-th cell under the k-th header cell)."""
    columns: dict[tuple[int, int], str] = {}
    placed: set[int] = set()
    rows = [cells for cells in _rows(rest) if cells[0].table != header[0].table and len(cells) == len(header)]
    for own_header in (True, False):
        for cells in rows:
            keys = [column_of(block.text) for block in (cells if own_header else header)]
            if cells[0].table in placed or (own_header and not all(keys)):
                continue
            placed.add(cells[0].table)
            columns.update({(cells[0].table, block.column or 0): k for block, k in zip(cells, keys, strict=True) if k})
    return columns


def _indicator(cells: dict[str, Block], levels: dict[str, str | None], report: Report) -> dict[str, str]:
    """One row; level1/level2 only where a cell is printed: a blank cell is the merged cell above, and two
    printed cells stay two cells even when they say the same (the model keeps them apart)."""
    row: dict[str, str] = {}
    level1 = cells["level1"].text if "level1" in cells else ""
    level2 = cells["level2"].text if "level2" in cells else ""
    if level1:
        row["level1"] = levels["level1"] = level1
        levels["level2"] = None
    if level2:
        row["level2"] = levels["level2"] = level2
    for key in ("name", "description", "value", "basis"):
        text = cells[key].content if key in cells else ""
        if text or key == "name":
            row[key] = text
    if not row["name"]:
        first = next(iter(cells.values()))
        report.note(first, "指标行缺少三级指标", " | ".join(block.text for block in cells.values()))
    return row


def parse_table(cells: list[Block], preamble: Preamble, report: Report) -> Table:
    """One 项目绩效目标表, label by label, in the model's key order."""
    table = Table(unit=preamble.unit, amount_unit=preamble.amount_unit, where=cells[0].where)
    cursor = Cells(cells)
    read_preamble(cursor, table, report)
    title = preamble.title or table.project.get("title")
    fields = read_fields(cursor, report)
    project: dict[str, Any] = {key: fields[key] for key in ("code", "name") if fields.get(key)}
    if title:
        project["title"] = title
    project["budget"] = {key: fields[key] for key in ("total", "fiscal", "other") if fields.get(key)}
    if fields.get("purpose"):
        project["purpose"] = fields["purpose"]
    if cursor.at(lambda text: bool(PLAN_LABEL.match(squeeze(text)))) and (
        label := printed.plan_label(cursor.peek().text)
    ):
        project["spending_plan_label"] = label
    project["spending_plan"] = read_spending_plan(cursor, report)
    project["goals"] = read_goals(cursor, report)
    if preamble.notes:
        project["notes"] = preamble.notes
    project["indicators"] = read_indicators(cursor, report)
    required = {"name": project.get("name"), "budget.total": fields.get("total"), "indicators": project["indicators"]}
    for key in (key for key, value in required.items() if not value):
        report.note(cells[0], f"项目表缺少{FIELD_NAMES[key]}", title or "")
    table.project = {key: value for key, value in project.items() if value != []}
    return table
