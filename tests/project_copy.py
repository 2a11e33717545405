"""A copy of the project for tests that run `python -m builder` as a user would, with their own generated pages."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE_AND_THEME = ("builder", "theme", "templates", "content", "mkdocs.yml")


def copy_project(project: Path, names: tuple[str, ...] = CODE_AND_THEME) -> Path:
    """`names` of the project copied into `project` (generated pages and caches of Python left out)."""
    for name in names:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("generated", "__pycache__"))
        else:
            shutil.copy2(source, project / name)
    return project
