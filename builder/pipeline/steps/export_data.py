"""Write the open-data downloads of every scope (site, year, department), reusing unchanged ones.

A scope's files are remade only when one of its departments, the builder code, the site
address or SOURCE_DATE_EPOCH changed: editing one department remakes that department's
files and the files of its year and of the whole site, nothing else.

Departments go to the workers in groups first: each writes its own files (when its scope is
to be remade) and, from the same encoding of its rows, its pieces of the year's and the
site's files that the store does not have yet (builder/opendata/pieces.py; the year
archive's pieces are made by pack_archives, which compressed them before too). Then the year and
site files are joined from blocks of about fifty departments' pieces (builder/opendata/blocks.py,
builder/opendata/join.py), the database in a job of its own beside the rest; a department makes
the pieces of a block only when the store lacks that block. An edit encodes the edited department
alone and joins its block again; a department whose rows moved in a workbook (one before it gained
rows) only has its sheets numbered again. The sizes and SHA-256 of the departments' reused files
are remembered in one store entry (`_remember`), not read from thousands of SHA256SUMS.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from ...data.load import LoadedDepartment
from ...opendata.blocks import Block, plan_blocks
from ...opendata.export import (
    Scope,
    checksums_text,
    collector_paused,
    encode,
    scope_contents,
    scope_files_and_digests,
    scope_title,
    scopes,
    sorted_departments,
    source_date,
    write_files,
)
from ...opendata.join import (
    EarlierDatabase,
    Layout,
    Made,
    sheets_wanted,
    write_scope_files,
    write_site_database,
)
from ...opendata.pieces import (
    NAMESPACE,
    TABLE_NAMES,
    Pieces,
    PiecesLost,
    Wanted,
    piece_key,
    pieces_store,
    row_counts,
    seal,
    sheet_starts,
    unseal,
)
from ...opendata.tables import build_tables
from ...site.paths import data_files
from ..context import Build
from ..fingerprint import code_fingerprint, content_sha256, digest, file_sha256
from ..outputs import Outputs
from ..progress import Stage
from ..store import Store
from ..workers import run_parallel

Known = dict[str, tuple[int, str]]  # path → (size, SHA-256 hex), for the 数据下载 page
_Shared = tuple[str, datetime | None, Path]
_Department = tuple["DepartmentWork", Scope, Pieces]  # fresh workers get their departments only
_Job = tuple[_Department, ...]
DEPARTMENTS_PER_JOB = 25
KNOWN_ENTRY = digest("open-data-known-checksums")  # the store entry of `_remember`
TITLE = "开放数据"


def wanted(b: Build) -> bool:
    return True


def total(b: Build) -> int:
    return len(plan_scopes(b.loaded, b.whole_site))


def run(b: Build, stage: Stage) -> None:
    """Every scope's files in the staging site; their sizes and SHA-256 for the 数据下载 page (`b.known`).

    The year's and the site's files are joined behind the next steps (`b.behind`): only the 数据下载 page
    needs them, and the pages step waits for them there (`finish`).
    """
    scopes = plan_scopes(b.loaded, b.whole_site)
    store = pieces_store(b.store, b.folders.work)
    made = make_open_data(scopes, b.data.keys, b.outputs, b.config.base_url, b.jobs, stage, store, b.behind)
    b.known, b.open_data_finish = made.known, made.finish


def finish(b: Build) -> None:
    """Wait for the year's and the site's files made behind the steps; their sizes join `b.known`."""
    if b.open_data_finish is not None:
        b.open_data_finish()
        b.open_data_finish = None


def scope_paths(scope: Scope) -> list[str]:
    return list(data_files(scope.year, scope.slug).values())


def scope_key(scope: Scope, keys: dict[Path, str], site_url: str, date: datetime | None) -> str:
    departments = [keys[loaded.source.path] for loaded in scope.departments]
    level = "site" if scope.year is None else ("year" if scope.slug is None else "department")
    return digest("open-data", code_fingerprint(), level, site_url, str(date), *departments)


def plan_scopes(loaded: list[LoadedDepartment], whole_site: bool) -> list[Scope]:
    """Every scope; a part of a split build makes only its departments' own files."""
    every = scopes(sorted_departments(loaded))
    return every if whole_site else [scope for scope in every if scope.slug is not None]


@dataclass(frozen=True)
class Started:
    """The files made so far (`known`); `finish()` adds the year's and the site's once made behind the caller."""

    known: Known
    finish: Callable[[], None]


def make_open_data(
    planned: list[Scope],
    keys: dict[Path, str],
    outputs: Outputs,
    site_url: str,
    jobs: int | None,
    stage: Stage,
    store: Store,
    behind: Executor | None = None,
) -> Started:
    """Write or reuse every scope's files in `outputs.staging`; each file's size and SHA-256 in `known`.

    The departments' pieces of the year's and the site's files are kept in `store`. With `behind`,
    the year's and the site's files are joined there while the caller goes on, and `finish()`
    waits for them; without, they are made here and `known` holds them all.
    """
    date = source_date()
    scope_keys = [scope_key(scope, keys, site_url, date) for scope in planned]
    known, todo, read = _reused(planned, scope_keys, outputs, stage, store)
    departments = {id(loaded): loaded for scope in planned for loaded in scope.departments}
    pieces = {
        ident: Pieces(store, piece_key(keys[loaded.source.path], site_url)) for ident, loaded in departments.items()
    }
    aggregate = [index for index in todo if planned[index].slug is None]
    blocks = {index: scope_blocks(planned[index], pieces) for index in aggregate}
    shared: _Shared = (site_url, date, outputs.staging)
    groups = _department_jobs(planned, _department_work(planned, todo, blocks, pieces), pieces)
    for job, written in run_parallel(_make_departments, groups, jobs, shared=shared, fresh=True):
        for item, _, _ in job:
            if item.write:
                for path in scope_paths(planned[item.scope]):
                    outputs.record(path, scope_keys[item.scope])
                stage.advance(1, item=scope_title(planned[item.scope]))
        known.update(written)
    if todo or read:
        _remember(store, planned, scope_keys, known)
    if not aggregate:
        return Started(known, lambda: None)
    stage.advance(len(aggregate), item=scope_title(planned[aggregate[-1]]))

    databases = {
        index: SiteDatabase(scope_keys[index], _earlier_database(outputs, planned[index]))
        for index in aggregate
        if planned[index].year is None
    }
    make = functools.partial(_make_aggregates, planned, blocks, jobs, shared, pieces, databases)
    result = _started(make, behind)

    def finish() -> None:
        known.update(result())
        for index in aggregate:
            for path in scope_paths(planned[index]):
                outputs.record(path, scope_keys[index])

    if behind is None:
        finish()
        return Started(known, lambda: None)
    return Started(known, finish)


def _reused(
    planned: list[Scope], scope_keys: list[str], outputs: Outputs, stage: Stage, store: Store
) -> tuple[Known, list[int], int]:
    """The sizes and SHA-256 of the scopes whose files are reused; the indices of the others, to make; how many
    reused scopes' SHA256SUMS were read (the others' checksums remembered in the store, `_remember`)."""
    known: Known = {}
    todo = []
    remembered = _remembered_entries(store)
    read = 0
    for index, scope in enumerate(planned):
        paths = scope_paths(scope)
        if outputs.reuse(paths, scope_keys[index]):
            checksums = _remembered(remembered.get(scope_keys[index]), paths, outputs)
            if checksums is None:
                checksums, read = _read_checksums(outputs, scope), read + 1
            known.update(checksums)
            stage.skip(1)
        else:
            todo.append(index)
    return known, todo, read


def _remembered(entry: object, paths: list[str], outputs: Outputs) -> Known | None:
    """A scope's sizes and SHA-256 as remembered, if they are for exactly its files and the sizes on record."""
    if not isinstance(entry, dict) or set(entry) != set(paths):
        return None
    known: Known = {}
    for path, value in entry.items():
        if not (isinstance(value, list) and len(value) == 2 and value[0] == outputs.entries[path].size):
            return None
        if not (isinstance(value[1], str) and len(value[1]) == 64):
            return None
        known[path] = (value[0], value[1])
    return known


def _remember(store: Store, planned: list[Scope], scope_keys: list[str], known: Known) -> None:
    """Each department's files' sizes and SHA-256 by its scope key, in one store entry: a later build that
    reuses the files reads them there, not from thousands of SHA256SUMS (a cache: the files' bytes follow from
    the key; a missing or stale entry only sends a build back to SHA256SUMS)."""
    entries = {
        scope_keys[index]: {path: list(known[path]) for path in scope_paths(scope)}
        for index, scope in enumerate(planned)
        if scope.slug is not None and all(path in known for path in scope_paths(scope))
    }
    store.put_bytes(NAMESPACE, KNOWN_ENTRY, seal(json.dumps(entries).encode()), "json")


def _remembered_entries(store: Store) -> dict:  # type: ignore[type-arg]
    """What `_remember` kept, checked by its seal (a damaged entry is none: never a wrong checksum)."""
    entries = _sealed_json(store, KNOWN_ENTRY)
    return entries if isinstance(entries, dict) else {}


def _sealed_json(store: Store, entry: str) -> object:
    """The JSON value a store entry sealed (`seal`); None when it is missing, damaged or no JSON."""
    body = unseal(store.get_bytes(NAMESPACE, entry, "json"))
    try:
        return json.loads(body) if body is not None else None
    except ValueError:
        return None


def _started(make: Callable[[], Known], behind: Executor | None) -> Callable[[], Known]:
    """`make` running in `behind` (or done here, without one); call the answer for its result."""
    if behind is not None:
        return behind.submit(make).result
    made = make()
    return lambda: made


@dataclass(frozen=True)
class DepartmentWork:
    """A department's part of the step: its own files (`write`) and the pieces the store lacks (`wanted`)."""

    scope: int  # its own scope's index in the planned scopes
    write: bool
    wanted: Wanted


def scope_blocks(scope: Scope, pieces: dict[int, Pieces]) -> list[Block]:
    """The blocks of a year's or the site's departments (builder/opendata/blocks.py), in the files' order."""
    names = [f"{loaded.head.listed.year}/{loaded.source.slug}" for loaded in scope.departments]
    rows = [sum(row_counts(loaded)) for loaded in scope.departments]
    return plan_blocks(names, [pieces[id(loaded)] for loaded in scope.departments], rows)


def _department_work(
    planned: list[Scope],
    todo: list[int],
    blocks: dict[int, list[Block]],
    pieces: dict[int, Pieces],
    trust_store: bool = True,
) -> list[DepartmentWork]:
    """What each department must make: its files when its scope is to do, and the pieces that the blocks
    of the scopes to do lack (a block in the store needs none of its members' pieces). Without `trust_store`
    (a piece was found damaged), every piece of the scopes to do is made again."""
    own = {id(scope.departments[0]): index for index, scope in enumerate(planned) if scope.slug is not None}
    wanted = {ident: Wanted() for ident in own}
    present = next(iter(pieces.values())).store.names(NAMESPACE) if pieces and trust_store else set()
    for index, scope_blocks_ in blocks.items():
        scope = planned[index]
        for loaded, need in _block_needs(scope, scope_blocks_, present):
            before = wanted[id(loaded)]
            wanted[id(loaded)] = Wanted(
                text=before.text or need.text,
                sqlite=before.sqlite or need.sqlite,
                sheets=tuple(dict.fromkeys((*before.sheets, *need.sheets))),
            )
    todo_set = set(todo)
    work = []
    for ident, index in own.items():
        missing = pieces[ident].missing(wanted[ident], present)
        if index in todo_set or missing != Wanted():
            work.append(DepartmentWork(index, index in todo_set, missing))
    return work


def _block_needs(scope: Scope, blocks: list[Block], present: set[str]) -> Iterator[tuple[LoadedDepartment, Wanted]]:
    """The pieces each department of a scope gives its block: its text when the block's is not in the store,
    its sheet rows for the sheets whose block rows (from the block's first row) are not, its database rows
    (the site's) when the block's are not."""
    counts = [row_counts(loaded) for loaded in scope.departments]
    sheets, starts = sheets_wanted(counts), sheet_starts(counts)
    at = 0
    for block in blocks:
        members = range(at, at + len(block.members))
        at += len(block.members)
        text = f"{block.text_entry()}.bin" not in present
        lacking = {
            table
            for index, table in enumerate(TABLE_NAMES)
            if any(counts[member][index] for member in members)
            and f"{block.sheet_entry(table, starts[members.start][index])}.bin" not in present
        }
        sqlite = scope.year is None and any(f"{block.sqlite_entry(t)}.bin" not in present for t in TABLE_NAMES)
        for member in members:
            need = (sheets[member],) if any(table in lacking for table, _ in sheets[member]) else ()
            yield scope.departments[member], Wanted(text=text, sqlite=sqlite, sheets=need)


def _department_jobs(planned: list[Scope], work: list[DepartmentWork], pieces: dict[int, Pieces]) -> list[_Job]:
    items = [(item, planned[item.scope], pieces[id(planned[item.scope].departments[0])]) for item in work]
    return [tuple(items[start : start + DEPARTMENTS_PER_JOB]) for start in range(0, len(items), DEPARTMENTS_PER_JOB)]


def _make_departments(shared: _Shared, job: tuple[_Department, ...]) -> Known:
    """In a worker: each department's own files, and its missing pieces, from one encoding of its rows."""
    site_url, date, folder = shared
    written: Known = {}
    with collector_paused():
        for item, scope, own in job:
            loaded = scope.departments[0]
            made = None
            if item.write:
                tables = build_tables([loaded], site_url)
                encoded = encode(tables, [loaded], site_url)
                files, digests = scope_files_and_digests(scope, scope_contents(scope, tables, site_url, date, encoded))
                written.update(write_files(folder, files, digests))
                made = (tables, encoded)
            own.make(loaded, site_url, item.wanted, made)
    return written


@dataclass(frozen=True)
class SiteDatabase:
    """The site database's job: its scope key, under which the store keeps how its rows lie (`Layout`), and the
    last build's database (its path and scope key) when its manifest finds it intact: its rows are copied."""

    key: str
    earlier: tuple[Path, str] | None


def _earlier_database(outputs: Outputs, scope: Scope) -> tuple[Path, str] | None:
    path = data_files(scope.year, scope.slug)["sqlite"]
    for source in outputs.sources:
        entry = source.entries.get(path)
        if entry is not None and source.intact(path, entry):
            return source.root / path, entry.key
    return None


def _make_aggregates(
    planned: list[Scope],
    blocks: dict[int, list[Block]],
    jobs: int | None,
    shared: _Shared,
    pieces: dict[int, Pieces],
    databases: dict[int, SiteDatabase],
) -> Known:
    """The year and site scopes' files, joined from the blocks: the database in a job of its own, beside the rest.

    The workers get each scope's blocks and its year and slug, not its departments (fresh workers: small items).
    A piece found missing or damaged on the way: every piece of these files is made again, and the files
    joined again (damage is rare; a block whose entry is damaged is joined again from its members' pieces)."""
    aggregate = list(blocks)

    def joined(indices: list[int]) -> list[tuple[Scope, list[Block]]]:
        return [(Scope(planned[i].year, None, []), blocks[i]) for i in indices]

    work = [("files", joined(aggregate), None), *(("database", joined([i]), databases[i]) for i in databases)]
    known: Known = {}
    try:
        for _, written in run_parallel(_make_aggregate, work, jobs, shared=shared, fresh=True):
            known.update(written)
    except PiecesLost:  # damaged entries may be more than the one found: every piece of these files made again
        groups = _department_jobs(planned, _department_work(planned, [], blocks, pieces, trust_store=False), pieces)
        for _ in run_parallel(_make_departments, groups, jobs, shared=shared, fresh=True):
            pass
        for _, written in run_parallel(_make_aggregate, work, jobs, shared=shared, fresh=True):
            known.update(written)
    folder = shared[2]
    for index in aggregate:
        known.update(_write_checksums(planned[index], known, folder))
    return known


def _make_aggregate(shared: _Shared, job: tuple[str, list[tuple[Scope, list[Block]]], SiteDatabase | None]) -> Known:
    _, date, folder = shared
    _, scopes_, database = job  # ("files" or "database", the scopes, the database's job)
    written: Known = {}
    earlier: Made = {}
    with collector_paused():
        for scope, blocks in scopes_:
            if database is not None:
                written.update(_write_database(scope, blocks, folder, date, database))
            else:
                written.update(write_scope_files(scope, blocks, folder, date, earlier))
    return written


def _write_database(scope: Scope, blocks: list[Block], folder: Path, date: datetime | None, job: SiteDatabase) -> Known:
    """The site database, copying the blocks the last build's holds; how its rows lie kept for the next build."""
    store = blocks[0].store if blocks else None
    earlier = None
    if store is not None and job.earlier is not None:
        layout = _stored_layout(store, job.earlier[1])
        earlier = EarlierDatabase(job.earlier[0], layout) if layout is not None else None
    known, layout = write_site_database(scope, blocks, folder, date, earlier)
    if store is not None:
        store.put_bytes(NAMESPACE, _layout_entry(job.key), seal(json.dumps(layout).encode()), "json")
    return known


def _layout_entry(scope_key: str) -> str:
    return digest("site-database-layout", scope_key)


def _stored_layout(store: Store, scope_key: str) -> Layout | None:
    """The layout kept for the database of `scope_key`, checked by its seal and its shape (else none: no reuse)."""
    value = _sealed_json(store, _layout_entry(scope_key))
    if not isinstance(value, list):
        return None
    layout: Layout = []
    for item in value:
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], list)):
            return None
        counts = item[1]
        if len(counts) != len(TABLE_NAMES) or not all(type(n) is int and n >= 0 for n in counts):
            return None
        layout.append((item[0], tuple(counts)))
    return layout


def _write_checksums(scope: Scope, known: Known, folder: Path) -> Known:
    paths = data_files(scope.year, scope.slug)
    data = checksums_text({path: known[path][1] for kind, path in paths.items() if kind != "checksums"})
    (folder / paths["checksums"]).write_bytes(data)
    return {paths["checksums"]: (len(data), content_sha256(data))}


def _read_checksums(outputs: Outputs, scope: Scope) -> Known:
    """Sizes and SHA-256 of a reused scope's files: the sizes the manifest has (checked when the files were
    reused), the SHA-256 from its SHA256SUMS (which is hashed itself)."""
    paths = data_files(scope.year, scope.slug)
    checksums = outputs.location(paths["checksums"])
    text = checksums.read_text(encoding="utf-8")
    by_name = dict(reversed(line.split("  ", 1)) for line in text.splitlines() if "  " in line)
    known = {}
    for path in paths.values():
        name = PurePosixPath(path).name
        sha = by_name.get(name) or file_sha256(outputs.location(path))
        known[path] = (outputs.entries[path].size, sha)
    return known
