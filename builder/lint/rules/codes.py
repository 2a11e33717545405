"""Rules on 项目编码: duplicates within a department, and year digits that disagree with the document's year."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...data.model import Department, Project
from .base import Issue, project_rule, quote, rule

_CODE_YEAR = re.compile(r"^\d{6}(\d{2})[A-Za-z]")


@rule("code-duplicate", "error", "同一部门内项目编码重复")
def code_duplicate(department: Department) -> Iterator[Issue]:
    first_seen: dict[str, int] = {}
    for index, project in enumerate(department.projects):
        code = project.project_code
        if code is None:
            continue
        if code in first_seen:
            other = department.projects[first_seen[code]]
            message = f"项目编码 {code} 与第 {first_seen[code] + 1} 个项目{quote(other.name, 24)}相同"
            hint = "每个项目的编码应不同；请核对原表（常见于复制表格后没改编码）"
            yield Issue(("projects", index, "code"), message, hint)
        first_seen.setdefault(code, index)


@project_rule("code-year", "warning", "项目编码中的年份与文本年度不一致")
def code_year(department: Department, index: int, project: Project) -> Iterator[Issue]:
    match = _CODE_YEAR.match(project.project_code or "")
    if not match:
        return
    code_year_digits, document_digits = int(match[1]), department.year % 100
    if code_year_digits == document_digits:
        return
    later = code_year_digits > document_digits
    message = f"项目编码 {project.project_code} 的年份位是 {match[1]}，而本文本是 {department.year} 年度"
    hint = (
        "编码年份晚于文本年度，多半是编码抄错了；请核对原表"
        if later
        else "跨年延续的项目会沿用入库年份的编码；如不是延续项目，请核对编码"
    )
    yield Issue(("projects", index, "code"), message, hint, None if later else "notice")
