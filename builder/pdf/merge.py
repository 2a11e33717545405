"""Join the pieces of a PDF printed in parts (builder/pdf/split.py) into one document, with pikepdf (qpdf).

The pages are taken as rendered (each piece already prints its own page numbers). The merged document gets:
the bookmarks of every piece, a run of 第二部分 projects nested under 第二部分; the named destinations of the
body pieces, so the 目录's links (which name their target) open the right page; one tagged structure (what
screen readers and reflow use) made of the pieces' structures in order; the front piece's metadata (title,
author, subject, keywords, creation date from SOURCE_DATE_EPOCH), language and viewer settings.
qpdf packs the objects into compressed object streams, as WeasyPrint does, and derives the file identifier
from the content: the same pieces give the same bytes.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, NameTree, ObjectStreamMode, OutlineItem, PageLocation, Pdf


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
    merged = Pdf.new()
    outline: list[Bookmark] = []
    destinations: dict[str, tuple[int, float, float]] = {}
    structure = _Structure(merged)
    pieces = [Pdf.open(path) for path in paths]
    try:
        for index, piece in enumerate(pieces):
            offset = len(merged.pages)
            with warnings.catch_warnings():  # named destinations are rebuilt below, from every piece
                warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
                merged.pages.extend(piece.pages)
            structure.add(piece, [merged.pages[offset + number] for number in range(len(piece.pages))])
            marks = _bookmarks(piece, offset)
            if continued[index] and outline:
                outline[-1].children.extend(marks)
            else:
                outline.extend(marks)
            if index > 0:
                _collect_destinations(piece, offset, anchors, destinations)
        structure.write()
        _write_outline(merged, outline)
        _write_destinations(merged, destinations)
        _copy_document_settings(pieces[0], merged)
        output = BytesIO()
        merged.save(output, object_stream_mode=ObjectStreamMode.generate, deterministic_id=True)
        return output.getvalue()
    finally:
        for piece in pieces:
            piece.close()


class _Structure:
    """The tagged structure of the merged document: one Document element holding every piece's sections in
    order, and one parent tree, each piece's keys moved past the ones before."""

    def __init__(self, merged: Pdf) -> None:
        self.merged = merged
        self.kids = Array()
        self.numbers = Array()
        self.next_key = 0

    def add(self, piece: Pdf, pages: list[pikepdf.Page]) -> None:
        tree = piece.Root.get("/StructTreeRoot")
        if tree is None:
            return
        shift = self.next_key
        numbers = tree.ParentTree.Nums
        for position in range(0, len(numbers), 2):
            key = int(numbers[position]) + shift
            self.numbers.append(key)
            self.numbers.append(self._copy(numbers[position + 1]))
            self.next_key = max(self.next_key, key + 1)
        for page in pages:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + shift
            for annotation in page.obj.get("/Annots", Array()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + shift
        for document in _items(tree.K):
            for kid in _items(document.K):
                self.kids.append(self._copy(kid))

    def _copy(self, value: pikepdf.Object) -> pikepdf.Object:
        """A piece's object in the merged file: its pages and elements already copied are reused, not copied twice."""
        if isinstance(value, Array) and not value.is_indirect:
            return Array([self._copy(item) for item in value])
        if isinstance(value, pikepdf.Object) and value.is_indirect:
            return self.merged.copy_foreign(value)
        return value

    def write(self) -> None:
        if not len(self.kids):
            return
        root = self.merged.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        document = self.merged.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root))
        for kid in self.kids:
            if isinstance(kid, Dictionary):
                kid.P = document
        document.K = self.kids
        root.K = Array([document])
        root.ParentTree = self.merged.make_indirect(Dictionary(Nums=self.numbers))
        root.ParentTreeNextKey = self.next_key
        self.merged.Root.StructTreeRoot = root
        self.merged.Root.MarkInfo = Dictionary(Marked=True)


def _items(value: pikepdf.Object) -> list[pikepdf.Object]:
    return list(value) if isinstance(value, Array) else [value]


def _page_indexes(piece: Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: index for index, page in enumerate(piece.pages)}


def _bookmarks(piece: Pdf, offset: int) -> list[Bookmark]:
    pages = _page_indexes(piece)

    def convert(item: OutlineItem) -> Bookmark:
        page, _, left, top, _ = item.destination
        mark = Bookmark(str(item.title), pages[page.objgen] + offset, float(left), float(top))
        mark.children = [convert(child) for child in item.children]
        return mark

    with piece.open_outline() as outline:
        return [convert(item) for item in outline.root]


def _write_outline(merged: Pdf, marks: list[Bookmark]) -> None:
    def convert(mark: Bookmark) -> OutlineItem:
        item = OutlineItem(mark.title, mark.page, PageLocation.XYZ, left=mark.left, top=mark.top, zoom=0)
        item.children.extend(convert(child) for child in mark.children)
        return item

    with merged.open_outline() as outline:
        outline.root.extend(convert(mark) for mark in marks)
    merged.Root.Outlines.Count = sum(1 + _count(mark) for mark in marks)  # all open, as WeasyPrint writes them


def _count(mark: Bookmark) -> int:
    return sum(1 + _count(child) for child in mark.children)


def _collect_destinations(
    piece: Pdf, offset: int, anchors: set[str], destinations: dict[str, tuple[int, float, float]]
) -> None:
    if "/Names" not in piece.Root or "/Dests" not in piece.Root.Names:
        return
    pages = _page_indexes(piece)
    for name, destination in NameTree(piece.Root.Names.Dests).items():
        if name in anchors and name not in destinations:
            page, _, left, top, _ = destination
            destinations[name] = (pages[page.objgen] + offset, float(left), float(top))


def _write_destinations(merged: Pdf, destinations: dict[str, tuple[int, float, float]]) -> None:
    """One name tree leaf, sorted by name as the PDF format requires, as WeasyPrint writes it."""
    names = Array()
    for name in sorted(destinations):
        page, left, top = destinations[name]
        names.append(pikepdf.String(name))
        names.append(Array([merged.pages[page].obj, Name.XYZ, left, top, 0]))
    merged.Root.Names = Dictionary(Dests=Dictionary(Names=names))


def _copy_document_settings(front: Pdf, merged: Pdf) -> None:
    """Metadata, language and viewer settings as the front piece has them (WeasyPrint's, from the print HTML)."""
    if "/Info" in front.trailer:
        info = front.trailer.Info
        merged.trailer.Info = merged.make_indirect(Dictionary(dict(info.items())))
    for key in ("/Lang", "/PageMode"):
        if key in front.Root:
            merged.Root[key] = front.Root[key]
    if "/ViewerPreferences" in front.Root:
        preferences = front.Root.ViewerPreferences
        merged.Root.ViewerPreferences = Dictionary(dict(preferences.items()))
