"""Write an export table as CSV: UTF-8 with BOM (Excel opens Chinese correctly), exact numbers, no live formulas."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from .amounts import format_amount
from .export_tables import Cell, Table

# A text cell starting with one of these would run as a formula in a spreadsheet
# (`=100%` is a real 指标值); a leading `'` is added, and to cells already starting
# with `'`, so the published text is always "the cell minus one leading `'`".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise(text: str) -> str:
    """`=100%` → `'=100%`; other text unchanged."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unneutralise(text: str) -> str:
    """The published text of a CSV cell written by `neutralise`."""
    return text[1:] if text.startswith("'") else text


def csv_cell(value: Cell) -> str:
    """Blank for None, the exact decimal for numbers (`188.51`, `10.00`), neutralised text otherwise."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, int):
        return str(value)
    return neutralise(value)


def csv_bytes(table: Table) -> bytes:
    """The table as CSV bytes: BOM, one header row of column names, CRLF line ends (RFC 4180)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.column_names)
    writer.writerows([csv_cell(value) for value in row] for row in table.rows)
    return buffer.getvalue().encode("utf-8-sig")
