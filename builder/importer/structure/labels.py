"""The printed form's words and numbering, as patterns: headings, 目录 lines, 说明 headings, table labels."""

from __future__ import annotations

import re

# ── the document's structure, as printed ──────────────────────────────────────────

_NUMERAL = "一二三四五六七八九十"
SECTION = re.compile(rf"^([{_NUMERAL}]+)\s*[、.．](.*)$")
ITEM_NUMBER = re.compile(rf"^(?:[（(]\s*[{_NUMERAL}\d]+\s*[）)]|\d+\s*[.．、](?!\d))\s*")
ANY_NUMBER = re.compile(rf"^(?:[（(]\s*[{_NUMERAL}\d]+\s*[）)]|\d+\s*[.．、](?!\d)|[{_NUMERAL}]+\s*[、.．])\s*")
PART_HEADING = re.compile(
    rf"^(?P<part>第[{_NUMERAL}]部分)?\s*[:：、]?\s*(?P<year>\d{{4}})?\s*年?度?"
    r"(?P<name>部门整体绩效目标|(?:预算)?项目(?:支出)?绩效目标)?$"
)
COVER_TITLE = re.compile(r"^(?P<department>.*?)(?P<year>\d{4})\s*年度?(?:部门)?(?:预算)?绩效文本$")
COVER_YEAR = re.compile(r"^(?P<year>\d{4})\s*年度?$")
COVER_FORM = re.compile(r"^(?:部门)?(?:预算)?绩效文本$")
ATTACHMENT = re.compile(rf"^附\s*件\s*[\d{_NUMERAL}]*\s*[:：]?$")
PREPARED = re.compile(r"^(?:(?P<who>.+?)编制|编制(?:单位|部门)\s*[:：]\s*(?P<by>.+))$")
REVIEWED = re.compile(r"^(?:(?P<who>.+?)审核|审核(?:单位|部门)\s*[:：]\s*(?P<by>.+))$")
GOAL_LABEL = re.compile(r"^绩效目标\s*[:：]\s*")
INDICATOR_LABEL = re.compile(r"^绩效指标\s*[:：]\s*")
INLINE_LABEL = re.compile(r"(?<=.)(?=绩效(?:目标|指标)\s*[:：])")
TABLE_TITLE = re.compile(r"表$")
PRINTED_TABLE_TITLE = re.compile(r"绩效目标表$")
BARE_TABLE_TITLE = re.compile(r"^(?:项目)?(?:支出)?绩效目标表$")
YEAR_IN_CODE = re.compile(r"^\d{6}(?P<year>\d{2})[A-Za-z]")
YEAR_IN_TEXT = re.compile(r"(?P<year>20\d{2})\s*年")

# The table of contents: `标题……页码`, or a Word TOC field whose bookmark is gone.
TOC_HEADING = re.compile(r"^目\s*录$")
NUMBER_BEFORE_YEAR = re.compile(r"^\d{1,2}\s*[.．、](?=\s*(?:19|20)\d{2}\s*年)")
BROKEN_PAGE = r"错误！?\s*未定义书签。?|Error!\s*Bookmark not defined\.?"
TOC_LINE = re.compile(rf"^(?P<title>.*?\S)\s*(?:(?:\.{{2,}}|…+|·{{2,}}|\t)\s*)+(?P<page>\d+|{BROKEN_PAGE})$")
TOC_LEADER = re.compile(rf"^(?P<title>.*?\S)\s*(?:\.{{3,}}|…{{2,}}|·{{3,}})\s*(?P<page>\d+|{BROKEN_PAGE})$")
TOC_PLAIN = re.compile(rf"^(?P<title>.*?\S)\s*(?P<page>\d+|{BROKEN_PAGE})?$")  # an entry known to be one (.docx)
TOC_BROKEN = re.compile(rf"^(?P<title>.*?\S)\s*(?:\.{{2,}}|…+|·{{2,}}|\t)+\s*(?P<page>{BROKEN_PAGE})$")

# The 说明 printed before a table (seed 002): 关于……的说明 / 一、项目基本情况 / （一）项目概况 …
NOTES_TITLE = re.compile(r"^关于.+说明$")
NOTES_PART = re.compile(rf"^([{_NUMERAL}]+)\s*[、.．]\s*(\S.*)$")
NOTES_SECTION = re.compile(rf"^[（(]\s*([{_NUMERAL}]+)\s*[)）]\s*(\S.*)$")
NOTES_PARTS = (("基本情况", "basics"), ("概况", "basics"), ("指标", "targets"), ("目标", "targets"))
NOTES_SECTIONS = (
    ("概况", "overview"),
    ("资金", "funding"),
    ("标准", "criteria"),
    ("评价", "criteria"),
    ("指标", "indicators"),
    ("目标", "goals"),
)
NOTES_BY_NUMBER = {
    ("basics", "一"): "overview",
    ("basics", "二"): "funding",
    ("targets", "一"): "goals",
    ("targets", "二"): "indicators",
    ("targets", "三"): "criteria",
}
NOTES_KEYS = ("overview", "funding", "goals", "indicators", "criteria")
HEADING_MAX_CHARS = 20
SENTENCE_END = tuple("。；！？.!?;：:")

# Table labels (matched on the cleaned cell, so "项目\n\n编码" is 项目编码).
UNIT_ROW = re.compile(r"^(?P<code>\d{6})\s*(?P<name>\D.*)$")
AMOUNT_UNIT = re.compile(r"^(?:金额)?单位\s*[:：]\s*(?P<unit>[千百万亿]*元)$")
UNIT_AND_AMOUNT = re.compile(r"^(?P<unit>\d{6}\s*\D.*?)\s+(?P<amount>(?:金额)?单位\s*[:：]\s*[千百万亿]*元)$")
FIELD_LABELS = {
    "code": re.compile(r"^项目(?:编码|代码)$"),
    "name": re.compile(r"^项目名称$"),
    "total": re.compile(r"^(?:年度)?(?:预算数|预算资金|预算金额|资金总额)(?:[（(][千百万亿]*元[）)])?$"),
    "fiscal": re.compile(r"^(?:其中\s*[:：])?财政(?:资金|拨款)(?:[（(][千百万亿]*元[）)])?$"),
    "other": re.compile(r"^(?:其中\s*[:：])?其他(?:来源)?资金(?:[（(][千百万亿]*元[）)])?$"),
    "purpose": re.compile(r"^资金用途$"),
}
FORM_LABEL = re.compile(r"^预算规模(?:及资金用途)?$")
PLAN_LABEL = re.compile(r"^资金支出计划")
CHECKPOINT = re.compile(r"\d+\s*月|季度|半年|全年|年[底末中]")
GOALS_LABEL = re.compile(r"^(?:年度|项目)?绩效目标$")
GOAL_TAG = re.compile(rf"^目标\s*[\d{_NUMERAL}]+$")
INDICATOR_COLUMNS = {
    "level1": re.compile(r"^一级指标$"),
    "level2": re.compile(r"^二级指标$"),
    "name": re.compile(r"^(?:三级指标|指标名称)$"),
    "description": re.compile(r"^(?:绩效)?指标(?:描述|解释|内容)$"),
    "value": re.compile(r"^(?:绩效)?(?:指标值|目标值)$"),
    "basis": re.compile(r"^(?:指标值)?(?:确定|设定)依据$"),
}
FIELD_NAMES = {"name": "项目名称", "budget.total": "预算数", "indicators": "绩效指标表"}


def squeeze(text: str) -> str:
    """A form label with the spaces Word justified it with removed (`其中：财政    资金`)."""
    return re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")


def field_label(text: str) -> str | None:
    return next((key for key, pattern in FIELD_LABELS.items() if pattern.match(squeeze(text))), None)


def is_label(text: str) -> bool:
    label = squeeze(text)
    return bool(field_label(text) or FORM_LABEL.match(label) or PLAN_LABEL.match(label) or GOALS_LABEL.match(label))


def column_of(text: str) -> str | None:
    """The indicator column a header cell names (`三级指标` → name), if it names one."""
    label = squeeze(text)
    return next((key for key, pattern in INDICATOR_COLUMNS.items() if pattern.match(label)), None)


def is_header(text: str) -> bool:
    return column_of(text) is not None
