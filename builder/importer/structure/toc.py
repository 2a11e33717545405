"""The 目录: its entries (`标题……页码`, or a Word TOC field whose bookmark is gone) checked against the tables."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .. import printed
from ..common import clean_cell
from .blocks import Block, Report
from .labels import ANY_NUMBER, NUMBER_BEFORE_YEAR, TOC_BROKEN, TOC_HEADING, TOC_LEADER, TOC_LINE, TOC_PLAIN

# ── table of contents ─────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class TocEntry:
    block: Block
    title: str
    page: str


def take_toc(blocks: list[Block]) -> tuple[list[TocEntry], list[Block]]:
    """Table-of-contents lines are no data: set them aside (a `目录` heading goes too)."""
    entries: list[TocEntry] = []
    rest: list[Block] = []
    for block in blocks:
        text = block.text
        if block.is_cell:
            rest.append(block)
        elif TOC_HEADING.match(text):
            continue
        elif block.toc or TOC_LEADER.match(text) or TOC_BROKEN.match(text):
            match = TOC_LINE.match(text) or TOC_BROKEN.match(text) or TOC_PLAIN.match(text)
            entries.append(TocEntry(block, match["title"] if match else text, (match["page"] if match else "") or ""))
        else:
            rest.append(block)
    return entries, rest


def _title_key(title: str) -> str:
    """A title as the TOC and the table both print it: no number (`1.`, also before a year: `1.2022年…`)."""
    text = NUMBER_BEFORE_YEAR.sub("", clean_cell(title), count=1)
    return re.sub(r"\s+", "", ANY_NUMBER.sub("", text, count=1))


def _project_keys(project: dict[str, Any]) -> set[str]:
    name = project.get("name")
    keys = (
        {_title_key(name + suffix) for suffix in ("绩效目标表", "项目绩效目标表", "项目支出绩效目标表")}
        if name
        else set()
    )
    return keys | ({_title_key(project["title"])} if project.get("title") else set())


def check_toc(
    entries: list[TocEntry], projects: list[dict[str, Any]], report: Report
) -> tuple[int, list[str], list[dict[str, Any]]]:
    """Compare the TOC's project tables with the tables found; return how many it lists, the missing ones
    (for the source line) and the same as `contents_only` items (listed in the PDF's 目录 as in the original)."""
    tables = [entry for entry in entries if entry.title.endswith("表")]
    for entry in entries:
        if entry.page and not entry.page.isdigit():
            report.note(entry.block, f"目录中“{entry.title}”的页码为“{entry.page}”：目录域指向的位置已不存在")
    present = set().union(*(_project_keys(project) for project in projects)) if projects else set()
    missing = []
    contents = []
    for number, entry in enumerate(tables, start=1):
        if _title_key(entry.title) not in present:
            missing.append(f"第 {number} 项“{ANY_NUMBER.sub('', entry.title, count=1).removesuffix('绩效目标表')}”")
            contents.append(printed.contents_entry(number, clean_cell(entry.title)))
            report.note(entry.block, "目录列出但正文没有这张表", entry.title)
    listed = {_title_key(entry.title) for entry in tables}
    for project in projects if tables else []:
        if not listed & _project_keys(project):
            report.note(1, "正文有但目录未列出", project.get("title") or project.get("name", ""))
    return len(tables), missing, contents
