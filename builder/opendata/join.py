"""Write a year's and the whole site's downloads from the departments' cached pieces, one block at a time.

The pieces (builder/opendata/pieces.py) are made once per changed department, and joined once
per block of about fifty departments (builder/opendata/blocks.py); here the blocks are
streamed into the joined files: CSV rows and JSON pieces are concatenated, XLSX sheets are
concatenated compressed (each block's rows compressed at its place in the sheet), the
SQLite database is filled from each department's cached rows. Only one block's pieces
are in memory at a time, whatever the number of departments. The bytes are those
`export.export_files` gives (tests/test_export_assembly.py).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from ..data.schema import schema_text
from ..pipeline.fingerprint import content_hasher, content_sha256, file_sha256
from ..site.paths import data_files
from .blocks import Block, block_starts, placement
from .export import Scope, csv_kind
from .pieces import ARCHIVE_LEVEL, JSON_SEPARATOR, TABLE_NAMES, Placement, sheet_starts
from .tables import TABLE_COLUMNS, TABLE_LABELS, Cell, Table
from .to_csv import csv_document
from .to_json import document_frame, json_document
from .to_sqlite import Copied, join_databases, table_extents
from .to_xlsx import WIDTH_SAMPLE_ROWS, write_xlsx
from .zipstream import DEFLATED, FINAL_BLOCK, Compressed, Member, crc32_combine, deflate_piece

Known = dict[str, tuple[int, str]]  # path → (size, SHA-256 hex)
Made = dict[tuple[str, ...], dict[str, tuple[str, int, str]]]  # blocks' keys → kind → (path, size, SHA-256)


class HashedFile:
    """A file being written, its size and SHA-256 taken as it goes (no second reading)."""

    def __init__(self, file: BinaryIO) -> None:
        self.file, self.sha, self.size = file, content_hasher(), 0

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.sha.update(data)
        self.size += len(data)

    @property
    def known(self) -> tuple[int, str]:
        return self.size, self.sha.hexdigest()


def write_scope_files(scope: Scope, blocks: list[Block], folder: Path, date: datetime | None, earlier: Made) -> Known:
    """The scope's CSV, JSON and XLSX files under `folder`, from its departments' blocks; a scope of the same
    blocks as one in `earlier` (the site and its only year) links to that one's files. Returns the files' sizes
    and SHA-256."""
    paths = data_files(scope.year, scope.slug)
    kinds = [*(csv_kind(name) for name in TABLE_NAMES), "json", "xlsx"]
    same = tuple(block.key for block in blocks)
    if same in earlier:
        return {paths[kind]: _link(folder, earlier[same][kind], paths[kind]) for kind in kinds}
    for kind in kinds:
        (folder / paths[kind]).parent.mkdir(parents=True, exist_ok=True)
    known, counts, samples = _write_texts(blocks, {kind: folder / paths[kind] for kind in kinds[:-1]})
    with (folder / paths["xlsx"]).open("wb") as file:
        out = HashedFile(file)
        _write_xlsx(out, blocks, counts, samples, date)
    by_kind = {**known, "xlsx": out.known}
    earlier[same] = {kind: (paths[kind], *by_kind[kind]) for kind in kinds}
    return {paths[kind]: by_kind[kind] for kind in kinds}


def _link(folder: Path, made: tuple[str, int, str], target: str) -> tuple[int, str]:
    """A file this job made, under the name `target` too: a hard link (a site of one year has its year's files,
    560 MB at 3 000 departments, that a copy wrote again after every edit), a copy where links are not possible.

    Safe to share: nothing writes into a published file; a later build replaces either name with a new file."""
    source, size, sha = made
    (folder / target).parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(folder / source, folder / target)
    except OSError:
        shutil.copyfile(folder / source, folder / target)
    return size, sha


BlockCounts = list[tuple[tuple[int, ...], ...]]  # each block's members' row counts


def _write_texts(
    blocks: list[Block], targets: dict[str, Path]
) -> tuple[dict[str, tuple[int, str]], BlockCounts, dict[str, list[tuple[Cell, ...]]]]:
    """The CSV and JSON files, in one pass over the blocks; their row counts and the first rows of each table."""
    counts: BlockCounts = []
    samples: dict[str, list[tuple[Cell, ...]]] = {name: [] for name in TABLE_NAMES}
    with ExitStack() as stack:
        outs = {kind: HashedFile(stack.enter_context(path.open("wb"))) for kind, path in targets.items()}
        for name in TABLE_NAMES:
            outs[csv_kind(name)].write(csv_document(TABLE_COLUMNS[name], []))
        head, tail = document_frame()
        outs["json"].write(head if blocks else json_document([]))
        for number, block in enumerate(blocks):
            text = block.text()
            for name in TABLE_NAMES:
                outs[csv_kind(name)].write(text.csv[name])
                if len(samples[name]) < WIDTH_SAMPLE_ROWS:
                    samples[name].extend(text.sample[name][: WIDTH_SAMPLE_ROWS - len(samples[name])])
            outs["json"].write((JSON_SEPARATOR if number else b"") + text.json)
            counts.append(text.counts)
        if blocks:
            outs["json"].write(tail)
    return {kind: out.known for kind, out in outs.items()}, counts, samples


def sample_tables(samples: dict[str, list[tuple[Cell, ...]]]) -> list[Table]:
    """The tables with only their first rows: what a sheet's head is measured on."""
    return [Table(name, TABLE_LABELS[name], TABLE_COLUMNS[name], tuple(samples[name])) for name in TABLE_NAMES]


def _write_xlsx(
    out: HashedFile,
    blocks: list[Block],
    counts: BlockCounts,
    samples: dict[str, list[tuple[Cell, ...]]],
    date: datetime | None,
) -> None:
    starts = block_starts(counts)
    totals = [sum(member[index] for block in counts for member in block) for index in range(len(TABLE_NAMES))]

    def sheet(index: int) -> Iterator[Compressed]:
        name = TABLE_NAMES[index]
        for block, first, members in zip(blocks, starts, counts, strict=True):
            if any(member[index] for member in members):
                yield block.sheet(name, first, members)

    sheets = [lambda index=index: sheet(index) for index in range(len(TABLE_NAMES))]
    write_xlsx(out, sample_tables(samples), totals, sheets, date)  # type: ignore[arg-type]


def sheets_wanted(counts: list[tuple[int, ...]]) -> list[Placement]:
    """For each department of a workbook, the (table, first row) pieces it takes: none for a table it has no rows in.

    The workbook is read as one block starting at row 2, so that this is the placement `Block.sheet` asks for."""
    whole = (2,) * len(TABLE_NAMES)
    return [placement(whole, start, count) for start, count in zip(sheet_starts(counts), counts, strict=True)]


Layout = list[tuple[str, tuple[int, ...]]]  # a site database's blocks in order: each one's key and rows in each table


@dataclass(frozen=True)
class EarlierDatabase:
    """The last build's site database, intact as its manifest says, and how its rows lie (`write_site_database`)."""

    path: Path
    layout: Layout


def write_site_database(
    scope: Scope, blocks: list[Block], folder: Path, date: datetime | None, earlier: EarlierDatabase | None = None
) -> tuple[Known, Layout]:
    """The site's SQLite database from the blocks' cached rows, and the JSON Schema; how its rows lie, by block.

    The rows of a block that `earlier` holds are copied from it by SQLite (`Copied`), not unpickled and inserted
    again: after an edit, one block's rows are inserted, the others copied; the file has the same bytes.
    """
    paths = data_files(scope.year, scope.slug)
    database = folder / paths["sqlite"]
    database.parent.mkdir(parents=True, exist_ok=True)
    tables = sample_tables({name: [] for name in TABLE_NAMES})
    reused = _reusable_blocks(earlier, {block.key for block in blocks})
    made: dict[str, list[int]] = {}
    try:
        attached = earlier.path if reused and earlier is not None else None
        join_databases(database, tables, lambda index: _site_rows(blocks, index, reused, made), date, attached)
    except sqlite3.Error:
        if not reused:
            raise
        reused = {}  # the earlier database failed to read (damaged beyond what its counts tell): rows from the store
        join_databases(database, tables, lambda index: _site_rows(blocks, index, reused, made), date)
    layout = [(block.key, reused[block.key][1] if block.key in reused else tuple(made[block.key])) for block in blocks]
    schema = schema_text().encode("utf-8")
    (folder / paths["schema"]).write_bytes(schema)
    known = {
        paths["sqlite"]: (database.stat().st_size, file_sha256(database)),
        paths["schema"]: (len(schema), content_sha256(schema)),
    }
    return known, layout


def _reusable_blocks(earlier: EarlierDatabase | None, wanted: set[str]) -> dict[str, tuple[tuple[int, ...], ...]]:
    """The blocks of `earlier` that are wanted again: key → (first rowid, rows) in each table; none when the
    database does not hold exactly the rows its layout says (rowids 1 to n in each table, as a build writes them)."""
    if earlier is None or not wanted & {key for key, _ in earlier.layout}:
        return {}
    totals = [sum(counts[index] for _, counts in earlier.layout) for index in range(len(TABLE_NAMES))]
    if table_extents(earlier.path, TABLE_NAMES) != [(total, total) for total in totals]:
        return {}
    reused = {}
    at = [1] * len(TABLE_NAMES)
    for key, counts in earlier.layout:
        if key in wanted:
            reused[key] = (tuple(at), tuple(counts))
        at = [first + count for first, count in zip(at, counts, strict=True)]
    return reused


def _site_rows(
    blocks: list[Block], index: int, reused: dict[str, tuple[tuple[int, ...], ...]], made: dict[str, list[int]]
) -> Iterator[list[tuple[str | int | None, ...]] | Copied]:
    """Table `index`'s rows, block by block: a reused block's as a range of the earlier database (runs of them
    joined into one range), another's from the store (its row count noted in `made`)."""
    run: list[int] = []
    for block in blocks:
        if block.key not in reused:
            if run:
                yield Copied(*run)
                run = []
            rows = block.sqlite(TABLE_NAMES[index])
            made.setdefault(block.key, [0] * len(TABLE_NAMES))[index] = len(rows)
            yield rows
            continue
        firsts, counts = reused[block.key]
        if not counts[index]:
            continue
        if run and run[1] + 1 == firsts[index]:
            run[1] += counts[index]
        else:
            if run:
                yield Copied(*run)
            run = [firsts[index], firsts[index] + counts[index] - 1]
    if run:
        yield Copied(*run)


def archive_member(name: str, kind: str, blocks: list[Block]) -> Member:
    """A year file (`kind`: a CSV kind or `json`) as a deflated zip member joined from the departments'
    archive pieces, by blocks: the same bytes as the file, compressed without compressing anything again."""
    if kind == "json":
        head, tail = document_frame() if blocks else (json_document([]), b"")
    else:
        table = next(name for name in TABLE_NAMES if csv_kind(name) == kind)
        head, tail = csv_document(TABLE_COLUMNS[table], []), b""
    separator = deflate_piece(JSON_SEPARATOR, ARCHIVE_LEVEL)

    def parts() -> Iterator[Compressed]:
        yield deflate_piece(head, ARCHIVE_LEVEL)
        for number, block in enumerate(blocks):
            if kind == "json" and number:
                yield separator
            piece = block.archive(kind)
            if piece.size:
                yield piece
        if tail:
            yield deflate_piece(tail, ARCHIVE_LEVEL)

    crc, size, length = 0, 0, len(FINAL_BLOCK)
    for piece in parts():  # sizes and CRC first, no bytes kept
        crc, size = crc32_combine(crc, piece.crc, piece.size, piece.shift), size + piece.size
        length += len(piece.data)

    def chunks() -> Iterator[bytes]:
        yield from (piece.data for piece in parts())
        yield FINAL_BLOCK

    return Member(name, DEFLATED, crc, size, length, chunks())
