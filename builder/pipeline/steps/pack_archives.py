"""Make each year's archive (builder/opendata/archives.py) after the PDFs, reusing it when none of its files changed.

The archive is streamed into its file: the year's CSV and JSON members are joined from the
departments' pieces compressed once (builder/opendata/pieces.py), by blocks of about fifty
departments joined once (builder/opendata/blocks.py), the PDFs and the XLSX are stored; so
remaking it after an edit compresses nothing again and reads one store entry per block and file.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path, PurePosixPath

from ...data.load import LoadedDepartment
from ...opendata.archives import (
    Content,
    Member,
    archive_path,
    checksum_path,
    file_content,
    is_stored,
    members,
    readme_text,
    write_archive,
)
from ...opendata.blocks import Block, plan_blocks
from ...opendata.export import source_date
from ...opendata.join import HashedFile, archive_member
from ...opendata.pieces import (
    ARCHIVE_KINDS,
    NAMESPACE,
    Pieces,
    PiecesLost,
    Wanted,
    piece_key,
    pieces_store,
    row_counts,
)
from ...site.paths import data_files
from ..context import Build
from ..fingerprint import code_fingerprint, digest, file_sha256
from ..outputs import Outputs
from ..progress import Stage
from ..workers import run_parallel
from . import export_data

TITLE = "年度打包"


def wanted(b: Build) -> bool:
    return b.whole_site


def total(b: Build) -> None:
    return None


def run(b: Build, stage: Stage) -> None:
    export_data.finish(b)  # the year's files, joined behind the steps before
    store = pieces_store(b.store, b.folders.work)
    site_url = b.config.base_url
    pieces = {item.source.path: Pieces(store, piece_key(b.data.keys[item.source.path], site_url)) for item in b.loaded}
    make_archives(b.loaded, b.outputs, b.with_pdf, Sources(pieces, b.known, site_url, b.jobs))


class Sources:
    """Where the members' bytes come from: the departments' pieces, and the SHA-256 of the open-data files."""

    def __init__(
        self, pieces: dict[Path, Pieces], known: dict[str, tuple[int, str]], site_url: str, jobs: int | None = None
    ) -> None:
        self.pieces, self.known, self.site_url, self.jobs = pieces, known, site_url, jobs

    def year_blocks(self, departments: list[LoadedDepartment], trust_store: bool = True) -> list[Block]:
        """The blocks of the year's departments in the order of its files (builder/opendata/blocks.py), with the
        archive pieces of the members of blocks the store lacks made where missing (every one without
        `trust_store`: a piece was found damaged).

        The open-data step made their text; an edit leaves one block to join, from one department's new pieces."""
        ordered = sorted(departments, key=lambda item: item.source.slug)
        found = [self.pieces[item.source.path] for item in ordered]
        names = [f"{item.head.listed.year}/{item.source.slug}" for item in ordered]
        blocks = plan_blocks(names, found, [sum(row_counts(item)) for item in ordered])
        present = found[0].store.names(NAMESPACE) if found and trust_store else set()
        todo = []
        members = iter(zip(ordered, found, strict=True))
        for block in blocks:
            mine = [next(members) for _ in block.members]
            if all(f"{block.archive_entry(kind)}.bin" in present for kind in ARCHIVE_KINDS):
                continue
            todo += [(item, piece) for item, piece in mine if piece.missing(ARCHIVE, present) != Wanted()]
        groups = [tuple(todo[start : start + PER_JOB]) for start in range(0, len(todo), PER_JOB)]
        # A fresh build: in fresh workers, each job carrying its departments (a forked worker would map the whole
        # build's memory: at 3 000 departments the process tree reached 3 GB here).
        for _ in run_parallel(_make_pieces, groups, self.jobs, shared=self.site_url, fresh=True):
            pass
        return blocks


ARCHIVE = Wanted(archive=True)
PER_JOB = 25


def _make_pieces(site_url: str, job: tuple[tuple[LoadedDepartment, Pieces], ...]) -> None:
    for item, pieces in job:
        pieces.make(item, site_url, ARCHIVE, None)


def make_archives(loaded: list[LoadedDepartment], outputs: Outputs, with_pdf: bool, sources: Sources) -> list[str]:
    """Write or reuse `<year>/data/budget-performance-<year>.zip` and its `.sha256`; return the zips' paths."""
    by_year: dict[int, list[LoadedDepartment]] = defaultdict(list)
    for item in loaded:
        by_year[item.head.year].append(item)
    made = []
    for year, departments in sorted(by_year.items()):
        slugs = [item.source.slug for item in departments]
        files = members(year, slugs, with_pdf)
        table = sorted((item.source.slug, item.head.name, item.head.listed.region or "") for item in departments)
        readme = readme_text(year, table, with_pdf)
        date = source_date()
        parts = [f"{m.name} {_key(outputs, m.source)}" for m in files]
        key = digest("archive", code_fingerprint(), str(year), str(date), readme, *parts)
        targets = [archive_path(year), checksum_path(year)]
        if not outputs.reuse(targets, key):
            try:
                sha = _write_archive(year, departments, files, readme, outputs, sources)
            except PiecesLost:  # a piece gone or damaged since it was planned: every archive piece made again
                sha = _write_archive(year, departments, files, readme, outputs, sources, trust_store=False)
            name = PurePosixPath(targets[0]).name
            outputs.target(targets[1]).write_text(f"{sha}  {name}\n", encoding="utf-8")
            for target in targets:
                outputs.record(target, key)
        made.append(targets[0])
    return made


def _write_archive(
    year: int,
    departments: list[LoadedDepartment],
    files: list[Member],
    readme: str,
    outputs: Outputs,
    sources: Sources,
    trust_store: bool = True,
) -> str:
    """The year's archive written from its blocks and the site's files; its SHA-256."""
    kinds = {path: kind for kind, path in data_files(year).items()}
    blocks = sources.year_blocks(departments, trust_store)
    contents = [_content(m.name, m.source, kinds.get(m.source), blocks, outputs, sources) for m in files]
    with outputs.target(archive_path(year)).open("wb") as file:
        out = HashedFile(file)
        write_archive(out, contents, readme, source_date())  # type: ignore[arg-type]
    return out.known[1]


def _content(
    name: str, source: str, kind: str | None, blocks: list[Block], outputs: Outputs, sources: Sources
) -> Content:
    """A member: a year CSV or JSON file joined from the blocks, any other file (PDF, XLSX) read from the site
    (the SHA-256 of the year's files is known from the open-data step)."""
    known = sources.known[source][1] if source in sources.known else None
    if kind is None or is_stored(name):
        return file_content(name, outputs.location(source), known)
    return Content(archive_member(name, kind, blocks), known or file_sha256(outputs.location(source)))


def _key(outputs: Outputs, path: str) -> str:
    """The key an output was made from, or (not recorded) the hash of its bytes."""
    entry = outputs.entries.get(path)
    if entry is not None:
        return entry.key
    return file_sha256(outputs.location(path))
