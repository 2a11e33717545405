"""Build .docx files that look like real department files from a `Department`, for the docx importer's tests.

Laid out like the printed form: a cover page, a Word TOC field (with, on request, a stale
entry showing `错误！未定义书签。`), 第一部分 with headings and numbered paragraphs, and per
project its 说明, its title, its unit line and a 7-column table with labels, merged
cells (`cell.merge()`: vertically merged 一级/二级指标, label cells spanning rows),
split labels and a blank row under the indicator header.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table, _Cell

from builder.data.model import Department, Indicator, Project

NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五"]
COLUMNS = 7
Text = str | list[str] | None  # a cell's paragraphs; None: a merged continuation cell


@dataclass(frozen=True)
class Layout:
    """How one department's file differs from another's, as real files do."""

    sub_goal_numbers: str = "（一）"  # or "（1）", "1." — for sub-goals and measures whose data has no label
    unit_in_table: bool = False  # the `655001…本级 / 单位：万元` line as a table row, not paragraphs
    split_labels: bool = False  # "项目\n编码", "一级\n指标" written over two lines
    blank_header_row: bool = False  # the indicator header merged over two rows
    name_break: int | None = None  # a line break in the cover's department name after this many characters
    stale_toc: dict[int, str] = field(default_factory=dict)  # TOC position (1-based) → title of a deleted table


def number(style: str, index: int) -> str:
    if style == "1.":
        return f"{index}."
    if style == "（1）":
        return f"（{index}）"
    return f"（{NUMERALS[index - 1]}）"


# ── the document ──────────────────────────────────────────────────────────────────


def write_docx(department: Department, path: Path, layout: Layout | None = None) -> Path:
    layout = layout or Layout()
    document = Document()
    add_cover(document, department, layout)
    add_toc(document, department, layout)
    add_part_one(document, department, layout)
    add_part_heading(document, department.headings.part_two)
    for project in department.projects:
        add_project(document, department, project, layout)
    document.save(str(path))
    return path


def add_cover(document: Document, department: Department, layout: Layout) -> None:
    name = department.department
    title = document.add_paragraph()
    if layout.name_break and len(name) > layout.name_break:
        title.add_run(name[: layout.name_break]).add_break()
        title.add_run(name[layout.name_break :])
    else:
        title.add_run(name)
    document.add_paragraph(f"{department.year}年部门预算绩效文本")
    if department.prepared_by:
        document.add_paragraph(f"{department.prepared_by}编制")
    if department.reviewed_by:
        document.add_paragraph(f"{department.reviewed_by}审核")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def project_heading(project: Project) -> str:
    return project.title or f"{project.name}项目绩效目标表"


def add_toc(document: Document, department: Department, layout: Layout) -> None:
    """Word's TOC field: `TOC \\o` around entries whose page numbers are PAGEREF fields."""
    document.add_paragraph("目 录", style="TOC Heading")
    headings = department.headings
    entries = [headings.part_one or "部门整体绩效目标", headings.overall_goal, headings.sub_goals, headings.measures]
    entries.append(headings.part_two or "预算项目绩效目标")
    tables = [project_heading(project) for project in department.projects]
    for position, title in sorted(layout.stale_toc.items()):
        tables.insert(position - 1, title)
    entries += tables
    stale = set(layout.stale_toc.values())
    for index, entry in enumerate(entries):
        paragraph = document.add_paragraph()
        if index == 0:
            _field(paragraph, "begin")
            _instruction(paragraph, ' TOC \\o "1-3" \\h \\z \\u ')
            _field(paragraph, "separate")
        paragraph.add_run(entry)
        paragraph.add_run("\t")
        _field(paragraph, "begin")
        _instruction(paragraph, f" PAGEREF _Toc{100000 + index} \\h ")
        _field(paragraph, "separate")
        paragraph.add_run("错误！未定义书签。" if entry in stale else str(index + 1))
        _field(paragraph, "end")
    _field(document.add_paragraph(), "end")
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _field(paragraph, kind: str) -> None:
    character = OxmlElement("w:fldChar")
    character.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(character)


def _instruction(paragraph, code: str) -> None:
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = code
    paragraph.add_run()._r.append(instruction)


def add_part_heading(document: Document, heading: str) -> None:
    """`第一部分　部门整体绩效目标` as two heading lines, as printed; a heading the original lacks is left out."""
    for line in heading.split("　"):
        if line:
            document.add_paragraph(line, style="Heading 1")


def add_part_one(document: Document, department: Department, layout: Layout) -> None:
    """第一部分 as the data holds it: its printed headings and numbers (a label-less item gets `layout`'s)."""
    one, headings = department.part_one, department.headings
    add_part_heading(document, headings.part_one)
    document.add_paragraph(headings.overall_goal, style="Heading 2")
    for text in one.overall_goal:
        document.add_paragraph(text)
    document.add_paragraph(headings.sub_goals, style="Heading 2")
    for line in (one.sub_goals_intro or "").splitlines():
        document.add_paragraph(line)
    for index, goal in enumerate(one.sub_goals, start=1):
        heading = (goal.label or number(layout.sub_goal_numbers, index)) + goal.title
        text_lines = (goal.text or "").splitlines()
        if goal.goal is None and goal.indicators is None and text_lines:
            heading, text_lines = f"{heading}{text_lines[0]}", text_lines[1:]
        document.add_paragraph(heading)
        lines = text_lines + _labelled(goal.goal_label, goal.goal) + _labelled(goal.indicators_label, goal.indicators)
        for line in lines:
            document.add_paragraph(line)
    document.add_paragraph(headings.measures, style="Heading 2")
    for line in (one.measures_intro or "").splitlines():
        document.add_paragraph(line)
    for index, measure in enumerate(one.measures, start=1):
        lines = measure.text.splitlines() or [""]
        first = f"{measure.label or number('（一）', index)}{measure.title}{lines[0]}"
        for line in [first, *lines[1:]]:
            document.add_paragraph(line)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _labelled(label: str, text: str | None) -> list[str]:
    lines = (text or "").splitlines()
    return [label + lines[0], *lines[1:]] if text is not None else []


# ── one project ───────────────────────────────────────────────────────────────────


def add_project(document: Document, department: Department, project: Project, layout: Layout) -> None:
    if project.notes:
        add_notes(document, project)
    if project.title:
        document.add_paragraph(project.title)
    if department.unit and not layout.unit_in_table:
        document.add_paragraph(department.unit.code + " " + department.unit.name)
        document.add_paragraph(f"单位：{department.amount_unit}")
    grid = project_grid(department, project, layout)
    grid.build(document)
    document.add_paragraph()


def add_notes(document: Document, project: Project) -> None:
    notes = project.notes
    printed = notes.headings
    document.add_paragraph(notes.title)
    parts = [
        (printed.basics, [(printed.overview, notes.overview), (printed.funding, notes.funding)]),
        (
            printed.targets,
            [(printed.goals, notes.goals), (printed.indicators, notes.indicators), (printed.criteria, notes.criteria)],
        ),
    ]
    for heading, sections in parts:
        document.add_paragraph(heading)
        for subheading, paragraphs in sections:
            if paragraphs:
                document.add_paragraph(subheading)
                for text in paragraphs:
                    document.add_paragraph(text)


@dataclass
class Grid:
    """Rows of (first column, last column, text) and the rectangles to merge vertically."""

    rows: list[list[tuple[int, int, Text]]] = field(default_factory=list)
    vertical: list[tuple[int, int, int, int]] = field(default_factory=list)

    def add(self, *cells: tuple[int, int, Text]) -> int:
        self.rows.append(list(cells))
        return len(self.rows) - 1

    def merge_down(self, first_row: int, last_row: int, first_column: int, last_column: int) -> None:
        if last_row > first_row:
            self.vertical.append((first_row, first_column, last_row, last_column))

    def build(self, document: Document) -> Table:
        table = document.add_table(rows=len(self.rows), cols=COLUMNS)
        table.style = "Table Grid"
        for row, cells in enumerate(self.rows):
            for first, last, _ in cells:
                if last > first:
                    cell_at(table, row, first).merge(cell_at(table, row, last))
        for first_row, first_column, last_row, last_column in self.vertical:
            cell_at(table, first_row, first_column).merge(cell_at(table, last_row, last_column))
        for row, cells in enumerate(self.rows):
            for first, _, text in cells:
                if text is not None:
                    write_cell(cell_at(table, row, first), text)
        return table


def cell_at(table: Table, row: int, column: int) -> _Cell:
    """The cell of one row covering a grid column (`table.cell()` rebuilds the whole grid on every call)."""
    position = 0
    for tc in table._tbl.tr_lst[row].tc_lst:
        if position <= column < position + tc.grid_span:
            return _Cell(tc, table)
        position += tc.grid_span
    raise IndexError(f"no cell at row {row}, column {column}")


def write_cell(cell, text: str | list[str]) -> None:
    lines = [text] if isinstance(text, str) else text
    cell.paragraphs[0].text = lines[0] if lines else ""
    for line in lines[1:]:
        cell.add_paragraph(line)


def label(text: str, layout: Layout) -> Text:
    """A two-part label such as 项目编码 written over two lines, as Word wraps a narrow column."""
    return [text[:2], text[2:]] if layout.split_labels and len(text) == 4 else text


def project_grid(department: Department, project: Project, layout: Layout) -> Grid:
    grid = Grid()
    if department.unit and layout.unit_in_table:
        grid.add((0, 4, department.unit.code + department.unit.name), (5, 6, f"单位：{department.amount_unit}"))
    grid.add((0, 0, label("项目编码", layout)), (1, 2, project.code or ""), (3, 3, "项目名称"), (4, 6, project.name))
    budget = project.budget
    first = grid.add(
        (0, 0, "预算规模及资金用途"),
        (1, 1, "预算数"),
        (2, 2, budget.total.printed),
        (3, 3, "其中：财政资金"),
        (4, 4, budget.fiscal.printed if budget.fiscal else ""),
        (5, 5, "其他资金"),
        (6, 6, budget.other.printed if budget.other else ""),
    )
    grid.merge_down(first, grid.add((0, 0, None), (1, 6, project.purpose or "")), 0, 0)
    add_spending_plan(grid, project)
    add_goals(grid, project, layout)
    add_indicators(grid, project.indicators, layout)
    return grid


def add_spending_plan(grid: Grid, project: Project) -> None:
    plan = project.spending_plan
    if not plan:
        return
    last_label_column = COLUMNS - 1 - len(plan)
    labels = [(last_label_column + 1 + i, last_label_column + 1 + i, point.label) for i, point in enumerate(plan)]
    values = [(last_label_column + 1 + i, last_label_column + 1 + i, point.value or "") for i, point in enumerate(plan)]
    first = grid.add((0, last_label_column, project.spending_plan_label), *labels)
    grid.merge_down(first, grid.add((0, last_label_column, None), *values), 0, last_label_column)


def add_goals(grid: Grid, project: Project, layout: Layout) -> None:
    goals = project.goals
    if not goals:
        return
    if all(goal.label is None for goal in goals):
        grid.add((0, 0, label("绩效目标", layout)), (1, 6, [goal.text for goal in goals]))
        return
    rows = [
        grid.add((0, 0, label("绩效目标", layout) if i == 0 else None), (1, 1, goal.label or ""), (2, 6, goal.text))
        for i, goal in enumerate(goals)
    ]
    grid.merge_down(rows[0], rows[-1], 0, 0)


HEADER = [(0, 0, "一级指标"), (1, 1, "二级指标"), (2, 2, "三级指标"), (3, 4, "绩效指标描述"), (5, 5, "指标值")]
HEADER.append((6, 6, "指标值确定依据"))


def add_indicators(grid: Grid, indicators: list[Indicator], layout: Layout) -> None:
    header = grid.add(*[(first, last, label(text, layout)) for first, last, text in HEADER])
    if layout.blank_header_row:
        blank = grid.add(*[(first, last, None) for first, last, _ in HEADER])
        for first, last, _ in HEADER:
            grid.merge_down(header, blank, first, last)
    rows = []
    previous: Indicator | None = None
    for row in indicators:
        new_level1 = previous is None or not row.merged_level1
        new_level2 = new_level1 or not row.merged_level2
        rows.append(
            grid.add(
                (0, 0, row.level1 if new_level1 else None),
                (1, 1, row.level2 if new_level2 else None),
                (2, 2, row.name),
                (3, 4, row.description or ""),
                (5, 5, row.value or ""),
                (6, 6, row.basis or ""),
            )
        )
        previous = row
    for column, merged in ((0, "merged_level1"), (1, "merged_level2")):
        start = 0
        for i in range(1, len(indicators) + 1):
            if i == len(indicators) or not getattr(indicators[i], merged):
                grid.merge_down(rows[start], rows[i - 1], column, column)
                start = i
