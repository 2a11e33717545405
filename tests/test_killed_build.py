"""A build killed halfway, or failing, leaves the published site byte for byte as it was.

Each test runs `python -m builder build` in a copy of the project (builder, theme,
content, mkdocs.yml) so that its generated pages, PDF cache and any broken template
stay in a temporary folder; the site there was made by a first, complete build.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from project_copy import copy_project

from builder.pipeline.outdir import KIND_TEMPORARY, remove_tree, write_marker
from builder.pipeline.swap import remove_stale_folders

ROOT = Path(__file__).resolve().parent.parent
RENAMED = "高新区科技局（改名）"  # what the interrupted builds would have published
TIMEOUT = 240


def tree_digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under `folder`, by path."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def leftovers(project: Path) -> list[str]:
    return sorted(path.name for path in project.glob(".site-*"))


def build_command(project: Path) -> list[str]:
    return [sys.executable, "-m", "builder", "build", "--data", "data", "--site", "site", "--jobs", "1"]


def run_build(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(build_command(project), cwd=project, capture_output=True, text=True, timeout=TIMEOUT)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with the sample data and a site from one complete build (with PDFs)."""
    project = copy_project(tmp_path_factory.mktemp("killed") / "project")
    shutil.copytree(ROOT / "data", project / "data")
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    return project


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built project for one test, with one department renamed in its data."""
    project = tmp_path / "project"
    shutil.copytree(built, project, symlinks=True)
    data = project / "data" / "2023" / "tangshan-gxq-kejiju.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("department: 高新区科技局", f"department: {RENAMED}", 1))
    return project


def staging_folder(project: Path) -> Path | None:
    return next(iter(project.glob(".site-build-*")), None)


def staging_created(project: Path) -> bool:
    return staging_folder(project) is not None


def pages_written(project: Path) -> bool:
    staging = staging_folder(project)
    return staging is not None and (staging / "site" / "index.html").exists()


def search_indexed(project: Path) -> bool:
    """Pagefind has written a shard's bundle: the PDF step is under way (an edit's shard is indexed behind it)."""
    staging = staging_folder(project)
    return staging is not None and any((staging / "site" / "pagefind").glob("*/pagefind-entry.json"))


def kill_when(project: Path, ready: Callable[[Path], bool]) -> None:
    """Start a build, SIGKILL it as soon as `ready(project)`; fail if it finished first."""
    quiet = subprocess.DEVNULL
    process = subprocess.Popen(build_command(project), cwd=project, stdout=quiet, stderr=quiet)
    try:
        deadline = time.monotonic() + TIMEOUT
        while not ready(project) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=TIMEOUT)
    assert process.returncode == -signal.SIGKILL, "构建在被中止之前已经结束"


@pytest.mark.parametrize("ready", [staging_created, pages_written, search_indexed])
def test_a_killed_build_leaves_the_site_and_data_as_they_were(project: Path, ready: Callable[[Path], bool]) -> None:
    site, data = tree_digest(project / "site"), tree_digest(project / "data")
    kill_when(project, ready)
    assert tree_digest(project / "site") == site
    assert tree_digest(project / "data") == data
    assert leftovers(project)  # the killed build's staging folder is still there …

    result = run_build(project)
    assert result.returncode == 0, result.stderr
    assert leftovers(project) == []  # … and the next build removes it
    assert RENAMED in (project / "site" / "2023" / "tangshan-gxq-kejiju" / "index.html").read_text(encoding="utf-8")
    assert tree_digest(project / "data") == data


def test_a_build_failing_in_the_pdf_step_leaves_the_site_as_it_was(project: Path) -> None:
    site = tree_digest(project / "site")
    template = project / "templates" / "print" / "document.html.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")
    result = run_build(project)
    assert result.returncode == 1  # a located message: an admin may edit the templates
    assert "模板 templates/print/document.html.j2:" in result.stderr and "有语法错误" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree_digest(project / "site") == site
    assert leftovers(project) == []


def test_a_build_with_a_data_error_leaves_the_site_as_it_was(project: Path) -> None:
    site = tree_digest(project / "site")
    data = project / "data" / "2023" / "zunhua-jingkaiqu.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("year: 2023", "year: 2023\nyaer: 2023", 1))
    result = run_build(project)
    assert result.returncode == 1
    assert "yaer" in result.stderr
    assert tree_digest(project / "site") == site
    assert leftovers(project) == []


def test_stale_folders_of_dead_builds_are_removed_and_running_ones_kept(tmp_path: Path) -> None:
    dead = [tmp_path / ".site-build-999999999-x1", tmp_path / ".site-old-999999999-x2", tmp_path / ".site-build-abc"]
    running = tmp_path / f".site-build-{os.getpid()}-x3"
    foreign = tmp_path / ".site-build-999999999-mine"  # someone else's folder that happens to be named so
    for folder in [*dead, running, foreign, tmp_path / "site"]:
        (folder / "sub").mkdir(parents=True)
    for folder in [*dead, running]:
        write_marker(folder, KIND_TEMPORARY)
    assert sorted(remove_stale_folders(tmp_path)) == sorted(dead)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted([running.name, foreign.name, "site"])


def test_a_folder_whose_deletion_was_stopped_keeps_its_marker_and_goes_at_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second Ctrl+C while a build deleted its work folder left `.site-build-…/site/pagefind/…` without the
    marker, which the marker's going first had taken: no later build would delete it. The marker goes last now."""
    folder = tmp_path / ".site-build-999999999-x1"
    for name in ("a", "b", "c"):
        (folder / "site" / "pagefind" / name).mkdir(parents=True)
        (folder / "site" / "pagefind" / name / "fragment").write_text("x", encoding="utf-8")
    write_marker(folder, KIND_TEMPORARY)
    removed = os.rmdir

    def stopped(path: object, *args: object, **kwargs: object) -> None:
        if str(path).endswith("pagefind"):
            raise KeyboardInterrupt
        removed(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "rmdir", stopped)
    with pytest.raises(KeyboardInterrupt):
        remove_tree(folder)
    monkeypatch.undo()
    assert (folder / "site" / "pagefind").exists()
    assert remove_stale_folders(tmp_path) == [folder] and not folder.exists()


def test_a_build_stopped_between_the_two_renames_gets_its_site_back(project: Path) -> None:
    """Killed after `site/` was moved aside but before the new one was moved in: the next build restores it."""
    site = tree_digest(project / "site")
    moved = project / ".site-old-999999999-x1"
    moved.mkdir()
    (project / "site").rename(moved / "site")
    data = project / "data" / "2023" / "zunhua-jingkaiqu.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("year: 2023", "year: 2023\nyaer: 2023", 1))
    result = run_build(project)
    assert result.returncode == 1  # the data error stops the build, yet the published site is back
    assert tree_digest(project / "site") == site
    assert leftovers(project) == []  # emptied, then removed with other dead builds' folders before the data is read


def test_removing_a_site_deletes_every_level_and_follows_no_symlink(tmp_path: Path) -> None:
    """The old site is deleted on several threads, folder by folder; a symlink in it is removed, not followed."""
    outside = tmp_path / "outside"
    (outside / "keep").mkdir(parents=True)
    (outside / "keep" / "file.txt").write_text("留下", encoding="utf-8")
    old = tmp_path / ".site-old-1-x" / "site"
    for number in range(80):
        page = old / "2023" / f"dept-{number}" / f"p{number}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text("页面", encoding="utf-8")
    (old / "index.html").write_text("首页", encoding="utf-8")
    (old / "2023" / "dept-1" / "link").symlink_to(outside / "keep", target_is_directory=True)
    (old / "2023" / "link").symlink_to(outside, target_is_directory=True)
    remove_tree(tmp_path / ".site-old-1-x")
    assert not (tmp_path / ".site-old-1-x").exists()
    assert (outside / "keep" / "file.txt").read_text(encoding="utf-8") == "留下"
