"""A department read again from the build cache is its summary; its body, unpickled when a step needs it, is
exactly the department read and linted from its file (builder/pipeline/heads.py).

Real seed files read by the read step (builder/pipeline/steps/read_data.py) into a real store.
"""

from __future__ import annotations

import functools
import io
import os
import pickle
import shutil
from pathlib import Path

import pytest

from builder.data.load import Head, load_department
from builder.lint.findings import counts, lint_department, sort_key
from builder.lint.rules.text import UNFILLED_TEMPLATE
from builder.pipeline import fingerprint
from builder.pipeline.build import build
from builder.pipeline.fingerprint import FileMemo
from builder.pipeline.heads import BODY, KINDS, NAMESPACE, SUMMARY, ReadDepartment, listed, shown_department
from builder.pipeline.progress import Progress, make_display
from builder.pipeline.steps.read_data import file_key, read_data
from builder.pipeline.store import Store

ROOT = Path(__file__).resolve().parent.parent


def read(data: Path, store: Store, memo: FileMemo | None = None) -> list[ReadDepartment]:
    progress = Progress(make_display("plain", io.StringIO()))
    files = sorted(data.rglob("*.yaml"))
    with progress.stage("读取数据", len(files)) as stage:
        result = read_data(files, data, store, 1, stage, memo)
    assert not result.errors
    return result.loaded


@pytest.fixture
def data(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


def test_a_department_read_again_is_its_summary_and_its_body_is_the_department_read(data: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    first = read(data, store)
    assert not any(item.loaded for item in first), "read in a worker, kept in the store, unpickled where needed"
    again = read(data, store)
    assert [item.source for item in again] == [item.source for item in first]
    assert not any(item.loaded for item in again), "nothing unpickled but the summaries"
    for item in again:
        fresh = load_department(item.source.path)
        findings = lint_department(fresh)
        assert item.head == Head.of(fresh.department)
        assert item.head.year == fresh.department.year and item.head.name == fresh.department.department
        assert item.summary.counts == counts(findings)
        assert item.summary.unfilled == [finding for finding in findings if finding.rule == UNFILLED_TEMPLATE]
        assert item.shown() == shown_department(fresh.department)  # from the smaller entry: no body yet
        assert not item.loaded and sorted(item.findings, key=sort_key) == sorted(findings, key=sort_key)
        assert item.department == fresh.department  # unpickled now
        assert item.loaded
        assert sorted(item.findings, key=sort_key) == sorted(findings, key=sort_key)
        assert item == fresh


def test_lists_of_departments_need_no_body(data: Path, tmp_path: Path) -> None:
    """Names, years and regions (download names, the 数据下载 page, the archives' README) come from the heads."""
    store = Store(tmp_path / "store")
    read(data, store)
    again = read(data, store)
    shown = listed(again)
    assert not any(item.loaded for item in again)
    for item, fresh in zip(shown, (load_department(item.source.path) for item in again), strict=True):
        assert item.department.department == fresh.department.department
        assert (item.department.year, item.department.region) == (fresh.department.year, fresh.department.region)
        assert item.department.projects == [] and item.department.part_one is None


def test_a_department_sent_to_a_worker_travels_as_its_key_and_is_unpickled_there(data: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    read(data, store)
    item = read(data, store)[0]
    sent = pickle.dumps(item)
    assert len(sent) < len(store.path(NAMESPACE, item.key, BODY).read_bytes()) / 4  # type: ignore[union-attr]
    received = pickle.loads(sent)
    assert not received.loaded
    assert received.department == load_department(item.source.path).department


def test_without_a_cache_the_body_travels_whole(data: Path) -> None:
    item = read(data, Store(None))[0]
    assert item.loaded
    received = pickle.loads(pickle.dumps(item))
    assert received.loaded and received == item


def test_the_same_bytes_at_another_path_are_reported_at_that_path(data: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "store")
    read(data, store)
    copy = tmp_path / "copy"
    shutil.copytree(data, copy)
    for item in read(copy, store):
        assert item.source.path.is_relative_to(copy) and not item.loaded
        assert all(finding.path == item.source.path for finding in item.findings)


def test_a_summary_without_its_body_is_a_miss(data: Path, tmp_path: Path) -> None:
    """A body pruned from the store (and its summary left) is read from the file again, never left missing."""
    store = Store(tmp_path / "store")
    first = read(data, store)
    gone = first[0]
    store.path(NAMESPACE, gone.key, BODY).unlink()  # type: ignore[union-attr]
    summary = store.path(NAMESPACE, gone.key, SUMMARY).stat().st_mtime_ns  # type: ignore[union-attr]
    again = read(data, store)
    assert store.path(NAMESPACE, gone.key, SUMMARY).stat().st_mtime_ns != summary, "read again, kept again"  # type: ignore[union-attr]
    assert all(store.has(NAMESPACE, gone.key, kind) for kind in KINDS)
    assert again[0].key == file_key(gone.source.path, data)
    assert again[0].department == load_department(gone.source.path).department


def test_with_the_last_builds_hashes_unchanged_files_are_not_read_and_every_edit_is_seen(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build reads its data files' SHA-256 from what the last build hashed (`memo_sha256`), so a province's 3 000
    files are not read again for their keys; a file edited since, even to the same size and time, is."""
    monkeypatch.setattr(fingerprint, "SETTLED_NS", -(10**12))  # the files were just written: count them as settled
    store, memo = Store(tmp_path / "store"), {}
    first = read(data, store, memo)
    assert [item.key for item in first] == [item.key for item in read(data, Store(tmp_path / "other"))]
    hashed: list[Path] = []
    hash_file = fingerprint.file_sha256
    monkeypatch.setattr(fingerprint, "file_sha256", lambda path: hashed.append(path) or hash_file(path))
    assert [item.key for item in read(data, store, memo)] == [item.key for item in first]
    assert hashed == []
    edited = first[0].source.path
    status = edited.stat()
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("部门", "单位", 1), encoding="utf-8")  # as many bytes
    os.utime(edited, ns=(status.st_atime_ns, status.st_mtime_ns))
    again = read(data, store, memo)
    assert hashed == [edited]
    assert again[0].source.path == edited and again[0].key != first[0].key
    assert [item.key for item in again[1:]] == [item.key for item in first[1:]]


def test_what_the_site_level_pages_show_leaves_out_the_texts(data: Path) -> None:
    department = load_department(next(data.rglob("*.yaml"))).department
    shown = shown_department(department)
    assert shown.part_one is None and [p.indicators for p in shown.projects] == [[] for _ in department.projects]
    assert [(p.name, p.budget) for p in shown.projects] == [(p.name, p.budget) for p in department.projects]


def test_an_edit_unpickles_the_edited_department_only(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild after one department's edit reads every other department's summary, never its body or findings
    (in this process; the workers given the edited department's pages read it themselves)."""
    run = functools.partial(build, data, tmp_path / "site", generated_dir=tmp_path / "generated", jobs=2)
    run(cache_dir=tmp_path / "cache", with_pdf=False)
    edited = data / "2023" / "tangshan-gxq-kejiju.yaml"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("  overall_goal:\n  - ", "  overall_goal:\n  - （修订）", 1), encoding="utf-8")
    unpickled: list[Path] = []
    entry = ReadDepartment._entry

    def spy(self: ReadDepartment, kind: str) -> object:
        unpickled.append(self.source.path)
        return entry(self, kind)

    monkeypatch.setattr(ReadDepartment, "_entry", spy)
    report = run(cache_dir=tmp_path / "cache", with_pdf=False)
    assert "2023/tangshan-gxq-kejiju/index.html" in report.made
    assert set(unpickled) <= {edited}
