"""Where each thing lives in `site/`: the URL scheme every stage agrees on.

All paths are relative and ASCII, so the site works under any sub-path of any
static server and links never need percent-encoding.
"""

from __future__ import annotations

import hashlib
import re

from ..data.model import Department, Project
from ..data.schema import SCHEMA_ID

_SAFE_CODE = re.compile(r"^[0-9A-Za-z-]{1,40}$")
# Names a department's folder (`2023/<slug>/`) or a year's uses itself: a project key never takes one.
RESERVED_KEYS = frozenset(
    {"data", "quality", "index", "assets", "pagefind", "search", "projects", "all", "downloads", "404"}
)


def department_dir(year: int, slug: str) -> str:
    """`2023/tangshan-gxq-fagaiju/`: the department page's folder."""
    return f"{year}/{slug}/"


def project_keys(department: Department) -> list[str]:
    """One stable, unique URL key per project, in the projects' order.

    The 项目编码 when there is one; otherwise `x` plus a short hash of the name, so the
    permalink survives reordering. A key used twice — also when only the letter case
    differs, as on Windows and macOS disks — gets `-2`, `-3`. A 项目编码 that is a name
    the department's folder uses itself (`data`, `quality`…) is hashed like a missing
    one, so no project page can take the place of another output.
    """
    keys: list[str] = []
    taken: set[str] = set()
    for project in department.projects:
        key = _base_key(project)
        candidate, n = key, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{key}-{n}"
        keys.append(candidate)
        taken.add(candidate.lower())
    return keys


def _base_key(project: Project) -> str:
    code = project.project_code
    if code and _SAFE_CODE.match(code) and code.lower() not in RESERVED_KEYS:
        return code
    return "x" + hashlib.sha1(project.name.encode("utf-8")).hexdigest()[:8]


def project_dir(year: int, slug: str, key: str) -> str:
    """`2023/tangshan-gxq-fagaiju/13028123P00032410001M/`."""
    return f"{department_dir(year, slug)}{key}/"


def pdf_path(year: int, slug: str) -> str:
    """`2023/tangshan-gxq-fagaiju/tangshan-gxq-fagaiju-2023.pdf`."""
    return f"{department_dir(year, slug)}{slug}-{year}.pdf"


def pdf_download_name(department: Department) -> str:
    """The Chinese file name a reader's browser saves the PDF as (HTML `download` attribute)."""
    return f"{department.department}{department.year}年部门预算绩效文本.pdf"


# Open-data downloads (builder/opendata/export.py). Note: a department slug `data` would share
# its folder with the year's downloads (`2023/data/`); data files should not use it.
DATA_TABLES = ("departments", "projects", "indicators", "spending-plan")


def data_dir(year: int | None = None, slug: str | None = None) -> str:
    """`data/` (all years), `2023/data/` (one year) or `2023/tangshan-gxq-fagaiju/data/` (one department)."""
    if year is None:
        return "data/"
    if slug is None:
        return f"{year}/data/"
    return f"{department_dir(year, slug)}data/"


def data_prefix(year: int | None = None, slug: str | None = None) -> str:
    """The common start of a scope's file names: `budget-performance`, `…-2023`, `tangshan-gxq-fagaiju-2023`."""
    if year is None:
        return "budget-performance"
    if slug is None:
        return f"budget-performance-{year}"
    return f"{slug}-{year}"


def data_files(year: int | None = None, slug: str | None = None) -> dict[str, str]:
    """Every download of a scope, by kind (`xlsx`, `json`, `projects.csv`, …, `sqlite`), as paths from the site root.

    The SQLite database and the JSON Schema exist only for the whole site (no year, no slug).
    """
    folder, prefix = data_dir(year, slug), data_prefix(year, slug)
    files = {"xlsx": f"{folder}{prefix}.xlsx"}
    files.update({f"{table}.csv": f"{folder}{prefix}-{table}.csv" for table in DATA_TABLES})
    files["json"] = f"{folder}{prefix}.json"
    if year is None:
        files["sqlite"] = f"{folder}{prefix}.db"
        files["schema"] = f"{folder}{SCHEMA_ID}"
    files["checksums"] = f"{folder}SHA256SUMS"
    return files
