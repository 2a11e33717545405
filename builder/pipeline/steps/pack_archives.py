"""Make each year's archive (builder/opendata/archives.py) after the PDFs, reusing it when none of its files changed.

The archive is streamed into its file: the year's CSV and JSON members are joined from the
departments' pieces compressed once (builder/opendata/pieces.py), the PDFs and the XLSX are
stored; so remaking it after an edit compresses nothing again.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path, PurePosixPath

from ...data.load import LoadedDepartment
from ...opendata.archives import (
    Content,
    archive_path,
    checksum_path,
    file_content,
    is_stored,
    members,
    readme_text,
    write_archive,
)
from ...opendata.export import source_date
from ...opendata.join import HashedFile, archive_member
from ...opendata.pieces import NAMESPACE, Pieces, Wanted, piece_key, pieces_store
from ...site.paths import data_files
from ..context import Build
from ..fingerprint import code_fingerprint, digest, file_sha256
from ..outputs import Outputs
from ..progress import Stage
from ..workers import run_parallel

TITLE = "年度打包"


def wanted(b: Build) -> bool:
    return b.whole_site


def total(b: Build) -> None:
    return None


def run(b: Build, stage: Stage) -> None:
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

    def year_pieces(self, departments: list[LoadedDepartment]) -> list[Pieces]:
        """The year's departments' pieces in the order of its files, their archive pieces made where missing.

        The open-data step made their text; an edit leaves one department's archive pieces to make."""
        ordered = sorted(departments, key=lambda item: item.source.slug)
        found = [self.pieces[item.source.path] for item in ordered]
        present = found[0].store.names(NAMESPACE) if found else set()
        pairs = zip(ordered, found, strict=True)
        todo = [(item, piece) for item, piece in pairs if piece.missing(ARCHIVE, present) != Wanted()]
        groups = [tuple(todo[start : start + PER_JOB]) for start in range(0, len(todo), PER_JOB)]
        # A fresh build: in fresh workers, each job carrying its departments (a forked worker would map the whole
        # build's memory: at 3 000 departments the process tree reached 3 GB here).
        for _ in run_parallel(_make_pieces, groups, self.jobs, shared=self.site_url, fresh=True):
            pass
        return found


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
            kinds = {path: kind for kind, path in data_files(year).items()}
            year_pieces = sources.year_pieces(departments)
            contents = [_content(m.name, m.source, kinds.get(m.source), year_pieces, outputs, sources) for m in files]
            with outputs.target(targets[0]).open("wb") as file:
                out = HashedFile(file)
                write_archive(out, contents, readme, date)  # type: ignore[arg-type]
            name = PurePosixPath(targets[0]).name
            outputs.target(targets[1]).write_text(f"{out.known[1]}  {name}\n", encoding="utf-8")
            for target in targets:
                outputs.record(target, key)
        made.append(targets[0])
    return made


def _content(
    name: str, source: str, kind: str | None, pieces: list[Pieces], outputs: Outputs, sources: Sources
) -> Content:
    """A member: a year CSV or JSON file joined from the pieces, any other file (PDF, XLSX) read from the site."""
    if kind is None or is_stored(name):
        return file_content(name, outputs.location(source))
    sha = sources.known[source][1] if source in sources.known else file_sha256(outputs.location(source))
    return Content(archive_member(name, kind, pieces), sha)


def _key(outputs: Outputs, path: str) -> str:
    """The key an output was made from, or (not recorded) the hash of its bytes."""
    entry = outputs.entries.get(path)
    if entry is not None:
        return entry.key
    return file_sha256(outputs.location(path))
