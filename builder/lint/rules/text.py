"""Rules on the document's words: template placeholders, a table title naming another project, 说明 counts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

from ...data.model import Department, Project
from .base import Issue, Loc, group_of, is_filler, placeholder_in, project_rule, quote, rule, squash

FIELD_NAMES = {
    "overall_goal": "总体绩效目标",
    "sub_goals_intro": "分项绩效目标引导语",
    "sub_goals": "分项绩效目标",
    "measures_intro": "工作保障措施引导语",
    "measures": "工作保障措施",
    "name": "项目名称",
    "title": "表题",
    "purpose": "资金用途",
    "goals": "绩效目标",
    "notes": "说明",
    "description": "指标描述",
    "basis": "指标值确定依据",
}


def _part_one_texts(department: Department) -> Iterator[tuple[Loc, str | None]]:
    part = department.part_one
    for k, paragraph in enumerate(part.overall_goal):
        yield ("part_one", "overall_goal", k), paragraph
    yield ("part_one", "sub_goals_intro"), part.sub_goals_intro
    for k, sub_goal in enumerate(part.sub_goals):
        for field in ("title", "goal", "indicators", "text"):
            yield ("part_one", "sub_goals", k, field), getattr(sub_goal, field)
    yield ("part_one", "measures_intro"), part.measures_intro
    for k, measure in enumerate(part.measures):
        for field in ("title", "text"):
            yield ("part_one", "measures", k, field), getattr(measure, field)


def _project_texts(index: int, project: Project) -> Iterator[tuple[Loc, str | None]]:
    base: Loc = ("projects", index)
    for field in ("name", "title", "purpose"):
        yield (*base, field), getattr(project, field)
    for g, goal in enumerate(project.goals):
        yield (*base, "goals", g, "label"), goal.label
        yield (*base, "goals", g, "text"), goal.text
    if project.notes is not None:
        yield (*base, "notes", "title"), project.notes.title
        for field in ("overview", "funding", "goals", "indicators", "criteria"):
            for k, paragraph in enumerate(getattr(project.notes, field)):
                yield (*base, "notes", field, k), paragraph
    for row, indicator in enumerate(project.indicators):
        for field in ("level1", "level2", "name", "description", "basis"):
            yield (*base, "indicators", row, field), getattr(indicator, field)


def field_name(loc: Loc) -> str:
    """A field's Chinese name for messages: the last named part of its path."""
    if loc[:1] == ("projects",) and "indicators" in loc and loc[-1] == "name":
        return "三级指标"
    if loc[:1] == ("projects",) and "notes" in loc:
        return "说明"
    names = [FIELD_NAMES.get(part) for part in loc if isinstance(part, str)]
    return next((name for name in reversed(names) if name), "正文")


UNFILLED_TEMPLATE = "unfilled-template"
# The wording of `new`'s template (templates/scaffold/department.yaml.j2) where the document's text goes.
_TEMPLATE_TEXT = re.compile(r"^在此(照录|填写)|^(三级指标名称|绩效指标描述|指标值确定依据)$")


@rule(UNFILLED_TEMPLATE, "error", "还是 new 生成的模板：有“在此照录……”“三级指标名称”等待填写的文字")
def unfilled_template(department: Department) -> Iterator[Issue]:
    texts = list(_part_one_texts(department))
    for index, project in enumerate(department.projects):
        texts += _project_texts(index, project)
    for loc, text in texts:
        if text and _TEMPLATE_TEXT.search(squash(text)):
            message = f"{field_name(loc)}还是模板中待填写的文字{quote(text)}"
            yield Issue(loc, message, "请照原文填写；填好之前保留（或加上）draft: true，build 不发布草稿")


@rule("placeholder-text", "warning", "正文中有模板占位文字（目标内容 1、XXX、…）")
def placeholder_text(department: Department) -> Iterator[Issue]:
    yield from _template_words(department)
    yield from _filler_indicator_names(department)


def _template_words(department: Department) -> Iterator[Issue]:
    texts = list(_part_one_texts(department))
    for index, project in enumerate(department.projects):
        texts += _project_texts(index, project)
    for loc, text in texts:
        placeholder = placeholder_in(text)
        if placeholder:
            message = f"{field_name(loc)}中有模板占位文字{quote(placeholder)}：{quote(text)}"
            yield Issue(loc, message, "这是编制模板留下的文字；请编制单位补写实际内容")


def _filler_indicator_names(department: Department) -> Iterator[Issue]:
    """A row named `无` or `-` whose 指标值 says something: the name, not the row, is missing."""
    for index, project in enumerate(department.projects):
        for row, indicator in enumerate(project.indicators):
            if is_filler(indicator.name) and not is_filler(indicator.value) and squash(indicator.value):
                loc = ("projects", index, "indicators", row, "name")
                message = f"三级指标名称是占位符{quote(indicator.name)}，而指标值是{quote(indicator.value)}"
                yield Issue(loc, message, "请写出这个指标衡量的是什么")


# Words that name no project by themselves: numbering, and the wording of a table title or a 说明's title.
_NUMBERING = re.compile(r"^(?:\d{1,2}|[一二三四五六七八九十]{1,3})[、.．]|^[(（][一二三四五六七八九十\d]{1,3}[)）]")
_GENERIC = re.compile(r"关于|的说明|说明|项目|绩效|目标|指标|申报|支出|专项|资金|工作|经费|活动|费用|费|表")
_PUNCTUATION = re.compile(r"[\s“”\"'‘’《》「」()（）\[\]【】、,，.。:：;；·-]")


def title_core(text: str) -> str:
    """What a title or name says about which project it is: `3.机器人产业扶持资金项目绩效目标表` → `机器人产业扶持`."""
    core = _NUMBERING.sub("", squash(text))
    return _GENERIC.sub("", _PUNCTUATION.sub("", core))


def names_other_project(title: str, name: str) -> bool:
    """True when a title plainly names something else than the project's name (typos and abbreviations pass)."""
    title_text, name_text = title_core(title), title_core(name)
    if not title_text or not name_text or title_text in name_text or name_text in title_text:
        return False
    return SequenceMatcher(None, title_text, name_text, autojunk=False).ratio() < 0.5


@project_rule("title-mismatch", "error", "表题或说明标题写的是另一个项目")
def title_mismatch(department: Department, index: int, project: Project) -> Iterator[Issue]:
    if project.title and names_other_project(project.title, project.name):
        message = f"表题{quote(project.title)}与项目名称{quote(project.name)}说的不是同一个项目"
        hint = "表题多半是从另一张表复制后没改；请核对原文，确认这张表属于哪个项目"
        yield Issue(("projects", index, "title"), message, hint)
    notes_title = project.notes.title if project.notes else None
    if notes_title and names_other_project(notes_title, project.name):
        message = f"说明标题{quote(notes_title)}与项目名称{quote(project.name)}说的不是同一个项目"
        hint = "说明可能是从另一个项目复制的；请核对原文"
        yield Issue(("projects", index, "notes", "title"), message, hint, "warning")


_NUMBER = r"(\d+|[一二三四五六七八九十两]{1,3})"
_TOTAL = re.compile(rf"共设置了?\s*(?:绩效指标\s*)?{_NUMBER}\s*[项个条](?!\s*(?:绩效)?目标)")
_GROUP = re.compile(rf"(产出|效益|效果|满意度)指标\s*{_NUMBER}\s*[项个条]")
_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int:
    """`9` → 9, `九` → 9, `十二` → 12, `二十` → 20."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _DIGITS.get(text, 0)
    tens, _, ones = text.partition("十")
    return _DIGITS.get(tens, 1) * 10 + _DIGITS.get(ones, 0)


@dataclass(frozen=True)
class RowCount:
    """How many rows a table (or one 一级指标 group of it) has: all of them, and not counting `无` rows."""

    rows: int
    filled: int

    def agrees(self, stated: int) -> bool:
        return stated in (self.rows, self.filled)


def row_count(project: Project, group: str | None = None) -> RowCount:
    rows = [i for i in project.indicators if group is None or group_of(i) == group]
    filled = [i for i in rows if not is_filler(i.value) and not is_filler(i.name)]
    return RowCount(len(rows), len(filled))


@project_rule("notes-count-mismatch", "warning", "说明中的指标个数与指标表不符")
def notes_count_mismatch(department: Department, index: int, project: Project) -> Iterator[Issue]:
    paragraphs = project.notes.indicators if project.notes else []
    per_goal: dict[str, int] = {}
    per_goal_loc: Loc | None = None
    for k, paragraph in enumerate(paragraphs):
        loc: Loc = ("projects", index, "notes", "indicators", k)
        text = squash(paragraph)
        if "对应目标" in text and not _TOTAL.search(text):
            for group, number in _groups(text):
                per_goal[group] = per_goal.get(group, 0) + number
            per_goal_loc = per_goal_loc or loc
            continue
        differences = _total_differences(project, text) + [
            difference for group, number in _groups(text) if (difference := _group_difference(project, group, number))
        ]
        if differences:
            yield _count_issue(loc, differences)
    # A 说明 that counts per goal may leave some goals out: only a count above the table's is a contradiction.
    over = [
        f"{_group_label(group)} {number} 项，表中只有 {row_count(project, group).rows} 行"
        for group, number in per_goal.items()
        if number > row_count(project, group).rows
    ]
    if over and per_goal_loc:
        yield _count_issue(per_goal_loc, over)


def _groups(text: str) -> list[tuple[str, int]]:
    return [("效益" if group == "效果" else group, chinese_number(number)) for group, number in _GROUP.findall(text)]


def _group_label(group: str) -> str:
    return {"效益": "效益（效果）指标"}.get(group, f"{group}指标")


def _total_differences(project: Project, text: str) -> list[str]:
    count = row_count(project)
    return [
        f"共 {stated} 项，表中有 {count.rows} 行"
        for stated in (chinese_number(number) for number in _TOTAL.findall(text))
        if not count.agrees(stated)
    ]


def _group_difference(project: Project, group: str, stated: int) -> str | None:
    count = row_count(project, group)
    return None if count.agrees(stated) else f"{_group_label(group)} {stated} 项，表中有 {count.rows} 行"


def _count_issue(loc: Loc, differences: list[str]) -> Issue:
    message = f"说明写的指标个数与指标表不符：{'；'.join(differences)}"
    hint = "说明多半是从别的项目复制后没改；请按指标表改正说明中的数字（或补齐表中缺的指标）"
    return Issue(loc, message, hint)
