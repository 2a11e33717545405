"""Write the open-data downloads of every scope (site, year, department), reusing unchanged ones.

A scope's files are remade only when one of its departments, the builder code, the site
address or SOURCE_DATE_EPOCH changed: editing one department remakes that department's
files and the files of its year and of the whole site, nothing else. Department scopes go
to the workers in groups first; then the site and year scopes that must be remade are
assembled together from the departments' own files, made or reused (builder/opendata/join.py),
so an edit encodes only the edited department's rows.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path, PurePosixPath

from ...data.load import LoadedDepartment
from ...opendata.export import Scope, scope_title, scopes, sorted_departments, source_date, write_scopes
from ...opendata.join import write_joined_scopes
from ...site.paths import data_files
from ..context import Build
from ..fingerprint import code_fingerprint, digest, file_sha256
from ..outputs import Outputs
from ..progress import Stage
from ..workers import run_parallel

Known = dict[str, tuple[int, str]]  # path → (size, SHA-256 hex), for the 数据下载 page
_Shared = tuple[list[Scope], str, datetime | None, Outputs]
DEPARTMENTS_PER_JOB = 25
TITLE = "开放数据"


def wanted(b: Build) -> bool:
    return True


def total(b: Build) -> int:
    return len(plan_scopes(b.loaded, b.whole_site))


def run(b: Build, stage: Stage) -> None:
    """Every scope's files in the staging site; their sizes and SHA-256 for the 数据下载 page (`b.known`)."""
    scopes = plan_scopes(b.loaded, b.whole_site)
    b.known = make_open_data(scopes, b.data.keys, b.outputs, b.config.base_url, b.jobs, stage)


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


def make_open_data(
    planned: list[Scope],
    keys: dict[Path, str],
    outputs: Outputs,
    site_url: str,
    jobs: int | None,
    stage: Stage,
) -> Known:
    """Write or reuse every scope's files in `outputs.staging`; return each file's size and SHA-256."""
    date = source_date()
    scope_keys = [scope_key(scope, keys, site_url, date) for scope in planned]
    known: Known = {}
    todo = []
    for index, scope in enumerate(planned):
        if outputs.reuse(scope_paths(scope), scope_keys[index]):
            known.update(_read_checksums(outputs, scope))
            stage.skip(1)
        else:
            todo.append(index)
    shared: _Shared = (planned, site_url, date, outputs)
    single, aggregate = _jobs(planned, todo)
    for step in (single, aggregate):  # the departments' files first: the aggregate files are joined from them
        for job, written in run_parallel(_write, step, jobs, shared=shared):
            for index in job:
                for path in scope_paths(planned[index]):
                    outputs.record(path, scope_keys[index])
            known.update(written)
            stage.advance(len(job), item=scope_title(planned[job[-1]]))
    return known


def _jobs(planned: list[Scope], todo: list[int]) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    """Departments in groups, and the site and year scopes in one job."""
    aggregate = tuple(index for index in todo if planned[index].slug is None)
    single = [index for index in todo if planned[index].slug is not None]
    groups = [
        tuple(single[start : start + DEPARTMENTS_PER_JOB]) for start in range(0, len(single), DEPARTMENTS_PER_JOB)
    ]
    return groups, [aggregate] if aggregate else []


def _write(shared: _Shared, job: tuple[int, ...]) -> Known:
    planned, site_url, date, outputs = shared
    scope_list = [planned[index] for index in job]
    if scope_list[0].slug is None:  # joined from the departments' files, made here or kept in the published site
        return write_joined_scopes(scope_list, site_url, date, outputs.staging, outputs.location)
    return write_scopes(scope_list, site_url, date, outputs.staging)


def _read_checksums(outputs: Outputs, scope: Scope) -> Known:
    """Sizes and SHA-256 of a reused scope's files, from its SHA256SUMS (which is hashed itself)."""
    paths = data_files(scope.year, scope.slug)
    checksums = outputs.location(paths["checksums"])
    text = checksums.read_text(encoding="utf-8")
    by_name = dict(reversed(line.split("  ", 1)) for line in text.splitlines() if "  " in line)
    known = {}
    for path in paths.values():
        file = outputs.location(path)
        name = PurePosixPath(path).name
        sha = by_name.get(name) or file_sha256(file)
        known[path] = (file.stat().st_size, sha)
    return known
