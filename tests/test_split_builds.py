"""The split build of docs/split-builds.md, run as the guide's CI matrix runs it: one process per part, then a merge.

The commands are taken from the guide's GitHub Actions and GitLab CI examples (their YAML blocks), so the
guide and the test cannot drift. Each part runs in its own process with its own cache folder (a machine of its
own); the merged site must be byte for byte the site one single build makes, at 20
departments (2 and 4 parts with GitHub's commands, 3 with GitLab's, with PDFs) and at 120 (3 parts, without
PDFs, to keep it quick).
A part that is missing at the merge is made there, as the guide says.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "split-builds.md"
GENERATOR = ROOT / "benchmarks" / "generate_corpus.py"


@dataclass(frozen=True)
class Example:
    """A CI example of the guide: its matrix of part numbers, its part command (with `variable` standing for the
    part number) and its merge command, as written in the guide's YAML."""

    matrix: list[int]
    part_command: str
    merge_command: str
    variable: str


def guide_yaml(heading: str) -> dict[str, Any]:
    block = re.search(rf"### 例：{heading} 的矩阵\n\n.*?```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    assert block, f"the {heading} example is gone from docs/split-builds.md"
    return yaml.safe_load(block[1])


def only(commands: list[str], flag: str) -> str:
    [command] = [command for command in commands if flag in command]
    return command


def github_example() -> Example:
    jobs = guide_yaml("GitHub Actions")["jobs"]
    part_runs = [step.get("run", "") for step in jobs["part"]["steps"]]
    merge_runs = [step.get("run", "") for step in jobs["merge"]["steps"]]
    uploads = [step["with"] for step in jobs["part"]["steps"] if "upload-artifact" in step.get("uses", "")]
    assert uploads == [{"name": "part-${{ matrix.part }}", "path": "part-${{ matrix.part }}"}]
    matrix = jobs["part"]["strategy"]["matrix"]["part"]
    return Example(matrix, only(part_runs, "--part"), only(merge_runs, "--merge"), "${{ matrix.part }}")


def gitlab_example() -> Example:
    pipeline = guide_yaml("GitLab CI")
    part, merge = pipeline["part"], pipeline["site"]
    assert pipeline["stages"].index(part["stage"]) < pipeline["stages"].index(merge["stage"])
    assert part["artifacts"]["paths"] == ["part-$PART"]  # what the merge job gets back
    [matrix] = part["parallel"]["matrix"]
    return Example(matrix["PART"], only(part["script"], "--part"), only(merge["script"], "--merge"), "$PART")


EXAMPLES = {"GitHub Actions": github_example, "GitLab CI": gitlab_example}


def commands(count: int, example: str = "GitHub Actions") -> tuple[list[list[str]], list[str]]:
    """The example's commands for `count` parts: one per part, and the merge."""
    guide = EXAMPLES[example]()
    matrix, part_command, merge_command = guide.matrix, guide.part_command, guide.merge_command
    assert matrix == list(range(1, len(matrix) + 1))
    assert f"/{len(matrix)} " in part_command
    assert (
        merge_command.split("--merge", 1)[1].split() == [word for k in matrix for word in (f"part-{k}", "--merge")][:-1]
    )
    parts = [
        shlex.split(part_command.replace(f"/{len(matrix)} ", f"/{count} ").replace(guide.variable, str(k)))
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


@pytest.fixture(scope="module")
def single_builds(
    corpora: dict[int, Path], tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., dict[str, bytes]]:
    """The one-machine build of a corpus, made once per corpus and options for the tests that compare with it."""
    made: dict[tuple[int, tuple[str, ...]], dict[str, bytes]] = {}

    def get(departments: int, extra: list[str]) -> dict[str, bytes]:
        key = (departments, tuple(extra))
        if key not in made:
            made[key] = single_build(tmp_path_factory.mktemp("single") / "build", corpora[departments], extra)
        return made[key]

    return get


@pytest.mark.parametrize(
    ("example", "departments", "counts", "extra"),
    [
        ("GitHub Actions", 20, (2, 4), []),
        ("GitHub Actions", 120, (3,), ["--no-pdf"]),
        ("GitLab CI", 20, (3,), []),
    ],
)
def test_parts_built_apart_merge_into_the_single_build(
    corpora: dict[int, Path],
    single_builds: Callable[..., dict[str, bytes]],
    tmp_path: Path,
    example: str,
    departments: int,
    counts: tuple[int, ...],
    extra: list[str],
) -> None:
    data = corpora[departments]
    single = single_builds(departments, extra)
    assert sum(path.endswith("/index.html") and path.count("/") == 2 for path in single) >= departments
    assert any(path.endswith(".pdf") for path in single) == (not extra)
    for count in counts:
        machines = tmp_path / f"split-{count}"
        machines.mkdir()
        parts, merge = commands(count, example)
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


def test_a_missing_part_is_made_at_the_merge(
    corpora: dict[int, Path], single_builds: Callable[..., dict[str, bytes]], tmp_path: Path
) -> None:
    data = corpora[20]
    single = single_builds(20, ["--no-pdf"])
    machines = tmp_path / "split"
    machines.mkdir()
    parts, merge = commands(2)
    run(parts[0], machines, data, machines / "cache-1", ["--no-pdf"])  # part 2 never arrives
    out = run(merge, machines, data, machines / "cache-merge", ["--no-pdf"])
    assert "找不到分部构建的文件夹 part-2：这一份的部门在本机重新生成" in out
    assert files_of(machines / "site") == single
