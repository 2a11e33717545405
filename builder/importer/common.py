"""Text clean-up shared by the importers: the rules that decide what is an extraction artefact.

Kept (as published): every character of the text, typos included; spaces next to a
Latin letter or digit (`≤100 百分比`, `2023 年`), as the text export has them.
Removed (artefacts of extraction, not of publication):
- Word bookmarks such as `[bookmark: _GoBack]`;
- leading and trailing white space of a cell or paragraph (including U+3000);
- line breaks between two CJK characters inside one cell, where a label was split
  over two lines (`产出\\n指标`) — `clean_cell`, for text exported from Word, keeps
  every other space the author typed (`奠定基础 。`);
- in text extracted from a PDF, also any white space between two CJK characters,
  which extraction inserts where a cell wrapped onto a new line
  (`建设承德工业 互联网平台 数量`) — `clean`; except one space between two titles
  in book-title marks (`《审计约定业务书》 《承德市…合同》`): seed 002 prints it in rows
  that do not wrap too, so it is the author's separator, kept as one space;
- any white space inside a 项目编码 (`13081123P0000461000 2X`).
"""

from __future__ import annotations

import re

BOOKMARK = re.compile(r"\[bookmark: [^\]]*\]")
# CJK ideographs, CJK and full-width punctuation, and the curly quotes Chinese text uses.
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\u2018\u2019\u201c\u201d\u2026\u2014"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0\u3000\r\n]+(?=[{_CJK}])")
_BREAK_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u3000]*(?:\r?\n[ \t\u3000]*)+(?=[{_CJK}])")
_EDGE_SPACE = " \t\r\n\u00a0\u3000\ufeff"


def clean_cell(text: str) -> str:
    """A cell or paragraph exported from Word: bookmarks, edge space and split-label line breaks go."""
    text = BOOKMARK.sub("", text).strip(_EDGE_SPACE)
    return _BREAK_BETWEEN_CJK.sub("", text)


def clean(text: str) -> str:
    """A cell or paragraph extracted from a PDF: as `clean_cell`, and wrap spaces between CJK characters go."""
    text = BOOKMARK.sub("", text)
    text = _SPACE_BETWEEN_CJK.sub(_wrap_space, text.strip(_EDGE_SPACE))
    return text.strip(_EDGE_SPACE)


def _wrap_space(match: re.Match[str]) -> str:
    """A wrap between CJK characters is no text; between `》` and `《` the author's space is kept (as one)."""
    text = match.string
    between_titles = text[match.start() - 1] == "》" and text[match.end() : match.end() + 1] == "《"
    return " " if between_titles and " " in match[0].replace("\n", "") else ""


def clean_code(text: str) -> str:
    """A 项目编码 has no white space in it."""
    return re.sub(r"\s+", "", BOOKMARK.sub("", text))


# Page numbers as offices print them: `— 2 —`, `- 2 -`, `2`, `第 2 页`, `第2页 共60页`, `共 60 页 第 2 页`,
# `2 / 60`, `Page 2 of 60`.
PAGE_NUMBER = re.compile(
    r"^(?:[-—–―－_~·•\s]*[(（]?\d{1,4}[)）]?[-—–―－_~·•\s]*"
    r"|第\s*\d{1,4}\s*页\s*[,，/、]?\s*(?:共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，/、]?\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?i:page)\s*\d{1,4}(?:\s*(?i:of)\s*\d{1,4})?"
    r"|[ivxlcIVXLC]{1,6})$"
)


def is_page_number(text: str) -> bool:
    """A line that is nothing but a page number, in one of the shapes offices print."""
    return bool(PAGE_NUMBER.match(text.strip(_EDGE_SPACE))) and bool(text.strip(_EDGE_SPACE))


def furniture_key(text: str) -> str:
    """A running header or footer with its numbers (page, total) blanked and white space removed, so the
    copies on different pages compare equal."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", BOOKMARK.sub("", text)))
