"""Parse a published 指标值 (`≥90%`, `=500万元`, `2023年12月31日前`, `是`) into comparison, number and unit.

The published string is always kept; this parsed form is derived from it for
sorting, exports and plausibility checks. Full-width and half-width forms parse alike.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

COMPARISONS = {
    "≥": "≥",
    ">=": "≥",
    "≧": "≥",
    "不低于": "≥",
    "不少于": "≥",
    "≤": "≤",
    "<=": "≤",
    "≦": "≤",
    "不高于": "≤",
    "不超过": "≤",
    "不多于": "≤",
    "=": "=",
    "＝": "=",
    ">": ">",
    "<": "<",
}

_COMPARISON = "|".join(sorted((re.escape(c) for c in COMPARISONS), key=len, reverse=True))
_NUMBER_VALUE = re.compile(
    rf"^(?P<comparison>{_COMPARISON})?\s*(?P<number>[+-]?\d+(?:,\d{{3}})*(?:\.\d+)?)\s*(?P<unit>[^\d\s].*?)?\s*$"
)
_DEADLINE = re.compile(
    r"^(?P<year>\d{4})年(?:(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})日)?)?(?P<suffix>前|之前|以前|底前)$"
)
# A unit is short and has no verbs in it: `万元/家`, `百分比`, `平方米`, `%`.
_UNIT = re.compile(r"^[%‰A-Za-z\u4e00-\u9fff/·²³]{1,6}$")
_NOT_A_UNIT = re.compile(r"完成|前|后|内|达到|以|及|是|否")
# `90%以上` says `≥90%`.
_SUFFIX_COMPARISONS = {"以上": "≥", "及以上": "≥", "以下": "≤", "及以下": "≤", "以内": "≤"}


@dataclass(frozen=True)
class ParsedValue:
    """What a 指标值 says, when it says something measurable.

    kind is `number` (comparison, number, unit), `deadline` (comparison `≤` and an
    ISO date or year-month), or `text` (free text such as `是`, `及时发放`).
    """

    kind: str
    comparison: str | None = None
    number: Decimal | None = None
    unit: str | None = None
    date: str | None = None


def normalize(text: str) -> str:
    """Fold full-width forms (`％`, `＞`, `１２`) to half-width and trim."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_value(published: str) -> ParsedValue:
    """Read a 指标值 as published.

    >>> parse_value("≥90%")
    ParsedValue(kind='number', comparison='≥', number=Decimal('90'), unit='%', date=None)
    """
    text, suffix_comparison = _split_suffix(normalize(published))
    number = _NUMBER_VALUE.match(text)
    if number and (number["unit"] is None or _is_unit(number["unit"])):
        comparison = COMPARISONS[number["comparison"]] if number["comparison"] else suffix_comparison
        return ParsedValue(
            kind="number",
            comparison=comparison,
            number=Decimal(number["number"].replace(",", "")),
            unit=number["unit"] or None,
        )
    deadline = _DEADLINE.match(text)
    if deadline:
        return ParsedValue(kind="deadline", comparison="≤", date=_iso_date(deadline))
    return ParsedValue(kind="text")


def _split_suffix(text: str) -> tuple[str, str | None]:
    for suffix in sorted(_SUFFIX_COMPARISONS, key=len, reverse=True):
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)], _SUFFIX_COMPARISONS[suffix]
    return text, None


def _is_unit(text: str) -> bool:
    return bool(_UNIT.match(text)) and not _NOT_A_UNIT.search(text)


def _iso_date(match: re.Match[str]) -> str:
    parts = [match["year"]]
    if match["month"]:
        parts.append(f"{int(match['month']):02d}")
        if match["day"]:
            parts.append(f"{int(match['day']):02d}")
    return "-".join(parts)


def format_value(parsed: ParsedValue) -> str | None:
    """Write a parsed value back in canonical form (`≥90%`), or None for free text."""
    if parsed.kind == "number":
        return f"{parsed.comparison or ''}{format(parsed.number, 'f')}{parsed.unit or ''}"
    if parsed.kind == "deadline" and parsed.date:
        return _deadline_text(parsed.date)
    return None


def _deadline_text(date: str) -> str:
    names = ("年", "月", "日")
    parts = date.split("-")
    return "".join(f"{int(part) if i else part}{names[i]}" for i, part in enumerate(parts)) + "前"
