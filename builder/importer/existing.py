"""An existing data file of the department being imported: a document imported twice must not be published twice.

Importing the same document again with another `--region` (or none) gives another code
(`gxq-kejiju` beside `tangshan-gxq-kejiju`): a second file, which `check` accepts, and the
site lists the department twice. So before a file is written, the year's other data files
are looked at for the same department: a project code in common, or the same name with the
same region (or with no region on one side). Namesakes of other regions (two counties'
教育局) are not the same department.

The files are only scanned as text for their top-level `department:` and `region:` and the
projects' `- code:` lines, not parsed: a province's year folder has thousands of files.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..data.model import Department

TOP_VALUE = re.compile(r"^(department|region):[ \t]*(.*?)[ \t]*$", re.MULTILINE)
PROJECT_CODE = re.compile(r"^- code:[ \t]*(.*?)[ \t]*$", re.MULTILINE)
MIN_CODE = 6  # shorter "codes" (`1`, `无`, `————`) say nothing about which department it is


def same_department(target: Path, department: Department) -> tuple[Path, str] | None:
    """Another data file in `target`'s year folder for `department`, with what they have in common."""
    codes = {code for code in (project.code for project in department.projects) if code and len(code) >= MIN_CODE}
    region = department.region or ""
    for path in sorted(target.parent.glob("*.y*ml")):
        if path == target or path.is_symlink() or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        values = {key: _plain(value) for key, value in TOP_VALUE.findall(text)}
        shared = codes & {_plain(code) for code in PROJECT_CODE.findall(text)}
        if shared:
            return path, f"有相同的项目编码 {min(shared)}"
        other_region = values.get("region", "")
        if values.get("department") == department.department and (
            region == other_region or not region or not other_region
        ):
            return path, f"部门名称同为“{department.department}”" + (
                f"，地区同为“{region}”" if region == other_region else ""
            )
    return None


def _plain(value: str) -> str:
    """A YAML scalar as written on one line, without its quotes."""
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value
