"""The Word-text importer reads the seed documents into exactly the data files, losing and inventing nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from builder.data.amounts import Amount
from builder.data.load import load_department
from builder.data.model import Department
from builder.importer.common import clean
from builder.importer.word_text import parse_word_text, read_blocks
from builder.importer.write import to_yaml

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
SAMPLES = [
    ("000_e58a81ac4f6ea1ef.txt", "data/2023/tangshan-gxq-fagaiju.yaml", "唐山高新区"),
    ("001_ae7a2bed391112e9.txt", "data/2023/tangshan-gxq-kejiju.yaml", "唐山高新区"),
    ("003_191d77da26007e67.txt", "data/2023/zunhua-jingkaiqu.yaml", "遵化市"),
]
# Printed form labels and headings: they become the data's structure, not its text.
FORM_LINES = {
    "项目",  # "项目\n\n编码", "绩效\n\n目标", "一级\n\n指标": labels split over two lines
    "编码",
    "绩效",
    "目标",
    "一级",
    "单位：万元",
    "第一部分",
    "第二部分",
    "部门整体绩效目标",
    "预算项目绩效目标",
    "2023年部门整体绩效目标",
    "2023年部门预算绩效文本",
    "一、总体绩效目标",
    "二、分项绩效目标",
    "三、工作保障措施",
    "项目编码",
    "项目名称",
    "预算规模及资金用途",
    "预算数",
    "其中：财政资金",
    "其他资金",
    "资金支出计划（%）",
    "资金支出计划（累进进度%）",
    "绩效目标",
    "一级指标",
    "二级指标",
    "三级指标",
    "绩效指标描述",
    "指标值",
    "指标值确定依据",
}
ITEM_NUMBER = re.compile(r"^(?:（[一二三四五六七八九十\d]+）|\d+\.)")


def seed_text(name: str) -> str:
    path = SEEDS / name
    if not path.is_file():
        pytest.skip(f"seed documents not found at {SEEDS}")
    return path.read_text(encoding="utf-8")


def leaves(value: Any) -> list[str]:
    """Every text of a model, depth first."""
    if isinstance(value, BaseModel):  # fields left at their default (`绩效目标：`, usual headings) are not data
        names = [name for name in type(value).model_fields if name in value.model_fields_set]
        return [text for name in names for text in leaves(getattr(value, name))]
    if isinstance(value, list):
        return [text for item in value for text in leaves(item)]
    if isinstance(value, Amount):
        return [value.printed]
    return [] if value is None else [str(value)]


def model_text(department: Department) -> str:
    """The model's text, plus the printed forms the importer splits apart (`标题。正文`, `绩效目标：…`)."""
    one = department.part_one
    parts = leaves(department)
    parts += [f"{measure.title}{measure.text}" for measure in one.measures]  # the title keeps its 。
    parts += [f"{goal.title}{goal.text}" for goal in one.sub_goals if goal.text]
    parts += [f"{goal.goal_label}{goal.goal}" for goal in one.sub_goals]
    parts += [f"{goal.indicators_label}{goal.indicators}" for goal in one.sub_goals]
    if department.unit:
        parts.append(department.unit.code + department.unit.name)
    return "\n".join(parts)


# ── the three seeds ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("seed", "data_file", "region"), SAMPLES)
def test_seed_imports_to_the_data_file(seed: str, data_file: str, region: str) -> None:
    data, warnings = parse_word_text(seed_text(seed), region=region)
    path = ROOT / data_file
    assert "unresolved" not in data
    assert [warning.message for warning in warnings] in ([], ["封面未印部门名称，由编制单位或预算单位推定"])
    assert Department.model_validate(data) == load_department(path).department
    assert to_yaml(data) == path.read_text(encoding="utf-8")  # the file is the importer's output, untouched


@pytest.mark.parametrize(("seed", "data_file", "region"), SAMPLES)
def test_no_line_of_the_seed_is_lost(seed: str, data_file: str, region: str) -> None:
    haystack = model_text(load_department(ROOT / data_file).department)
    missing = []
    for number, line in enumerate(seed_text(seed).splitlines(), start=1):
        text = ITEM_NUMBER.sub("", clean(line))
        if text and text not in FORM_LINES and not text.endswith("编制") and text not in haystack:
            missing.append(f"{number}: {text}")
    assert missing == []


@pytest.mark.parametrize(("seed", "data_file", "region"), SAMPLES)
def test_no_text_is_invented(seed: str, data_file: str, region: str) -> None:
    department = load_department(ROOT / data_file).department
    printed = re.sub(r"\s+", "", clean(seed_text(seed)))
    ours = leaves(department.model_copy(update={"region": None, "source": None, "amount_unit": None, "draft": None}))
    assert [text for text in ours if re.sub(r"\s+", "", text) not in printed] == []


def test_seed_figures() -> None:
    expected = {SAMPLES[0][1]: (7, "1848.51"), SAMPLES[1][1]: (3, "4253"), SAMPLES[2][1]: (4, "72.55")}
    for data_file, (projects, total) in expected.items():
        department = load_department(ROOT / data_file).department
        assert (len(department.projects), str(department.total_budget)) == (projects, total)


# ── the tricky bits, on small documents ───────────────────────────────────────────

FRONT = """示例局

2024年部门预算绩效文本

示例局编制

示例局审核

2024年部门整体绩效目标

一、总体绩效目标

总体目标第一段。

总体目标第二段。

二、分项绩效目标

（1） 一项目标
绩效目标：甲。
绩效指标：乙。
2.第二项。没有标签的正文。
3.同一段里的标题。绩效目标：丙。绩效指标：丁。
三、工作保障措施
（一）完善制度建设。制定完善制度。

"""

TABLE = """示例项目

项目绩效目标表

\t项目

编码
\t\u3000
\t项目名称
\t示例项目

\t预算规模及资金用途

\t预算数
\t10.00
\t其中：财政    资金
\t10.00
\t其他资金
\t\x20\x20

\t
\t用途。

\t资金支出计划（累进进度%）
\t第一季度
\t第二季度
\t第三季度
\t第四季度

\t
\t　0
\t
\t50%
\t[bookmark: _GoBack]100%

\t绩效

目标
\t目标1：甲。
目标2：乙。

\t一级

指标
\t二级指标
\t三级指标
\t绩效指标描述
\t指标值
\t指标值确定依据

\t
\t
\t
\t
\t
\t

\t产出

指标\x20
\t数量指标
\t企业数
\t获奖企业数
\t≥10家
\t

\t
\t数量指标
\t资金
\t
\t=10万元
\t工作经验

"""


def test_cover_and_part_one() -> None:
    data, warnings = parse_word_text(FRONT + TABLE)
    assert (data["department"], data["year"], data["prepared_by"], data["reviewed_by"]) == (
        "示例局",
        2024,
        "示例局",
        "示例局",
    )
    part = data["part_one"]
    assert part["overall_goal"] == ["总体目标第一段。", "总体目标第二段。"]
    assert part["sub_goals"] == [
        {"label": "（1）", "title": "一项目标", "goal": "甲。", "indicators": "乙。"},  # numbers kept as printed
        {"label": "2.", "title": "第二项。", "text": "没有标签的正文。"},  # the title keeps its 。
        {"label": "3.", "title": "同一段里的标题。", "goal": "丙。", "indicators": "丁。"},
    ]
    assert part["measures"] == [{"label": "（一）", "title": "完善制度建设。", "text": "制定完善制度。"}]
    assert data["headings"] == {"part_one": "2024年部门整体绩效目标", "part_two": ""}  # printed, or not printed
    assert warnings == []


def test_split_labels_and_blank_cells() -> None:
    project = parse_word_text(FRONT + TABLE)[0]["projects"][0]
    assert "code" not in project  # the code cell holds only an ideographic space
    assert project["title"] == "示例项目项目绩效目标表"
    assert project["budget"] == {"total": "10.00", "fiscal": "10.00"}
    assert project["purpose"] == "用途。"


def test_quarter_headers_and_blank_checkpoint() -> None:
    plan = parse_word_text(FRONT + TABLE)[0]["projects"][0]["spending_plan"]
    assert plan == [
        {"label": "第一季度", "value": "0"},
        {"label": "第二季度"},
        {"label": "第三季度", "value": "50%"},
        {"label": "第四季度", "value": "100%"},
    ]


def test_goals_sharing_one_cell_are_one_per_line() -> None:
    assert parse_word_text(FRONT + TABLE)[0]["projects"][0]["goals"] == ["目标1：甲。", "目标2：乙。"]


def test_goals_with_label_cells() -> None:
    text = TABLE.replace("\t目标1：甲。\n目标2：乙。\n", "\t目标1\n\t甲。\n\n\t\n\t目标2\n\t乙。\n")
    goals = parse_word_text(FRONT + text)[0]["projects"][0]["goals"]
    assert goals == [{"label": "目标1", "text": "甲。"}, {"label": "目标2", "text": "乙。"}]


def test_indicator_rows_skip_blank_rows_and_merged_levels() -> None:
    rows = parse_word_text(FRONT + TABLE)[0]["projects"][0]["indicators"]
    assert rows == [
        {"level1": "产出指标", "level2": "数量指标", "name": "企业数", "description": "获奖企业数", "value": "≥10家"},
        # a blank 一级指标 cell is the merged cell above; a printed 二级指标 is its own cell, even when it repeats
        {"level2": "数量指标", "name": "资金", "value": "=10万元", "basis": "工作经验"},
    ]


def test_a_table_ends_at_two_empty_lines_and_continues_after_one() -> None:
    blocks = read_blocks("\t产出\n\n指标 \n\t是\n\n\n下一张表\n")
    assert [(block.is_cell, block.text) for block in blocks] == [(True, "产出指标"), (True, "是"), (False, "下一张表")]


def test_unknown_content_is_kept_as_unresolved() -> None:
    text = FRONT + TABLE.replace("\t项目名称\n", "\t主管部门\n\t某某委\n\t项目名称\n") + "\n附注：本表为示例。\n"
    data, warnings = parse_word_text(text)
    assert [item["text"] for item in data["unresolved"]] == ["主管部门", "某某委", "附注：本表为示例。"]
    assert len(warnings) == 3
    assert data["unresolved"][0]["where"].startswith("第 ")


def test_year_from_the_project_code_when_there_is_no_cover() -> None:
    table = TABLE.replace("\t\u3000\n", "\t13028124P00032410001M\n")
    part_one = "一、总体绩效目标\n甲。\n二、分项绩效目标\n1.乙。\n三、工作保障措施\n（一）丙。\n\n"
    data, _ = parse_word_text(part_one + table)
    assert data["year"] == 2024
    assert data["projects"][0]["code"] == "13028124P00032410001M"
