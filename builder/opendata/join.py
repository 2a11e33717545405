"""Write a year's and the whole site's downloads by joining the departments' own files, one department at a time.

A build writes (or reuses) every department's files first. Their CSV rows, JSON pieces and
XLSX rows are the pieces of the aggregate files (builder/opendata/export.py): they are read back
from those files and streamed into the aggregate ones, so editing one department encodes
that department alone, and no aggregate file is held in memory whole (the SQLite database
excepted: it is made from the departments' tables). The bytes are those `export_files`
gives; a department file not framed as written is encoded again instead of being trusted.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from ..data.load import LoadedDepartment
from ..pipeline.fingerprint import content_sha256, file_sha256
from ..site.paths import data_files
from .export import Scope, checksums_text, collector_paused, csv_kind, site_contents
from .tables import Table, build_tables, concat
from .to_csv import csv_document, csv_rows
from .to_json import department_piece, document_frame, json_document
from .to_xlsx import row_templates, templates_from_sheet, write_xlsx

Known = dict[str, tuple[int, str]]  # path → (size, SHA-256 hex)
Writer = Callable[[BinaryIO], None]
Locate = Callable[[str], Path]  # where a department's file (path from the site root) is read
_Written = dict[tuple[int, ...], dict[str, str]]  # departments → kind → path of a file already joined from them


class DepartmentFiles:
    """One department's pieces, from its files (where `locate` says), or encoded when a file is not as written."""

    def __init__(self, loaded: LoadedDepartment, tables: dict[str, Table], locate: Locate, site_url: str) -> None:
        self.loaded, self.tables, self.site_url = loaded, tables, site_url
        self.paths = {
            kind: locate(path) for kind, path in data_files(loaded.department.year, loaded.source.slug).items()
        }

    def csv(self, name: str) -> bytes:
        head = csv_document(self.tables[name].columns, [])
        data = _read(self.paths[csv_kind(name)])
        return data[len(head) :] if data is not None and data.startswith(head) else csv_rows(self.tables[name])

    def json(self) -> bytes:
        head, tail = document_frame()
        data = _read(self.paths["json"])
        if data is None or len(data) < len(head) + len(tail) or not (data.startswith(head) and data.endswith(tail)):
            return department_piece(self.loaded, self.site_url)
        return data[len(head) : len(data) - len(tail)]

    def xlsx(self, index: int, name: str) -> tuple[bytes, ...]:
        try:
            with zipfile.ZipFile(self.paths["xlsx"]) as archive:
                templates = templates_from_sheet(archive.read(f"xl/worksheets/sheet{index}.xml"))
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):
            templates = None
        if templates is None or len(templates) != len(self.tables[name].rows):
            return row_templates(self.tables[name])
        return templates


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def write_joined_scopes(
    scope_list: list[Scope], site_url: str, date: datetime | None, folder: Path, locate: Locate | None = None
) -> Known:
    """Write the site and year scopes under `folder`; their departments' files already are there, or where `locate`
    says (a file kept in the published site)."""
    written: Known = {}
    earlier: _Written = {}
    tables: dict[int, dict[str, Table]] = {}  # each department's tables, made once for all the scopes
    with collector_paused():
        for scope in scope_list:
            for loaded in scope.departments:
                if id(loaded) not in tables:
                    tables[id(loaded)] = build_tables([loaded], site_url)
    for scope in scope_list:
        parts = [tables[id(loaded)] for loaded in scope.departments]
        written.update(_write_scope(scope, parts, site_url, date, folder, earlier, locate or folder.joinpath))
    return written


def _write_scope(
    scope: Scope,
    tables: list[dict[str, Table]],
    site_url: str,
    date: datetime | None,
    folder: Path,
    earlier: _Written,
    locate: Locate,
) -> Known:
    """One scope's files; a file another scope of the same departments already has (the site's only year) is copied."""
    paths = data_files(scope.year, scope.slug)
    joined = concat(tables)  # the scope's tables: columns, row counts, first rows (column widths), the database
    departments = [
        DepartmentFiles(loaded, part, locate, site_url) for loaded, part in zip(scope.departments, tables, strict=True)
    ]
    same = earlier.setdefault(tuple(id(loaded) for loaded in scope.departments), {})
    writers: dict[str, Writer] = {
        "xlsx": lambda out: _write_xlsx(out, joined, departments, date),
        "json": lambda out: _write_json(out, departments),
    }
    writers.update({csv_kind(name): _csv_writer(name, joined[name], departments) for name in joined})
    digests: dict[str, str] = {}
    for kind, write in writers.items():
        target = folder / paths[kind]
        target.parent.mkdir(parents=True, exist_ok=True)
        if kind in same:
            shutil.copyfile(folder / same[kind], target)
        else:
            with target.open("wb") as out:
                write(out)
        same[kind] = paths[kind]
        digests[paths[kind]] = file_sha256(target)
    if scope.year is None:
        with collector_paused():
            for kind, data in site_contents(joined, date).items():
                (folder / paths[kind]).write_bytes(data)
                digests[paths[kind]] = content_sha256(data)
    checksums = checksums_text(digests)
    (folder / paths["checksums"]).write_bytes(checksums)
    digests[paths["checksums"]] = content_sha256(checksums)
    return {path: ((folder / path).stat().st_size, digest) for path, digest in digests.items()}


def _csv_writer(name: str, table: Table, departments: list[DepartmentFiles]) -> Writer:
    def write(out: BinaryIO) -> None:
        out.write(csv_document(table.columns, []))
        for department in departments:
            out.write(department.csv(name))

    return write


def _write_json(out: BinaryIO, departments: list[DepartmentFiles]) -> None:
    head, tail = document_frame()
    if not departments:
        out.write(json_document([]))
        return
    out.write(head)
    for number, department in enumerate(departments):
        out.write(b",\n" if number else b"")
        out.write(department.json())
    out.write(tail)


def _write_xlsx(
    out: BinaryIO, tables: dict[str, Table], departments: list[DepartmentFiles], date: datetime | None
) -> None:
    def pieces(index: int, name: str) -> Iterator[tuple[bytes, ...]]:
        for department in departments:
            yield department.xlsx(index, name)

    rows = [pieces(index, name) for index, name in enumerate(tables, start=1)]
    write_xlsx(out, list(tables.values()), rows, date)
