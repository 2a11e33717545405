"""Word's automatic list numbers (`一、`, `（一）`, `1.`), which are not in a paragraph's text: render them as printed.

Offices often number 第一部分's sections and items with Word's numbering instead of
typing `（一）`; without the number the structure cannot be read. Counters run per
abstract list, deeper levels restart when a higher level advances, and a
`startOverride` restarts a list, as Word does in the common cases.
"""

from __future__ import annotations

from dataclasses import dataclass

from docx.oxml.ns import qn
from lxml import etree

CHINESE_DIGITS = "零一二三四五六七八九"
LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
CHINESE_FORMATS = ("chineseCounting", "chineseCountingThousand", "ideographDigital", "taiwaneseCounting")


@dataclass(frozen=True)
class Level:
    format: str
    text: str
    start: int
    suffix: str


def chinese(number: int, digits: str = CHINESE_DIGITS) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (as Word counts in Chinese)."""
    if number < 10:
        return digits[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")
    hundreds, rest = divmod(number, 100)
    tail = chinese(rest, digits) if rest else ""
    if 0 < rest < 10:
        tail = digits[0] + tail
    elif 10 <= rest < 20:
        tail = digits[1] + tail
    return digits[hundreds % 10] + "百" + tail


def roman(number: int) -> str:
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC")]
    numerals += [(50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    result = ""
    for value, letters in numerals:
        count, number = divmod(number, value)
        result += letters * count
    return result


def format_number(number: int, kind: str) -> str:
    if kind in CHINESE_FORMATS:
        return chinese(number)
    if kind == "chineseLegalSimplified":
        return chinese(number, LEGAL_DIGITS)
    if kind in ("ideographTraditional", "ideographZodiac"):
        return HEAVENLY_STEMS[(number - 1) % 10]
    if kind == "decimalEnclosedCircle" and 1 <= number <= 20:
        return chr(0x2460 + number - 1)
    if kind == "decimalFullWidth":
        return "".join(chr(ord(digit) + 0xFEE0) for digit in str(number))
    if kind in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (number - 1) % 26) * ((number - 1) // 26 + 1)
        return letter if kind == "upperLetter" else letter.lower()
    if kind in ("upperRoman", "lowerRoman"):
        return roman(number) if kind == "upperRoman" else roman(number).lower()
    return str(number)


class Numbering:
    """The numbering definitions of one document, and the counters as its paragraphs are read in order."""

    def __init__(self, numbering: etree._Element | None, styles: etree._Element | None) -> None:
        self.lists: dict[str, tuple[str, dict[int, Level], dict[int, int]]] = {}
        self.style_numbers: dict[str, tuple[str | None, str | None]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        if numbering is not None:
            self._read_numbering(numbering)
        if styles is not None:
            for style in styles.iter(qn("w:style")):
                number = style.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
                if number is not None:
                    self.style_numbers[style.get(qn("w:styleId"), "")] = _num_pr(number)

    def _read_numbering(self, numbering: etree._Element) -> None:
        abstracts = {
            abstract.get(qn("w:abstractNumId"), ""): _levels(abstract)
            for abstract in numbering.iter(qn("w:abstractNum"))
        }
        for num in numbering.iter(qn("w:num")):
            abstract = _val(num.find(qn("w:abstractNumId"))) or ""
            levels = dict(abstracts.get(abstract, {}))
            restarts = {}
            for override in num.iter(qn("w:lvlOverride")):
                level = _level(override.get(qn("w:ilvl"), "0"))
                if level is None:
                    continue
                start = _val(override.find(qn("w:startOverride")))
                if (restart := _number(start or "", 9)) is not None:
                    restarts[level] = restart
                levels.update(_levels(override))
            self.lists[num.get(qn("w:numId"), "")] = (abstract, levels, restarts)

    def label(self, paragraph: etree._Element, style_id: str) -> str:
        """The number Word prints before this paragraph (`（二）`), advancing the counters; `` if none."""
        own = paragraph.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
        num_id, level_text = _num_pr(own) if own is not None else (None, None)
        style_num, style_level = self.style_numbers.get(style_id, (None, None))
        num_id = num_id or style_num
        if not num_id or num_id == "0" or num_id not in self.lists:
            return ""
        level = _level(level_text or style_level or "0")
        abstract, levels, restarts = self.lists[num_id]
        if level is None or level not in levels:
            return ""
        counters = self._advance(num_id, abstract, level, levels, restarts)
        return self._render(levels, counters, level)

    def _advance(
        self, num_id: str, abstract: str, level: int, levels: dict[int, Level], restarts: dict[int, int]
    ) -> dict[int, int]:
        counters = self.counters.setdefault(abstract or num_id, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for restarted, start in restarts.items():
                counters[restarted] = start - 1
        counters[level] = counters.get(level, levels[level].start - 1) + 1
        for deeper in [key for key in counters if key > level]:
            del counters[deeper]
        return counters

    def _render(self, levels: dict[int, Level], counters: dict[int, int], level: int) -> str:
        definition = levels[level]
        if definition.format in ("bullet", "none"):
            return ""
        text = definition.text
        for index in range(9):
            if f"%{index + 1}" in text:
                kind = levels[index].format if index in levels else "decimal"
                start = levels[index].start if index in levels else 1
                text = text.replace(f"%{index + 1}", format_number(counters.get(index, start), kind))
        separator = " " if definition.suffix == "space" or (definition.suffix == "tab" and text[-1:].isalnum()) else ""
        return text + separator if text else ""


def _val(element: etree._Element | None) -> str | None:
    return element.get(qn("w:val")) if element is not None else None


def _num_pr(number: etree._Element) -> tuple[str | None, str | None]:
    return _val(number.find(qn("w:numId"))), _val(number.find(qn("w:ilvl")))


def _level(text: str) -> int | None:
    """A list level from the file (Word writes 0 to 8); None for anything else, which the file may well hold."""
    return _number(text, 2)


def _number(text: str, digits: int) -> int | None:
    """`text` as a number of at most `digits` digits, else None (a file from elsewhere may hold `x` or a 5 000-digit
    number, which int() refuses)."""
    return int(text) if text.isdecimal() and len(text) <= digits else None


def _levels(parent: etree._Element) -> dict[int, Level]:
    levels = {}
    for level in parent.findall(qn("w:lvl")):
        start = _number(_val(level.find(qn("w:start"))) or "1", 9)
        number = _level(level.get(qn("w:ilvl"), "0"))
        if number is None:
            continue
        levels[number] = Level(
            format=_val(level.find(qn("w:numFmt"))) or "decimal",
            text=_val(level.find(qn("w:lvlText"))) or "",
            start=1 if start is None else start,
            suffix=_val(level.find(qn("w:suff"))) or "tab",
        )
    return levels
