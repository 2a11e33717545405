"""Two builds of one site at once (a scheduled job and an admin's `make site`): the second waits for the first.

The builds run as `python -m builder build` in a copy of the project, so that the generated
pages and the cache (where the lock files live) are the test's own.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from builder.pipeline.lock import exclusive, lock_file
from builder.pipeline.progress import Progress

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("builder", "theme", "templates", "content", "mkdocs.yml", "data")
RENAMED = "高新区科技局（改名）"
DEPARTMENT_PAGE = Path("site/2023/tangshan-gxq-kejiju/index.html")
TIMEOUT = 300
HOLD = """
import sys, time
from pathlib import Path
from builder.pipeline.lock import exclusive
from builder.pipeline.progress import Progress
with exclusive({"网站文件夹": Path(sys.argv[1])}, Path(sys.argv[2]), Progress.silent()):
    print("holding", flush=True)
    time.sleep(600)
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("generated", "__pycache__"))
        else:
            shutil.copy2(source, project / name)
    return project


def environment(project: Path) -> dict[str, str]:
    return {**os.environ, "BUILDER_CACHE_DIR": str(project / ".cache")}


def start_build(project: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "builder", "build", "--no-pdf", "--site", "site", "--jobs", "1"]  # not --quiet
    return subprocess.Popen(
        command, cwd=project, env=environment(project), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def holder_of(project: Path) -> str:
    """The process id written in the site's lock file (empty before a build took it)."""
    path = lock_file(project / "site", project / ".cache")
    return path.read_text(encoding="ascii").strip() if path.exists() else ""


def wait_until(condition: object, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def rename_department(project: Path) -> None:
    data = project / "data" / "2023" / "tangshan-gxq-kejiju.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace("department: 高新区科技局", f"department: {RENAMED}", 1))


def test_a_second_build_of_the_site_waits_for_the_first_and_publishes_after_it(project: Path) -> None:
    first = start_build(project)
    wait_until(lambda: holder_of(project) == str(first.pid) or first.poll() is not None, "第一个构建没有取得锁")
    rename_department(project)  # the second build publishes the newer data
    second = start_build(project)
    _, first_errors = first.communicate(timeout=TIMEOUT)
    _, second_errors = second.communicate(timeout=TIMEOUT)
    assert first.returncode == 0, first_errors
    assert second.returncode == 0, second_errors
    assert f"另一个构建（进程 {first.pid}）正在写入" in second_errors  # its generated pages or its site
    assert "等它结束后继续" not in first_errors
    assert RENAMED in (project / DEPARTMENT_PAGE).read_text(encoding="utf-8")
    assert not [path.name for path in project.iterdir() if "lock" in path.name]  # the locks live in the cache


def test_a_killed_build_leaves_no_lock_behind(project: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(project / "site"), str(project / ".cache")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=TIMEOUT)
    build = start_build(project)
    _, errors = build.communicate(timeout=TIMEOUT)
    assert build.returncode == 0, errors
    assert "等它结束后继续" not in errors
    assert (project / DEPARTMENT_PAGE).is_file()


def test_the_lock_is_waited_for_and_taken_once_released(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(site), str(cache)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    notes: list[str] = []
    taken = threading.Event()

    def second() -> None:
        progress = Progress.silent()
        progress.note = notes.append  # type: ignore[method-assign]
        with exclusive({"网站文件夹": site, "生成页面文件夹": tmp_path / "generated"}, cache, progress):
            taken.set()

    waiting = threading.Thread(target=second)
    waiting.start()
    try:
        assert not taken.wait(1.0)  # held by the other process
        assert notes == [f"另一个构建（进程 {holder.pid}）正在写入网站文件夹 {site}，等它结束后继续…（按 Ctrl+C 放弃）"]
    finally:
        holder.terminate()
        holder.wait(timeout=TIMEOUT)
    assert taken.wait(TIMEOUT)
    waiting.join(timeout=TIMEOUT)
    assert sorted(path.parent for path in cache.rglob("*.lock")) == [cache / "locks"] * 2
