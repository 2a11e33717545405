"""Where each thing lives in `site/`: the URL scheme every stage agrees on.

All paths are relative and ASCII, so the site works under any sub-path of any
static server and links never need percent-encoding.
"""

from __future__ import annotations

import hashlib
import re

from .model import Department, Project

_SAFE_CODE = re.compile(r"^[0-9A-Za-z-]{1,40}$")


def department_dir(year: int, slug: str) -> str:
    """`2023/tangshan-gxq-fagaiju/`: the department page's folder."""
    return f"{year}/{slug}/"


def project_keys(department: Department) -> list[str]:
    """One stable, unique URL key per project, in the projects' order.

    The 项目编码 when there is one; otherwise `x` plus a short hash of the name, so the
    permalink survives reordering. A key used twice gets `-2`, `-3`.
    """
    keys: list[str] = []
    for project in department.projects:
        key = _base_key(project)
        candidate, n = key, 1
        while candidate in keys:
            n += 1
            candidate = f"{key}-{n}"
        keys.append(candidate)
    return keys


def _base_key(project: Project) -> str:
    code = project.project_code
    if code and _SAFE_CODE.match(code):
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
