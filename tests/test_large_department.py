"""A department beyond the documented size is refused when read, by `check` and `build` alike, at `projects:`."""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest
import yaml

from builder.cli import main
from builder.data.load import MAX_PROJECTS, load_department
from builder.pipeline.build import DataErrors, build

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "2023" / "tangshan-gxq-kejiju.yaml"


def department_with(tmp_path: Path, count: int) -> Path:
    """The sample department with its projects repeated up to `count` (codes repeat: the count is refused first)."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    projects = data["projects"]
    data["projects"] = [copy.deepcopy(projects[number % len(projects)]) for number in range(count)]
    path = tmp_path / "data" / "2023" / "jiaoyuju.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def projects_line(path: Path) -> int:
    return path.read_text(encoding="utf-8").splitlines().index("projects:") + 1


def test_check_refuses_a_department_over_the_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = department_with(tmp_path, MAX_PROJECTS + 1)
    started = time.perf_counter()
    assert main(["check", str(path)]) == 1
    output = capsys.readouterr()
    text = output.out + output.err
    count = MAX_PROJECTS + 1
    expected = (
        f"jiaoyuju.yaml:{projects_line(path)} projects: 有 {count} 个项目，超过每个部门 {MAX_PROJECTS} 个项目的上限"
    )
    assert expected in text
    assert "拆成几个文件" in text
    assert "Traceback" not in text
    assert time.perf_counter() - started < 30


def test_build_refuses_it_before_making_anything(tmp_path: Path) -> None:
    department_with(tmp_path, MAX_PROJECTS + 1)
    site = tmp_path / "site"
    with pytest.raises(DataErrors, match=f"有 {MAX_PROJECTS + 1} 个项目"):
        build(tmp_path / "data", site, with_pdf=False, generated_dir=tmp_path / "generated", cache_dir=None)
    assert not site.exists()
    assert not (tmp_path / "generated").exists()


def test_a_department_at_the_limit_is_read(tmp_path: Path) -> None:
    loaded = load_department(department_with(tmp_path, MAX_PROJECTS))
    assert len(loaded.department.projects) == MAX_PROJECTS


def department_of_50_000(tmp_path: Path, project: dict[str, object] | None = None) -> Path:
    """50 000 projects in one file, written as text (fast): the sample's projects, or `project` repeated."""
    data = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    projects = data.pop("projects")
    head = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    items = [project] if project is not None else projects
    block = yaml.safe_dump(items, allow_unicode=True, sort_keys=False)
    path = tmp_path / "data" / "2023" / "jiaoyuju.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(head + "projects:\n" + block * (50_000 // len(items)), encoding="utf-8")
    return path


def test_50_000_projects_in_one_file_are_refused_at_once_with_how_to_split(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = department_of_50_000(tmp_path)
    megabytes = path.stat().st_size / 1024 / 1024
    assert megabytes > 16
    started = time.perf_counter()
    assert main(["check", str(path.parent.parent)]) == 1
    text = capsys.readouterr().err
    assert f"jiaoyuju.yaml:1: 文件有 {megabytes:.1f} MB，超过每个数据文件 16 MB 的上限，没有读取" in text
    assert f"每个文件至多 {MAX_PROJECTS} 个项目" in text and "拆成" in text
    assert "pagefind" not in text.lower() and "Traceback" not in text
    site = tmp_path / "site"
    with pytest.raises(DataErrors, match="超过每个数据文件 16 MB 的上限"):
        build(tmp_path / "data", site, with_pdf=True, generated_dir=tmp_path / "generated", cache_dir=None)
    assert not site.exists()
    assert time.perf_counter() - started < 10


def test_50_000_short_projects_under_the_size_limit_are_refused_by_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = department_of_50_000(tmp_path, {"name": "课后服务"})
    assert path.stat().st_size < 16 * 1024 * 1024
    assert main(["check", str(path)]) == 1
    text = capsys.readouterr().err
    count = f"有 50000 个项目，超过每个部门 {MAX_PROJECTS} 个项目的上限"
    assert f"jiaoyuju.yaml:{projects_line(path)} projects: {count}" in text
    assert "拆成几个文件" in text and "pagefind" not in text.lower()


def test_a_department_at_the_limit_is_checked_with_its_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No PDF limit below the project limit: its PDF is printed in pieces (tests/test_pdf_split.py)."""
    path = department_with(tmp_path, MAX_PROJECTS)
    assert main(["check", str(path)]) == 0
    output = capsys.readouterr()
    assert f"{MAX_PROJECTS} 个项目" in output.out
    assert "上限" not in output.out + output.err
