"""The 指标值 parser on values the seed documents publish."""

from decimal import Decimal

import pytest

from builder.data.values import ParsedValue, format_value, parse_value


@pytest.mark.parametrize(
    ("published", "comparison", "number", "unit"),
    [
        ("≥90%", "≥", "90", "%"),
        ("=500万元", "=", "500", "万元"),
        ("≤1年", "≤", "1", "年"),
        ("10万元/家", None, "10", "万元/家"),
        ("=300万元/家", "=", "300", "万元/家"),
        ("≥20000公里", "≥", "20000", "公里"),
        ("≤100 百分比", "≤", "100", "百分比"),  # seed 002 writes satisfaction like this
        ("1 个", None, "1", "个"),
        ("867平方米", None, "867", "平方米"),
        ("=188.51万元", "=", "188.51", "万元"),
        ("100%", None, "100", "%"),
    ],
)
def test_numbers_with_comparison_and_unit(published: str, comparison: str | None, number: str, unit: str) -> None:
    assert parse_value(published) == ParsedValue("number", comparison, Decimal(number), unit)


def test_full_width_forms_parse_like_half_width() -> None:
    assert parse_value("＞９０％") == parse_value(">90%")
    assert parse_value("≥９５％") == parse_value("≥95%")


def test_exact_decimals_are_kept() -> None:
    assert str(parse_value("=188.51万元").number) == "188.51"
    assert str(parse_value("10.00万元").number) == "10.00"


def test_deadline_is_a_date_not_a_number() -> None:
    assert parse_value("2023年12月31日前") == ParsedValue("deadline", "≤", date="2023-12-31")


@pytest.mark.parametrize("published", ["是", "及时发放", "不超国家补贴50%", "2023年完成", "%", "", "完成 1.1 万户配送"])
def test_free_text_stays_text(published: str) -> None:
    assert parse_value(published).kind == "text"


@pytest.mark.parametrize("published", ["≥90%", "=500万元", "10万元/家", "2023年12月31日前", "≤1年", "＞９０％"])
def test_parse_format_parse_is_stable(published: str) -> None:
    parsed = parse_value(published)
    assert parse_value(format_value(parsed)) == parsed


def test_suffix_words_are_comparisons() -> None:
    assert parse_value("90%以上") == ParsedValue("number", "≥", Decimal("90"), "%")
    assert parse_value("5万元以内") == ParsedValue("number", "≤", Decimal("5"), "万元")
