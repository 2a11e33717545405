"""The rule registry: each rule takes a `Department` and yields located `Issue`s."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

from ...data.model import Department, Indicator, Project

Severity = Literal["error", "warning", "notice"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "notice")
SEVERITY_NAMES: dict[str, str] = {"error": "错误", "warning": "警告", "notice": "提示"}

Loc = tuple[Any, ...]


@dataclass(frozen=True)
class Issue:
    """What a rule found, before it is given a file and a line: where (a field path), what, and how to fix it."""

    loc: Loc
    message: str
    hint: str
    severity: Severity | None = None  # None: the rule's default


DepartmentCheck = Callable[[Department], Iterator[Issue]]
ProjectCheck = Callable[[Department, int, Project], Iterator[Issue]]


@dataclass(frozen=True)
class Rule:
    """One plausibility rule: its id (the anchor on the rules page), default severity and a one-line summary."""

    id: str
    severity: Severity
    title: str
    check: DepartmentCheck


RULES: dict[str, Rule] = {}


def rule(rule_id: str, severity: Severity, title: str) -> Callable[[DepartmentCheck], DepartmentCheck]:
    """Register a rule that looks at the whole department."""

    def register(check: DepartmentCheck) -> DepartmentCheck:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, severity, title, check)
        return check

    return register


def project_rule(rule_id: str, severity: Severity, title: str) -> Callable[[ProjectCheck], ProjectCheck]:
    """Register a rule that looks at one project at a time."""

    def register(check: ProjectCheck) -> ProjectCheck:
        def each_project(department: Department) -> Iterator[Issue]:
            for index, project in enumerate(department.projects):
                yield from check(department, index, project)

        rule(rule_id, severity, title)(each_project)
        return check

    return register


# Helpers the rules share. The rules ask the same questions of the same cells many times
# (every indicator rule folds the same names and values), so the answers about a text are
# memoized: they depend on the text alone.

_CACHE_SIZE = 1 << 16
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=_CACHE_SIZE)
def squash(text: str | None) -> str:
    """Full-width forms folded to half-width and every space removed."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text or ""))


@lru_cache(maxsize=_CACHE_SIZE)
def fold(text: str | None) -> str:
    """Text compared loosely: squashed, and a trailing full stop or comma dropped."""
    return squash(text).rstrip("。.；;，,")


def quote(text: str | None, limit: int = 40) -> str:
    """`“…”` around a published text, shortened so a message stays one line."""
    text = _SPACES.sub(" ", (text or "").strip())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def indicator_loc(project_index: int, row: int, field: str | None = None) -> Loc:
    loc: Loc = ("projects", project_index, "indicators", row)
    return (*loc, field) if field else loc


def group_of(indicator: Indicator) -> str:
    """The 一级指标 group: `产出`, `效益` (also written 效果) or `满意度`; `其他` otherwise."""
    return _group_of_level1(indicator.level1)


@lru_cache(maxsize=_CACHE_SIZE)
def _group_of_level1(level1: str | None) -> str:
    folded = fold(level1)
    for group, prefixes in (("产出", ("产出",)), ("效益", ("效益", "效果")), ("满意度", ("满意度",))):
        if folded.startswith(prefixes):
            return group
    return "其他"


_SATISFACTION_NAME = re.compile(r"满意度|满意率")
_COMPLAINT_NAME = re.compile(r"不满意|投诉")


def is_satisfaction(indicator: Indicator) -> bool:
    """A satisfaction row: under 满意度指标, or (older templates) a 满意度 indicator filed under 效益."""
    return _is_satisfaction(indicator.level1, indicator.level2, indicator.name)


@lru_cache(maxsize=_CACHE_SIZE)
def _is_satisfaction(level1: str | None, level2: str | None, name: str) -> bool:
    folded = fold(name)
    by_name = bool(_SATISFACTION_NAME.search(folded)) and not _COMPLAINT_NAME.search(folded)
    return _group_of_level1(level1) == "满意度" or "满意度" in fold(level2) or by_name


PERCENT_UNITS = {"%", "百分比", "百分号", "百分点"}

# A cell that says nothing: a dash, a star, an underscore, `无`, or the template's own words.
_FILLER = re.compile(
    r"^[-—–_*/\\.·…、,，。\s]*$|^(无|暂无|空|略|不适用|文字描述|数值|指标值|填写|待填|待补充)$|^(n/?a|null|none)$",
    re.IGNORECASE,
)


@lru_cache(maxsize=_CACHE_SIZE)
def is_filler(text: str | None) -> bool:
    """A whole cell that is a placeholder rather than content (`*`, `-`, `_`, `无`, `文字描述`)."""
    squashed = squash(text)
    return bool(squashed) and bool(_FILLER.match(squashed))


# Placeholder text left from a template, found anywhere in a longer text.
PLACEHOLDERS = (
    re.compile(r"目标内容\s*\d*|(指标|项目)(内容|名称)\s*\d+|某某"),
    re.compile(r"(?<![A-Za-z])(?:[Xx]{2,}|×{2,}|＊{2,}|\*{2,})(?![A-Za-z])"),
    re.compile(r"…|\.{3,}|。{3,}"),
    re.compile(r"(此处|在此)(填写|输入|录入)|请(填写|输入|录入)|待(补充|填写|完善)"),
    re.compile(r"文字描述"),
)


# Any of them: one search tells most texts apart, which have none.
_ANY_PLACEHOLDER = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in PLACEHOLDERS))


@lru_cache(maxsize=_CACHE_SIZE)
def placeholder_in(text: str | None) -> str | None:
    """The first template placeholder inside `text`, if any."""
    if not _ANY_PLACEHOLDER.search(text or ""):
        return None
    for pattern in PLACEHOLDERS:
        match = pattern.search(text or "")
        if match:
            return match.group(0)
    return None
