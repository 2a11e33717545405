"""Read and lint every data file, on every core, with a cache keyed by each file's bytes.

A file whose bytes, place and builder code are unchanged since an earlier build is not
parsed again: its validated department and its lint findings (its body) are in the store
(namespace `data`, by `file_key`), with its summary beside them (builder/pipeline/heads.py):
only the summary is read here, the body is unpickled when a later step needs it. Files with
problems are always read again (their errors must be shown each time) and never cached. Then
the plan is narrowed to the departments published (builder/pipeline/selection.py): no drafts,
a split build's share.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, replace
from pathlib import Path

from ...data.load import Source, load_department
from ...data.model import Department
from ...data.yamlread import Problem
from ...errors import DataError
from ...lint.findings import Finding, lint_department
from ..context import Build, ReadData
from ..fingerprint import FileMemo, code_fingerprint, digest, file_sha256, memo_sha256
from ..heads import BODY, NAMESPACE, SHOWN, SUMMARY, ReadDepartment, Summary, at_path, shown_department
from ..progress import Stage
from ..selection import select_departments
from ..store import Store
from ..workers import run_parallel

TITLE = "读取数据"


def wanted(b: Build) -> bool:
    return True


def total(b: Build) -> int:
    return len(b.plan.files)


def run(b: Build, stage: Stage) -> None:
    """Read every file of the plan; keep the departments published (refusing files with problems)."""
    data = read_data(b.plan.files, b.folders.data, b.store, b.jobs, stage, b.hashed)
    b.data, b.plan = select_departments(data, b.plan)


@dataclass(frozen=True)
class _Settings:
    data_root: Path
    store: Store


# What a worker sends back: the department's summary and body, or the file's problems.
_Outcome = tuple[str, Summary | None, tuple[Department, list[Finding]] | None, list[Problem]]


def read_data(
    files: list[Path], data_root: Path, store: Store, jobs: int | None, stage: Stage, memo: FileMemo | None = None
) -> ReadData:
    """Every file read and linted; problems are collected, never raised. A file's SHA-256 in `memo` (what the last
    build hashed, `memo_sha256`) is taken for it while its size, times and inode are as they were then."""
    settings = _Settings(data_root, store)
    outcomes: dict[Path, ReadDepartment | _Outcome] = {}
    gc.disable()  # millions of new objects: the collector would walk them again and again
    try:
        _read_all(files, settings, jobs, stage, outcomes, memo)
    finally:
        gc.freeze()  # the departments live as long as the build: keep later collections off them
        gc.enable()
    loaded, errors, keys = [], [], {}
    for path in files:
        outcome = outcomes[path]
        if isinstance(outcome, ReadDepartment):
            loaded.append(outcome)
            keys[path] = outcome.key
            continue
        key, summary, body, problems = outcome
        if summary is None:
            errors.append(DataError(path, problems))
            continue
        loaded.append(ReadDepartment(Source(path, path.stem), summary, body, store, key))
        keys[path] = key
    return ReadData(loaded, errors, keys)


def _read_all(
    files: list[Path],
    settings: _Settings,
    jobs: int | None,
    stage: Stage,
    outcomes: dict[Path, ReadDepartment | _Outcome],
    memo: FileMemo | None,
) -> None:
    """Cached departments' summaries here, the rest read in workers."""
    missing = []
    places = _places(files, settings.data_root)
    for path in files:
        cached = _from_cache(settings.store, file_key(path, settings.data_root, places.get(path), memo), path)
        if cached is None:
            missing.append(path)
        else:
            outcomes[path] = cached
            stage.skip(1, item=path.name)
    for chunk, results in run_parallel(_read_chunk, _chunks(missing), jobs, shared=settings, fresh=True):
        for path, outcome in zip(chunk, results, strict=True):
            outcomes[path] = outcome
            stage.advance(1, item=path.name)


def _chunks(files: list[Path]) -> list[tuple[Path, ...]]:
    """Files in groups of 16, so the pipes carry few, larger messages."""
    return [tuple(files[start : start + 16]) for start in range(0, len(files), 16)]


def _read_chunk(settings: _Settings, paths: tuple[Path, ...]) -> list[_Outcome]:
    return [_read_one(settings, path) for path in paths]


def _read_one(settings: _Settings, path: Path) -> _Outcome:
    """The file read and linted, its body and summary kept in the store; both sent back."""
    key = file_key(path, settings.data_root)
    try:
        loaded = load_department(path)
    except DataError as error:
        return key, None, None, error.problems
    findings = lint_department(loaded)
    loaded = replace(loaded, located=None)  # the line map served lint; pages and exports do not need it
    summary = Summary.of(loaded, findings)
    store = settings.store
    if store.root is None:  # no cache: the department travels whole
        return key, summary, (loaded.department, findings), []
    store.put_pickle(NAMESPACE, key, (loaded, findings), BODY)
    store.put_pickle(NAMESPACE, key, (shown_department(loaded.department), findings), SHOWN)
    store.put_pickle(NAMESPACE, key, summary, SUMMARY)  # last: a summary always has the others
    return key, summary, None, []  # the body is unpickled where a step needs it (mostly: in other workers)


def file_key(path: Path, data_root: Path, place: str | None = None, memo: FileMemo | None = None) -> str:
    """The department's key: its bytes' SHA-256, its place (`2023/x.yaml`, `_place`; given when known) and the
    builder code. With `memo`, a file unchanged since the last build is not read again (3 000 files: 136 MB)."""
    sha256 = memo_sha256(path, memo) if memo is not None else file_sha256(path)
    return digest(code_fingerprint(), place or _place(path, data_root), sha256)


def _place(path: Path, data_root: Path, real_root: Path | None = None, real_folder: Path | None = None) -> str:
    """Where the file really lies in the data folder (`2023/x.yaml`), or its name when elsewhere.

    `real_root` and `real_folder` (the file's folder), when given, are the resolved data folder and file's folder:
    a file that is no symlink really lies in its folder, so 3 000 files need not each be resolved."""
    real = real_folder / path.name if real_folder is not None and not path.is_symlink() else path.resolve()
    try:
        return real.relative_to(real_root or data_root.resolve()).as_posix()
    except ValueError:
        return path.name


def _places(files: list[Path], data_root: Path) -> dict[Path, str]:
    """`_place` of every file, each folder resolved once."""
    real_root, folders = data_root.resolve(), {}
    for folder in {path.parent for path in files}:
        folders[folder] = folder.resolve()
    return {path: _place(path, data_root, real_root, folders[path.parent]) for path in files}


def _from_cache(store: Store, key: str, path: Path) -> ReadDepartment | None:
    """The department read before from the same bytes: its summary, its body left in the store (marked as used)."""
    summary = store.get_pickle(NAMESPACE, key, SUMMARY)
    if not isinstance(summary, Summary) or not all(store.touch(NAMESPACE, key, kind) for kind in (BODY, SHOWN)):
        return None
    if summary.unfilled:  # the same bytes at another path (a copied data folder) are reported at this path
        summary = replace(summary, unfilled=at_path(summary.unfilled, path))
    return ReadDepartment(Source(path, path.stem), summary, None, store, key)
