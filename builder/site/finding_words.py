"""Data-quality findings in words for citizens: where on the page, what the rule is, what it means for a reader.

`lint` speaks to the people who edit the data (file, line, field path, how to fix it). The
website speaks to readers: a finding is shown on the project page it concerns and in the
reports, as the project's place in the document (第 N 个项目), the part of the table, the
rule's Chinese name and a sentence on what it means when reading the figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..data.model import Department
from ..lint.findings import Finding
from ..lint.rules import RULES

# What each rule's finding means for someone reading the published table.
READER_NOTES: dict[str, str] = {
    "code-duplicate": "两个项目用了同一个编码，按编码查找时可能找到另一个项目。",
    "code-year": "编码中的年份与文本年度不同，这个项目可能沿用了往年的编码或表格。",
    "value-empty": "这一行没有写目标值，无法据此检查项目是否达到目标。",
    "value-unit-only": "目标值只剩单位或符号，数字可能在排版时丢失，原文的真实目标无从得知。",
    "value-placeholder": "目标值是“无”“*”“文字描述”一类的占位文字，这一行实际上没有设定目标。",
    "value-copies-text": "目标值只是重复了指标名称或描述，没有说明要达到什么程度。",
    "value-question": "目标值写成了问句（如“是否……”），没有给出要达到的结果。",
    "satisfaction-upper-bound": "满意度只写了上限（如 ≤100%），任何满意度都算达到，等于没有承诺。",
    "satisfaction-range": "满意度不在 0 到 100% 之间，数字可能写错了。",
    "satisfaction-not-number": "满意度目标不是一个百分比，无法衡量是否达到。",
    "upper-bound-only": "产出目标只写了“最多”（≤），没有写“至少”，做得很少也算达到。",
    "indicator-group-missing": "绩效指标缺少产出、效益或满意度中的一类，目标不完整。",
    "output-types-missing": "产出指标缺少数量、质量、时效或成本中的一类，目标不完整。",
    "indicator-repeated": "几行指标内容一字不差，可能是复制时没有改，实际设定的目标比行数少。",
    "budget-sum": "预算数与财政资金、其他资金之和不相等，其中至少有一个数字有误。",
    "cost-exceeds-budget": "成本指标的金额比项目预算还多，其中至少有一个数字有误。",
    "amount-unit": "金额的单位与表格的金额单位不同，比较金额时请注意单位。",
    "spending-unreadable": "资金支出计划中有不是百分比的内容，无法看出资金何时花出。",
    "spending-range": "资金支出进度超出 0 到 100%，数字可能写错了。",
    "spending-not-cumulative": "资金支出计划应当逐月累计，这里后面的比例反而更低，数字可能写错了。",
    "spending-incomplete": "资金支出计划到最后一个时间点仍未达到 100%，年底前资金可能花不完。",
    "placeholder-text": "文中留有编制模板的占位文字（如“目标内容 1”），这部分内容没有填写。",
    "unfilled-template": "这一部分还是数据模板中待填写的文字，没有照原文填写。",
    "title-mismatch": "本表表题与项目名称不一致，这张表可能是从另一个项目复制的，数字是否属于本项目需要核实。",
    "notes-count-mismatch": "表前说明中写的指标个数与表格不符，说明可能是从别的项目复制的。",
}
SEVERITY_WORDS = {"error": "明显错误", "warning": "可能有误", "notice": "值得留意"}

_INDEXED = re.compile(r"^projects\[(\d+)\]\.?(.*)$")
_PART = re.compile(r"^([a-z_]+)(?:\[(\d+)\])?")
PROJECT_PARTS = {
    "title": "表题",
    "name": "项目名称",
    "code": "项目编码",
    "budget": "预算数",
    "purpose": "资金用途",
    "spending_plan": "资金支出计划",
    "goals": "绩效目标",
    "notes": "说明",
}
DEPARTMENT_PARTS = {
    "part_one": "第一部分 部门整体绩效目标",
    "department": "部门名称",
    "unit": "预算单位",
    "year": "年度",
}


@dataclass(frozen=True)
class ReaderFinding:
    """A finding as a reader sees it."""

    severity: str  # error, warning, notice
    severity_words: str
    rule: str  # the rule's Chinese name
    where: str  # 绩效指标第 3 行（三级指标“……”）
    message: str  # what exactly was found, as `lint` says it
    meaning: str  # what it means for a reader
    project_index: int | None


def where_in_project(field_path: str, department: Department) -> str:
    """The part of a project's table a field path points at, in Chinese; "" for the project as a whole."""
    match = _INDEXED.match(field_path)
    if not match:
        return ""
    index, rest = int(match.group(1)), match.group(2)
    part = _PART.match(rest)
    if not part:
        return ""
    name, item = part.group(1), part.group(2)
    if name == "indicators" and item is not None:
        row = int(item)
        indicators = department.projects[index].indicators if index < len(department.projects) else []
        label = f"绩效指标第 {row + 1} 行"
        if row < len(indicators) and indicators[row].name:
            label += f"（三级指标“{indicators[row].name}”）"
        return label
    if name == "indicators":
        return "绩效指标"
    if name in ("goals",) and item is not None:
        return f"绩效目标第 {int(item) + 1} 条"
    return PROJECT_PARTS.get(name, "")


def where_in_department(field_path: str) -> str:
    part = _PART.match(field_path)
    return DEPARTMENT_PARTS.get(part.group(1), "部门整体") if part else "部门整体"


def reader_finding(finding: Finding, department: Department) -> ReaderFinding:
    rule = RULES.get(finding.rule)
    if finding.project_index is not None:
        where = where_in_project(finding.field_path, department) or "整个项目"
    else:
        where = where_in_department(finding.field_path)
    return ReaderFinding(
        severity=finding.severity,
        severity_words=SEVERITY_WORDS.get(finding.severity, finding.severity),
        rule=rule.title if rule else "数据格式",
        where=where,
        message=finding.message,
        meaning=READER_NOTES.get(finding.rule, ""),
        project_index=finding.project_index,
    )


def by_project(findings: list[Finding], department: Department) -> dict[int, list[ReaderFinding]]:
    """The findings of each project (by index in the document), most serious first, in the document's order."""
    grouped: dict[int, list[ReaderFinding]] = {}
    order = {"error": 0, "warning": 1, "notice": 2}
    for finding in sorted(findings, key=lambda f: (order.get(f.severity, 3), f.line)):
        if finding.project_index is not None:
            grouped.setdefault(finding.project_index, []).append(reader_finding(finding, department))
    return grouped
