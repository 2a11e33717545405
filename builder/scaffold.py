"""Write a commented template data file for a new department (`builder new`)."""

from __future__ import annotations

import json
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .errors import BuilderError
from .importer.write import write_atomically
from .load import SLUG, load_department

THEME = Path(__file__).resolve().parent.parent / "theme" / "scaffold"


def _yaml_string(text: str) -> str:
    """A YAML scalar for any department name: JSON strings are valid YAML."""
    return json.dumps(text, ensure_ascii=False)


def render_template(department: str, year: int, path: Path) -> str:
    environment = Environment(loader=FileSystemLoader(THEME), undefined=StrictUndefined, keep_trailing_newline=True)
    environment.filters["yaml"] = _yaml_string
    return environment.get_template("department.yaml.j2").render(department=department, year=year, path=path)


def new_department(department: str, year: int, slug: str, data_dir: Path = Path("data"), force: bool = False) -> Path:
    """Write `data/<year>/<slug>.yaml` from the template; refuse to overwrite; prove it passes `check`."""
    if not SLUG.match(slug):
        raise BuilderError(f"部门代号 `{slug}` 不能用作网址：请只用小写字母、数字和连字符，如 gxq-fagaiju")
    if not department.strip():
        raise BuilderError("部门名称不能为空")
    path = data_dir / str(year) / f"{slug}.yaml"
    if path.exists() and not force:
        raise BuilderError(f"{path} 已存在；如确要覆盖，请加 --force")
    write_atomically(path, render_template(department.strip(), year, path))
    load_department(path)  # the template must pass check; a failure here is a bug in the template
    return path
