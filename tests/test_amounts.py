"""Money figures stay exact: no float ever touches an amount."""

from decimal import Decimal

import pytest

from builder.data.amounts import AmountError, parse_amount


@pytest.mark.parametrize(
    ("printed", "value"),
    [("188.51", "188.51"), ("500万元", "500"), ("10.00", "10.00"), ("973万元 ", "973"), ("５００万元", "500")],
)
def test_amounts_as_printed(printed: str, value: str) -> None:
    amount = parse_amount(printed)
    assert amount.value == Decimal(value)
    assert str(amount.value) == value  # 10.00 keeps its two decimals
    assert amount.printed == printed.strip()


def test_other_units_convert_exactly() -> None:
    assert parse_amount("5000 元").value == Decimal("0.5")
    assert parse_amount("1.2亿元").value == Decimal("12000")
    assert parse_amount("500万元", document_unit="元").value == Decimal("5000000")


@pytest.mark.parametrize("printed", ["abc", "", "十万元", "1.2.3", "5美元"])
def test_non_amounts_are_refused(printed: str) -> None:
    with pytest.raises(AmountError):
        parse_amount(printed)
