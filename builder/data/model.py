"""The one typed model of a 部门预算绩效文本 that every stage reads.

Field descriptions are in Chinese: they become the JSON Schema and the data-format
reference page that admins read.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticUndefined

from .amounts import AMOUNT_PATTERN, UNIT_IN_YUAN, Amount, AmountError, parse_amount
from .values import ParsedValue, parse_value

# 指标值 and 支出进度 repeat (`≥95%`, `100%`, `是`); a ParsedValue is immutable, so one parse serves them all.
_parse_value = lru_cache(maxsize=1 << 16)(parse_value)


def _to_amount(raw: Any) -> Amount:
    if isinstance(raw, Amount):
        return raw
    if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
        raise ValueError("amount")
    try:
        amount = parse_amount(str(raw))
    except AmountError as error:
        raise ValueError("amount") from error
    if amount.value < 0 or str(raw).strip().startswith(("-", "－")):  # `-0` too: the schema has no sign
        raise ValueError("negative_amount")
    return amount


def _to_year(raw: Any) -> Any:
    """Four ASCII digits (the reader hands text over): `2023.0`, `+2023`, `2_023`, `٢٠٢٣` or `" 2023"` are no year.

    Nothing around the digits either: the JSON Schema's pattern (an editor's check) refuses a quoted `" 2000"`."""
    if isinstance(raw, str) and not re.fullmatch(r"[0-9]{4}", raw):
        raise ValueError("year")
    return raw


# The same values in the JSON Schema: a number, or (quoted in YAML) four digits in range.
YearField = Annotated[
    int,
    BeforeValidator(_to_year),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1990, "maximum": 2100},
                {"type": "string", "pattern": "^(199[0-9]|20[0-9][0-9]|2100)$"},
            ],
            "examples": [2023],
        }
    ),
]


AmountField = Annotated[
    Amount,
    BeforeValidator(_to_amount),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": AMOUNT_PATTERN},
            ],
            "examples": [188.51, "500万元", "10.00"],
        }
    ),
]

Text = Annotated[str, Field(min_length=1)]
MAX_TEXT = 20_000  # characters in one field: a whole 说明 fits; a pasted document does not


class Strict(BaseModel):
    """Unknown keys are errors: a typo must not vanish silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, str_max_length=MAX_TEXT)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (into the cache, to a worker) as its class, its fields and the set of the fields its data named.

        Unpickling a model through pydantic's `__setstate__` (a state dict per model) was most of
        reading 500 cached departments (0.46 s); `_unpickled` sets the attributes directly (0.31 s).
        A build keeps thousands of departments of hundreds of models each: one set of field names per
        model was a third of their memory (127 of 365 KB a department), so unpickled models share
        them (`_SHARED`). The models are frozen, and pydantic copies the set before a
        `model_copy(update=...)` adds to it, so sharing is safe. Private attributes
        (`Indicator._merged_level1`) are shared alike: they are set only while a model is validated.
        """
        private = self.__pydantic_private__
        if private:
            private = {key: value for key, value in private.items() if value is not PydanticUndefined}
        return _unpickled, (type(self), self.__dict__, self.__pydantic_fields_set__, private)


def _unpickled(cls: type[Strict], values: dict[str, Any], named: set[str], private: dict[str, Any] | None) -> Strict:
    model = object.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", _SHARED.setdefault(frozenset(named), named))
    object.__setattr__(model, "__pydantic_extra__", None)  # extra="forbid"
    shared_private = _SHARED.setdefault(tuple(private.items()), private) if private else private
    object.__setattr__(model, "__pydantic_private__", shared_private)
    return model


_SHARED: dict[object, Any] = {}  # a set of field names, or the items of a private dict → the one shared


class BudgetUnit(Strict):
    code: Text = Field(description="预算单位编码，如 `655001`（按原文，保留前导零）")
    name: Text = Field(description="预算单位名称，如 `河北遵化经济开发区管理委员会本级`")


class SubGoal(Strict):
    label: str | None = Field(
        None, description="原文印刷的编号，照录：`（一）`、`（1）`、`1.`；原文无编号或旧文件省略时不显示编号"
    )
    title: Text = Field(description="分项标题，不含编号，其余照录（含句末标点），如 `坚持规划引领，提供坚实支撑。`")
    goal_label: str = Field("绩效目标：", description="原文“绩效目标：”的写法（照录标点）；通常省略")
    goal: str | None = Field(None, description="绩效目标：后的文字")
    indicators_label: str = Field("绩效指标：", description="原文“绩效指标：”的写法（照录标点）；通常省略")
    indicators: str | None = Field(None, description="绩效指标：后的文字")
    text: str | None = Field(None, description="未分“绩效目标/绩效指标”的正文（标题之后的文字）")


class Measure(Strict):
    label: str | None = Field(None, description="原文印刷的编号，照录：`（一）`、`1.`；省略时不显示编号")
    title: Text = Field(description="措施标题，不含编号，照录句末标点，如 `完善制度建设。`")
    text: str = Field("", description="标题之后的正文")


class Headings(Strict):
    """The headings of the document as printed; a document that prints other wording keeps its own."""

    part_one: str = Field(
        "第一部分　部门整体绩效目标", description="第一部分标题，照录，如 `2023年部门整体绩效目标`；原文没有写空字符串"
    )
    overall_goal: str = Field("一、总体绩效目标", description="一、总体绩效目标（照录编号和文字）")
    sub_goals: str = Field("二、分项绩效目标", description="二、分项绩效目标（照录编号和文字）")
    measures: str = Field("三、工作保障措施", description="三、工作保障措施（照录编号和文字）")
    part_two: str = Field(
        "第二部分　预算项目绩效目标", description="第二部分的标题，照录；原文没有这一标题则写空字符串"
    )


class PartOne(Strict):
    overall_goal: list[Text] = Field(min_length=1, description="一、总体绩效目标：一段或多段正文")
    sub_goals_intro: str | None = Field(None, description="二、分项绩效目标 下的引导语（可省略）")
    sub_goals: list[SubGoal] = Field(min_length=1, description="二、分项绩效目标：逐项列出")
    measures_intro: str | None = Field(None, description="三、工作保障措施 下的引导语（可省略）")
    measures: list[Measure] = Field(min_length=1, description="三、工作保障措施：逐项列出")


class Budget(Strict):
    total: AmountField = Field(description="预算数，按原文书写：`500万元`、`188.51` 或 `10.00`")
    fiscal: AmountField | None = Field(None, description="其中：财政资金；原表空白则省略")
    other: AmountField | None = Field(None, description="其他资金；原表空白则省略")


class Checkpoint(Strict):
    label: Text = Field(description="节点名称，按原表：`3月底` 或 `第一季度`")
    value: str | None = Field(None, description="累计支出进度，按原表：`100%`、`0`；空白单元格写 null 或省略")

    @cached_property
    def percent(self) -> Decimal | None:
        """The cumulative share as a number, when the cell holds one (`50%`, `0`)."""
        parsed = _parse_value(self.value) if self.value else None
        if parsed is None or parsed.kind != "number" or parsed.unit not in (None, "%", "百分比"):
            return None
        return parsed.number


class Goal(Strict):
    label: str | None = Field(None, description="原表在单独单元格中的标签，如 `目标1`")
    text: Text = Field(description="目标正文，按原文（含原文中的编号）")


def _goal_shorthand(raw: Any) -> Any:
    return {"text": raw} if isinstance(raw, str) else raw


class Indicator(Strict):
    level1: str | None = Field(
        None, description="一级指标（产出指标/效益指标/满意度指标）；省略表示与上一行相同（合并单元格）"
    )
    level2: str | None = Field(None, description="二级指标（数量指标/质量指标/…）；省略表示与上一行相同（合并单元格）")
    name: str = Field(description="三级指标")
    description: str | None = Field(None, description="绩效指标描述")
    value: str | None = Field(None, description="指标值，按原文一字不改：`≥90%`、`=500万元`、`是`")
    basis: str | None = Field(None, description="指标值确定依据")
    # Whether the 一级/二级指标 cell was omitted (merged with the row above) rather than printed again:
    # two printed cells that say the same stay two cells.
    _merged_level1: bool = PrivateAttr(False)
    _merged_level2: bool = PrivateAttr(False)

    @property
    def merged_level1(self) -> bool:
        return self._merged_level1

    @property
    def merged_level2(self) -> bool:
        return self._merged_level2

    @cached_property
    def parsed(self) -> ParsedValue:
        """The 指标值 read as comparison, number and unit, where it says something measurable."""
        return _parse_value(self.value or "")


class NotesHeadings(Strict):
    """The 说明's headings exactly as printed (numbering, wording, half- or full-width brackets)."""

    basics: str = Field("一、项目基本情况", description="第一部分的标题，如 `一、基本情况`")
    overview: str = Field("（一）项目概况", description="如 `（一）基本概况`")
    funding: str = Field("（二）资金安排情况", description="如 `（二）资金安排情况`")
    targets: str = Field("二、绩效目标和指标设置情况", description="如 `二、绩效目标指标设置情况`")
    goals: str = Field("（一）绩效目标", description="如 `（一）绩效目标`")
    indicators: str = Field("（二）绩效指标", description="如 `(二) 绩效指标`（半角括号照录）")
    criteria: str = Field("（三）评价标准", description="如 `(三) 评价标准`")


class Notes(Strict):
    """The prose 说明 printed before a project's table (seed 002)."""

    title: str | None = Field(None, description="说明的标题，如 `关于……绩效目标指标的说明`")
    headings: NotesHeadings = Field(
        default_factory=NotesHeadings, description="说明中各级小标题，按原文照录；省略时为通行写法"
    )
    overview: list[str] = Field(default_factory=list, description="（一）项目概况")
    funding: list[str] = Field(default_factory=list, description="（二）资金安排情况")
    goals: list[str] = Field(default_factory=list, description="二、（一）绩效目标")
    indicators: list[str] = Field(default_factory=list, description="二、（二）绩效指标")
    criteria: list[str] = Field(default_factory=list, description="二、（三）评价标准")


class Unresolved(Strict):
    where: str = Field(description="原文位置，如 `第 120 行`")
    text: str = Field(description="导入时未能归类的原文，请人工处理后删除")


class Project(Strict):
    code: str | None = Field(None, description="项目编码；原表空白则省略，原表为 `————` 可照录")
    name: Text = Field(description="项目名称（表内）")
    title: str | None = Field(None, description="表格上方印刷的表题（与名称不同时尤其要照录）")
    budget: Budget = Field(description="预算规模（单位见 amount_unit）")
    purpose: str | None = Field(None, description="资金用途")
    spending_plan_label: str = Field(
        "资金支出计划（%）", description="原表“资金支出计划”一格的写法，照录，如 `资金支出计划（累进进度%）`；通常省略"
    )
    spending_plan: list[Checkpoint] = Field(default_factory=list, description="资金支出计划（累计 %），节点按原表")
    goals: list[Annotated[Goal, BeforeValidator(_goal_shorthand)]] = Field(
        default_factory=list, description="绩效目标，一条或多条；可直接写字符串"
    )
    notes: Notes | None = Field(None, description="表前的说明（可省略）")
    indicators: list[Indicator] = Field(min_length=1, description="绩效指标表，逐行")

    @field_validator("indicators")
    @classmethod
    def _fill_merged_cells(cls, indicators: list[Indicator]) -> list[Indicator]:
        """An omitted 一级/二级指标 is a merged cell: it repeats the row above."""
        level1 = level2 = None
        rows = []
        for row in indicators:
            if row.level1 is not None and row.level1 != level1:
                level1, level2 = row.level1, None
            level2 = row.level2 if row.level2 is not None else level2
            if level1 is None or level2 is None:
                raise ValueError("first_row_levels")
            filled = row.model_copy(update={"level1": level1, "level2": level2})
            filled._merged_level1 = row.level1 is None and bool(rows)
            filled._merged_level2 = row.level2 is None and filled._merged_level1
            rows.append(filled)
        return rows

    @property
    def project_code(self) -> str | None:
        """The code, or None where the source left it blank or printed only a dash."""
        code = (self.code or "").strip()
        return code if re.search(r"[0-9A-Za-z]", code) else None


class ContentsOnly(Strict):
    """An entry of the original 目录 with no table in the body (the section was deleted, the 目录 was not)."""

    position: int = Field(ge=1, description="在原文第二部分目录中的序号，如 `7`；其后的项目按原文顺延编号")
    title: Text = Field(description="原文目录中的文字（不含序号和页码），如 `商贸流通企业奖补绩效目标表`")


class Department(Strict):
    department: Text = Field(description="部门名称，按封面印刷")
    year: YearField = Field(ge=1990, le=2100, description="预算年度，须与所在文件夹 data/<year>/ 一致")
    region: str | None = Field(None, description="地区，如 `唐山高新区`")
    unit: BudgetUnit | None = Field(None, description="预算单位（表上方的 `655001…本级` 行）")
    prepared_by: str | None = Field(None, description="编制单位（封面“××编制”）")
    reviewed_by: str | None = Field(None, description="审核单位（封面“××审核”）")
    amount_unit: str = Field(
        "万元", description="金额单位，通常为 `万元`；原文表上方印有“单位：万元”时写出（网页和 PDF 照印），省略即按万元"
    )

    source: str | None = Field(None, description="来源说明：原文件、发布网址等")
    index_number: str | None = Field(
        None, description="索引号：本文件在政府信息公开目录中的编号，显示在部门页面，如 `000014349/2023-00012`"
    )
    published: str | None = Field(
        None,
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        description="发布日期（公开日期），写成 `2023-02-10`，显示在部门页面",
    )
    draft: bool = Field(False, description="草稿：`true` 时不发布（`new` 生成的模板是草稿，填好后删去这一行）")
    headings: Headings = Field(default_factory=Headings, description="第一、二部分及各节的标题，按原文照录")
    contents_only: list[ContentsOnly] = Field(
        default_factory=list,
        description="原文目录列出、正文却没有绩效目标表的项目：PDF 目录照原文列出并加注，编号照原文",
    )
    part_one: PartOne = Field(description="第一部分 部门整体绩效目标")
    projects: list[Project] = Field(min_length=1, description="第二部分 预算项目绩效目标，每个项目一张表")
    unresolved: list[Unresolved] = Field(default_factory=list, description="导入时未能归类的内容，待人工处理")

    @field_validator("published")
    @classmethod
    def _real_date(cls, value: str | None) -> str | None:
        """A date that was: `2023-02-30` matched the pattern and was shown on the department page."""
        if value is None:
            return value
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError("published_date") from None
        if not 1949 <= day.year <= 2100:
            raise ValueError("published_date")
        return value

    @field_validator("amount_unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        if unit not in UNIT_IN_YUAN:
            raise ValueError("amount_unit")
        return unit

    @model_validator(mode="after")
    def _amounts_in_document_unit(self) -> Department:
        if self.amount_unit != "万元":
            for project in self.projects:
                object.__setattr__(project, "budget", _rebase(project.budget, self.amount_unit))
        return self

    @property
    def amount_unit_printed(self) -> bool:
        """Whether the data states the unit, as the original's `单位：万元` line above each table does."""
        return "amount_unit" in self.model_fields_set

    @property
    def total_budget(self) -> Decimal:
        """Sum of the projects' 预算数, exactly."""
        return sum((project.budget.total.value for project in self.projects), Decimal(0))


def _rebase(budget: Budget, unit: str) -> Budget:
    def convert(amount: Amount | None) -> Amount | None:
        return None if amount is None else replace(amount, value=parse_amount(amount.printed, unit).value)

    return budget.model_copy(
        update={"total": convert(budget.total), "fiscal": convert(budget.fiscal), "other": convert(budget.other)}
    )
