"""Write the open-data downloads (per department, per year, whole site); site/downloads.py lists them.

Every file is made in memory first, so an error leaves nothing half-written; the
same data give the same bytes (no dates unless SOURCE_DATE_EPOCH is set).

A year's and the whole site's files hold every department's rows again. Each
department's rows are therefore written once per format (`encode`: CSV rows, XLSX row
templates, its JSON object) and a scope's files join those pieces (`join_encoded`),
as `concat` joins the departments' tables. In a build the pieces of the year's and the
site's files are joined from each department's pieces kept in the store instead
(builder/opendata/pieces.py, builder/opendata/join.py), with the same bytes.
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path, PurePosixPath

from ..data.load import LoadedDepartment
from ..data.schema import schema_text
from ..pipeline.fingerprint import content_sha256
from ..site.paths import data_files
from .tables import TABLE_COLUMNS, Table, build_tables, concat
from .to_csv import csv_document, csv_rows
from .to_json import department_piece, json_document
from .to_sqlite import ExportError, prepare, sqlite_bytes
from .to_xlsx import row_templates, xlsx_from_rows

CHECKSUMS = "SHA256SUMS"


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while exporting, then restore it.

    The export allocates millions of short-lived tuples and strings (no cycles: reference
    counting frees them). Each allocation burst makes the collector walk every live object,
    including all loaded departments, so at 500 departments it cost about a fifth of the time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def source_date() -> datetime | None:
    """SOURCE_DATE_EPOCH as a naive UTC datetime (reproducible builds), else None."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return datetime.fromtimestamp(int(epoch), UTC).replace(tzinfo=None) if epoch.isdecimal() else None


@dataclass(frozen=True)
class Scope:
    """A set of departments published together: the whole site, one year, or one department."""

    year: int | None
    slug: str | None
    departments: list[LoadedDepartment]


def scopes(loaded_list: list[LoadedDepartment]) -> list[Scope]:
    """The whole site, then each year, then each department, in year and slug order."""
    years = sorted({loaded.head.year for loaded in loaded_list})
    by_year = [Scope(year, None, [x for x in loaded_list if x.head.year == year]) for year in years]
    singles = [Scope(x.head.year, x.source.slug, [x]) for x in loaded_list]
    return [Scope(None, None, loaded_list), *by_year, *singles]


def sorted_departments(loaded_list: Iterable[LoadedDepartment]) -> list[LoadedDepartment]:
    """Year, then slug; ExportError when two files would publish under the same address."""
    ordered = sorted(loaded_list, key=lambda loaded: (loaded.head.year, loaded.source.slug))
    for first, second in pairwise(ordered):
        if (first.head.year, first.source.slug) == (second.head.year, second.source.slug):
            raise ExportError(
                f"{first.source.path} 与 {second.source.path} 的年度和部门代号相同 — 请把其中一个文件改名"
            )
    return ordered


@dataclass(frozen=True)
class Encoded:
    """Departments' rows already written in each format, in pieces that concatenate.

    `csv` and `xlsx` map a table name to pieces of CSV rows (`csv_rows`) and of XLSX row
    templates (`row_templates`); `json` holds one piece per department (`department_piece`).
    """

    csv: dict[str, tuple[bytes, ...]]
    xlsx: dict[str, tuple[tuple[bytes, ...], ...]]
    json: tuple[bytes, ...]


def encode(tables: dict[str, Table], departments: Sequence[LoadedDepartment], site_url: str = "") -> Encoded:
    """The pieces of these departments, whose tables are `tables` (`build_tables`)."""
    return Encoded(
        csv={name: (csv_rows(table),) for name, table in tables.items()},
        xlsx={name: (row_templates(table),) for name, table in tables.items()},
        json=tuple(department_piece(loaded, site_url) for loaded in departments),
    )


def csv_kind(table_name: str) -> str:
    """The kind of a table's CSV file: `spending_plan` → `spending-plan.csv`."""
    return f"{table_name.replace('_', '-')}.csv"


def join_encoded(parts: Iterable[Encoded]) -> Encoded:
    """The pieces of several sets of departments as one set, in the order given."""
    parts = list(parts)
    return Encoded(
        csv={name: tuple(piece for part in parts for piece in part.csv[name]) for name in TABLE_COLUMNS},
        xlsx={name: tuple(piece for part in parts for piece in part.xlsx[name]) for name in TABLE_COLUMNS},
        json=tuple(piece for part in parts for piece in part.json),
    )


def scope_contents(
    scope: Scope,
    tables: dict[str, Table],
    site_url: str,
    date: datetime | None,
    encoded: Encoded | None = None,
) -> dict[str, bytes]:
    """The files every scope has, by kind (`xlsx`, `projects.csv`, `json`, …).

    `tables` are the scope's tables; `encoded`, when given, their pieces (else they are encoded here).
    """
    if encoded is None:
        encoded = encode(tables, scope.departments, site_url)
    contents = {"xlsx": xlsx_from_rows(list(tables.values()), [encoded.xlsx[name] for name in tables], date)}
    for name, table in tables.items():
        contents[csv_kind(name)] = csv_document(table.columns, encoded.csv[name])
    contents["json"] = json_document(encoded.json)
    if scope.year is None:
        contents.update(site_contents(tables, date))
    return contents


def site_contents(tables: dict[str, Table], date: datetime | None) -> dict[str, bytes]:
    """The files only the whole site has: the SQLite database and the JSON Schema."""
    return {
        "sqlite": sqlite_bytes([prepare(table) for table in tables.values()], date),
        "schema": schema_text().encode("utf-8"),
    }


def scope_files_and_digests(scope: Scope, contents: dict[str, bytes]) -> tuple[dict[str, bytes], dict[str, str]]:
    """The scope's files by path from the site root, with its SHA256SUMS, and the SHA-256 (hex) of each, hashed once."""
    paths = data_files(scope.year, scope.slug)
    files = {paths[kind]: data for kind, data in contents.items() if kind in paths}
    digests = {path: content_sha256(data) for path, data in files.items()}
    files[paths["checksums"]] = checksums_text(digests)
    digests[paths["checksums"]] = content_sha256(files[paths["checksums"]])
    return files, digests


def checksums_text(digests: dict[str, str]) -> bytes:
    """`sha256sum` lines from the files' digests, sorted by file name."""
    lines = [f"{digest}  {PurePosixPath(path).name}\n" for path, digest in digests.items()]
    return "".join(sorted(lines, key=lambda line: line.split("  ", 1)[1])).encode("utf-8")


def scope_outputs(
    scope_list: Sequence[Scope], site_url: str, date: datetime | None
) -> Iterator[tuple[Scope, dict[str, bytes], dict[str, str]]]:
    """Each scope's files (`scope_files_and_digests`) and their SHA-256, one scope at a time.

    Every department's tables and pieces are made once for all the scopes, and scopes of
    the same departments (the whole site and its only year) share their files' contents.
    """
    keys = [tuple(id(loaded) for loaded in scope.departments) for scope in scope_list]
    departments = {id(loaded): loaded for scope in scope_list for loaded in scope.departments}
    with collector_paused():
        tables = {ident: build_tables([loaded], site_url) for ident, loaded in departments.items()}
        pieces = {ident: encode(tables[ident], [loaded], site_url) for ident, loaded in departments.items()}
    remaining = Counter(keys)
    made: dict[tuple[int, ...], dict[str, bytes]] = {}  # contents a later scope of the same departments reuses
    for scope, key in zip(scope_list, keys, strict=True):
        with collector_paused():
            contents = made.pop(key, None)
            scope_tables = concat(tables[part] for part in key)
            if contents is None:
                contents = scope_contents(
                    scope, scope_tables, site_url, date, join_encoded(pieces[part] for part in key)
                )
            elif scope.year is None and "sqlite" not in contents:
                contents = {**contents, **site_contents(scope_tables, date)}
            remaining[key] -= 1
            if remaining[key]:
                made[key] = contents
            files, digests = scope_files_and_digests(scope, contents)
        yield scope, files, digests


def write_scopes(
    scope_list: Sequence[Scope], site_url: str, date: datetime | None, folder: Path
) -> dict[str, tuple[int, str]]:
    """Make several scopes' files and write them under `folder` (the site root); {path: (size, SHA-256 hex)}.

    For a worker process: only the sizes and digests travel back. Each department's rows are
    encoded once for all the scopes (`scope_outputs`).
    """
    written: dict[str, tuple[int, str]] = {}
    for _, files, digests in scope_outputs(scope_list, site_url, date):
        written.update(write_files(folder, files, digests))
    return written


def write_files(folder: Path, files: dict[str, bytes], digests: dict[str, str]) -> dict[str, tuple[int, str]]:
    for relative, data in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return {relative: (len(data), digests[relative]) for relative, data in files.items()}


def export_files(loaded_list: Iterable[LoadedDepartment], site_url: str = "") -> dict[str, bytes]:
    """Every download as bytes, by path from the site root; nothing is written.

    The reference the build's files are checked against: the build writes the departments' files
    and keeps their pieces, and joins the year's and the site's files from them (builder/opendata/join.py);
    tests/test_export_assembly.py asserts the same bytes.
    """
    ordered, date = sorted_departments(loaded_list), source_date()
    return {
        path: data for _, files, _ in scope_outputs(scopes(ordered), site_url, date) for path, data in files.items()
    }


def scope_title(scope: Scope) -> str:
    if scope.year is None:
        return "全部年度"
    if scope.slug is None:
        return f"{scope.year} 年"
    return scope.departments[0].head.name
