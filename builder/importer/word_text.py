"""Turn the text export of a Word 部门预算绩效文本 (one tab-introduced line per table cell) into a data-format dict."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..amounts import AmountError, parse_amount
from .common import clean_cell, clean_code
from .write import to_yaml, write_atomically

# ── the document's structure, as printed ──────────────────────────────────────────

_NUMERAL = "一二三四五六七八九十"
SECTION = re.compile(rf"^([{_NUMERAL}]+)、(.*)$")
ITEM_NUMBER = re.compile(rf"^(?:[（(]\s*[{_NUMERAL}\d]+\s*[）)]|\d+\s*[.．、](?!\d))\s*")
PART_HEADING = re.compile(
    rf"^(?P<part>第[{_NUMERAL}]部分)?(?P<year>\d{{4}})?年?度?(?P<name>部门整体绩效目标|(?:预算)?项目(?:支出)?绩效目标)?$"
)
COVER_TITLE = re.compile(r"^(?P<department>.*?)(?P<year>\d{4})\s*年度?(?:部门)?(?:预算)?绩效文本$")
PREPARED = re.compile(r"^(?P<who>.+?)编制$")
REVIEWED = re.compile(r"^(?P<who>.+?)审核$")
GOAL_LABEL = re.compile(r"^绩效目标\s*[:：]\s*")
INDICATOR_LABEL = re.compile(r"^绩效指标\s*[:：]\s*")
INLINE_LABEL = re.compile(r"(?<=.)(?=绩效(?:目标|指标)\s*[:：])")
TABLE_TITLE = re.compile(r"表$")
PRINTED_TABLE_TITLE = re.compile(r"绩效目标表$")
BARE_TABLE_TITLE = re.compile(r"^(?:项目)?(?:支出)?绩效目标表$")
YEAR_IN_CODE = re.compile(r"^\d{6}(?P<year>\d{2})[A-Za-z]")
YEAR_IN_TEXT = re.compile(r"(?P<year>20\d{2})\s*年")

# Table labels (matched on the cleaned cell, so "项目\n\n编码" is 项目编码).
UNIT_ROW = re.compile(r"^(?P<code>\d{6})\s*(?P<name>\D.*)$")
AMOUNT_UNIT = re.compile(r"^(?:金额)?单位\s*[:：]\s*(?P<unit>[千百万亿]*元)$")
FIELD_LABELS = {
    "code": re.compile(r"^项目(?:编码|代码)$"),
    "name": re.compile(r"^项目名称$"),
    "total": re.compile(r"^预算数(?:[（(][千百万亿]*元[）)])?$"),
    "fiscal": re.compile(r"^(?:其中\s*[:：])?财政(?:资金|拨款)$"),
    "other": re.compile(r"^其他资金$"),
    "purpose": re.compile(r"^资金用途$"),
}
FORM_LABEL = re.compile(r"^预算规模(?:及资金用途)?$")
PLAN_LABEL = re.compile(r"^资金支出计划")
CHECKPOINT = re.compile(r"\d+\s*月|季度|半年|全年")
GOALS_LABEL = re.compile(r"^(?:年度|项目)?绩效目标$")
GOAL_TAG = re.compile(rf"^目标\s*[\d{_NUMERAL}]+$")
INDICATOR_COLUMNS = {
    "一级指标": "level1",
    "二级指标": "level2",
    "三级指标": "name",
    "绩效指标描述": "description",
    "指标值": "value",
    "指标值确定依据": "basis",
}


@dataclass(frozen=True)
class ImportWarning:
    """Something the importer could not place, or a value it had to infer."""

    line: int
    message: str
    text: str = ""

    def render(self, source: str = "") -> str:
        quoted = f"：{self.text}" if self.text else ""
        return f"{source}:{self.line}: 警告：{self.message}{quoted}"


@dataclass
class Block:
    """A paragraph of running text, or one table cell (with its continuation lines)."""

    line: int
    raw: str
    is_cell: bool

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


@dataclass
class Report:
    """What the importer could not place (kept in `unresolved`) and what it inferred."""

    warnings: list[ImportWarning] = field(default_factory=list)
    unresolved: list[dict[str, str]] = field(default_factory=list)

    def note(self, line: int, message: str, text: str = "") -> None:
        self.warnings.append(ImportWarning(line, message, text))

    def unplaced(self, block: Block, message: str = "未能归类的内容") -> None:
        text = block.content
        if text:
            self.unresolved.append({"where": f"第 {block.line} 行", "text": text})
            self.note(block.line, message, text)


# ── lines → blocks ────────────────────────────────────────────────────────────────


def read_blocks(text: str) -> list[Block]:
    """Cells start with a tab; a table ends at two empty lines; blank paragraphs are dropped."""
    blocks: list[Block] = []
    in_table, blank_run = False, 0
    for number, line in enumerate(text.split("\n"), start=1):  # numbered as an editor shows them
        line = line.removesuffix("\r")
        if line.startswith("\t"):
            blocks.append(Block(number, line[1:], is_cell=True))
            in_table, blank_run = True, 0
        elif not clean_cell(line):
            blank_run += 1
            in_table = in_table and blank_run < 2
        elif in_table and not _starts_outside_table(line):
            blocks[-1].raw += "\n" * (blank_run + 1) + line
            blank_run = 0
        else:
            blocks.append(Block(number, line, is_cell=False))
            in_table, blank_run = False, 0
    return blocks


def _starts_outside_table(line: str) -> bool:
    text = clean_cell(line)
    return bool(PRINTED_TABLE_TITLE.search(text)) or _is_part_heading(text)


def _is_part_heading(text: str) -> bool:
    match = PART_HEADING.match(text)
    return bool(match and (match["part"] or match["name"]))


def split_into_tables(blocks: list[Block]) -> list[tuple[list[Block], list[Block]]]:
    """Each table with the paragraphs printed before it; trailing paragraphs get an empty table."""
    groups: list[tuple[list[Block], list[Block]]] = [([], [])]
    for block in blocks:
        paragraphs, cells = groups[-1]
        if block.is_cell:
            cells.append(block)
        elif cells:
            groups.append(([block], []))
        else:
            paragraphs.append(block)
    return groups


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
        or _is_part_heading(text)
        or GOAL_LABEL.match(text)
        or INDICATOR_LABEL.match(text)
        or TABLE_TITLE.search(text)
    )


# ── cover and part one ────────────────────────────────────────────────────────────


def split_cover(paragraphs: list[Block]) -> tuple[list[Block], list[Block]]:
    """The cover is everything before the first part heading or numbered section."""
    for index, block in enumerate(paragraphs):
        if _is_part_heading(block.text) or _section_key(block.text):
            return paragraphs[:index], paragraphs[index:]
    return paragraphs, []


def parse_cover(cover: list[Block], report: Report) -> dict[str, Any]:
    """Department, year, and who prepared and reviewed the document."""
    found: dict[str, Any] = {}
    for block in cover:
        text = block.text
        if match := COVER_TITLE.match(text):
            found["year"] = int(match["year"])
            if match["department"]:
                found.setdefault("department", match["department"])
        elif match := PREPARED.match(text):
            found["prepared_by"] = match["who"]
        elif match := REVIEWED.match(text):
            found["reviewed_by"] = match["who"]
        elif "department" not in found:
            found["department"] = text
        else:
            report.unplaced(block, "封面上未能归类的内容")
    return found


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
    for block in paragraphs:
        key = _section_key(block.text)
        if key:
            current = sections.setdefault(key, [])
            if key == "other":
                report.unplaced(block, "第一部分中不认识的标题")
        elif _is_part_heading(block.text):
            year = year or _heading_year(block.text)
        elif current is None:
            report.unplaced(block)
        else:
            current.append(block)
    for block in sections.pop("other", []):
        report.unplaced(block)
    return sections, year


def _heading_year(text: str) -> int | None:
    match = PART_HEADING.match(text)
    return int(match["year"]) if match and match["year"] else None


def split_items(paragraphs: list[Block]) -> tuple[list[str], list[list[str]]]:
    """Lead paragraphs, then numbered items (numbering removed) each with its following paragraphs."""
    intro: list[str] = []
    items: list[list[str]] = []
    for block in paragraphs:
        text = block.text
        number = ITEM_NUMBER.match(text)
        if number:
            items.append([text[number.end() :]])
        elif items:
            items[-1].append(text)
        else:
            intro.append(text)
    return intro, items


def first_sentence(text: str) -> tuple[str, str]:
    """`完善制度建设。制定…` → (`完善制度建设`, `制定…`): split at the first `。`, which is dropped."""
    head, stop, rest = text.partition("。")
    return (head, rest) if stop and head else (text, "")


def parse_sub_goal(lines: list[str]) -> dict[str, str]:
    """A heading with `绩效目标：`/`绩效指标：` paragraphs, or one paragraph: first sentence and the rest."""
    lines = [piece for line in lines for piece in INLINE_LABEL.split(line)]
    heading, fields, last = lines[0], {"goal": [], "indicators": [], "text": []}, "text"
    for line in lines[1:]:
        if match := GOAL_LABEL.match(line):
            last, line = "goal", line[match.end() :]
        elif match := INDICATOR_LABEL.match(line):
            last, line = "indicators", line[match.end() :]
        fields[last].append(line)
    item = {"title": heading}
    if not fields["goal"] and not fields["indicators"]:
        item["title"], rest = first_sentence(heading)
        fields["text"] = [part for part in [rest, *fields["text"]] if part]
    item.update({key: "\n".join(value) for key, value in fields.items() if value})
    return item


def parse_measure(lines: list[str]) -> dict[str, str]:
    title, rest = first_sentence(lines[0])
    text = "\n".join(part for part in [rest, *lines[1:]] if part)
    return {"title": title, "text": text} if text else {"title": title}


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
    line = paragraphs[0].line if paragraphs else 1
    for key in ("overall_goal", "sub_goals", "measures"):
        if not part[key]:
            report.note(line, f"第一部分缺少 {key}")
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
    return re.sub(r"\s+", "", text)


def _field_label(text: str) -> str | None:
    return next((key for key, pattern in FIELD_LABELS.items() if pattern.match(_squeeze(text))), None)


def _is_label(text: str) -> bool:
    label = _squeeze(text)
    return bool(_field_label(text) or FORM_LABEL.match(label) or PLAN_LABEL.match(label) or GOALS_LABEL.match(label))


def _is_header(text: str) -> bool:
    return _squeeze(text) in INDICATOR_COLUMNS


def _ends_plan(text: str) -> bool:
    return bool(GOALS_LABEL.match(_squeeze(text))) or _is_header(text)


def _is_amount(text: str) -> bool:
    try:
        parse_amount(text)
    except AmountError:
        return False
    return True


@dataclass
class Table:
    """What one project table says: the project, and the unit lines printed above it."""

    project: dict[str, Any] = field(default_factory=dict)
    unit: dict[str, str] | None = None
    amount_unit: str | None = None


def read_preamble(cells: Cells, table: Table, report: Report) -> None:
    """Rows above 项目编码: `655001…本级` and `单位：万元`."""
    for block in cells.until(_is_label):
        text = block.text
        if match := AMOUNT_UNIT.match(text):
            table.amount_unit = match["unit"]
        elif (match := UNIT_ROW.match(text)) and table.unit is None:
            table.unit = {"code": match["code"], "name": match["name"]}
        elif text:
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
    cells.next()
    labels = []
    while cells.at(CHECKPOINT.search) and not cells.at(_is_label):
        labels.append(cells.next().text)
    values = cells.until(_ends_plan)
    if len(values) == len(labels) + 1 and not values[0].text:
        values = values[1:]
    if len(values) != len(labels):
        report.note(values[0].line if values else 1, f"资金支出计划有 {len(labels)} 个节点、{len(values)} 个值")
        for block in values[len(labels) :]:
            report.unplaced(block)
    plan = []
    for label, block in zip(labels, [*values, *[None] * len(labels)], strict=False):
        value = block.text if block else ""
        plan.append({"label": label, "value": value} if value else {"label": label})
    return plan


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
    """The header row fixes the columns; every following row of that width is one indicator."""
    columns = []
    while cells.at(_is_header):
        columns.append(INDICATOR_COLUMNS[cells.next().text])
    rest = cells.until(lambda text: False)
    if not columns:
        for block in rest:
            report.unplaced(block, "找不到指标表头，未能归类的单元格")
        return []
    rows = [rest[start : start + len(columns)] for start in range(0, len(rest), len(columns))]
    if rows and len(rows[-1]) < len(columns):
        report.note(rows[-1][0].line, f"指标表最后一行只有 {len(rows[-1])} 个单元格（应为 {len(columns)} 个）")
    indicators: list[dict[str, str]] = []
    levels: dict[str, str | None] = {"level1": None, "level2": None}
    for row in rows:
        if any(block.text for block in row):
            indicators.append(_indicator(dict(zip(columns, row, strict=False)), levels, report))
    return indicators


def _indicator(cells: dict[str, Block], levels: dict[str, str | None], report: Report) -> dict[str, str]:
    """One row; level1/level2 only where they change (a blank or repeated cell is the merged cell above)."""
    row: dict[str, str] = {}
    level1 = cells["level1"].text if "level1" in cells else ""
    level2 = cells["level2"].text if "level2" in cells else ""
    if level1 and level1 != levels["level1"]:
        row["level1"] = levels["level1"] = level1
        levels["level2"] = None
    if level2 and level2 != levels["level2"]:
        row["level2"] = levels["level2"] = level2
    for key in ("name", "description", "value", "basis"):
        text = cells[key].content if key in cells else ""
        if text or key == "name":
            row[key] = text
    if not row["name"]:
        first = next(iter(cells.values()))
        report.note(first.line, "指标行缺少三级指标", " | ".join(block.text for block in cells.values()))
    return row


def parse_table(cells: list[Block], title: str | None, report: Report) -> Table:
    """One 项目绩效目标表, label by label, in the model's key order."""
    table, cursor = Table(), Cells(cells)
    read_preamble(cursor, table, report)
    fields = read_fields(cursor, report)
    project: dict[str, Any] = {key: fields[key] for key in ("code", "name") if fields.get(key)}
    if title:
        project["title"] = title
    project["budget"] = {key: fields[key] for key in ("total", "fiscal", "other") if fields.get(key)}
    if fields.get("purpose"):
        project["purpose"] = fields["purpose"]
    project["spending_plan"] = read_spending_plan(cursor, report)
    project["goals"] = read_goals(cursor, report)
    project["indicators"] = read_indicators(cursor, report)
    required = {"name": project.get("name"), "budget.total": fields.get("total"), "indicators": project["indicators"]}
    for key in (key for key, value in required.items() if not value):
        report.note(cells[0].line, f"项目表缺少 {key}", title or "")
    table.project = {key: value for key, value in project.items() if value != []}
    return table


# ── the whole document ────────────────────────────────────────────────────────────


def parse_word_text(
    text: str, *, region: str | None = None, department: str | None = None, source: str | None = None
) -> tuple[dict[str, Any], list[ImportWarning]]:
    """Read a Word text export; return the department as a plain dict (model key order) and the warnings.

    `region` and `source` are not printed in the document; `department` is used only when
    the document has no cover name.
    """
    report = Report()
    groups = split_into_tables(read_blocks(text))
    front, first_title = take_title(groups[0][0])
    cover, part_one_blocks = split_cover(front)
    found = parse_cover(cover, report)
    part_one, heading_year = parse_part_one(part_one_blocks, report)
    tables = [parse_table(groups[0][1], first_title, report)] if groups[0][1] else []
    for paragraphs, cells in groups[1:]:
        rest, title = take_title(paragraphs) if cells else (paragraphs, None)
        for block in rest:
            if not _is_part_heading(block.text):
                report.unplaced(block)
        if cells:
            tables.append(parse_table(cells, title, report))
    projects = [table.project for table in tables]
    unit = _common_value([table.unit for table in tables], "预算单位", report)
    amount_unit = _common_value([table.amount_unit for table in tables], "金额单位", report) or "万元"
    year = found.get("year") or heading_year or _year_from_codes(projects) or _year_from_text(text, report)
    name = found.get("department") or department or _fallback_department(found, unit, report)
    data: dict[str, Any] = {"department": name, "year": year, "region": region, "unit": unit}
    data.update({key: found.get(key) for key in ("prepared_by", "reviewed_by")})
    data.update(amount_unit=amount_unit, source=source or _source(region, year), part_one=part_one)
    data.update(projects=projects, unresolved=report.unresolved)
    return {key: value for key, value in data.items() if value not in (None, [])}, report.warnings


def _common_value(values: list[Any], what: str, report: Report) -> Any:
    present = [value for value in values if value]
    if any(value != present[0] for value in present):
        report.note(1, f"各表的{what}不一致，取第一张表的", str(present))
    return present[0] if present else None


def _year_from_codes(projects: list[dict[str, Any]]) -> int | None:
    """Positions 7–8 of a 项目编码 (`130281 23 P…`) are the budget year."""
    for project in projects:
        if match := YEAR_IN_CODE.match(project.get("code", "")):
            return 2000 + int(match["year"])
    return None


def _year_from_text(text: str, report: Report) -> int | None:
    match = YEAR_IN_TEXT.search(text)
    report.note(1, "封面和项目编码中都没有年度，取正文中第一个年份", match[0] if match else "（无）")
    return int(match["year"]) if match else None


def _fallback_department(found: dict[str, Any], unit: dict[str, str] | None, report: Report) -> str | None:
    """No name on the cover: the preparing unit, else the budget unit without `本级`."""
    name = found.get("prepared_by") or (unit["name"].removesuffix("本级") if unit else None)
    report.note(1, "封面未印部门名称，由编制单位或预算单位推定", name or "（无）")
    return name


def _source(region: str | None, year: int | None) -> str:
    place = f"{region} " if region else ""
    return f"{place}{year} 年部门预算绩效文本（Word 文本导出）"


# ── command line (python -m builder.importer.word_text) ───────────────────────────


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m builder.importer.word_text",
        description="把 Word 导出的部门预算绩效文本（每个单元格一行、以制表符开头）转换为 YAML 数据文件。",
        epilog="例：python -m builder.importer.word_text 原文.txt data/2023/gxq-fagaiju.yaml --region 唐山高新区",
    )
    parser.add_argument("text", type=Path, help="导出的文本文件（UTF-8）")
    parser.add_argument("output", type=Path, help="要写入的 data/<年度>/<部门代号>.yaml")
    parser.add_argument("--region", help="地区，如 唐山高新区（原文中没有）")
    parser.add_argument("--department", help="部门名称（仅在原文没有封面时使用）")
    parser.add_argument("--source", help="来源说明（默认：<地区> <年度> 年部门预算绩效文本（Word 文本导出））")
    args = parser.parse_args(argv)
    data, warnings = parse_word_text(
        args.text.read_text(encoding="utf-8-sig"), region=args.region, department=args.department, source=args.source
    )
    for warning in warnings:
        print(warning.render(str(args.text)), file=sys.stderr)
    write_atomically(args.output, to_yaml(data))
    print(f"{args.output}: {data.get('department')}，{len(data.get('projects', []))} 个项目")
    return 0


if __name__ == "__main__":
    sys.exit(main())
