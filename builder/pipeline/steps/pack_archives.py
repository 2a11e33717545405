"""Make each year's archive (builder/opendata/archives.py) after the PDFs, reusing it when none of its files changed."""

from __future__ import annotations

from collections import defaultdict

from ...data.load import LoadedDepartment
from ...opendata.archives import archive_path, checksum_path, members, readme_text, zip_bytes
from ...opendata.export import source_date
from ..context import Build
from ..fingerprint import code_fingerprint, content_sha256, digest, file_sha256
from ..outputs import Outputs
from ..progress import Stage

TITLE = "年度打包"


def wanted(b: Build) -> bool:
    return b.whole_site


def total(b: Build) -> None:
    return None


def run(b: Build, stage: Stage) -> None:
    make_archives(b.loaded, b.outputs, b.with_pdf)


def make_archives(loaded: list[LoadedDepartment], outputs: Outputs, with_pdf: bool) -> list[str]:
    """Write or reuse `<year>/data/budget-performance-<year>.zip` and its `.sha256`; return the zips' paths."""
    by_year: dict[int, list[LoadedDepartment]] = defaultdict(list)
    for item in loaded:
        by_year[item.department.year].append(item)
    made = []
    for year, departments in sorted(by_year.items()):
        slugs = [item.source.slug for item in departments]
        files = members(year, slugs, with_pdf)
        table = sorted(
            (item.source.slug, item.department.department, item.department.region or "") for item in departments
        )
        readme = readme_text(year, table, with_pdf)
        date = source_date()
        parts = [f"{m.name} {_key(outputs, m.source)}" for m in files]
        key = digest("archive", code_fingerprint(), str(year), str(date), readme, *parts)
        targets = [archive_path(year), checksum_path(year)]
        if not outputs.reuse(targets, key):
            contents = [(m.name, outputs.location(m.source).read_bytes()) for m in files]
            data = zip_bytes(contents, readme, date)
            name = archive_path(year).rsplit("/", 1)[1]
            outputs.target(targets[0]).write_bytes(data)
            outputs.target(targets[1]).write_text(f"{content_sha256(data)}  {name}\n", encoding="utf-8")
            for target in targets:
                outputs.record(target, key)
        made.append(targets[0])
    return made


def _key(outputs: Outputs, path: str) -> str:
    """The key an output was made from, or (not recorded) the hash of its bytes."""
    entry = outputs.entries.get(path)
    if entry is not None:
        return entry.key
    return file_sha256(outputs.location(path))
