"""Blocks of about fifty departments' pieces, joined once and kept in the store: an edit re-joins one block.

The year's and the site's files are joined from every department's pieces
(builder/opendata/pieces.py). At a province's scale that is tens of thousands of small store
entries read after every edit. A second level of pieces cuts that: the departments of a file,
in its order, fall into blocks, and each block's share of the file (its CSV rows, its JSON
pieces, its rows of each XLSX sheet and of each database table, its compressed CSV and JSON of
the year archive) is
joined once from its departments' pieces and kept in the store under the block's key, made
from its members' piece keys. An edit changes one member's key, so one block is joined
again; the others are read as they are, one entry each.

Where a block ends depends on its last department's name alone (a hash of year and slug,
`ends_block`), not on its place: adding, removing or renaming a department changes its own
block, not every block after it. (A block is also cut at BLOCK_ROWS rows, so that large
departments make smaller blocks; such a cut moves with the rows until a name ends a block.)
A block's sheet rows are numbered from where the block starts in the workbook, so they are
kept by that row too (as a department's are): rows added before a block number its sheets
again from its members' pieces.

Joined bytes are the members' bytes one after another (compressed pieces concatenate,
`zipstream.concatenate`), so the files do not depend on which blocks were cached. Every
entry is sealed with its CRC-32 (`pieces.seal`): a damaged entry is a miss, made again.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass

from ..pipeline.fingerprint import digest
from .pieces import (
    ARCHIVE_LEVEL,
    JSON_SEPARATOR,
    NAMESPACE,
    TABLE_NAMES,
    Pieces,
    Placement,
    TextPiece,
    pack,
    seal,
    sheet_starts,
    unpack_body,
    unseal,
)
from .tables import Cell
from .to_xlsx import WIDTH_SAMPLE_ROWS
from .zipstream import Compressed, concatenate, deflate_piece

BLOCK_TARGET = 50  # departments in a block, on average
BLOCK_ROWS = 40_000  # rows of all tables in a block at most (a synthetic department of 15 projects has about 200)


def ends_block(name: str, target: int) -> bool:
    """Whether the department named `name` (`<year>/<slug>`) ends its block: one in `target` does."""
    return int(digest("open-data-block-end", name)[:8], 16) % target == 0


@dataclass(frozen=True)
class TextBlock:
    """A block's rows as text: each member's row counts, the first rows of each table, the CSV rows by
    table and the JSON pieces joined by JSON_SEPARATOR."""

    counts: tuple[tuple[int, ...], ...]
    sample: dict[str, tuple[tuple[Cell, ...], ...]]
    csv: dict[str, bytes]
    json: bytes

    @property
    def total(self) -> tuple[int, ...]:
        return tuple(sum(counts[index] for counts in self.counts) for index in range(len(TABLE_NAMES)))


@dataclass(frozen=True)
class Block:
    """Consecutive departments of a file, by their pieces; its entries are kept under `key`."""

    key: str
    members: tuple[Pieces, ...]

    @property
    def store(self):  # type: ignore[no-untyped-def]
        return self.members[0].store

    def text_entry(self) -> str:
        return digest(self.key, "text")

    def sheet_entry(self, table: str, first: int) -> str:
        return digest(self.key, "sheet", table, str(first))

    def archive_entry(self, kind: str) -> str:
        return digest(self.key, "archive", kind)

    def _found(self, entry: str) -> bytes | None:
        """The entry's bytes, checked; a damaged entry is deleted (then a miss: planned again if joining it fails)."""
        data = self.store.get_bytes(NAMESPACE, entry)
        body = unseal(data)
        if body is None and data is not None:
            self.store.delete(NAMESPACE, entry)
        return body

    def sqlite_entry(self, table: str) -> str:
        return digest(self.key, "sqlite", table)

    def sqlite(self, table: str) -> list[tuple[str | int | None, ...]]:
        """The block's rows of `table` as the database stores them, its members' rows one after another."""
        entry = self.sqlite_entry(table)
        found = self._found(entry)
        if found is not None:
            try:
                return pickle.loads(found)
            except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
                self.store.delete(NAMESPACE, entry)
        rows = [row for member in self.members for row in member.sqlite(table)]
        self.store.put_bytes(NAMESPACE, entry, seal(pickle.dumps(rows, pickle.HIGHEST_PROTOCOL)))
        return rows

    def text(self) -> TextBlock:
        """The block's text, joined from its members' and kept when the store lacks it."""
        found = self._found(self.text_entry())
        if found is not None:
            try:
                return pickle.loads(found)
            except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
                self.store.delete(NAMESPACE, self.text_entry())
        block = _joined_text([member.text() for member in self.members])
        self.store.put_bytes(NAMESPACE, self.text_entry(), seal(pickle.dumps(block, pickle.HIGHEST_PROTOCOL)))
        return block

    def sheet(self, table: str, first: tuple[int, ...], counts: Sequence[tuple[int, ...]]) -> Compressed:
        """The block's rows of `table` numbered from its row in `first` on (the block's first row in each sheet);
        `counts`: its members' row counts."""
        index = TABLE_NAMES.index(table)
        entry = self.sheet_entry(table, first[index])
        found = self._found(entry)
        if found is not None:
            return unpack_body(found)
        pieces = (
            member.sheet(table, placement(first, start, count))
            for member, start, count in zip(self.members, sheet_starts(list(counts)), counts, strict=True)
            if count[index]
        )
        piece = concatenate(piece for piece in pieces if piece.size)
        self.store.put_bytes(NAMESPACE, entry, pack(piece))
        return piece

    def archive(self, kind: str) -> Compressed:
        """The block's CSV rows (or JSON pieces, with their separators) compressed for the year archive."""
        entry = self.archive_entry(kind)
        found = self._found(entry)
        if found is not None:
            return unpack_body(found)
        separator = deflate_piece(JSON_SEPARATOR, ARCHIVE_LEVEL)
        pieces: list[Compressed] = []
        for number, member in enumerate(self.members):
            if kind == "json" and number:
                pieces.append(separator)
            piece = member.archive(kind)
            if piece.size:
                pieces.append(piece)
        piece = concatenate(pieces)
        self.store.put_bytes(NAMESPACE, entry, pack(piece))
        return piece


def placement(first: tuple[int, ...], start: tuple[int, ...], count: tuple[int, ...]) -> Placement:
    """Where a member lies in the workbook: its `start` in its block (sheet_starts) from the block's `first` rows,
    for each table it has rows in (`count`); join.sheets_wanted asks the same of a whole workbook."""
    return tuple(
        (name, block_first - 2 + member_start)
        for name, block_first, member_start, rows in zip(TABLE_NAMES, first, start, count, strict=True)
        if rows
    )


def _joined_text(texts: list[TextPiece]) -> TextBlock:
    sample: dict[str, tuple[tuple[Cell, ...], ...]] = {}
    for name in TABLE_NAMES:
        rows: list[tuple[Cell, ...]] = []
        for text in texts:
            if len(rows) >= WIDTH_SAMPLE_ROWS:
                break
            rows.extend(text.sample[name][: WIDTH_SAMPLE_ROWS - len(rows)])
        sample[name] = tuple(rows)
    return TextBlock(
        counts=tuple(text.counts for text in texts),
        sample=sample,
        csv={name: b"".join(text.csv[name] for text in texts) for name in TABLE_NAMES},
        json=JSON_SEPARATOR.join(text.json for text in texts),
    )


def plan_blocks(
    names: Sequence[str], pieces: Sequence[Pieces], rows: Sequence[int], target: int | None = None
) -> list[Block]:
    """The blocks of a file's departments (`names`: `<year>/<slug>`, in the file's order; `rows`: each one's rows
    in all tables). A block is also cut at twice `target` departments (a run of names that end none) and at
    BLOCK_ROWS rows (large departments), so that one block in memory stays small."""
    target = target or BLOCK_TARGET
    blocks: list[Block] = []
    current: list[Pieces] = []
    size = 0
    for name, piece, count in zip(names, pieces, rows, strict=True):
        current.append(piece)
        size += count
        if ends_block(name, target) or len(current) >= 2 * target or size >= BLOCK_ROWS:
            blocks.append(_block(current))
            current, size = [], 0
    if current:
        blocks.append(_block(current))
    return blocks


def _block(members: list[Pieces]) -> Block:
    return Block(digest("open-data-block", *(member.key for member in members)), tuple(members))


def block_starts(counts: Sequence[Sequence[tuple[int, ...]]]) -> list[tuple[int, ...]]:
    """Where each block's rows start in each sheet (`counts`: each block's members' row counts)."""
    totals = [tuple(sum(member[index] for member in block) for index in range(len(TABLE_NAMES))) for block in counts]
    return sheet_starts(totals)
