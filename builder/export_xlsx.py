"""Write export tables as one XLSX workbook: typed cells, Chinese headers with units, same bytes every run."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from .amounts import format_amount
from .export_tables import Cell, Column, Table

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# Zip entries and document properties carry this date unless SOURCE_DATE_EPOCH is set:
# the earliest a zip file can record, i.e. "no date".
NO_DATE = datetime(1980, 1, 1)
TITLE = "部门预算绩效文本 开放数据"
CREATOR = "budget-performance-builder"
MAX_WIDTH = 60
WIDTH_SAMPLE_ROWS = 100
HEADER_FONT = Font(bold=True)
HEADER_ALIGNMENT = Alignment(vertical="top", wrap_text=True)


def decimals(value: Decimal) -> int:
    """How many decimals the published figure has: `10.00` → 2, `500` → 0."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def number_format(value: Decimal) -> str:
    """The Excel format that shows exactly the published decimals: `0.00`, `0`."""
    places = decimals(value)
    return "0." + "0" * places if places else "0"


def survives_float(value: Decimal) -> bool:
    """True when the float Excel stores, shown with the published decimals, is the published figure again."""
    return f"{float(value):.{decimals(value)}f}" == format_amount(value)


def xlsx_cell(sheet: WriteOnlyWorksheet, value: Cell) -> WriteOnlyCell | str | int | None:
    """A typed cell: numbers as numbers with their decimals shown, text always as text (never a formula)."""
    if isinstance(value, Decimal) and survives_float(value):
        cell = WriteOnlyCell(sheet, value=float(value))
        cell.number_format = number_format(value)
        return cell
    if isinstance(value, Decimal):
        return text_cell(sheet, format_amount(value))
    if isinstance(value, str) and (value.startswith("=") or value in ERROR_CODES):
        return text_cell(sheet, value)
    return value  # plain text and integers: openpyxl types them itself, and faster


def text_cell(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    """Text openpyxl would otherwise store as a formula (`=100%`) or an error code (`#N/A`)."""
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell


def header_cell(sheet: WriteOnlyWorksheet, column: Column) -> WriteOnlyCell:
    cell = text_cell(sheet, column.label)
    cell.font, cell.alignment = HEADER_FONT, HEADER_ALIGNMENT
    return cell


def display_width(value: Cell) -> int:
    """Rough width in Excel units: a Chinese character is two."""
    text = format_amount(value) if isinstance(value, Decimal) else "" if value is None else str(value)
    longest_line = max(text.split("\n"), key=len)
    return sum(2 if ord(char) > 0x2E7F else 1 for char in longest_line)


def column_widths(table: Table) -> list[int]:
    """Widths from the header and the first rows (all rows would be slow for a large table)."""
    sample = table.rows[:WIDTH_SAMPLE_ROWS]
    widths = []
    for index, column in enumerate(table.columns):
        cells = [display_width(row[index]) for row in sample]
        widths.append(min(MAX_WIDTH, max([display_width(column.label), *cells]) + 2))
    return widths


def add_sheet(workbook: Workbook, table: Table) -> None:
    sheet = workbook.create_sheet(table.label)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(column_widths(table), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table.rows) + 1}"
    sheet.append([header_cell(sheet, column) for column in table.columns])
    for row in table.rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])


def xlsx_bytes(tables: Iterable[Table], date: datetime | None = None) -> bytes:
    """One sheet per table, named by its Chinese label; `date` (SOURCE_DATE_EPOCH) dates the file."""
    workbook = Workbook(write_only=True)
    for table in tables:
        add_sheet(workbook, table)
    properties = workbook.properties
    properties.title, properties.creator = TITLE, CREATOR
    properties.created = properties.modified = date or NO_DATE
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).save()
    return fixed_zip_dates(buffer.getvalue(), date or NO_DATE)


def fixed_zip_dates(data: bytes, date: datetime) -> bytes:
    """The same zip with every entry dated `date`: zipfile stamps entries with the current time."""
    stamp = max(date, NO_DATE).timetuple()[:6]
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=stamp)
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, entry.external_attr
            target.writestr(fixed, source.read(entry.filename))
    return output.getvalue()
