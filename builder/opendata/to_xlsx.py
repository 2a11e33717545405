"""Write export tables as one XLSX workbook: typed cells, Chinese headers with units, same bytes every run.

The workbook is written directly as its few XML parts (SpreadsheetML, inline strings)
rather than through a spreadsheet library, because the export writes millions of cells
and a library spends microseconds on each. Each row is encoded once, as a template whose
row number is left open (`ROW`), so the rows of one department can be reused in the
year's and the whole site's workbooks: only the row numbers are filled in per workbook.

Every cell carries its `r` reference, as Excel and openpyxl write them, because several
readers still require it. Text is always an inline string (never a formula, `=100%`
stays text), numbers are numbers shown with exactly their published decimals.

Why not XlsxWriter, measured (issue 20; `benchmarks/xlsx_speed.py`, median of 5, 2-core VM under
load): the year workbook of a 500-department corpus (96 087 rows, 1.6 million cells) took 17.8 s
(8.8 s CPU) with XlsxWriter 3.3.1 in `constant_memory` mode, 3.2 s (1.6 s CPU) here from the tables
and 0.7 s (0.4 s CPU) as a build writes it, from the departments' row templates — 5.6× and 25×.
XlsxWriter's peak of Python memory was 1 MB; here 207 MB from the tables (every row template at
once) and 1 MB in the build's streamed write. Both files give the same cells and types in openpyxl
and the same CSV in LibreOffice Calc 7.4 (XlsxWriter's is 17 % smaller: zlib level 6 against our 1).
XlsxWriter cannot reuse encoded rows across workbooks, so the year's and the site's workbooks
would cost the full figure each: the writer stays ours.
"""

from __future__ import annotations

import io
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from ..data.amounts import format_amount
from .tables import INTEGER_TYPES, TEXT_TYPES, Cell, Table, only
from .zipstream import DEFLATED, FINAL_BLOCK, Compressed, Member, crc32_combine, deflate_piece, deflated, write_zip

# Zip entries and document properties carry this date unless SOURCE_DATE_EPOCH is set:
# the earliest a zip file can record, i.e. "no date".
NO_DATE = datetime(1980, 1, 1)
TITLE = "部门预算绩效文本 开放数据"
CREATOR = "budget-performance-builder"
MAX_WIDTH = 60
WIDTH_SAMPLE_ROWS = 100

# The row number in a row template: a character XML 1.0 cannot contain, so no text has it
# (`xml_text` writes such characters as `_x0000_`).
ROW = "\x00"
ROW_BYTES = ROW.encode("ascii")

# Styles (cellXfs): 0 plain, 1 header (bold, wrapped, top-aligned), then one per number of
# decimals shown, `0`, `0.0`, `0.00`, …. The list is fixed so that an encoded row means the
# same in every workbook. A figure with more decimals than this is written as text.
HEADER_STYLE = 1
FIRST_NUMBER_STYLE = 2
MAX_DECIMALS = 30
FIRST_CUSTOM_FORMAT = 164
ZIP_ATTRIBUTES = 0o644 << 16  # rw-r--r--, as zipfile writes on Unix
# zlib level of the zip entries: level 1 is about three times as fast as the default 6 on
# this XML and the file only about 15 % larger.
COMPRESSION_LEVEL = 1

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

# Characters to escape in XML text, those XML 1.0 cannot hold, and the start of an `_xHHHH_`
# escape a reader would decode. (A plain character class: searching for it is fast.)
_NOT_XML = "\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff"
_SPECIAL = re.compile(f"[&<>\r{_NOT_XML}]")
_OOXML_ESCAPE = re.compile(f"[{_NOT_XML}]|_(?=x[0-9A-Fa-f]{{4}}_)")
_NARROW = re.compile("[\x00-\u2e7f]+")  # a character above these is two columns wide


def number_format(places: int) -> str:
    """The Excel format that shows exactly `places` decimals: `0.00`, `0`."""
    return "0." + "0" * places if places else "0"


def excel_number(value: Decimal) -> tuple[str, int] | None:
    """The float Excel stores for a figure and the decimals to show, or None if that cannot show it exactly.

    `10.00` → (`10`, 2); `99999999999.99999` → None (a float shows `100000000000.00000`).
    """
    text = format_amount(value)
    places = len(text) - text.index(".") - 1 if "." in text else 0  # the published decimals: `10.00` → 2
    if places > MAX_DECIMALS or not value.is_finite() or f"{float(value):.{places}f}" != text:
        return None
    return repr(float(value)).removesuffix(".0"), places


def column_letter(index: int) -> str:
    """`1` → `A`, `27` → `AA`."""
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def needs_escape(text: str) -> bool:
    return "_x" in text or _SPECIAL.search(text) is not None


def xml_text(text: str) -> str:
    """Text for an XML element: `&<>` escaped, `\\r` kept, characters XML cannot hold as `_xHHHH_`.

    A literal `_x0041_` in the text gets its `_` escaped (`_x005F_`), as Excel writes it,
    so that Excel does not decode it into `A` (openpyxl decodes neither).
    """
    if not needs_escape(text):
        return text
    text = _OOXML_ESCAPE.sub(lambda match: f"_x{ord(match.group()):04X}_", text)
    return escape(text, {"\r": "&#13;"})


def text_cells(letter: str, values: Sequence[Cell]) -> list[str]:
    """Cells of a text column; None gives no cell (a blank)."""
    head, preserve = f'<c r="{letter}{ROW}" t="inlineStr"><is><t', ' xml:space="preserve"'
    texts = list(filter(None, values)) if only(TEXT_TYPES, values) else None
    clean = texts is not None and not needs_escape("\n".join(texts))
    if clean and all(map(operator.is_, map(str.strip, texts), texts)):  # strip() returns the text itself if unchanged
        return ["" if value is None else f"{head}>{value}</t></is></c>" for value in values]  # the usual column
    cells = []
    for value in values:
        if value is None:
            cells.append("")
        elif not isinstance(value, str):
            cells.append(value_cell(letter, value))
        else:
            text = value if clean else xml_text(value)
            space = preserve if text != text.strip() else ""  # else Excel drops leading and trailing spaces
            cells.append(f"{head}{space}>{text}</t></is></c>")
    return cells


def value_cell(letter: str, value: Cell) -> str:
    """One cell of any type: integers and exact-enough figures as numbers, anything else as text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return text_cells(letter, [value])[0]
    if isinstance(value, Decimal):
        number = excel_number(value)
        if number is None:
            return text_cells(letter, [format_amount(value)])[0]
        return f'<c r="{letter}{ROW}" s="{FIRST_NUMBER_STYLE + number[1]}"><v>{number[0]}</v></c>'
    return f'<c r="{letter}{ROW}"><v>{int(value)}</v></c>'


def column_cells(letter: str, values: Sequence[Cell]) -> list[str]:
    """The cells of one column, fast paths for columns of only text or only integers."""
    if only(TEXT_TYPES, values):
        return text_cells(letter, values)
    if only(INTEGER_TYPES, values):
        return ["" if value is None else f'<c r="{letter}{ROW}"><v>{value}</v></c>' for value in values]
    return [value_cell(letter, value) for value in values]


def row_templates(table: Table) -> tuple[bytes, ...]:
    """Each data row as UTF-8 XML whose row number is `ROW`; see `numbered_rows`."""
    if not table.rows:
        return ()
    letters = [column_letter(index) for index in range(1, len(table.columns) + 1)]
    columns = [column_cells(letter, values) for letter, values in zip(letters, table.column_values(), strict=True)]
    return tuple(f'<row r="{ROW}">{"".join(cells)}</row>'.encode() for cells in zip(*columns, strict=True))


def numbered_rows(templates: Iterable[bytes], first: int) -> bytes:
    """Rows numbered from `first` on, as one XML fragment."""
    return b"".join(template.replace(ROW_BYTES, b"%d" % number) for number, template in enumerate(templates, first))


def header_row(table: Table) -> str:
    cells = "".join(
        f'<c r="{column_letter(index)}1" s="{HEADER_STYLE}" t="inlineStr"><is><t>{xml_text(column.label)}</t></is></c>'
        for index, column in enumerate(table.columns, start=1)
    )
    return f'<row r="1">{cells}</row>'


def display_text(value: Cell) -> str:
    return format_amount(value) if isinstance(value, Decimal) else "" if value is None else str(value)


def display_width(text: str) -> int:
    """Rough width in Excel units of the longest line: a Chinese character is two."""
    if "\n" in text:
        text = max(text.split("\n"), key=len)
    return len(text) if text.isascii() else len(text) + len(_NARROW.sub("", text))


def column_texts(values: Sequence[Cell]) -> set[str]:
    """The distinct texts a column shows. Text repeats (every row names its department and
    project), so it is measured once; numbers are not deduplicated as numbers, because
    Decimal("10") == Decimal("10.00") but they show differently."""
    if only(TEXT_TYPES, values) or only(INTEGER_TYPES, values):
        distinct = set(values)
        distinct.discard(None)
        return set(map(str, distinct))
    return {display_text(value) for value in values}


def column_width(texts: Iterable[str]) -> int:
    """The widest text's width plus a margin, at most MAX_WIDTH.

    A text is at most twice as wide as it is long, so the texts are measured longest first
    until no shorter one can be wider.
    """
    widest = 0
    for text in sorted(texts, key=len, reverse=True):
        if 2 * len(text) <= widest or widest + 2 >= MAX_WIDTH:
            break
        widest = max(widest, display_width(text))
    return min(MAX_WIDTH, widest + 2)


def column_widths(table: Table) -> list[int]:
    """Widths from the header and the first rows (all rows would be slow for a large table)."""
    return [
        column_width([column.label, *column_texts(values)])
        for column, values in zip(table.columns, table.column_values(WIDTH_SAMPLE_ROWS), strict=True)
    ]


def last_cell(table: Table, count: int) -> str:
    return f"{column_letter(len(table.columns))}{count + 1}"


def sheet_head(table: Table, count: int) -> str:
    """Everything of the worksheet before its `count` data rows: frozen header row, column widths, header.

    `table` needs only its first WIDTH_SAMPLE_ROWS rows (the widths are measured on them).
    """
    columns = "".join(
        f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
        for index, width in enumerate(column_widths(table), start=1)
    )
    return (
        f'{XML_DECLARATION}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f'<dimension ref="A1:{last_cell(table, count)}"/>'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{columns}</cols><sheetData>{header_row(table)}"
    )


def sheet_tail(table: Table, count: int) -> str:
    return (
        f'</sheetData><autoFilter ref="A1:{last_cell(table, count)}"/>'
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>'
    )


def styles_xml() -> str:
    formats = "".join(
        f'<numFmt numFmtId="{FIRST_CUSTOM_FORMAT + places}" formatCode="{number_format(places)}"/>'
        for places in range(MAX_DECIMALS + 1)
    )
    number_styles = "".join(
        f'<xf numFmtId="{FIRST_CUSTOM_FORMAT + places}" fontId="0" fillId="0" borderId="0" xfId="0" '
        'applyNumberFormat="1"/>'
        for places in range(MAX_DECIMALS + 1)
    )
    return (
        f'{XML_DECLARATION}<styleSheet xmlns="{MAIN_NS}">'
        f'<numFmts count="{MAX_DECIMALS + 1}">{formats}</numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{FIRST_NUMBER_STYLE + MAX_DECIMALS + 1}">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
        '<alignment vertical="top" wrapText="1"/></xf>'
        f"{number_styles}</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


def workbook_xml(tables: Sequence[Table], counts: Sequence[int]) -> str:
    sheets = "".join(
        f'<sheet name={quoteattr(table.label)} sheetId="{index}" r:id="rId{index}"/>'
        for index, table in enumerate(tables, start=1)
    )
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
        f"{escape(sheet_reference(table, count))}</definedName>"
        for index, (table, count) in enumerate(zip(tables, counts, strict=True))
    )
    return (
        f'{XML_DECLARATION}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><workbookPr/>'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{sheets}</sheets>"
        + (f"<definedNames>{filters}</definedNames>" if filters else "")
        + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )


def sheet_reference(table: Table, count: int) -> str:
    """`'项目'!$A$1:$W$16`: the table's range, for the hidden autofilter name Excel expects."""
    last = column_letter(len(table.columns))
    return "'" + table.label.replace("'", "''") + f"'!$A$1:${last}${count + 1}"


def workbook_rels_xml(count: int) -> str:
    relations = [
        f'<Relationship Id="rId{index}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{index}.xml"/>'
        for index in range(1, count + 1)
    ]
    relations.append(f'<Relationship Id="rId{count + 1}" Type="{REL_NS}/styles" Target="styles.xml"/>')
    return f'{XML_DECLARATION}<Relationships xmlns="{PACKAGE_REL_NS}">{"".join(relations)}</Relationships>'


def root_rels_xml() -> str:
    return (
        f'{XML_DECLARATION}<Relationships xmlns="{PACKAGE_REL_NS}">'
        f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{REL_NS}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    )


def content_types_xml(count: int) -> str:
    office = "application/vnd.openxmlformats-officedocument"
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{index}.xml" ContentType="{SHEET_TYPE}"/>'
        for index in range(1, count + 1)
    )
    return (
        f'{XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{office}.spreadsheetml.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{office}.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml"'
        ' ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{office}.extended-properties+xml"/>'
        f"{sheets}</Types>"
    )


def core_xml(date: datetime) -> str:
    stamp = date.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"{XML_DECLARATION}<cp:coreProperties"
        ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(TITLE)}</dc:title><dc:creator>{escape(CREATOR)}</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def app_xml() -> str:
    return (
        f'{XML_DECLARATION}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        f"<Application>{escape(CREATOR)}</Application></Properties>"
    )


def xlsx_from_rows(tables: Sequence[Table], rows: Sequence[Iterable[Sequence[bytes]]], date: datetime | None) -> bytes:
    """The workbook of `tables`, whose data rows are given as row templates (`row_templates`).

    `rows[i]` holds the templates of table i in pieces (e.g. one per department); each piece
    is numbered on from the last and compressed on its own (`rows_piece`), as a build joins them.
    """
    sheets: list[list[Compressed]] = []
    counts = []
    for templates in rows:
        first, pieces = 2, []
        for piece in templates:
            pieces.append(rows_piece(piece, first))
            first += len(piece)
        sheets.append(pieces)
        counts.append(first - 2)
    buffer = io.BytesIO()
    write_xlsx(buffer, tables, counts, [lambda pieces=pieces: pieces for pieces in sheets], date)
    return buffer.getvalue()


def rows_piece(templates: Sequence[bytes], first: int) -> Compressed:
    """Rows numbered from `first` on, compressed so that pieces concatenate (`zipstream.deflate_piece`)."""
    return deflate_piece(numbered_rows(templates, first), COMPRESSION_LEVEL)


def write_xlsx(
    file: BinaryIO,
    tables: Sequence[Table],
    counts: Sequence[int],
    sheets: Sequence[Callable[[], Iterable[Compressed]]],
    date: datetime | None,
) -> None:
    """The workbook into `file`, each sheet streamed from its compressed row pieces (`rows_piece`).

    `tables` need only their first rows (column widths), `counts` are the sheets' numbers of
    data rows, and `sheets[i]()` gives sheet i's pieces in order, numbered from row 2 on; it is
    called twice (the sizes and CRC first, then the bytes), so no sheet is ever in memory whole.
    """
    date = max(date or NO_DATE, NO_DATE)
    parts = {
        "[Content_Types].xml": content_types_xml(len(tables)),
        "_rels/.rels": root_rels_xml(),
        "docProps/app.xml": app_xml(),
        "docProps/core.xml": core_xml(date),
        "xl/workbook.xml": workbook_xml(tables, counts),
        "xl/_rels/workbook.xml.rels": workbook_rels_xml(len(tables)),
        "xl/styles.xml": styles_xml(),
    }
    members = [deflated(name, text.encode(), COMPRESSION_LEVEL) for name, text in parts.items()]
    for index, (table, count, pieces) in enumerate(zip(tables, counts, sheets, strict=True), start=1):
        members.append(sheet_member(f"xl/worksheets/sheet{index}.xml", table, count, pieces))
    write_zip(file, members, date.timetuple()[:6], ZIP_ATTRIBUTES)


def sheet_member(name: str, table: Table, count: int, pieces: Callable[[], Iterable[Compressed]]) -> Member:
    """A worksheet: its head, the row pieces (empty ones left out), its tail, as one deflate stream."""
    head = deflate_piece(sheet_head(table, count).encode(), COMPRESSION_LEVEL)
    tail = deflate_piece(sheet_tail(table, count).encode(), COMPRESSION_LEVEL)
    crc, size, length = head.crc, head.size, len(head.data) + len(FINAL_BLOCK)
    for piece in [*(piece for piece in pieces() if piece.size), tail]:  # sizes and CRC only: no bytes kept
        crc, size, length = (
            crc32_combine(crc, piece.crc, piece.size, piece.shift),
            size + piece.size,
            length + len(piece.data),
        )

    def chunks() -> Iterator[bytes]:
        yield head.data
        yield from (piece.data for piece in pieces() if piece.size)
        yield tail.data + FINAL_BLOCK

    return Member(name, DEFLATED, crc, size, length, chunks())


def xlsx_bytes(tables: Iterable[Table], date: datetime | None = None) -> bytes:
    """One sheet per table, named by its Chinese label; `date` (SOURCE_DATE_EPOCH) dates the file."""
    tables = list(tables)
    return xlsx_from_rows(tables, [[row_templates(table)] for table in tables], date)
