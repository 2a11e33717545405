"""The builder's regular expressions match the same on every Python 3.11 it installs on.

Before 3.11.5 (Debian 12 has 3.11.2), CPython matched a possessive repeat of a group wrongly when the group can
backtrack (gh-106052, gh-100061): the link check's tokenizer, written with them, found no link at all on a bare
Debian machine and every page passed. Atomic groups, `(?>(?:…)*)`, mean the same and match right there (a
possessive repeat of one character class, `[^<]*+`, is another opcode, which matched right). This test fails on
any Python when a pattern of the builder's modules repeats a group possessively again; the link check's own
tests show the tokenizer at work on whichever Python runs them.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from re import _compiler, _constants, _parser  # type: ignore[attr-defined]

import builder


def _group_repeats(parsed: object) -> int:
    """How many possessive repeats of a group a parsed pattern holds, nested ones included. (A possessive repeat of
    one character or class is compiled as POSSESSIVE_REPEAT_ONE, `_compiler._simple`, which is not counted.)"""
    count = 0
    for item in parsed if isinstance(parsed, (list, tuple, _parser.SubPattern)) else ():
        if isinstance(item, tuple) and item and isinstance(item[0], _constants._NamedIntConstant):
            opcode, argument = item
            if opcode is _constants.POSSESSIVE_REPEAT and not _compiler._simple(argument[2]):
                count += 1
            count += _group_repeats(argument)
        elif isinstance(item, (list, tuple, _parser.SubPattern)):
            count += _group_repeats(item)
    return count


def _patterns() -> dict[str, re.Pattern[str]]:
    """The compiled patterns held by the builder's modules, by module and name."""
    patterns = {}
    for module_info in pkgutil.walk_packages(builder.__path__, "builder."):
        if module_info.name.endswith(".__main__"):  # runs the command line when imported
            continue
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                patterns[f"{module_info.name}.{name}"] = value
    return patterns


def test_the_link_check_tokenizer_is_among_the_patterns_looked_at() -> None:
    assert "builder.site.linkcheck._INTERESTING_START_TAG" in _patterns()


def test_no_pattern_of_the_builder_repeats_a_group_possessively() -> None:
    possessive = [name for name, pattern in _patterns().items() if _group_repeats(_parser.parse(pattern.pattern))]
    assert possessive == []


def test_a_group_repeated_possessively_is_seen_and_its_atomic_group_and_a_class_are_not() -> None:
    assert _group_repeats(_parser.parse(r"x(?:ab?c)*+")) == 1
    assert _group_repeats(_parser.parse(r"(?>(?:ab?c)*)")) == 0
    assert _group_repeats(_parser.parse(r"[^<]*+a++")) == 0
    assert re.fullmatch(r"(?>(?:ab?c)*)", "a") is None  # gh-106052: `(?:ab?c)*+` matched "a" before 3.11.5
