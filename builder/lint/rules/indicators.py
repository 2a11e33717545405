"""Rules on the indicator table: 指标值 that say nothing, satisfaction and output targets, missing or repeated rows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from ...data.model import Department, Indicator, Project
from ...data.values import parse_value
from .base import (
    PERCENT_UNITS,
    Issue,
    fold,
    group_of,
    indicator_loc,
    is_filler,
    is_satisfaction,
    placeholder_in,
    project_rule,
    quote,
    squash,
)

_UNITS = (
    r"(?:%|‰|百分比|百分号|百分点|万元|千元|亿元|元|个|次|家|人|人次|万人|户|万户|项|件|天|日|周|月|季度|年|小时|台|套"
    r"|处|篇|份|场|期|批|所|平方米|亩|公里|米|吨|辆|条|座|分)"
)
_UNIT_ONLY = re.compile(rf"^(?:[≥≤=<>]|不低于|不少于|不高于|不超过)?{_UNITS}(?:/{_UNITS})?$")
_QUESTION = re.compile(r"是否|能否|有无|可否|[?？]$")
_NO_DIGIT = re.compile(r"^\D*$")
# Indicators where less is better: an upper bound is what they should have.
_LESS_IS_BETTER = re.compile(
    r"投诉|事故|差错|误差|偏差|失误|缺陷|故障|不合格|不良|返工|返修|超标|超支|违规|违纪|违法|延误|逾期|拖欠|欠款|流失"
    r"|退回|退货|污染|排放|能耗|噪|浓度|死亡|伤亡|发生|损失|上访|信访|控制|压减|减少|降低|下降|上限|以内|空置|闲置"
    r"|积压|滞留|等待|时间|时限|时长|用时|耗时|周期|天数|成本|费用|费率|负债|赤字|风险|隐患|失业|辍学|复发|感染|失败"
    r"|出错|漏|次品|废"
)
_DURATION_UNITS = {"天", "日", "个工作日", "工作日", "小时", "分钟", "秒", "周", "个月", "月", "年"}
_NONE_VALUES = {"无", "暂无", "0", "零"}


def less_is_better(indicator: Indicator) -> bool:
    """An indicator where a smaller number is better (投诉、事故、差错…): its name says so."""
    return _less_is_better(indicator.name)


@lru_cache(maxsize=1 << 16)
def _less_is_better(name: str) -> bool:
    return bool(_LESS_IS_BETTER.search(fold(name)))


OUTPUT_TYPES = ("数量", "质量", "时效", "成本")
GROUP_NAMES = {"产出": "产出指标", "效益": "效益（效果）指标", "满意度": "满意度指标"}


def value_problem(indicator: Indicator) -> str | None:
    """What is wrong with a 指标值 by itself: `empty`, `unit-only`, `placeholder`, `copies` or `question`."""
    return _value_problem(indicator.value, indicator.name, indicator.description)


@lru_cache(maxsize=1 << 16)
def _value_problem(published: str | None, name: str, description: str | None) -> str | None:
    """`value_problem` from the texts it depends on, so that the five rules asking it compute it once."""
    value = squash(published)
    if not value:
        return "empty"
    if _UNIT_ONLY.match(value):
        return "unit-only"
    if value in _NONE_VALUES and _less_is_better(name):
        return None  # `重大安全事故: 无` is a target
    if is_filler(value) or placeholder_in(value):
        return "placeholder"
    if fold(value) in (fold(name), fold(description)) and parse_value(published or "").kind == "text":
        return "copies"
    if _QUESTION.search(value) and _NO_DIGIT.match(value):
        return "question"
    return None


def _rows_with(project: Project, problem: str) -> Iterator[tuple[int, Indicator]]:
    for row, indicator in enumerate(project.indicators):
        if value_problem(indicator) == problem:
            yield row, indicator


def _which(indicator: Indicator) -> str:
    return f"三级指标{quote(indicator.name, 24)}"


@project_rule("value-empty", "error", "指标值为空")
def value_empty(department: Department, index: int, project: Project) -> Iterator[Issue]:
    for row, indicator in _rows_with(project, "empty"):
        message = f"{_which(indicator)}没有指标值"
        hint = "请填写可衡量的目标值，如 ≥95%、=3个、2023年12月31日前"
        yield Issue(indicator_loc(index, row, "value"), message, hint)


@project_rule("value-unit-only", "error", "指标值只有单位或比较符号，没有数字")
def value_unit_only(department: Department, index: int, project: Project) -> Iterator[Issue]:
    for row, indicator in _rows_with(project, "unit-only"):
        message = f"{_which(indicator)}的指标值{quote(indicator.value)}只有单位，没有数字"
        yield Issue(indicator_loc(index, row, "value"), message, "数字可能在排版时丢失；请按原表补上，如 ≥95%")


@project_rule("value-placeholder", "warning", "指标值是占位符（*、-、_、无、文字描述等）")
def value_placeholder(department: Department, index: int, project: Project) -> Iterator[Issue]:
    for row, indicator in _rows_with(project, "placeholder"):
        message = f"{_which(indicator)}的指标值{quote(indicator.value)}是占位符，不是目标"
        hint = "请填写实际目标值；该二级指标确实不适用时，删除这一行比填“无”更清楚"
        yield Issue(indicator_loc(index, row, "value"), message, hint)


@project_rule("value-copies-text", "warning", "指标值照抄三级指标或指标描述")
def value_copies_text(department: Department, index: int, project: Project) -> Iterator[Issue]:
    for row, indicator in _rows_with(project, "copies"):
        copied = "三级指标" if fold(indicator.value) == fold(indicator.name) else "指标描述"
        message = f"指标值{quote(indicator.value)}与{copied}一字不差，没有给出目标"
        hint = "指标值应写出要达到的程度（数字、比较符号和单位），如 ≥90%、=1个、是"
        yield Issue(indicator_loc(index, row, "value"), message, hint)


@project_rule("value-question", "notice", "指标值写成了问句（是否……）")
def value_question(department: Department, index: int, project: Project) -> Iterator[Issue]:
    for row, indicator in _rows_with(project, "question"):
        message = f"{_which(indicator)}的指标值{quote(indicator.value)}是一个问题，不是目标"
        yield Issue(indicator_loc(index, row, "value"), message, "请写出答案本身，如“是”“按季度更新”或一个数字")


def _percent_like(indicator: Indicator) -> bool:
    unit = squash(indicator.parsed.unit)
    return not unit or unit in PERCENT_UNITS


@project_rule("satisfaction-upper-bound", "warning", "满意度目标只设了上限（≤ 或 <）")
def satisfaction_upper_bound(department: Department, index: int, project: Project) -> Iterator[Issue]:
    for row, indicator in enumerate(project.indicators):
        parsed = indicator.parsed
        if is_satisfaction(indicator) and parsed.kind == "number" and parsed.comparison in ("≤", "<"):
            if less_is_better(indicator):  # `投诉次数 ≤3次` filed under 满意度
                continue
            message = f"满意度目标{quote(indicator.value)}只设了上限：任何满意度都能达到，等于没有承诺"
            hint = "满意度应写下限，如 ≥90%；“≤100%”多半是把 ≥ 写成了 ≤"
            yield Issue(indicator_loc(index, row, "value"), message, hint)


@project_rule("satisfaction-range", "error", "满意度百分比不在 0–100 之间")
def satisfaction_range(department: Department, index: int, project: Project) -> Iterator[Issue]:
    for row, indicator in enumerate(project.indicators):
        parsed = indicator.parsed
        if not (is_satisfaction(indicator) and parsed.kind == "number" and _percent_like(indicator)):
            continue
        if parsed.number is not None and not 0 <= parsed.number <= 100:
            message = f"满意度目标{quote(indicator.value)}超出 0–100%"
            yield Issue(indicator_loc(index, row, "value"), message, "满意度是百分比，最多 100%；请核对原表")


@project_rule("satisfaction-not-number", "notice", "满意度目标不是可衡量的数值")
def satisfaction_not_number(department: Department, index: int, project: Project) -> Iterator[Issue]:
    for row, indicator in enumerate(project.indicators):
        if is_satisfaction(indicator) and indicator.parsed.kind == "text" and value_problem(indicator) is None:
            message = f"满意度目标{quote(indicator.value)}不是百分比，无法衡量是否达到"
            yield Issue(indicator_loc(index, row, "value"), message, "满意度一般写作 ≥90% 这样的百分比")


@project_rule("upper-bound-only", "warning", "产出数量或质量目标只设了上限（≤9处）")
def upper_bound_only(department: Department, index: int, project: Project) -> Iterator[Issue]:
    for row, indicator in enumerate(project.indicators):
        parsed = indicator.parsed
        level2 = fold(indicator.level2)
        if group_of(indicator) != "产出" or not ("数量" in level2 or "质量" in level2):
            continue
        if parsed.kind != "number" or parsed.comparison not in ("≤", "<"):
            continue
        if less_is_better(indicator) or squash(parsed.unit) in _DURATION_UNITS:
            continue
        kind = "数量" if "数量" in level2 else "质量"
        message = f"{kind}指标{quote(indicator.name, 24)}的目标{quote(indicator.value)}只承诺“最多”，没有承诺“至少”"
        hint = "产出目标通常写下限（≥）或确数（=）；如确实是“不超过”的控制指标，可忽略本条"
        yield Issue(indicator_loc(index, row, "value"), message, hint)


@project_rule("indicator-group-missing", "warning", "缺少产出、效益或满意度一级指标")
def indicator_group_missing(department: Department, index: int, project: Project) -> Iterator[Issue]:
    present = {group_of(indicator) for indicator in project.indicators}
    if any(is_satisfaction(indicator) for indicator in project.indicators):
        present.add("满意度")
    missing = [name for group, name in GROUP_NAMES.items() if group not in present]
    if missing:
        message = f"指标表缺少{'、'.join(missing)}"
        hint = "项目绩效指标一般包括产出、效益（效果）和满意度三类一级指标；请核对原表是否漏录"
        yield Issue(("projects", index, "indicators"), message, hint)


@project_rule("output-types-missing", "warning", "产出指标缺少数量、质量、时效或成本指标")
def output_types_missing(department: Department, index: int, project: Project) -> Iterator[Issue]:
    rows = [row for row, indicator in enumerate(project.indicators) if group_of(indicator) == "产出"]
    if not rows:
        return
    present = "".join(fold(project.indicators[row].level2) for row in rows)
    missing = [f"{kind}指标" for kind in OUTPUT_TYPES if kind not in present]
    if missing:
        message = f"产出指标缺少{'、'.join(missing)}"
        hint = "产出指标一般包括数量、质量、时效和成本四类二级指标；请补充，或核对原表是否漏录"
        yield Issue(indicator_loc(index, rows[0]), message, hint)


@project_rule("indicator-repeated", "notice", "多行指标的内容完全相同")
def indicator_repeated(department: Department, index: int, project: Project) -> Iterator[Issue]:
    rows_by_text: dict[tuple[str, str, str], list[int]] = {}
    for row, indicator in enumerate(project.indicators):
        if value_problem(indicator) is not None:  # already reported row by row
            continue
        key = (fold(indicator.name), fold(indicator.description), fold(indicator.value))
        rows_by_text.setdefault(key, []).append(row)
    for rows in rows_by_text.values():
        if len(rows) < 2:
            continue
        first = project.indicators[rows[0]]
        numbers = "、".join(str(row + 1) for row in rows)
        level2 = "、".join(dict.fromkeys(project.indicators[row].level2 or "" for row in rows))
        message = f"第 {numbers} 行（{level2}）的三级指标{quote(first.name, 24)}、描述和指标值完全相同"
        hint = "每个二级指标应有各自的三级指标和目标值；不适用的二级指标可以删除"
        yield Issue(indicator_loc(index, rows[1]), message, hint)
