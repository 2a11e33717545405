"""Turn the text export of a PDF 部门预算绩效文本 (a table row per line, cells split by tabs) into data-format dicts."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...atomic import write_atomic
from ...errors import ImportFailed
from .. import printed
from ..common import clean, clean_code
from ..running import running_lines
from ..structure.labels import NOTES_BY_NUMBER, NOTES_KEYS, NOTES_PARTS, NOTES_SECTIONS
from ..write import to_yaml

NUMERALS = "一二三四五六七八九十"
PART_HEADING = re.compile(rf"^第([{NUMERALS}]+)部分\s*(.*)$")
SECTION_HEADING = re.compile(rf"^([{NUMERALS}]+)\s*[、.．]\s*(\S.*)$")
SUBSECTION_HEADING = re.compile(rf"^[（(]\s*([{NUMERALS}]+)\s*[)）]\s*(\S.*)$")
NUMBERING = re.compile(rf"^(?:\d+\s*[.．、]|[（(]\s*(?:\d+|[{NUMERALS}]+)\s*[)）]|[{NUMERALS}]+\s*[、.．])\s*")
LABELLED = re.compile(r"^((绩效目标|绩效指标)\s*[：:])\s*(.*)$", re.DOTALL)
COVER_TITLE = re.compile(r"(\d{4})\s*年.*预算绩效")
TOC_HEADING = re.compile(r"^目\s*录$")
TOC_ENTRY = re.compile(r"^(.*?)\s*(?:\.{3,}|…{2,}|·{3,})\s*(.*)$")
NOTES_TITLE = re.compile(r"^关于.+说明$")
UNIT_LINE = re.compile(r"^(\d{3,}[0-9A-Za-z]*)\s*([^\s\d][^，。；]*)$")
AMOUNT_UNIT = re.compile(r"^单位\s*[：:]\s*(\S+)$")
SENTENCE_END = tuple("。；！？.!?;：:")
CLOSERS = "”’」』）)"
HEADING_MAX_CHARS = 20
TOC_SUFFIX = "绩效目标表"

PART_ONE_SECTIONS = (("总体", "overall"), ("分项", "sub_goals"), ("措施", "measures"))
INDICATOR_COLUMNS = {
    "一级指标": "level1",
    "二级指标": "level2",
    "三级指标": "name",
    "绩效指标描述": "description",
    "指标值": "value",
    "指标值确定依据": "basis",
}
INDICATOR_KEYS = tuple(INDICATOR_COLUMNS.values())
BUDGET_LABELS = {"预算数": "total", "财政资金": "fiscal", "其中：财政资金": "fiscal", "其他资金": "other"}
LABEL_CONTINUATION_MAX_CHARS = 8


# ---------------------------------------------------------------- lines and the report


@dataclass(frozen=True)
class Line:
    """One non-blank line of the source, with its 1-based line number."""

    number: int
    raw: str

    @property
    def text(self) -> str:
        return clean(self.raw)

    @property
    def is_row(self) -> bool:
        return "\t" in self.raw

    @property
    def cells(self) -> list[str]:
        return self.raw.split("\t")

    @property
    def where(self) -> str:
        return f"第 {self.number} 行"


@dataclass
class Report:
    """Warnings for the person importing, and the text that found no place in the model."""

    warnings: list[str] = field(default_factory=list)
    unresolved: list[dict[str, str]] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)  # decisions on what the export cannot show, for `source`

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def unplaced(self, line: Line, why: str) -> None:
        text = "\t".join(clean(cell) for cell in line.cells).strip("\t")
        self.unresolved.append({"where": line.where, "text": text})
        self.warn(f"{line.where}：{why}，已记入 unresolved：{text}")


def label(cell: str) -> str:
    """A form label with every space removed and ASCII brackets made full-width (`资金支出计划（%）`)."""
    return re.sub(r"\s+", "", clean(cell)).replace("(", "（").replace(")", "）").replace(":", "：")


def ends_sentence(text: str) -> bool:
    return text.rstrip(CLOSERS).endswith(SENTENCE_END)


def is_heading(text: str) -> bool:
    return len(text) <= HEADING_MAX_CHARS and not ends_sentence(text)


def strip_numbering(text: str) -> str:
    return NUMBERING.sub("", text, count=1)


def continue_text(previous: str, text: str) -> str:
    """Append a paragraph: a piece after an unfinished sentence is the rest of it (page break), else a new line."""
    if not previous:
        return text
    return previous + ("\n" if ends_sentence(previous) else "") + text


def drop_empty(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value not in (None, "", [], {})}


# ---------------------------------------------------------------- the document's parts


@dataclass
class Parts:
    cover: list[Line]
    toc: list[Line]
    part_one: list[Line]
    part_two: list[Line]
    headings: dict[str, str] = field(default_factory=dict)  # part headings as printed (model keys)


def part_number(line: Line) -> str | None:
    match = PART_HEADING.match(line.text)
    return match[1] if match and len(line.text) <= HEADING_MAX_CHARS * 2 else None


def skip_part_title(lines: list[Line], index: int) -> int:
    """Index of the first line after a part heading and its title line (`第一部分` / `部门整体绩效目标`)."""
    heading = PART_HEADING.match(lines[index].text)
    following = lines[index + 1] if index + 1 < len(lines) else None
    if heading and not heading[2] and following and is_heading(following.text) and not NUMBERING.match(following.text):
        return index + 2
    return index + 1


def split_parts(lines: list[Line]) -> Parts:
    """Cover, table of contents, part one and part two: the body's part headings are the last ones printed."""
    last: dict[str, int] = {number: index for index, line in enumerate(lines) if (number := part_number(line))}
    if "一" not in last or "二" not in last:
        raise ImportFailed("找不到“第一部分”和“第二部分”的标题，这不是一份部门预算绩效文本吗？")
    one, two = last["一"], last["二"]
    toc_start = next((i for i, line in enumerate(lines[:one]) if TOC_HEADING.match(line.text)), one)
    one_end, two_end = skip_part_title(lines, one), skip_part_title(lines, two)
    return Parts(
        cover=lines[:toc_start],
        toc=lines[toc_start:one],
        part_one=lines[one_end:two],
        part_two=lines[two_end:],
        headings={
            "part_one": printed.join_heading([line.text for line in lines[one:one_end]]),
            "part_two": printed.join_heading([line.text for line in lines[two:two_end]]),
        },
    )


# ---------------------------------------------------------------- cover and table of contents


def parse_cover(lines: list[Line], report: Report) -> dict[str, Any]:
    """Department (possibly over two lines), year, and who prepared and reviewed the text."""
    cover: dict[str, Any] = {}
    names: list[str] = []
    for line in lines:
        text = line.text
        if (title := COVER_TITLE.search(text)) and "year" not in cover:
            cover["year"] = int(title[1])
            names = names or [text[: title.start()]]
        elif text.endswith("编制") and "prepared_by" not in cover:
            cover["prepared_by"] = text.removesuffix("编制").strip()
        elif text.endswith("审核") and "reviewed_by" not in cover:
            cover["reviewed_by"] = text.removesuffix("审核").strip()
        elif "year" not in cover:
            names.append(line.raw)
        else:
            report.unplaced(line, "封面上无法识别的文字")
    cover["department"] = clean(" ".join(names))
    if not cover["department"] or "year" not in cover:
        report.warn("封面上找不到部门名称或“×××× 年部门预算绩效文本”一行")
    return cover


@dataclass(frozen=True)
class TocEntry:
    line: Line
    title: str
    page: str


def parse_toc(lines: list[Line]) -> list[TocEntry]:
    """The project tables the table of contents lists (the entries after its 第二部分 line)."""
    entries: list[TocEntry] = []
    in_part_two = not any(part_number(line) for line in lines)
    for line in lines:
        if number := part_number(line):
            in_part_two = number == "二"
        elif in_part_two and (entry := TOC_ENTRY.match(line.raw.replace("\t", " "))):
            entries.append(TocEntry(line, clean(entry[1]), clean(entry[2])))
    return entries


def title_key(title: str) -> str:
    return re.sub(r"\s+", "", strip_numbering(clean(title)))


def check_toc(entries: list[TocEntry], projects: list[dict[str, Any]], report: Report) -> list[TocEntry]:
    """Warn about the TOC's titles, broken page numbers and tables it lists that the body lacks; return those."""
    if not entries:
        return []
    listed = "；".join(entry.title for entry in entries)
    report.warn(f"目录（{entries[0].line.where}起）列出 {len(entries)} 张项目表：{listed}")
    for entry in entries:
        if not entry.page.isdigit():
            report.warn(f"目录{entry.line.where}“{entry.title}”的页码为“{entry.page}”（目录域指向已不存在的位置）")
    present = {key for project in projects for key in project_keys(project)}
    missing = [entry for entry in entries if title_key(entry.title) not in present]
    for entry in missing:
        report.warn(f"目录列出但正文缺少：{strip_numbering(entry.title)}（目录{entry.line.where}）")
    listed_keys = {title_key(entry.title) for entry in entries}
    for project in projects:
        if not listed_keys & set(project_keys(project)):
            report.warn(f"正文有但目录未列出：{project.get('title') or project.get('name')}")
    return missing


def project_keys(project: dict[str, Any]) -> list[str]:
    keys = [title_key(project["name"] + TOC_SUFFIX)] if project.get("name") else []
    return keys + ([title_key(project["title"])] if project.get("title") else [])


def describe_source(
    heading: str, year: Any, entries: list[TocEntry], missing: list[TocEntry], tables: int, report: Report
) -> str:
    text = f"{heading} {year} 年部门预算绩效文本（PDF 文本导出）" + "".join(f"；{remark}" for remark in report.remarks)
    if not missing:
        return text
    gone = "、".join(
        f"第 {entries.index(entry) + 1} 项“{strip_numbering(entry.title).removesuffix(TOC_SUFFIX)}”"
        for entry in missing
    )
    return f"{text}；目录列出 {len(entries)} 个项目，正文只有 {tables} 张表（{gone}缺失）"


# ---------------------------------------------------------------- part one


def part_one_section(title: str, position: int) -> str | None:
    for keyword, key in PART_ONE_SECTIONS:
        if keyword in title:
            return key
    return PART_ONE_SECTIONS[position][1] if position < len(PART_ONE_SECTIONS) else None


def split_part_one(lines: list[Line], report: Report, headings: dict[str, str]) -> dict[str, list[Line]]:
    """The lines under 一、总体绩效目标 / 二、分项绩效目标 / 三、工作保障措施, by section; the headings as printed
    go into `headings`."""
    sections: dict[str, list[Line]] = {key: [] for _, key in PART_ONE_SECTIONS}
    current: str | None = None
    for line in lines:
        heading = SECTION_HEADING.match(line.text)
        if heading and is_heading(line.text):
            current = part_one_section(heading[2], NUMERALS.index(heading[1][0]))
            if current is None:
                report.unplaced(line, "第一部分中无法识别的标题")
            else:
                headings.setdefault({"overall": "overall_goal"}.get(current, current), line.text)
        elif current is None:
            report.unplaced(line, "第一部分中标题之前的文字")
        else:
            sections[current].append(line)
    return sections


def parse_sub_goals(lines: list[Line]) -> tuple[str | None, list[dict[str, str]]]:
    """Numbered items, each a heading with `绩效目标：` and `绩效指标：` paragraphs; lead paragraphs are the intro."""
    intro: list[str] = []
    items: list[dict[str, str]] = []
    last_key = ""
    for line in lines:
        text = line.text
        labelled = LABELLED.match(text)
        if labelled and items:
            last_key = "goal" if labelled[2] == "绩效目标" else "indicators"
            items[-1].setdefault(f"{last_key}_label", labelled[1])
            previous = items[-1].get(last_key)
            items[-1][last_key] = labelled[3] if previous is None else previous + "\n" + labelled[3]
        elif NUMBERING.match(text):
            number, title = printed.split_label(text, NUMBERING)
            items.append({"label": number, "title": title})
            last_key = "title"
        elif items:
            last_key = "text" if last_key == "title" else last_key
            items[-1][last_key] = continue_text(items[-1].get(last_key, ""), text)
        else:
            intro.append(text)
    keys = ("label", "title", "goal_label", "goal", "indicators_label", "indicators", "text")
    ordered = [printed.run_in_labels(drop_empty({key: item.get(key) for key in keys})) for item in items]
    return "\n".join(intro) or None, ordered


def parse_measures(lines: list[Line]) -> tuple[str | None, list[dict[str, str]]]:
    """`（一）完善制度建设。为贯彻…` → label `（一）`, title `完善制度建设。`, text after the first `。`; pieces
    continue it."""
    intro: list[str] = []
    items: list[dict[str, str]] = []
    for line in lines:
        text = line.text
        if NUMBERING.match(text):
            number, rest = printed.split_label(text, NUMBERING)
            title, rest = printed.first_sentence(rest)
            items.append({"label": number, "title": title, "text": rest})
        elif items:
            items[-1]["text"] = continue_text(items[-1]["text"], text)
        else:
            intro.append(text)
    return "\n".join(intro) or None, [{key: value for key, value in item.items() if value} for item in items]


def parse_part_one(lines: list[Line], report: Report, headings: dict[str, str]) -> dict[str, Any]:
    sections = split_part_one(lines, report, headings)
    sub_goals_intro, sub_goals = parse_sub_goals(sections["sub_goals"])
    measures_intro, measures = parse_measures(sections["measures"])
    return drop_empty(
        {
            "overall_goal": [line.text for line in sections["overall"]],
            "sub_goals_intro": sub_goals_intro,
            "sub_goals": sub_goals,
            "measures_intro": measures_intro,
            "measures": measures,
        }
    )


# ---------------------------------------------------------------- part two: 说明, title, unit line and table


@dataclass
class Draft:
    """What part two says about one project, before its table is read."""

    notes_title: str | None = None
    notes: dict[str, list[str]] = field(default_factory=dict)
    notes_headings: dict[str, str] = field(default_factory=dict)
    notes_part: str | None = None
    notes_section: str | None = None
    title: str | None = None
    unit: tuple[Line, str, str] | None = None
    amount_unit: tuple[Line, str] | None = None
    rows: list[Line] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


def table_follows(lines: list[Line], index: int) -> bool:
    """Whether the next line is the unit line, the `单位：万元` line or a table row."""
    if index + 1 >= len(lines):
        return False
    following = lines[index + 1]
    return following.is_row or bool(AMOUNT_UNIT.match(following.text)) or is_unit_line(lines, index + 1)


def is_unit_line(lines: list[Line], index: int) -> bool:
    line = lines[index]
    return not line.is_row and bool(UNIT_LINE.match(line.text)) and table_follows(lines, index)


def notes_part(title: str, number: str) -> str | None:
    for keyword, key in NOTES_PARTS:
        if keyword in title:
            return key
    return {"一": "basics", "二": "targets"}.get(number)


def notes_section(title: str, number: str, part: str | None) -> str | None:
    for keyword, key in NOTES_SECTIONS:
        if keyword in title:
            return key
    return NOTES_BY_NUMBER.get((part or "", number))


def add_to_notes(draft: Draft, line: Line, report: Report) -> None:
    """A 说明 heading switches the section; a paragraph goes into the current one."""
    text = line.text
    section_heading = SECTION_HEADING.match(text)
    sub_heading = SUBSECTION_HEADING.match(text)
    if draft.notes_title is None:
        report.unplaced(line, "第二部分中“关于……的说明”标题之前的文字")
    elif section_heading and is_heading(text):
        draft.notes_part, draft.notes_section = notes_part(section_heading[2], section_heading[1]), None
        if draft.notes_part:
            draft.notes_headings.setdefault(draft.notes_part, line.raw.strip())
    elif sub_heading and is_heading(text):
        draft.notes_section = notes_section(sub_heading[2], sub_heading[1], draft.notes_part)
        if draft.notes_section is None:
            report.unplaced(line, "说明中无法识别的小标题")
        else:
            draft.notes_headings.setdefault(draft.notes_section, line.raw.strip())
    elif draft.notes_section is None:
        report.unplaced(line, "说明中小标题之前的文字")
    else:
        draft.notes.setdefault(draft.notes_section, []).append(text)


def split_projects(lines: list[Line], report: Report) -> list[Draft]:
    """Group part two into drafts: 说明 → table title → unit line → `单位：万元` → table rows."""
    drafts: list[Draft] = []

    def start(draft: Draft) -> Draft:
        drafts.append(draft)
        return draft

    draft: Draft | None = None
    for index, line in enumerate(lines):
        text = line.text
        table_started = draft is not None and bool(draft.rows or draft.title or draft.unit)
        if NOTES_TITLE.match(text) and not line.is_row:
            draft = start(Draft(notes_title=text))
        elif line.is_row:
            if draft is None or (draft.rows and "项目编码" in label(line.cells[0])):
                draft = start(Draft())
            draft.rows.append(line)
        elif is_unit_line(lines, index):
            draft = draft if draft is not None and not draft.rows else start(Draft())
            unit = UNIT_LINE.match(text)
            draft.unit = (line, unit[1], unit[2]) if unit else None
        elif (amount := AMOUNT_UNIT.match(text)) and table_follows(lines, index):
            draft = draft if draft is not None and not draft.rows else start(Draft())
            draft.amount_unit = (line, amount[1])
        elif text.endswith("表") and table_follows(lines, index):
            draft = draft if draft is not None and not table_started else start(Draft())
            draft.title = text
        elif draft is None or table_started:
            report.unplaced(line, "第二部分中无法归入说明或表格的文字")
            continue
        else:
            add_to_notes(draft, line, report)
        draft.lines.append(line)
    return drafts


class TableReader:
    """Read one project table row by row: code/name, budget, purpose, spending plan, goals, indicators."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.project: dict[str, Any] = {}
        self.budget: dict[str, str] = {}
        self.purpose: list[str] = []
        self.checkpoints: list[tuple[int, str]] = []
        self.plan_width = 0
        self.plan_label = ""
        self.spending_plan: list[dict[str, str]] = []
        self.goals: list[str] = []
        self.columns: dict[int, str] = {}
        self.indicators: list[tuple[Line, dict[str, str]]] = []
        self.stage = "start"
        self.after_page_break = False

    def read(self, line: Line) -> None:
        cells = line.cells
        first = label(cells[0])
        if "项目编码" in first or "项目名称" in first:
            self.read_code_row(line)
        elif first.startswith("预算规模") or any(label(cell) == "预算数" for cell in cells):
            self.read_budget_row(line)
        elif first.startswith("资金用途"):
            self.read_purpose_row(line, cells[1:])
        elif first.startswith("资金支出"):
            self.read_plan_labels(line)
        elif first == "绩效目标":
            self.stage = "goals"
            self.read_goal_row(line)
        elif first == "一级指标" and len(cells) > 1 and label(cells[1]) == "二级指标":
            self.read_indicator_header(line)
        else:
            self.read_continuing_row(line, first)

    def read_continuing_row(self, line: Line, first: str) -> None:
        """A row whose first cell is blank or the rest of a wrapped label: its meaning depends on the stage."""
        if self.stage == "purpose" and not first:
            self.read_purpose_row(line, line.cells[1:])
        elif self.stage == "plan":
            self.read_plan_values(line, first)
        elif self.stage == "goals" and not first:
            self.read_goal_row(line)
        elif self.stage == "indicators":
            self.read_indicator_row(line)
        else:
            self.report.unplaced(line, "表格中无法识别的行")

    def read_code_row(self, line: Line) -> None:
        cells = line.cells
        used = set()
        for index, cell in enumerate(cells):
            key = {"项目编码": "code", "项目名称": "name"}.get(label(cell))
            value_index = next((i for i in range(index + 1, len(cells)) if clean(cells[i])), None)
            if key and value_index is not None and label(cells[value_index]) not in ("项目编码", "项目名称"):
                value = cells[value_index]
                self.project[key] = clean_code(value) if key == "code" else clean(value)
                used |= {index, value_index}
            elif key:
                used.add(index)
        self.unplace_cells(line, used, "项目编码行中多余的单元格")

    def read_budget_row(self, line: Line) -> None:
        """`预算规模及资金用途 | 预算数 | 10.00 | 其中：财政资金 | 10.00 | 其他资金 | (blank)`."""
        cells = line.cells
        used = {0}
        for index, cell in enumerate(cells):
            key = BUDGET_LABELS.get(label(cell))
            if key and index + 1 < len(cells):
                self.budget[key] = clean(cells[index + 1])
                used |= {index, index + 1}
            elif key:
                used.add(index)
        self.unplace_cells(line, used, "预算规模行中多余的单元格")
        self.stage = "purpose"

    def read_purpose_row(self, line: Line, cells: list[str]) -> None:
        self.purpose += [cell for cell in cells if clean(cell)]

    def read_plan_labels(self, line: Line) -> None:
        """The checkpoint labels and where they sit; blank merged cells between them hold no checkpoint."""
        self.checkpoints = [(index, clean(cell)) for index, cell in enumerate(line.cells) if index and clean(cell)]
        self.plan_width = len(line.cells)
        self.plan_label = clean(line.cells[0])
        self.stage = "plan"

    def read_plan_values(self, line: Line, first: str) -> None:
        """Values sit under their labels; the first cell may be the rest of a wrapped label (`划 (%)`)."""
        cells = line.cells
        for index, checkpoint in self.checkpoints:
            value = clean(cells[index]) if index < len(cells) else ""
            self.spending_plan.append(drop_empty({"label": checkpoint, "value": value}))
        self.check_plan_width(line)
        used = {index for index, _ in self.checkpoints}
        if len(first) <= LABEL_CONTINUATION_MAX_CHARS:
            used.add(0)
            self.plan_label += clean(line.cells[0])  # the label wrapped onto the value row (`划 (%)`)
        self.unplace_cells(line, used, "资金支出计划中不在任何时间节点下的单元格")
        self.stage = "plan-done"

    def check_plan_width(self, line: Line) -> None:
        """A value row with fewer cells than its label row lost a cell in the export: which one cannot be told,
        so the blank cells stay blank and the decision is recorded (seed 002, 基层统计人员业务培训, 12月底)."""
        short = self.plan_width - len(line.cells)
        blank = [label for index, label in self.checkpoints if index >= len(line.cells) or not clean(line.cells[index])]
        if short <= 0 or not blank:
            return
        name = self.project.get("name", "")
        cells = "、".join(f"“{label}”" for label in blank)
        self.report.warn(f"{line.where}：资金支出计划的数值行比时间节点行少 {short} 格，{cells}空白：请对照原文")
        self.report.remarks.append(
            f"“{name}”资金支出计划{cells}在文本导出中空白且该行少 {short} 格，原文是否有数无法核对，照导出留空"
        )

    def read_goal_row(self, line: Line) -> None:
        self.goals += [clean(cell) for cell in line.cells[1:] if clean(cell)]

    def read_indicator_header(self, line: Line) -> None:
        """The first header sets the columns; a repeated one marks a page break."""
        self.after_page_break = self.stage == "indicators"
        self.stage = "indicators"
        labels = [label(cell) for cell in line.cells]
        self.columns = {
            index: INDICATOR_COLUMNS[name] for index, name in enumerate(labels) if name in INDICATOR_COLUMNS
        }
        unknown = [clean(cell) for cell in line.cells if clean(cell) and label(cell) not in INDICATOR_COLUMNS]
        if unknown:
            self.report.warn(f"{line.where}：指标表头中有未知的列 {unknown}，这些列的内容将记入 unresolved")

    def read_indicator_row(self, line: Line) -> None:
        row = {key: "" for key in INDICATOR_KEYS}
        for index, cell in enumerate(line.cells):
            if index in self.columns:
                row[self.columns[index]] = cell
        self.unplace_cells(line, set(self.columns), "指标表中不在任何列下的单元格")
        if self.continues_previous_row(row):
            previous_line, previous = self.indicators[-1]
            for key, cell in row.items():
                previous[key] = f"{previous[key]} {cell}" if clean(cell) else previous[key]
            self.report.warn(f"{line.where}：跨页断开的指标行，已与{previous_line.where}合并为一行")
        else:
            self.indicators.append((line, row))
        self.after_page_break = False

    def continues_previous_row(self, row: dict[str, str]) -> bool:
        """The rest of the row above, split by a page break: no levels, no cell the row above left blank, and
        either no 三级指标 (every row has one) or, straight after a repeated header, a missing cell."""
        if not self.indicators or clean(row["level1"]) or clean(row["level2"]):
            return False
        filled = {key for key, cell in row.items() if clean(cell)}
        previous = self.indicators[-1][1]
        if not filled or any(not clean(previous[key]) for key in filled):
            return False
        incomplete = any(not clean(row[key]) for key in ("name", "description", "value", "basis"))
        return not clean(row["name"]) or (self.after_page_break and incomplete)

    def unplace_cells(self, line: Line, used: Iterable[int], why: str) -> None:
        extra = [clean(cell) for index, cell in enumerate(line.cells) if index not in set(used) and clean(cell)]
        if extra:
            self.report.unresolved.append({"where": line.where, "text": "\t".join(extra)})
            self.report.warn(f"{line.where}：{why}，已记入 unresolved：{extra}")

    def result(self) -> dict[str, Any]:
        rows = [indicator_dict(row) for _, row in self.indicators]
        if any("》 《" in value for row in rows for value in row.values()):
            self.report.remarks.append(
                f"“{self.project.get('name', '')}”指标中“》 《”之间的空格照导出保留（不换行的行中也印着，是原文的分隔）"
            )
        return drop_empty(
            {
                "code": self.project.get("code"),
                "name": self.project.get("name"),
                "budget": drop_empty({key: self.budget.get(key) for key in ("total", "fiscal", "other")}),
                "purpose": clean(" ".join(self.purpose)),
                "spending_plan_label": printed.plan_label(self.plan_label),
                "spending_plan": self.spending_plan,
                "goals": self.goals,
                "indicators": rows,
            }
        )


def indicator_dict(row: dict[str, str]) -> dict[str, str]:
    """Cleaned cells, blank ones omitted (a blank level means: the merged cell above)."""
    return drop_empty({key: clean(row[key]) for key in INDICATOR_KEYS})


def read_table(rows: list[Line], report: Report) -> dict[str, Any]:
    reader = TableReader(report)
    for row in rows:
        reader.read(row)
    return reader.result()


def build_project(draft: Draft, report: Report) -> dict[str, Any] | None:
    """The project in the model's key order; a 说明 with no table is reported and kept as unresolved."""
    if not draft.rows:
        report.warn(f"“{draft.notes_title or draft.title}”之后没有绩效目标表")
        for line in draft.lines:
            report.unplaced(line, "没有表格的说明")
        return None
    table = read_table(draft.rows, report)
    headings = printed.notes_headings(draft.notes_headings)
    notes = drop_empty(
        {"title": draft.notes_title, "headings": headings, **{key: draft.notes.get(key) for key in NOTES_KEYS}}
    )
    for key in ("code", "name"):
        if key not in table:
            report.warn(f"{draft.rows[0].where}起的表格没有{'项目编码' if key == 'code' else '项目名称'}")
    ordered = ("code", "name", "title", "budget", "purpose", "spending_plan_label", "spending_plan", "goals", "notes")
    ordered += ("indicators",)
    return drop_empty({key: {**table, "title": draft.title, "notes": notes}.get(key) for key in ordered})


def common_value(found: list[tuple[Line, Any]], what: str, report: Report) -> Any:
    """The value every table states (unit line, 单位); a table that says otherwise is reported."""
    if not found:
        return None
    value = found[0][1]
    for line, other in found[1:]:
        if other != value:
            report.unplaced(line, f"{what}与第一张表（{found[0][0].where}）不同")
    return value


# ---------------------------------------------------------------- the whole document


def drop_running_lines(text: str, report: Report) -> list[Line]:
    """The export's non-blank lines, less running headers, footers and page numbers (`running.py`)."""
    # Split on line feeds only, so line numbers match an editor's; a form feed (page break) is no text.
    lines: list[Line] = []
    breaks: set[int] = set()
    page_break = False
    for number, raw in enumerate(text.split("\n"), 1):
        page_break = page_break or "\f" in raw
        raw = raw.replace("\f", "").rstrip("\r")
        if clean(raw):
            if page_break:
                breaks.add(len(lines))
            lines.append(Line(number, raw))
            page_break = False
    dropped = running_lines([line.raw for line in lines], breaks)
    if dropped:
        shown = "、".join(str(lines[index].number) for index in sorted(dropped)[:8])
        more = " 等" if len(dropped) > 8 else ""
        report.warn(f"已去掉 {len(dropped)} 行页眉、页脚和页码（第 {shown}{more} 行）")
    return [line for index, line in enumerate(lines) if index not in dropped]


def parse_pdf_text(
    text: str, *, region: str | None = None, source: str | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Read a PDF-export text; return the department as a dict in the data format, and the warnings."""
    report = Report()
    lines = drop_running_lines(text, report)
    parts = split_parts(lines)
    cover = parse_cover(parts.cover, report)
    part_one = parse_part_one(parts.part_one, report, parts.headings)
    drafts = split_projects(parts.part_two, report)
    projects = [project for draft in drafts if (project := build_project(draft, report))]
    entries = parse_toc(parts.toc)
    missing = check_toc(entries, projects, report)
    units = [(draft.unit[0], draft.unit[1:]) for draft in drafts if draft.unit]
    unit = common_value(units, "预算单位", report)
    amount_units = [draft.amount_unit for draft in drafts if draft.amount_unit]
    heading = region or cover.get("department", "")
    data = {
        "department": cover.get("department"),
        "year": cover.get("year"),
        "region": region,
        "unit": {"code": unit[0], "name": unit[1]} if unit else None,
        "prepared_by": cover.get("prepared_by"),
        "reviewed_by": cover.get("reviewed_by"),
        "amount_unit": common_value(amount_units, "金额单位", report),  # None: no `单位：` line printed
        "source": source or describe_source(heading, cover.get("year"), entries, missing, len(projects), report),
        "headings": printed.headings(parts.headings),
        "contents_only": [printed.contents_entry(entries.index(entry) + 1, entry.title) for entry in missing],
        "part_one": part_one,
        "projects": projects,
        "unresolved": report.unresolved,
    }
    return drop_empty(data), report.warnings


def main(argv: list[str] | None = None) -> int:
    """Command line: `python -m builder.importer.pdf.text_export SEED.txt data/2023/slug.yaml --region 承德高新区`."""
    from ...data.model import Department

    parser = argparse.ArgumentParser(
        prog="python -m builder.importer.pdf.text_export",
        description="导入 PDF 导出的部门预算绩效文本（表格每行一行、单元格以制表符分隔），写成 YAML 数据文件。",
    )
    parser.add_argument("text", type=Path, help="导出的文本文件（UTF-8）")
    parser.add_argument("output", type=Path, help="输出文件，如 data/2023/chengde-gxq-jingkeju.yaml")
    parser.add_argument("--region", help="地区，如 承德高新区")
    parser.add_argument("--source", help="来源说明（默认自动生成）")
    args = parser.parse_args(argv)
    data, warnings = parse_pdf_text(args.text.read_text(encoding="utf-8-sig"), region=args.region, source=args.source)
    for warning in warnings:
        print(f"警告：{warning}", file=sys.stderr)
    Department.model_validate(data)
    write_atomic(args.output, to_yaml(data))
    print(f"已写入 {args.output}：{len(data['projects'])} 个项目，{len(warnings)} 条警告。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
