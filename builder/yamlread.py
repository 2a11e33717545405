"""Read a YAML data file into plain data whose every value remembers its line.

Scalars stay text (no floats, no YAML 1.1 booleans): the model decides what a value
means, so `188.51` stays `188.51` and `065001` keeps its zero. Aliases, custom tags
and duplicate keys are refused, each reported with its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - libyaml is part of the PyYAML wheel
    from yaml import SafeLoader  # type: ignore[assignment]

MAX_DEPTH = 64
STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
}


@dataclass
class Problem:
    """One thing wrong in a file, located: `line field.path: message — hint`."""

    line: int
    path: str
    message: str
    hint: str = ""

    def render(self, filename: str) -> str:
        where = f"{filename}:{self.line}" + (f" {self.path}" if self.path else "")
        return f"{where}: {self.message}" + (f" — {self.hint}" if self.hint else "")


@dataclass
class Located:
    """Plain data plus the line of every mapping key, sequence item and value."""

    data: Any
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    visited: set[int] = field(default_factory=set, repr=False)

    def line_of(self, loc: tuple[Any, ...]) -> int:
        """The line of `loc`, or of its nearest ancestor that has one."""
        while loc and loc not in self.lines:
            loc = loc[:-1]
        return self.lines.get(loc, 1)


def read_yaml(text: str) -> Located:
    """Parse YAML text; syntax errors come back as problems, never as exceptions."""
    result = Located(data=None)
    try:
        refused = _prescan(text)
        if refused:
            result.problems.append(refused)
            return result
        node = yaml.compose(text, Loader=SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        message = f"YAML 语法错误：{_translate(error.problem or '')}"
        result.problems.append(Problem(line, "", message, _syntax_hint(text, line)))
        return result
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        message = (
            f"文件含有不允许的控制字符 U+{error.character:04X}"
            if isinstance(error.character, int)
            else "文件含有不允许的字符"
        )
        result.problems.append(Problem(line, "", message, "请删除该字符；从其他软件复制文字时常会带入"))
        return result
    except yaml.YAMLError as error:
        result.problems.append(Problem(1, "", f"YAML 无法读取：{error}", "请检查文件是否为 UTF-8 编码的 YAML"))
        return result
    except RecursionError:
        result.problems.append(Problem(1, "", "嵌套层数过深", f"数据文件的嵌套不应超过 {MAX_DEPTH} 层"))
        return result
    if node is not None:
        result.data = _convert(node, (), result, depth=0)
    return result


def _prescan(text: str) -> Problem | None:
    """Refuse deep nesting and aliases from the flat event stream, before any recursion.

    libyaml's composer recurses in C: a 100 000-level document crashes the process
    instead of raising, so depth must be checked before composing.
    """
    depth = 0
    for event in yaml.parse(text, Loader=SafeLoader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return Problem(event.start_mark.line + 1, "", "嵌套层数过深", f"数据文件的嵌套不应超过 {MAX_DEPTH} 层")
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            return Problem(event.start_mark.line + 1, "", "不支持 YAML 锚点与别名（& 和 *）", "请把内容直接写出")
    return None


_LIBYAML_PROBLEMS = {
    "did not find expected ',' or ']'": "方括号 [ ] 没有闭合，或缺少逗号",
    "did not find expected ',' or '}'": "花括号 { } 没有闭合，或缺少逗号",
    "did not find expected key": "缩进不一致，或缺少冒号",
    "did not find expected '-' indicator": "列表项的缩进不一致",
    "mapping values are not allowed in this context": "此处不能出现冒号；文字中含“: ”时请加引号",
    "could not find expected ':'": "缺少冒号",
    "found character that cannot start any token": "出现了不能出现在此处的字符（如 Tab、@、`）",
    "found unexpected end of stream": "文件意外结束（引号未闭合？）",
    "found undefined alias": "使用了未定义的别名 *",
    "found unknown escape character": "双引号中有无法识别的转义字符 \\",
    "found a tab character": "缩进中有 Tab 字符",
}


def _translate(problem: str) -> str:
    """libyaml speaks English; say it in Chinese and keep the original for searching."""
    chinese = next((text for key, text in _LIBYAML_PROBLEMS.items() if problem.startswith(key)), None)
    return f"{chinese}（{problem}）" if chinese else problem


def _syntax_hint(text: str, line: int) -> str:
    lines = text.splitlines()
    if 0 < line <= len(lines) and "\t" in lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]:
        return "YAML 不允许用 Tab 缩进，请改用空格"
    return "请检查该行及上一行的缩进、冒号和引号是否成对"


def _convert(node: yaml.Node, loc: tuple[Any, ...], result: Located, depth: int) -> Any:
    result.lines.setdefault(loc, node.start_mark.line + 1)
    if id(node) in result.visited:
        result.problems.append(
            Problem(node.start_mark.line + 1, _path(loc), "不支持 YAML 锚点与别名（& 和 *）", "请把内容直接写出")
        )
        return None
    if depth > MAX_DEPTH:
        result.problems.append(
            Problem(node.start_mark.line + 1, _path(loc), "嵌套层数过深", f"不应超过 {MAX_DEPTH} 层")
        )
        return None
    if node.tag not in STANDARD_TAGS:
        result.problems.append(
            Problem(
                node.start_mark.line + 1,
                _path(loc),
                f"不支持自定义 YAML 标签 {_short_tag(node.tag)}",
                "请删除以 ! 开头的标签",
            )
        )
        return None
    result.visited.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        return None if node.tag == "tag:yaml.org,2002:null" else node.value
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*loc, i), result, depth + 1) for i, item in enumerate(node.value)]
    return _convert_mapping(node, loc, result, depth)


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _convert_mapping(node: yaml.MappingNode, loc: tuple[Any, ...], result: Located, depth: int) -> Any:
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
        if key in mapping:
            result.problems.append(
                Problem(
                    key_node.start_mark.line + 1,
                    _path((*loc, key)),
                    f"键 `{key}` 重复",
                    "同一层级的键只能出现一次，请删除或合并重复项",
                )
            )
            continue
        result.lines[(*loc, key)] = key_node.start_mark.line + 1
        mapping[key] = _convert(value_node, (*loc, key), result, depth + 1)
    return mapping


def _path(loc: tuple[Any, ...]) -> str:
    """('projects', 2, 'budget', 'total') -> 'projects[2].budget.total'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


format_path = _path
