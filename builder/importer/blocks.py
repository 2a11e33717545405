"""Read a 部门预算绩效文本 from its paragraphs and table cells, in reading order, into a data-format dict.

The Word-text importer and the .docx importer both turn their file into this one
sequence of blocks; the document's structure (cover, table of contents, 第一部分's
sections, each table's 说明, title and unit line, the table's labels) is read here, once,
from the printed form rather than from any one department's wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import groupby
from typing import Any

from ..data.amounts import AmountError, parse_amount
from ..errors import ImportFailed
from . import printed
from .common import clean_cell, clean_code

# ── the document's structure, as printed ──────────────────────────────────────────

_NUMERAL = "一二三四五六七八九十"
SECTION = re.compile(rf"^([{_NUMERAL}]+)\s*[、.．](.*)$")
ITEM_NUMBER = re.compile(rf"^(?:[（(]\s*[{_NUMERAL}\d]+\s*[）)]|\d+\s*[.．、](?!\d))\s*")
ANY_NUMBER = re.compile(rf"^(?:[（(]\s*[{_NUMERAL}\d]+\s*[）)]|\d+\s*[.．、](?!\d)|[{_NUMERAL}]+\s*[、.．])\s*")
PART_HEADING = re.compile(
    rf"^(?P<part>第[{_NUMERAL}]部分)?\s*[:：、]?\s*(?P<year>\d{{4}})?\s*年?度?"
    r"(?P<name>部门整体绩效目标|(?:预算)?项目(?:支出)?绩效目标)?$"
)
COVER_TITLE = re.compile(r"^(?P<department>.*?)(?P<year>\d{4})\s*年度?(?:部门)?(?:预算)?绩效文本$")
COVER_YEAR = re.compile(r"^(?P<year>\d{4})\s*年度?$")
COVER_FORM = re.compile(r"^(?:部门)?(?:预算)?绩效文本$")
ATTACHMENT = re.compile(rf"^附\s*件\s*[\d{_NUMERAL}]*\s*[:：]?$")
PREPARED = re.compile(r"^(?:(?P<who>.+?)编制|编制(?:单位|部门)\s*[:：]\s*(?P<by>.+))$")
REVIEWED = re.compile(r"^(?:(?P<who>.+?)审核|审核(?:单位|部门)\s*[:：]\s*(?P<by>.+))$")
GOAL_LABEL = re.compile(r"^绩效目标\s*[:：]\s*")
INDICATOR_LABEL = re.compile(r"^绩效指标\s*[:：]\s*")
INLINE_LABEL = re.compile(r"(?<=.)(?=绩效(?:目标|指标)\s*[:：])")
TABLE_TITLE = re.compile(r"表$")
PRINTED_TABLE_TITLE = re.compile(r"绩效目标表$")
BARE_TABLE_TITLE = re.compile(r"^(?:项目)?(?:支出)?绩效目标表$")
YEAR_IN_CODE = re.compile(r"^\d{6}(?P<year>\d{2})[A-Za-z]")
YEAR_IN_TEXT = re.compile(r"(?P<year>20\d{2})\s*年")

# The table of contents: `标题……页码`, or a Word TOC field whose bookmark is gone.
TOC_HEADING = re.compile(r"^目\s*录$")
NUMBER_BEFORE_YEAR = re.compile(r"^\d{1,2}\s*[.．、](?=\s*(?:19|20)\d{2}\s*年)")
BROKEN_PAGE = r"错误！?\s*未定义书签。?|Error!\s*Bookmark not defined\.?"
TOC_LINE = re.compile(rf"^(?P<title>.*?\S)\s*(?:(?:\.{{2,}}|…+|·{{2,}}|\t)\s*)+(?P<page>\d+|{BROKEN_PAGE})$")
TOC_LEADER = re.compile(rf"^(?P<title>.*?\S)\s*(?:\.{{3,}}|…{{2,}}|·{{3,}})\s*(?P<page>\d+|{BROKEN_PAGE})$")
TOC_PLAIN = re.compile(rf"^(?P<title>.*?\S)\s*(?P<page>\d+|{BROKEN_PAGE})?$")  # an entry known to be one (.docx)
TOC_BROKEN = re.compile(rf"^(?P<title>.*?\S)\s*(?:\.{{2,}}|…+|·{{2,}}|\t)+\s*(?P<page>{BROKEN_PAGE})$")

# The 说明 printed before a table (seed 002): 关于……的说明 / 一、项目基本情况 / （一）项目概况 …
NOTES_TITLE = re.compile(r"^关于.+说明$")
NOTES_PART = re.compile(rf"^([{_NUMERAL}]+)\s*[、.．]\s*(\S.*)$")
NOTES_SECTION = re.compile(rf"^[（(]\s*([{_NUMERAL}]+)\s*[)）]\s*(\S.*)$")
NOTES_PARTS = (("基本情况", "basics"), ("概况", "basics"), ("指标", "targets"), ("目标", "targets"))
NOTES_SECTIONS = (
    ("概况", "overview"),
    ("资金", "funding"),
    ("标准", "criteria"),
    ("评价", "criteria"),
    ("指标", "indicators"),
    ("目标", "goals"),
)
NOTES_BY_NUMBER = {
    ("basics", "一"): "overview",
    ("basics", "二"): "funding",
    ("targets", "一"): "goals",
    ("targets", "二"): "indicators",
    ("targets", "三"): "criteria",
}
NOTES_KEYS = ("overview", "funding", "goals", "indicators", "criteria")
HEADING_MAX_CHARS = 20
SENTENCE_END = tuple("。；！？.!?;：:")

# Table labels (matched on the cleaned cell, so "项目\n\n编码" is 项目编码).
UNIT_ROW = re.compile(r"^(?P<code>\d{6})\s*(?P<name>\D.*)$")
AMOUNT_UNIT = re.compile(r"^(?:金额)?单位\s*[:：]\s*(?P<unit>[千百万亿]*元)$")
UNIT_AND_AMOUNT = re.compile(r"^(?P<unit>\d{6}\s*\D.*?)\s+(?P<amount>(?:金额)?单位\s*[:：]\s*[千百万亿]*元)$")
FIELD_LABELS = {
    "code": re.compile(r"^项目(?:编码|代码)$"),
    "name": re.compile(r"^项目名称$"),
    "total": re.compile(r"^(?:年度)?(?:预算数|预算资金|预算金额|资金总额)(?:[（(][千百万亿]*元[）)])?$"),
    "fiscal": re.compile(r"^(?:其中\s*[:：])?财政(?:资金|拨款)(?:[（(][千百万亿]*元[）)])?$"),
    "other": re.compile(r"^(?:其中\s*[:：])?其他(?:来源)?资金(?:[（(][千百万亿]*元[）)])?$"),
    "purpose": re.compile(r"^资金用途$"),
}
FORM_LABEL = re.compile(r"^预算规模(?:及资金用途)?$")
PLAN_LABEL = re.compile(r"^资金支出计划")
CHECKPOINT = re.compile(r"\d+\s*月|季度|半年|全年|年[底末中]")
GOALS_LABEL = re.compile(r"^(?:年度|项目)?绩效目标$")
GOAL_TAG = re.compile(rf"^目标\s*[\d{_NUMERAL}]+$")
INDICATOR_COLUMNS = {
    "level1": re.compile(r"^一级指标$"),
    "level2": re.compile(r"^二级指标$"),
    "name": re.compile(r"^(?:三级指标|指标名称)$"),
    "description": re.compile(r"^(?:绩效)?指标(?:描述|解释|内容)$"),
    "value": re.compile(r"^(?:绩效)?(?:指标值|目标值)$"),
    "basis": re.compile(r"^(?:指标值)?(?:确定|设定)依据$"),
}
FIELD_NAMES = {"name": "项目名称", "budget.total": "预算数", "indicators": "绩效指标表"}


@dataclass(frozen=True)
class ImportWarning:
    """Something the importer could not place, or a value it had to infer."""

    line: int
    message: str
    text: str = ""
    where: str = ""  # a place that is not a line: `第 3 张表第 2 行第 1 格` (.docx)

    def render(self, source: str = "") -> str:
        quoted = f"：{self.text}" if self.text else ""
        place = f"{source}: {self.where}" if self.where else f"{source}:{self.line}"
        return f"{place}: 警告：{self.message}{quoted}"


@dataclass
class Block:
    """A paragraph of running text, or one table cell (with its continuation lines).

    Blocks from a .docx also know their table, row and grid columns, and say where they
    are in words; blocks from a text export know only their line.
    """

    line: int
    raw: str
    is_cell: bool
    table: int = 0
    row: int | None = None
    column: int | None = None
    span: int = 1
    place: str | None = None
    toc: bool = False

    @property
    def where(self) -> str:
        return self.place or f"第 {self.line} 行"

    @property
    def text(self) -> str:
        """The block as one label or value: line breaks between CJK characters are artefacts."""
        return clean_cell(self.raw)

    @property
    def paragraphs(self) -> list[str]:
        return [text for text in (clean_cell(line) for line in self.raw.split("\n")) if text]

    @property
    def content(self) -> str:
        """The block as running text: one line per printed paragraph."""
        return "\n".join(self.paragraphs)

    def covers(self, column: int) -> bool:
        return self.column is not None and self.column <= column < self.column + self.span


@dataclass
class Report:
    """What the importer could not place (kept in `unresolved`) and what it inferred."""

    warnings: list[ImportWarning] = field(default_factory=list)
    unresolved: list[dict[str, str]] = field(default_factory=list)
    headings: dict[str, str] = field(default_factory=dict)  # part and section headings as printed (model keys)

    def note(self, at: Block | int | str, message: str, text: str = "") -> None:
        """A warning at a block, a line number, or a place described in words (`第 3 张表第 1 行第 1 格`)."""
        if isinstance(at, Block):
            self.warnings.append(ImportWarning(at.line, message, text, at.place or ""))
        elif isinstance(at, str):
            self.warnings.append(ImportWarning(0, message, text, at))
        else:
            self.warnings.append(ImportWarning(at, message, text))

    def unplaced(self, block: Block, message: str = "未能归类的内容") -> None:
        text = block.content
        if text:
            self.unresolved.append({"where": block.where, "text": text})
            self.note(block, message, text)


def is_part_heading(text: str) -> bool:
    match = PART_HEADING.match(text)
    return bool(match and (match["part"] or match["name"]))


def _is_part_two_heading(text: str) -> bool:
    match = PART_HEADING.match(text)
    return bool(match and (match["part"] == "第二部分" or (match["name"] and "项目" in match["name"])))


def _is_heading(text: str) -> bool:
    return len(text) <= HEADING_MAX_CHARS and not text.rstrip("”’」』）)").endswith(SENTENCE_END)


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


# ── blocks → tables ───────────────────────────────────────────────────────────────


def demote_layout_tables(blocks: list[Block]) -> list[Block]:
    """A table with no form label (a cover laid out as a table) is read as paragraphs, unless it continues
    the table right before it (a table split at a page break)."""
    kept = {block.table for block in blocks if block.is_cell and (_is_label(block.text) or _is_header(block.text))}
    headings = {block.table for block in blocks if block.is_cell and _is_table_heading(block.text)}
    result: list[Block] = []
    for block in blocks:
        previous = result[-1] if result else None
        follows = previous is not None and previous.is_cell and previous.table in kept
        if block.is_cell and follows and block.table not in headings:
            kept.add(block.table)
        if block.is_cell and block.table not in kept:
            result += [replace(block, raw=line, is_cell=False) for line in block.raw.split("\n") if clean_cell(line)]
        else:
            result.append(block)
    return result


def split_into_tables(blocks: list[Block]) -> list[tuple[list[Block], list[Block]]]:
    """Each table with the paragraphs printed before it; trailing paragraphs get an empty table."""
    groups: list[tuple[list[Block], list[Block]]] = [([], [])]
    for block in blocks:
        paragraphs, cells = groups[-1]
        if block.is_cell and cells and block.table != cells[-1].table:
            groups.append(([], [block]))
        elif block.is_cell:
            cells.append(block)
        elif cells:
            groups.append(([block], []))
        else:
            paragraphs.append(block)
    return groups


def split_stacked_tables(groups: list[tuple[list[Block], list[Block]]]) -> list[tuple[list[Block], list[Block]]]:
    """One table holding several projects: a new project starts at a 项目编码 or 项目名称 label after an
    indicator header; the title and unit cells printed just above it go with it."""
    result = []
    for paragraphs, cells in groups:
        start, seen_header = 0, False
        for index, block in enumerate(cells):
            if seen_header and _field_label(block.text) in ("code", "name"):
                cut = _start_of_preamble(cells, start, index)
                result.append((paragraphs, cells[start:cut]))
                paragraphs, start, seen_header = [], cut, False
            seen_header = seen_header or _is_header(block.text)
        result.append((paragraphs, cells[start:]))
    return result


def _start_of_preamble(cells: list[Block], start: int, index: int) -> int:
    """Where the title and unit cells above a 项目编码 row begin (blank cells around them included)."""
    cut = index
    while cut > start and (not cells[cut - 1].text or _is_table_heading(cells[cut - 1].text)):
        cut -= 1
    while cut < index and not cells[cut].text:
        cut += 1
    return cut if any(cells[i].text for i in range(cut, index)) else index


def _is_table_heading(text: str) -> bool:
    return bool(PRINTED_TABLE_TITLE.search(text)) or _unit_line(text) is not None


def join_continued_tables(
    groups: list[tuple[list[Block], list[Block]]], report: Report
) -> list[tuple[list[Block], list[Block]]]:
    """A table with no form label right after another is its continuation (a table split at a page break)."""
    joined = groups[:1]
    for paragraphs, cells in groups[1:]:
        previous = joined[-1][1]
        labelled = any(_is_label(block.text) or _is_table_heading(block.text) for block in cells)
        if previous and cells and not paragraphs and not labelled:
            report.note(cells[0], "表格没有项目编码、项目名称等栏目，看作上一张表的续表（跨页拆开的表格）")
            previous.extend(cells)
        else:
            joined.append((paragraphs, cells))
    return joined


def take_title(paragraphs: list[Block]) -> tuple[list[Block], str | None]:
    """The table title printed above a table (one line, or a name line and a bare `项目绩效目标表` line)."""
    if not paragraphs or not TABLE_TITLE.search(paragraphs[-1].text):
        return paragraphs, None
    size = 1
    if BARE_TABLE_TITLE.match(paragraphs[-1].text) and len(paragraphs) > 1 and not _is_structural(paragraphs[-2].text):
        size = 2
    return paragraphs[:-size], "".join(block.text for block in paragraphs[-size:])


def _is_structural(text: str) -> bool:
    return bool(
        ITEM_NUMBER.match(text)
        or SECTION.match(text)
        or is_part_heading(text)
        or GOAL_LABEL.match(text)
        or INDICATOR_LABEL.match(text)
        or TABLE_TITLE.search(text)
    )


# ── what is printed above a table: 说明, title, unit line ─────────────────────────


@dataclass
class Preamble:
    """The paragraphs above one table: its 说明, its title, its unit line and its `单位：万元`."""

    title: str | None = None
    notes: dict[str, Any] | None = None
    unit: dict[str, str] | None = None
    amount_unit: str | None = None


def _unit_line(text: str) -> tuple[dict[str, str] | None, str | None] | None:
    """`655001河北遵化经济开发区管理委员会本级`, `单位：万元`, or both on one line; None if neither."""
    if match := UNIT_AND_AMOUNT.match(text):
        unit, amount = _unit_line(match["unit"]), _unit_line(match["amount"])
        return (unit[0] if unit else None), (amount[1] if amount else None)
    if match := AMOUNT_UNIT.match(text):
        return None, match["unit"]
    if (match := UNIT_ROW.match(text)) and not text.endswith(SENTENCE_END) and len(text) <= 60:
        return {"code": match["code"], "name": match["name"]}, None
    return None


def _take_unit_lines(paragraphs: list[Block], preamble: Preamble) -> list[Block]:
    while paragraphs and (found := _unit_line(paragraphs[-1].text)) is not None:
        preamble.unit = found[0] or preamble.unit
        preamble.amount_unit = found[1] or preamble.amount_unit
        paragraphs = paragraphs[:-1]
    return paragraphs


def read_preamble_paragraphs(paragraphs: list[Block], report: Report) -> tuple[list[Block], Preamble]:
    """Peel the unit lines, the title and the 说明 off the end of the paragraphs above a table."""
    preamble = Preamble()
    rest = _take_unit_lines(paragraphs, preamble)
    rest, preamble.title = take_title(rest)
    rest = _take_unit_lines(rest, preamble)
    start = next((i for i in range(len(rest) - 1, -1, -1) if NOTES_TITLE.match(rest[i].text)), None)
    if start is not None:
        preamble.notes = parse_notes(rest[start:], report)
        rest = rest[:start]
        if preamble.title is None:  # the title printed as a heading above the 说明 (this project's own PDF)
            rest, preamble.title = take_title(rest)
    return rest, preamble


def parse_notes(paragraphs: list[Block], report: Report) -> dict[str, Any]:
    """`关于……的说明`, then 一、/（一） headings, each with its paragraphs (project overview, funding, …)."""
    notes: dict[str, Any] = {"title": paragraphs[0].text}
    headings: dict[str, str] = {}
    part = section = None
    for block in paragraphs[1:]:
        text = block.text
        if (match := NOTES_PART.match(text)) and _is_heading(text):
            part, section = _notes_part(match[2], match[1]), None
            if part:
                headings.setdefault(part, text)
        elif (match := NOTES_SECTION.match(text)) and _is_heading(text):
            section = _notes_section(match[2], match[1], part)
            if section is None:
                report.unplaced(block, "说明中不认识的小标题")
            else:
                headings.setdefault(section, text)
        elif section is None:
            report.unplaced(block, "说明中小标题之前的文字")
        else:
            notes.setdefault(section, []).append(text)
    if printed_headings := printed.notes_headings(headings):
        notes["headings"] = printed_headings
    return {key: notes[key] for key in ("title", "headings", *NOTES_KEYS) if key in notes}


def _notes_part(title: str, number: str) -> str | None:
    for keyword, key in NOTES_PARTS:
        if keyword in title:
            return key
    return {"一": "basics", "二": "targets"}.get(number)


def _notes_section(title: str, number: str, part: str | None) -> str | None:
    for keyword, key in NOTES_SECTIONS:
        if keyword in title:
            return key
    return NOTES_BY_NUMBER.get((part or "", number))


# ── cover and part one ────────────────────────────────────────────────────────────


def split_front(paragraphs: list[Block], report: Report) -> tuple[list[Block], Preamble]:
    """The paragraphs before the first table: cover and part one, then what is printed above that table."""
    part_one = max((i for i, block in enumerate(paragraphs) if _is_part_one_heading(block.text)), default=0)
    start = next((i for i in range(part_one, len(paragraphs)) if _is_part_two_heading(paragraphs[i].text)), None)
    if start is None:
        report.headings["part_two"] = ""  # not printed (seed 000): the body shows none either
        return read_preamble_paragraphs(paragraphs, report)
    rest, preamble = read_preamble_paragraphs(paragraphs[start:], report)
    for block in rest:
        if not is_part_heading(block.text):
            report.unplaced(block)
    report.headings["part_two"] = printed.join_heading([block.text for block in rest if is_part_heading(block.text)])
    return paragraphs[:start], preamble


def _is_part_one_heading(text: str) -> bool:
    match = PART_HEADING.match(text)
    return bool(match and (match["part"] == "第一部分" or match["name"] == "部门整体绩效目标"))


def split_cover(paragraphs: list[Block]) -> tuple[list[Block], list[Block]]:
    """The cover is everything before the first part heading or numbered section."""
    for index, block in enumerate(paragraphs):
        if is_part_heading(block.text) or _section_key(block.text):
            return paragraphs[:index], paragraphs[index:]
    return paragraphs, []


def parse_cover(cover: list[Block], report: Report) -> dict[str, Any]:
    """Department (one line or several above the title), year, and who prepared and reviewed the document."""
    found: dict[str, Any] = {}
    title = next((i for i, block in enumerate(cover) if COVER_TITLE.match(block.text)), None)
    names: list[str] = []
    naming = title is None  # without a one-line title, the name is the lines before the year or form line
    for index, block in enumerate(cover):
        text = block.text
        naming = naming and (not names or _cover_name_line(text))
        if index == title and (match := COVER_TITLE.match(text)):
            found["year"] = int(match["year"])
            names = names or ([match["department"]] if match["department"] else [])
        elif match := PREPARED.match(text):
            found["prepared_by"] = match["who"] or match["by"]
        elif match := REVIEWED.match(text):
            found["reviewed_by"] = match["who"] or match["by"]
        elif (match := COVER_YEAR.match(text)) and "year" not in found:
            found["year"] = int(match["year"])
        elif COVER_FORM.match(text):
            continue
        elif ATTACHMENT.match(text):
            report.unplaced(block, "封面上的附件编号")
        elif (title is not None and index < title) or naming:
            names.append(text)
        else:
            report.unplaced(block, "封面上未能归类的内容")
    if names:
        found["department"] = clean_cell("\n".join(names)).replace("\n", " ")
    return found


def _cover_name_line(text: str) -> bool:
    """A further line of a department name printed over several lines on the cover."""
    patterns = (COVER_TITLE, COVER_YEAR, COVER_FORM, PREPARED, REVIEWED, ATTACHMENT)
    return not any(pattern.match(text) for pattern in patterns) and not YEAR_IN_TEXT.search(text)


def _section_key(text: str) -> str | None:
    match = SECTION.match(text)
    if not match or "。" in text or len(match[2]) > 20:
        return None
    name = match[2]
    for key, word in (("overall", "总体"), ("sub_goals", "分项"), ("measures", "措施")):
        if word in name:
            return key
    return {"一": "overall", "二": "sub_goals", "三": "measures"}.get(match[1], "other")


def split_sections(paragraphs: list[Block], report: Report) -> tuple[dict[str, list[Block]], int | None]:
    """Part one's paragraphs by section (一、总体 / 二、分项 / 三、措施); also the year in its heading."""
    sections: dict[str, list[Block]] = {}
    current: list[Block] | None = None
    year = None
    part_heading: list[str] = []
    for block in paragraphs:
        key = _section_key(block.text)
        if key:
            current = sections.setdefault(key, [])
            if key == "other":
                report.unplaced(block, "第一部分中不认识的标题")
            else:
                report.headings.setdefault({"overall": "overall_goal"}.get(key, key), block.text)
        elif is_part_heading(block.text):
            year = year or _heading_year(block.text)
            if current is None:
                part_heading.append(block.text)
        elif current is None:
            report.unplaced(block)
        else:
            current.append(block)
    for block in sections.pop("other", []):
        report.unplaced(block)
    report.headings["part_one"] = printed.join_heading(part_heading)
    return sections, year


def _heading_year(text: str) -> int | None:
    match = PART_HEADING.match(text)
    return int(match["year"]) if match and match["year"] else None


def split_items(paragraphs: list[Block]) -> tuple[list[str], list[list[str]]]:
    """Lead paragraphs, then numbered items each with its following paragraphs; an item's first line starts
    with its printed number (`（1） `, `1.`), which `printed.split_label` takes off and keeps."""
    intro: list[str] = []
    items: list[list[str]] = []
    for block in paragraphs:
        text = block.text
        number = ITEM_NUMBER.match(text)
        if number:
            items.append([text])
        elif items:
            items[-1].append(text)
        else:
            intro.append(text)
    return intro, items


def parse_sub_goal(lines: list[str]) -> dict[str, str]:
    """A heading with `绩效目标：`/`绩效指标：` paragraphs, or one paragraph: first sentence and the rest."""
    label, first = printed.split_label(lines[0])
    lines = [piece for line in [first, *lines[1:]] for piece in INLINE_LABEL.split(line)]
    heading, fields, last = lines[0], {"goal": [], "indicators": [], "text": []}, "text"
    labels = {}
    for line in lines[1:]:
        if match := GOAL_LABEL.match(line):
            last, line = "goal", line[match.end() :]
            labels.setdefault("goal_label", match[0].rstrip(" \t\u3000"))
        elif match := INDICATOR_LABEL.match(line):
            last, line = "indicators", line[match.end() :]
            labels.setdefault("indicators_label", match[0].rstrip(" \t\u3000"))
        fields[last].append(line)
    item = {"label": label, "title": heading}
    if not fields["goal"] and not fields["indicators"]:
        item["title"], rest = printed.first_sentence(heading)
        fields["text"] = [part for part in [rest, *fields["text"]] if part]
    texts = {key: "\n".join(value) for key, value in fields.items() if value}
    item.update({"goal_label": labels.get("goal_label"), "goal": texts.get("goal")})
    item.update({"indicators_label": labels.get("indicators_label"), "indicators": texts.get("indicators")})
    item["text"] = texts.get("text")
    return printed.run_in_labels({key: value for key, value in item.items() if value})


def parse_measure(lines: list[str]) -> dict[str, str]:
    label, first = printed.split_label(lines[0])
    title, rest = printed.first_sentence(first)
    text = "\n".join(part for part in [rest, *lines[1:]] if part)
    item = {"label": label, "title": title, "text": text}
    return {key: value for key, value in item.items() if value}


def parse_part_one(paragraphs: list[Block], report: Report) -> tuple[dict[str, Any], int | None]:
    sections, year = split_sections(paragraphs, report)
    part: dict[str, Any] = {"overall_goal": [block.text for block in sections.get("overall", [])]}
    intro, items = split_items(sections.get("sub_goals", []))
    if intro:
        part["sub_goals_intro"] = "\n".join(intro)
    part["sub_goals"] = [parse_sub_goal(item) for item in items]
    intro, items = split_items(sections.get("measures", []))
    if intro:
        part["measures_intro"] = "\n".join(intro)
    part["measures"] = [parse_measure(item) for item in items]
    at = paragraphs[0] if paragraphs else 1
    names = {"overall_goal": "一、总体绩效目标", "sub_goals": "二、分项绩效目标", "measures": "三、工作保障措施"}
    for key, name in names.items():
        if not part[key]:
            report.note(at, f"第一部分缺少“{name}”的内容")
    return part, year


# ── one project table ─────────────────────────────────────────────────────────────


class Cells:
    """A cursor over a table's cells."""

    def __init__(self, cells: list[Block]) -> None:
        self.cells = cells
        self.position = 0

    def done(self) -> bool:
        return self.position >= len(self.cells)

    def peek(self) -> Block:
        return self.cells[self.position]

    def next(self) -> Block:
        self.position += 1
        return self.cells[self.position - 1]

    def at(self, is_label: Callable[[str], bool]) -> bool:
        return not self.done() and is_label(self.peek().text)

    def until(self, is_stop: Callable[[str], bool]) -> list[Block]:
        """Cells up to (not including) the first whose text `is_stop`."""
        taken: list[Block] = []
        while not self.done() and not is_stop(self.peek().text):
            taken.append(self.next())
        return taken


def _squeeze(text: str) -> str:
    """A form label with the spaces Word justified it with removed (`其中：财政    资金`)."""
    return re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")


def _field_label(text: str) -> str | None:
    return next((key for key, pattern in FIELD_LABELS.items() if pattern.match(_squeeze(text))), None)


def _is_label(text: str) -> bool:
    label = _squeeze(text)
    return bool(_field_label(text) or FORM_LABEL.match(label) or PLAN_LABEL.match(label) or GOALS_LABEL.match(label))


def _column(text: str) -> str | None:
    """The indicator column a header cell names (`三级指标` → name), if it names one."""
    label = _squeeze(text)
    return next((key for key, pattern in INDICATOR_COLUMNS.items() if pattern.match(label)), None)


def _is_header(text: str) -> bool:
    return _column(text) is not None


def _ends_plan(text: str) -> bool:
    return bool(GOALS_LABEL.match(_squeeze(text))) or _is_header(text)


def _is_amount(text: str) -> bool:
    try:
        parse_amount(text)
    except AmountError:
        return False
    return True


def _has_grid(blocks: list[Block]) -> bool:
    """Whether the cells know their row and columns (.docx), so columns can be matched by position."""
    return bool(blocks) and all(block.row is not None and block.column is not None for block in blocks)


def _rows(blocks: list[Block]) -> list[list[Block]]:
    return [list(row) for _, row in groupby(blocks, key=lambda block: (block.table, block.row))]


@dataclass
class Table:
    """What one project table says: the project, and the unit lines printed above it."""

    project: dict[str, Any] = field(default_factory=dict)
    unit: dict[str, str] | None = None
    amount_unit: str | None = None
    where: str = ""


def read_preamble(cells: Cells, table: Table, report: Report) -> None:
    """Rows above 项目编码: `655001…本级`, `单位：万元`, and a table title printed inside the table."""
    for block in cells.until(_is_label):
        found = _unit_line(block.text)
        if found and (found[1] or table.unit is None):
            table.unit = found[0] or table.unit
            table.amount_unit = found[1] or table.amount_unit
        elif TABLE_TITLE.search(block.text) and "title" not in table.project:
            table.project["title"] = block.text
        elif block.text:
            report.unplaced(block, "表格上方未能归类的内容")


def read_fields(cells: Cells, report: Report) -> dict[str, Any]:
    """项目编码 … 其他资金 and 资金用途: each label followed by its value cell."""
    values: dict[str, Any] = {}
    purpose: list[str] = []
    while not cells.done() and not _ends_fields(cells.peek().text):
        block = cells.next()
        key = _field_label(block.text)
        if key == "purpose" or FORM_LABEL.match(_squeeze(block.text)) or not block.text:
            continue
        if key and key not in values:
            values[key] = _field_value(cells, key)
        elif "total" in values:
            purpose.append(block.content)
        else:
            report.unplaced(block, "项目表中未能归类的单元格")
    if purpose:
        values["purpose"] = "\n".join(purpose)
    return values


def _ends_fields(text: str) -> bool:
    return bool(PLAN_LABEL.match(_squeeze(text))) or _ends_plan(text)


def _field_value(cells: Cells, key: str) -> str | None:
    """The cell after a label, unless it is another label (or, for money, not a figure)."""
    if cells.done() or _is_label(cells.peek().text) or _is_header(cells.peek().text):
        return None
    block = cells.peek()
    if key in ("total", "fiscal", "other") and block.text and not _is_amount(block.text):
        return None
    cells.next()
    if key == "code":
        return clean_code(block.raw) or None
    return (block.text if key in ("total", "fiscal", "other") else block.content) or None


def read_spending_plan(cells: Cells, report: Report) -> list[dict[str, str]]:
    """Checkpoint labels (`3月底`, `第一季度`), an empty merged cell, then one value per checkpoint."""
    if not cells.at(lambda text: bool(PLAN_LABEL.match(_squeeze(text)))):
        return []
    label_cell = cells.next()
    if _has_grid([label_cell]):
        return _grid_spending_plan(label_cell, cells, report)
    labels = []
    while cells.at(CHECKPOINT.search) and not cells.at(_is_label):
        labels.append(cells.next())
    values = cells.until(_ends_plan)
    if len(values) == len(labels) + 1 and not values[0].text:
        values = values[1:]
    if len(values) != len(labels):
        report.note(values[0] if values else label_cell, f"资金支出计划有 {len(labels)} 个节点、{len(values)} 个值")
        for block in values[len(labels) :]:
            report.unplaced(block)
    padded: list[Block | None] = [*values, *[None] * len(labels)]
    return [_checkpoint(label.text, block) for label, block in zip(labels, padded, strict=False)]


def _grid_spending_plan(label_cell: Block, cells: Cells, report: Report) -> list[dict[str, str]]:
    """A .docx plan: checkpoints in the label's row, each value under its checkpoint in the next row
    (or, in a one-row plan, right after it: `3月底 | 25% | 6月底 | 50%`)."""
    pairs: list[tuple[Block, Block | None]] = []
    while not cells.done() and (cells.peek().table, cells.peek().row) == (label_cell.table, label_cell.row):
        block = cells.next()
        if not block.text:
            continue
        if pairs and pairs[-1][1] is None and not CHECKPOINT.search(block.text):
            pairs[-1] = (pairs[-1][0], block)
        else:
            pairs.append((block, None))
    rows = _rows(cells.until(_ends_plan))
    under = rows[0] if rows else []
    pairs = [(label, value or _cell_under(label, under)) for label, value in pairs]
    used = {id(value) for _, value in pairs}
    for block in [block for row in rows for block in row]:
        if block.text and id(block) not in used:
            report.unplaced(block, "资金支出计划中不在任何时间节点下的单元格")
    return [_checkpoint(label.text, value) for label, value in pairs]


def _cell_under(label: Block, row: list[Block]) -> Block | None:
    """The cell of `row` that starts within the label's columns, else the first that overlaps them."""
    starting = [block for block in row if label.covers(block.column or 0)]
    overlapping = [block for block in row if block.covers(label.column or 0)]
    found = [block for block in starting + overlapping if block.text]
    return found[0] if found else None


def _checkpoint(label: str, block: Block | None) -> dict[str, str]:
    value = block.text if block else ""
    return {"label": label, "value": value} if value else {"label": label}


def read_goals(cells: Cells, report: Report) -> list[Any]:
    """`目标1` + text cell pairs, or goals one per line in a shared cell."""
    if not cells.at(lambda text: bool(GOALS_LABEL.match(_squeeze(text)))):
        return []
    cells.next()
    goals: list[Any] = []
    label: Block | None = None
    for block in cells.until(_is_header):
        if GOAL_TAG.match(block.text):
            if label:
                report.unplaced(label, "目标标签后没有目标正文")
            label = block
        elif block.text and label:
            goals.append({"label": label.text, "text": block.content})
            label = None
        elif block.text:
            goals.extend(block.paragraphs)
    if label:
        report.unplaced(label, "目标标签后没有目标正文")
    return goals


def read_indicators(cells: Cells, report: Report) -> list[dict[str, str]]:
    """The header row fixes the columns; every following row is one indicator (repeated headers are skipped)."""
    header = []
    while cells.at(_is_header):
        header.append(cells.next())
    rest = cells.until(lambda text: False)
    if not header:
        for block in rest:
            report.unplaced(block, "找不到指标表头，未能归类的单元格")
        return []
    if _has_grid(header + rest):
        rows = _grid_indicator_rows(header, rest, report)
    else:
        rows = _counted_indicator_rows([_column(block.text) or "" for block in header], rest, report)
    indicators: list[dict[str, str]] = []
    levels: dict[str, str | None] = {"level1": None, "level2": None}
    for row in rows:
        texts = [block.text for block in row.values() if block.text]
        if texts and not all(_is_header(text) for text in texts):
            indicators.append(_indicator(row, levels, report))
    return indicators


def _counted_indicator_rows(columns: list[str], rest: list[Block], report: Report) -> list[dict[str, Block]]:
    """Text exports: every `len(columns)` cells are one row."""
    rows = [rest[start : start + len(columns)] for start in range(0, len(rest), len(columns))]
    if rows and len(rows[-1]) < len(columns):
        report.note(rows[-1][0], f"指标表最后一行只有 {len(rows[-1])} 个单元格（应为 {len(columns)} 个）")
    return [dict(zip(columns, row, strict=False)) for row in rows]


def _grid_indicator_rows(header: list[Block], rest: list[Block], report: Report) -> list[dict[str, Block]]:
    """.docx: each cell belongs to the header cell above its first grid column; padding cells are ignored."""
    rows = []
    for cells in _rows(rest):
        row: dict[str, Block] = {}
        for block in cells:
            key = next((_column(head.text) for head in header if head.covers(block.column or 0)), None)
            if key is None:
                if block.text:
                    report.unplaced(block, "指标表中不在任何表头之下的单元格")
            elif key in row and block.text:
                first = row[key]
                row[key] = Block(
                    first.line, f"{first.raw}\n{block.raw}" if first.text else block.raw, True, place=first.place
                )
            else:
                row.setdefault(key, block)
        rows.append(row)
    return rows


def _indicator(cells: dict[str, Block], levels: dict[str, str | None], report: Report) -> dict[str, str]:
    """One row; level1/level2 only where a cell is printed: a blank cell is the merged cell above, and two
    printed cells stay two cells even when they say the same (the model keeps them apart)."""
    row: dict[str, str] = {}
    level1 = cells["level1"].text if "level1" in cells else ""
    level2 = cells["level2"].text if "level2" in cells else ""
    if level1:
        row["level1"] = levels["level1"] = level1
        levels["level2"] = None
    if level2:
        row["level2"] = levels["level2"] = level2
    for key in ("name", "description", "value", "basis"):
        text = cells[key].content if key in cells else ""
        if text or key == "name":
            row[key] = text
    if not row["name"]:
        first = next(iter(cells.values()))
        report.note(first, "指标行缺少三级指标", " | ".join(block.text for block in cells.values()))
    return row


def parse_table(cells: list[Block], preamble: Preamble, report: Report) -> Table:
    """One 项目绩效目标表, label by label, in the model's key order."""
    table = Table(unit=preamble.unit, amount_unit=preamble.amount_unit, where=cells[0].where)
    cursor = Cells(cells)
    read_preamble(cursor, table, report)
    title = preamble.title or table.project.get("title")
    fields = read_fields(cursor, report)
    project: dict[str, Any] = {key: fields[key] for key in ("code", "name") if fields.get(key)}
    if title:
        project["title"] = title
    project["budget"] = {key: fields[key] for key in ("total", "fiscal", "other") if fields.get(key)}
    if fields.get("purpose"):
        project["purpose"] = fields["purpose"]
    if cursor.at(lambda text: bool(PLAN_LABEL.match(_squeeze(text)))) and (
        label := printed.plan_label(cursor.peek().text)
    ):
        project["spending_plan_label"] = label
    project["spending_plan"] = read_spending_plan(cursor, report)
    project["goals"] = read_goals(cursor, report)
    if preamble.notes:
        project["notes"] = preamble.notes
    project["indicators"] = read_indicators(cursor, report)
    required = {"name": project.get("name"), "budget.total": fields.get("total"), "indicators": project["indicators"]}
    for key in (key for key, value in required.items() if not value):
        report.note(cells[0], f"项目表缺少{FIELD_NAMES[key]}", title or "")
    table.project = {key: value for key, value in project.items() if value != []}
    return table


# ── the whole document ────────────────────────────────────────────────────────────


def parse_blocks(
    blocks: list[Block],
    *,
    family: str,
    region: str | None = None,
    department: str | None = None,
    source: str | None = None,
) -> tuple[dict[str, Any], list[ImportWarning]]:
    """Read a document's blocks; return the department as a plain dict (model key order) and the warnings.

    `family` names the kind of file in the default `source` (`Word 文本导出`, `Word 文档`).
    """
    report = Report()
    toc, blocks = take_toc(blocks)
    groups = join_continued_tables(split_stacked_tables(split_into_tables(demote_layout_tables(blocks))), report)
    front, first_preamble = split_front(groups[0][0], report)
    cover, part_one_blocks = split_cover(front)
    found = parse_cover(cover, report)
    part_one, heading_year = parse_part_one(part_one_blocks, report)
    tables = _parse_tables(groups, first_preamble, report)
    if not tables and not any(part_one[key] for key in ("overall_goal", "sub_goals", "measures")):
        raise ImportFailed("找不到“第一部分”的各节，也找不到项目绩效目标表：这不像一份部门预算绩效文本")
    projects = [table.project for table in tables]
    listed, missing, contents = check_toc(toc, projects, report)
    unit = _common_value(tables, "unit", "预算单位", report)
    amount_unit = _common_value(tables, "amount_unit", "金额单位", report)  # None: no `单位：` line printed
    year = found.get("year") or heading_year or _year_from_codes(projects) or _year_from_blocks(blocks, report)
    name = found.get("department") or department or _fallback_department(found, unit, report)
    data: dict[str, Any] = {"department": name, "year": year, "region": region, "unit": unit}
    data.update({key: found.get(key) for key in ("prepared_by", "reviewed_by")})
    source = source or _source(region, year, family) + _missing_tables(listed, missing, len(projects))
    data.update(amount_unit=amount_unit, source=source)
    data.update(headings=printed.headings(report.headings) or None, contents_only=contents or None)
    data["part_one"] = part_one
    data.update(projects=projects, unresolved=report.unresolved)
    return {key: value for key, value in data.items() if value not in (None, [])}, report.warnings


def _parse_tables(groups: list[tuple[list[Block], list[Block]]], first: Preamble, report: Report) -> list[Table]:
    tables = [parse_table(groups[0][1], first, report)] if groups[0][1] else []
    if not groups[0][1] and first.title:
        report.note(1, "表题之后没有表格", first.title)
    for paragraphs, cells in groups[1:]:
        rest, preamble = read_preamble_paragraphs(paragraphs, report) if cells else (paragraphs, Preamble())
        for block in rest:
            if not is_part_heading(block.text):
                report.unplaced(block)
        if cells:
            tables.append(parse_table(cells, preamble, report))
    return tables


def _common_value(tables: list[Table], key: str, what: str, report: Report) -> Any:
    """The value the tables agree on (the first stated); a table that says otherwise is kept for a person."""
    present = [(table, getattr(table, key)) for table in tables if getattr(table, key)]
    for table, value in present[1:]:
        if value != present[0][1]:
            text = f"{what}：{value if isinstance(value, str) else value['code'] + value['name']}"
            report.unresolved.append({"where": table.where, "text": text})
            report.note(table.where, f"这张表的{what}与第一张表（{present[0][0].where}）不同，已记入 unresolved", text)
    return present[0][1] if present else None


def _year_from_codes(projects: list[dict[str, Any]]) -> int | None:
    """Positions 7–8 of a 项目编码 (`130281 23 P…`) are the budget year."""
    for project in projects:
        if match := YEAR_IN_CODE.match(project.get("code", "")):
            return 2000 + int(match["year"])
    return None


def _year_from_blocks(blocks: list[Block], report: Report) -> int | None:
    match = next((found for block in blocks if (found := YEAR_IN_TEXT.search(block.text))), None)
    report.note(1, "封面和项目编码中都没有年度，取正文中第一个年份", match[0] if match else "（无）")
    return int(match["year"]) if match else None


def _fallback_department(found: dict[str, Any], unit: dict[str, str] | None, report: Report) -> str | None:
    """No name on the cover: the preparing unit, else the budget unit without `本级`."""
    name = found.get("prepared_by") or (unit["name"].removesuffix("本级") if unit else None)
    report.note(1, "封面未印部门名称，由编制单位或预算单位推定", name or "（无）")
    return name


def _source(region: str | None, year: int | None, family: str) -> str:
    place = f"{region} " if region else ""
    return f"{place}{year} 年部门预算绩效文本（{family}）"


def _missing_tables(listed: int, missing: list[str], tables: int) -> str:
    if not missing:
        return ""
    return f"；目录列出 {listed} 个项目，正文只有 {tables} 张表（{'、'.join(missing)}缺失）"
