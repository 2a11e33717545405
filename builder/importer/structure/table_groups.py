"""Blocks into tables: layout tables demoted, stacked tables split, tables continued across pages joined."""

from __future__ import annotations

import re
from dataclasses import replace

from ..common import clean_cell
from .blocks import Block, Report
from .labels import PRINTED_TABLE_TITLE, field_label, is_header, is_label, squeeze
from .preamble import unit_line

# ── blocks → tables ───────────────────────────────────────────────────────────────


# A line printed above a table's continuation: `续表`, `续表1`, `（续）`, `续上表`.
CONTINUED = re.compile(r"^[（(]?续(?:上?表[\d一二三四五六七八九十]*)?[）)]?[:：]?$")


def demote_layout_tables(blocks: list[Block]) -> list[Block]:
    """A table with no form label (a cover laid out as a table) is read as paragraphs, unless it continues
    the table right before it (a table split at a page break, maybe under a line saying `续表`)."""
    kept = {block.table for block in blocks if block.is_cell and (is_label(block.text) or is_header(block.text))}
    headings = {block.table for block in blocks if block.is_cell and _is_table_heading(block.text)}
    result: list[Block] = []
    previous: Block | None = None  # the last block that is not a `续表` line
    for block in blocks:
        if result and (result[-1].is_cell or not CONTINUED.match(squeeze(result[-1].text))):
            previous = result[-1]
        follows = previous is not None and previous.is_cell and previous.table in kept
        if block.is_cell and follows and block.table not in headings:
            kept.add(block.table)
        if block.is_cell and block.table not in kept:
            result += [replace(block, raw=line, is_cell=False) for line in block.raw.split("\n") if clean_cell(line)]
        else:
            result.append(block)
    return result


def split_into_tables(blocks: list[Block]) -> list[tuple[list[Block], list[Block]]]:
    """Each table with the paragraphs printed before it; trailing paragraphs get an empty table."""
    groups: list[tuple[list[Block], list[Block]]] = [([], [])]
    for block in blocks:
        paragraphs, cells = groups[-1]
        if block.is_cell and cells and block.table != cells[-1].table:
            groups.append(([], [block]))
        elif block.is_cell:
            cells.append(block)
        elif cells:
            groups.append(([block], []))
        else:
            paragraphs.append(block)
    return groups


def split_stacked_tables(groups: list[tuple[list[Block], list[Block]]]) -> list[tuple[list[Block], list[Block]]]:
    """One table holding several projects: a new project starts at a 项目编码 or 项目名称 label after an
    indicator header; the title and unit cells printed just above it go with it."""
    result = []
    for paragraphs, cells in groups:
        start, seen_header = 0, False
        for index, block in enumerate(cells):
            if seen_header and field_label(block.text) in ("code", "name"):
                cut = _start_of_preamble(cells, start, index)
                result.append((paragraphs, cells[start:cut]))
                paragraphs, start, seen_header = [], cut, False
            seen_header = seen_header or is_header(block.text)
        result.append((paragraphs, cells[start:]))
    return result


def _start_of_preamble(cells: list[Block], start: int, index: int) -> int:
    """Where the title and unit cells above a 项目编码 row begin (blank cells around them included)."""
    cut = index
    while cut > start and (not cells[cut - 1].text or _is_table_heading(cells[cut - 1].text)):
        cut -= 1
    while cut < index and not cells[cut].text:
        cut += 1
    return cut if any(cells[i].text for i in range(cut, index)) else index


def _is_table_heading(text: str) -> bool:
    return bool(PRINTED_TABLE_TITLE.search(text)) or unit_line(text) is not None


def join_continued_tables(
    groups: list[tuple[list[Block], list[Block]]], report: Report
) -> list[tuple[list[Block], list[Block]]]:
    """A table with no form label right after another is its continuation (a table split at a page break)."""
    joined = groups[:1]
    for paragraphs, cells in groups[1:]:
        previous = joined[-1][1]
        labelled = any(is_label(block.text) or _is_table_heading(block.text) for block in cells)
        marked = all(CONTINUED.match(squeeze(block.text)) for block in paragraphs)  # none, or only `续表`
        if previous and cells and marked and not labelled:
            report.note(cells[0], "表格没有项目编码、项目名称等栏目，看作上一张表的续表（跨页拆开的表格）")
            previous.extend(cells)
        else:
            joined.append((paragraphs, cells))
    return joined
