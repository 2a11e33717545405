"""Read a YAML data file into plain data whose every value remembers its line.

Scalars stay text (no floats, no YAML 1.1 booleans): the model decides what a value
means, so `188.51` stays `188.51` and `065001` keeps its zero. Aliases, custom tags
and duplicate keys are refused, each reported with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..printable import escape_controls

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

    line: int  # 0: the file (or folder) as a whole
    path: str
    message: str
    hint: str = ""

    def render(self, filename: str) -> str:
        """One line; control characters from the data (in a key, say) are shown escaped (`\\x1b`)."""
        where = filename + (f":{self.line}" if self.line else "") + (f" {self.path}" if self.path else "")
        return escape_controls(f"{where}: {self.message}" + (f" — {self.hint}" if self.hint else ""))


@dataclass
class Located:
    """Plain data plus the line of every mapping key, sequence item and value."""

    data: Any
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, loc: tuple[Any, ...]) -> int:
        """The line of `loc`, or of its nearest ancestor that has one."""
        while loc and loc not in self.lines:
            loc = loc[:-1]
        return self.lines.get(loc, 1)


def read_yaml(text: str) -> Located:
    """Parse YAML text; syntax errors come back as problems, never as exceptions."""
    try:
        return _Reader().read(text)
    except _Refused as refused:
        return Located(data=None, problems=[refused.problem])
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        hidden = hidden_characters(text)
        tabs = [problem for problem in tab_indentation(text) if problem.line != line]  # the others: all at once
        if any(abs(problem.line - line) <= 1 for problem in hidden):
            return Located(data=None, problems=_in_order([*hidden, *tabs]))  # a character broke the syntax
        chinese, hint = _translate(error.problem or error.context or "")
        syntax = Problem(line, "", f"YAML 语法错误：{chinese}", hint or _syntax_hint(text, line))
        return Located(data=None, problems=_in_order([*hidden, *tabs, syntax]))
    except yaml.reader.ReaderError as error:
        # With the characters YAML refuses, the other characters that would stop it next: all of them at once.
        found = [*unprintable_characters(text, error), *hidden_characters(text), *tab_indentation(text)]
        return Located(data=None, problems=_in_order(found))
    except yaml.YAMLError as error:
        problem = Problem(1, "", f"YAML 无法读取：{error}", "请检查文件是否为 UTF-8 编码的 YAML")
        return Located(data=None, problems=[problem])


_WINDOWS_PATH_HINT = "Windows 路径或含 \\ 的文字请用单引号，如 'C:\\数据\\2023'，或把 \\ 写成 \\\\"
_ONE_DOCUMENT_HINT = "一个文件只写一个部门：请删除多余的 --- 或 ...，第二个部门另存为一个文件"
# Every message libyaml (and our one-pass reader) gives, in Chinese with a hint; the English stays for searching.
_LIBYAML_PROBLEMS = {
    "did not find expected ',' or ']'": ("方括号 [ ] 没有闭合，或缺少逗号", ""),
    "did not find expected ',' or '}'": ("花括号 { } 没有闭合，或缺少逗号", ""),
    "did not find expected key": ("缩进不一致，或缺少冒号", ""),
    "did not find expected '-' indicator": ("列表项的缩进不一致", "同一列表的各项，`- ` 应对齐"),
    "did not find expected node content": ("此处缺少内容", "请检查冒号、短横线后面是否漏写了值"),
    "did not find expected <document start>": ("文件开头的格式不对", "数据文件应直接以“department: …”开始"),
    "did not find expected comment or line break": ("引号闭合后还有多余的文字", "整个值都放进引号，或去掉引号"),
    "did not find expected whitespace or line break": ("此处缺少空格", "冒号、短横线后要有一个空格"),
    "did not find expected whitespace": ("此处缺少空格", "冒号、短横线后要有一个空格"),
    "did not find expected hexdecimal number": ("双引号中的 \\x、\\u 后面不是十六进制数", _WINDOWS_PATH_HINT),
    "did not find expected alphabetic or numeric character": ("锚点或别名的名字不对", "文字以 & 或 * 开头时请加引号"),
    "did not find expected '!'": ("标签写法不对", "文字以 ! 开头时请加引号"),
    "did not find expected tag URI": ("标签写法不对", "文字以 ! 开头时请加引号"),
    "did not find URI escaped octet": ("标签写法不对", "文字以 ! 开头时请加引号"),
    "did not find expected digit or '.' character": ("%YAML 指令写法不对", "请删除以 % 开头的行"),
    "did not find expected version number": ("%YAML 指令写法不对", "请删除以 % 开头的行"),
    "did not find the expected '>'": ("标签写法不对", "文字以 ! 开头时请加引号"),
    "could not find expected directive name": ("以 % 开头的指令写法不对", "文字以 % 开头时请加引号"),
    "could not find expected ':'": ("缺少冒号", "“键: 值”的冒号须是半角冒号 `:`，后面加一个空格"),
    "mapping values are not allowed in this context": ("此处不能出现冒号", "文字中含“: ”时请把整个值加引号"),
    "mapping keys are not allowed in this context": ("此处不能出现问号键（? ）", "文字以 ? 开头时请加引号"),
    "block sequence entries are not allowed in this context": (
        "此处不能出现列表项（- ）",
        "请检查缩进；文字以 - 开头时请加引号",
    ),
    "found character that cannot start any token": (
        "出现了不能出现在此处的字符（如 Tab、@、`）",
        "文字以 @ 或 ` 开头时请加引号",
    ),
    "found unexpected end of stream": ("文件意外结束（引号未闭合？）", "请检查引号是否成对"),
    "found undefined alias": ("使用了未定义的别名 *", "文字以 * 开头时请加引号"),
    "found unknown escape character": ("双引号中有无法识别的转义字符 \\", _WINDOWS_PATH_HINT),
    "found invalid Unicode character escape code": ("双引号中的 \\u 转义不是有效字符", _WINDOWS_PATH_HINT),
    "found a tab character": ("缩进中有 Tab 字符", "YAML 不允许用 Tab 缩进，请改用空格"),
    "found an indentation indicator equal to 0": ("多行文字的缩进标记不能是 0", "请把 |0 改为 |"),
    "found unexpected document indicator": ("行首出现了 --- 或 ...", _ONE_DOCUMENT_HINT),
    "found unexpected ':'": ("此处不能出现冒号", "文字中含冒号时请把整个值加引号"),
    "found duplicate %TAG directive": ("%TAG 指令重复", "请删除以 % 开头的行"),
    "found duplicate %YAML directive": ("%YAML 指令重复", "请删除以 % 开头的行"),
    "found incompatible YAML document": ("YAML 版本不受支持", "请删除 %YAML 行"),
    "found undefined tag handle": ("标签写法不对", "文字以 ! 开头时请加引号"),
    "found unknown directive name": ("以 % 开头的指令不认识", "文字以 % 开头时请加引号"),
    "found extremely long version number": ("%YAML 指令写法不对", "请删除以 % 开头的行"),
    "found unexpected non-alphabetical character": ("锚点或别名的名字不对", "文字以 & 或 * 开头时请加引号"),
    "found an incorrect leading UTF-8 octet": ("文件中有无效的 UTF-8 字节", "请“另存为 UTF-8”"),
    "found an incorrect trailing UTF-8 octet": ("文件中有无效的 UTF-8 字节", "请“另存为 UTF-8”"),
    "expected a single document in the stream": ("一个文件中有多个 YAML 文档", _ONE_DOCUMENT_HINT),
    "but found another document": ("一个文件中有多个 YAML 文档", _ONE_DOCUMENT_HINT),
    "found duplicate anchor": ("锚点 & 重复", "不支持 YAML 锚点与别名，请把内容直接写出"),
    "second occurrence": ("锚点 & 重复", "不支持 YAML 锚点与别名，请把内容直接写出"),
    "expected <block end>": ("缩进不一致", ""),
    "expected the node content": ("此处缺少内容", "请检查冒号、短横线后面是否漏写了值，括号和引号是否成对"),
    "expected <document start>": ("文件开头的格式不对", "请删除多余的 --- 或 %"),
    "expected a single document": ("一个文件中有多个 YAML 文档", _ONE_DOCUMENT_HINT),
    "expected ',' or ']'": ("方括号 [ ] 没有闭合，或缺少逗号", ""),
    "expected ',' or '}'": ("花括号 { } 没有闭合，或缺少逗号", ""),
}


def describe_yaml_error(error: yaml.YAMLError) -> tuple[int, str, str]:
    """Line, Chinese message and hint for any PyYAML error (used for mkdocs.yml, which PyYAML reads)."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        chinese, hint = _translate(error.problem or error.context or "")
        return (
            (mark.line + 1 if mark else 1),
            f"YAML 语法错误：{chinese}",
            hint or "请检查该行及上一行的缩进、冒号和引号",
        )
    return 1, f"无法读取（{error}）", "请检查文件是否为 UTF-8 编码的 YAML"


# What YAML does not allow in a file (its "printable" set, inverted): C0 controls but tab and line breaks, DEL,
# C1 controls but NEL, surrogates and the two non-characters U+FFFE/U+FFFF.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
MAX_LISTED = 20


def unprintable_characters(text: str, error: yaml.reader.ReaderError) -> list[Problem]:
    """Every character YAML refuses, with its line, column and code point (libyaml stops at the first)."""
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        for match in _UNPRINTABLE.finditer(line):
            message = f"第 {match.start() + 1} 列有不允许的控制字符 U+{ord(match[0]):04X}"
            problems.append(Problem(number, "", message, "请删除该字符；从其他软件复制文字时常会带入"))
            if len(problems) == MAX_LISTED:
                return problems
    if not problems:  # libyaml refused something this scan does not know: say what it said
        problems.append(Problem(1, "", f"文件含有不允许的字符（{error.reason}）", "请删除该字符"))
    return problems


def tab_indentation(text: str) -> list[Problem]:
    """Every line indented with a Tab (YAML refuses them; libyaml names the first one only, and as a stray sign)."""
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            column = indent.index("\t") + 1
            problems.append(Problem(number, "", f"第 {column} 列用 Tab 缩进", "YAML 不允许用 Tab 缩进，请改用空格"))
            if len(problems) == MAX_LISTED:
                break
    return problems


def _in_order(problems: list[Problem]) -> list[Problem]:
    """By line, each problem once (two scans may find one character)."""
    unique: dict[tuple[int, str, str], Problem] = {}
    for problem in problems:
        unique.setdefault((problem.line, problem.path, problem.message), problem)
    return sorted(unique.values(), key=lambda problem: problem.line)


def _translate(problem: str) -> tuple[str, str]:
    """libyaml speaks English; say it in Chinese with a hint, and keep the original for searching."""
    for key, (chinese, hint) in _LIBYAML_PROBLEMS.items():
        if problem.startswith(key):
            return f"{chinese}（{problem}）", hint
    return f"无法读取（{problem}）", ""


def _syntax_hint(text: str, line: int) -> str:
    lines = text.splitlines()
    if 0 < line <= len(lines) and "\t" in lines[line - 1][: len(lines[line - 1]) - len(lines[line - 1].lstrip())]:
        return "YAML 不允许用 Tab 缩进，请改用空格"
    return "请检查该行及上一行的缩进、冒号和引号是否成对"


class _Refused(Exception):
    """A document refused outright (too deep, or an alias): one problem, no data."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _too_deep(line: int) -> _Refused:
    return _Refused(Problem(line, "", "嵌套层数过深", f"数据文件的嵌套不应超过 {MAX_DEPTH} 层"))


_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_RESOLVER = yaml.resolver.Resolver()
# First characters of the plain scalars that resolve to null or to a tag we refuse
# (`=` is !!value, `<<` is !!merge); any other plain scalar stays text.
_NOTABLE_FIRSTS = frozenset(
    first
    for first, resolvers in SafeLoader.yaml_implicit_resolvers.items()
    if any(tag == _NULL_TAG or tag not in STANDARD_TAGS for tag, _ in resolvers)
)
_NO_KEY = object()  # a mapping waiting for its next key
_DUPLICATE = object()  # a mapping whose next value belongs to a refused duplicate key


@dataclass(slots=True)
class _Frame:
    """An open sequence or mapping: the container being filled, its field path, the key awaiting a value."""

    container: list[Any] | dict[str, Any]
    loc: tuple[Any, ...]
    key: Any = _NO_KEY


class _Reader:
    """Builds `Located` from libyaml's flat event stream in one pass, never recursing on depth.

    One pass over the events costs a third of composing nodes and converting them, and
    it needs no recursion: libyaml's composer recurses in C, so a 100 000-level document
    would crash the process instead of raising. It gives what composing the node graph
    and converting it gave, from the events alone: nesting deeper than MAX_DEPTH and
    aliases refuse the whole document (in stream order, before anything else); a
    duplicate anchor or a second document is a syntax error; unknown tags and duplicate
    keys are reported, their subtree skipped.
    """

    def __init__(self) -> None:
        self.result = Located(data=None)
        self.stack: list[_Frame] = []
        self.depth = 0  # open collections, counted over the whole stream
        self.skip = 0  # open collections inside a subtree that is not converted
        self.key_nodes: list[tuple[yaml.Node, list[yaml.Node]]] = []  # a non-scalar key being built
        self.documents = 0
        self.anchors: dict[str, yaml.Mark] = {}
        self.deferred: yaml.MarkedYAMLError | None = None  # raised once the stream has parsed

    def read(self, text: str) -> Located:
        handlers = {
            yaml.ScalarEvent: self._scalar,
            yaml.SequenceStartEvent: self._collection_start,
            yaml.MappingStartEvent: self._collection_start,
            yaml.SequenceEndEvent: self._collection_end,
            yaml.MappingEndEvent: self._collection_end,
            yaml.AliasEvent: self._alias,
            yaml.DocumentStartEvent: self._document_start,
        }
        loader = SafeLoader(text)
        try:
            for event in iter(loader.get_event, None):
                handler = handlers.get(type(event))
                if handler is not None:
                    handler(event)
        finally:
            loader.dispose()
        if self.deferred is not None:
            raise self.deferred
        return self.result

    def _document_start(self, event: yaml.DocumentStartEvent) -> None:
        self.documents += 1
        if self.documents == 2 and self.deferred is None:
            self.deferred = yaml.composer.ComposerError(
                "expected a single document in the stream", None, "but found another document", event.start_mark
            )

    def _alias(self, event: yaml.AliasEvent) -> None:
        raise _Refused(Problem(event.start_mark.line + 1, "", "不支持 YAML 锚点与别名（& 和 *）", "请把内容直接写出"))

    def _note_anchor(self, event: yaml.NodeEvent) -> None:
        """An anchor named twice in the (only) document is an error, even with no alias using it."""
        anchor = event.anchor
        if anchor is None or self.documents != 1 or self.deferred is not None:
            return
        if anchor in self.anchors:
            self.deferred = yaml.composer.ComposerError(
                "found duplicate anchor; first occurrence", self.anchors[anchor], "second occurrence", event.start_mark
            )
        else:
            self.anchors[anchor] = event.start_mark

    def _awaits_key(self) -> bool:
        return bool(self.stack) and self.stack[-1].key is _NO_KEY and type(self.stack[-1].container) is dict

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        """Most events: kept lean, the plain untagged text value taking the shortest way."""
        if event.anchor is not None:
            self._note_anchor(event)
        if self.skip:
            return
        if self.key_nodes:
            self.key_nodes[-1][1].append(yaml.ScalarNode(_node_tag(event), event.value, event.start_mark))
            return
        stack = self.stack
        if stack and stack[-1].key is _NO_KEY and type(stack[-1].container) is dict:  # self._awaits_key(), inlined
            self._take_key(event.value, event.start_mark.line + 1)
            return
        loc = self._next_loc(event)
        if loc is None:
            return
        value = event.value
        if event.tag is not None or (event.implicit[0] and value[:1] in _NOTABLE_FIRSTS):
            tag = _scalar_tag(event)
            if self._refused_tag(tag, loc, event):
                return
            value = None if tag == _NULL_TAG else value
        if event.style == '"' and value is not None and _UNPRINTABLE.search(value):
            self._escaped_controls(value, loc, event)
        self._place(loc, value)

    def _escaped_controls(self, value: str, loc: tuple[Any, ...], event: yaml.ScalarEvent) -> None:
        """A control character written as an escape (`"\\0"`, `"\\x07"`) in double quotes: refused as one typed
        into the file is (`unprintable_characters`), or it would reach the pages and downloads as a raw byte."""
        found = sorted({f"U+{ord(char):04X}" for char in _UNPRINTABLE.findall(value)})
        message = f"双引号中的转义写出了不允许的控制字符 {'、'.join(found)}"
        hint = "请删除这个转义（如 \\0、\\x07、\\e）；文字中不应有控制字符"
        self.result.problems.append(Problem(event.start_mark.line + 1, _path(loc), message, hint))

    def _collection_start(self, event: yaml.CollectionStartEvent) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _too_deep(event.start_mark.line + 1)
        if event.anchor is not None:
            self._note_anchor(event)
        if self.skip:
            self.skip += 1
            return
        mapping = isinstance(event, yaml.MappingStartEvent)
        if self.key_nodes or self._awaits_key():
            kind = yaml.MappingNode if mapping else yaml.SequenceNode
            self.key_nodes.append((kind(_node_tag(event), [], event.start_mark), []))
            return
        loc = self._next_loc(event)
        if loc is None or self._refused_tag(event.tag or "!", loc, event):
            self.skip = 1
            return
        container: list[Any] | dict[str, Any] = {} if mapping else []
        self._place(loc, container)
        self.stack.append(_Frame(container, loc))

    def _collection_end(self, event: yaml.CollectionEndEvent) -> None:
        self.depth -= 1
        if self.skip:
            self.skip -= 1
        elif self.key_nodes:
            self._end_key_node()
        else:
            self.stack.pop()

    def _next_loc(self, event: yaml.NodeEvent) -> tuple[Any, ...] | None:
        """The field path of the node starting at `event` (its line noted), or None when it is not converted."""
        if not self.stack:
            if self.documents != 1:
                return None
            loc: tuple[Any, ...] = ()
        else:
            frame = self.stack[-1]
            if type(frame.container) is list:
                loc = (*frame.loc, len(frame.container))
            else:
                key, frame.key = frame.key, _NO_KEY
                if key is _DUPLICATE:
                    return None
                loc = (*frame.loc, key)
        self.result.lines.setdefault(loc, event.start_mark.line + 1)
        return loc

    def _refused_tag(self, tag: str, loc: tuple[Any, ...], event: yaml.NodeEvent) -> bool:
        """Report a tag outside STANDARD_TAGS; the node becomes None. The non-specific `!` is standard."""
        if tag == "!" or tag in STANDARD_TAGS:
            return False
        message = f"不支持自定义 YAML 标签 {_short_tag(tag)}"
        self.result.problems.append(Problem(event.start_mark.line + 1, _path(loc), message, "请删除以 ! 开头的标签"))
        self._place(loc, None)
        return True

    def _place(self, loc: tuple[Any, ...], value: Any) -> None:
        if not self.stack:
            self.result.data = value
            return
        container = self.stack[-1].container
        if type(container) is list:
            container.append(value)
        else:
            container[loc[-1]] = value

    def _take_key(self, key: str, line: int) -> None:
        frame = self.stack[-1]
        loc = (*frame.loc, key)
        if key in frame.container:
            message, hint = f"键 `{key}` 重复", "同一层级的键只能出现一次，请删除或合并重复项"
            self.result.problems.append(Problem(line, _path(loc), message, hint))
            frame.key = _DUPLICATE
            return
        self.result.lines[loc] = line
        frame.key = key

    def _end_key_node(self) -> None:
        """A sequence or mapping used as a key is named by the text of its node list, as PyYAML prints it."""
        node, children = self.key_nodes.pop()
        mapping = isinstance(node, yaml.MappingNode)
        node.value = list(zip(children[::2], children[1::2], strict=True)) if mapping else children
        if self.key_nodes:
            self.key_nodes[-1][1].append(node)
            return
        line = node.start_mark.line + 1
        frame = self.stack[-1]
        message = "键不能是列表或键值对（复杂键）"
        hint = "键应是一个字段名，如 `name:`；以 [ { ? 开头的文字请加引号"
        self.result.problems.append(Problem(line, _path(frame.loc), message, hint))
        frame.key = _DUPLICATE  # its value is skipped


def _scalar_tag(event: yaml.ScalarEvent) -> str:
    """The tag that matters for a value: explicit, or null/!!value/!!merge for the plain scalars that resolve so."""
    tag = event.tag
    if tag is not None and tag != "!":
        return tag
    value = event.value
    if event.implicit[0] and value[:1] in _NOTABLE_FIRSTS:
        return _RESOLVER.resolve(yaml.ScalarNode, value, event.implicit)
    return _STR_TAG


def _node_tag(event: yaml.NodeEvent) -> str:
    """The node's full resolved tag, as the composer would give it."""
    tag = event.tag
    if tag is not None and tag != "!":
        return tag
    if isinstance(event, yaml.ScalarEvent):
        return _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
    return _MAP_TAG if isinstance(event, yaml.MappingStartEvent) else _SEQ_TAG


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _path(loc: tuple[Any, ...]) -> str:
    """('projects', 2, 'budget', 'total') -> 'projects[2].budget.total'."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


format_path = _path

# Characters that look like YAML's own but are not: they break a key or the indentation without being seen.
_LOOKALIKES = {
    "\uff1a": "全角冒号“：”（U+FF1A）",
    "\u3000": "全角空格（U+3000）",
    "\u00a0": "不间断空格（U+00A0）",
    "\u2007": "数字空格（U+2007）",
    "\u202f": "窄不间断空格（U+202F）",
    "\u200b": "零宽空格（U+200B）",
    "\u200c": "零宽非连接符（U+200C）",
    "\u200d": "零宽连接符（U+200D）",
    "\u2060": "词连接符（U+2060）",
    "\ufeff": "字节顺序标记 BOM（U+FEFF）",
}
_KEY_START = re.compile(r"^[ \t\u3000\u00a0\u2007\u202f\u200b-\u200d\u2060\ufeff]*(?:-[ \u3000\u00a0]+)?")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_\u00a0\u2007\u202f\u200b-\u200d\u2060\ufeff\u3000]*[ \t\u3000\u00a0]*[:：]")


def hidden_characters(text: str) -> list[Problem]:
    """Full-width colons after a key, U+3000/NBSP in the indentation, invisible characters in keys, mid-file BOMs.

    Each is named with its line, column and code point; Chinese text in values, where
    these characters are at home, is left alone (only the key part of a line is looked at).
    """
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        for column, char in _suspects(line, first=number == 1):
            name = _LOOKALIKES[char]
            hint = "请改为半角冒号“:”加一个空格" if char == "\uff1a" else "请删除该字符，缩进和键名只用半角空格和字母"
            problems.append(Problem(number, "", f"第 {column} 列有{name}", hint))
    return problems


def _suspects(line: str, first: bool) -> list[tuple[int, str]]:
    found = []
    for index, char in enumerate(line):
        if char == "\ufeff" and not (first and index == 0):
            found.append((index + 1, char))  # a BOM inside the file (two files pasted together)
    start = _KEY_START.match(line)
    indent_end = start.end() if start else 0
    key = _KEY.match(line, indent_end)
    if key is None:
        return found
    for index in range(0, key.end()):
        char = line[index]
        if char in _LOOKALIKES and char != "\ufeff":
            found.append((index + 1, char))
    return sorted(set(found))
