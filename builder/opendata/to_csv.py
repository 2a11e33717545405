"""Write an export table as CSV: UTF-8 with BOM (Excel opens Chinese correctly), exact numbers, no live formulas."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from ..data.amounts import format_amount
from .tables import TEXT_TYPES, Cell, Column, Table, only

BOM = codecs.BOM_UTF8

# A text cell starting with one of these would run as a formula in a spreadsheet
# (`=100%` is a real 指标值); a leading `'` is added, and to cells already starting
# with `'`, so the published text is always "the cell minus one leading `'`".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")
# One of FORMULA_STARTS after a newline: at the start of a text, in texts joined by newlines.
_FORMULA_START = re.compile("\n[=+\\-@\t\r']")


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


def csv_column(values: Sequence[Cell]) -> Sequence[Cell]:
    """`csv_cell` over one column, quicker for the common columns of only text (None is written blank)."""
    if only(TEXT_TYPES, values):
        joined = "\n".join(filter(None, values))
        if not joined.startswith(FORMULA_STARTS) and not _FORMULA_START.search(joined):
            return values  # the usual column: no text to guard
        return [value if value is None or not value.startswith(FORMULA_STARTS) else "'" + value for value in values]
    return [csv_cell(value) for value in values]


def csv_rows(table: Table) -> bytes:
    """The table's data rows as UTF-8 CSV, without BOM or header: rows of several tables concatenate."""
    if not table.rows:
        return b""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(zip(*[csv_column(values) for values in table.column_values()], strict=True))
    return buffer.getvalue().encode("utf-8")


def csv_document(columns: Iterable[Column], rows: Iterable[bytes]) -> bytes:
    """BOM, one header row of column names, then the rows (`csv_rows` pieces), CRLF line ends (RFC 4180)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerow([column.name for column in columns])
    return b"".join([BOM, buffer.getvalue().encode("utf-8"), *rows])
