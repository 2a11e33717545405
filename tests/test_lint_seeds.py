"""`builder lint` on the four seed departments: the findings are the expected output, pinned.

The sample data is never edited to make findings go away. After changing a rule on
purpose, refresh the golden file and review the diff:
    python -m builder lint data/ > tests/golden/lint-seeds.txt
(or REFRESH_GOLDEN=1 python -m pytest tests/test_lint_seeds.py).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from builder.cli import main
from builder.data.load import load_all
from builder.data.yamlread import read_yaml
from builder.lint.findings import build_summary, lint_all, lint_paths
from builder.lint.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "2023"
GOLDEN = Path(__file__).parent / "golden" / "lint-seeds.txt"
BAD_INPUTS = Path(__file__).parent / "bad_inputs"


def run(args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(ROOT)
    code = main(args)
    output = capsys.readouterr()
    return code, output.out


def findings_of(filename: str) -> list[tuple[str, str, str]]:
    """(rule, field path, severity) of every finding in one seed file."""
    report = lint_paths([DATA / filename])
    return [(f.rule, f.field_path, f.severity) for f in report.findings]


def line_of(filename: str, *loc: object) -> int:
    return read_yaml((DATA / filename).read_text(encoding="utf-8")).line_of(loc)


def test_golden_findings_on_the_seeds(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = run(["lint", "data/"], capsys, monkeypatch)
    if os.environ.get("REFRESH_GOLDEN"):
        GOLDEN.write_text(output, encoding="utf-8")
    assert output == GOLDEN.read_text(encoding="utf-8")
    assert code == 1  # the seeds carry real errors


def test_clean_seed_tables_are_not_flagged() -> None:
    # 000: `188.51` bare, `=100%` satisfaction, 可持续性影响 as an 效益 type, `————` codes.
    assert findings_of("tangshan-gxq-fagaiju.yaml") == []
    assert findings_of("zunhua-jingkaiqu.yaml") == []


def test_kejiju_table_title_names_another_project() -> None:
    [finding] = lint_paths([DATA / "tangshan-gxq-kejiju.yaml"]).findings
    assert (finding.rule, finding.severity, finding.field_path) == ("title-mismatch", "error", "projects[1].title")
    assert finding.line == line_of("tangshan-gxq-kejiju.yaml", "projects", 1, "title")
    assert "机器人产业扶持资金" in finding.message and "百川房屋租赁费" in finding.message
    assert finding.project_index == 1


def test_chengde_mistakes_the_readme_names() -> None:
    findings = findings_of("chengde-gxq-jingkeju.yaml")
    upper = [path for rule, path, _ in findings if rule == "satisfaction-upper-bound"]
    assert upper == [f"projects[{i}].indicators[8].value" for i in (1, 9, 12)]  # `≤100 百分比`, `≤100%`
    goals = [path for rule, path, _ in findings if rule == "placeholder-text"]
    assert goals == [f"projects[{i}].goals[0]" for i in (0, 1, 3, 4, 5, 6, 7, 9, 11, 12)]  # `1.目标内容 1`
    counts = [path for rule, path, _ in findings if rule == "notes-count-mismatch"]
    assert counts == [f"projects[{i}].notes.indicators[0]" for i in (5, 8, 10, 13)]  # 共设置3项 … 产出指标4项
    assert ("value-unit-only", "projects[3].indicators[8].value", "error") in findings  # satisfaction `%`
    upper_outputs = [path for rule, path, _ in findings if rule == "upper-bound-only"]
    assert upper_outputs == ["projects[7].indicators[1].value", "projects[11].indicators[1].value"]  # `≤96%`


def test_chengde_consistent_units_are_not_flagged() -> None:
    rules = {rule for rule, _, _ in findings_of("chengde-gxq-jingkeju.yaml")}
    # `5000 元` against 0.50 万元, `≤2000 万元` against 2000.00, `50 万` against 50.00
    assert not rules & {"cost-exceeds-budget", "amount-unit", "budget-sum", "code-year", "code-duplicate"}
    assert not rules & {"spending-not-cumulative", "spending-incomplete", "title-mismatch"}


def test_chengde_counts_by_severity() -> None:
    report = lint_paths([DATA / "chengde-gxq-jingkeju.yaml"])
    assert report.counts == {"error": 1, "warning": 55, "notice": 8}


def test_lint_all_agrees_with_the_command() -> None:
    loaded, errors = load_all([DATA])
    assert errors == []
    assert lint_all(loaded) == lint_paths([DATA]).findings


def test_json_output(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = run(["lint", "data/2023/tangshan-gxq-kejiju.yaml", "--format", "json"], capsys, monkeypatch)
    data = json.loads(output)
    assert code == 1
    assert data["counts"] == {"error": 1, "warning": 0, "notice": 0}
    assert data["files"] == ["data/2023/tangshan-gxq-kejiju.yaml"]
    [finding] = data["findings"]
    assert finding["rule"] == "title-mismatch" and finding["field"] == "projects[1].title"
    assert finding["file"] == "data/2023/tangshan-gxq-kejiju.yaml" and finding["project_index"] == 1
    assert set(finding) == {"rule", "severity", "file", "line", "field", "message", "hint", "project_index"}


def test_exit_codes(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert run(["lint", "data/2023/zunhua-jingkaiqu.yaml"], capsys, monkeypatch)[0] == 0
    assert run(["lint", "--strict", "data/2023/zunhua-jingkaiqu.yaml"], capsys, monkeypatch)[0] == 0
    # warnings only: 0, and 1 with --strict
    folder = tmp_path / "2023"
    folder.mkdir()
    head, tail = (DATA / "zunhua-jingkaiqu.yaml").read_text(encoding="utf-8").rsplit("value: ≥90%", 1)
    text = head + "value: ≤90%" + tail  # the last table's satisfaction target
    (folder / "warned.yaml").write_text(text, encoding="utf-8")
    code, output = run(["lint", str(folder)], capsys, monkeypatch)
    assert code == 0 and "警告 [satisfaction-upper-bound]" in output
    assert run(["lint", "--strict", str(folder)], capsys, monkeypatch)[0] == 1
    assert run(["lint", str(tmp_path / "nothing")], capsys, monkeypatch)[0] == 1


def test_a_file_check_rejects_is_still_linted(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "2023"
    folder.mkdir()
    shutil.copyfile(BAD_INPUTS / "duplicate-project-code.yaml", folder / "dup.yaml")
    code, output = run(["lint", str(folder)], capsys, monkeypatch)
    assert code == 1
    assert "错误 [code-duplicate]" in output
    assert "[format]" not in output  # the loader's duplicate-code problem is the same finding
    shutil.copyfile(BAD_INPUTS / "empty-name.yaml", folder / "dup.yaml")
    code, output = run(["lint", str(folder)], capsys, monkeypatch)
    assert code == 1 and "错误 [format]" in output


def test_every_command_output_line_is_located(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, output = run(["lint", "data/"], capsys, monkeypatch)
    *lines, summary = output.rstrip("\n").split("\n")
    assert summary.startswith("检查了 4 个文件：错误 ")
    for line in lines:
        where, _, rest = line.partition(": ")
        path, line_number = where.split(" ")[0].rsplit(":", 1)
        assert path.startswith("data/2023/") and int(line_number) > 1
        assert rest.split(" ")[0] in ("错误", "警告", "提示") and " — " in rest


def test_the_build_prints_the_counts() -> None:
    loaded, _ = load_all([DATA])
    assert (
        build_summary(lint_all(loaded)) == "数据质量：错误 2 处，警告 55 处，提示 8 处（详见 python -m builder lint）"
    )


def test_list_rules(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = run(["lint", "--list-rules"], capsys, monkeypatch)
    assert code == 0
    assert [line.split()[0] for line in output.splitlines()] == list(RULES)


# A clean seed with known mistakes put in: each is found at its field and line, and nothing else is.
MUTATIONS: list[tuple[str, tuple[object, ...], object]] = [
    ("budget-sum", ("projects", 0, "budget", "fiscal"), "2.00"),
    ("spending-not-cumulative", ("projects", 1, "spending_plan", 2, "value"), "40%"),
    ("spending-incomplete", ("projects", 2, "spending_plan", 3, "value"), "90%"),
    ("cost-exceeds-budget", ("projects", 3, "indicators", 3, "value"), "=280000元"),
    ("satisfaction-upper-bound", ("projects", 0, "indicators", 6, "value"), "≤100 百分比"),
    ("upper-bound-only", ("projects", 2, "indicators", 0, "value"), "≤9处"),
    ("value-unit-only", ("projects", 1, "indicators", 6, "value"), "%"),
    ("value-placeholder", ("projects", 1, "indicators", 1, "value"), "*"),
    ("value-copies-text", ("projects", 3, "indicators", 4, "value"), "开发区持续正常办公"),
    ("placeholder-text", ("projects", 2, "goals", 0), "1.目标内容 1"),
    ("title-mismatch", ("projects", 3, "title"), "4.机器人产业扶持资金项目绩效目标表"),
    ("code-duplicate", ("projects", 2, "code"), "13028123P00031910001T"),
    ("code-year", ("projects", 3, "code"), "13028124P00032010001Y"),
    ("amount-unit", ("projects", 1, "budget", "total"), "290000元"),
]


def test_mistakes_put_into_a_clean_seed_are_found_where_they_are(tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load((DATA / "zunhua-jingkaiqu.yaml").read_text(encoding="utf-8"))
    for _, loc, value in MUTATIONS:
        *parents, last = loc
        node = data
        for part in parents:
            node = node[part]
        node[last] = value
    data["projects"][3]["notes"] = {"indicators": ["此项工作活动共设置3项绩效指标。其中：产出指标4项"]}
    path = tmp_path / "2023" / "mutated.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    located = read_yaml(path.read_text(encoding="utf-8"))
    expected = {(rule, located.line_of(loc)) for rule, loc, _ in MUTATIONS if rule != "budget-sum"}
    expected.add(("budget-sum", located.line_of(("projects", 0, "budget", "total"))))  # reported at 预算数
    expected.add(("notes-count-mismatch", located.line_of(("projects", 3, "notes", "indicators", 0))))
    found = {(f.rule, f.line) for f in lint_paths([path]).findings}
    assert found == expected
