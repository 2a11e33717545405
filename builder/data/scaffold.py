"""Write a commented template data file for a new department (`builder new`)."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .. import PROJECT_ROOT
from ..atomic import write_atomic
from ..errors import BuilderError
from ..printable import escape_controls, is_unsafe
from .load import RESERVED_SLUGS, SLUG, load_department
from .yamlread import read_yaml

MIN_YEAR, MAX_YEAR = 1990, 2100  # as the data format's `year`
MAX_NAME = 200
THEME = PROJECT_ROOT / "templates" / "scaffold"


def _yaml_string(text: str) -> str:
    """A YAML scalar for any department name: JSON strings are valid YAML."""
    return json.dumps(text, ensure_ascii=False)


def _comment(text: object) -> str:
    """Text for a YAML comment: one line, control characters shown escaped."""
    return escape_controls(str(text))


def render_template(department: str, year: int, path: Path) -> str:
    environment = Environment(loader=FileSystemLoader(THEME), undefined=StrictUndefined, keep_trailing_newline=True)
    environment.filters["yaml"] = _yaml_string
    environment.filters["comment"] = _comment
    return environment.get_template("department.yaml.j2").render(department=department, year=year, path=path)


_DEPARTMENT_LINE = re.compile(r"^department:[ \t]*(?P<name>.+?)[ \t]*$", re.MULTILINE)


def earlier_slugs(department: str, data_dir: Path) -> list[tuple[str, Path]]:
    """The code names (`data/<year>/<slug>.yaml`) under which other years of `data_dir` hold this department, one file
    each: a new year's file under the same slug keeps the department's addresses, and its pages link the years."""
    found: dict[str, Path] = {}
    for path in sorted(data_dir.glob("[0-9][0-9][0-9][0-9]/*.yaml")):
        try:
            with open(path, encoding="utf-8") as file:
                head = file.read(4096)
        except (OSError, UnicodeDecodeError):
            continue
        match = _DEPARTMENT_LINE.search(head)
        if match and match["name"].strip("'\"") == department:
            found.setdefault(path.stem, path)
    return sorted(found.items())


def check_arguments(department: str, year: int, slug: str) -> list[str]:
    """Every problem with the arguments of `new`, before anything is written (all at once)."""
    problems = []
    if not MIN_YEAR <= year <= MAX_YEAR:
        problems.append(f"--year {year}：预算年度应在 {MIN_YEAR} 到 {MAX_YEAR} 之间，如 --year 2025")
    name = department.strip()
    if not name:
        problems.append("--department：部门名称不能为空")
    bad = [char for char in name if is_unsafe(char) or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")]
    if bad:
        codes = "、".join(f"U+{ord(char):04X}" for char in dict.fromkeys(bad))
        problems.append(f"--department：部门名称中有换行或不可见的控制字符（{codes}）— 请写成一行文字")
    if len(name) > MAX_NAME:
        problems.append(f"--department：部门名称超过 {MAX_NAME} 字")
    if not SLUG.match(slug):
        problems.append(f"--slug {escape_controls(slug)}：不能用作网址 — 请只用小写字母、数字和连字符，如 gxq-fagaiju")
    elif slug in RESERVED_SLUGS:
        problems.append(f"--slug {slug}：与网站自用的文件夹重名 — 请换一个部门代号，如 gxq-fagaiju")
    return problems


def new_department(department: str, year: int, slug: str, data_dir: Path = Path("data"), force: bool = False) -> Path:
    """Write `data/<year>/<slug>.yaml` from the template; refuse to overwrite; prove it passes `check`."""
    problems = check_arguments(department, year, slug)
    if problems:
        raise BuilderError("\n".join(problems) + "\n没有生成任何文件。")
    path = data_dir / str(year) / f"{slug}.yaml"
    if os.path.lexists(path) and not force:
        raise BuilderError(f"{path} 已存在；如确要覆盖，请加 --force")
    text = render_template(department.strip(), year, path)
    located = read_yaml(text)
    if located.problems:  # never write a file that check would refuse
        raise BuilderError(f"生成的模板有问题：{located.problems[0].render(str(path))}；没有生成任何文件")
    write_atomic(path, text)
    load_department(path)  # the template must pass check; a failure here is a bug in the template
    return path
