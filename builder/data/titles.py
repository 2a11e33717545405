"""One title policy for the website and the PDF (documented for readers in content/guide.md, “标题与目录”).

- The 目录, the PDF bookmarks and the web page title name a project by its 项目名称 (the table's
  own cell), numbered as in the original's 目录: a 目录 entry whose table the body lacks keeps its
  number, and the projects after it keep theirs (seed 002: 7.商贸流通企业奖补 has no table, 8. follows).
- The printed 表题 is printed as it is, where the original prints it (web: after the 说明, marked
  “原文表题：”; PDF: above its table, unmarked, as printed).
- Where the printed 表题 names something other than the 项目名称 (seed 001: 机器人产业扶持资金 over
  百川房屋租赁费), both the web page and the PDF say so beside it (`TITLE_NOTE`), as the data-quality
  report does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Department, Project

# A number printed before a 表题 (`1.`, `三、`, `三.`, `（一）`) and the form's own words after the name.
ENUMERATOR = re.compile(
    r"^\s*(?:(?:\d+|[一二三四五六七八九十]+)\s*[.．、]|[（(]\s*[\d一二三四五六七八九十]+\s*[）)])\s*"
)
FORM_SUFFIX = re.compile(r"(?:项目)?(?:支出)?绩效目标(?:表)?$")
CONTENTS_ONLY_NOTE = "原文目录列有此项，正文无绩效目标表"
TITLE_NOTE = "原文表题与项目名称不同；目录、书签和页面标题按项目名称"
# Under the PDF's 目录, before the department's `source` (templates/print/document.html.j2): the PDF's own words.
SOURCE_NOTE = "本文件按原文的结构和表格重新排版，文字和数字照录原文。"


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def title_differs(project: Project) -> bool:
    """Whether the printed 表题, less its number and `（项目）绩效目标表`, names something other than the 项目名称."""
    if not project.title:
        return False
    printed = FORM_SUFFIX.sub("", ENUMERATOR.sub("", _key(project.title)))
    return printed != FORM_SUFFIX.sub("", _key(project.name))


def contents_heading(name: str) -> str:
    """`百川房屋租赁费` → `百川房屋租赁费绩效目标表`, as the originals' 目录 name their tables."""
    name = name.strip()
    return name if name.endswith("绩效目标表") else f"{name}绩效目标表"


@dataclass(frozen=True)
class ContentsEntry:
    """One line of 第二部分 in the 目录: a project (with its table) or an entry the original lists without one."""

    number: int
    heading: str  # `8.商务工作专项绩效目标表`
    project_index: int | None  # position in `department.projects`; None: no table in the body
    note: str | None = None


def contents_entries(department: Department) -> list[ContentsEntry]:
    """第二部分's 目录 in the original's order and numbering; `contents_only` entries keep their place."""
    missing = {entry.position: entry for entry in department.contents_only}
    entries: list[ContentsEntry] = []
    number = 0
    for index, project in enumerate(department.projects):
        number += 1
        while number in missing:
            entry = missing.pop(number)
            entries.append(ContentsEntry(number, f"{number}.{entry.title}", None, CONTENTS_ONLY_NOTE))
            number += 1
        entries.append(ContentsEntry(number, f"{number}.{contents_heading(project.name)}", index))
    for position, entry in sorted(missing.items()):  # listed after the last table
        entries.append(ContentsEntry(position, f"{position}.{entry.title}", None, CONTENTS_ONLY_NOTE))
    return entries
