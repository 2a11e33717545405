"""Where things landed in a laid-out department PDF: each project's 说明, 表题, table start and indicator rows.

Used by the tests (and by anyone checking a template change) to hold the printed order and the page
breaks to what issue 17 asks: 说明 → 表题 → unit line → table; a 表题 on the page where its table
starts; no page holding a single indicator row of a table when the rest could move.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .render import lay_out

MIN_ROWS_PER_PAGE = 2


@dataclass
class Placement:
    """The pages (1-based) one project's parts were laid out on."""

    anchor: str
    notes_pages: list[int] = field(default_factory=list)
    title_page: int | None = None
    caption_page: int | None = None
    table_page: int | None = None  # the page of the form's first row: where the table starts
    row_pages: list[int] = field(default_factory=list)  # each indicator row, where it starts

    def problems(self) -> list[str]:
        """What breaks the published order or the page rules, in words."""
        found = []
        if self.table_page is None:
            return [f"{self.anchor}: 没有找到绩效目标表"]
        if self.title_page is not None and self.title_page != self.table_page:
            found.append(f"{self.anchor}: 表题在第 {self.title_page} 页，表格从第 {self.table_page} 页开始")
        if self.caption_page is not None and self.caption_page != self.table_page:
            found.append(f"{self.anchor}: 单位行在第 {self.caption_page} 页，表格从第 {self.table_page} 页开始")
        start = self.title_page or self.table_page
        if self.notes_pages and max(self.notes_pages) > start:
            found.append(f"{self.anchor}: 说明（至第 {max(self.notes_pages)} 页）印在表题（第 {start} 页）之后")
        counts = Counter(self.row_pages)
        if len(self.row_pages) >= MIN_ROWS_PER_PAGE:
            for page, count in sorted(counts.items()):
                if count < MIN_ROWS_PER_PAGE:
                    found.append(f"{self.anchor}: 第 {page} 页只有 {count} 行指标（共 {len(self.row_pages)} 行）")
        return found


def _classes(box: object) -> set[str]:
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None else set()


def placements_of(document: object) -> list[Placement]:
    """Walk every page's boxes in order and note where each project's parts are."""
    found: dict[str, Placement] = {}
    seen_rows: set[int] = set()
    for number, page in enumerate(document.pages, start=1):
        _walk(page._page_box, number, None, None, found, seen_rows)
    return list(found.values())


def _walk(box, page, project, table, found, seen_rows) -> None:
    tag = getattr(box, "element_tag", "")
    element = getattr(box, "element", None)
    classes = _classes(box)
    if tag == "section" and "project" in classes:
        project = found.setdefault(element.get("id"), Placement(element.get("id")))
    elif project is not None and not tag.endswith(("::before", "::after")):
        if "notes" in classes and page not in project.notes_pages:
            project.notes_pages.append(page)
        elif "table-title" in classes and project.title_page is None:
            project.title_page = page
        elif "form-caption" in classes and project.caption_page is None:
            project.caption_page = page
        elif tag == "table" and classes & {"form", "indicators"}:
            table = "form" if "form" in classes else "indicators"
        elif tag == "tr" and table == "form" and project.table_page is None:
            project.table_page = page
        elif tag == "tr" and table == "indicators" and not _in_header(box) and id(element) not in seen_rows:
            seen_rows.add(id(element))
            project.row_pages.append(page)
    for child in getattr(box, "children", []) or []:
        if not isinstance(child, str):
            _walk(child, page, project, table, found, seen_rows)


def _in_header(row: object) -> bool:
    element = getattr(row, "element", None)
    return element is not None and any(cell.tag == "th" and cell.get("scope") == "col" for cell in element)


def measure(html: str, data_dir: Path | None = None) -> tuple[list[Placement], int]:
    """Lay out a document; its placements and its page count."""
    document = lay_out(html, data_dir)
    return placements_of(document), len(document.pages)
