"""Read and lint every data file, on every core, with a cache keyed by each file's bytes.

A file whose bytes, place and builder code are unchanged since an earlier build is not
parsed again: its validated department and its lint findings come from
`.cache/build/data/<key>.pickle`. Files with problems are always read again (their errors
must be shown each time) and never cached.
"""

from __future__ import annotations

import gc
import os
import pickle
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from ...data.load import LoadedDepartment, Source, load_department
from ...data.yamlread import Problem
from ...errors import DataError
from ...lint.findings import Finding, lint_department, sort_key
from ..fingerprint import code_fingerprint, digest
from ..progress import Stage
from ..workers import run_parallel

CACHE_DAYS = 14  # cache entries unused for this long are deleted


@dataclass(frozen=True)
class ReadData:
    """The departments read (file order), their findings (sorted), and each one's key."""

    loaded: list[LoadedDepartment]
    findings: list[Finding]
    errors: list[DataError]
    keys: dict[Path, str]  # data file → hash of its bytes, its place under the data folder and the builder code


@dataclass(frozen=True)
class _Settings:
    data_root: Path
    cache: Path | None


# What a worker sends back: the department and findings, or the file's problems.
_Outcome = tuple[str, LoadedDepartment | None, list[Finding], list[Problem]]


def read_data(files: list[Path], data_root: Path, cache_dir: Path | None, jobs: int | None, stage: Stage) -> ReadData:
    """Every file read and linted; problems are collected, never raised."""
    settings = _Settings(data_root, cache_dir / "build" / "data" if cache_dir else None)
    outcomes: dict[Path, _Outcome] = {}
    gc.disable()  # millions of new objects: the collector would walk them again and again
    try:
        _read_all(files, settings, jobs, stage, outcomes)
    finally:
        gc.freeze()  # the departments live as long as the build: keep later collections off them
        gc.enable()
    loaded, findings, errors, keys = [], [], [], {}
    for path in files:
        key, department, found, problems = outcomes[path]
        if department is None:
            errors.append(DataError(path, problems))
            continue
        loaded.append(department)
        findings += found
        keys[path] = key
    if settings.cache is not None:
        _prune(settings.cache)
    return ReadData(loaded, sorted(findings, key=sort_key), errors, keys)


def _read_all(
    files: list[Path], settings: _Settings, jobs: int | None, stage: Stage, outcomes: dict[Path, _Outcome]
) -> None:
    """Cached departments here (unpickling is quicker than sending them through a pipe), the rest in workers."""
    missing = []
    for path in files:
        key = file_key(path, settings.data_root)
        cached = _from_cache(settings.cache, key, path)
        if cached is None:
            missing.append(path)
        else:
            outcomes[path] = (key, *cached, [])
            stage.skip(1, item=path.name)
    for chunk, results in run_parallel(_read_chunk, _chunks(missing), jobs, shared=settings):
        for path, outcome in zip(chunk, results, strict=True):
            outcomes[path] = outcome
            stage.advance(1, item=path.name)


def _chunks(files: list[Path]) -> list[tuple[Path, ...]]:
    """Files in groups of 16, so the pipes carry few, larger messages."""
    return [tuple(files[start : start + 16]) for start in range(0, len(files), 16)]


def _read_chunk(settings: _Settings, paths: tuple[Path, ...]) -> list[_Outcome]:
    return [_read_one(settings, path) for path in paths]


def _read_one(settings: _Settings, path: Path) -> _Outcome:
    key = file_key(path, settings.data_root)
    cached = _from_cache(settings.cache, key, path)
    if cached is not None:
        return key, *cached, []
    try:
        loaded = load_department(path)
    except DataError as error:
        return key, None, [], error.problems
    findings = lint_department(loaded)
    loaded = replace(loaded, located=None)  # the line map served lint; pages and exports do not need it
    if settings.cache is not None:
        _store(settings.cache, key, loaded, findings)
    return key, loaded, findings, []


def file_key(path: Path, data_root: Path) -> str:
    """The department's key: its bytes, its place (`2023/x.yaml`) and the builder code."""
    try:
        place = path.resolve().relative_to(data_root.resolve()).as_posix()
    except ValueError:
        place = path.name
    return digest(code_fingerprint(), place, path.read_bytes())


def _from_cache(cache: Path | None, key: str, path: Path) -> tuple[LoadedDepartment, list[Finding]] | None:
    if cache is None:
        return None
    entry = cache / f"{key}.pickle"
    try:
        with entry.open("rb") as handle:
            loaded, findings = pickle.load(handle)
        os.utime(entry)  # in use: keep it
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        return None
    # The same bytes at another path (a copied data folder) are the same department, reported at this path.
    loaded = replace(loaded, source=Source(path, loaded.source.slug))
    return loaded, [replace(finding, path=path) for finding in findings]


def _store(cache: Path, key: str, loaded: LoadedDepartment, findings: list[Finding]) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=cache, prefix=".tmp-", delete=False) as handle:
        pickle.dump((loaded, findings), handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(handle.name, cache / f"{key}.pickle")


def _prune(cache: Path) -> None:
    """Delete entries no build has used for CACHE_DAYS (data edited since, files removed)."""
    limit = time.time() - CACHE_DAYS * 86400
    for entry in cache.glob("*.pickle"):
        try:
            if entry.stat().st_mtime < limit:
                entry.unlink()
        except OSError:
            continue
