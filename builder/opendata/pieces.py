"""Each department's pieces of the year's and the whole site's downloads, made once and kept in the store.

A year's and the site's files hold every department's rows again. Each department's share
of them is made once, when the department (or the builder code, or the site address)
changes, and kept in the store under the department's piece key (`piece_key`, namespace
`opendata`); builder/opendata/blocks.py joins them once per block of about fifty departments,
and builder/opendata/join.py assembles the year's and the site's files from the blocks by
streaming, one block at a time, so an edit encodes one department, joins one block, and the
corpus is never in memory. Per department, one entry for each of:

- `text`: its CSV rows and JSON piece as they stand in the joined files, its row counts and
  first rows (column widths), and its XLSX row templates (`to_xlsx.row_templates`);
- `sqlite`: its rows of each table as the database stores them (`to_sqlite.prepare`);
- `sheets`, once for each place (`Placement`) it has in a workbook (the year's, the site's):
  its rows of each sheet numbered from its first row there and compressed
  (`to_xlsx.rows_piece`). An edit that adds or removes rows remakes these for the
  departments after it, and only those;
- `archive`: its CSV rows and JSON piece compressed at the year archive's level, which
  builder/opendata/archives.py joins into the archive's members without compressing again.

Four or five files a department, not fifteen to nineteen, one per table and file: a fresh
build makes every one of them, and making a file costs more than what is in it (at 3 000
departments the store held 46 000 of them).

Pieces are raw deflate ended by a sync flush (builder/opendata/zipstream.py), so that they
concatenate. The bytes of a file do not depend on which pieces were cached: fresh and
incremental builds give the same files. Every entry is sealed with its CRC-32 and length
(`seal`): a damaged entry is a miss, and one found damaged (or missing) while joining is
deleted and `PiecesLost` raised, so that the caller plans again and it is made again.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..data.load import LoadedDepartment
from ..pipeline.fingerprint import code_fingerprint, digest
from ..pipeline.store import Store
from .export import Encoded, csv_kind, encode
from .tables import TABLE_COLUMNS, Cell, Table, build_tables
from .to_sqlite import prepare
from .to_xlsx import WIDTH_SAMPLE_ROWS, rows_piece
from .zipstream import Compressed, deflate_piece

NAMESPACE = "opendata"
TABLE_NAMES = tuple(TABLE_COLUMNS)
# The year archive's CSV and JSON members: zlib's default level, as zipfile compressed them.
ARCHIVE_LEVEL = 6
ARCHIVE_KINDS = (*(csv_kind(name) for name in TABLE_NAMES), "json")
_HEADER = struct.Struct("<IQI")  # a stored Compressed: CRC, size, shift
_SEAL = struct.Struct("<IQ")  # before a stored entry's bytes: their CRC-32 and length, checked when read
JSON_SEPARATOR = b",\n"  # between two departments' pieces in a JSON document


class PiecesLost(FileNotFoundError):
    """A piece the build counted on is missing or damaged in the store (its damaged entry is deleted):
    the caller plans again, which makes it again."""


def pieces_store(store: Store, work: Path) -> Store:
    """Where the pieces are kept: the build's store, or (no cache) a folder in the build's own work folder."""
    return store if store.root is not None else Store(work / "opendata-pieces")


def piece_key(department_key: str, site_url: str) -> str:
    """What a department's pieces are made from: its data (key), the builder code and the site address."""
    return digest("open-data-pieces", code_fingerprint(), site_url, department_key)


def row_counts(loaded: LoadedDepartment) -> tuple[int, ...]:
    """The department's rows in each table (TABLE_NAMES order), from its head: where the next one starts."""
    head = loaded.head
    return 1, head.projects, head.indicators, head.checkpoints


@dataclass(frozen=True)
class TextPiece:
    """A department's rows as text: CSV rows by table, its JSON piece, its row counts and first rows."""

    counts: tuple[int, ...]
    sample: dict[str, tuple[tuple[Cell, ...], ...]]
    csv: dict[str, bytes]
    json: bytes


# Where a department's rows lie in a workbook: (table, first row) for each table it has rows in (join.sheets_wanted).
Placement = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Wanted:
    """Which pieces of a department a build needs: its sheets at each of the `sheets` placements."""

    text: bool = False
    sqlite: bool = False
    archive: bool = False
    sheets: tuple[Placement, ...] = ()


def seal(data: bytes) -> bytes:
    """`data` with its CRC-32 and length before it: what `unseal` checks (an entry damaged on disk is a miss)."""
    return _SEAL.pack(zlib.crc32(data), len(data)) + data


def unseal(data: bytes | None) -> bytes | None:
    if data is None or len(data) < _SEAL.size:
        return None
    crc, length = _SEAL.unpack_from(data)
    body = data[_SEAL.size :]
    return body if len(body) == length and zlib.crc32(body) == crc else None


def pack(piece: Compressed) -> bytes:
    return seal(_HEADER.pack(piece.crc, piece.size, piece.shift) + piece.data)


def unpack_body(body: bytes) -> Compressed:
    crc, size, shift = _HEADER.unpack_from(body)
    return Compressed(crc, size, body[_HEADER.size :], shift)


def required(store: Store, entry: str, kind: str, value: object, what: str):  # type: ignore[no-untyped-def]
    """`value`, read from `entry`; None (missing or damaged): the entry is deleted and PiecesLost raised."""
    if value is None:  # made earlier in this build: gone if someone deleted the store meanwhile, or damaged
        store.delete(NAMESPACE, entry, kind)
        raise PiecesLost(f"open-data piece {what} ({entry}) is missing from the store or damaged")
    return value


class Pieces:
    """One department's pieces in `store`, under its piece key."""

    def __init__(self, store: Store, key: str) -> None:
        self.store, self.key = store, key

    def _entry(self, part: str) -> str:
        return digest(self.key, part)

    def _sheets(self, placement: Placement) -> str:
        return digest(self.key, "sheets", *(f"{table} {first}" for table, first in placement))

    def text(self) -> TextPiece:
        return self._pickled(self._entry("text"), "text", tuple)[0]

    def templates(self) -> dict[str, tuple[bytes, ...]]:
        return self._pickled(self._entry("text"), "text", tuple)[1]

    def sqlite(self, table: str) -> list[tuple[str | int | None, ...]]:
        return self._pickled(self._entry("sqlite"), "database rows", dict)[table]

    def sheet(self, table: str, placement: Placement) -> Compressed:
        return self._pickled(self._sheets(placement), f"sheets at {placement}", dict)[table]

    def archive(self, kind: str) -> Compressed:
        return self._pickled(self._entry("archive"), "archive", dict)[kind]

    def _pickled(self, entry: str, what: str, kind: type):  # type: ignore[no-untyped-def]
        value = self._get(entry)
        return required(self.store, entry, "pickle", value if isinstance(value, kind) else None, what)

    def _get(self, entry: str):  # type: ignore[no-untyped-def]
        """A sealed pickle (`seal`): None when missing or damaged; a flipped byte never reaches a file."""
        body = unseal(self.store.get_bytes(NAMESPACE, entry, "pickle"))
        try:
            return None if body is None else pickle.loads(body)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError, IndexError):
            return None

    def _put(self, entry: str, value: object) -> None:
        self.store.put_bytes(NAMESPACE, entry, seal(pickle.dumps(value, pickle.HIGHEST_PROTOCOL)), "pickle")

    def missing(self, wanted: Wanted, present: set[str]) -> Wanted:
        """What of `wanted` the store does not have; `present`: the names in the namespace (`Store.names`)."""

        def has(entry: str) -> bool:
            return f"{entry}.pickle" in present

        return Wanted(
            text=wanted.text and not has(self._entry("text")),
            sqlite=wanted.sqlite and not has(self._entry("sqlite")),
            archive=wanted.archive and not has(self._entry("archive")),
            sheets=tuple(placement for placement in wanted.sheets if not has(self._sheets(placement))),
        )

    def make(
        self, loaded: LoadedDepartment, site_url: str, wanted: Wanted, made: tuple[dict[str, Table], Encoded] | None
    ) -> None:
        """Make and store what `wanted` lists; `made`: the department's tables and encoding, if at hand.

        Sheets and archive alone (the department moved in a workbook; the year archive's step) are made from its
        stored text and row templates.
        """
        if wanted == Wanted():
            return
        stored = self._get(self._entry("text")) if made is None and (wanted.sheets or wanted.archive) else None
        if made is None and (wanted.text or wanted.sqlite or not isinstance(stored, tuple)):
            made = _encoded(loaded, site_url)
        if made is not None:
            templates = {name: tuple(t for piece in made[1].xlsx[name] for t in piece) for name in TABLE_NAMES}
            stored = (_text_piece(loaded, *made), templates)
            if wanted.text:
                self._put(self._entry("text"), stored)
            if wanted.sqlite:
                self._put(self._entry("sqlite"), {name: prepare(table).rows for name, table in made[0].items()})
        text, templates = stored  # type: ignore[misc]
        if wanted.archive:
            archive = {kind: deflate_piece(data, ARCHIVE_LEVEL) for kind, data in _archive_texts(text)}
            self._put(self._entry("archive"), archive)
        for placement in wanted.sheets:
            sheets = {table: rows_piece(templates[table], first) for table, first in placement}
            self._put(self._sheets(placement), sheets)


def _encoded(loaded: LoadedDepartment, site_url: str) -> tuple[dict[str, Table], Encoded]:
    tables = build_tables([loaded], site_url)
    return tables, encode(tables, [loaded], site_url)


def _text_piece(loaded: LoadedDepartment, tables: dict[str, Table], encoded: Encoded) -> TextPiece:
    counts = tuple(len(tables[name].rows) for name in TABLE_NAMES)
    if counts != row_counts(loaded):  # the rows' places in the workbooks are planned from `row_counts`
        raise AssertionError(f"{loaded.source.path}: rows {counts}, planned {row_counts(loaded)}")
    return TextPiece(
        counts=counts,
        sample={name: table.rows[:WIDTH_SAMPLE_ROWS] for name, table in tables.items()},
        csv={name: b"".join(encoded.csv[name]) for name in TABLE_NAMES},
        json=b"".join(encoded.json),
    )


def _archive_texts(text: TextPiece) -> Iterator[tuple[str, bytes]]:
    for name in TABLE_NAMES:
        yield csv_kind(name), text.csv[name]
    yield "json", text.json


def sheet_starts(counts: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """Where each department's rows start in each sheet of a workbook of these departments (row 1 is the header)."""
    starts, first = [], [2] * len(TABLE_NAMES)
    for department in counts:
        starts.append(tuple(first))
        first = [start + count for start, count in zip(first, department, strict=True)]
    return starts
