"""The split build of docs/split-builds.md, run as the guide's CI matrix runs it: one process per part, then a merge.

The commands are taken from the guide's GitHub Actions example, so the guide and the test
cannot drift. Each part runs in its own process with its own cache folder (a machine of its
own); the merged site must be byte for byte the site one single build makes, at 20
departments (2 and 4 parts, with PDFs) and at 120 (3 parts, without PDFs, to keep it quick).
A part that is missing at the merge is made there, as the guide says.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "split-builds.md"
GENERATOR = ROOT / "benchmarks" / "generate_corpus.py"


def guide_matrix() -> tuple[list[int], str, str]:
    """The example's matrix, its part command and its merge command (with `${{ matrix.part }}` left in)."""
    block = re.search(r"### 例：GitHub Actions 的矩阵\n\n```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    assert block, "the GitHub Actions example is gone from docs/split-builds.md"
    jobs = yaml.safe_load(block[1])["jobs"]
    [part_command] = [step["run"] for step in jobs["part"]["steps"] if "--part" in step.get("run", "")]
    [merge_command] = [step["run"] for step in jobs["merge"]["steps"] if "--merge" in step.get("run", "")]
    return jobs["part"]["strategy"]["matrix"]["part"], part_command, merge_command


def commands(count: int) -> tuple[list[list[str]], list[str]]:
    """The guide's commands for `count` parts: one per part, and the merge."""
    matrix, part_command, merge_command = guide_matrix()
    assert matrix == list(range(1, len(matrix) + 1))
    assert f"/{len(matrix)} " in part_command
    assert (
        merge_command.split("--merge", 1)[1].split() == [word for k in matrix for word in (f"part-{k}", "--merge")][:-1]
    )
    parts = [
        shlex.split(part_command.replace(f"/{len(matrix)} ", f"/{count} ").replace("${{ matrix.part }}", str(k)))
        for k in range(1, count + 1)
    ]
    head = merge_command.split("--merge", 1)[0]
    merge = shlex.split(head) + [word for k in range(1, count + 1) for word in ("--merge", f"part-{k}")]
    return parts, merge


def run(command: list[str], cwd: Path, data: Path, cache: Path, extra: list[str]) -> str:
    """One machine of the matrix: the guide's command with this project's Python, the corpus and its own cache."""
    assert command[:3] == [".venv/bin/python", "-m", "builder"], command
    argv = [sys.executable, "-m", "builder", *command[3:], "--data", str(data), "--jobs", "1", *extra]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BUILDER_CACHE_DIR": str(cache), "CI": "1"}
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def files_of(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    out = tmp_path_factory.mktemp("corpora")
    for count in (20, 120):
        argv = [sys.executable, str(GENERATOR), str(count), str(out / str(count)), "--projects", "3"]
        subprocess.run([*argv, "--data", str(ROOT / "data")], check=True, capture_output=True)
    return {count: out / str(count) for count in (20, 120)}


def single_build(folder: Path, data: Path, extra: list[str]) -> dict[str, bytes]:
    folder.mkdir()
    run([".venv/bin/python", "-m", "builder", "build"], folder, data, folder / "cache", extra)
    return files_of(folder / "site")


@pytest.mark.parametrize(("departments", "counts", "extra"), [(20, (2, 4), []), (120, (3,), ["--no-pdf"])])
def test_parts_built_apart_merge_into_the_single_build(
    corpora: dict[int, Path], tmp_path: Path, departments: int, counts: tuple[int, ...], extra: list[str]
) -> None:
    data = corpora[departments]
    single = single_build(tmp_path / "single", data, extra)
    assert sum(path.endswith("/index.html") and path.count("/") == 2 for path in single) >= departments
    assert any(path.endswith(".pdf") for path in single) == (not extra)
    for count in counts:
        machines = tmp_path / f"split-{count}"
        machines.mkdir()
        parts, merge = commands(count)
        for k, command in enumerate(parts, start=1):
            run(command, machines, data, machines / f"cache-{k}", extra)
            assert (machines / f"part-{k}" / "build-manifest.json").is_file()
        out = run(merge, machines, data, machines / "cache-merge", extra)
        assert "新生成" in out
        assert files_of(machines / "site") == single, f"{count} parts"


def test_more_parts_than_departments_leave_some_empty(corpora: dict[int, Path], tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "2023").mkdir(parents=True)
    for name in ("dept-0001", "dept-0002"):
        (data / "2023" / f"{name}.yaml").write_bytes((corpora[20] / "2023" / f"{name}.yaml").read_bytes())
    parts, _ = commands(3)
    out = run(parts[2], tmp_path, data, tmp_path / "cache", ["--no-pdf"])
    assert "第 3/3 份没有部门：共 2 个部门，少于份数" in out
    assert (tmp_path / "part-3" / "build-manifest.json").is_file()


def test_a_missing_part_is_made_at_the_merge(corpora: dict[int, Path], tmp_path: Path) -> None:
    data = corpora[20]
    single = single_build(tmp_path / "single", data, ["--no-pdf"])
    machines = tmp_path / "split"
    machines.mkdir()
    parts, merge = commands(2)
    run(parts[0], machines, data, machines / "cache-1", ["--no-pdf"])  # part 2 never arrives
    out = run(merge, machines, data, machines / "cache-merge", ["--no-pdf"])
    assert "找不到分部构建的文件夹 part-2：这一份的部门在本机重新生成" in out
    assert files_of(machines / "site") == single
