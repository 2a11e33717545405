"""The one-pass YAML reader gives exactly what composing nodes gave: data, lines and problems.

`builder.data.yamlread` builds located data from libyaml's event stream in one pass. The
reference below is the implementation it replaced (an event pass for depth and aliases,
then `yaml.compose` and a recursive conversion), kept here only to compare against.
"""

from __future__ import annotations

import dataclasses
import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from yaml import CSafeLoader

from builder.data.load import load_department
from builder.data.yamlread import (
    MAX_DEPTH,
    STANDARD_TAGS,
    Located,
    Problem,
    _short_tag,
    _syntax_hint,
    _translate,
    format_path,
    hidden_characters,
    read_yaml,
    unprintable_characters,
)
from builder.lint.findings import lint_department

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "data").rglob("*.yaml"))
BAD_INPUTS = sorted((ROOT / "tests" / "bad_inputs").glob("*.yaml"))


# The reference: the reader as it was before the one-pass rewrite.


def reference_read_yaml(text: str) -> Located:
    result = Located(data=None)
    try:
        refused = _reference_prescan(text)
        if refused:
            result.problems.append(refused)
            return result
        node = yaml.compose(text, Loader=CSafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        hidden = hidden_characters(text)  # issue 15: a look-alike character near the error is named instead
        if any(abs(problem.line - line) <= 1 for problem in hidden):
            result.problems.extend(hidden)
            return result
        chinese, hint = _translate(error.problem or error.context or "")
        syntax = Problem(line, "", f"YAML 语法错误：{chinese}", hint or _syntax_hint(text, line))
        result.problems.extend(sorted([*hidden, syntax], key=lambda problem: problem.line))
        return result
    except yaml.reader.ReaderError as error:
        result.problems.extend(unprintable_characters(text, error))  # issue 15: each one, by line and column
        return result
    except yaml.YAMLError as error:
        result.problems.append(Problem(1, "", f"YAML 无法读取：{error}", "请检查文件是否为 UTF-8 编码的 YAML"))
        return result
    if node is not None:
        result.data = _reference_convert(node, (), result)
    return result


def _reference_prescan(text: str) -> Problem | None:
    depth = 0
    for event in yaml.parse(text, Loader=CSafeLoader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return Problem(event.start_mark.line + 1, "", "嵌套层数过深", f"数据文件的嵌套不应超过 {MAX_DEPTH} 层")
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            return Problem(event.start_mark.line + 1, "", "不支持 YAML 锚点与别名（& 和 *）", "请把内容直接写出")
    return None


def _reference_convert(node: yaml.Node, loc: tuple[Any, ...], result: Located) -> Any:
    """Aliases and deep nesting never get here: the prescan refused them."""
    result.lines.setdefault(loc, node.start_mark.line + 1)
    if node.tag not in STANDARD_TAGS:
        message = f"不支持自定义 YAML 标签 {_short_tag(node.tag)}"
        result.problems.append(Problem(node.start_mark.line + 1, format_path(loc), message, "请删除以 ! 开头的标签"))
        return None
    if isinstance(node, yaml.ScalarNode):
        return None if node.tag == "tag:yaml.org,2002:null" else node.value
    if isinstance(node, yaml.SequenceNode):
        return [_reference_convert(item, (*loc, i), result) for i, item in enumerate(node.value)]
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):  # issue 15: a complex key is refused, its value skipped
            message, hint = (
                "键不能是列表或键值对（复杂键）",
                "键应是一个字段名，如 `name:`；以 [ { ? 开头的文字请加引号",
            )
            result.problems.append(Problem(key_node.start_mark.line + 1, format_path(loc), message, hint))
            continue
        key = key_node.value
        if key in mapping:
            message, hint = f"键 `{key}` 重复", "同一层级的键只能出现一次，请删除或合并重复项"
            result.problems.append(Problem(key_node.start_mark.line + 1, format_path((*loc, key)), message, hint))
            continue
        result.lines[(*loc, key)] = key_node.start_mark.line + 1
        mapping[key] = _reference_convert(value_node, (*loc, key), result)
    return mapping


def assert_same(text: str) -> None:
    expected, actual = reference_read_yaml(text), read_yaml(text)
    assert actual.data == expected.data
    assert actual.lines == expected.lines
    assert actual.problems == expected.problems


# Texts that exercise every branch of the reader.

EDGE_CASES = [
    "",
    "# only a comment\n",
    "---\n",
    "a: 1\n---\nb: 2\n",
    "a: &x 1\nb: &x 2\n",
    "&a [&a x]",
    "a: &x 1\n---\nb: &x 2\n",
    "[&a 1, &a 2]\n---\n[*b]",
    "a: &x 1\nb: *x\n",
    "? [a, {b: c}]\n: v\n",
    "? !foo [a, !bar b, ~, 1.5, yes, '']\n: 1\n",
    "{[a]: 1, [a]: 2}",
    "=",
    "x: =\ny: '='\n<<: 1\n",
    "<<: {a: 1}",
    "a: ! null\nb: ! \"null\"\nc: !!null x\nd: !!str\ne: !foo {x: 1}\nf: ''\ng: ~\nh: Null\ni: NULL\nj: nULL\n",
    "a: 1\na: {x: !foo 1}\nb: [1, !bar 2]\n",
    "- !!omap [a]\n- !!binary x\n- !!set {a}\n- !!int abc\n- !!seq x\n",
    "!!null\n",
    "!!str\n",
    "!!map [a]\n",
    "!!seq {a: 1}\n",
    "!foo\n",
    "%TAG !e! tag:example.com,2000:\n---\na: !e!foo 1\n",
    "a: !!python/object:os.system x\n",
    "key: &a\n  x: 1\nother: &b [1]\n",
    "null: 1\n~: 2\n'': 3\n!!int 4: 5\n!x k: v\n",
    "a:\n  - b: [c, {d: e}]\n    f:\n  -\n  - - x\n",
    "a: 'unclosed\n",
    "a: [1, 2\n",
    "a:\n\tb: 1\n",
    "a: \x07\n",
    "[" * MAX_DEPTH + "]" * MAX_DEPTH,
    "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
    "a: *x\n" + "[" * 80,
    "[" * 80 + "\na: *x\n",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_read_as_before(text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize("path", SEEDS + BAD_INPUTS, ids=lambda path: path.name)
def test_seed_and_bad_input_files_read_as_before(path: Path) -> None:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        pytest.skip("not UTF-8: refused before reading")
    assert_same(text)


SEED_TEXTS = [path.read_text(encoding="utf-8-sig") for path in SEEDS]
FRAGMENTS = [
    *":-[]{},&*!?'\"#|>\n\t ~=<%",
    "null",
    "- ",
    ": ",
    "!!str ",
    "!!null ",
    "!x ",
    "&a ",
    "*a",
    "---\n",
    "? ",
    "\n  ",
    "<<",
    "\x07",
]


@st.composite
def mutated_seed(draw: st.DrawFn) -> str:
    """A seed file with a few characters inserted, deleted or copied elsewhere."""
    text = draw(st.sampled_from(SEED_TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "copy"]))
        if kind == "insert":
            text = text[:at] + draw(st.sampled_from(FRAGMENTS)) + text[at:]
        elif kind == "delete":
            text = text[:at] + text[at + draw(st.integers(1, 6)) :]
        else:
            start = draw(st.integers(0, len(text)))
            text = text[:at] + text[start : start + draw(st.integers(1, 120))] + text[at:]
    return text


@settings(max_examples=150, deadline=None)
@given(mutated_seed())
def test_mutated_seeds_read_as_before(text: str) -> None:
    assert_same(text)


YAMLISH = st.lists(st.sampled_from([*"ab:-[]{}&*!|>'\"\n #0.?~=<,", "null", "!!str ", "---\n", "  "]), max_size=60).map(
    "".join
)


@settings(max_examples=300, deadline=None)
@given(YAMLISH)
def test_arbitrary_yamlish_text_reads_as_before(text: str) -> None:
    assert_same(text)


DEEP = [
    "[" * 100_000 + "]" * 100_000,
    "- " * 100_000 + "x",
    "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 500)),
]


@pytest.mark.parametrize("text", DEEP, ids=["flow", "block-sequence", "block-mapping"])
def test_very_deep_nesting_is_refused_without_crashing(text: str) -> None:
    located = read_yaml(text)
    assert located.data is None and located.lines == {}
    assert [problem.message for problem in located.problems] == ["嵌套层数过深"]


# What lint needs travels with the loaded department.


def test_loaded_department_keeps_its_lines_for_lint(tmp_path: Path) -> None:
    seed = next(path for path in SEEDS if path.parent.name.isdigit())
    path = tmp_path / seed.parent.name / seed.name
    path.parent.mkdir()
    shutil.copyfile(seed, path)
    loaded = load_department(path)
    assert loaded.located is not None and loaded.located.lines == read_yaml(seed.read_text("utf-8-sig")).lines
    findings = lint_department(loaded)
    path.unlink()  # lint must not need the file any more
    assert lint_department(loaded) == findings
    assert all(finding.line > 0 for finding in findings)


def test_loaded_department_pickles_with_or_without_its_lines() -> None:
    loaded = load_department(next(path for path in SEEDS if path.parent.name.isdigit()))
    bare = dataclasses.replace(loaded, located=None)
    assert bare == loaded  # `located` is left out of comparisons
    for one in (loaded, bare):
        copy = pickle.loads(pickle.dumps(one))
        assert copy == loaded and lint_department(copy) == lint_department(loaded)
    assert pickle.loads(pickle.dumps(loaded)).located.lines == loaded.located.lines
