"""Each lint rule on small departments: one clean project, changed one field at a time.

A rule must find the mistake it is about, at the right field, with the right severity,
and must stay silent on the clean project and on the tables that look odd but are fine.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.data.load import LoadedDepartment, Source
from builder.data.model import Department
from builder.lint.findings import Finding, lint_department
from builder.lint.rules import RULES

_ROWS = [
    # 一级指标, 二级指标 (None: same as the row above), 三级指标, 描述, 指标值
    ("产出指标", "数量指标", "专业设备采购", "涉密专业设备采购", "3台"),
    (None, "质量指标", "设备验收合格率", "设备验收合格率", "≥98%"),
    (None, "时效指标", "购置完成时限", "购置完成时限", "2023年12月31日前"),
    (None, "成本指标", "购置成本", "设备购置费用", "≤2.55万元"),
    ("效益指标", "社会效益指标", "提升办公服务水平", "服务水平", "提高"),
    (None, "可持续影响指标", "设备持续使用", "设备使用年限", "≥5年"),
    ("满意度指标", "服务对象满意度指标", "服务对象满意度", "满意度", "≥90%"),
]
CLEAN_ROWS: list[dict[str, Any]] = [
    {"level1": level1, "level2": level2, "name": name, "description": description, "value": value}
    if level1
    else {"level2": level2, "name": name, "description": description, "value": value}
    for level1, level2, name, description, value in _ROWS
]

CLEAN_PROJECT: dict[str, Any] = {
    "code": "13028123P00032410001M",
    "name": "安可计算机购置",
    "title": "1.安可计算机购置绩效目标表",
    "budget": {"total": "2.55", "fiscal": "2.55"},
    "purpose": "购置非涉密计算机三台。",
    "spending_plan": [
        {"label": "3月底", "value": "25%"},
        {"label": "6月底", "value": "50%"},
        {"label": "10月底", "value": "75%"},
        {"label": "12月底", "value": "100%"},
    ],
    "goals": ["1.做好国产化应用替代工作，保障单位业务开展"],
    "indicators": CLEAN_ROWS,
}

CLEAN_DEPARTMENT: dict[str, Any] = {
    "department": "示例局",
    "year": 2023,
    "amount_unit": "万元",
    "part_one": {
        "overall_goal": ["做好本年度各项工作。"],
        "sub_goals": [{"title": "保障机关运转", "goal": "及时拨付资金。"}],
        "measures": [{"title": "完善制度建设", "text": "制定完善预算绩效管理制度。"}],
    },
    "projects": [CLEAN_PROJECT],
}


def project(**changes: Any) -> dict[str, Any]:
    """The clean project with some fields replaced."""
    data = copy.deepcopy(CLEAN_PROJECT)
    data.update(copy.deepcopy(changes))
    return data


def rows(*changes: tuple[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The clean indicator rows with some rows' fields replaced: rows((6, {"value": "≤100%"}))."""
    data = copy.deepcopy(CLEAN_ROWS)
    for index, change in changes:
        data[index].update(change)
    return data


def department(*projects: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(CLEAN_DEPARTMENT)
    data["projects"] = list(projects) if projects else [project()]
    data.update(changes)
    return data


def lint(data: dict[str, Any], rule_id: str | None = None) -> list[Finding]:
    """The findings on an in-memory department (line 0), of one rule or of all."""
    loaded = LoadedDepartment(Source(Path("2023/example.yaml"), "example"), Department.model_validate(data))
    rules = [RULES[rule_id]] if rule_id else None
    return lint_department(loaded, rules=rules)


def found(data: dict[str, Any], rule_id: str) -> list[tuple[str, str]]:
    """(field path, severity) of each finding of one rule."""
    return [(finding.field_path, finding.severity) for finding in lint(data, rule_id)]


def test_the_clean_department_has_no_findings() -> None:
    assert lint(department()) == []


def test_every_rule_has_an_id_a_severity_and_a_chinese_title() -> None:
    assert len(RULES) >= 20
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id and rule.severity in ("error", "warning", "notice")
        assert any("\u4e00" <= char <= "\u9fff" for char in rule.title), rule_id


# 金额


@pytest.mark.parametrize(
    ("budget", "expected"),
    [
        ({"total": "500万元", "fiscal": "400万元"}, [("projects[0].budget.total", "error")]),
        ({"total": "500万元", "fiscal": "400万元", "other": "100万元"}, []),
        ({"total": "500", "fiscal": "5000000元"}, []),  # units converted before comparing
        ({"total": "100.00", "fiscal": "33.33", "other": "66.66"}, [("projects[0].budget.total", "warning")]),
        ({"total": "188.51"}, []),  # both parts blank: nothing to compare
        ({"total": "10.00", "other": "10.00"}, []),
    ],
)
def test_budget_sum(budget: dict[str, str], expected: list[tuple[str, str]]) -> None:
    data = department(project(budget=budget, indicators=rows((3, {"value": "=1万元"}))))
    assert found(data, "budget-sum") == expected


def test_budget_sum_message_names_the_three_figures() -> None:
    data = department(project(budget={"total": "500万元", "fiscal": "400万元"}))
    [finding] = lint(data, "budget-sum")
    assert "500万元" in finding.message and "400万元" in finding.message and "相差 100 万元" in finding.message


@pytest.mark.parametrize(
    ("total", "value", "expected"),
    [
        ("10.00", "=20万元", [("projects[0].indicators[3].value", "error")]),
        ("10.00", "20 万元", [("projects[0].indicators[3].value", "error")]),
        ("10.00", "≤20万元", [("projects[0].indicators[3].value", "warning")]),
        ("0.50", "5000 元", []),  # 5000 元 is 0.50 万元: consistent
        ("0.50", "15000元", [("projects[0].indicators[3].value", "error")]),
        ("5000", "=1.2亿元", [("projects[0].indicators[3].value", "error")]),
        ("900万元", "=300万元/家", []),
        ("100", "=300万元/家", [("projects[0].indicators[3].value", "error")]),  # one item costs more than all
        ("50.00", "50 万", []),
        ("10.00", "≥95%", []),  # 预算执行率: not money
        ("10.00", "资金到位", []),
    ],
)
def test_cost_exceeds_budget(total: str, value: str, expected: list[tuple[str, str]]) -> None:
    data = department(project(budget={"total": total}, indicators=rows((3, {"value": value}))))
    assert found(data, "cost-exceeds-budget") == expected


def test_cost_is_compared_in_the_documents_unit() -> None:
    data = department(project(budget={"total": "25500"}, indicators=rows((3, {"value": "≤25500元"}))), amount_unit="元")
    assert lint(data) == []
    data["projects"][0]["indicators"][3]["value"] = "=3万元"
    assert found(data, "cost-exceeds-budget") == [("projects[0].indicators[3].value", "error")]


@pytest.mark.parametrize(
    ("budget", "cost", "expected"),
    [
        ({"total": "500万元", "fiscal": "500万元"}, "≤500万元", []),  # 万元 in a 万元 table is fine
        ({"total": "188.51", "fiscal": "188.51"}, "=188.51万元", []),  # bare figure is fine
        ({"total": "0.50", "fiscal": "0.50"}, "5000 元", []),  # consistent
        ({"total": "5000元", "fiscal": "0.50"}, "5000 元", [("projects[0].budget.total", "warning")]),
        ({"total": "10.00"}, "10元", [("projects[0].indicators[3].value", "warning")]),  # 万元 written as 元
    ],
)
def test_amount_unit(budget: dict[str, str], cost: str, expected: list[tuple[str, str]]) -> None:
    data = department(project(budget=budget, indicators=rows((3, {"value": cost}))))
    assert found(data, "amount-unit") == expected


# 资金支出计划


def plan(*values: str | None, quarters: bool = False) -> list[dict[str, Any]]:
    labels = ("第一季度", "第二季度", "第三季度", "第四季度") if quarters else ("3月底", "6月底", "10月底", "12月底")
    return [{"label": label, "value": value} for label, value in zip(labels, values, strict=True)]


@pytest.mark.parametrize(
    ("values", "rule_id", "expected"),
    [
        (("0%", "50%", "30%", "100%"), "spending-not-cumulative", [("projects[0].spending_plan[2].value", "error")]),
        (("25%", "50%", "75%", "100%"), "spending-not-cumulative", []),
        (("0", "0", "0", "100%"), "spending-not-cumulative", []),
        (("25%", "50%", "75%", "90%"), "spending-incomplete", [("projects[0].spending_plan[3].value", "warning")]),
        (("25%", "25%", "25%", "25%"), "spending-incomplete", [("projects[0].spending_plan[3].value", "notice")]),
        (("40%", "30%", "20%", "10%"), "spending-not-cumulative", []),  # per-period shares: a notice only
        (("40%", "30%", "20%", "10%"), "spending-incomplete", [("projects[0].spending_plan[3].value", "notice")]),
        ((None, "100%", "100%", None), "spending-incomplete", []),  # last *filled* checkpoint is 100%
        ((None, None, None, None), "spending-incomplete", []),
        (("25%", "50%", "75%", "120%"), "spending-range", [("projects[0].spending_plan[3].value", "error")]),
        (("25%", "按进度", "75%", "100%"), "spending-unreadable", [("projects[0].spending_plan[1].value", "warning")]),
    ],
)
def test_spending_plan(values: tuple[str | None, ...], rule_id: str, expected: list[tuple[str, str]]) -> None:
    assert found(department(project(spending_plan=plan(*values))), rule_id) == expected


def test_a_quarterly_cumulative_plan_is_clean() -> None:
    assert lint(department(project(spending_plan=plan("0", "0", "0", "100%", quarters=True)))) == []


# 指标值


@pytest.mark.parametrize(
    ("value", "rule_id", "severity"),
    [
        (None, "value-empty", "error"),
        ("  ", "value-empty", "error"),
        ("%", "value-unit-only", "error"),
        ("≥%", "value-unit-only", "error"),
        ("个", "value-unit-only", "error"),
        ("次/年", "value-unit-only", "error"),
        ("N/A", "value-placeholder", "warning"),
        ("*", "value-placeholder", "warning"),
        ("-", "value-placeholder", "warning"),
        ("——", "value-placeholder", "warning"),
        ("_", "value-placeholder", "warning"),
        ("无", "value-placeholder", "warning"),
        ("文字描述", "value-placeholder", "warning"),
        ("XX%", "value-placeholder", "warning"),
        ("设备验收合格率", "value-copies-text", "warning"),  # = 三级指标
        ("是否验收合格", "value-question", "notice"),
    ],
)
def test_values_that_say_nothing(value: str | None, rule_id: str, severity: str) -> None:
    data = department(project(indicators=rows((1, {"value": value}))))
    findings = [f for f in lint(data) if f.rule.startswith("value-")]
    assert [(f.rule, f.field_path, f.severity) for f in findings] == [
        (rule_id, "projects[0].indicators[1].value", severity)
    ]


def test_none_is_a_target_where_less_is_better() -> None:
    data = department(project(indicators=rows((1, {"name": "重大安全事故", "value": "无"}))))
    assert [f for f in lint(data) if f.rule.startswith("value-")] == []


def test_a_measurable_value_repeated_in_the_description_is_fine() -> None:
    data = department(project(indicators=rows((1, {"description": "≥98%"}))))
    assert lint(data) == []


def test_a_value_copied_from_the_description() -> None:
    data = department(project(indicators=rows((4, {"value": "服务水平。"}))))
    assert found(data, "value-copies-text") == [("projects[0].indicators[4].value", "warning")]


@pytest.mark.parametrize("value", ["是", "=100%", "≥90%", "3台", "2023年12月31日前", "提高", "0"])
def test_plain_values_pass(value: str) -> None:
    data = department(project(indicators=rows((1, {"value": value}))))
    assert [f for f in lint(data) if f.rule.startswith("value-")] == []


# 满意度与产出目标


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("≤100 百分比", [("satisfaction-upper-bound", "warning")]),
        ("≤100%", [("satisfaction-upper-bound", "warning")]),
        ("<90%", [("satisfaction-upper-bound", "warning")]),
        ("90%以下", [("satisfaction-upper-bound", "warning")]),
        ("≥95%", []),
        ("=100%", []),
        ("100 百分号", []),
        ("≥85 百分比", []),
        ("105%", [("satisfaction-range", "error")]),
        ("≥120 百分比", [("satisfaction-range", "error")]),
        ("满意", [("satisfaction-not-number", "notice")]),
        ("较满意", [("satisfaction-not-number", "notice")]),
    ],
)
def test_satisfaction(value: str, expected: list[tuple[str, str]]) -> None:
    data = department(project(indicators=rows((6, {"value": value}))))
    findings = [(f.rule, f.severity) for f in lint(data) if f.rule.startswith("satisfaction-")]
    assert findings == expected
    assert all(f.field_path == "projects[0].indicators[6].value" for f in lint(data))


@pytest.mark.parametrize(
    ("row", "change", "flagged"),
    [
        (0, {"value": "≤9处"}, True),
        (0, {"value": "9处以内"}, True),
        (1, {"value": "≤96%"}, True),
        (1, {"value": "≤100 百分比"}, True),
        (0, {"name": "投诉次数", "value": "≤3次"}, False),  # less is better
        (1, {"name": "差错率", "value": "≤2%"}, False),
        (1, {"name": "平均响应", "value": "≤30分钟"}, False),  # a duration
        (0, {"name": "漏报数", "value": "<2个"}, False),
        (2, {"value": "≤30天"}, False),  # 时效: a deadline is an upper bound
        (3, {"value": "≤2万元"}, False),  # 成本: a cap is right
        (5, {"value": "≤5年"}, False),  # 效益, not 产出
        (0, {"value": "≥9处"}, False),
        (1, {"value": "=100%"}, False),
    ],
)
def test_upper_bound_only(row: int, change: dict[str, str], flagged: bool) -> None:
    data = department(project(indicators=rows((row, change))))
    expected = [(f"projects[0].indicators[{row}].value", "warning")] if flagged else []
    assert found(data, "upper-bound-only") == expected


# 指标表的结构


def test_missing_groups_and_output_types() -> None:
    without_satisfaction = department(project(indicators=rows()[:6]))
    assert found(without_satisfaction, "indicator-group-missing") == [("projects[0].indicators", "warning")]
    assert "满意度指标" in lint(without_satisfaction, "indicator-group-missing")[0].message
    without_cost = department(project(indicators=[row for row in rows() if row.get("level2") != "成本指标"]))
    [finding] = lint(without_cost, "output-types-missing")
    assert (finding.field_path, finding.severity) == ("projects[0].indicators[0]", "warning")
    assert "成本指标" in finding.message and "数量" not in finding.message


def test_older_tables_with_satisfaction_under_effects() -> None:
    changed = [*rows()[:6], {"level2": "服务对象满意度指标", "name": "群众满意度", "value": "≤100%"}]
    data = department(project(indicators=changed))
    assert found(data, "indicator-group-missing") == []
    assert found(data, "satisfaction-upper-bound") == [("projects[0].indicators[6].value", "warning")]
    named = [*rows()[:6], {"level2": "社会效益指标", "name": "群众满意率", "value": "110%"}]
    assert found(department(project(indicators=named)), "satisfaction-range") == [
        ("projects[0].indicators[6].value", "error")
    ]
    complaints = rows((4, {"name": "群众不满意率", "value": "≤5%"}))
    assert found(department(project(indicators=complaints)), "satisfaction-upper-bound") == []
    complaints = rows((6, {"name": "群众投诉次数", "value": "≤3次"}))
    assert found(department(project(indicators=complaints)), "satisfaction-upper-bound") == []


def test_effect_types_named_like_sustainability_are_not_outputs() -> None:
    changed = rows((4, {"level1": "效果指标", "level2": "可持续性影响"}), (5, {"level2": "可持续影响指标"}))
    assert lint(department(project(indicators=changed))) == []


def test_repeated_rows_are_reported_once_per_group() -> None:
    repeated = {"name": "减少出行", "description": "减少出行", "value": "15 次"}
    data = department(project(indicators=rows((4, repeated), (5, repeated))))
    [finding] = lint(data, "indicator-repeated")
    assert (finding.field_path, finding.severity) == ("projects[0].indicators[5]", "notice")
    assert "第 5、6 行" in finding.message


def test_rows_already_reported_as_copies_are_not_repeated() -> None:
    copied = {"name": "促进项目建设", "description": "促进项目建设", "value": "促进项目建设"}
    data = department(project(indicators=rows((4, copied), (5, copied))))
    assert found(data, "indicator-repeated") == []
    assert len(found(data, "value-copies-text")) == 2


# 文字


def test_placeholder_goals_in_both_forms() -> None:
    data = department(project(goals=["1.目标内容 1", {"label": "目标2", "text": "目标内容2"}]))
    assert found(data, "placeholder-text") == [
        ("projects[0].goals[0].text", "warning"),
        ("projects[0].goals[1].text", "warning"),
    ]


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("purpose", "用于XXX项目"),
        ("purpose", "用于……"),
        ("purpose", "请填写资金用途"),
        ("name", "××项目"),
        ("purpose", "支付某某公司"),
        ("name", "项目名称1"),
    ],
)
def test_placeholders_anywhere(field: str, text: str) -> None:
    data = department(project(**{field: text, "title": None}))
    assert found(data, "placeholder-text") == [(f"projects[0].{field}", "warning")]


def test_placeholders_in_part_one_and_indicator_names() -> None:
    data = department()
    data["part_one"]["overall_goal"] = ["做好 XXX 工作。"]
    data["projects"][0]["indicators"][0]["name"] = "-"
    assert found(data, "placeholder-text") == [
        ("part_one.overall_goal[0]", "warning"),
        ("projects[0].indicators[0].name", "warning"),
    ]


def test_ordinary_text_is_not_a_placeholder() -> None:
    data = department(project(purpose="按 2023 年计划，支付 1.5 万元。X 光机 1 台。"))
    assert found(data, "placeholder-text") == []


@pytest.mark.parametrize(
    ("title", "name", "flagged"),
    [
        ("机器人产业扶持资金项目绩效目标表", "百川房屋租赁费", True),
        ("高新技术企业扶持资金项目绩效目标表", "机器人产业扶持资金", True),
        ("三、环境治理与清洁能源专项绩效目标表", "环境治理与清洁能源专项", False),
        ("三.基层统计人员业务培训绩效目标表", "基层统计人员业务培训", False),
        ("1.高新区“亩均效益”综合评价专项绩效目标表", "高新区“亩均效益”综合评价专项", False),
        ("亩均效益综合评估专项绩效目标表", "亩均效益综合评价专项", False),  # one wrong character
        ("项目支出绩效目标表", "招商经费", False),  # a generic title names no project
        ("2022年全区突出贡献企业表彰项目绩效目标表", "2022年全区突出贡献企业表彰", False),
        ("（一）招商经费绩效目标表", "招商经费", False),
        ("项目绩效目标申报表", "招商经费", False),
        ("表1：招商经费项目绩效目标表", "招商经费", False),
        ("遵化经济开发区招商经费项目绩效目标表", "招商经费", False),
    ],
)
def test_title_mismatch(title: str, name: str, flagged: bool) -> None:
    data = department(project(title=title, name=name))
    assert found(data, "title-mismatch") == ([("projects[0].title", "error")] if flagged else [])


def test_a_notes_title_about_another_project_is_a_warning() -> None:
    notes = {"title": "关于机器人产业扶持资金绩效目标指标的说明"}
    assert found(department(project(notes=notes)), "title-mismatch") == [("projects[0].notes.title", "warning")]
    notes = {"title": "关于安可计算机购置项目绩效目标指标的说明"}
    assert found(department(project(notes=notes)), "title-mismatch") == []


@pytest.mark.parametrize(
    ("paragraphs", "flagged"),
    [
        (["此项工作活动共设置 7 项绩效指标。其中：产出指标 4 项，效益指标 2 项；满意度指标 1 项。"], False),
        (["此项工作活动共设置7项绩效指标。其中：产出指标4项"], False),
        (["此项工作活动共设置七项绩效指标。"], False),
        (["共设置9个指标"], True),
        (["共设置一级指标3项，三级指标7项"], False),  # not a count of rows
        (["此项工作活动共设置3项绩效指标。其中：产出指标4项"], True),
        (["此项工作活动共设置 7 项绩效指标。其中：产出指标 2 项"], True),
        (["此项工作活动设置共设置绩效指标4项，产出指标4项，效果指标2项，满意度指标1项。"], True),
        (["此项工作活动共设置了2项绩效目标。"], False),  # goals, not indicators
        (["对应目标一设置产出指标 2 项、效果指标 1 项", "对应目标二设置产出指标 2 项"], False),  # per goal
        (["对应目标一设置产出指标 3 项", "对应目标二设置产出指标 3 项"], True),  # 6 > 4
    ],
)
def test_notes_count_mismatch(paragraphs: list[str], flagged: bool) -> None:
    data = department(project(notes={"indicators": paragraphs}))
    expected = [("projects[0].notes.indicators[0]", "warning")] if flagged else []
    assert found(data, "notes-count-mismatch") == expected


def test_notes_count_ignores_rows_that_only_say_none() -> None:
    none_row = {"level2": "生态效益指标", "name": "无", "description": "无", "value": "无", "basis": "无"}
    indicators = [*rows()[:6], none_row, rows()[6]]
    notes = {"indicators": ["此项工作活动共设置7项绩效指标。其中：产出指标4项"]}
    assert found(department(project(notes=notes, indicators=indicators)), "notes-count-mismatch") == []
    notes = {"indicators": ["此项工作活动共设置8项绩效指标。"]}
    assert found(department(project(notes=notes, indicators=indicators)), "notes-count-mismatch") == []


def test_notes_count_message_gives_both_numbers() -> None:
    data = department(project(notes={"indicators": ["共设置3项绩效指标。其中：产出指标4项，效益指标1项"]}))
    [finding] = lint(data, "notes-count-mismatch")
    assert "共 3 项，表中有 7 行" in finding.message and "效益（效果）指标 1 项，表中有 2 行" in finding.message


# 项目编码


def test_duplicate_codes_are_reported_at_the_second_project() -> None:
    data = department(project(), project(name="招商经费", title=None), project(name="甲", code="————", title=None))
    assert found(data, "code-duplicate") == [("projects[1].code", "error")]
    data["projects"][2]["code"] = data["projects"][1]["code"] = "————"
    assert found(data, "code-duplicate") == []


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("13028123P00032410001M", []),
        ("13081123P00004610002X", []),
        ("13028122P00032410001M", [("projects[0].code", "notice")]),  # continuing project
        ("13028124P00032410001M", [("projects[0].code", "warning")]),  # from the future
        ("P2023-001", []),  # another layout: not checked
        ("————", []),
    ],
)
def test_code_year(code: str, expected: list[tuple[str, str]]) -> None:
    assert found(department(project(code=code)), "code-year") == expected


# Where findings point


def test_findings_point_at_the_line_of_the_field(tmp_path: Path) -> None:
    data = department(
        project(indicators=rows((6, {"value": "≤100%"})), goals=["1.目标内容 1"], budget={"total": "3", "fiscal": "2"})
    )
    path = tmp_path / "2023" / "example.yaml"
    path.parent.mkdir()
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    from builder.data.load import load_department

    findings = {f.rule: f for f in lint_department(load_department(path))}
    lines = text.splitlines()
    assert lines[findings["satisfaction-upper-bound"].line - 1].strip() == "value: ≤100%"
    assert findings["satisfaction-upper-bound"].project_index == 0
    assert lines[findings["placeholder-text"].line - 1].strip() == "- 1.目标内容 1"
    assert findings["placeholder-text"].field_path == "projects[0].goals[0]"  # written as a plain string
    assert lines[findings["budget-sum"].line - 1].strip() == "total: '3'"
    assert all(f.path == path for f in findings.values())


def test_an_empty_value_points_at_its_row(tmp_path: Path) -> None:
    data = department(project(indicators=rows((1, {"value": None}))))
    del data["projects"][0]["indicators"][1]["value"]
    path = tmp_path / "2023" / "example.yaml"
    path.parent.mkdir()
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    from builder.data.load import load_department

    [finding] = [f for f in lint_department(load_department(path)) if f.rule == "value-empty"]
    assert finding.field_path == "projects[0].indicators[1].value"
    assert text.splitlines()[finding.line - 1].strip() == "- level2: 质量指标"


# Robustness

VALUE_TEXT = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.builds(
        lambda comparison, number, unit: f"{comparison}{number}{unit}",
        st.sampled_from(["", "≥", "≤", "=", ">", "<", "不超过"]),
        st.decimals(min_value=-10, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
        st.sampled_from(["", "%", "万元", "元", "亿元", "万元/家", "个", "百分比", "万", "以内"]),
    ),
)
LEVELS = st.sampled_from([("产出指标", "数量指标"), ("产出指标", "成本指标"), ("满意度指标", "满意度"), ("效益", "x")])


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.tuples(LEVELS, VALUE_TEXT, st.text(max_size=6)), min_size=1, max_size=6),
    plan_values=st.lists(VALUE_TEXT, min_size=0, max_size=4),
    notes=st.text(max_size=40),
)
def test_rules_never_crash(
    values: list[tuple[tuple[str, str], str | None, str]], plan_values: list[str | None], notes: str
) -> None:
    indicators = [
        {"level1": level1, "level2": level2, "name": name, "value": value} for (level1, level2), value, name in values
    ]
    spending = [{"label": f"{k + 1}月底", "value": value} for k, value in enumerate(plan_values)]
    data = department(project(indicators=indicators, spending_plan=spending, notes={"indicators": [notes]}))
    for finding in lint(data):
        assert finding.rule in RULES and finding.message and finding.hint
