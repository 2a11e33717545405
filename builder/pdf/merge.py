"""Join the pieces of a PDF printed in parts (builder/pdf/split.py) into one document with pypdf.

The pages are taken as rendered (each piece already prints its own page numbers). The merged document gets:
the bookmarks of every piece, a run of 第二部分 projects nested under 第二部分; the named destinations of the
body pieces, so the 目录's links (which name their target) open the right page; the front piece's metadata
(title, author, subject, keywords, creation date from SOURCE_DATE_EPOCH), language and viewer settings.
The same pieces give the same bytes: pypdf writes no date or random file identifier of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    Destination,
    DictionaryObject,
    Fit,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)


@dataclass
class Bookmark:
    """One outline entry: its title, page index in the merged document and position, and its children."""

    title: str
    page: int
    left: float
    top: float
    children: list[Bookmark] = field(default_factory=list)


def merge_pieces(paths: list[Path], continued: list[bool], anchors: set[str]) -> bytes:
    """The pieces at `paths` as one PDF. A piece marked in `continued` carries on the last top-level bookmark
    (a run of projects after the first goes under 第二部分); `anchors` are the named destinations kept, taken from
    the piece where each is printed (the front piece only holds placeholders for them)."""
    writer = PdfWriter()
    outline: list[Bookmark] = []
    destinations: dict[str, tuple[int, float, float]] = {}
    front = PdfReader(paths[0])
    for index, path in enumerate(paths):
        reader = front if index == 0 else PdfReader(path)
        offset = len(writer.pages)
        for page in reader.pages:
            writer.add_page(page)
        marks = _bookmarks(reader, reader.outline, offset)
        if continued[index] and outline:
            outline[-1].children.extend(marks)
        else:
            outline.extend(marks)
        if index > 0:
            _collect_destinations(reader, offset, anchors, destinations)
    _write_outline(writer, outline, None)
    _write_destinations(writer, destinations)
    _copy_document_settings(front, writer)
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


def _bookmarks(reader: PdfReader, entries: list[object], offset: int) -> list[Bookmark]:
    marks: list[Bookmark] = []
    for entry in entries:
        if isinstance(entry, list):
            marks[-1].children.extend(_bookmarks(reader, entry, offset))
        elif isinstance(entry, Destination):
            page = reader.get_destination_page_number(entry) + offset
            marks.append(Bookmark(str(entry.title), page, float(entry.left or 0), float(entry.top or 0)))
    return marks


def _write_outline(writer: PdfWriter, marks: list[Bookmark], parent: object) -> None:
    for mark in marks:
        fit = Fit.xyz(left=mark.left, top=mark.top, zoom=0)
        item = writer.add_outline_item(title=mark.title, page_number=mark.page, parent=parent, fit=fit)  # type: ignore[arg-type]
        _write_outline(writer, mark.children, item)


def _collect_destinations(
    reader: PdfReader, offset: int, anchors: set[str], destinations: dict[str, tuple[int, float, float]]
) -> None:
    for name, destination in reader.named_destinations.items():
        if name in anchors and name not in destinations:
            page = reader.get_destination_page_number(destination) + offset
            destinations[name] = (page, float(destination.left or 0), float(destination.top or 0))


def _write_destinations(writer: PdfWriter, destinations: dict[str, tuple[int, float, float]]) -> None:
    """One name tree leaf, sorted by name as the PDF format requires, as WeasyPrint writes it."""
    names = ArrayObject()
    for name in sorted(destinations):
        page, left, top = destinations[name]
        reference = writer.pages[page].indirect_reference
        names.append(TextStringObject(name))
        names.append(ArrayObject([reference, NameObject("/XYZ"), FloatObject(left), FloatObject(top), NumberObject(0)]))
    tree = DictionaryObject({NameObject("/Dests"): DictionaryObject({NameObject("/Names"): names})})
    writer.root_object[NameObject("/Names")] = tree


def _copy_document_settings(front: PdfReader, writer: PdfWriter) -> None:
    """Metadata, language and viewer settings as the front piece has them (WeasyPrint's, from the print HTML)."""
    writer.metadata = None
    writer.add_metadata({key: value for key, value in (front.metadata or {}).items()})
    catalog = front.trailer["/Root"]
    for key in ("/Lang", "/PageMode"):
        if key in catalog:
            writer.root_object[NameObject(key)] = catalog[key]
    preferences = DictionaryObject({NameObject("/DisplayDocTitle"): BooleanObject(True)})
    writer.root_object[NameObject("/ViewerPreferences")] = preferences
