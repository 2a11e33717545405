"""The few ways a figure or table is shown, defined once for the website and the PDF alike.

Templates receive the model and use these as Jinja filters and globals, so a
number can never be printed two different ways.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..data.amounts import Amount, format_amount
from ..data.model import Indicator, Notes, Project
from .charts import spending_chart


def money(value: Amount | Decimal | None) -> str:
    """An amount in the document's unit as a plain exact number: `188.51`, `500`, `10.00`; blank stays blank."""
    if value is None:
        return ""
    if isinstance(value, Amount):
        return format_amount(value.value)
    return format_amount(value)


def printed(value: Amount | None) -> str:
    """An amount exactly as the department printed it (`500万元`, `188.51`)."""
    return "" if value is None else value.printed


@dataclass(frozen=True)
class IndicatorRow:
    """One row of the printed indicator grid; `level1_span`/`level2_span` > 0 where a merged cell starts."""

    indicator: Indicator
    level1_span: int
    level2_span: int


def indicator_rows(project: Project) -> list[IndicatorRow]:
    """Rows with the rowspans of the merged 一级指标 and 二级指标 cells, as in the printed form.

    A cell is merged with the one above only where the data omits it (a merged cell in the original);
    two cells printed separately stay two cells even when they say the same (seed 001's 社会效益指标).
    """
    indicators = project.indicators
    rows = []
    for i, row in enumerate(indicators):
        starts_level1 = not row.merged_level1
        starts_level2 = starts_level1 or not row.merged_level2
        rows.append(
            IndicatorRow(
                indicator=row,
                level1_span=_run_length(indicators, i, "merged_level1") if starts_level1 else 0,
                level2_span=_run_length(indicators, i, "merged_level2") if starts_level2 else 0,
            )
        )
    return rows


def _run_length(indicators: list[Indicator], start: int, merged: str) -> int:
    """The row at `start` and the rows below it whose cell is merged into it."""
    length = 1
    for row in indicators[start + 1 :]:
        if not getattr(row, merged):
            break
        length += 1
    return length


def format_size(size: int) -> str:
    """`812 字节`, `12.3 KB`, `4.5 MB` (1 KB = 1024 字节)."""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def markdown_text(text: str) -> str:
    """Data text safe inside a Markdown table cell or link label: Markdown's signs backslash-escaped.

    For Markdown templates; autoescape then escapes `<`, `>`, `&` and quotes as HTML entities, which Markdown keeps.
    """
    for char in "\\`*_[]|":
        text = text.replace(char, "\\" + char)
    return text


_DIGITS = "〇一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1–99 as printed in headings: `一`, `十`, `十二`, `二十一` (for `（一）`, `一、`)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    return ("" if tens < 2 else _DIGITS[tens]) + ("十" if tens else "") + (_DIGITS[ones] if ones else "")


@dataclass(frozen=True)
class NotesPart:
    """One heading of a project's 说明 with its sub-headings and their paragraphs, all as printed."""

    heading: str
    items: list[tuple[str, list[str]]]


NOTES_LAYOUT = (("basics", ("overview", "funding")), ("targets", ("goals", "indicators", "criteria")))


def notes_parts(notes: Notes) -> list[NotesPart]:
    """The 说明's headings as the data holds them (`一、基本情况`, `(三) 评价标准`): a heading is printed where
    its section has text or the data names it; nothing is renumbered or reworded."""
    printed = notes.headings
    named = printed.model_fields_set
    parts = []
    for part, keys in NOTES_LAYOUT:
        items = [(getattr(printed, key), getattr(notes, key)) for key in keys if getattr(notes, key) or key in named]
        if items or part in named:
            parts.append(NotesPart(getattr(printed, part), items))
    return parts


def template_environment(folder: Path) -> Environment:
    """Templates from `folder`: autoescape on, undefined names are errors, the shared filters installed."""
    environment = Environment(
        loader=FileSystemLoader(folder),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return register(environment)


def register(environment: Environment) -> Environment:
    """Install the shared filters and globals into a Jinja environment."""
    environment.filters.update(
        money=money, printed=printed, chinese_number=chinese_number, file_size=format_size, markdown_text=markdown_text
    )
    environment.globals.update(indicator_rows=indicator_rows, notes_parts=notes_parts, spending_chart=spending_chart)
    return environment
