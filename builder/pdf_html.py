"""Turn a Department into the HTML of its printed document (cover, 目录, 第一部分, 第二部分)."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from jinja2 import Environment

from . import filters
from .config import SiteConfig
from .model import Department, Notes, Project
from .paths import project_keys

PRINT_THEME = Path(__file__).resolve().parent.parent / "theme" / "print"
TEMPLATE = "document.html.j2"

# Columns of the grid under the 预算规模/资金支出计划/绩效目标 labels (divisible by 1–4 and 6).
FORM_COLUMNS = 12

# A 一级指标 block of at most this many rows stays on one page; a longer one may break between its 二级指标 blocks.
KEEP_TOGETHER_ROWS = 8

CHINESE_NUMERALS = "一二三四五六七八九十"

# A number printed before a 表题 (`1.`, `三、`, `三.`): the PDF numbers the projects itself.
ENUMERATOR = re.compile(r"^\s*(?:\d+|[一二三四五六七八九十]+)\s*[.．、]\s*")

# Cover lines hold at most this many characters; a longer name breaks after a place or body word.
COVER_LINE_CHARS = 14
COVER_BREAK_AFTER = "省市县区州盟旗镇乡委会局厅办"


@dataclass(frozen=True)
class ProjectSection:
    """One project as printed in 第二部分: its number, anchor and heading, shared by 目录, outline and body."""

    number: int
    anchor: str
    heading: str
    project: Project


def project_sections(department: Department) -> list[ProjectSection]:
    """The projects in document order; the 目录 and the body are both drawn from this one list."""
    keys = project_keys(department)
    return [
        ProjectSection(number, f"project-{key}", f"{number}.{table_title(project)}", project)
        for number, (key, project) in enumerate(zip(keys, department.projects, strict=True), start=1)
    ]


def table_title(project: Project) -> str:
    """`X绩效目标表` from the printed 表题 (its own number dropped) or else the 项目名称."""
    title = ENUMERATOR.sub("", project.title or "").strip() or project.name.strip()
    return title if title.endswith("绩效目标表") else f"{title}绩效目标表"


def cover_lines(name: str) -> list[str]:
    """The department name in lines of similar length for the cover, broken after 区/局/委… where possible."""
    name = name.strip()
    if len(name) <= COVER_LINE_CHARS:
        return [name]
    middle = len(name) / 2
    breaks = [i + 1 for i, char in enumerate(name[:-1]) if char in COVER_BREAK_AFTER]
    fitting = [i for i in breaks if max(i, len(name) - i) <= COVER_LINE_CHARS]
    if fitting:
        cut = min(fitting, key=lambda i: abs(i - middle))
        return [name[:cut], *cover_lines(name[cut:])]
    line_count = math.ceil(len(name) / COVER_LINE_CHARS)
    cut = math.ceil(len(name) / line_count)
    return [name[:cut], *cover_lines(name[cut:])]


def spread(count: int, columns: int = FORM_COLUMNS) -> list[int]:
    """Column spans sharing `columns` among `count` cells as evenly as possible: 4 → [3, 3, 3, 3]."""
    if count <= 0:
        return []
    base, extra = divmod(columns, count)
    return [max(1, base + (1 if i < extra else 0)) for i in range(count)]  # past 12 the grid widens


def indicator_print_rows(project: Project) -> list[tuple[filters.IndicatorRow, bool]]:
    """Each grid row with whether it must stay on the same page as the next row.

    A 一级指标 block of at most KEEP_TOGETHER_ROWS rows is kept whole, a longer one breaks only
    between its 二级指标 blocks, so a merged cell is cut across pages only when it cannot fit one.
    """
    rows = filters.indicator_rows(project)
    level1_sizes = _block_sizes([row.indicator.level1 for row in rows])
    kept = []
    for i, row in enumerate(rows):
        following = rows[i + 1] if i + 1 < len(rows) else None
        same_level1 = following is not None and following.level1_span == 0
        same_level2 = same_level1 and following is not None and following.level2_span == 0
        kept.append((row, same_level2 or (same_level1 and level1_sizes[i] <= KEEP_TOGETHER_ROWS)))
    return kept


def _block_sizes(keys: list[str | None]) -> list[int]:
    """For each position, the length of the run of equal consecutive keys it belongs to."""
    sizes: list[int] = []
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            sizes.extend([i - start] * (i - start))
            start = i
    return sizes


def chinese_ordinal(number: int) -> str:
    """（一）…（十）, then Arabic numbers, as the documents number their items."""
    return CHINESE_NUMERALS[number - 1] if 1 <= number <= len(CHINESE_NUMERALS) else str(number)


@dataclass(frozen=True)
class NotesPart:
    """One numbered heading of a project's 说明 with its numbered sub-headings and their paragraphs."""

    heading: str
    items: list[tuple[str, list[str]]]


def notes_parts(notes: Notes) -> list[NotesPart]:
    """The 说明 as printed (一、项目基本情况 …), numbering only the parts that have text."""
    layout = (
        ("项目基本情况", (("项目概况", notes.overview), ("资金安排情况", notes.funding))),
        (
            "绩效目标和指标设置情况",
            (("绩效目标", notes.goals), ("绩效指标", notes.indicators), ("评价标准", notes.criteria)),
        ),
    )
    parts = []
    for heading, items in layout:
        present = [(label, paragraphs) for label, paragraphs in items if paragraphs]
        if present:
            numbered = [(f"（{chinese_ordinal(i)}）{label}", text) for i, (label, text) in enumerate(present, start=1)]
            parts.append(NotesPart(f"{chinese_ordinal(len(parts) + 1)}、{heading}", numbered))
    return parts


def creation_date() -> str | None:
    """The PDF creation date from SOURCE_DATE_EPOCH (reproducible builds), else none at all."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return None
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@cache
def environment() -> Environment:
    """The Jinja environment of the print theme, with the filters the website also uses."""
    env = filters.template_environment(PRINT_THEME)
    env.globals.update(
        spread=spread,
        cover_lines=cover_lines,
        indicator_print_rows=indicator_print_rows,
        chinese_ordinal=chinese_ordinal,
        notes_parts=notes_parts,
        form_columns=FORM_COLUMNS,
        keep_together_rows=KEEP_TOGETHER_ROWS,
    )
    return env


def document_html(department: Department, site_config: SiteConfig | None = None) -> str:
    """The whole printed document as one HTML string; `site_config` adds the publisher, paper size and font."""
    return (
        environment()
        .get_template(TEMPLATE)
        .render(
            department=department,
            sections=project_sections(department),
            created=creation_date(),
            site=site_config or SiteConfig(),
        )
    )


def theme_files() -> list[Path]:
    """Every file of the print theme, sorted: the cache key covers all of them."""
    return sorted(path for path in PRINT_THEME.rglob("*") if path.is_file())


def theme_stamp() -> tuple[tuple[str, int, int], ...]:
    """Name, size and mtime of each theme file: what is parsed or hashed once is redone after an edit."""
    return tuple((path.name, path.stat().st_size, path.stat().st_mtime_ns) for path in theme_files())
