"""What a document prints around its text — item numbers, headings, run-in labels — kept as data.

The importers read structure from these printed labels (a `（1）` starts a sub-goal, a
`(三) 评价标准` starts a 说明 section); they keep each label exactly as printed, beside
the text, so that the site and the PDF print the document's own numbering and wording
instead of regenerating it. Values that equal the model's defaults are left out of the
YAML to keep files short: the default is what would be printed anyway.
"""

from __future__ import annotations

import re
from typing import Any

from ..data.model import Headings, NotesHeadings, Project, SubGoal

_NUMERAL = "一二三四五六七八九十"
# A printed item number: `（1）`, `(三)`, `1.`, `1、`, `一、`, `①` … and the spaces printed after it.
ITEM_LABEL = re.compile(
    rf"^(?:[（(]\s*[{_NUMERAL}\d]+\s*[）)]|\d+\s*[.．、](?!\d)|[{_NUMERAL}]+\s*[、.．]|[\u2460-\u2473])\s*"
)


def split_label(text: str, pattern: re.Pattern[str] = ITEM_LABEL) -> tuple[str | None, str]:
    """`（1） 为高新区…` → (`（1）`, `为高新区…`): the printed number (spaces after it trimmed) and the rest."""
    match = pattern.match(text)
    if not match:
        return None, text
    return match[0].rstrip(" \t\u3000"), text[match.end() :]


def first_sentence(text: str) -> tuple[str, str]:
    """`完善制度建设。制定…` → (`完善制度建设。`, `制定…`): split after the first `。`, which stays printed."""
    head, stop, rest = text.partition("。")
    return (head + stop, rest) if stop and head else (text, "")


def _without_defaults(found: dict[str, str], model: Any) -> dict[str, str]:
    defaults = model()
    return {key: value for key, value in found.items() if value is not None and value != getattr(defaults, key)}


def headings(found: dict[str, str]) -> dict[str, str]:
    """The document's printed part and section headings that differ from the usual wording, in model order."""
    ordered = {key: found[key] for key in Headings.model_fields if key in found}
    return _without_defaults(ordered, Headings)


def notes_headings(found: dict[str, str]) -> dict[str, str]:
    """A 说明's printed headings that differ from the usual wording, in model order."""
    ordered = {key: found[key] for key in NotesHeadings.model_fields if key in found}
    return _without_defaults(ordered, NotesHeadings)


def run_in_labels(item: dict[str, Any]) -> dict[str, Any]:
    """Drop `goal_label`/`indicators_label` where they read `绩效目标：`/`绩效指标：` as usual."""
    defaults = {key: SubGoal.model_fields[key].default for key in ("goal_label", "indicators_label")}
    return {key: value for key, value in item.items() if not (key in defaults and value == defaults[key])}


def plan_label(printed: str) -> str | None:
    """The spending plan's label cell as printed, where it differs from the usual `资金支出计划（%）`."""
    label = printed.strip()
    return None if not label or label == Project.model_fields["spending_plan_label"].default else label


def join_heading(lines: list[str]) -> str:
    """A heading printed over several lines (`第一部分` / `部门整体绩效目标`) as one, with a full-width space."""
    return "　".join(line.strip() for line in lines if line.strip())


def contents_entry(place: int, title: str) -> dict[str, Any]:
    """A 目录 entry with no table in the body, as a `contents_only` item: the printed number (else its place
    among the 第二部分 entries) and the title as printed, number and page left out."""
    label, rest = split_label(title.strip())
    number = re.sub(r"\D", "", label or "")
    return {"position": int(number) if number else place, "title": rest.strip()}
