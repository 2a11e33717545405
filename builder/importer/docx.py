"""Turn a Word .docx 部门预算绩效文本 into the blocks the structure reader takes, then into a data-format dict.

The body is walked in document order (paragraphs, tables, content controls, text
boxes). A table cell is one block, placed on the table's grid: a vertically merged
continuation cell (`w:vMerge`) is printed empty ("same as above"), a horizontally
merged cell (`w:gridSpan`) appears once. The table of contents (a TOC field, TOC
styles, PAGEREF entries) is no data: its entries are set aside and compared with the
tables found.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from lxml import etree

from ..errors import ImportFailed
from .common import clean_cell
from .numbering import Numbering
from .structure.blocks import Block, ImportWarning
from .structure.document import parse_blocks
from .zipguard import check_docx

FAMILY = "Word 文档"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
MC_CHOICE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Choice"
PAGE_BREAK = "\f"
# Inside a TOC field, only what looks like an entry (`标题<tab>页码`) is taken for one: an unclosed field must
# not swallow the body.
TOC_ENTRY_END = re.compile(r"(\t|\.{2,}|…)\s*\S*\s*$|(\d+|书签。?)\s*$")
# Elements whose text is not printed (deleted or moved-away revisions, properties, field codes).
SKIPPED = {qn(tag) for tag in ("w:pPr", "w:rPr", "w:del", "w:moveFrom", "w:instrText", "w:delText", "w:tblPr")}
SKIPPED.add(MC_FALLBACK)
CONTAINERS = {qn(tag) for tag in ("w:sdt", "w:sdtContent", "w:customXml", "w:ins", "w:moveTo")}
CONTAINERS.add(MC_CHOICE)
# Characters inserted with Insert › Symbol (`<w:sym w:font="Symbol" w:char="F0B3"/>`), where ≥ and ≤ of a
# 指标值 often come from: the Symbol and Wingdings fonts' codes, as Unicode.
SYMBOL_FONT = dict(
    zip(b"\xb3\xa3\xb9\xb1\xb4\xb8\xbb\xb0\xd6\xae\xb7\xa5\x3e\x3c\x3d\x25\x2b\x2d", "≥≤≠±×÷≈°√→•∞><=%+−", strict=True)
)
WINGDINGS = {0xFC: "✓", 0xFB: "✗", 0xFE: "☑", 0xA8: "□", 0x6F: "□", 0xA1: "○", 0x9F: "•"}


def parse_docx(
    path: Path, *, region: str | None = None, department: str | None = None, source: str | None = None
) -> tuple[dict[str, Any], list[ImportWarning]]:
    """Read a .docx; return the department as a plain dict (model key order) and the warnings."""
    blocks = read_docx_blocks(path)
    return parse_blocks(blocks, family=FAMILY, region=region, department=department, source=source)


def _why_unreadable(error: Exception) -> str:
    """What python-docx's (English) error means for the person importing."""
    if isinstance(error, (PackageNotFoundError, zipfile.BadZipFile)):
        return "文件不是 .docx 的压缩包格式，可能是改了扩展名的其他文件"
    if isinstance(error, etree.XMLSyntaxError):
        return f"文件中的 XML 已损坏（第 {error.lineno} 行）"
    return "缺少 Word 文档应有的部件"


Notes = dict[tuple[str, str], str]  # a footnote's or endnote's text by (kind, id)
NOTE_PARTS = {"/word/footnotes.xml": "w:footnote", "/word/endnotes.xml": "w:endnote"}
NOTE_REFERENCES = {qn("w:footnoteReference"): "w:footnote", qn("w:endnoteReference"): "w:endnote"}


def open_body(path: Path) -> tuple[etree._Element, dict[str, str], Numbering, Notes]:
    """The body, the style names by id, the list numbering and the notes; a clear error for anything not a .docx."""
    if zipfile.is_zipfile(path):
        check_docx(path)  # bounded: zip bombs, entity bombs and broken parts are refused before python-docx
    try:
        document = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as error:
        raise ImportFailed(
            f"不是可读取的 Word .docx 文件（{_why_unreadable(error)}）——旧版 .doc 或 WPS 文件请先在 Word / WPS 中"
            "“另存为 .docx”"
        ) from None
    styles = {style.style_id: (style.name or "") for style in document.styles}
    try:
        numbering_xml = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        numbering_xml = None
    return document.element.body, styles, Numbering(numbering_xml, document.styles.element), _notes(document)


def _notes(document: Any) -> Notes:
    """Footnotes and endnotes, printed at the foot of a page or the end: read where they are referenced (their text
    was lost, leaving a bare `注：`). The parts passed `check_docx`; they are parsed without entities all the same."""
    notes: Notes = {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for part in document.part.package.iter_parts():
        kind = NOTE_PARTS.get(str(part.partname))
        if kind is None:
            continue
        for note in etree.fromstring(part.blob, parser).iter(qn(kind)):
            lines = ("".join(text.text or "" for text in line.iter(qn("w:t"))) for line in note.iter(qn("w:p")))
            text = " ".join(line.strip() for line in lines if line.strip())
            if text:
                notes[(kind, note.get(qn("w:id")) or "")] = text
    return notes


def read_docx_blocks(path: Path) -> list[Block]:
    body, styles, numbering, notes = open_body(path)
    reader = BodyReader(styles, numbering, notes)
    reader.read_container(body)
    return reader.blocks


@dataclass
class ParagraphText:
    """What one paragraph prints, the text boxes anchored in it, its field codes, and whether it is a TOC entry."""

    pieces: list[str] = field(default_factory=list)
    boxes: list[etree._Element] = field(default_factory=list)
    codes: str = ""
    in_toc: bool = False

    @property
    def printed(self) -> str:
        return "".join(self.pieces)


class BodyReader:
    """Walks the body in order, numbering paragraphs and tables as a person would count them."""

    def __init__(self, styles: dict[str, str], numbering: Numbering, notes: Notes | None = None) -> None:
        self.styles = styles
        self.numbering = numbering
        self.notes = notes or {}
        self.blocks: list[Block] = []
        self.paragraphs = 0
        self.tables = 0
        self.fields: list[str] = []  # instructions of the fields open at this point (nested fields)

    def read_container(self, element: etree._Element, toc: bool = False) -> None:
        for child in element:
            if child.tag == qn("w:p"):
                self.read_paragraph(child, toc)
            elif child.tag == qn("w:tbl"):
                self.read_table(child)
            elif child.tag in CONTAINERS:
                self.read_container(child, toc or _is_toc_control(child))

    def add(self, raw: str, is_cell: bool, place: str, **grid: Any) -> None:
        self.blocks.append(Block(len(self.blocks) + 1, raw, is_cell, place=place, **grid))

    # ── paragraphs ──

    def read_paragraph(self, paragraph: etree._Element, toc: bool) -> None:
        self.paragraphs += 1
        place = f"第 {self.paragraphs} 段"
        text = self.paragraph_text(paragraph)
        for box in text.boxes:
            self.read_container(box)
        toc = toc or (text.in_toc and bool(TOC_ENTRY_END.search(text.printed))) or "PAGEREF" in text.codes.upper()
        toc = toc or self.style_name(paragraph).lower().startswith("toc")
        for page in text.printed.split(PAGE_BREAK):
            for line in page.split("\n"):  # a line break starts a new printed line, as in the text export
                if clean_cell(line):
                    self.add(line, False, place, toc=toc)

    def paragraph_text(self, paragraph: etree._Element) -> ParagraphText:
        """The paragraph as printed, with the list number Word adds in front of it."""
        found = ParagraphText()
        self._walk(paragraph, found)
        number = self.numbering.label(paragraph, self.style_id(paragraph))
        if number:
            found.pieces.insert(0, number)
        return found

    def _walk(self, element: etree._Element, found: ParagraphText) -> None:
        for child in element:
            tag = child.tag
            if tag == qn("w:t"):
                found.pieces.append(child.text or "")
                found.in_toc = found.in_toc or self.in_toc_field()
            elif tag == qn("w:tab"):
                found.pieces.append("\t")
            elif tag in (qn("w:br"), qn("w:cr")):
                found.pieces.append(PAGE_BREAK if child.get(qn("w:type")) == "page" else "\n")
            elif tag == qn("w:noBreakHyphen"):
                found.pieces.append("-")
            elif tag == qn("w:sym"):
                found.pieces.append(_symbol(child.get(qn("w:font"), ""), child.get(qn("w:char"), "")))
            elif tag == qn("w:txbxContent"):
                found.boxes.append(child)
            elif tag in NOTE_REFERENCES:
                self.note(NOTE_REFERENCES[tag], child.get(qn("w:id")) or "", found)
            elif tag == qn("w:fldChar"):
                self.field_char(child.get(qn("w:fldCharType")))
            elif tag == qn("w:instrText"):
                self.field_code(child.text or "", found)
            elif tag == qn("w:fldSimple"):
                found.codes += child.get(qn("w:instr")) or ""
                self._walk(child, found)
            elif tag not in SKIPPED:
                self._walk(child, found)

    def note(self, kind: str, number: str, found: ParagraphText) -> None:
        """A note's text at its reference: after a bare `注：` as it reads, elsewhere in brackets (`（注：…）`)."""
        text = self.notes.get((kind, number))
        if text:
            before = found.printed.rstrip()
            found.pieces.append(text if not before or before.endswith(("注：", "注:")) else f"（注：{text}）")

    def field_code(self, code: str, found: ParagraphText) -> None:
        found.codes += code
        if self.fields:
            self.fields[-1] += code

    def field_char(self, kind: str | None) -> None:
        if kind == "begin":
            self.fields.append("")
        elif kind == "end" and self.fields:
            self.fields.pop()

    def in_toc_field(self) -> bool:
        return any(code.strip().upper().startswith("TOC") for code in self.fields)

    def style_id(self, paragraph: etree._Element) -> str:
        style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        return (style.get(qn("w:val")) if style is not None else None) or ""

    def style_name(self, paragraph: etree._Element) -> str:
        style_id = self.style_id(paragraph)
        return self.styles.get(style_id, style_id)

    # ── tables ──

    def read_table(self, table: etree._Element) -> None:
        """One block per cell, with its grid position; merged continuations print empty."""
        self.tables += 1
        number = self.tables
        for row_number, row in enumerate(_children(table, "w:tr"), start=1):
            column = _int(row.find(f"{qn('w:trPr')}/{qn('w:gridBefore')}"), 0)
            for cell_number, cell in enumerate(_children(row, "w:tc"), start=1):
                properties = cell.find(qn("w:tcPr"))
                span = _int(properties.find(qn("w:gridSpan")) if properties is not None else None, 1)
                if not _merged_continuation(properties, "w:hMerge"):
                    text = "" if _merged_continuation(properties, "w:vMerge") else self.cell_text(cell)
                    place = f"第 {number} 张表第 {row_number} 行第 {cell_number} 格"
                    self.add(text, True, place, table=number, row=row_number, column=column, span=span)
                column += span

    def cell_text(self, cell: etree._Element) -> str:
        """A cell's paragraphs, one per line (nested tables and text boxes included, in order)."""
        lines: list[str] = []
        for child in _children(cell, "w:p", "w:tbl"):
            if child.tag == qn("w:p"):
                text = self.paragraph_text(child)
                lines += [self.cell_text(box) for box in text.boxes]
                lines.append(text.printed.replace(PAGE_BREAK, "\n"))
            else:
                lines += [self.cell_text(inner) for row in _children(child, "w:tr") for inner in _children(row, "w:tc")]
        return "\n".join(lines)


def _children(element: etree._Element, *tags: str) -> Iterator[etree._Element]:
    """Child elements with one of `tags`, looking through content controls and custom XML wrappers."""
    wanted = {qn(tag) for tag in tags}
    for child in element:
        if child.tag in wanted:
            yield child
        elif child.tag in CONTAINERS:
            yield from _children(child, *tags)


def _merged_continuation(properties: etree._Element | None, tag: str) -> bool:
    """`<w:vMerge/>` (no value, or `continue`) continues the cell above; `restart` begins a merge."""
    merge = properties.find(qn(tag)) if properties is not None else None
    return merge is not None and merge.get(qn("w:val"), "continue") == "continue"


def _int(element: etree._Element | None, default: int) -> int:
    value = element.get(qn("w:val")) if element is not None else None
    return int(value) if value and value.isdecimal() else default


def _is_toc_control(element: etree._Element) -> bool:
    """A content control holding Word's built-in table of contents."""
    gallery = element.find(f"{qn('w:sdtPr')}/{qn('w:docPartObj')}/{qn('w:docPartGallery')}")
    return gallery is not None and "contents" in (gallery.get(qn("w:val")) or "").lower()


def _symbol(font: str, code: str) -> str:
    """The Unicode character for a Symbol or Wingdings code; anything else as its code point, for a person to see."""
    try:
        number = int(code, 16)
    except ValueError:
        return ""
    low = number - 0xF000 if number >= 0xF000 else number
    table = SYMBOL_FONT if font.lower() == "symbol" else WINGDINGS if font.lower().startswith("wingdings") else {}
    if low in table:
        return table[low]
    return chr(number) if number < 0xF000 else chr(low) if 0x20 <= low < 0x7F else chr(number)
