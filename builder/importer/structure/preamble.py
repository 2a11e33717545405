"""What is printed above a table: its 说明 (seed 002's 关于……的说明), its title and its unit line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import printed
from .blocks import Block, Report, is_heading, is_part_heading
from .labels import (
    AMOUNT_UNIT,
    BARE_TABLE_TITLE,
    GOAL_LABEL,
    INDICATOR_LABEL,
    ITEM_NUMBER,
    NOTES_BY_NUMBER,
    NOTES_KEYS,
    NOTES_PART,
    NOTES_PARTS,
    NOTES_SECTION,
    NOTES_SECTIONS,
    NOTES_TITLE,
    SECTION,
    SENTENCE_END,
    TABLE_TITLE,
    UNIT_AND_AMOUNT,
    UNIT_ROW,
)

# ── what is printed above a table: 说明, title, unit line ─────────────────────────


@dataclass
class Preamble:
    """The paragraphs above one table: its 说明, its title, its unit line and its `单位：万元`."""

    title: str | None = None
    notes: dict[str, Any] | None = None
    unit: dict[str, str] | None = None
    amount_unit: str | None = None


def unit_line(text: str) -> tuple[dict[str, str] | None, str | None] | None:
    """`655001河北遵化经济开发区管理委员会本级`, `单位：万元`, or both on one line; None if neither."""
    if match := UNIT_AND_AMOUNT.match(text):
        unit, amount = unit_line(match["unit"]), unit_line(match["amount"])
        return (unit[0] if unit else None), (amount[1] if amount else None)
    if match := AMOUNT_UNIT.match(text):
        return None, match["unit"]
    if (match := UNIT_ROW.match(text)) and not text.endswith(SENTENCE_END) and len(text) <= 60:
        return {"code": match["code"], "name": match["name"]}, None
    return None


def _take_unit_lines(paragraphs: list[Block], preamble: Preamble) -> list[Block]:
    while paragraphs and (found := unit_line(paragraphs[-1].text)) is not None:
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
        if (match := NOTES_PART.match(text)) and is_heading(text):
            part, section = _notes_part(match[2], match[1]), None
            if part:
                headings.setdefault(part, text)
        elif (match := NOTES_SECTION.match(text)) and is_heading(text):
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
