"""The cover and 第一部分 (部门整体绩效目标): cover facts, sections, numbered sub-goals and measures."""

from __future__ import annotations

from typing import Any

from .. import printed
from ..common import clean_cell
from .blocks import Block, Report, is_part_heading, is_part_two_heading
from .labels import (
    ATTACHMENT,
    COVER_FORM,
    COVER_TITLE,
    COVER_YEAR,
    GOAL_LABEL,
    INDICATOR_LABEL,
    INLINE_LABEL,
    ITEM_NUMBER,
    PART_HEADING,
    PREPARED,
    REVIEWED,
    SECTION,
    YEAR_IN_TEXT,
)
from .preamble import Preamble, read_preamble_paragraphs

# ── cover and part one ────────────────────────────────────────────────────────────


def split_front(paragraphs: list[Block], report: Report) -> tuple[list[Block], Preamble]:
    """The paragraphs before the first table: cover and part one, then what is printed above that table."""
    part_one = max((i for i, block in enumerate(paragraphs) if is_part_one_heading(block.text)), default=0)
    start = next((i for i in range(part_one, len(paragraphs)) if is_part_two_heading(paragraphs[i].text)), None)
    if start is None:
        report.headings["part_two"] = ""  # not printed (seed 000): the body shows none either
        return read_preamble_paragraphs(paragraphs, report)
    rest, preamble = read_preamble_paragraphs(paragraphs[start:], report)
    for block in rest:
        if not is_part_heading(block.text):
            report.unplaced(block)
    report.headings["part_two"] = printed.join_heading([block.text for block in rest if is_part_heading(block.text)])
    return paragraphs[:start], preamble


def is_part_one_heading(text: str) -> bool:
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
