"""The project table's money fields: a figure a narrow PDF column wrapped is joined, with a warning, never lost."""

from __future__ import annotations

import pytest

from builder.importer.structure.blocks import Block, Report
from builder.importer.structure.project_table import Cells, read_fields


def cells(*texts: str) -> Cells:
    """Table cells as a PDF gives them: one block per cell, its printed lines kept."""
    return Cells([Block(line=number, raw=text, is_cell=True) for number, text in enumerate(texts, 1)])


def fields_of(*texts: str) -> tuple[dict[str, object], Report]:
    report = Report()
    return read_fields(cells(*texts), report), report


@pytest.mark.parametrize(
    ("printed", "read"),
    [
        ("1000\n00.00", "100000.00"),
        ("1180\n000.0\n0", "1180000.00"),
        ("25,500.0\n0", "25,500.00"),
        ("1,180,\n000.00", "1,180,000.00"),
    ],
)
def test_a_wrapped_figure_is_joined_and_reported(printed: str, read: str) -> None:
    values, report = fields_of(
        "项目编码", "X1", "预算数", "1180000.00", "财政资金", printed, "其他资金", "", "资金用途", "用于…"
    )
    assert values["fiscal"] == read and values["purpose"] == "用于…"
    shown = printed.replace("\n", " ")
    assert [warning.message for warning in report.warnings] == [
        f"财政资金“{shown}”在单元格中折行，已连成 {read}，请与原文核对"
    ]


def test_figures_that_are_no_amount_are_shown_not_put_in_the_purpose() -> None:
    values, report = fields_of("预算数", "12.5.0", "财政资金", "12.50", "资金用途", "用于…")
    assert values["total"] is None and values["fiscal"] == "12.50" and values["purpose"] == "用于…"
    assert report.unresolved == [{"where": "第 2 行", "text": "12.5.0"}]
    assert report.warnings[0].message == "预算数“12.5.0”不是可读的金额，没有导入，请按原文填写"


def test_prose_after_the_amounts_is_still_the_purpose() -> None:
    values, report = fields_of("预算数", "10.00", "财政资金", "10.00", "其他资金", "全面开展项目建设", "资金用途")
    assert (values["total"], values["fiscal"], values.get("other")) == ("10.00", "10.00", None)
    assert values["purpose"] == "全面开展项目建设" and report.warnings == []
