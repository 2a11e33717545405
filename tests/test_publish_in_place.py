"""A rebuild is published into `site/` file by file, and the site is always the whole old one or the whole new one.

Real builds of the sample data (no PDFs, for speed; tests/test_killed_build.py covers PDFs):
a rebuild leaves the files it reuses where they are (same inode), moves in the files it made,
and removes what the new site does not have, so the site equals a fresh build byte for byte.
A commit cut short is undone: at once when it fails, by the next build when it was killed
(a build run in a subprocess, SIGKILLed by its own commit at a chosen move).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.config import load_site_config
from builder.errors import BuilderError
from builder.pipeline import commit as commit_module
from builder.pipeline.build import BuildReport, build
from builder.pipeline.commit import COMMIT_PREFIX, commit, scan
from builder.pipeline.swap import restore_interrupted_publish
from builder.site import search

ROOT = Path(__file__).resolve().parent.parent
EDITED = "2023/tangshan-gxq-kejiju.yaml"
NEW_WORDS = "（本句为测试增补）"


def files_of(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def run(data: Path, site: Path, work: Path, **options: object) -> BuildReport:
    return build(data, site, generated_dir=work / "generated", cache_dir=work / "cache", with_pdf=False, **options)  # type: ignore[arg-type]


def edit(data: Path) -> None:
    path = data / EDITED
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  overall_goal:\n  - ", f"  overall_goal:\n  - {NEW_WORDS}", 1), encoding="utf-8")


@pytest.fixture(scope="module", autouse=True)
def pagefind_s_own_chunks() -> Iterator[None]:
    """Search bundles as Pagefind writes them, not re-cut into small chunks (builder/site/search_chunks.py).

    The sample's four departments share one search shard: re-cut, its 28 chunk files make an edit
    remake as many files as it keeps, and the site is swapped in rather than committed file by file.
    These tests are about the commit; on a site of many shards an edit remakes a few hundred of
    twenty thousand files either way.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "rechunk_bundle", lambda files, **_: files)
        yield


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The files of a fresh build of the sample data, and of a fresh build after the edit (each its own cache)."""
    work = tmp_path_factory.mktemp("fresh")
    shutil.copytree(ROOT / "data", work / "data")
    run(work / "data", work / "old", work / "a")
    edit(work / "data")
    run(work / "data", work / "new", work / "b")
    return files_of(work / "old"), files_of(work / "new")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The sample data and a site built from it once (published by the swap: nothing to reuse yet)."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    run(tmp_path / "data", tmp_path / "site", tmp_path)
    return tmp_path


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.glob(".site-*"))


def test_an_edit_is_published_in_place_and_equals_a_fresh_build(project: Path, fresh: tuple[dict, dict]) -> None:
    site = project / "site"
    old, new = fresh
    assert files_of(site) == old
    kept_page = site / "2023" / "zunhua-jingkaiqu" / "index.html"
    inode = kept_page.stat().st_ino
    edit(project / "data")
    report = run(project / "data", site, project)
    assert files_of(site) == new  # byte for byte, and no file more or less
    assert "2023/tangshan-gxq-kejiju/index.html" in report.made and report.reused > len(report.made)
    assert kept_page.stat().st_ino == inode  # a reused file stays where it lies: not copied, not linked anew
    assert leftovers(project) == []


def test_a_rebuild_that_remakes_most_files_swaps_the_site_whole(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Another site name changes every page: the few kept files are linked into the staging folder, which is
    swapped in (two renames) rather than committed file by file; the result equals a fresh build."""
    site = project / "site"
    config = dataclasses.replace(load_site_config(ROOT / "mkdocs.yml"), site_name="另一个网站名称")
    kept = site / "2023" / "zunhua-jingkaiqu" / "data" / "zunhua-jingkaiqu-2023.json"
    inode = kept.stat().st_ino
    report = run(project / "data", site, project, site_config=config)
    assert len(report.made) > report.reused > 0
    assert kept.stat().st_ino == inode  # linked, not made again
    fresh = tmp_path_factory.mktemp("renamed")
    shutil.copytree(ROOT / "data", fresh / "data")
    run(fresh / "data", fresh / "site", fresh, site_config=config)
    assert files_of(site) == files_of(fresh / "site")
    assert leftovers(project) == []


def test_files_the_site_does_not_make_are_removed(project: Path, fresh: tuple[dict, dict]) -> None:
    """An admin's file in site/ goes, as with a fresh build; so does a symlink, and a folder the site does not have."""
    site = project / "site"
    (site / "stray.txt").write_text("管理员放的文件", encoding="utf-8")
    (site / "2023" / "extra" / "deep").mkdir(parents=True)
    (site / "2023" / "extra" / "deep" / "page.html").write_text("<p>多余</p>", encoding="utf-8")
    (site / "2023" / "empty").mkdir()
    outside = project / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("不要删", encoding="utf-8")
    (site / "link").symlink_to(outside, target_is_directory=True)
    report = run(project / "data", site, project)
    assert report.made == []
    assert files_of(site) == fresh[0]
    assert not (site / "2023" / "extra").exists() and not (site / "2023" / "empty").exists()
    assert not os.path.lexists(site / "link") and (outside / "keep.txt").is_file()


def test_a_folder_replaced_by_a_symlink_is_made_again(project: Path, fresh: tuple[dict, dict]) -> None:
    """Files behind a symlink someone put in the site are not reused in place: the link goes, the files are made."""
    site = project / "site"
    moved = project / "elsewhere"
    shutil.move(site / "2023" / "zunhua-jingkaiqu", moved)
    (site / "2023" / "zunhua-jingkaiqu").symlink_to(moved, target_is_directory=True)
    report = run(project / "data", site, project)
    assert "2023/zunhua-jingkaiqu/index.html" in report.made
    assert not (site / "2023" / "zunhua-jingkaiqu").is_symlink()
    assert files_of(site) == fresh[0]


def test_a_failed_build_leaves_the_site_as_it_was(project: Path) -> None:
    site = project / "site"
    before = files_of(site)
    edit(project / "data")
    broken = project / "data" / "2023" / "zunhua-jingkaiqu.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("year: 2023", "year: 2023\nyaer: 2023", 1), "utf-8")
    with pytest.raises(BuilderError):
        run(project / "data", site, project)
    assert files_of(site) == before
    assert leftovers(project) == []


class _FailingOs:
    """The os module, whose `replace` fails (or kills the process) at its `at`-th call: a disk error mid-commit."""

    def __init__(self, at: int, kill: bool = False) -> None:
        self.at, self.kill, self.calls = at, kill, 0

    def replace(self, source: object, target: object) -> None:
        self.calls += 1
        if self.calls == self.at:
            if self.kill:
                os.kill(os.getpid(), signal.SIGKILL)
            raise OSError(5, "模拟的磁盘错误", str(target))
        os.replace(source, target)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)


@pytest.mark.parametrize("at", [1, 12])
def test_a_commit_that_fails_midway_is_undone_at_once(
    project: Path, fresh: tuple[dict, dict], monkeypatch: pytest.MonkeyPatch, at: int
) -> None:
    site = project / "site"
    edit(project / "data")
    monkeypatch.setattr(commit_module, "os", _FailingOs(at))
    with pytest.raises(OSError, match="模拟的磁盘错误"):
        run(project / "data", site, project)
    assert files_of(site) == fresh[0]
    assert leftovers(project) == []
    monkeypatch.undo()
    run(project / "data", site, project)
    assert files_of(site) == fresh[1]


KILLED_BUILD = """
import os, signal, sys
from pathlib import Path
from builder.pipeline import commit
from builder.pipeline.build import build
from builder.site import search

search.rechunk_bundle = lambda files, **_: files  # as the module's other builds (pagefind_s_own_chunks)

class KillingOs:
    calls = 0
    def replace(self, source, target):
        KillingOs.calls += 1
        if KillingOs.calls == int(sys.argv[2]):
            os.kill(os.getpid(), signal.SIGKILL)
        os.replace(source, target)
    def __getattr__(self, name):
        return getattr(os, name)

commit.os = KillingOs()
work = Path(sys.argv[1])
build(work / "data", work / "site", generated_dir=work / "generated", cache_dir=work / "cache", with_pdf=False)
"""


@pytest.mark.parametrize("at", [1, 20])
def test_a_commit_killed_midway_is_rolled_back_by_the_next_build(
    project: Path, fresh: tuple[dict, dict], at: int
) -> None:
    """SIGKILL at the `at`-th move of the commit: the site is a mix; the next build first puts the old one back."""
    site = project / "site"
    edit(project / "data")
    command = [sys.executable, "-c", textwrap.dedent(KILLED_BUILD), str(project), str(at)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == -signal.SIGKILL, result.stderr
    if at > 1:  # killed in the middle: some files are new, some old (at the first move, none is new yet)
        assert files_of(site) not in (fresh[0], fresh[1])
    assert [name for name in leftovers(project) if name.startswith(COMMIT_PREFIX)]  # with its journal

    assert restore_interrupted_publish(site.resolve())  # what every build does first
    assert files_of(site) == fresh[0]  # the whole previous site
    run(project / "data", site, project)
    assert files_of(site) == fresh[1]
    assert leftovers(project) == []


def _tree(root: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")


def _contents(root: Path) -> dict[str, str]:
    return {path: (root / path).read_text(encoding="utf-8") for path in scan(root).files}


OLD = {"a": "旧 a", "b/c": "旧 b/c", "d/e": "旧 d/e", "keep": "留", "gone/x": "去"}
MADE = {"a/x": "新 a/x", "b": "新 b", "d/e": "新 d/e", "f/g/h": "新 f/g/h"}


@pytest.mark.parametrize("at", range(1, 8))
def test_a_commit_turning_files_into_folders_is_undone_at_every_move(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at: int
) -> None:
    """A file that becomes a folder and a folder that becomes a file: stopped at any move, the old tree is back."""
    site, staging = tmp_path / "site", tmp_path / "staging"
    _tree(site, OLD)
    _tree(staging, MADE)
    backup = tmp_path / f"{COMMIT_PREFIX}1-x"
    backup.mkdir()
    monkeypatch.setattr(commit_module, "os", _FailingOs(at))
    with pytest.raises(OSError):
        commit(staging, site, scan(site), {*MADE, "keep"}, backup)
    assert _contents(site) == OLD
    assert sorted(scan(site).folders) == ["b", "d", "gone"]


def test_a_commit_turning_files_into_folders_makes_the_new_tree(tmp_path: Path) -> None:
    site, staging = tmp_path / "site", tmp_path / "staging"
    _tree(site, OLD)
    _tree(staging, MADE)
    backup = tmp_path / f"{COMMIT_PREFIX}1-x"
    backup.mkdir()
    commit(staging, site, scan(site), {*MADE, "keep"}, backup)
    assert _contents(site) == {**MADE, "keep": "留"}
    assert sorted(scan(site).folders) == ["a", "d", "f", "f/g"]
