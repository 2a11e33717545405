"""Arbitrary input never crashes the YAML reader, the loader or the 指标值 parser."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.errors import DataError
from builder.load import load_department
from builder.values import format_value, parse_value
from builder.yamlread import read_yaml

YAMLISH = st.text(
    alphabet=st.sampled_from(list("abc:-[]{}&*!|>'\"\t\n #0123456789.%≥≤=万元年是：\u3000")), max_size=200
)
VALUES = st.one_of(
    st.text(max_size=30),
    st.builds(
        lambda comparison, number, unit: f"{comparison}{number}{unit}",
        st.sampled_from(["", "≥", "≤", "=", ">", "<", "＞", "≧", "不低于"]),
        st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
        st.sampled_from(["", "%", "％", "万元", "家", "万元/家", "个", "百分比", "平方米", "以上"]),
    ),
)


@given(YAMLISH)
def test_reader_returns_data_or_problems(text: str) -> None:
    located = read_yaml(text)
    assert all(problem.line >= 1 and problem.message for problem in located.problems)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(YAMLISH)
def test_loader_raises_only_data_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "2023" / "x.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    try:
        load_department(path)
    except DataError as error:
        assert error.problems and all(problem.line >= 1 for problem in error.problems)


@given(VALUES)
def test_value_parser_never_crashes_and_round_trips(published: str) -> None:
    parsed = parse_value(published)
    canonical = format_value(parsed)
    if canonical is not None:
        assert parse_value(canonical) == parsed
