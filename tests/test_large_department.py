"""A department beyond the documented size is refused when read, by `check` and `build` alike, at `projects:`."""

from __future__ import annotations

import copy
import time
from pathlib import Path

import pytest
import yaml

from builder.cli import main
from builder.data.load import MAX_PDF_PROJECTS, MAX_PROJECTS, load_department
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


def test_check_refuses_a_department_too_large_for_its_pdf_unless_no_pdf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = department_with(tmp_path, MAX_PDF_PROJECTS + 1)
    assert main(["check", str(path)]) == 1
    output = capsys.readouterr()
    expected = f"jiaoyuju.yaml:{projects_line(path)} projects: 有 {MAX_PDF_PROJECTS + 1} 个项目，超过生成 PDF 的上限"
    assert expected in output.err
    assert "build --no-pdf" in output.err
    assert main(["check", "--no-pdf", str(path)]) == 0
    assert f"{MAX_PDF_PROJECTS + 1} 个项目" in capsys.readouterr().out


def test_build_with_pdfs_refuses_it_before_making_anything(tmp_path: Path) -> None:
    department_with(tmp_path, MAX_PDF_PROJECTS + 1)
    site = tmp_path / "site"
    with pytest.raises(DataErrors, match="超过生成 PDF 的上限"):
        build(tmp_path / "data", site, with_pdf=True, generated_dir=tmp_path / "generated", cache_dir=None)
    assert not site.exists()
    assert not (tmp_path / "generated").exists()
