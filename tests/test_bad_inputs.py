"""A corpus of broken and hostile data files: each gets its exact, located message and nothing else happens.

The corpus is written by tests/bad_inputs/make_corpus.py. Refresh the expected
messages on purpose, then review the diff:
    REFRESH_GOLDEN=1 python -m pytest tests/test_bad_inputs.py
"""

import os
import shutil
import time
from pathlib import Path

import pytest

from builder.cli import main

CORPUS = Path(__file__).parent / "bad_inputs"
GOLDEN = Path(__file__).parent / "golden" / "bad-inputs.txt"
BAD = sorted(p for p in CORPUS.glob("*.yaml") if not p.name.startswith("accepted-"))
ACCEPTED = sorted(CORPUS.glob("accepted-*.yaml"))


def run_check(
    tmp_path: Path, source: Path, capsys: pytest.CaptureFixture[str], name: str | None = None
) -> tuple[int, str]:
    folder = tmp_path / "2023"
    folder.mkdir(exist_ok=True)
    target = folder / (name or source.name)
    shutil.copyfile(source, target)
    before = sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.rglob("*"))
    code = main(["check", str(target)])
    output = capsys.readouterr()
    assert sorted((p.name, p.stat().st_mtime_ns) for p in tmp_path.rglob("*")) == before  # nothing written
    return code, (output.out + output.err).replace(str(tmp_path) + os.sep, "")


def expected_messages() -> dict[str, str]:
    sections: dict[str, str] = {}
    for block in GOLDEN.read_text(encoding="utf-8").split("\n## ")[1:]:
        name, _, body = block.partition("\n")
        sections[name] = body.rstrip("\n")
    return sections


def test_the_corpus_is_large_enough() -> None:
    assert len(BAD) >= 40


def test_every_bad_file_gets_its_exact_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    actual = {}
    for source in BAD:
        case = tmp_path / source.stem
        case.mkdir()
        code, output = run_check(case, source, capsys)
        assert code == 1, source.name
        assert "Traceback" not in output and "内部错误" not in output, source.name
        assert f"2023/{source.name}:" in output, source.name  # located: file and line
        actual[source.stem] = output.rstrip("\n")
    if os.environ.get("REFRESH_GOLDEN"):
        GOLDEN.write_text("".join(f"\n## {name}\n{text}\n" for name, text in actual.items()), encoding="utf-8")
    assert actual == expected_messages()


@pytest.mark.parametrize("source", ACCEPTED, ids=lambda p: p.stem)
def test_accepted_oddities(tmp_path: Path, source: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run_check(tmp_path, source, capsys)
    assert code == 0, output
    assert "预算数合计 31.55 万元" in output


def test_a_20_mb_file_is_refused_at_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("department: " + "大" * (20 * 1024 * 1024 // 3) + "\n", encoding="utf-8")
    started = time.perf_counter()
    code, output = run_check(tmp_path, big, capsys)
    assert code == 1
    assert "2023/big.yaml:1: 文件有 20.0 MB，超过每个数据文件 16 MB 的上限，没有读取" in output
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("name", ["data.yaml", "assets.yaml", "pagefind.yaml", "quality.yaml"])
def test_slugs_the_site_uses_itself_are_refused(tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run_check(tmp_path, CORPUS / "accepted-crlf.yaml", capsys, name=name)
    assert code == 1
    assert "与网站自用的文件夹重名" in output


@pytest.mark.parametrize(
    "name", ["..yaml", "%2e%2e.yaml", "a b.yaml", "中文部门.yaml", "Upper.yaml", "-x.yaml", "a;rm.yaml"]
)
def test_file_names_that_are_unsafe_in_urls_are_refused(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = run_check(tmp_path, CORPUS / "accepted-crlf.yaml", capsys, name=name)
    assert code == 1
    assert "不能用作网址" in output
