"""Running headers, footers and page numbers in a PDF's text export, found by shape and repetition.

A text export has no positions, so a line is page furniture when
- it is shaped like a page number: `— 2 —`, `- 2 -`, `第 2 页`, `第2页 共60页`, `2 / 60`, `Page 2`; a bare
  number only when bare numbers climb through the document like page numbers do;
- or it comes back (its numbers aside) at page edges: right beside a page number or a form feed, at two
  places or more and at most of its places; or it is shaped like the document's title
  (`…2023年部门预算绩效文本`) and comes back after the cover.
No list of wordings is involved: the header of any office is found the same way.
"""

from __future__ import annotations

import re
from collections import defaultdict

from .common import clean, furniture_key, is_page_number

TITLE_SHAPE = re.compile(r"\d{4}\s*年度?.*绩效文本$")
PART_ONE = re.compile(r"^第[一1]部分")


def page_numbers(texts: list[str], rows: list[bool]) -> set[int]:
    """Lines that are page numbers: any printed shape but a bare number, and bare numbers that climb."""
    found = {i for i, text in enumerate(texts) if not rows[i] and is_page_number(text) and not text.isdigit()}
    bare = [(i, int(text)) for i, text in enumerate(texts) if not rows[i] and text.isdecimal() and len(text) <= 4]
    chain: list[tuple[int, int]] = []
    for index, value in bare:
        if not chain or 0 < value - chain[-1][1] <= 3:
            chain.append((index, value))
        elif len(chain) < 2:
            chain = [(index, value)]
    if len(chain) >= 2 or (chain and found):
        found |= {index for index, _ in chain}
    return found


def running_lines(raws: list[str], breaks: set[int]) -> set[int]:
    """Indexes of the lines (of `raws`, non-blank lines of the export) that are headers, footers or page numbers;
    `breaks` are the indexes of lines that follow a form feed."""
    texts = [clean(raw) for raw in raws]
    rows = ["\t" in raw.strip() for raw in raws]
    numbers = page_numbers(texts, rows)
    places: dict[str, list[int]] = defaultdict(list)
    for index, text in enumerate(texts):
        if not rows[index] and text and index not in numbers:
            places[furniture_key(text)].append(index)
    part_one = next((i for i, text in enumerate(texts) if PART_ONE.match(text)), len(texts))
    dropped = set(numbers)
    edges = breaks | {i - 1 for i in breaks} | {i + step for i in numbers for step in (-1, 1)}
    for indexes in places.values():
        at_edge = [i for i in indexes if i in edges]
        if len(indexes) >= 2 and TITLE_SHAPE.search(texts[indexes[0]]) and len(texts[indexes[0]]) <= 60:
            dropped |= set(indexes) - {i for i in indexes if i < part_one and i not in at_edge}
        elif len(at_edge) >= 2 and 2 * len(at_edge) >= len(indexes):
            dropped |= set(at_edge)  # a heading that is also printed as the running header stays in the text
    return dropped
