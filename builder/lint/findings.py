"""Run the plausibility rules over loaded departments and turn what they find into located findings (`builder lint`).

`check` says whether a file is well-formed; `lint` says whether its content is plausible.
Rules live in `builder/lint/rules/`, one module per theme; their ids are documented on
`docs/data-quality-rules.md`.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..data.load import LoadedDepartment, Source, find_data_files, load_department
from ..data.model import Department
from ..data.yamlread import Located, format_path, read_yaml
from ..errors import DataError
from ..printable import escape_controls, json_escape_controls
from .rules import RULES, SEVERITIES, SEVERITY_NAMES, Issue, Rule, Severity

FORMAT_RULE = "format"  # a problem `check` reports: the file is not well-formed


@dataclass(frozen=True)
class Finding:
    """One located finding: `path:line field.path: 严重度 [rule] message — hint`."""

    rule: str
    severity: Severity
    path: Path
    line: int
    field_path: str
    message: str
    hint: str
    project_index: int | None = None

    def render(self) -> str:
        where = f"{self.path}:{self.line}" + (f" {self.field_path}" if self.field_path else "")
        text = f"{where}: {SEVERITY_NAMES[self.severity]} [{self.rule}] {self.message}"
        return text + (f" — {self.hint}" if self.hint else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "file": str(self.path),
            "line": self.line,
            "field": self.field_path,
            "message": self.message,
            "hint": self.hint,
            "project_index": self.project_index,
        }


@dataclass(frozen=True)
class LintReport:
    """The files looked at and everything found in them, sorted."""

    files: list[Path]
    findings: list[Finding]

    @property
    def counts(self) -> dict[str, int]:
        return counts(self.findings)


def counts(findings: list[Finding]) -> dict[str, int]:
    """How many findings of each severity: `{"error": 3, "warning": 10, "notice": 2}`."""
    found = Counter(finding.severity for finding in findings)
    return {severity: found[severity] for severity in SEVERITIES}


def sort_key(finding: Finding) -> tuple[str, int, int, str, str]:
    return (str(finding.path), finding.line, SEVERITIES.index(finding.severity), finding.rule, finding.field_path)


def lint_department(
    loaded: LoadedDepartment, located: Located | None = None, rules: list[Rule] | None = None
) -> list[Finding]:
    """Every finding of every rule (or of `rules`) on one department, with the line of each field.

    Lines come from `located`, else from what the loader kept (`loaded.located`), else from
    re-reading the department's file; a department built in memory gets line 0.
    """
    if located is None:
        located = loaded.located if loaded.located is not None else _locate(loaded.source.path)
    findings = [
        _finding(loaded.source.path, located, one_rule, issue)
        for one_rule in (rules if rules is not None else list(RULES.values()))
        for issue in one_rule.check(loaded.department)
    ]
    return sorted(findings, key=sort_key)


def lint_all(loaded_list: list[LoadedDepartment]) -> list[Finding]:
    """The findings of every department, sorted by file and line."""
    return sorted((finding for loaded in loaded_list for finding in lint_department(loaded)), key=sort_key)


def lint_paths(paths: list[Path]) -> LintReport:
    """Lint every data file under `paths`.

    A file that `check` rejects is reported as `format` errors; when its content can still
    be read into the model (say, only a duplicate 项目编码 or a wrong year folder), its
    content is linted too, so one run shows everything.
    """
    files = find_data_files(paths)
    findings: list[Finding] = []
    for path in files:
        findings += _lint_file(path)
    return LintReport(files, sorted(findings, key=sort_key))


def _lint_file(path: Path) -> list[Finding]:
    try:
        return lint_department(load_department(path))
    except DataError as error:
        problems = error.problems
    format_findings = [
        Finding(FORMAT_RULE, "error", path, problem.line, problem.path, problem.message, problem.hint)
        for problem in problems
    ]
    loaded, located = _read_leniently(path)
    content_findings = lint_department(loaded, located) if loaded else []
    reported = {(finding.line, finding.field_path) for finding in content_findings}
    return [f for f in format_findings if (f.line, f.field_path) not in reported] + content_findings


def _read_leniently(path: Path) -> tuple[LoadedDepartment | None, Located | None]:
    """The model of a file that failed only the loader's cross-checks, or None."""
    try:
        located = read_yaml(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return None, None
    if located.problems or not isinstance(located.data, dict):
        return None, None
    try:
        department = Department.model_validate(located.data)
    except ValidationError:
        return None, None
    return LoadedDepartment(Source(path, path.stem), department, located), located


def _locate(path: Path) -> Located | None:
    try:
        return read_yaml(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return None


def _finding(path: Path, located: Located | None, rule: Rule, issue: Issue) -> Finding:
    loc = _written_loc(issue.loc, located)
    line = located.line_of(loc) if located is not None else 0
    project_index = issue.loc[1] if issue.loc[:1] == ("projects",) and len(issue.loc) > 1 else None
    severity = issue.severity or rule.severity
    return Finding(rule.id, severity, path, line, format_path(loc), issue.message, issue.hint, project_index)


def _written_loc(loc: tuple[Any, ...], located: Located | None) -> tuple[Any, ...]:
    """The field path as the file writes it: a goal written as a plain string has no `.text`."""
    node = located.data if located is not None else None
    for depth, part in enumerate(loc):
        if isinstance(node, str):
            return loc[:depth]
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return loc
    return loc


def counts_text(findings: list[Finding] | dict[str, int]) -> str:
    """`错误 3 处，警告 10 处，提示 2 处`, of findings or of their `counts`."""
    found = findings if isinstance(findings, dict) else counts(findings)
    return "，".join(f"{SEVERITY_NAMES[severity]} {number} 处" for severity, number in found.items())


def summary(report: LintReport) -> str:
    """One line for the end of a run: `检查了 4 个文件：错误 3 处，警告 10 处，提示 2 处。`"""
    if not report.findings:
        return f"检查了 {len(report.files)} 个文件，未发现问题。"
    return f"检查了 {len(report.files)} 个文件：{counts_text(report.findings)}。"


def build_summary(findings: list[Finding] | dict[str, int]) -> str:
    """The line `make site` prints: `数据质量：错误 2 处，警告 55 处，提示 8 处（详见 python -m builder lint）`."""
    return f"数据质量：{counts_text(findings)}（详见 python -m builder lint）"


def render_text(report: LintReport) -> str:
    lines = [escape_controls(finding.render()) for finding in report.findings]  # one line each, data escaped
    return "\n".join([*lines, summary(report)]) + "\n"


def render_json(report: LintReport) -> str:
    data = {
        "files": [str(path) for path in report.files],
        "counts": report.counts,
        "findings": [finding.as_dict() for finding in report.findings],
    }
    return json_escape_controls(json.dumps(data, ensure_ascii=False, indent=2)) + "\n"


def exit_code(report: LintReport, strict: bool = False) -> int:
    """1 when there is an error (or, with `strict`, a warning); notices never fail a run."""
    failing = ("error", "warning") if strict else ("error",)
    return 1 if any(finding.severity in failing for finding in report.findings) else 0


def rules_table() -> str:
    """The registered rules, one a line: id, severity, summary (`lint --list-rules`)."""
    width = max(len(rule_id) for rule_id in RULES)
    return "".join(
        f"{rule.id.ljust(width)}  {SEVERITY_NAMES[rule.severity]}  {rule.title}\n" for rule in RULES.values()
    )
