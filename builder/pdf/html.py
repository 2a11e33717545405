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

from .. import PROJECT_ROOT
from ..config import SiteConfig
from ..data.model import Department, Project
from ..data.titles import SOURCE_NOTE, TITLE_NOTE, contents_entries, title_differs
from ..site import filters
from ..site.paths import project_keys

PRINT_THEME = PROJECT_ROOT / "templates" / "print"
TEMPLATE = "document.html.j2"

# Columns of the grid under the 预算规模/资金支出计划/绩效目标 labels (divisible by 1–4 and 6).
FORM_COLUMNS = 12

# A 一级指标 block of at most this many rows stays on one page; a longer one may break between its 二级指标 blocks.
KEEP_TOGETHER_ROWS = 8

# At least this many grid rows start a table on its page, and end it on the last page.
ORPHAN_ROWS = 2
WIDOW_ROWS = 2

# Cover lines hold at most this many characters; a longer name breaks after a place or body word.
COVER_LINE_CHARS = 14
COVER_BREAK_AFTER = "省市县区州盟旗镇乡委会局厅办"


# A number with the sign before it and the first characters of its unit after it: `≥20000公里`, `=188.51万元`,
# `2023年` `12月` `31日前`. Printed on one line (`number_runs`), at most UNBROKEN_CHARS characters, so that it fits
# the narrowest cell it is printed in (指标值, 7 characters wide).
_NUMBER_RUN = re.compile(r"[≥≤=＝<>＜＞≧≦±]?\d[\d.,]*(?:[%％‰]|[^\W\d_]{1,2})?")
UNBROKEN_CHARS = 12


def number_runs(text: object) -> list[tuple[str, bool]]:
    """`text` in pieces, each with whether it is a number run to print unbroken (project.html.j2 `unbroken`): a
    narrow cell then breaks between runs or in words, never inside `188.51万元` or `12月`, so a reader copying a
    value out of the PDF gets it in one piece."""
    value = "" if text is None else str(text)
    pieces: list[tuple[str, bool]] = []
    at = 0
    for match in _NUMBER_RUN.finditer(value):
        if 2 <= len(match[0]) <= UNBROKEN_CHARS:
            pieces += [(value[at : match.start()], False), (match[0], True)]
            at = match.end()
    pieces.append((value[at:], False))
    return [(piece, run) for piece, run in pieces if piece]


@dataclass(frozen=True)
class ProjectSection:
    """One project as printed in 第二部分: its number, anchor and heading (目录 and bookmark, by the title policy
    in builder/data/titles.py), shared by 目录, outline and body. The body prints the 表题 as published, not this."""

    number: int
    anchor: str
    heading: str
    project: Project
    title_note: str | None = None

    @property
    def form_anchor(self) -> str:
        """Where the 目录 entry and the bookmark point: the 表题 (else the unit line), not the 说明 before it —
        the published 目录's entry is the 表题, and its page number is the table's."""
        return f"{self.anchor}-form"


@dataclass(frozen=True)
class ContentsLine:
    """A 第二部分 line of the 目录: a project section, or an entry of the original without a table."""

    heading: str
    section: ProjectSection | None
    note: str | None


def project_sections(department: Department) -> list[ProjectSection]:
    """The projects in document order, numbered as in the original's 目录; the 目录 and the body share them."""
    keys = project_keys(department)
    sections = []
    for entry in contents_entries(department):
        if entry.project_index is None:
            continue
        project = department.projects[entry.project_index]
        note = TITLE_NOTE if title_differs(project) else None
        anchor = f"project-{keys[entry.project_index]}"
        sections.append(ProjectSection(entry.number, anchor, entry.heading, project, note))
    return sections


def contents_lines(department: Department, sections: list[ProjectSection]) -> list[ContentsLine]:
    """第二部分 of the 目录: every project, and where the original lists one without a table, that entry too."""
    by_number = {section.number: section for section in sections}
    lines = []
    for entry in contents_entries(department):
        section = by_number.get(entry.number) if entry.project_index is not None else None
        lines.append(ContentsLine(entry.heading, section, entry.note))
    return lines


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
    The first two and the last two rows stay together (orphans and widows of the grid): no page
    holds a lone row of a table when the rest could move.
    """
    rows = filters.indicator_rows(project)
    level1_sizes = _block_sizes([id(row) if row.level1_span else None for row in rows], merged=True)
    kept = []
    for i, row in enumerate(rows):
        following = rows[i + 1] if i + 1 < len(rows) else None
        same_level1 = following is not None and following.level1_span == 0
        same_level2 = same_level1 and following is not None and following.level2_span == 0
        edge = following is not None and (i < ORPHAN_ROWS - 1 or i >= len(rows) - WIDOW_ROWS)
        kept.append((row, edge or same_level2 or (same_level1 and level1_sizes[i] <= KEEP_TOGETHER_ROWS)))
    return kept


def _block_sizes(keys: list[object], merged: bool = False) -> list[int]:
    """For each position, the length of the block it belongs to: a run of equal keys, or (`merged`) a key
    followed by the None keys of the rows merged into it."""
    sizes: list[int] = []
    start = 0
    for i in range(1, len(keys) + 1):
        ends = i == len(keys) or (keys[i] is not None if merged else keys[i] != keys[start])
        if ends:
            sizes.extend([i - start] * (i - start))
            start = i
    return sizes


def creation_date() -> str | None:
    """The PDF creation date from SOURCE_DATE_EPOCH (reproducible builds), else none at all."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdecimal():
        return None
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@cache
def environment() -> Environment:
    """The Jinja environment of the print theme, with the filters the website also uses."""
    env = filters.template_environment(PRINT_THEME)
    env.globals.update(
        spread=spread,
        cover_lines=cover_lines,
        number_runs=number_runs,
        source_note=SOURCE_NOTE,
        indicator_print_rows=indicator_print_rows,
        form_columns=FORM_COLUMNS,
        keep_together_rows=KEEP_TOGETHER_ROWS,
    )
    return env


def document_html(department: Department, site_config: SiteConfig | None = None, piece: object = None) -> str:
    """The whole printed document as one HTML string; `site_config` adds the publisher, paper size and font.

    With `piece` (a builder/pdf/split.py `Piece`), only that piece of it: the cover and 目录, 第一部分, or some
    projects of 第二部分, numbered from the piece's first page."""
    sections = project_sections(department)
    return (
        environment()
        .get_template(TEMPLATE)
        .render(
            department=department,
            sections=sections,
            contents=contents_lines(department, sections),
            created=creation_date(),
            site=site_config or SiteConfig(),
            piece=piece,
        )
    )


def theme_files() -> list[Path]:
    """Every file of the print theme, sorted: the cache key covers all of them."""
    return sorted(path for path in PRINT_THEME.rglob("*") if path.is_file())


def theme_stamp() -> tuple[tuple[str, int, int], ...]:
    """Name, size and mtime of each theme file: what is parsed or hashed once is redone after an edit."""
    return tuple((path.name, path.stat().st_size, path.stat().st_mtime_ns) for path in theme_files())
