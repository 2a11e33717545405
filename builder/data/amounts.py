"""Turn a printed money figure (`500万元`, `188.51`, `10.00`, `5000 元`) into an exact amount.

Amounts are never floats: the YAML reader hands us the scalar's text, and we keep
both that text (as printed) and a `Decimal` in the document's amount unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# How many yuan one of each unit is worth.
UNIT_IN_YUAN: dict[str, Decimal] = {
    "元": Decimal(1),
    "千元": Decimal(1000),
    "万元": Decimal(10000),
    "百万元": Decimal(1000000),
    "亿元": Decimal(100000000),
}

# One grammar for `check` and the published JSON Schema (AMOUNT_PATTERN): ASCII or full-width digits,
# thousands commas, a decimal point, a unit; spaces, tabs and U+3000 around. Not Arabic-Indic or circled digits.
_DIGIT = "[0-9０-９]"
_NUMBER = f"{_DIGIT}+(?:[,，]{_DIGIT}{{3}})*(?:[.．]{_DIGIT}+)?"
_SPACE = "[ \t\n\r\u00a0\u3000]*"
AMOUNT_PATTERN = f"^{_SPACE}[+＋]?{_NUMBER}{_SPACE}([千百万亿]*元)?{_SPACE}$"
_AMOUNT = re.compile(f"^{_SPACE}(?P<number>[+＋\\-－]?{_NUMBER}){_SPACE}(?P<unit>[千百万亿]*元)?{_SPACE}$")
_ASCII = str.maketrans("０１２３４５６７８９，．＋－", "0123456789,.+-")


class AmountError(ValueError):
    """The text is not a money figure."""


@dataclass(frozen=True)
class Amount:
    """A money figure as printed, with its exact value in the document's amount unit."""

    printed: str
    value: Decimal
    unit: str | None = None  # the unit written inside the figure, if any

    def __str__(self) -> str:
        return self.printed


def parse_amount(text: str, document_unit: str = "万元") -> Amount:
    """Parse `500万元` or `188.51` into an Amount in `document_unit`.

    >>> parse_amount("5000 元").value
    Decimal('0.5000')
    """
    match = _AMOUNT.match(text)
    if not match:
        raise AmountError(text)
    number = Decimal(match["number"].translate(_ASCII).replace(",", ""))
    unit = match["unit"]
    value = number if unit in (None, document_unit) else to_unit(number, unit, document_unit)
    return Amount(printed=text.strip(), value=value, unit=unit)


def to_unit(number: Decimal, unit: str, target_unit: str) -> Decimal:
    """Convert `number` expressed in `unit` into `target_unit`, exactly."""
    try:
        return number * UNIT_IN_YUAN[unit] / UNIT_IN_YUAN[target_unit]
    except (KeyError, InvalidOperation) as error:
        raise AmountError(f"{number}{unit}") from error


def format_amount(value: Decimal) -> str:
    """Print an amount with the decimals it has, thousands not grouped: `188.51`, `500`."""
    return format(value, "f")
