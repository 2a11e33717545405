"""Blocks (a paragraph or one table cell, in reading order) and the report of what could not be placed."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..common import clean_cell
from .labels import HEADING_MAX_CHARS, PART_HEADING, SENTENCE_END


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


def is_part_two_heading(text: str) -> bool:
    match = PART_HEADING.match(text)
    return bool(match and (match["part"] == "第二部分" or (match["name"] and "项目" in match["name"])))


def is_heading(text: str) -> bool:
    return len(text) <= HEADING_MAX_CHARS and not text.rstrip("”’」』）)").endswith(SENTENCE_END)
