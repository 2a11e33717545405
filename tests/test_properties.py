"""Arbitrary input never crashes the YAML reader, the loader or the 指标值 parser."""

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.data.load import load_department
from builder.data.values import format_value, parse_value
from builder.data.yamlread import read_yaml
from builder.errors import DataError, ImportFailed

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


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60, deadline=None)
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


SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
TABLEISH = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "项目编码",
                "项目名称",
                "预算数",
                "其中：财政资金",
                "其他资金",
                "资金支出计划（%）",
                "3月底",
                "第一季度",
                "绩效目标",
                "一级指标",
                "二级指标",
                "三级指标",
                "绩效指标描述",
                "指标值",
                "指标值确定依据",
                "产出指标",
                "数量指标",
                "满意度指标",
                "第一部分",
                "第二部分",
                "一、总体绩效目标",
                "二、分项绩效目标",
                "三、工作保障措施",
                "（一）完善制度建设。",
                "1.项目绩效目标表",
                "单位：万元",
                "≥90%",
                "500万元",
                "",
            ]
        ),
        st.text(max_size=20),
    ),
    max_size=80,
)


def _mutations(draw_lines: list[str], separator: str) -> str:
    return "\n".join(separator + line if i % 2 else line for i, line in enumerate(draw_lines))


@settings(max_examples=80, deadline=None)
@given(TABLEISH, st.sampled_from(["\t", "", "\t\t"]))
def test_importers_never_crash_on_arbitrary_text(lines: list[str], separator: str) -> None:
    from builder.importer.pdf.text_export import parse_pdf_text
    from builder.importer.word_text import parse_word_text

    text = _mutations(lines, separator)
    for parse in (parse_word_text, parse_pdf_text):
        _parse_or_refuse(parse, text)


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed documents not found at {SEEDS}")
@settings(max_examples=40, deadline=None)
@given(st.data())
def test_importers_survive_seed_text_with_lines_dropped(data: st.DataObject) -> None:
    from builder.importer.pdf.text_export import parse_pdf_text
    from builder.importer.word_text import parse_word_text

    seed = data.draw(st.sampled_from(sorted(SEEDS.glob("*.txt"))))
    lines = seed.read_text(encoding="utf-8").splitlines()
    start = data.draw(st.integers(0, len(lines)))
    length = data.draw(st.integers(0, 40))
    text = "\n".join(lines[:start] + lines[start + length :])
    for parse in (parse_word_text, parse_pdf_text):
        _parse_or_refuse(parse, text)


def _parse_or_refuse(parse: Callable[[str], tuple[dict, list]], text: str) -> None:
    """An importer either returns data and warnings or refuses with a Chinese ImportFailed message."""
    try:
        data, warnings = parse(text)
    except ImportFailed as refusal:
        assert any("\u4e00" <= char <= "\u9fff" for char in str(refusal))
        return
    assert isinstance(data, dict) and isinstance(warnings, list)
