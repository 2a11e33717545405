"""Rules on money: 预算数 and its parts, 成本指标 against 预算数, units inside figures, the spending plan."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from ...data.amounts import Amount, to_unit
from ...data.model import Department, Indicator, Project
from .base import Issue, fold, indicator_loc, project_rule, quote, squash

_MONEY_UNIT = re.compile(r"^(?P<unit>元|千元|万元|百万元|亿元|万|亿)(?P<per>/.+)?$")


def plain(number: Decimal) -> str:
    """`500`, `0.5`, `188.51`: a Decimal without exponent or trailing zeros."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def shown(amount: Amount, unit: str) -> str:
    """An amount as printed, with the document's unit added where the figure is bare."""
    return amount.printed if amount.unit else f"{amount.printed} {unit}"


@dataclass(frozen=True)
class Money:
    """A 成本指标 read as money: its value in the document's unit, its written unit, and whether it is per item."""

    value: Decimal
    unit: str
    number: Decimal
    per_item: bool


def cost_money(indicator: Indicator, document_unit: str) -> Money | None:
    """The amount a 成本指标 names (`=500万元`, `≤10 万元`, `5000 元`, `10万元/家`), in the document's unit."""
    parsed = indicator.parsed
    if parsed.kind != "number" or parsed.number is None or not parsed.unit:
        return None
    match = _MONEY_UNIT.match(squash(parsed.unit))
    if not match:
        return None
    unit = {"万": "万元", "亿": "亿元"}.get(match["unit"], match["unit"])
    value = to_unit(parsed.number, unit, document_unit)
    return Money(value=value, unit=unit, number=parsed.number, per_item=bool(match["per"]))


def is_cost(indicator: Indicator) -> bool:
    return "成本" in fold(indicator.level2)


@project_rule("budget-sum", "error", "预算数不等于财政资金与其他资金之和")
def budget_sum(department: Department, index: int, project: Project) -> Iterator[Issue]:
    budget, unit = project.budget, department.amount_unit
    parts = [amount for amount in (budget.fiscal, budget.other) if amount is not None]
    if not parts:
        return
    total = sum((amount.value for amount in parts), Decimal(0))
    difference = abs(budget.total.value - total)
    if difference == 0:
        return
    fiscal = shown(budget.fiscal, unit) if budget.fiscal else "空白"
    other = shown(budget.other, unit) if budget.other else "空白"
    message = (
        f"预算数 {shown(budget.total, unit)} 不等于财政资金 {fiscal} 加其他资金 {other}"
        f"（合计 {plain(total)} {unit}，相差 {plain(difference)} {unit}）"
    )
    rounding = difference <= _last_digit(budget.total, *parts)
    hint = (
        "差额只在最后一位，可能是分别四舍五入所致；请核对原表"
        if rounding
        else "预算数应等于其中的财政资金与其他资金之和（空白按 0 计）；请核对原表，看是哪个数字或单位写错了"
    )
    yield Issue(("projects", index, "budget", "total"), message, hint, "warning" if rounding else None)


def _last_digit(*amounts: Amount) -> Decimal:
    """One unit of the last decimal place printed in any of the amounts (0.01 for `188.51`)."""
    places = max(max(0, -amount.value.as_tuple().exponent) for amount in amounts)
    return Decimal(1).scaleb(-places)


@project_rule("cost-exceeds-budget", "error", "成本指标的金额超过项目预算数")
def cost_exceeds_budget(department: Department, index: int, project: Project) -> Iterator[Issue]:
    unit, total = department.amount_unit, project.budget.total
    for row, indicator in enumerate(project.indicators):
        money = cost_money(indicator, unit) if is_cost(indicator) else None
        if money is None or money.value <= total.value:
            continue
        per_item = "（按单价计）" if money.per_item else ""
        converted = "" if money.unit == unit else f"，折合 {plain(money.value)} {unit}"
        message = f"成本指标{quote(indicator.value)}{per_item}{converted}，超过项目预算数 {shown(total, unit)}"
        capped = indicator.parsed.comparison in ("≤", "<")
        hint = (
            "上限高于预算数，这个指标约束不了什么；请按预算数设定上限"
            if capped
            else "成本指标一般不超过本项目的预算数：请核对数字和单位（元、万元、亿元）；如指多年总投资，请在描述中写明"
        )
        yield Issue(indicator_loc(index, row, "value"), message, hint, "warning" if capped else None)


@project_rule("amount-unit", "warning", "金额中写的单位与表格金额单位不一致")
def amount_unit(department: Department, index: int, project: Project) -> Iterator[Issue]:
    unit = department.amount_unit
    for field, name in (("total", "预算数"), ("fiscal", "财政资金"), ("other", "其他资金")):
        amount = getattr(project.budget, field)
        if amount is not None and amount.unit and amount.unit != unit:
            converted = f"折合 {plain(amount.value)} {unit}"
            message = f"{name}写作{quote(amount.printed)}，而本文件的金额单位是{unit}（{converted}）"
            hint = f"表中金额按{unit}填写时一般只写数字；请核对原表，确认单位没有写错"
            yield Issue(("projects", index, "budget", field), message, hint)
    yield from _unit_slips(department, index, project)


def _unit_slips(department: Department, index: int, project: Project) -> Iterator[Issue]:
    """A 成本指标 whose figure is the 预算数's figure in another unit: `10元` against a 预算数 of `10.00` 万元."""
    unit, total = department.amount_unit, project.budget.total
    printed_number = total.value if total.unit in (None, unit) else None
    for row, indicator in enumerate(project.indicators):
        money = cost_money(indicator, unit) if is_cost(indicator) else None
        if money is None or money.per_item or printed_number is None:
            continue
        if money.number == printed_number and money.unit != unit and money.value != total.value:
            message = (
                f"成本指标{quote(indicator.value)}与预算数 {shown(total, unit)} 数字相同而单位不同"
                f"（折合 {plain(money.value)} {unit}）"
            )
            yield Issue(indicator_loc(index, row, "value"), message, f"可能把“{unit}”写成了“{money.unit}”；请核对原表")


@dataclass(frozen=True)
class PlanShape:
    """The readable checkpoints of a spending plan, and whether they look like per-period shares."""

    readable: list[tuple[int, Decimal]]
    per_period: bool


def plan_shape(project: Project) -> PlanShape:
    readable = [(k, cp.percent) for k, cp in enumerate(project.spending_plan) if cp.percent is not None]
    values = [percent for _, percent in readable]
    per_period = len([v for v in values if v > 0]) > 1 and sum(values, Decimal(0)) == 100 and values[-1] != 100
    return PlanShape(readable, per_period)


def _checkpoint_loc(index: int, k: int) -> tuple[object, ...]:
    return ("projects", index, "spending_plan", k, "value")


@project_rule("spending-unreadable", "warning", "资金支出计划的节点不是百分比")
def spending_unreadable(department: Department, index: int, project: Project) -> Iterator[Issue]:
    for k, checkpoint in enumerate(project.spending_plan):
        if squash(checkpoint.value) and checkpoint.percent is None:
            message = f"{checkpoint.label}的支出进度{quote(checkpoint.value)}不是百分比"
            yield Issue(_checkpoint_loc(index, k), message, "请写累计支出百分比，如 50%；没有计划的节点留空")


@project_rule("spending-range", "error", "资金支出进度不在 0–100% 之间")
def spending_range(department: Department, index: int, project: Project) -> Iterator[Issue]:
    for k, checkpoint in enumerate(project.spending_plan):
        percent = checkpoint.percent
        if percent is not None and not 0 <= percent <= 100:
            message = f"{checkpoint.label}的累计支出进度{quote(checkpoint.value)}不在 0–100% 之间"
            yield Issue(_checkpoint_loc(index, k), message, "累计支出进度最多为 100%；请核对原表")


@project_rule("spending-not-cumulative", "error", "资金支出计划不是累计的（后一节点低于前一节点）")
def spending_not_cumulative(department: Department, index: int, project: Project) -> Iterator[Issue]:
    shape = plan_shape(project)
    if shape.per_period:
        return
    highest: tuple[int, Decimal] | None = None
    for k, percent in shape.readable:
        if highest is not None and percent < highest[1]:
            before = project.spending_plan[highest[0]]
            current = project.spending_plan[k]
            message = f"{current.label}累计支出{quote(current.value)}，低于之前{before.label}的{quote(before.value)}"
            hint = "资金支出计划填的是截至各节点的累计进度，应逐节点不减；请核对原表"
            yield Issue(_checkpoint_loc(index, k), message, hint)
        if highest is None or percent > highest[1]:
            highest = (k, percent)


@project_rule("spending-incomplete", "warning", "资金支出计划的最后一个节点不是 100%")
def spending_incomplete(department: Department, index: int, project: Project) -> Iterator[Issue]:
    shape = plan_shape(project)
    filled = [k for k, cp in enumerate(project.spending_plan) if squash(cp.value)]
    if not shape.readable or shape.readable[-1][0] != filled[-1]:
        return
    k, percent = shape.readable[-1]
    checkpoint = project.spending_plan[k]
    if shape.per_period:
        message = "各节点合计 100%：这像是按期分列的支出比例，而不是累计进度"
        hint = "资金支出计划应填截至各节点的累计进度（最后一个节点为 100%）；请核对原表"
        yield Issue(_checkpoint_loc(index, k), message, hint, "notice")
    elif percent != 100:
        message = f"最后一个填写的节点（{checkpoint.label}）累计支出为{quote(checkpoint.value)}，不是 100%"
        hint = "年度预算一般在年底前全部支出；如确有跨年安排，请在资金用途中说明"
        yield Issue(_checkpoint_loc(index, k), message, hint)
